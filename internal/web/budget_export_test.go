package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"inspraak/internal/budget"
	"inspraak/internal/budget/count"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// exportBudget makes a budget for the whole municipality (not per wijk),
// counted by equal shares, with three plans and sixteen ballots: nine
// online from Noord (Appel and Beuk), six online from Zuid (Appel and
// Ceder) and one by letter code from Noord (Beuk). It returns the budget
// and its address.
func exportBudget(t *testing.T, s *testSite) (*budget.Budget, string) {
	t.Helper()
	ctx := context.Background()
	sys := identity.SystemActor("test")
	pid, _ := strconv.ParseInt(projectIDOf(t, s, "veilig-naar-school"), 10, 64)
	now := time.Now().UTC()
	opens, closes := now.Add(-time.Hour), now.Add(24*time.Hour)
	b, err := s.App.Budgets.Create(ctx, sys, budget.Draft{ProjectID: pid, Slug: "exportbudget", Title: "Exportbudget", Published: true,
		Rules: instrument.Instrument{OpensAt: &opens, ClosesAt: &closes}, Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleMES},
		Areas: []budget.AreaInput{{Amount: 100_000_00}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		title string
		cost  int64
	}{{"Plan Appel", 40_000_00}, {"Plan Beuk", 35_000_00}, {"Plan Ceder", 30_000_00}} {
		if _, err := s.App.Budgets.AddPlan(ctx, sys, b.InstrumentID, budget.PlanInput{AreaID: b.Areas[0].ID, Title: p.title, Cost: p.cost}); err != nil {
			t.Fatal(err)
		}
	}
	if b, err = s.App.Budgets.Get(ctx, b.InstrumentID); err != nil {
		t.Fatal(err)
	}
	n := 0
	cast := func(v budget.Voter, plans ...int) {
		t.Helper()
		var c budget.Choice
		for _, i := range plans {
			c.Lines = append(c.Lines, budget.Line{PlanID: b.Plans[i].ID, Points: 1})
		}
		if _, err := s.App.Budgets.Cast(ctx, b.InstrumentID, v, c); err != nil {
			t.Fatal(err)
		}
	}
	online := func(wijk string) budget.Voter {
		n++
		p := identity.Participant{Subject: fmt.Sprintf("export-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: loaMid, CreatedAt: now, LastLoginAt: now}
		testdb.NoError(t, s.App.DB.Create(&p).Error)
		return budget.Voter{Channel: budget.ChannelOnline, Token: s.App.Budgets.OnlineToken(b.InstrumentID, p.Subject), ParticipantID: p.ID,
			Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loaMid}, Wijk: wijk}
	}
	for range 9 {
		cast(online("Noord"), 0, 1)
	}
	for range 6 {
		cast(online("Zuid"), 0, 2)
	}
	e := budget.Elector{InstrumentID: b.InstrumentID, Voter: "letter-token", Wijk: "Noord", CodeLookup: "letter-lookup", LetterNo: 1}
	testdb.NoError(t, s.App.DB.Create(&e).Error)
	cast(budget.Voter{Channel: budget.ChannelCode, Token: e.Voter}, 1)
	return b, "/projecten/veilig-naar-school/exportbudget"
}

// readCSV reads an export's CSV (after its byte-order mark) into rows
// keyed by the plan's title, each a map from header to cell.
func readCSV(t *testing.T, body string, comma rune) map[string]map[string]string {
	t.Helper()
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\uFEFF")))
	cr.Comma = comma
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	out := map[string]map[string]string{}
	for _, row := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			m[h] = row[i]
		}
		out[m["Plan"]] = m
	}
	return out
}

// checkPabulib parses a downloaded .pb file and compares it with the
// service's count of the area: the same instance, the same ballots (as a
// multiset) and, counted again, the same outcome.
func checkPabulib(t *testing.T, s *testSite, id int64, body string) {
	t.Helper()
	r, err := s.App.Budgets.Results(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ar := r.Areas[0]
	_, in, ballots, err := count.ParsePabulib(strings.NewReader(body))
	if err != nil {
		t.Fatalf("the .pb file does not parse: %v\n%s", err, body)
	}
	if !reflect.DeepEqual(in, ar.Instance) {
		t.Fatalf("instance in the file %+v, counted %+v", in, ar.Instance)
	}
	multiset := func(bs []count.Ballot) map[string]int {
		m := map[string]int{}
		for _, b := range bs {
			m[fmt.Sprint(b.Approved, b.Points)]++
		}
		return m
	}
	if !reflect.DeepEqual(multiset(ballots), multiset(ar.CountInputs)) {
		t.Fatalf("ballots in the file %v, counted %v", ballots, ar.CountInputs)
	}
	if o := count.EqualShares(in, ballots); !reflect.DeepEqual(o, *ar.Outcome) {
		t.Fatalf("the file counts %+v, the service %+v", o, *ar.Outcome)
	}
}

// A budget's results go through the results routes: before publication
// nobody but analysts gets a figure or a ballot (a visitor, a resident and
// an editor are refused and no file is sent); analysts find the budget in
// the results list, download CSV, CSV for Dutch Excel, XLSX, JSON, the
// PDF report and the .pb file, each on record, with the votes per channel
// and per wijk protected for the configured threshold; once published,
// the site offers CSV, JSON and the .pb file.
func TestBudgetExports(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ctx := context.Background()
	b, addr := exportBudget(t, s)
	iid := itoa(b.InstrumentID)
	area := itoa(b.Areas[0].ID)
	export := "/beheer/resultaten/" + iid + "/export?formaat="
	exports := func() int64 {
		var n int64
		testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "results.export", "instrument:"+iid).Count(&n).Error)
		return n
	}

	// Before publication.
	anon := newBrowser(t, s)
	res := resident(t, s, bsnNoord, "Noor")
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	for _, who := range []*browser{anon, res} {
		for _, path := range []string{"/resultaten/csv", "/resultaten/json", "/resultaten/pb", "/resultaten/pb?gebied=" + area, "/resultaten/xlsx", "/uitslag"} {
			wantAbsent(t, who.get(addr+path), 404, "Plan Appel", "VOTES", "min_cell")
		}
		for _, f := range []string{"csv", "pdf", "pb&gebied=" + area} {
			r := who.get(export + f)
			wantStatus(t, r, 303)
			if loc := mustLocation(t, r); !strings.HasPrefix(loc, "/beheer/inloggen") {
				t.Fatalf("%s: sent to %s", f, loc)
			}
		}
		wantStatus(t, who.get("/beheer/resultaten/"+iid), 303)
	}
	for _, f := range []string{"csv", "json", "pdf", "pb&gebied=" + area} {
		r := ed.get(export + f)
		wantAbsent(t, r, 403, "Plan Appel", "VOTES")
		if r.Header.Get("Content-Disposition") != "" {
			t.Fatalf("an editor got a file: %s", r.Header.Get("Content-Disposition"))
		}
	}
	staffPage := ed.get("/beheer/begrotingen/" + iid + "/uitslag")
	wantStatus(t, staffPage, 200)
	wantContains(t, staffPage, "Plan Appel")
	wantNotContains(t, staffPage, "export?formaat=")
	if n := exports(); n != 0 {
		t.Fatalf("%d exports on record, none was made", n)
	}

	// The analyst.
	an := newBrowser(t, s)
	an.loginStaff("Ana List", "inspraak-analisten")
	wantContains(t, an.get("/beheer/resultaten"), "Begrotingen", `href="/beheer/resultaten/`+iid+`">Exportbudget</a>`)
	page := an.get("/beheer/resultaten/" + iid)
	wantStatus(t, page, 200)
	wantContains(t, page, "Uitslag: Exportbudget", "Plan Appel", export+"xlsx", export+"csv-nl", export+"pdf", "formaat=pb&amp;gebied="+area)
	// The page shows the votes per channel as the files do: protected.
	wantContains(t, page, "Stemmen per manier van stemmen")
	if !regexp.MustCompile(`Plan Beuk</th>\s*<td[^>]*>x</td><td[^>]*>x</td></tr>`).MatchString(page.Body) {
		t.Fatal("the page's votes per channel for Plan Beuk are not both hidden")
	}

	r, err := s.App.Budgets.Results(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	o, other := r.Areas[0].Outcome, r.Areas[0].Other
	yes := func(o *budget.Outcome, j int) string {
		if o.Plans[j].Status == "selected" {
			return "ja"
		}
		return "nee"
	}
	got := an.get(export + "csv")
	wantStatus(t, got, 200)
	if !strings.HasPrefix(got.Header.Get("Content-Type"), "text/csv") || !strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV headers: %v", got.Header)
	}
	rows := readCSV(t, got.Body, ',')
	chosen, chosenOther := "Gekozen (beslissende telling: gelijke delen)", "Gekozen volgens de andere telling (meeste stemmen)"
	paid := "Betaald door de voorstanders bij gelijke delen (euro)"
	for j, want := range []struct {
		title, cost, votes, zuid string
	}{{"Plan Appel", "40000", "15", "6"}, {"Plan Beuk", "35000", "10", "0"}, {"Plan Ceder", "30000", "6", "6"}} {
		row := rows[want.title]
		if row == nil || row["Kosten (euro)"] != want.cost || row["Stemmen"] != want.votes || row["Stemmen uit wijk Zuid"] != want.zuid ||
			row[chosen] != yes(o, j) || row[chosenOther] != yes(other, j) || row[paid] != strconv.FormatFloat(float64(o.Plans[j].PaidBySupporters)/100, 'f', -1, 64) {
			t.Fatalf("%s: %v (count %+v)", want.title, row, o.Plans[j])
		}
		// One ballot came by letter code: no channel's votes per plan are
		// shown, or that voter's choice could be read from them.
		for _, ch := range []string{"Met een code uit een brief", "Online (DigiD of eHerkenning)"} {
			if v := row["Stemmen: "+ch]; v != "x" {
				t.Fatalf("%s by %s shows %q", want.title, ch, v)
			}
		}
	}
	if o.Plans[0].Status != "selected" || o.Plans[0].PaidBySupporters == 0 {
		t.Fatalf("the count did not choose Appel by equal shares: %+v", o.Plans[0])
	}
	if nl := readCSV(t, an.get(export+"csv-nl").Body, ';'); !reflect.DeepEqual(nl, rows) {
		t.Fatalf("CSV for Dutch Excel differs: %v", nl)
	}
	x := an.get(export + "xlsx")
	wantStatus(t, x, 200)
	book, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	sheet, err := book.GetRows("Plannen")
	if err != nil || len(sheet) != 4 || sheet[1][2] != "Plan Appel" {
		t.Fatalf("XLSX: %v %v", sheet, err)
	}
	if wijken, _ := book.GetRows("Per wijk"); len(wijken) != 3 || wijken[2][0] != "Zuid" || wijken[2][1] != "6" {
		t.Fatalf("XLSX per wijk: %v", wijken)
	}
	var j struct {
		MinCell int              `json:"min_cell"`
		Ballots int              `json:"ballots"`
		Plans   []map[string]any `json:"plans"`
	}
	if err := json.Unmarshal([]byte(an.get(export+"json").Body), &j); err != nil {
		t.Fatal(err)
	}
	if j.MinCell != 5 || j.Ballots != 16 || len(j.Plans) != 3 || j.Plans[0]["plan"] != "Plan Appel" || j.Plans[0]["votes"] != 15.0 || j.Plans[0]["chosen"] != "ja" {
		t.Fatalf("JSON: %+v", j)
	}
	pb := an.get(export + "pb&gebied=" + area)
	wantStatus(t, pb, 200)
	checkPabulib(t, s, b.InstrumentID, pb.Body)
	wantStatus(t, an.get(export+"pb&gebied=999999"), 404)
	wantStatus(t, an.get(export+"docx"), 400)
	pdf := an.get(export + "pdf")
	wantStatus(t, pdf, 200)
	checkBudgetPDF(t, pdf)
	if n := exports(); n != 6 {
		t.Fatalf("%d exports on record, want 6", n)
	}

	// The configured threshold, not the default: Zuid's six voters are
	// hidden under 8, and no per-wijk or per-channel cell from 1 to 7 is
	// in any file.
	testdb.NoError(t, s.App.Results.SetThreshold(ctx, identity.SystemActor("test"), 8))
	if err := json.Unmarshal([]byte(an.get(export+"json").Body), &j); err != nil || j.MinCell != 8 {
		t.Fatalf("JSON after raising the threshold: %+v %v", j.MinCell, err)
	}
	for title, row := range readCSV(t, an.get(export+"csv").Body, ',') {
		for h, v := range row {
			if n, err := strconv.Atoi(v); err == nil && n > 0 && n < 8 && strings.HasPrefix(h, "Stemmen ") {
				t.Fatalf("%s, %s shows %d under threshold 8", title, h, n)
			}
		}
		if row["Stemmen uit wijk Zuid"] != "x" {
			t.Fatalf("%s: Zuid shows %q under threshold 8", title, row["Stemmen uit wijk Zuid"])
		}
	}

	// Published: the site offers the figures and the ballots.
	testdb.NoError(t, s.App.DB.Exec("UPDATE instruments SET closes_at = ? WHERE id = ?", time.Now().Add(-time.Minute), b.InstrumentID).Error)
	testdb.NoError(t, s.App.Budgets.PublishResult(ctx, identity.SystemActor("test"), b.InstrumentID, true))
	redirect := anon.get(addr + "/resultaten")
	wantStatus(t, redirect, 303)
	if loc := mustLocation(t, redirect); loc != addr+"/uitslag" {
		t.Fatalf("the results address of a budget goes to %s", loc)
	}
	public := anon.get(addr + "/uitslag")
	wantStatus(t, public, 200)
	wantContains(t, public, "Downloaden", addr+"/resultaten/csv", addr+"/resultaten/json", addr+"/resultaten/pb?gebied="+area)
	wantNotContains(t, public, "/beheer/resultaten")
	open := anon.get(addr + "/resultaten/csv")
	wantStatus(t, open, 200)
	if pr := readCSV(t, open.Body, ','); pr["Plan Appel"]["Stemmen"] != "15" || pr["Plan Appel"]["Stemmen uit wijk Zuid"] != "x" {
		t.Fatalf("public CSV: %v", pr["Plan Appel"])
	}
	wantStatus(t, anon.get(addr+"/resultaten/json"), 200)
	checkPabulib(t, s, b.InstrumentID, anon.get(addr+"/resultaten/pb").Body)
	// Not a file the public route offers, nor another budget's area.
	wantStatus(t, anon.get(addr+"/resultaten/xlsx"), 404)
	var otherArea int64
	testdb.NoError(t, s.App.DB.Raw("SELECT a.id FROM budget_areas a JOIN instruments i ON i.id = a.instrument_id WHERE i.slug = 'buurtbudget' ORDER BY a.id LIMIT 1").Row().Scan(&otherArea))
	wantStatus(t, anon.get(addr+"/resultaten/pb?gebied="+itoa(otherArea)), 404)
	wantStatus(t, anon.get("/projecten/groen-in-de-wijk/buurtbudget/resultaten/pb?gebied="+itoa(otherArea)), 404)
	if n := exports(); n != 8 {
		t.Fatalf("%d exports on record, want 8 (the site's open data is not an analyst's export)", n)
	}

	// Where fewer people voted than the threshold, their ballots are not
	// published one by one: the public .pb is refused and the page says
	// why (the totals stay); an analyst can still download it.
	res2, err := s.App.Budgets.Results(ctx, b.InstrumentID)
	testdb.NoError(t, err)
	k := int(res2.Areas[0].Ballots) + 1
	if k > 50 {
		t.Fatalf("the area has %d ballots: more than a threshold can be", k-1)
	}
	testdb.NoError(t, s.App.Results.SetThreshold(ctx, identity.SystemActor("test"), k))
	wantStatus(t, anon.get(addr+"/resultaten/pb?gebied="+area), 404)
	wantStatus(t, anon.get(addr+"/resultaten/pb"), 404)
	closed := anon.get(addr + "/uitslag")
	wantStatus(t, closed, 200)
	wantContains(t, closed, "zetten we niet als bestand op de site", addr+"/resultaten/csv")
	wantNotContains(t, closed, addr+"/resultaten/pb")
	wantStatus(t, an.get(export+"pb&gebied="+area), 200)
}

// checkBudgetPDF reads the report's text and renders it with pdftoppm
// (as TestResultsReportPDF: required on CI, skipped elsewhere without it).
func checkBudgetPDF(t *testing.T, r response) {
	t.Helper()
	if !strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("not a PDF: %q %.20q", r.Header.Get("Content-Type"), r.Body)
	}
	text := strings.Join(pdfText(t, r.Body), "\n")
	for _, want := range []string{"Resultaten: Exportbudget", "Plan Appel", "Plan Ceder", "gelijke delen", "meeste stemmen", "Per wijk", "Zuid"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if pngs, ok := renderPDF(t, r.Body, "budget-report"); ok && len(pngs) == 0 {
		t.Fatal("pdftoppm rendered no page")
	} else if !ok {
		t.Log("pdftoppm missing: the report is not rendered")
	}
}
