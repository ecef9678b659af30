package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
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
	if r := editor.send(req); r.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a file's own bytes were judged as text: %d, want 422 for a file that is no image", r.StatusCode)
	} else {
		wantContains(t, r, "Dit bestand is geen JPEG-, PNG- of WebP-afbeelding.")
	}

	// However the form's type is spelt.
	for _, ctype := range []string{"Application/X-WWW-Form-URLEncoded", "application/x-www-form-urlencoded; charset=ISO-8859-1"} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+ideaPath+"/reacties", strings.NewReader("reactie=caf%E9"))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Origin", s.URL)
		if r := res.send(req); r.StatusCode != http.StatusBadRequest {
			t.Errorf("form typed %q: status %d, want 400", ctype, r.StatusCode)
		}
	}

	// In the path: a slug or an id with bad bytes.
	for _, path := range []string{"/projecten/%FF%FE", "/projecten/a%00b", board + "/ideeen/%C0%80", "/beheer/resultaten/%FF"} {
		r := admin.get(path)
		if r.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", path, r.StatusCode)
		}
	}

	// The API answers with a problem (application/problem+json).
	for _, path := range []string{"/api/v1/projects?status=%FF", "/api/v1/instruments/3/results?x=%00"} {
		r := s.get(t, path)
		wantStatus(t, r, http.StatusBadRequest)
		var body struct {
			Status int
			Detail string
		}
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", path, err, r.Body)
		}
		if body.Status != http.StatusBadRequest || !strings.Contains(body.Detail, "tekens") {
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

// metricSeries returns the lines of /metrics that are series of our own
// request metrics.
func metricSeries(t *testing.T, s *testSite) []string {
	t.Helper()
	m := s.get(t, "/metrics")
	wantStatus(t, m, 200)
	var out []string
	for _, l := range strings.Split(m.Body, "\n") {
		if strings.HasPrefix(l, "inspraak_http_") {
			name, _, _ := strings.Cut(l, " ")
			out = append(out, name)
		}
	}
	return out
}

// Anyone can send requests with made-up methods to made-up addresses:
// /metrics must not grow a series for each (20,000 such requests made it
// 44 MiB). Methods outside the standard ones count as "other", addresses
// without a route as "unmatched".
func TestMetricsSeriesStayFlatUnderOddRequests(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func(method, path string) {
		req, err := http.NewRequest(method, s.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	odd := func(i int) (string, string) {
		method := fmt.Sprintf("X%dZ", i)
		paths := []string{"/", "/projecten/p" + strconv.Itoa(i), "/r/" + strconv.Itoa(i), "/beheer/x" + strconv.Itoa(i), "/api/v1/q" + strconv.Itoa(i)}
		return method, paths[i%len(paths)]
	}
	// Every kind of odd request once, then the baseline.
	for i := range 10 {
		m, p := odd(i)
		send(m, p)
		send(http.MethodGet, p)
	}
	metricSeries(t, s)
	before := metricSeries(t, s)

	// Every one of them is a method and address not seen before, and the
	// count of series must not move at all: 500 show a series per request
	// as surely as 3,000 did, which made this one of the package's slowest
	// tests under the race detector (47 s on a busy machine). The four
	// senders at once stay.
	const n = 500
	var wg sync.WaitGroup
	next := make(chan int)
	for range 4 {
		wg.Go(func() {
			for i := range next {
				m, p := odd(i)
				if i%2 == 0 {
					m = http.MethodGet
				}
				send(m, p)
			}
		})
	}
	for i := 10; i < 10+n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()

	after := metricSeries(t, s)
	if len(after) != len(before) {
		t.Fatalf("%d odd requests took /metrics from %d to %d series; new ones include %v", n, len(before), len(after), newOnes(before, after, 5))
	}
	m := s.get(t, "/metrics")
	wantContains(t, m, `method="other"`, `route="unmatched"`)
	wantNotContains(t, m, `method="X12Z"`, "/r/12")
}

func newOnes(before, after []string, most int) []string {
	seen := map[string]bool{}
	for _, b := range before {
		seen[b] = true
	}
	var out []string
	for _, a := range after {
		if !seen[a] && len(out) < most {
			out = append(out, a)
		}
	}
	return out
}

// A client's own X-Request-Id is taken only from a trusted proxy: from
// anyone else it would let them choose the reference that a 500 page
// shows and the logs file it under (and so mix it with someone else's).
func TestRequestIDIsTakenOnlyFromTrustedProxies(t *testing.T) {
	t.Parallel() // each test has its own site and database
	direct := newSite(t, nil)
	r := direct.get(t, "/projecten", "X-Request-Id", "chosen-by-client-123")
	wantStatus(t, r, 200)
	if got := r.Header.Get("X-Request-Id"); got == "chosen-by-client-123" || len(got) < 8 {
		t.Errorf("a client that is no proxy chose the request id: %q", got)
	}
	if strings.Contains(direct.Logs.String(), "chosen-by-client-123") {
		t.Error("the client's id reached the logs")
	}

	proxied := newSite(t, map[string]string{"INSPRAAK_TRUSTED_PROXIES": "127.0.0.1"})
	r = proxied.get(t, "/projecten", "X-Request-Id", "set-by-proxy-123")
	if got := r.Header.Get("X-Request-Id"); got != "set-by-proxy-123" {
		t.Errorf("the trusted proxy's id was not kept: %q", got)
	}
	if !strings.Contains(proxied.Logs.String(), "request_id=set-by-proxy-123") {
		t.Error("the proxy's id is not in the logs")
	}

	other := newSite(t, map[string]string{"INSPRAAK_TRUSTED_PROXIES": "10.0.0.0/8"})
	r = other.get(t, "/projecten", "X-Request-Id", "chosen-by-client-123")
	if got := r.Header.Get("X-Request-Id"); got == "chosen-by-client-123" {
		t.Error("a client outside the trusted proxies chose the request id")
	}
}

// The larger limit for editors' uploads belongs to the routes that take an
// image, as routed: not to every address that merely starts with
// /beheer/projecten (a path with ../ that gin routes elsewhere got 6 MiB,
// anonymously).
func TestUploadLimitFollowsTheMatchedRoute(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_MAX_BODY_BYTES": "4096"})
	bd := newBoard(t, s, nil)
	ideaPath, _ := seedIdea(t, s, bd)
	big := map[string][]string{"reactie": {strings.Repeat("x", 64<<10)}}
	for _, path := range []string{
		"/beheer/projecten/../.." + ideaPath + "/reacties",
		"/beheer/projecten/../../test/echo",
		"/beheer/projectenxyz",
		"/beheer/projecten/1/bestaat/niet/echt",
	} {
		ctype, body := multipartForm(t, big, nil)
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, body)
		req.Header.Set("Content-Type", ctype)
		req.URL.Opaque = path // sent as written, ../ included
		r := s.do(t, req)
		if r.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: status %d, want 413", path, r.StatusCode)
		}
	}

	// An editor's image upload still gets the upload limit.
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	img := image.NewRGBA(image.Rect(0, 0, 200, 200))
	noise := rand.New(rand.NewPCG(13, 6))
	for i := range img.Pix {
		img.Pix[i] = byte(noise.UintN(256)) // PNG cannot make noise small
	}
	var pic bytes.Buffer
	_ = png.Encode(&pic, img)
	if pic.Len() < 8192 {
		t.Fatalf("test image only %d bytes", pic.Len())
	}
	ctype, body := multipartForm(t, url.Values{"titel": {"Nieuwe brug"}, "slug": {"nieuwe-brug"},
		"samenvatting": {"Er komt een brug over de beek."}, "alt": {"Een tekening van de brug"}}, pic.Bytes())
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/beheer/projecten", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Origin", s.URL)
	r := ed.send(req)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("editor's upload: %d\n%.500s", r.StatusCode, r.Body)
	}
}
