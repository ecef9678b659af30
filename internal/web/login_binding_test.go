package web_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// bindingCookieName is the name of the cookie that binds a pending login
// to the browser that started it. The name is no secret (it is derived
// from the state, which travels in URLs); only its value may be.
func bindingCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return "inspraak_login_" + hex.EncodeToString(sum[:6])
}

// plant puts a cookie in a browser's jar, as an attacker can in their own.
func (b *browser) plant(name, value string) {
	u, _ := url.Parse(b.s.URL)
	b.c.Jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// A callback link leaks (a Referer, a screenshot, the provider's logs):
// whoever holds it, and knows how the binding cookie is named, must not
// log in as the victim by making the cookie up. The victim's own login
// goes through unharmed.
func TestForgedBindingCookieDoesNotTakeOverALogin(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	victim := newBrowser(t, s)
	auth := victim.startLogin("digid", "/mijn-inspraak", "")
	state := auth.Query().Get("state")
	callback := mustLocation(t, victim.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}}))

	// The attacker's own login gives them a real binding cookie, for their
	// own state; it is worth nothing for the victim's.
	attacker := newBrowser(t, s)
	own := attacker.startLogin("digid", "/", "")
	ownValue := attacker.cookie(bindingCookieName(own.Query().Get("state")))
	if ownValue == "" {
		t.Fatal("starting a login set no binding cookie")
	}
	for _, forged := range []string{"1", ownValue, "", strings.Repeat("A", 43)} {
		attacker.plant(bindingCookieName(state), forged)
		r := attacker.get(callback)
		if loc := r.Header.Get("Location"); loc != "/inloggen?reden=state" {
			t.Fatalf("leaked callback with forged cookie %q went to %q, want a refusal", forged, loc)
		}
		if attacker.cookie("inspraak_sessie") != "" {
			t.Fatalf("forged cookie %q: the attacker got a session", forged)
		}
	}

	landed := victim.follow(victim.get(callback))
	wantStatus(t, landed, 200)
	if strings.Contains(victim.last.Request.URL.String(), "reden=") || victim.cookie("inspraak_sessie") == "" {
		t.Fatalf("the victim's own login failed after the attempts: ended at %s", victim.last.Request.URL)
	}
}

// With only the state (it stands in the provider's address bar), an
// attacker who makes up the binding cookie must not cancel the victim's
// login with ?error=.
func TestForgedBindingCookieDoesNotCancelALogin(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	victim := newBrowser(t, s)
	auth := victim.startLogin("digid", "/mijn-inspraak", "")
	state := auth.Query().Get("state")

	attacker := newBrowser(t, s)
	attacker.plant(bindingCookieName(state), "1")
	q := url.Values{"error": {"access_denied"}, "state": {state}}
	r := attacker.get("/inloggen/digid/terug?" + q.Encode())
	if loc := r.Header.Get("Location"); loc != "/inloggen?reden=state" {
		t.Fatalf("cancellation with a forged cookie went to %q, want a refusal", loc)
	}

	landed := victim.follow(victim.atProvider(auth, url.Values{"bsn": {testBSN}, "loa": {loaMid}}))
	wantStatus(t, landed, 200)
	if strings.Contains(victim.last.Request.URL.String(), "reden=") || victim.cookie("inspraak_sessie") == "" {
		t.Fatalf("the victim's login was cancelled by a forged cookie: ended at %s", victim.last.Request.URL)
	}
}

// The same binding protects staff logins.
func TestForgedBindingCookieDoesNotTakeOverAStaffLogin(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	victim := newBrowser(t, s)
	auth := victim.startLogin("staff", "/beheer", "")
	state := auth.Query().Get("state")
	callback := mustLocation(t, victim.atProvider(auth, url.Values{"name": {"Sam de Vries"}, "groups": {"inspraak-beheerders"}}))

	attacker := newBrowser(t, s)
	attacker.plant(bindingCookieName(state), "1")
	cq := url.Values{"error": {"access_denied"}, "state": {state}}
	if loc := attacker.get("/beheer/inloggen/terug?" + cq.Encode()).Header.Get("Location"); loc != "/beheer/inloggen?reden=state" {
		t.Fatalf("staff cancellation with a forged cookie went to %q", loc)
	}
	if loc := attacker.get(callback).Header.Get("Location"); loc != "/beheer/inloggen?reden=state" {
		t.Fatalf("leaked staff callback with a forged cookie went to %q", loc)
	}
	if attacker.cookie("inspraak_beheer") != "" {
		t.Fatal("the attacker got a staff session")
	}
	home := victim.follow(victim.get(callback))
	wantStatus(t, home, 200)
	if victim.cookie("inspraak_beheer") == "" {
		t.Fatalf("the staff member's own login failed: ended at %s", victim.last.Request.URL)
	}
}
