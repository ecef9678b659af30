package web_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// newSiteWithProviderElsewhere starts a site whose built-in provider runs on
// an origin of its own (another port), as every real broker does.
func newSiteWithProviderElsewhere(t *testing.T) (*testSite, *httptest.Server) {
	t.Helper()
	idp := httptest.NewUnstartedServer(nil)
	s := newSite(t, map[string]string{"INSPRAAK_DEV_IDP_ADDR": idp.Listener.Addr().String()})
	if s.App.DevIDPHandler == nil {
		t.Fatal("INSPRAAK_DEV_IDP_ADDR is set, but the application has no handler for the provider's own origin")
	}
	idp.Config.Handler = s.App.DevIDPHandler
	idp.Start()
	t.Cleanup(idp.Close)
	if s.App.Config.DevIssuer() != idp.URL+"/dev/idp" {
		t.Fatalf("issuer %s, want the provider's own origin %s", s.App.Config.DevIssuer(), idp.URL)
	}
	return s, idp
}

// formAction returns the sources of the form-action directive of a
// response's Content-Security-Policy.
func formAction(t *testing.T, r response) []string {
	t.Helper()
	csp := r.Header.Get("Content-Security-Policy")
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) > 0 && f[0] == "form-action" {
			return f[1:]
		}
	}
	t.Fatalf("%s: no form-action in the CSP %q", r.Request.URL.Path, csp)
	return nil
}

func wantFormAction(t *testing.T, r response, want ...string) {
	t.Helper()
	got := formAction(t, r)
	if !slices.Equal(got, want) {
		t.Errorf("%s: form-action %q, want exactly %q", r.Request.URL.Path, got, want)
	}
}

// Chromium holds every redirect after a posted form to the page's
// form-action, and a provider may send the browser through origins of its
// own (a broker, then DigiD itself). So no form of the site leads off it:
// login buttons are links, logout answers with a page that continues to
// the provider, and form-action is just 'self' on every page. Log in and
// out work all the way through a provider on another origin for the three
// kinds of login.
func TestLoginAndLogoutThroughProviderOnAnotherOrigin(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s, idp := newSiteWithProviderElsewhere(t)
	b := newBrowser(t, s)

	choose := b.get("/inloggen")
	wantStatus(t, choose, 200)
	wantFormAction(t, choose, "'self'")
	staffChoose := b.get("/beheer/inloggen")
	wantStatus(t, staffChoose, 200)
	wantFormAction(t, staffChoose, "'self'")

	// DigiD: the login link's redirect goes to the other origin.
	auth := b.startLogin("digid", "/mijn-inspraak", "")
	if got := auth.Scheme + "://" + auth.Host; got != idp.URL {
		t.Fatalf("login went to %s, want the provider at %s", got, idp.URL)
	}
	page := b.get(auth.String())
	wantStatus(t, page, 200)
	wantContains(t, page, "Test-BSN", `action="`+idp.URL+`/dev/idp/authorize"`)
	// The provider's own form redirects back to the site with the code.
	wantFormAction(t, page, "'self'", s.URL)
	// Its stylesheets come from its own origin (its CSP allows no other).
	css := b.get(idp.URL + "/static/css/app.css")
	if css.StatusCode != 200 {
		t.Errorf("the provider's page has no stylesheet on its origin: %d", css.StatusCode)
	}
	back := b.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}})
	if loc := mustLocation(t, back); !strings.HasPrefix(loc, s.URL+"/inloggen/digid/terug?") {
		t.Fatalf("the provider sent the browser to %s", loc)
	}
	landed := b.follow(back)
	wantStatus(t, landed, 200)
	wantContains(t, landed, "Welke naam wilt u laten zien?", "Uitloggen")
	wantFormAction(t, landed, "'self'")
	b.post("/inloggen/naam", url.Values{"naam": {"Jan Jansen"}, "terug": {"/mijn-inspraak"}})
	my := b.get("/mijn-inspraak")
	wantStatus(t, my, 200)
	wantContains(t, my, "Jan Jansen")

	out, done := b.logout("/uitloggen")
	if !strings.HasPrefix(out.String(), idp.URL+"/dev/idp/end-session?") {
		t.Fatalf("logout went to %s, want the provider's end-session endpoint", out)
	}
	wantStatus(t, done, 200)
	wantContains(t, done, "U bent uitgelogd")
	if after := b.get("/mijn-inspraak"); after.StatusCode != 303 {
		t.Fatalf("still logged in after logout: %d", after.StatusCode)
	}

	// eHerkenning.
	eh := b.startLogin("eherkenning", "/mijn-inspraak", "")
	if eh.Host != idp.Listener.Addr().String() {
		t.Fatalf("eHerkenning login went to %s", eh)
	}
	ehIn := b.follow(b.atProvider(eh, url.Values{"kvk": {testKVK}, "acting": {"medewerker-1"}, "loa": {loaEH3}}))
	wantStatus(t, ehIn, 200)
	wantContains(t, ehIn, "Uitloggen")
	ehOut, ehDone := b.logout("/uitloggen")
	if !strings.HasPrefix(ehOut.String(), idp.URL+"/dev/idp/end-session?") {
		t.Fatalf("eHerkenning logout went to %s", ehOut)
	}
	wantContains(t, ehDone, "U bent uitgelogd")

	// Staff.
	home := b.loginStaff("Sam de Vries", "inspraak-beheerders")
	wantStatus(t, home, 200)
	wantContains(t, home, "Beheer")
	wantFormAction(t, home, "'self'")
	staffOut, staffDone := b.logout("/beheer/uitloggen")
	if !strings.HasPrefix(staffOut.String(), idp.URL+"/dev/idp/end-session?") {
		t.Fatalf("staff logout went to %s", staffOut)
	}
	wantContains(t, staffDone, "U bent uitgelogd")
	if again := b.get("/beheer"); again.StatusCode != 303 {
		t.Fatalf("staff still logged in after logout: %d", again.StatusCode)
	}
}

// The logout page ends the session before it continues to the provider:
// whoever stops there (no refresh, the link not followed) is logged out.
// Without a session to end there is no provider to visit: home as before.
func TestLogoutEndsTheSessionBeforeTheProvider(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	tok := b.cookie("inspraak_sessie")
	r := b.post("/uitloggen", nil)
	wantStatus(t, r, 200)
	wantContains(t, r, "U bent uitgelogd", "Ga verder", `<meta http-equiv="refresh" content="0;url=`+s.URL+`/dev/idp/end-session?`)
	wantNotContains(t, r, "<script")
	if robots := r.Header.Get("Cache-Control"); robots != "no-store" {
		t.Errorf("logout page Cache-Control %q, want no-store (it may carry an id_token_hint)", robots)
	}
	if after := s.get(t, "/mijn-inspraak", "Cookie", "inspraak_sessie="+tok); after.StatusCode != 303 {
		t.Fatalf("the session outlived the logout page: %d", after.StatusCode)
	}
	again := b.post("/uitloggen", nil)
	if loc := mustLocation(t, again); loc != "/uitgelogd" {
		t.Fatalf("logout without a session went to %q", loc)
	}
	staff := newBrowser(t, s).post("/beheer/uitloggen", nil)
	if loc := mustLocation(t, staff); loc != "/beheer/uitgelogd" {
		t.Fatalf("staff logout without a session went to %q", loc)
	}
}

// A provider's endpoints may be anywhere, on any number of origins: the
// site's form-action still names only itself, never a provider, never a
// wildcard.
func TestFormActionIsOnlySelfWhereverTheProviderIs(t *testing.T) {
	t.Parallel() // each test has its own site and database
	broker := httptest.NewUnstartedServer(nil)
	broker.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           broker.URL,
			"authorization_endpoint":           "https://login.broker.example/oidc/authorize",
			"end_session_endpoint":             "https://logout.broker.example:8443/oidc/end",
			"token_endpoint":                   broker.URL + "/token",
			"jwks_uri":                         broker.URL + "/jwks",
			"response_types_supported":         []string{"code"},
			"code_challenge_methods_supported": []string{"S256"},
			"subject_types_supported":          []string{"public"},
		})
	})
	broker.Start()
	t.Cleanup(broker.Close)
	s := newSite(t, map[string]string{
		"INSPRAAK_EHERKENNING_ISSUER":        broker.URL,
		"INSPRAAK_EHERKENNING_CLIENT_ID":     "inspraak",
		"INSPRAAK_EHERKENNING_CLIENT_SECRET": "geheim-voor-de-test",
	})
	b := newBrowser(t, s)
	// Discovered: the login link leads to the broker's other origin.
	if loc := mustLocation(t, b.get(loginLink("eherkenning", "/", ""))); !strings.HasPrefix(loc, "https://login.broker.example/oidc/authorize?") {
		t.Fatalf("login went to %s", loc)
	}
	for _, path := range []string{"/", "/inloggen", "/beheer/inloggen", schoolPoll} {
		r := s.get(t, path)
		wantFormAction(t, r, "'self'")
	}
}
