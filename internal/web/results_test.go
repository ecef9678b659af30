package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// An analyst reads the demo questionnaire's results (every figure with its
// base, charts with their tables) and downloads them; the download is in
// the audit log. Editors and moderators cannot read results.
func TestAnalystReadsAndDownloadsResults(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	var submitted int64
	testdb.NoError(t, s.App.DB.Table("responses").Where("instrument_id = ? AND status = ?", in.ID, "submitted").Count(&submitted).Error)
	page := "/beheer/resultaten/" + itoa(in.ID)

	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	wantContains(t, analyst.get(page), "1 (heel ontevreden)", "5 (heel tevreden)")
	home := analyst.get("/beheer")
	wantContains(t, home, "Uitkomsten van vragenlijsten")
	wantNotContains(t, home, "nog geen schermen")
	list := analyst.get("/beheer/resultaten")
	wantStatus(t, list, 200)
	wantContains(t, list, "Vragenlijst over het schetsontwerp", `href="`+page+`"`)
	r := analyst.get(page)
	wantStatus(t, r, 200)
	wantContains(t, r, "Resultaten: Vragenlijst over het schetsontwerp", "Ingestuurd", "Aantal mensen dat antwoord gaf",
		`role="img"`, "Dezelfde cijfers staan in de tabel hieronder.", "Antwoorden per keuze", "Mediaan",
		"Van openen tot insturen", "Ingestuurd per dag")

	split := analyst.get(page + "?uitsplitsen=wijk")
	wantStatus(t, split, 200)
	// Every question says what its breakdown shows, or why it has none
	// (TestBreakdownViewSaysWhatEveryQuestionShows has the figures).
	if n, want := strings.Count(split.Body, "data-uitsplitsing="), strings.Count(split.Body, `class="utrecht-heading-2">Vraag `); n != want || n == 0 {
		t.Fatalf("%d of %d questions say what their breakdown shows", n, want)
	}
	// The demo's residents have a wijk: the design question is split by it.
	wantContains(t, split, "Antwoorden per wijk", "Centrum", "niet terug te rekenen")
	wantStatus(t, analyst.get(page+"?uitsplitsen=schoenmaat"), 400)

	dl := analyst.get(page + "/export?formaat=csv-nl")
	wantStatus(t, dl, 200)
	if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="antwoorden-`) {
		t.Fatalf("content disposition %q", cd)
	}
	rd := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(dl.Body, "\uFEFF"))))
	rd.Comma = ';'
	rows, err := rd.ReadAll()
	if err != nil || int64(len(rows)-1) != submitted || rows[0][0] != "respondent" {
		t.Fatalf("download: %d rows for %d submitted, %v", len(rows)-1, submitted, err)
	}
	var logged int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "results.export", "instrument:"+itoa(in.ID)).Count(&logged).Error)
	if logged != 1 {
		t.Fatalf("%d exports in the audit log", logged)
	}
	wantStatus(t, analyst.get(page+"/export?formaat=doc"), 400)
	wantStatus(t, analyst.get("/beheer/resultaten/999999"), 404)

	for _, who := range [][2]string{{"Eddy Tor", "inspraak-redacteuren"}, {"Mo Derator", "inspraak-moderatoren"}} {
		b := newBrowser(t, s)
		b.loginStaff(who[0], who[1])
		wantStatus(t, b.get(page), 403)
		wantStatus(t, b.get(page+"/export?formaat=csv"), 403)
	}
}

// An editor publishes a questionnaire's results: before that there is no
// public page; after it everyone sees the figures with small counts
// hidden, as a page and as open data, and followers of the project hear
// of it.
func TestEditorPublishesResults(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	public := "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/resultaten"
	demo, err := s.App.Consultations.CountSubmitted(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	filled, filledLater := fmt.Sprintf("%d mensen vulden", demo), fmt.Sprintf("%d mensen vulden", demo+1)
	wantStatus(t, s.get(t, public), 404)
	follower := resident(t, s, testBSN, "Volger")
	wantStatus(t, follower.follow(follower.post("/projecten/herinrichting-marktplein/volgen", url.Values{"volgen": {"ja"}})), 200)

	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	settings := "/beheer/projecten/" + itoa(in.ProjectID) + "/instrumenten/" + itoa(in.ID)
	wantContains(t, editor.get(settings+"/instellingen"), "Uitkomsten openbaar maken")
	r := editor.post(settings+"/resultaten", url.Values{"openbaar": {"ja"}})
	if r.StatusCode != 303 {
		t.Fatalf("publish: %d\n%s", r.StatusCode, r.Body)
	}
	editor.post(settings+"/resultaten", url.Values{"openbaar": {"ja"}}) // twice is once
	page := s.get(t, public)
	wantStatus(t, page, 200)
	// The question for businesses on the square was answered by a few:
	// every option count is small, so its spread is not shown, and the
	// page says why without contradicting the number who answered.
	wantContains(t, page, "Uitkomsten: Vragenlijst over het schetsontwerp", "Daar staat een x", "niemand herkenbaar", "Stand van ",
		"mensen gaven antwoord op deze vraag", "tonen we niet hoe de antwoorden verdeeld zijn")
	wantNotContains(t, page, "&lt;5", "Te weinig mensen")
	wantContains(t, s.get(t, "/projecten/herinrichting-marktplein"), `href="`+public+`"`, "Bekijk de uitkomsten")
	csvFile := s.get(t, public+"/csv")
	wantStatus(t, csvFile, 200)
	wantContains(t, csvFile, "vraag,soort,antwoord,aantal", "Welk schetsontwerp", "Eén keuze")
	wantNotContains(t, csvFile, ",single,")
	wantStatus(t, s.get(t, public+"/xml"), 404)
	jsonFile := s.get(t, public+"/json")
	wantContains(t, jsonFile, `"min_cell":5`, `"figures":`)
	notes := follower.get("/mijn-inspraak/meldingen")
	if n := strings.Count(notes.Body, "staan online"); n != 1 {
		t.Fatalf("follower told %d times", n)
	}

	// The questionnaire is still open: the public figures stay as they
	// were published while a new response comes in, so nobody can watch
	// a count go up after someone answered; closing shows the final ones.
	wantContains(t, page, filled, "de cijfers blijven zo tot hij sluit")
	wantContains(t, editor.get(settings+"/instellingen"), "Cijfers op de site bijwerken")
	cons, err := s.App.Consultations.Get(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	newcomer := resident(t, s, thirdBSN, "Nieuw")
	form := url.Values{consultation.FieldName(cons.Questions[1].ID): {itoa(cons.Questions[1].Options[0].ID)},
		consultation.FieldName(cons.Questions[2].ID): {"4"}, "actie": {"versturen"}}
	wantStatus(t, newcomer.post(survey+"/antwoorden", form), 303)
	if n, _ := s.App.Consultations.CountSubmitted(context.Background(), in.ID); n != demo+1 {
		t.Fatalf("%d submitted after the newcomer, want %d", n, demo+1)
	}
	wantContains(t, s.get(t, public), filled)
	wantContains(t, s.get(t, "/api/v1/instruments/"+itoa(in.ID)+"/results"), fmt.Sprintf(`"submitted":"%d"`, demo))
	// A closed project closes its questionnaires, for the API as on the site.
	if err := s.App.DB.Exec("UPDATE projects SET status = 'closed' WHERE id = ?", in.ProjectID).Error; err != nil {
		t.Fatal(err)
	}
	wantContains(t, s.get(t, "/api/v1/instruments/"+itoa(in.ID)+"/results"), fmt.Sprintf(`"submitted":"%d"`, demo+1))
	if err := s.App.DB.Exec("UPDATE projects SET status = 'published' WHERE id = ?", in.ProjectID).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.Exec("UPDATE instruments SET closes_at = ? WHERE id = ?", time.Now().Add(-time.Minute), in.ID).Error; err != nil {
		t.Fatal(err)
	}
	final := s.get(t, public)
	wantContains(t, final, filledLater)
	wantNotContains(t, final, "tot hij sluit")
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	wantStatus(t, analyst.post(settings+"/resultaten", url.Values{"openbaar": {"nee"}}), 403)
	editor.post(settings+"/resultaten", url.Values{"openbaar": {"nee"}})
	wantStatus(t, s.get(t, public), 404)
	wantNotContains(t, s.get(t, "/projecten/herinrichting-marktplein"), "Bekijk de uitkomsten")
	// Back on the site: the followers were told the first time only.
	wantStatus(t, editor.post(settings+"/resultaten", url.Values{"openbaar": {"ja"}}), 303)
	wantStatus(t, s.get(t, public), 200)
	if n := strings.Count(follower.get("/mijn-inspraak/meldingen").Body, "staan online"); n != 1 {
		t.Fatalf("follower told %d times after taking the results off and on again", n)
	}
}

// An analyst makes a code, gives it to open answers found by a search,
// and sees the count on the results page and the code in the download.
func TestAnalystCodesOpenAnswers(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	base := "/beheer/resultaten/" + itoa(in.ID)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	list := analyst.get(base + "/open-antwoorden")
	wantStatus(t, list, 200)
	wantContains(t, list, "Open antwoorden: Vragenlijst over het schetsontwerp", "Code maken")
	bad := analyst.post(base+"/codes", url.Values{"code": {"  "}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#code"`, "Vul een naam voor de code in.")
	made := analyst.post(base+"/codes", url.Values{"code": {"Bomen"}, "terug": {"zoek=x%0d%0aevil"}})
	if made.StatusCode != 303 || strings.ContainsAny(made.Header.Get("Location"), "\r\n") {
		t.Fatalf("make code: %d %q", made.StatusCode, made.Header.Get("Location"))
	}
	var codeID int64
	testdb.NoError(t, s.App.DB.Table("answer_codes").Where("instrument_id = ? AND name = ?", in.ID, "Bomen").Select("id").Scan(&codeID).Error)
	page := analyst.get(base + "/open-antwoorden")
	keys := regexp.MustCompile(`name="antwoord" value="(\d+-\d+)"`).FindAllStringSubmatch(page.Body, -1)
	if len(keys) == 0 {
		t.Fatal("no open answers in the demo")
	}
	none := analyst.post(base+"/coderen", url.Values{"code": {itoa(codeID)}, "actie": {"koppel"}})
	wantStatus(t, none, 422)
	wantContains(t, none, "Kies eerst een of meer antwoorden.")
	form := url.Values{"code": {itoa(codeID)}, "actie": {"koppel"}}
	for _, k := range keys[:2] {
		form.Add("antwoord", k[1])
	}
	if r := analyst.post(base+"/coderen", form); r.StatusCode != 303 {
		t.Fatalf("tag: %d\n%s", r.StatusCode, r.Body)
	}
	wantContains(t, analyst.get(base+"/open-antwoorden?code="+itoa(codeID)), "2 antwoorden")
	wantContains(t, analyst.get(base), "Antwoorden per code", "Bomen")
	if n := strings.Count(analyst.get(base+"/export?formaat=csv").Body, "Bomen"); n != 2 {
		t.Fatalf("the download carries the code %d times", n)
	}
	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	wantStatus(t, editor.post(base+"/coderen", form), 403)
}

// The PDF report flows its questions: one follows the other on a page,
// and a question goes to the next page only when it does not fit (before
// issue 16 every question had a page of its own); a scale keeps its end
// labels. pdftoppm (poppler) renders every page: CI installs it, and with
// CI=true a missing pdftoppm fails the test; elsewhere the rendering is
// skipped, saying so.
func TestResultsReportPDF(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	var questions int64
	testdb.NoError(t, s.App.DB.Table("questions").Where("instrument_id = ? AND kind <> ?", in.ID, "explanation").Count(&questions).Error)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	r := analyst.get("/beheer/resultaten/" + itoa(in.ID) + "/export?formaat=pdf")
	wantStatus(t, r, 200)
	if !strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("not a PDF: %q %.20q", r.Header.Get("Content-Type"), r.Body)
	}
	pages := int64(len(regexp.MustCompile(`/Type /Page\b[^s]`).FindAllString(r.Body, -1)))
	if questions < 3 || pages < 1 || pages >= 1+questions {
		t.Fatalf("%d pages for %d questions: the questions do not flow", pages, questions)
	}
	text := strings.Join(pdfText(t, r.Body), "\n")
	for _, label := range []string{"1 (heel ontevreden)", "5 (heel tevreden)", "Vraag 1: ", fmt.Sprintf("Vraag %d: ", questions)} {
		if !strings.Contains(text, label) {
			t.Errorf("the report lacks %q", label)
		}
	}
	pngs, ok := renderPDF(t, r.Body, "report")
	if !ok {
		t.Skip("pdftoppm ontbreekt / missing: install poppler-utils")
	}
	if int64(len(pngs)) != pages {
		t.Fatalf("pdftoppm rendered %d pages, want %d", len(pngs), pages)
	}
}

// renderPDF renders every page of a PDF with pdftoppm (poppler) and
// returns the images, copied to INSPRAAK_ARTIFACTS as name-pagina-N.png
// when that is set. CI installs pdftoppm, and with CI=true a missing one
// fails the test; elsewhere it returns false.
func renderPDF(t *testing.T, doc, name string) ([]string, bool) {
	t.Helper()
	render, err := exec.LookPath("pdftoppm")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftoppm ontbreekt / missing: install poppler-utils. CI=true: the report must be rendered, so this fails instead of skipping.")
		}
		return nil, false
	}
	dir := t.TempDir()
	file := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(render, "-r", "50", "-png", file, filepath.Join(dir, "pagina")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "pagina*.png"))
	if art := os.Getenv("INSPRAAK_ARTIFACTS"); art != "" {
		_ = os.MkdirAll(art, 0o755)
		for _, p := range pngs {
			if b, err := os.ReadFile(p); err == nil {
				_ = os.WriteFile(filepath.Join(art, name+"-"+filepath.Base(p)), b, 0o644)
			}
		}
	}
	return pngs, true
}

// An administrator uploads population figures (a wrong file changes
// nothing and names its lines); the results page then compares the
// participants per wijk with the inhabitants, small counts hidden.
func TestPopulationAndRepresentativeness(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	admin := newBrowser(t, s)
	admin.loginStaff("Ad Min", "inspraak-beheerders")
	// The demo has figures of its own; a wrong file leaves them as they are.
	var before, n int64
	testdb.NoError(t, s.App.DB.Table("population_shares").Count(&before).Error)
	bad := admin.post("/beheer/resultaten/bevolking", url.Values{"tekst": {"soort;groep;aantal\nwijk;Noord;40\nstraat;X;1\n"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Regel 3:", "is geen soort")
	testdb.NoError(t, s.App.DB.Table("population_shares").Count(&n).Error)
	if n != before {
		t.Fatalf("a wrong file was stored: %d figures, %d before", n, before)
	}
	ok := admin.post("/beheer/resultaten/bevolking", url.Values{"tekst": {"soort;groep;aantal\nwijk;Centrum;60\nwijk;Noord;40\n"}})
	wantStatus(t, ok, 303)
	wantContains(t, admin.get("/beheer/resultaten/bevolking"), "Centrum", "60,0%")
	var in instrument.Instrument
	testdb.NoError(t, s.App.DB.Where("slug = ?", "vragenlijst-schetsontwerp").Take(&in).Error)
	page := admin.get("/beheer/resultaten/" + itoa(in.ID))
	wantContains(t, page, "Deelnemers en inwoners per wijk", "Centrum", "60,0%")
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	wantStatus(t, analyst.post("/beheer/resultaten/bevolking", url.Values{"tekst": {"soort;groep;aantal\nwijk;A;1\n"}}), 403)
}

// An administrator raises the privacy threshold on its own screen; a
// lower or garbled value gets a Dutch message and changes nothing; the
// analysts' breakdown legend and the public API then use the new one.
// Analysts cannot change it.
func TestPrivacyThresholdScreen(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	admin := newBrowser(t, s)
	admin.loginStaff("Ad Min", "inspraak-beheerders")
	wantContains(t, admin.get("/beheer/resultaten"), `href="/beheer/resultaten/instellingen"`, `href="/beheer/resultaten/bevolking"`)
	wantContains(t, admin.get("/beheer/resultaten/instellingen"), `name="drempel"`, `value="5"`)
	for _, bad := range []string{"4", "vijf", "", "51"} {
		r := admin.post("/beheer/resultaten/instellingen", url.Values{"drempel": {bad}})
		wantStatus(t, r, 422)
		wantContains(t, r, "Vul een heel getal in van 5 tot en met 50")
		if k, _ := results.NewService(s.App.DB).Threshold(context.Background()); k != 5 {
			t.Fatalf("%q changed the threshold to %d", bad, k)
		}
	}
	wantStatus(t, admin.post("/beheer/resultaten/instellingen", url.Values{"drempel": {"12"}}), 303)
	wantContains(t, admin.get("/beheer/resultaten/instellingen"), `value="12"`)
	var logged int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "results.threshold").Count(&logged).Error)
	if logged != 1 {
		t.Fatalf("%d audit records of the change", logged)
	}

	var in instrument.Instrument
	testdb.NoError(t, s.App.DB.Where("slug = ?", "vragenlijst-schetsontwerp").Take(&in).Error)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	page := analyst.get("/beheer/resultaten/" + itoa(in.ID) + "?uitsplitsen=wijk")
	wantContains(t, page, "een klein aantal (minder dan 12)", "want minder dan 12 mensen kozen hem")
	wantNotContains(t, page, "minder dan 5")
	wantNotContains(t, analyst.get("/beheer/resultaten"), `href="/beheer/resultaten/instellingen"`)
	wantStatus(t, analyst.post("/beheer/resultaten/instellingen", url.Values{"drempel": {"5"}}), 403)
	if k, _ := results.NewService(s.App.DB).Threshold(context.Background()); k != 12 {
		t.Fatalf("threshold %d after the analyst's attempt", k)
	}
}

// cancelOnWrite is a response writer whose client goes away as soon as
// the first bytes arrive.
type cancelOnWrite struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(b []byte) (int, error) {
	w.cancel()
	return w.ResponseRecorder.Write(b)
}

// A download whose client went away after the first bytes is still in
// the audit log.
func TestBrokenOffDownloadIsOnRecord(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	testdb.NoError(t, s.App.DB.Where("slug = ?", "vragenlijst-schetsontwerp").Take(&in).Error)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/beheer/resultaten/"+itoa(in.ID)+"/export?formaat=csv", nil)
	u, _ := url.Parse(s.URL)
	for _, c := range analyst.c.Jar.Cookies(u) {
		req.AddCookie(c)
	}
	w := &cancelOnWrite{ResponseRecorder: httptest.NewRecorder(), cancel: cancel}
	s.App.Handler().ServeHTTP(w, req)
	if w.Code != http.StatusOK || w.Body.Len() == 0 {
		t.Fatalf("the download did not start: %d", w.Code)
	}
	var logged []struct{ Detail string }
	testdb.NoError(t, s.App.DB.Table("audit_log").Select("detail").Where("action = ?", "results.export").Scan(&logged).Error)
	if len(logged) != 1 || !strings.Contains(logged[0].Detail, `"format":"csv"`) {
		t.Fatalf("audit records of the broken-off download: %+v", logged)
	}
}
