package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"inspraak/internal/app"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/testdb"
)

// wijkVerifier is the BRP of these tests: every BSN a resident of the
// municipality, living in the wijk the map gives ("" for unknown).
type wijkVerifier map[string]string

func (v wijkVerifier) Verify(_ context.Context, bsn string) (*identity.Facts, error) {
	return &identity.Facts{Resident: true, AgeBand: "30-44", Wijk: v[bsn]}, nil
}

// Test BSNs (they pass the 11-test) and where they live.
const (
	bsnNoord = "999993653"
	bsnZuid  = "999990019"
	bsnOost  = "999990020"
)

var budgetWijken = wijkVerifier{bsnNoord: "Noord", bsnZuid: "Zuid", bsnOost: "Oost"}

func projectIDOf(t *testing.T, s *testSite, slug string) string {
	t.Helper()
	var ids []int64
	testdb.NoError(t, s.App.DB.Table("projects").Where("slug = ?", slug).Pluck("id", &ids).Error)
	if len(ids) != 1 {
		t.Fatalf("no project %q", slug)
	}
	return itoa(ids[0])
}

func instrumentIDOf(t *testing.T, s *testSite, slug string) int64 {
	t.Helper()
	var ids []int64
	testdb.NoError(t, s.App.DB.Table("instruments").Where("slug = ?", slug).Pluck("id", &ids).Error)
	if len(ids) != 1 {
		t.Fatalf("no instrument %q", slug)
	}
	return ids[0]
}

func planIDOf(t *testing.T, s *testSite, title string) string {
	t.Helper()
	var ids []int64
	testdb.NoError(t, s.App.DB.Table("budget_plans").Where("title = ?", title).Pluck("id", &ids).Error)
	if len(ids) != 1 {
		t.Fatalf("no plan %q", title)
	}
	return itoa(ids[0])
}

// postMultipart posts a multipart form (with an image file, or none).
func (b *browser) postMultipart(target string, fields url.Values, file []byte) response {
	b.t.Helper()
	t := b.t.(*testing.T)
	ct, body := multipartForm(t, fields, file)
	req, _ := http.NewRequest(http.MethodPost, b.abs(target), body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", b.s.URL)
	return b.send(req)
}

// ballotLines are the plan titles of the stored ballots of a budget, one
// string per ballot ("Bankjes+Speeltuin"), so a test sees exactly what
// was stored.
func ballotLines(t *testing.T, s *testSite, instrumentID int64) []string {
	t.Helper()
	type row struct {
		BallotID int64
		Title    string
	}
	var rows []row
	testdb.NoError(t, s.App.DB.Raw(`SELECT b.id AS ballot_id, p.title FROM budget_ballots b
		JOIN budget_ballot_plans l ON l.ballot_id = b.id JOIN budget_plans p ON p.id = l.plan_id
		WHERE b.instrument_id = ? ORDER BY b.id, p.title`, instrumentID).Scan(&rows).Error)
	var out []string
	last := int64(-1)
	for _, r := range rows {
		if r.BallotID != last {
			out = append(out, r.Title)
			last = r.BallotID
			continue
		}
		out[len(out)-1] += "+" + r.Title
	}
	return out
}

func pngImage(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 30, 20))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// buildWijkBudget has an editor make the test's wijk budget through the
// editor's pages: Noord € 12.500,50 and Zuid € 8.000, knapsack, greedy,
// the wijk from the BRP, changes allowed; three plans in Noord, one in
// Zuid. It returns the budget's public address and instrument id.
func buildWijkBudget(t *testing.T, s *testSite, ed *browser) (string, int64) {
	t.Helper()
	pid := projectIDOf(t, s, "veilig-naar-school")
	base := "/beheer/projecten/" + pid + "/begrotingen"
	wantContains(t, ed.get("/beheer/projecten/"+pid), "Nieuwe begroting")
	newForm := ed.get(base + "/nieuw")
	wantStatus(t, newForm, 200)
	wantContains(t, newForm, "Budget verdelen", "Methode van gelijke delen", "Bedragen per wijk")

	fields := url.Values{"titel": {"Wijkbudget 2027"}, "slug": {"wijkbudget-2027"}, "uitleg": {"Verdeel het geld van uw wijk."},
		"methode": {"knapsack"}, "regel": {"greedy"}, "per_wijk": {"true"}, "wijkbron": {"brp"},
		"wijk_naam": {"Noord", "Zuid"}, "wijk_bedrag": {"€ 12.500,50", "twaalf"},
		"wie": {"digid"}, "minimumleeftijd": {"0"}, "wijzigen": {"true"}, "publiceren": {"true"}}
	var before, n int64
	testdb.NoError(t, s.App.DB.Table("budgets").Count(&before).Error)
	bad := ed.post(base, fields)
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Een bedrag bij een wijk is geen bedrag", `href="#bedragen"`, `value="€ 12.500,50"`)
	testdb.NoError(t, s.App.DB.Table("budgets").Count(&n).Error)
	if n != before {
		t.Fatalf("a refused form stored %d budgets", n-before)
	}
	fields["wijk_bedrag"] = []string{"€ 12.500,50", "8000"}
	made := ed.post(base, fields)
	wantStatus(t, made, 303)
	edit := mustLocation(t, made)
	id := instrumentIDOf(t, s, "wijkbudget-2027")
	if edit != base+"/"+itoa(id) {
		t.Fatalf("after creating went to %s", edit)
	}
	type area struct {
		Wijk   string
		Amount int64
	}
	var areas []area
	testdb.NoError(t, s.App.DB.Table("budget_areas").Where("instrument_id = ?", id).Order("wijk").Find(&areas).Error)
	if len(areas) != 2 || areas[0] != (area{"Noord", 1250050}) || areas[1] != (area{"Zuid", 800000}) {
		t.Fatalf("areas stored: %+v", areas)
	}
	page := ed.get(edit)
	wantStatus(t, page, 200)
	wantContains(t, page, "Noord: € 12.500,50", "Zuid: € 8.000", "Plan toevoegen", "Plannen uit ideeën")

	var noord, zuid int64
	row := s.App.DB.Raw("SELECT id FROM budget_areas WHERE instrument_id = ? AND wijk = ?", id, "Noord").Row()
	testdb.NoError(t, row.Scan(&noord))
	row = s.App.DB.Raw("SELECT id FROM budget_areas WHERE instrument_id = ? AND wijk = ?", id, "Zuid").Row()
	testdb.NoError(t, row.Scan(&zuid))

	// An image needs its description; what was typed stays.
	plan := url.Values{"gebied": {itoa(noord)}, "titel": {"Speeltuin"}, "samenvatting": {"Een speeltuin bij de school."},
		"kosten": {"6.000"}, "thema": {"Spelen"}}
	noAlt := ed.postMultipart(edit+"/plannen", plan, pngImage(t))
	wantStatus(t, noAlt, 422)
	wantContains(t, noAlt, `href="#alt"`, `value="Speeltuin"`)
	badCost := ed.postMultipart(edit+"/plannen", url.Values{"gebied": {itoa(noord)}, "titel": {"Duur"}, "kosten": {"veel"}}, nil)
	wantStatus(t, badCost, 422)
	wantContains(t, badCost, "Vul de kosten in als bedrag")
	plan.Set("alt", "Kinderen op een klimrek")
	wantStatus(t, ed.postMultipart(edit+"/plannen", plan, pngImage(t)), 303)
	for _, p := range []url.Values{
		{"gebied": {itoa(noord)}, "titel": {"Bankjes"}, "kosten": {"€ 2.500"}, "thema": {"Ontmoeten"}},
		{"gebied": {itoa(noord)}, "titel": {"Bomen"}, "kosten": {"5000"}, "thema": {"Groen"}},
		{"gebied": {itoa(zuid)}, "titel": {"Fietsenrek"}, "kosten": {"3000"}, "thema": {"Verkeer"}},
	} {
		wantStatus(t, ed.postMultipart(edit+"/plannen", p, nil), 303)
	}
	var alt string
	testdb.NoError(t, s.App.DB.Raw("SELECT image_alt FROM budget_plans WHERE title = 'Speeltuin'").Row().Scan(&alt))
	if alt != "Kinderen op een klimrek" {
		t.Fatalf("alt stored: %q", alt)
	}
	return "/projecten/veilig-naar-school/wijkbudget-2027", id
}

// An editor builds a wijk budget; a resident of Noord fills the basket
// with form posts only (no JavaScript), is refused an add that does not
// fit with the Dutch message and loses nothing, confirms, casts, sees the
// receipt and changes the ballot while the budget allows; bad ballots
// posted by hand are refused with a message and store nothing; a resident
// of a wijk without budget, a visitor, and someone who voted another way
// get no form.
func TestBudgetEditorBuildsAWijkBudgetAndResidentsVote(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSiteWith(t, nil, app.Options{Verifier: budgetWijken})
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	addr, id := buildWijkBudget(t, s, ed)

	anon := s.get(t, addr)
	wantStatus(t, anon, 200)
	wantContains(t, anon, "Wijkbudget 2027", "Elke wijk heeft een eigen budget", "Noord € 12.500,50", "Zo tellen we: het plan met de meeste stemmen",
		"Inloggen met DigiD", "Speeltuin", "Fietsenrek", `alt="Kinderen op een klimrek"`, `name="wijk"`)
	wantNotContains(t, anon, "Kies dit plan")
	filtered := s.get(t, addr+"?thema=Groen")
	wantContains(t, filtered, "Bomen", "1 plan")
	wantNotContains(t, filtered, "Speeltuin</a>", "Fietsenrek</a>")

	speeltuin, bankjes, bomen, fietsenrek := planIDOf(t, s, "Speeltuin"), planIDOf(t, s, "Bankjes"), planIDOf(t, s, "Bomen"), planIDOf(t, s, "Fietsenrek")
	r := resident(t, s, bsnNoord, "Noor")
	page := r.get(addr)
	wantStatus(t, page, 200)
	wantContains(t, page, "U stemt over het budget van uw wijk Noord: € 12.500,50.", "Kies dit plan", "Nog over:", "€ 12.500,50")
	wantNotContains(t, page, "Fietsenrek")

	add := func(plan string) response {
		return r.post(addr+"/mandje", url.Values{"actie": {"toevoegen"}, "plan": {plan}, "terug": {"?thema=Groen"}})
	}
	added := add(speeltuin)
	wantStatus(t, added, 303)
	if loc := mustLocation(t, added); loc != addr+"?thema=Groen#plan-"+speeltuin {
		t.Fatalf("after adding went to %s", loc)
	}
	wantStatus(t, add(bomen), 303)
	two := r.get(addr)
	wantContains(t, two, "€ 11.000", "€ 1.500,50", "Verder naar stemmen", "Weghalen<span")

	over := add(bankjes)
	wantStatus(t, over, 422)
	wantContains(t, over, "Uw plannen kosten samen € 13.500. Dat is meer dan het budget van € 12.500,50.", "Uw keuze is bewaard zoals hij was", "€ 1.500,50")
	// Another wijk's plan, and a made-up one: refused, nothing lost.
	wantStatus(t, add(fietsenrek), 422)
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"toevoegen"}, "plan": {"nee"}}), 422)
	still := r.get(addr)
	wantContains(t, still, "€ 11.000", "€ 1.500,50")
	if got := ballotLines(t, s, id); len(got) != 0 {
		t.Fatalf("a basket is not a ballot, but stored: %q", got)
	}

	confirm := r.get(addr + "/bevestigen")
	wantStatus(t, confirm, 200)
	wantContains(t, confirm, "Kijk uw keuze na", "Speeltuin", "Bomen", "€ 11.000", "Stem definitief uitbrengen", "Er blijft € 1.500,50 over")
	cast := r.post(addr+"/uitbrengen", url.Values{"plan": {speeltuin, bomen}})
	wantStatus(t, cast, 303)
	receipt := r.follow(cast)
	wantStatus(t, receipt, 200)
	wantContains(t, receipt, "Uw stem is ontvangen", "Speeltuin", "Bomen", "€ 11.000", "Uw stem is geheim", "Stem veranderen")
	if got := ballotLines(t, s, id); len(got) != 1 || got[0] != "Bomen+Speeltuin" {
		t.Fatalf("ballots after casting: %q", got)
	}
	// The receipt cookie is shown once; an online voter sees the stored
	// ballot there afterwards.
	wantContains(t, r.get(addr+"/stembewijs"), "Uw stem is ontvangen", "Speeltuin", "Bomen")
	wantStatus(t, s.get(t, addr+"/stembewijs"), 303) // nobody's ballot for a visitor

	// Once a ballot exists, the editor cannot change how it was judged, nor
	// take a plan away; the order may still change.
	edit := "/beheer/projecten/" + projectIDOf(t, s, "veilig-naar-school") + "/begrotingen/" + itoa(id)
	fixed := ed.post(edit+"/instellingen", url.Values{"methode": {"approval"}, "regel": {"greedy"}, "per_wijk": {"true"}, "wijkbron": {"brp"}})
	wantStatus(t, fixed, 409)
	wantContains(t, fixed, "Er is al gestemd. De manier van stemmen en tellen kan daarom niet meer veranderen.")
	kept := ed.post(edit+"/plannen/"+speeltuin+"/verwijderen", nil)
	wantStatus(t, kept, 409)
	wantContains(t, kept, "Er is al gestemd. Een plan kan daarom niet meer weg.")
	var method string
	testdb.NoError(t, s.App.DB.Raw("SELECT method FROM budgets WHERE instrument_id = ?", id).Row().Scan(&method))
	var plansLeft int64
	testdb.NoError(t, s.App.DB.Table("budget_plans").Where("instrument_id = ?", id).Count(&plansLeft).Error)
	if method != "knapsack" || plansLeft != 4 {
		t.Fatalf("after refusals: method %q, %d plans", method, plansLeft)
	}
	wantStatus(t, ed.post(edit+"/plannen/"+bomen+"/verplaatsen", url.Values{"richting": {"omhoog"}}), 303)

	// Mijn inspraak lists the ballot with the plans and what they cost.
	wantContains(t, r.get("/mijn-inspraak"), "Uw keuze bij begrotingen", "Wijkbudget 2027", addr+"/stembewijs", "Speeltuin, Bomen (€ 11.000)")

	// Changing: the page starts from the ballot.
	again := r.get(addr)
	wantContains(t, again, "U heeft al gestemd", "U kunt uw stem veranderen", "€ 11.000")
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"verwijderen"}, "plan": {bomen}}), 303)
	wantStatus(t, add(bankjes), 303)
	changed := r.follow(r.post(addr+"/uitbrengen", url.Values{"plan": {speeltuin, bankjes}}))
	wantContains(t, changed, "Uw stem is veranderd", "Bankjes", "€ 8.500")
	if got := ballotLines(t, s, id); len(got) != 1 || got[0] != "Bankjes+Speeltuin" {
		t.Fatalf("ballots after changing: %q", got)
	}

	// Bad ballots posted by hand: a message, and the stored one unchanged.
	for _, bad := range []struct {
		plans []string
		text  string
	}{
		{[]string{speeltuin, bomen, bankjes}, "Dat is meer dan het budget"},
		{[]string{fietsenrek}, "hoort bij een andere wijk"},
		{[]string{"999999"}, "bestaat niet (meer)"},
		{[]string{speeltuin, speeltuin}, "twee keer"},
		{[]string{"x"}, "bestaat niet (meer)"},
		{nil, "Kies minstens één plan"},
	} {
		res := r.post(addr+"/uitbrengen", url.Values{"plan": bad.plans})
		if res.StatusCode < 400 || res.StatusCode >= 500 {
			t.Errorf("ballot %v: status %d", bad.plans, res.StatusCode)
		}
		wantContains(t, res, bad.text, "Dit ging niet")
	}
	if got := ballotLines(t, s, id); len(got) != 1 || got[0] != "Bankjes+Speeltuin" {
		t.Fatalf("bad ballots changed what was stored: %q", got)
	}

	// Oost has no budget: no form, and a post is refused.
	oost := resident(t, s, bsnOost, "Oscar")
	op := oost.get(addr)
	wantContains(t, op, "Uw wijk doet niet mee met deze begroting")
	wantNotContains(t, op, "Kies dit plan")
	wantStatus(t, oost.post(addr+"/mandje", url.Values{"actie": {"toevoegen"}, "plan": {speeltuin}}), 409)

	// Someone of Zuid who voted another way (a stand ballot under the same
	// register token) is told so online and cannot vote again.
	z := resident(t, s, bsnZuid, "Zus")
	var subject string
	testdb.NoError(t, s.App.DB.Raw("SELECT subject FROM participants ORDER BY id DESC LIMIT 1").Row().Scan(&subject))
	fr, _ := strconv.ParseInt(fietsenrek, 10, 64)
	if _, err := s.App.Budgets.Cast(context.Background(), id, budget.Voter{Channel: budget.ChannelStand,
		Token: s.App.Budgets.OnlineToken(id, subject), Wijk: "Zuid"}, budget.Choice{Lines: []budget.Line{{PlanID: fr, Points: 1}}}); err != nil {
		t.Fatalf("stand ballot: %v", err)
	}
	zp := z.get(addr)
	wantContains(t, zp, "U heeft al gestemd", "Iedereen stemt één keer")
	wantNotContains(t, zp, "Kies dit plan", "Bekijk uw stem")
	before := ballotLines(t, s, id)
	twice := z.post(addr+"/uitbrengen", url.Values{"plan": {fietsenrek}})
	if twice.StatusCode != 409 {
		t.Errorf("a second ballot by another channel: status %d", twice.StatusCode)
	}
	if after := ballotLines(t, s, id); len(after) != len(before) {
		t.Fatalf("a second channel's ballot was stored: %q → %q", before, after)
	}

	// The result: not public before it is published, and not publishable
	// while voting runs.
	wantStatus(t, s.get(t, addr+"/uitslag"), 404)
	wantContains(t, ed.get(edit), "De uitslag kan op de site als de stemming gesloten is.")
	staff := ed.get("/beheer/begrotingen/" + itoa(id) + "/uitslag")
	wantStatus(t, staff, 200)
	wantContains(t, staff, "Wijk Noord", "Speeltuin", "1 stem", "Online (DigiD of eHerkenning)", "Bij een stembus")
	wantStatus(t, r.get("/beheer/begrotingen/"+itoa(id)+"/uitslag"), 303) // residents are sent to the staff login

	// Voting closes; the count decides; the editor publishes.
	testdb.NoError(t, s.App.DB.Exec("UPDATE instruments SET closes_at = ? WHERE id = ?", time.Now().Add(-time.Minute), id).Error)
	wantContains(t, oost.get(addr), "Meedoen kan niet meer: dit is gesloten.")
	wantContains(t, r.get(addr), "U heeft al gestemd", "Uw stem telt mee en kan niet meer veranderen.")
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"toevoegen"}, "plan": {bomen}}), 409)
	wantStatus(t, ed.post(edit+"/uitslag", url.Values{"openbaar": {"ja"}}), 303)
	res := s.get(t, addr+"/uitslag")
	wantStatus(t, res, 200)
	wantContains(t, res, "Uitslag: Wijkbudget 2027", "Wijk Noord", "Wijk Zuid", "Gekozen", "Speeltuin",
		"Veel stemmen, en het paste nog in het budget: er was nog € 12.500,50 over.",
		"Niet gekozen", "Niemand koos dit plan.", "Fietsenrek", `role="img"`, "Stemmen per plan in wijk Noord")
	wantContains(t, r.get(addr), "Bekijk de uitslag")
}

var ideaPickRE = regexp.MustCompile(`name="idee" value="(\d+)"`)

// Points and a declared wijk: an editor makes plans from the project's
// ideas (a cost each; a bad cost is refused and nothing made), a resident
// chooses their wijk, divides the points (too many refused, the points
// kept as they were), confirms and casts; the ballot holds the points.
func TestBudgetPointsDeclaredWijkAndPlansFromIdeas(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	pid := projectIDOf(t, s, "groen-in-de-wijk")
	made := ed.post("/beheer/projecten/"+pid+"/begrotingen", url.Values{"titel": {"Punten voor de buurt"}, "slug": {"punten-buurt"},
		"methode": {"points"}, "punten": {"10"}, "regel": {"greedy"}, "per_wijk": {"true"}, "wijkbron": {"declared"},
		"wijk_naam": {"Noord", "Zuid"}, "wijk_bedrag": {"5.000", "5000"}, "wie": {"any"}, "minimumleeftijd": {"0"}, "publiceren": {"true"}})
	wantStatus(t, made, 303)
	edit := mustLocation(t, made)
	id := instrumentIDOf(t, s, "punten-buurt")
	var noord int64
	testdb.NoError(t, s.App.DB.Raw("SELECT id FROM budget_areas WHERE instrument_id = ? AND wijk = 'Noord'", id).Row().Scan(&noord))

	picks := ed.get(edit + "/uit-ideeen")
	wantStatus(t, picks, 200)
	wantContains(t, picks, "Plannen uit ideeën", "Ideeën, met de meeste steun eerst")
	m := ideaPickRE.FindAllStringSubmatch(picks.Body, -1)
	if len(m) < 2 {
		t.Fatalf("fewer than two ideas to pick:\n%s", picks.Body)
	}
	a, b := m[0][1], m[1][1]
	form := url.Values{"idee": {a, b}, "kosten_" + a: {"€ 1.250"}, "kosten_" + b: {"duur"}, "gebied_" + a: {itoa(noord)}, "gebied_" + b: {itoa(noord)}}
	bad := ed.post(edit+"/uit-ideeen", form)
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Vul de kosten in als bedrag", `value="duur"`, `value="€ 1.250"`)
	var plans int64
	testdb.NoError(t, s.App.DB.Table("budget_plans").Where("instrument_id = ?", id).Count(&plans).Error)
	if plans != 0 {
		t.Fatalf("a refused pick made %d plans", plans)
	}
	form.Set("kosten_"+b, "2000")
	wantStatus(t, ed.post(edit+"/uit-ideeen", form), 303)
	type planRow struct {
		ID     int64
		Cost   int64
		IdeaID *int64
	}
	var rows []planRow
	testdb.NoError(t, s.App.DB.Table("budget_plans").Where("instrument_id = ?", id).Order("position").Find(&rows).Error)
	if len(rows) != 2 || rows[0].Cost != 125000 || rows[1].Cost != 200000 || rows[0].IdeaID == nil || itoa(*rows[0].IdeaID) != a {
		t.Fatalf("plans from ideas: %+v", rows)
	}
	wantContains(t, ed.get(edit+"/uit-ideeen"), "is al een plan")

	addr := "/projecten/groen-in-de-wijk/punten-buurt"
	r := resident(t, s, bsnZuid, "Puck")
	first := r.get(addr)
	wantContains(t, first, "Kies uw wijk", "U kiest zelf de wijk waar u woont", "U heeft 10 punten.")
	wantNotContains(t, first, `name="punten_`)
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"wijk"}, "wijk": {"Oost"}}), 422)
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"wijk"}, "wijk": {"Noord"}}), 303)
	p1, p2 := itoa(rows[0].ID), itoa(rows[1].ID)
	page := r.get(addr)
	wantContains(t, page, `name="punten_`+p1+`"`, `name="punten_`+p2+`"`, "Punten over:", "Punten bewaren")

	over := r.post(addr+"/mandje", url.Values{"actie": {"punten"}, "punten_" + p1: {"6"}, "punten_" + p2: {"5"}})
	wantStatus(t, over, 422)
	wantContains(t, over, "U heeft 10 punten te verdelen, maar u gaf er 11.", "Uw keuze is bewaard zoals hij was")
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"punten"}, "punten_" + p1: {"6"}, "punten_" + p2: {"x"}}), 422)
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"punten"}, "punten_" + p1: {"6"}, "punten_" + p2: {"3"}}), 303)
	short := r.get(addr + "/bevestigen")
	wantContains(t, short, "Verdeel precies 10 punten. U heeft er nu 9 verdeeld.")
	wantNotContains(t, short, "Stem definitief uitbrengen")
	wantStatus(t, r.post(addr+"/mandje", url.Values{"actie": {"punten"}, "punten_" + p1: {"6"}, "punten_" + p2: {"4"}}), 303)
	confirm := r.get(addr + "/bevestigen")
	wantContains(t, confirm, "Stem definitief uitbrengen", `name="punten" value="6"`, `name="punten" value="4"`)
	receipt := r.follow(r.post(addr+"/uitbrengen", url.Values{"plan": {p1, p2}, "punten": {"6", "4"}}))
	wantContains(t, receipt, "Uw stem is ontvangen", "Punten")
	var pts []int64
	testdb.NoError(t, s.App.DB.Raw(`SELECT l.points FROM budget_ballot_plans l JOIN budget_ballots b ON b.id = l.ballot_id
		WHERE b.instrument_id = ? ORDER BY l.plan_id`, id).Scan(&pts).Error)
	if len(pts) != 2 || pts[0] != 6 || pts[1] != 4 {
		t.Fatalf("points stored: %v", pts)
	}
}
