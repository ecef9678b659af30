package web_test

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/devidp"
	"inspraak/internal/testdb"
)

// browser is a cookie-keeping client that does not follow redirects by
// itself, so tests see every step of a login.
type browser struct {
	t    testing.TB
	s    *testSite
	c    *http.Client
	last response
}

func newBrowser(t testing.TB, s *testSite) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, c: &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (b *browser) abs(target string) string {
	if strings.HasPrefix(target, "http") {
		return target
	}
	return b.s.URL + target
}

func (b *browser) get(target string) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.abs(target), nil)
	return b.send(req)
}

func (b *browser) post(target string, form url.Values) response {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.abs(target), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.s.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(req)
}

func (b *browser) send(req *http.Request) response {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	b.last = response{Response: resp, Body: sb.String()}
	return b.last
}

// follow follows redirects until a page answers.
func (b *browser) follow(r response) response {
	b.t.Helper()
	for i := 0; i < 10 && r.StatusCode >= 300 && r.StatusCode < 400; i++ {
		loc, err := r.Location()
		if err != nil {
			b.t.Fatal(err)
		}
		r = b.get(loc.String())
	}
	return r
}

func (b *browser) cookie(name string) string {
	u, _ := url.Parse(b.s.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// startLogin follows the login button (a link, see loginLink) and returns
// the provider's authorize URL.
func (b *browser) startLogin(means, back, minLoA string) *url.URL {
	b.t.Helper()
	r := b.get(loginLink(means, back, minLoA))
	if r.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("start login: %d %s", r.StatusCode, r.Body)
	}
	if got := r.Header.Get("X-Robots-Tag"); got != "noindex, nofollow" {
		b.t.Errorf("login start: X-Robots-Tag %q, want noindex, nofollow", got)
	}
	u, _ := r.Location()
	if !strings.HasPrefix(u.String(), b.s.App.Config.DevIssuer()+"/authorize?") {
		b.t.Fatalf("login went to %s", u)
	}
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 22 || len(q.Get("nonce")) < 22 {
		b.t.Fatalf("authorize request lacks PKCE, state or nonce: %s", u)
	}
	return u
}

// loginLink is where a login button leads.
func loginLink(means, back, minLoA string) string {
	q := url.Values{"terug": {back}}
	if minLoA != "" {
		q.Set("niveau", minLoA)
	}
	if means == "staff" {
		return "/beheer/inloggen/starten?" + q.Encode()
	}
	return "/inloggen/" + means + "?" + q.Encode()
}

// metaRefresh matches the page that continues a logout at the provider.
var metaRefresh = regexp.MustCompile(`<meta http-equiv="refresh" content="0;url=([^"]+)">`)

// logout presses a logout button (a POST to path): the local session ends
// at once and a page answers that sends the browser on to the provider by
// a meta refresh and a link. It returns the provider's address and the
// page the browser ends on after following it.
func (b *browser) logout(path string) (*url.URL, response) {
	b.t.Helper()
	r := b.post(path, nil)
	if r.StatusCode != http.StatusOK {
		b.t.Fatalf("logout: %d, want 200 with a page that continues to the provider: %s", r.StatusCode, r.Body)
	}
	m := metaRefresh.FindStringSubmatch(r.Body)
	if m == nil {
		b.t.Fatalf("logout page has no meta refresh:\n%s", r.Body)
	}
	target := html.UnescapeString(m[1])
	if !strings.Contains(r.Body, `href="`+m[1]+`" rel="nofollow">Ga verder</a>`) || !strings.Contains(r.Body, "U bent uitgelogd") {
		b.t.Fatalf("logout page lacks the text or the visible link to %s:\n%s", target, r.Body)
	}
	u, err := url.Parse(target)
	if err != nil {
		b.t.Fatal(err)
	}
	return u, b.follow(b.get(target))
}

// atProvider shows the provider's login page and submits it with fields.
// It returns the provider's redirect back to Inspraak.
func (b *browser) atProvider(auth *url.URL, fields url.Values) response {
	b.t.Helper()
	page := b.get(auth.String())
	if page.StatusCode != 200 {
		b.t.Fatalf("provider login page: %d %s", page.StatusCode, page.Body)
	}
	form := url.Values{}
	for k, v := range auth.Query() {
		form[k] = v
	}
	for k, v := range fields {
		form[k] = v
	}
	// The form posts to the provider, on whatever origin it is.
	return b.post(auth.Scheme+"://"+auth.Host+auth.Path, form)
}

const (
	testBSN  = "999993653"
	testKVK  = "90001234"
	loaBasis = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
	loaMid   = "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract"
	loaEH3   = "urn:etoegang:core:assurance-class:loa3"
)

// loginDigiD logs in a resident and returns the page they land on.
func (b *browser) loginDigiD(bsn, loa, back string) response {
	b.t.Helper()
	auth := b.startLogin("digid", back, "")
	return b.follow(b.atProvider(auth, url.Values{"bsn": {bsn}, "loa": {loa}}))
}

func (b *browser) loginStaff(name string, groups ...string) response {
	b.t.Helper()
	auth := b.startLogin("staff", "/beheer", "")
	return b.follow(b.atProvider(auth, url.Values{"name": {name}, "groups": groups}))
}

func TestResidentJourneyLoginNameMyPageLogout(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)

	choose := b.get("/inloggen?terug=/projecten")
	wantStatus(t, choose, 200)
	wantContains(t, choose, "Inloggen met DigiD", "Inloggen met eHerkenning", "bewaart het niet")

	landed := b.loginDigiD(testBSN, loaMid, "/projecten/herinrichting-marktplein")
	wantStatus(t, landed, 200)
	wantContains(t, landed, "Welke naam wilt u laten zien?")
	if !strings.Contains(b.last.Request.URL.String(), "/inloggen/naam") {
		t.Fatalf("first login did not ask for a name: %s", b.last.Request.URL)
	}
	first := b.cookie("inspraak_sessie")
	if first == "" {
		t.Fatal("no session cookie")
	}

	bad := b.post("/inloggen/naam", url.Values{"naam": {"J"}, "terug": {"/projecten/herinrichting-marktplein"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Gebruik een naam van 2 tot 40 tekens", `aria-invalid="true"`, `href="#naam"`)
	leak := b.post("/inloggen/naam", url.Values{"naam": {"Jan " + testBSN}, "terug": {"/"}})
	wantStatus(t, leak, 422)

	saved := b.post("/inloggen/naam", url.Values{"naam": {"  Jan   Jansen "}, "terug": {"/projecten/herinrichting-marktplein"}})
	wantStatus(t, saved, 303)
	if loc := saved.Header.Get("Location"); loc != "/projecten/herinrichting-marktplein" {
		t.Fatalf("after naming went to %q", loc)
	}
	my := b.get("/mijn-inspraak")
	wantStatus(t, my, 200)
	wantContains(t, my, "Jan Jansen", "DigiD Midden")
	wantNotContains(t, my, testBSN)

	// Second login: a new session id, and no name question.
	again := b.loginDigiD(testBSN, loaMid, "/mijn-inspraak")
	wantContains(t, again, "Jan Jansen")
	second := b.cookie("inspraak_sessie")
	if second == first || second == "" {
		t.Fatal("session id did not change at login")
	}

	loc, done := b.logout("/uitloggen")
	if !strings.HasPrefix(loc.String(), s.URL+"/dev/idp/end-session?") || loc.Query().Get("client_id") != "inspraak-digid" || loc.Query().Get("id_token_hint") != "" {
		t.Fatalf("logout went to %s", loc)
	}
	wantContains(t, done, "U bent uitgelogd")

	// The old cookie no longer works, even if someone kept it.
	stolen := s.get(t, "/mijn-inspraak", "Cookie", "inspraak_sessie="+second)
	wantStatus(t, stolen, 303)
	if !strings.HasPrefix(stolen.Header.Get("Location"), "/inloggen?terug=") {
		t.Fatalf("old session still works: %v", stolen.Header)
	}
}

func TestBusinessLogsInWithEHerkenning(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	auth := b.startLogin("eherkenning", "/mijn-inspraak", "")
	r := b.follow(b.atProvider(auth, url.Values{"kvk": {testKVK}, "acting": {"inkoper"}, "loa": {loaEH3}}))
	wantContains(t, r, "Welke naam wilt u laten zien?")
	b.post("/inloggen/naam", url.Values{"naam": {"Bakkerij De Korst"}, "terug": {"/mijn-inspraak"}})
	my := b.get("/mijn-inspraak")
	wantContains(t, my, "Bakkerij De Korst", "eHerkenning EH3")
	wantNotContains(t, my, testKVK)
}

func TestCancelledLoginSaysSoCalmly(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	auth := b.startLogin("digid", "/", "")
	r := b.follow(b.atProvider(auth, url.Values{"cancel": {"1"}}))
	wantStatus(t, r, 401)
	wantContains(t, r, "Inloggen geannuleerd", "Er is niets veranderd", "utrecht-alert--info")
	if b.cookie("inspraak_sessie") != "" {
		t.Fatal("a cancelled login made a session")
	}
}

// Every negative case of IDENTITY.md fails the login with its own reason,
// a clear message, no session, and an audit entry.
func TestBadLoginsAreRefused(t *testing.T) {
	t.Parallel() // each test has its own site and database
	type tc struct {
		name   string
		tamper *devidp.Tamper
		fields url.Values
		minLoA string
		reason string
		text   string
	}
	ok := url.Values{"bsn": {testBSN}, "loa": {loaMid}}
	cases := []tc{
		{name: "wrong nonce", tamper: &devidp.Tamper{Claims: func(m map[string]any) { m["nonce"] = "een-andere-nonce-van-iemand-anders" }}, reason: "nonce"},
		{name: "wrong issuer", tamper: &devidp.Tamper{Claims: func(m map[string]any) { m["iss"] = "https://nep-idp.example" }}, reason: "issuer"},
		{name: "wrong audience", tamper: &devidp.Tamper{Claims: func(m map[string]any) { m["aud"] = "een-andere-client" }}, reason: "audience"},
		{name: "expired token", tamper: &devidp.Tamper{Claims: func(m map[string]any) { m["exp"] = float64(1_000_000_000) }}, reason: "expired"},
		{name: "alg none", tamper: &devidp.Tamper{Signing: devidp.SignNone}, reason: "algorithm"},
		{name: "alg HS256 with client secret", tamper: &devidp.Tamper{Signing: devidp.SignHS256}, reason: "algorithm"},
		{name: "unknown signing key", tamper: &devidp.Tamper{Signing: devidp.SignUnknownKey}, reason: "signature"},
		{name: "missing BSN claim", tamper: &devidp.Tamper{Claims: func(m map[string]any) { delete(m, "bsn") }}, reason: "missing_claim"},
		{name: "SOFI sector", tamper: &devidp.Tamper{Claims: func(m map[string]any) { m["bsn"] = "s00000001:" + testBSN }}, reason: "sofi", text: "sofinummer"},
		{name: "invalid BSN", fields: url.Values{"bsn": {"123456789"}, "loa": {loaMid}}, reason: "invalid_bsn"},
		{name: "LoA too low", fields: url.Values{"bsn": {testBSN}, "loa": {loaBasis}}, minLoA: loaMid, reason: "loa", text: "hoger"},
		{name: "LoA unknown", fields: url.Values{"bsn": {testBSN}, "loa": {"urn:onbekend"}}, reason: "loa"},
		{name: "LoA missing", tamper: &devidp.Tamper{Claims: func(m map[string]any) { delete(m, "acr") }}, reason: "loa"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own site and database
			s := newSite(t, nil)
			b := newBrowser(t, s)
			if c.tamper != nil {
				s.App.DevIDP.TamperNext(*c.tamper)
			}
			fields := c.fields
			if fields == nil {
				fields = ok
			}
			auth := b.startLogin("digid", "/mijn-inspraak", c.minLoA)
			back := b.atProvider(auth, fields)
			cb := b.get(mustLocation(t, back))
			wantStatus(t, cb, 303)
			if loc := cb.Header.Get("Location"); loc != "/inloggen?reden="+c.reason {
				t.Fatalf("went to %q, want reason %s\nlogs: %s", loc, c.reason, grepLines(s.Logs.String(), "login failed"))
			}
			page := b.follow(cb)
			wantStatus(t, page, 401)
			wantContains(t, page, "utrecht-alert--warning")
			if c.text != "" {
				wantContains(t, page, c.text)
			}
			if b.cookie("inspraak_sessie") != "" {
				t.Fatal("a refused login made a session")
			}
			var n int64
			testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND detail LIKE ?", "login.failed", "%\""+c.reason+"\"%").Count(&n).Error)
			if n != 1 {
				t.Errorf("audit entries for %s: %d", c.reason, n)
			}
			var sessions int64
			testdb.NoError(t, s.App.DB.Table("sessions").Count(&sessions).Error)
			if sessions != 0 {
				t.Errorf("%d sessions after a refused login", sessions)
			}
		})
	}
}

func mustLocation(t *testing.T, r response) string {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("want a redirect, got %d: %s", r.StatusCode, r.Body)
	}
	return r.Header.Get("Location")
}

func TestStateMustMatchAndIsUsedOnce(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	auth := b.startLogin("digid", "/", "")
	callback := mustLocation(t, b.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}}))

	// A made-up state.
	cu, _ := url.Parse(callback)
	q := cu.Query()
	q.Set("state", "verzonnen-state-0123456789abcdef")
	forged := b.get(cu.Path + "?" + q.Encode())
	if forged.Header.Get("Location") != "/inloggen?reden=state" {
		t.Fatalf("forged state: %v", forged.Header)
	}

	// Another browser with the real callback link (login CSRF): refused.
	other := newBrowser(t, s)
	stolen := other.get(callback)
	if stolen.Header.Get("Location") != "/inloggen?reden=state" {
		t.Fatalf("callback from another browser: %v", stolen.Header)
	}

	// The real one works once...
	okResp := b.get(callback)
	if okResp.Header.Get("Location") == "" || strings.Contains(okResp.Header.Get("Location"), "reden=") {
		t.Fatalf("real callback refused: %v", okResp.Header)
	}
	// ...and not twice.
	replay := b.get(callback)
	if !strings.Contains(replay.Header.Get("Location"), "reden=") {
		t.Fatalf("replayed callback accepted: %v", replay.Header)
	}
}

// The state travels in URLs (the provider's address bar, its logs, a
// Referer). Whoever learnt it must not be able to cancel someone else's
// login by sending ?error= from another browser: that needs the browser
// the login started in, like a callback with a code does.
func TestCancellationFromAnotherBrowserLeavesTheLoginAlone(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	auth := b.startLogin("digid", "/mijn-inspraak", "")
	state := auth.Query().Get("state")

	other := newBrowser(t, s)
	q := url.Values{"error": {"access_denied"}, "error_description": {"geannuleerd"}, "state": {state}}
	cancel := other.get("/inloggen/digid/terug?" + q.Encode())
	if loc := cancel.Header.Get("Location"); loc != "/inloggen?reden=state" {
		t.Fatalf("a cancellation without the browser's login cookie went to %q, want a refusal", loc)
	}

	// The person who started it finishes the login as if nothing happened.
	landed := b.follow(b.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}}))
	wantStatus(t, landed, 200)
	if strings.Contains(b.last.Request.URL.String(), "reden=") || b.cookie("inspraak_sessie") == "" {
		t.Fatalf("the login was cancelled by another browser: ended at %s", b.last.Request.URL)
	}

	// In the browser that started a login, cancelling still works.
	auth2 := b.startLogin("digid", "/", "")
	q.Set("state", auth2.Query().Get("state"))
	own := b.get("/inloggen/digid/terug?" + q.Encode())
	if loc := own.Header.Get("Location"); loc != "/inloggen?reden=cancelled" {
		t.Fatalf("own cancellation went to %q, want reden=cancelled", loc)
	}
}

func TestReplayedCodeIsRefused(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	auth := b.startLogin("digid", "/", "")
	first, _ := url.Parse(mustLocation(t, b.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}})))
	b.get(first.String()) // uses the code

	// A new login attempt, answered with the old, used code.
	auth2 := b.startLogin("digid", "/", "")
	q := url.Values{"code": {first.Query().Get("code")}, "state": {auth2.Query().Get("state")}}
	r := b.get(first.Path + "?" + q.Encode())
	if r.Header.Get("Location") != "/inloggen?reden=token_exchange" {
		t.Fatalf("replayed code: %v", r.Header)
	}
}

func TestSectorPrefixedBSNIsAccepted(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	s.App.DevIDP.TamperNext(devidp.Tamper{Claims: func(m map[string]any) { m["bsn"] = "s00000000:" + testBSN }})
	r := b.loginDigiD(testBSN, loaMid, "/")
	wantContains(t, r, "Welke naam wilt u laten zien?")
}

func TestClaimsFromUserinfoMustBelongToTheSameSubject(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_DIGID_CLAIM_SOURCE": "userinfo"})
	b := newBrowser(t, s)
	r := b.loginDigiD(testBSN, loaMid, "/")
	wantContains(t, r, "Welke naam wilt u laten zien?")

	// The ID token names someone else than userinfo does: refused.
	b2 := newBrowser(t, s)
	s.App.DevIDP.TamperNext(devidp.Tamper{Claims: func(m map[string]any) { m["sub"] = "iemand-anders" }})
	auth := b2.startLogin("digid", "/", "")
	cb := b2.get(mustLocation(t, b2.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}})))
	if cb.Header.Get("Location") != "/inloggen?reden=userinfo" {
		t.Fatalf("sub mismatch: %v", cb.Header)
	}
}

func TestUnreachableProviderShowsAsUnavailableInDevelopment(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{
		"INSPRAAK_EHERKENNING_ISSUER":        "http://127.0.0.1:1/geen-idp",
		"INSPRAAK_EHERKENNING_CLIENT_ID":     "inspraak",
		"INSPRAAK_EHERKENNING_CLIENT_SECRET": "geheim-voor-de-test-0123456789",
	})
	r := s.get(t, "/inloggen")
	wantStatus(t, r, 200)
	wantContains(t, r, "Inloggen met DigiD", "Inloggen kan nu even niet")
	b := newBrowser(t, s)
	start := b.post("/inloggen/eherkenning", url.Values{"terug": {"/"}})
	wantStatus(t, start, 503)
	wantContains(t, start, "Inloggen kan nu even niet")
}
