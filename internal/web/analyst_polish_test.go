package web_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"inspraak/internal/results/resultstest"
	"inspraak/internal/testdb"
)

// seedSurvey adds the analysts' test questionnaire (explanations between
// the questions, every kind of question, respondents with wijk and age
// group) to the site.
func seedSurvey(t *testing.T, s *testSite, slug string, people int) *resultstest.Survey {
	t.Helper()
	sv, err := resultstest.Seed(context.Background(), s.App.DB.DB, s.App.Projects, s.App.Consultations, slug, people)
	if err != nil {
		t.Fatal(err)
	}
	return sv
}

// questionHeadings are the "Vraag n: text" headings of the results page.
var questionHeading = regexp.MustCompile(`<h2 id="v\d+-kop" class="utrecht-heading-2">([^<]+)</h2>`)

// One numbering everywhere: the results page, CSV (both separators), XLSX
// (its header row and its sheet "Vragen"), JSON, the PDF report and the
// API's responses endpoint (CSV, JSON, XLSX) all call each question
// "Vraag n: <text>" with the same n. Before issue 16 the exports said
// V2–V8 where the page said Vraag 1–7 (explanations were counted).
func TestExportNumberingMatchesTheResultsPage(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	sv := seedSurvey(t, s, "nummering", 8)
	base := "/beheer/resultaten/" + itoa(sv.InstrumentID)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	page := analyst.get(base)
	wantStatus(t, page, 200)
	var want []string
	for _, m := range questionHeading.FindAllStringSubmatch(page.Body, -1) {
		want = append(want, html.UnescapeString(m[1]))
	}
	if len(want) != 6 || want[0] != "Vraag 1: "+resultstest.TextSingle || want[3] != "Vraag 4: "+resultstest.TextNumber {
		t.Fatalf("the results page numbers the questions %q", want)
	}
	// questions reduces export headers to the questions they name, in
	// order, each once: "Vraag 2: … [Bomen]" is question 2.
	questions := func(format string, headers []string) []string {
		t.Helper()
		var out []string
		for _, h := range headers {
			if h == "respondent" || h == "ingediend" {
				continue
			}
			if i := strings.Index(h, " ["); i > 0 {
				h = h[:i]
			}
			if len(out) == 0 || out[len(out)-1] != h {
				out = append(out, h)
			}
		}
		return out
	}
	same := func(format string, got []string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s numbers the questions\n%q\nthe results page\n%q", format, got, want)
		}
	}
	csvHeader := func(body string, comma rune) []string {
		t.Helper()
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
		r.Comma = comma
		h, err := r.Read()
		if err != nil {
			t.Fatalf("csv: %v", err)
		}
		return h
	}
	xlsxSheets := func(format, body string) {
		t.Helper()
		book, err := excelize.OpenReader(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		rows, err := book.GetRows("Antwoorden")
		if err != nil || len(rows) == 0 {
			t.Fatalf("%s: sheet Antwoorden: %v", format, err)
		}
		same(format, questions(format, rows[0]))
		list, err := book.GetRows("Vragen")
		if err != nil {
			t.Fatalf("%s: sheet Vragen: %v", format, err)
		}
		var named []string
		for _, r := range list[1:] {
			named = append(named, "Vraag "+r[0]+": "+r[1])
		}
		same(format+" (sheet Vragen)", named)
	}
	jsonColumns := func(format, body string) {
		t.Helper()
		var doc struct {
			Columns map[string]string `json:"columns"`
		}
		if err := json.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		var hs []string
		for _, h := range doc.Columns {
			hs = append(hs, h)
		}
		sort.Slice(hs, func(i, j int) bool { return numberOf(hs[i]) < numberOf(hs[j]) })
		same(format, questions(format, hs))
	}

	same("csv", questions("csv", csvHeader(analyst.get(base+"/export?formaat=csv").Body, ',')))
	same("csv-nl", questions("csv-nl", csvHeader(analyst.get(base+"/export?formaat=csv-nl").Body, ';')))
	xlsxSheets("xlsx", analyst.get(base+"/export?formaat=xlsx").Body)
	jsonColumns("json", analyst.get(base+"/export?formaat=json").Body)
	pdf := analyst.get(base + "/export?formaat=pdf")
	wantStatus(t, pdf, 200)
	var inPDF []string
	for _, line := range pdfText(t, pdf.Body) {
		if strings.HasPrefix(line, "Vraag ") {
			inPDF = append(inPDF, line)
		}
	}
	same("pdf", inPDF)

	// The API, with the analyst's key.
	made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {"nummering"}})
	key := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
	if key == "" {
		t.Fatalf("no key shown: %d", made.StatusCode)
	}
	api := func(format string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/instruments/"+itoa(sv.InstrumentID)+"/responses?format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("api %s: %d %s", format, resp.StatusCode, b)
		}
		return string(b)
	}
	same("api csv", questions("api csv", csvHeader(api("csv"), ',')))
	jsonColumns("api json", api("json"))
	xlsxSheets("api xlsx", api("xlsx"))
}

// numberOf is n of "Vraag n: …" (0 for other columns).
func numberOf(header string) int {
	var n int
	fmt.Sscanf(header, "Vraag %d:", &n)
	return n
}

// pdfText is the text lines of a PDF that fpdf wrote: the strings shown
// by Tj in its (deflated) content streams, in order. Enough for the
// report's plain Latin text.
func pdfText(t *testing.T, doc string) []string {
	t.Helper()
	var out []string
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`).FindAllStringSubmatch(doc, -1)
	show := regexp.MustCompile(`\(((?:[^\\()]|\\.)*)\) ?Tj`)
	for _, st := range streams {
		data := []byte(st[1])
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				data = b
			}
		}
		for _, m := range show.FindAllSubmatch(data, -1) {
			var b strings.Builder
			s := m[1]
			for i := 0; i < len(s); i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteRune(rune(s[i])) // cp1252 and Latin-1 agree on letters
			}
			out = append(out, b.String())
		}
	}
	if len(out) == 0 {
		t.Fatal("no text found in the PDF")
	}
	return out
}

// An analyst puts the results on the site from the results page, and
// takes them off again; each is on record as hers. A moderator cannot; a
// garbled form changes nothing.
func TestAnalystPublishesResults(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	sv := seedSurvey(t, s, "openbaar", 8)
	base := "/beheer/resultaten/" + itoa(sv.InstrumentID)
	public := "/projecten/" + sv.ProjectSlug + "/" + sv.Slug + "/resultaten"
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	page := analyst.get(base)
	wantContains(t, page, "Uitkomsten op de site", `action="`+base+`/openbaar"`, "Uitkomsten openbaar maken", "Aantallen onder de 5 worden verborgen")
	wantStatus(t, s.get(t, public), 404)

	wantStatus(t, analyst.post(base+"/openbaar", url.Values{"openbaar": {"misschien"}}), 400)
	mod := newBrowser(t, s)
	mod.loginStaff("Mo Derator", "inspraak-moderatoren")
	wantStatus(t, mod.post(base+"/openbaar", url.Values{"openbaar": {"ja"}}), 403)
	wantStatus(t, s.get(t, public), 404)

	r := analyst.post(base+"/openbaar", url.Values{"openbaar": {"ja"}})
	if r.StatusCode != 303 || r.Header.Get("Location") != base {
		t.Fatalf("publish: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	wantStatus(t, s.get(t, public), 200)
	after := analyst.get(base)
	wantContains(t, after, "staan sinds", `href="`+public+`"`, "Cijfers op de site bijwerken", "Van de site halen")
	wantStatus(t, analyst.post(base+"/openbaar", url.Values{"openbaar": {"nee"}}), 303)
	wantStatus(t, s.get(t, public), 404)

	var staffID int64
	testdb.NoError(t, s.App.DB.Table("staff_members").Where("name = ?", "Ana List").Select("id").Scan(&staffID).Error)
	for _, action := range []string{"results.publish", "results.unpublish"} {
		var n int64
		testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ? AND actor = ?", action,
			"instrument:"+itoa(sv.InstrumentID), "staff:"+itoa(staffID)).Count(&n).Error)
		if n != 1 {
			t.Errorf("%d %s records by the analyst, want 1", n, action)
		}
	}
}

// The breakdown view says of every question what it shows or why not, and
// splits choice, ranking, scale and number questions by wijk and by age
// group with real figures.
func TestBreakdownViewSaysWhatEveryQuestionShows(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	sv := seedSurvey(t, s, "uitsplitsen", 120)
	base := "/beheer/resultaten/" + itoa(sv.InstrumentID)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	status := regexp.MustCompile(`data-uitsplitsing="([a-z_]+)"`)
	for _, by := range []string{"wijk", "age"} {
		r := analyst.get(base + "?uitsplitsen=" + by)
		wantStatus(t, r, 200)
		var got []string
		for _, m := range status.FindAllStringSubmatch(r.Body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, " ") != "shown shown shown shown shown open" {
			t.Errorf("%s: breakdowns %q, want five tables and the open question", by, got)
		}
		wantContains(t, r, "Per groep: hoeveel mensen elk punt van de schaal kozen.", "1 (heel ontevreden)",
			"Per groep: hoeveel mensen welk getal gaven", "op de eerste plaats", "Open antwoorden splitsen we niet uit")
	}
	wantContains(t, analyst.get(base+"?uitsplitsen=wijk"), ">Centrum</th>", ">Noord</th>", ">Oost</th>")
	wantContains(t, analyst.get(base+"?uitsplitsen=age"), ">45-64</th>")
}
