package web_test

import (
	"html"
	"net/url"
	"slices"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

// loginMeansOn lists the means of the login buttons on a page, in order.
func loginMeansOn(t *testing.T, body string) []string {
	t.Helper()
	var ms []string
	for _, m := range loginHref.FindAllStringSubmatch(body, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Fatalf("login link %q: %v", m[1], err)
		}
		ms = append(ms, strings.TrimPrefix(u.Path, "/inloggen/"))
	}
	return ms
}

// An instrument open to DigiD or eHerkenning offers a login button for
// each; one that names a means offers that one; residents only (a fact
// only DigiD gives) offers DigiD. For a poll, a questionnaire and an idea
// board alike, and each button leads to its provider.
func TestLoginButtonsForEveryMeansTheRulesAllow(t *testing.T) {
	t.Parallel() // each test has its own site and database
	// The test changes the rules in the database directly, behind the
	// instance's back: the idea board page kept for visitors (one second,
	// per random-order bucket) would show the rules of a moment before
	// whenever two visits drew the same bucket. An editor's change goes
	// through a write request, which drops the kept pages.
	s := newSite(t, map[string]string{"INSPRAAK_PAGE_CACHE": "0s"})
	pages := map[string]string{
		"welke-plek-eerst":          schoolPoll,
		"vragenlijst-schetsontwerp": survey,
		"ideeenbord":                "/projecten/groen-in-de-wijk/ideeenbord",
	}
	cases := []struct {
		who       string
		residents bool
		want      []string
	}{
		{"any", false, []string{"digid", "eherkenning"}},
		{"digid", false, []string{"digid"}},
		{"eherkenning", false, []string{"eherkenning"}},
		{"any", true, []string{"digid"}},
	}
	for slug, path := range pages {
		for _, c := range cases {
			testdb.NoError(t, s.App.DB.Exec("UPDATE instruments SET who = ?, residents_only = ? WHERE slug = ?", c.who, c.residents, slug).Error)
			r := s.get(t, path)
			wantStatus(t, r, 200)
			if got := loginMeansOn(t, r.Body); !slices.Equal(got, c.want) {
				t.Errorf("%s open to %s (residents only %v): login buttons %v, want %v", path, c.who, c.residents, got, c.want)
			}
			for _, m := range c.want {
				wantContains(t, r, map[string]string{"digid": "Inloggen met DigiD", "eherkenning": "Inloggen met eHerkenning"}[m])
			}
		}
	}
	// Both buttons start a login with their own provider.
	testdb.NoError(t, s.App.DB.Exec("UPDATE instruments SET who = 'any', residents_only = ? WHERE slug = 'welke-plek-eerst'", false).Error)
	for _, m := range []string{"digid", "eherkenning"} {
		loc := mustLocation(t, newBrowser(t, s).get("/inloggen/"+m+"?terug="+url.QueryEscape(schoolPoll)))
		if !strings.HasPrefix(loc, s.App.Config.DevIssuer()+"/authorize?") {
			t.Errorf("%s button led to %s", m, loc)
		}
	}
	// A business logged in on a DigiD-only poll is offered DigiD only.
	testdb.NoError(t, s.App.DB.Exec("UPDATE instruments SET who = 'digid' WHERE slug = 'welke-plek-eerst'").Error)
	b := newBrowser(t, s)
	auth := b.startLogin("eherkenning", "/", "")
	b.follow(b.atProvider(auth, url.Values{"kvk": {testKVK}, "loa": {loaEH3}}))
	if got := loginMeansOn(t, b.get(schoolPoll).Body); !slices.Equal(got, []string{"digid"}) {
		t.Errorf("a business on a DigiD-only poll: login buttons %v", got)
	}
}
