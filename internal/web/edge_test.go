package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"inspraak/internal/identity"
)

// rowCounts returns the number of rows of every table, to show that a
// refused request stored nothing anywhere.
func rowCounts(t *testing.T, s *testSite) map[string]int64 {
	t.Helper()
	var tables []string
	if err := s.App.DB.Raw(tablesQuery(s.App.DB.Dialect)).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	sort.Strings(tables)
	out := map[string]int64{}
	for _, table := range tables {
		var n int64
		if err := s.App.DB.Table(table).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func sameCounts(t *testing.T, what string, before, after map[string]int64) {
	t.Helper()
	for table, n := range after {
		if before[table] != n {
			t.Errorf("%s: %s went from %d to %d rows", what, table, before[table], n)
		}
	}
}

// badBytes are what a form or address may not carry: a NUL, and bytes
// that are not UTF-8 (PostgreSQL refuses both in text, SQLSTATE 22021).
var badBytes = map[string]string{"NUL": "a\x00b", "invalid UTF-8": "a\xff\xfeb", "lone continuation byte": "caf\xa9"}

// Invalid UTF-8 or a NUL in any form field, query parameter or path is
// refused at the door with a plain Dutch 400 page (JSON on the API),
// whatever page it is sent to, and nothing is stored: on PostgreSQL these
// gave a 500 (SQLSTATE 22021), on SQLite they were stored as they came.
func TestBadBytesAreRefusedWithA400AndNothingStored(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	ideaPath, _ := seedIdea(t, s, bd)
	res := resident(t, s, testBSN, "Bewoner")
	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	admin := newBrowser(t, s)
	admin.loginStaff("Ad Min", "inspraak-beheerders")
	theme := itoa(bd.Themes[0].ID)

	type attempt struct {
		name string
		b    *browser
		// post is the form to post (its field "bad" gets the bad bytes);
		// nil means a GET with the bad bytes in the query parameter bad.
		path string
		form url.Values
		bad  string
	}
	attempts := []attempt{
		{"name", res, "/inloggen/naam", url.Values{"terug": {"/"}}, "naam"},
		{"idea title", res, board + "/ideeen", url.Values{"beschrijving": {"Met een uitleg die lang genoeg is."}, "thema": {theme}}, "titel"},
		{"idea description", res, board + "/ideeen", url.Values{"titel": {"Een goed idee"}, "thema": {theme}}, "beschrijving"},
		{"comment", res, ideaPath + "/reacties", url.Values{}, "reactie"},
		{"report note", res, ideaPath + "/melden", url.Values{"reden": {"other"}}, "toelichting"},
		{"project title", editor, "/beheer/projecten", url.Values{"slug": {"brug"}, "samenvatting": {"Er komt een brug over de beek."}}, "titel"},
		{"API token name", analyst, "/beheer/profiel/tokens", url.Values{}, "naam"},
		{"field name", res, ideaPath + "/reacties", url.Values{"reactie": {"Een nette reactie."}}, "x\xff"},
		{"projects query", editor, "/beheer/projecten", nil, "q"},
		{"public project list", res, "/projecten", nil, "status"},
		{"audit filter", admin, "/beheer/audit", nil, "actie"},
		{"open answers search", analyst, "/beheer/resultaten/3/open-antwoorden", nil, "zoek"},
	}
	for _, a := range attempts {
		for kind, bad := range badBytes {
			before := rowCounts(t, s)
			var r response
			if a.form == nil {
				r = a.b.get(a.path + "?" + url.QueryEscape(a.bad) + "=" + url.QueryEscape(bad))
			} else {
				form := url.Values{}
				for k, v := range a.form {
					form[k] = v
				}
				form.Set(a.bad, bad)
				r = a.b.post(a.path, form)
			}
			if r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s with %s: status %d, want 400\n%.300s", a.name, kind, r.StatusCode, r.Body)
				continue
			}
			wantContains(t, r, "tekens", "Er is niets opgeslagen", `<html lang="nl"`)
			sameCounts(t, a.name+" with "+kind, before, rowCounts(t, s))
		}
	}
	var p identity.Participant
	if err := s.App.DB.Where("display_name <> ''").Order("id DESC").Take(&p).Error; err != nil {
		t.Fatal(err)
	}
	if p.DisplayName != "Bewoner" {
		t.Errorf("display name became %q", p.DisplayName)
	}

	// The same in a multipart form (the editors' project form with an
	// image): the values count, the file's own bytes do not.
	for kind, bad := range badBytes {
		before := rowCounts(t, s)
		ctype, body := multipartForm(t, url.Values{"titel": {"Nieuwe brug" + bad}, "slug": {"nieuwe-brug"},
			"samenvatting": {"Er komt een brug over de beek."}}, nil)
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/beheer/projecten", body)
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", s.URL)
		r := editor.send(req)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("multipart project title with %s: status %d, want 400", kind, r.StatusCode)
		}
		sameCounts(t, "multipart with "+kind, before, rowCounts(t, s))
	}
	ctype, body := multipartForm(t, url.Values{"titel": {"Nieuwe brug"}, "slug": {"nieuwe-brug"},
		"samenvatting": {"Er komt een brug over de beek."}}, []byte("\x00\xff\xfe not an image"))
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/beheer/projecten", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", s.URL)
	if r := editor.send(req); r.StatusCode == http.StatusBadRequest || r.StatusCode >= 500 {
		t.Errorf("a file's own bytes were judged as text: %d", r.StatusCode)
	}

	// In the path: a slug or an id with bad bytes.
	for _, path := range []string{"/projecten/%FF%FE", "/projecten/a%00b", board + "/ideeen/%C0%80", "/beheer/resultaten/%FF"} {
		r := admin.get(path)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, r.StatusCode)
		}
	}

	// The API answers in JSON.
	for _, path := range []string{"/api/v1/projects?status=%FF", "/api/v1/instruments/3/results?x=%00"} {
		r := s.get(t, path)
		wantStatus(t, r, http.StatusBadRequest)
		var body struct{ Error, Message string }
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", path, err, r.Body)
		}
		if body.Error != "bad_request" || !strings.Contains(body.Message, "tekens") {
			t.Errorf("%s: %+v", path, body)
		}
	}

	// Good text with every kind of character still goes through.
	good := res.post(ideaPath+"/reacties", url.Values{"reactie": {"Café “De Brug” — 10 €, ok 👍 ½ ĳ"}})
	if good.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good comment: %d\n%s", good.StatusCode, good.Body)
	}
	wantContains(t, res.follow(good), "Café “De Brug” — 10 €, ok 👍 ½ ĳ")
	wantStatus(t, s.get(t, "/projecten?status="+url.QueryEscape("afgerond")), 200)
}
