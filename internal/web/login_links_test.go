package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var loginHref = regexp.MustCompile(`<a class="utrecht-button-link[^"]*" href="(/(?:beheer/)?inloggen/[^"]+)" rel="nofollow">`)

// A login button is a link (GET): a provider's chain of redirects through
// other origins is not a form's redirect, which Chromium would hold to
// form-action. The pages carry no login form, the links keep the way back
// and the level an instrument needs, and they lead to the provider.
func TestLoginButtonsAreLinks(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	cases := []struct {
		page, want string
	}{
		{"/inloggen?terug=/mijn-inspraak", "/inloggen/digid?terug=%2fmijn-inspraak"},
		{"/inloggen?terug=/mijn-inspraak", "/inloggen/eherkenning?terug=%2fmijn-inspraak"},
		{"/beheer/inloggen?terug=/beheer/audit", "/beheer/inloggen/starten?terug=%2fbeheer%2faudit"},
		{schoolPoll, "/inloggen/digid?terug=" + url.QueryEscape(schoolPoll)},
	}
	for _, c := range cases {
		r := s.get(t, c.page)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", c.page, r.StatusCode)
		}
		if strings.Contains(r.Body, `action="/inloggen/`) || strings.Contains(r.Body, `action="/beheer/inloggen"`) {
			t.Errorf("%s still has a login form", c.page)
		}
		var hrefs []string
		for _, m := range loginHref.FindAllStringSubmatch(r.Body, -1) {
			hrefs = append(hrefs, html.UnescapeString(m[1]))
		}
		found := ""
		for _, h := range hrefs {
			if strings.EqualFold(h, c.want) {
				found = h
			}
		}
		if found == "" {
			t.Errorf("%s: no login link %s with rel=nofollow; links: %q", c.page, c.want, hrefs)
			continue
		}
		b := newBrowser(t, s)
		start := b.get(found)
		loc := mustLocation(t, start)
		if !strings.HasPrefix(loc, s.App.Config.DevIssuer()+"/authorize?") {
			t.Errorf("%s: the link %s led to %s", c.page, found, loc)
		}
		if got := start.Header.Get("X-Robots-Tag"); got != "noindex, nofollow" {
			t.Errorf("%s: X-Robots-Tag %q", found, got)
		}
	}

	// An instrument that needs a higher level asks for it in the link.
	ed := newBrowser(t, s)
	ed.loginStaff("Ed Acteur", "inspraak-redacteuren")
	wantStatus(t, ed.post(schoolSettings, url.Values{"titel": {"Welke plek eerst?"}, "wie": {"digid"}, "niveau_digid": {loaMid}, "wijzigen": {"true"}}), 303)
	low := newBrowser(t, s)
	low.loginDigiD(testBSN, loaBasis, "/")
	r := low.get(schoolPoll)
	want := "/inloggen/digid?terug=" + url.QueryEscape(schoolPoll) + "&niveau=" + url.QueryEscape(loaMid)
	ok := false
	for _, m := range loginHref.FindAllStringSubmatch(r.Body, -1) {
		ok = ok || strings.EqualFold(html.UnescapeString(m[1]), want)
	}
	if !ok {
		t.Errorf("the poll that needs %s has no login link %s:\n%s", loaMid, want, r.Body)
	}

	// Following the links counts against the same limit as the buttons did.
	limited := newSite(t, map[string]string{"INSPRAAK_RATE_LOGIN": "2/10m"})
	for i, want := range []int{http.StatusSeeOther, http.StatusSeeOther, http.StatusTooManyRequests, http.StatusTooManyRequests} {
		link := loginLink("digid", "/", "")
		if i%2 == 1 {
			link = loginLink("staff", "/beheer", "")
		}
		if r := newBrowser(t, limited).get(link); r.StatusCode != want {
			t.Errorf("login link %d (%s): %d, want %d", i+1, link, r.StatusCode, want)
		}
	}

	// Pages from before, with a login form, still work.
	old := newBrowser(t, s).post("/inloggen/digid", url.Values{"terug": {"/"}})
	if loc := mustLocation(t, old); !strings.HasPrefix(loc, s.App.Config.DevIssuer()+"/authorize?") {
		t.Errorf("a posted login start went to %s", loc)
	}
	oldStaff := newBrowser(t, s).post("/beheer/inloggen", url.Values{"terug": {"/beheer"}})
	if oldStaff.StatusCode != http.StatusSeeOther {
		t.Errorf("a posted staff login start: %d", oldStaff.StatusCode)
	}
}
