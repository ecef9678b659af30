package web_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/app"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// postRegister posts a register file (part "bestand") after the plain
// fields, in that order, as a browser sends the letters form.
func (b *browser) postRegister(target string, format, file string) response {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if format != "" {
		_ = w.WriteField("formaat", format)
	}
	fw, _ := w.CreateFormFile("bestand", "kiezers.csv")
	_, _ = fw.Write([]byte(file))
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.abs(target), &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", b.s.URL)
	return b.send(req)
}

// channelBudget makes a published wijk budget in the demo's project
// through the service (the editor's pages have their own test): Noord
// € 12.500 with Speeltuin (€ 6.000) and Bankjes (€ 2.500), Zuid € 8.000
// with Fietsenrek (€ 3.000); open for a week.
func channelBudget(t *testing.T, s *testSite) (string, int64) {
	t.Helper()
	ctx := context.Background()
	pid, err := strconv.ParseInt(projectIDOf(t, s, "veilig-naar-school"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	closes := time.Now().Add(7 * 24 * time.Hour)
	b, err := s.App.Budgets.Create(ctx, identity.SystemActor("test"), budget.Draft{ProjectID: pid, Slug: "kanalen", Title: "Wijkbudget 2027",
		Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleGreedy, PerWijk: true, WijkSource: budget.WijkBRP},
		Areas:    []budget.AreaInput{{Wijk: "Noord", Amount: 1_250_000}, {Wijk: "Zuid", Amount: 800_000}}})
	if err != nil {
		t.Fatal(err)
	}
	full, err := s.App.Budgets.Get(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		wijk, title string
		cost        int64
	}{{"Noord", "Speeltuin", 600_000}, {"Noord", "Bankjes", 250_000}, {"Zuid", "Fietsenrek", 300_000}} {
		if _, err := s.App.Budgets.AddPlan(ctx, identity.SystemActor("test"), b.InstrumentID,
			budget.PlanInput{AreaID: full.AreaOf(p.wijk).ID, Title: p.title, Summary: "Een plan.", Cost: p.cost}); err != nil {
			t.Fatal(err)
		}
	}
	return "/projecten/veilig-naar-school/kanalen", b.InstrumentID
}

func countBallots(t *testing.T, s *testSite, id int64) map[string]int64 {
	t.Helper()
	var rows []struct {
		Channel string
		N       int64
	}
	testdb.NoError(t, s.App.DB.Raw("SELECT channel, COUNT(*) AS n FROM budget_ballots WHERE instrument_id = ? GROUP BY channel", id).Scan(&rows).Error)
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Channel] = r.N
	}
	return out
}

// An editor uploads the register and prints the letters; a resident votes
// with the letter's code and, logging in with DigiD later, finds they
// voted; at the stand a member looks a resident up and the device becomes
// a kiosk for one ballot; paper ballots count once a second member has
// checked their batch.
func TestBudgetLettersStandAndPaperOverHTTP(t *testing.T) {
	t.Parallel() // each test has its own site and database
	table := filepath.Join(t.TempDir(), "wijken.csv")
	if err := os.WriteFile(table, []byte("postcode;wijk\n1234;Noord\n6591;Zuid\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newSiteWith(t, map[string]string{"INSPRAAK_WIJK_TABLE": table}, app.Options{Verifier: budgetWijken})
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	addr, id := channelBudget(t, s)
	base := "/beheer/begrotingen/" + itoa(id)

	// The register: two good rows in Noord and one in Zuid, a postcode in
	// no wijk and a BSN that fails the 11-test.
	register := "BSN;Naam;Adres;Postcode;Woonplaats\n" +
		"999993653;Noor Noord;Kerkstraat 1;1234 AB;Ons Dorp\n" +
		"999990019;Zus Zuid;Dorpsweg 2;6591 AB;Ons Dorp\n" +
		"999990020;Oscar Oost;Laan 3;9999 ZZ;Ons Dorp\n" +
		"999993654;Fout;Laan 4;1234 AB;Ons Dorp\n" +
		"999990032;Piet Papier;Kerkstraat 5;1234 AB;Ons Dorp\n"
	// The editor finds the register and letters from the budget's page,
	// and the way back.
	editorPage := "/beheer/projecten/" + projectIDOf(t, s, "veilig-naar-school") + "/begrotingen/" + itoa(id)
	wantContains(t, ed.get(editorPage), `href="`+base+`/kiezers">Kiezers en brieven</a>`)
	wantContains(t, ed.get(base+"/kiezers"), `href="`+editorPage+`">Terug naar de begroting</a>`)
	// Before the upload no code exists: the budget page offers none.
	visitor := newBrowser(t, s)
	wantNotContains(t, visitor.get(addr), "Brief met een code ontvangen?", `href="/stemcode"`)
	wantStatus(t, ed.get(base+"/kiezers"), 200)
	up := ed.postRegister(base+"/kiezers", "", register)
	wantStatus(t, up, 200)
	wantContains(t, up, "Gelezen: 5 regels. Toegevoegd: 3.", "Regel 4:", "De postcode 9999 ZZ hoort bij geen wijk", "Regel 5:",
		"elfproef", "BSN eindigt op …654", "Op de lijst staan nu 3 bewoners.")
	wantNotContains(t, up, "999993654", "999990020")
	wantContains(t, visitor.get(addr), `Brief met een code ontvangen? <a class="utrecht-link" href="/stemcode">`)
	bad := ed.postRegister(base+"/kiezers", "", "naam;adres\nX;Y\n")
	wantStatus(t, bad, 422)
	wantContains(t, bad, "In het bestand ontbreken deze kolommen: bsn, postcode, woonplaats")
	for _, target := range []string{base + "/kiezers", base + "/kiezers/brieven"} {
		none := ed.postRegister(target, "csv", "")
		wantStatus(t, none, 422)
		wantContains(t, none, "Kies een bestand.", "Op de lijst staan nu 3 bewoners.")
	}

	// Letters: a PDF of three pages, and the print shop's CSV.
	pdf := ed.postRegister(base+"/kiezers/brieven", "pdf", register)
	wantStatus(t, pdf, 200)
	if pdf.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-1.4") || !strings.Contains(pdf.Body, "/Count 3 ") {
		t.Fatalf("letters PDF: %s, %.40q", pdf.Header.Get("Content-Type"), pdf.Body)
	}
	mm := ed.postRegister(base+"/kiezers/brieven", "csv", register)
	wantStatus(t, mm, 200)
	codes := map[string]string{}
	for _, l := range strings.Split(mm.Body, "\n")[1:] {
		if f := strings.Split(l, ";"); len(f) > 4 {
			codes[f[0]] = f[4]
		}
	}
	if len(codes) != 3 || !strings.Contains(mm.Body, "http://127.0.0.1") && !strings.Contains(mm.Body, "/stemcode") {
		t.Fatalf("mail merge:\n%s", mm.Body)
	}
	// Only editors upload and print.
	staff := newBrowser(t, s)
	staff.loginStaff("Stem Bureau", "inspraak-stembureau")
	wantStatus(t, staff.get(base+"/kiezers"), 403)

	// A resident with a code, no DigiD.
	r := newBrowser(t, s)
	page := r.get("/stemcode")
	wantStatus(t, page, 200)
	wantContains(t, page, "Stemmen met de code uit uw brief", `name="code"`)
	look := r.post("/stemcode", url.Values{"code": {"ABCD-EFGH-JKL0"}})
	wantStatus(t, look, 422)
	wantContains(t, look, "In een code staan geen 0 (nul), O, 1 (een) of I", `href="#code"`)
	unknown := r.post("/stemcode", url.Values{"code": {"ABCD-EFGH-JKLM"}})
	wantStatus(t, unknown, 422)
	wantContains(t, unknown, "Deze code kennen we niet", `value="ABCD-EFGH-JKLM"`)
	in := r.post("/stemcode", url.Values{"code": {strings.ToLower(codes["Noor Noord"])}})
	wantStatus(t, in, 303)
	if loc := mustLocation(t, in); loc != addr {
		t.Fatalf("after the code went to %s", loc)
	}
	vote := r.get(addr)
	wantContains(t, vote, "U stemt over het budget van uw wijk Noord", "Kies dit plan")
	speeltuin, fietsenrek, bankjes := planIDOf(t, s, "Speeltuin"), planIDOf(t, s, "Fietsenrek"), planIDOf(t, s, "Bankjes")
	cast := r.post(addr+"/uitbrengen", url.Values{"plan": {speeltuin}})
	wantStatus(t, cast, 303)
	wantContains(t, r.follow(cast), "Uw stem is ontvangen", "Speeltuin")
	// The code session ended with the ballot; the code is used.
	if got := r.cookie("inspraak_stemcode_" + itoa(id)); got != "" {
		t.Fatalf("the code session outlived the ballot: %q", got)
	}
	again := newBrowser(t, s).post("/stemcode", url.Values{"code": {codes["Noor Noord"]}})
	wantStatus(t, again, 409)
	wantContains(t, again, "U heeft al gestemd")
	// DigiD after the code: Noor finds she voted.
	noor := resident(t, s, bsnNoord, "Noor")
	wantContains(t, noor.get(addr), "U heeft al gestemd")
	wantNotContains(t, noor.get(addr), "Kies dit plan")
	wantStatus(t, noor.post(addr+"/uitbrengen", url.Values{"plan": {bankjes}}), 409)

	// The stand. Not for editors; a wrong BSN and someone off the list
	// are refused; the BSN is not shown back.
	wantStatus(t, ed.get(base+"/stembureau"), 403)
	home := staff.get("/beheer")
	wantContains(t, home, `href="/beheer/stembureau"`)
	wantContains(t, staff.get("/beheer/stembureau"), "Wijkbudget 2027", base+"/stembureau")
	wrong := staff.post(base+"/stembureau", url.Values{"bsn": {"999990018"}})
	wantStatus(t, wrong, 422)
	wantContains(t, wrong, "Dit BSN klopt niet", `href="#bsn"`)
	wantAbsent(t, wrong, 422, "999990018")
	off := staff.post(base+"/stembureau", url.Values{"bsn": {bsnOost}})
	wantStatus(t, off, 403)
	wantContains(t, off, "staat niet op de lijst")
	voted := staff.post(base+"/stembureau", url.Values{"bsn": {bsnNoord}})
	wantStatus(t, voted, 409)
	wantContains(t, voted, "U heeft al gestemd")
	ticket := staff.post(base+"/stembureau", url.Values{"bsn": {"9999 90 019"}})
	wantStatus(t, ticket, 303)
	if loc := mustLocation(t, ticket); loc != addr {
		t.Fatalf("after the lookup went to %s", loc)
	}
	// While the kiosk lives, no staff page; the voting page is Zus's.
	busy := staff.get("/beheer/stembureau")
	wantStatus(t, busy, 403)
	wantContains(t, busy, "Op dit apparaat wordt gestemd", "Stemmen stoppen en uitloggen")
	wantStatus(t, staff.get(base+"/papier"), 403)
	kiosk := staff.get(addr)
	wantContains(t, kiosk, "U stemt over het budget van uw wijk Zuid", "Fietsenrek")
	wantStatus(t, staff.post(addr+"/uitbrengen", url.Values{"plan": {fietsenrek}}), 303)
	// One ballot ends the kiosk: the staff pages are back, and the device
	// cannot vote again.
	wantStatus(t, staff.get("/beheer/stembureau"), 200)
	wantNotContains(t, staff.get(addr), "Kies dit plan")

	// Paper: Piet's paper in a batch; it counts after another member's
	// check.
	papers := staff.post(base+"/papier", nil)
	wantStatus(t, papers, 303)
	batch := mustLocation(t, papers)
	wrongCode := staff.post(batch+"/stembiljetten", url.Values{"code": {codes["Noor Noord"]}, "plan_" + speeltuin: {"1"}})
	wantStatus(t, wrongCode, 409)
	wantContains(t, wrongCode, "U heeft al gestemd", `value="`+codes["Noor Noord"]+`"`)
	wantStatus(t, staff.post(batch+"/stembiljetten", url.Values{"code": {codes["Piet Papier"]}, "plan_" + bankjes: {"1"}}), 303)
	wantStatus(t, staff.post(batch+"/ongeldig", url.Values{"ongeldig": {"1"}}), 303)
	page = staff.get(batch)
	wantContains(t, page, "Stembiljetten ingevoerd: 1. Ongeldig: 1.", "Bankjes")
	if n := countBallots(t, s, id)["paper"]; n != 1 {
		t.Fatalf("%d paper ballots stored", n)
	}
	wantStatus(t, staff.post(batch+"/indienen", nil), 303)
	self := staff.post(batch+"/controleren", url.Values{"stembiljetten": {"2"}})
	wantStatus(t, self, 403)
	wantContains(t, self, "U heeft deze stapel zelf ingevoerd")
	second := newBrowser(t, s)
	second.loginStaff("Twee De", "inspraak-stembureau")
	check := second.get(batch)
	wantContains(t, check, "Stapel controleren", "Bankjes")
	miscount := second.post(batch+"/controleren", url.Values{"stembiljetten": {"1"}})
	wantStatus(t, miscount, 422)
	wantContains(t, miscount, "U telde 1 stembiljetten, maar er zijn er 2 ingevoerd")
	wantStatus(t, second.post(batch+"/controleren", url.Values{"stembiljetten": {"2"}}), 303)
	wantContains(t, second.get(batch), "gecontroleerd, telt mee")
	noReason := second.post(batch+"/verbeteren", url.Values{"reden": {" "}})
	wantStatus(t, noReason, 422)
	wantContains(t, noReason, "Schrijf op waarom")

	got := countBallots(t, s, id)
	if got["code"] != 1 || got["stand"] != 1 || got["paper"] != 1 || got["online"] != 0 {
		t.Fatalf("ballots per channel: %v", got)
	}
	// The checked paper ballot is in the tally; the tally equals a recount.
	tallies, err := s.App.Budgets.Tallies(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := s.App.Budgets.Recount(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	bk, _ := strconv.ParseInt(bankjes, 10, 64)
	if tallies[bk][budget.ChannelPaper].Votes != 1 || fmt.Sprint(tallies) != fmt.Sprint(recount) {
		t.Fatalf("tallies %v, recount %v", tallies, recount)
	}
}
