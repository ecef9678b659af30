//go:build browser

package browsertest

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"inspraak/internal/app"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
)

// budgetPath is the budget seedBudget makes in a demo project: per wijk,
// the resident declares the wijk, knapsack, counted with equal shares,
// changes allowed. Zuid has € 10.000 and three plans of which two fit.
const budgetPath = "/projecten/groen-in-de-wijk/wijkgeld-kiezen"

const (
	planTables = "Picknicktafels in het park" // € 4.000, with an image
	planTrees  = "Twintig nieuwe bomen"       // € 5.000
	planSlide  = "Een glijbaan bij de school" // € 3.000: does not fit after the other two
)

func init() { seeds = append(seeds, seedBudget) }

func seedBudget(ctx context.Context, a *app.App) error {
	p, err := a.Projects.GetPublic(ctx, "groen-in-de-wijk")
	if err != nil {
		return err
	}
	actor := identity.SystemActor("browsertest")
	opens, closes := time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour)
	b, err := a.Budgets.Create(ctx, actor, budget.Draft{ProjectID: p.ID, Slug: "wijkgeld-kiezen", Title: "Wijkgeld: kies zelf uw wijk",
		Description: "Bewoners kiezen samen waar het buurtgeld naartoe gaat.", Published: true,
		Rules:    instrument.Instrument{Who: instrument.WhoDigiD, OpensAt: &opens, ClosesAt: &closes, AllowChange: true},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleMES, PerWijk: true, WijkSource: budget.WijkDeclared},
		Areas:    []budget.AreaInput{{Wijk: "Noord", Amount: 1_500_000}, {Wijk: "Zuid", Amount: 1_000_000}}})
	if err != nil {
		return err
	}
	noord, zuid := b.AreaOf("Noord").ID, b.AreaOf("Zuid").ID
	for _, pi := range []budget.PlanInput{
		{AreaID: zuid, Title: planTables, Summary: "Drie tafels onder de bomen, voor iedereen.", Cost: 400_000, Theme: "Ontmoeten",
			Image: scene(0), ImageAlt: "Een grasveld met een gele zon"},
		{AreaID: zuid, Title: planTrees, Summary: "Bomen in de straten zonder groen.", Cost: 500_000, Theme: "Groen"},
		{AreaID: zuid, Title: planSlide, Summary: "Een glijbaan op het plein bij de basisschool.", Cost: 300_000, Theme: "Spelen"},
		{AreaID: noord, Title: "Een buurtmoestuin", Cost: 700_000, Theme: "Groen"},
	} {
		if _, err := a.Budgets.AddPlan(ctx, actor, b.InstrumentID, pi); err != nil {
			return err
		}
	}
	return nil
}

// scriptsOff turns JavaScript off in the tab, as a resident without it.
func scriptsOff(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	})
}

// TestBudgetResidentJourney votes in the seeded budget with the keyboard
// only, at 1280 and 375 px, with JavaScript and without: choose the wijk
// (arrow keys in the radio group, Enter), add two plans with "Kies dit
// plan" (with JavaScript the page is not reloaded: focus stays on the
// plan's button, now "Weghalen", and the live region says "Nog € … over";
// without, the page comes back at the plan), try a third that does not fit
// (the Dutch message, and the basket as it was), go on to the confirmation
// and cast the ballot, ending on the receipt. Every focus stop must show
// its focus; axe-core checks the budget page, the confirmation and the
// receipt; screenshots of each are kept.
func TestBudgetResidentJourney(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	for _, vp := range viewports {
		for _, js := range []bool{true, false} {
			name := vp.name + "-js"
			if !js {
				name = vp.name + "-nojs"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				budgetByKeyboard(t, s, vp, js, name, axeSource)
			})
		}
	}
}

func budgetByKeyboard(t *testing.T, s *site, vp viewport, js bool, name, axeSource string) {
	// A journey of five pages with axe-core on each: more than one
	// page's tabTimeout on a busy machine.
	tab, pr := s.newTabFor(t, 4*tabTimeout)
	defer func() {
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	}()
	// The refused add answers 422 on purpose (the page with the message).
	pr.allow(func(u string) bool { return u == s.base+budgetPath+"/mandje" })
	k := &keyboard{t: t, s: s, tab: tab, shot: "budget-" + name}
	if err := chromedp.Do(tab, emulate(vp)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	s.logInByRequests(t, tab, resident)
	if !js {
		if err := chromedp.Do(tab, scriptsOff(true)); err != nil {
			t.Fatalf("JavaScript off: %v", err)
		}
	}
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+budgetPath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", budgetPath, err)
	}
	look := func(shot string, want ...string) {
		t.Helper()
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in: %.800s", shot, w, text)
			}
		}
		if !js {
			// axe-core runs in the page: let it, without reloading (the
			// page's own script stays unrun).
			if err := chromedp.Do(tab, scriptsOff(false)); err != nil {
				t.Fatal(err)
			}
		}
		if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", shot, len(res.Violations), formatViolations(res.Violations))
		}
		if !js {
			if err := chromedp.Do(tab, scriptsOff(true)); err != nil {
				t.Fatal(err)
			}
		}
		s.fullShot(t, tab, "budget-"+name+"-"+shot+".jpg")
	}
	look("wijk", "Kies uw wijk", "In welke wijk woont u?", "de methode van gelijke delen")

	// The wijk: Tab into the radio group, ArrowDown to Zuid, Tab to the
	// button, Enter.
	k.tabTo("the first wijk", `a.tag === "input" && a.type === "radio"`)
	if f := k.press(kb.ArrowDown); !strings.Contains(f.Text, "Zuid") {
		t.Fatalf("ArrowDown in the wijk group went to %s", f.describe())
	}
	k.tabTo("Deze wijk kiezen", `a.tag === "button" && a.text === "Deze wijk kiezen"`)
	k.enter(budgetPath)
	look("plannen", "U stemt over het budget van uw wijk Zuid: € 10.000.", planTables, planTrees, planSlide, "Nog over:")

	add := func(plan string, wantLeft string) {
		t.Helper()
		k.tabTo("Kies dit plan: "+plan, chooseButton(plan))
		if js {
			k.press(kb.Enter)
			announced := waitText(t, tab, `document.getElementById("mandje-melding").textContent`, "Nog "+wantLeft+" over")
			if !announced {
				k.screenshot()
				t.Fatalf("after adding %q the live region did not say %q", plan, "Nog "+wantLeft+" over")
			}
			f := k.focus()
			if !strings.HasPrefix(f.Text, "Weghalen") || !strings.Contains(f.Text, plan) {
				t.Errorf("after adding %q focus is on %s, want its Weghalen button", plan, f.describe())
			}
			if !f.Indicator {
				t.Errorf("the focused Weghalen button shows no focus")
			}
		} else {
			k.enter(budgetPath)
		}
		left, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("[data-budget=left]").textContent`))
		if err != nil || left != wantLeft {
			t.Errorf("after adding %q the basket says %q left, want %q (%v)", plan, left, wantLeft, err)
		}
	}
	add(planTables, "€ 6.000")
	add(planTrees, "€ 1.000")

	// The slide does not fit: the message, and nothing lost.
	k.tabTo("Kies dit plan: "+planSlide, chooseButton(planSlide))
	if js {
		k.press(kb.Enter)
		if !waitText(t, tab, `(document.querySelector("#mandje-meldingen [role=alert]") || {}).textContent || ""`, "meer dan het budget") {
			k.screenshot()
			t.Fatalf("no message after adding a plan that does not fit")
		}
	} else {
		k.enterStatus(budgetPath+"/mandje", 422)
	}
	look("te-duur", "Dat is meer dan het budget van € 10.000", "Uw keuze is bewaard zoals hij was", "€ 1.000")

	k.tabTo("Verder naar stemmen", `a.tag === "a" && a.text === "Verder naar stemmen"`)
	k.enter(budgetPath + "/bevestigen")
	look("bevestigen", "Kijk uw keuze na", planTables, planTrees, "€ 9.000", "Stem definitief uitbrengen")
	k.tabTo("Stem definitief uitbrengen", `a.tag === "button" && a.text === "Stem definitief uitbrengen"`)
	k.enter(budgetPath + "/stembewijs")
	look("stembewijs", "Uw stem is ontvangen", planTables, planTrees, "€ 9.000", "Uw stem is geheim")
	for _, e := range k.noIndicator {
		t.Errorf("no visible focus indicator: %s", e)
	}
}

// chooseButton is the focus condition of a plan's "Kies dit plan" button
// (its text ends in the plan's title, for screen readers).
func chooseButton(plan string) string {
	return `a.tag === "button" && a.text.startsWith("Kies dit plan") && a.text.includes(` + strconv.Quote(plan) + `)`
}

// waitText polls a JavaScript expression until its text contains want
// (a few seconds at most).
func waitText(t *testing.T, tab context.Context, expr, want string) bool {
	t.Helper()
	for range 40 {
		got, err := chromedp.Run(tab, chromedp.Evaluate[string](expr))
		if err == nil && strings.Contains(got, want) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// resultsPath is a budget seedBudgetResult closes after stand ballots
// and publishes.
const resultsPath = "/projecten/groen-in-de-wijk/wijkgeld-uitslag"

func init() { seeds = append(seeds, seedBudgetResult) }

func seedBudgetResult(ctx context.Context, a *app.App) error {
	p, err := a.Projects.GetPublic(ctx, "groen-in-de-wijk")
	if err != nil {
		return err
	}
	actor := identity.SystemActor("browsertest")
	now := time.Now()
	opens, closes := now.Add(-2*time.Hour), now.Add(-time.Hour)
	during := a.Budgets.WithClock(func() time.Time { return now.Add(-90 * time.Minute) })
	b, err := during.Create(ctx, actor, budget.Draft{ProjectID: p.ID, Slug: "wijkgeld-uitslag", Title: "Wijkgeld: de uitslag",
		Published: true, Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleGreedy},
		Areas:    []budget.AreaInput{{Amount: 1_000_000}}})
	if err != nil {
		return err
	}
	var plans []int64
	for i, t := range []string{"Een bank bij de vijver", "Lantaarns op het fietspad", "Een hondenveld"} {
		pl, err := during.AddPlan(ctx, actor, b.InstrumentID, budget.PlanInput{AreaID: b.Areas[0].ID, Title: t, Cost: int64(3+min(i, 1)*2) * 100_000})
		if err != nil {
			return err
		}
		plans = append(plans, pl.ID)
	}
	for i := range 9 {
		lines := []budget.Line{{PlanID: plans[i%2], Points: 1}}
		if i%3 == 0 {
			lines = append(lines, budget.Line{PlanID: plans[2], Points: 1})
		}
		v := budget.Voter{Channel: budget.ChannelStand, Token: "uitslag-" + strconv.Itoa(i), Wijk: []string{"Noord", "Zuid", "De Brink"}[i%3]}
		if _, err := during.Cast(ctx, b.InstrumentID, v, budget.Choice{Lines: lines}); err != nil {
			return err
		}
	}
	return a.Budgets.PublishResult(ctx, actor, b.InstrumentID, true)
}

// TestBudgetResultPage checks the published result at both sizes: the
// plans with their votes, the bars with their text, the ballots per
// channel and the one total, axe-core clean.
func TestBudgetResultPage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	tab, pr := s.newTabFor(t, 3*tabTimeout)
	for _, vp := range viewports {
		if err := chromedp.Do(tab, emulate(vp), chromedp.Navigate(s.base+resultsPath+"/uitslag"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatalf("open %s: %v", resultsPath, err)
		}
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []string{"Uitslag: Wijkgeld: de uitslag", "Een bank bij de vijver", "Lantaarns op het fietspad", "Bij een stembus", "Totaal", "Per wijk"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in: %.800s", vp.name, w, text)
			}
		}
		if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", vp.name, len(res.Violations), formatViolations(res.Violations))
		}
		s.fullShot(t, tab, "budget-uitslag-"+vp.name+".jpg")
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}

// lettersPath is the budget seedBudgetLetters makes: per wijk, the wijk
// from the register (the postcode in testdata/wijken.csv), knapsack, a
// register of two residents in Zuid with a letter each.
const lettersPath = "/projecten/groen-in-de-wijk/wijkgeld-brief"

const (
	planBench  = "Een bank bij de bushalte"      // Zuid, € 2.000, with an image
	planLamps  = "Lampen in het steegje"         // Zuid, € 3.000
	planHedge  = "Een haag langs de speelplaats" // Zuid, € 2.500
	letterLot  = "Lot Letter"                    // votes with her code online
	letterPiet = "Piet Papier"                   // votes on paper
)

// letters is what seedBudgetLetters made: the budget's instrument id, the
// code in each resident's letter (by name) and the plan ids (by title).
var letters struct {
	id    int64
	codes map[string]string
	plans map[string]int64
}

func init() { seeds = append(seeds, seedBudgetLetters) }

// seedBudgetLetters builds the budget as an editor's pages would, uploads
// the register and takes the codes from the print shop's file, as the
// letters carry them.
func seedBudgetLetters(ctx context.Context, a *app.App) error {
	p, err := a.Projects.GetPublic(ctx, "groen-in-de-wijk")
	if err != nil {
		return err
	}
	actor := identity.SystemActor("browsertest")
	opens, closes := time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour)
	b, err := a.Budgets.Create(ctx, actor, budget.Draft{ProjectID: p.ID, Slug: "wijkgeld-brief", Title: "Wijkgeld: stemmen met een brief",
		Description: "Wie een brief kreeg, stemt met de code. Of op papier.", Published: true,
		Rules:    instrument.Instrument{Who: instrument.WhoDigiD, OpensAt: &opens, ClosesAt: &closes},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleGreedy, PerWijk: true, WijkSource: budget.WijkBRP},
		Areas:    []budget.AreaInput{{Wijk: "Noord", Amount: 1_000_000}, {Wijk: "Zuid", Amount: 800_000}}})
	if err != nil {
		return err
	}
	letters.id, letters.plans = b.InstrumentID, map[string]int64{}
	noord, zuid := b.AreaOf("Noord").ID, b.AreaOf("Zuid").ID
	for _, pi := range []budget.PlanInput{
		{AreaID: zuid, Title: planBench, Summary: "Een bank met een rugleuning, om op de bus te wachten.", Cost: 200_000, Theme: "Ontmoeten",
			Image: scene(1), ImageAlt: "Een grasveld met een gele zon"},
		{AreaID: zuid, Title: planLamps, Summary: "Het steegje naar de school is 's avonds donker.", Cost: 300_000, Theme: "Veilig"},
		{AreaID: zuid, Title: planHedge, Summary: "Een groene haag in plaats van het hek.", Cost: 250_000, Theme: "Groen"},
		{AreaID: noord, Title: "Een pannaveldje", Cost: 600_000, Theme: "Spelen"},
	} {
		pl, err := a.Budgets.AddPlan(ctx, actor, b.InstrumentID, pi)
		if err != nil {
			return err
		}
		letters.plans[pl.Title] = pl.ID
	}
	register := "BSN;Naam;Adres;Postcode;Woonplaats\n" +
		"999993653;" + letterLot + ";Kerkstraat 1;6591 AB;Ons Dorp\n" +
		"999990019;" + letterPiet + ";Dorpsweg 2;6591 AC;Ons Dorp\n"
	if _, err := a.Budgets.ImportRegister(ctx, actor, b.InstrumentID, strings.NewReader(register)); err != nil {
		return err
	}
	var mm bytes.Buffer
	if err := a.Budgets.WriteMailMerge(ctx, actor, b.InstrumentID, strings.NewReader(register), &mm); err != nil {
		return err
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(mm.String(), "\ufeff")))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		return err
	}
	letters.codes = map[string]string{}
	for _, row := range rows[1:] { // naam;straat;postcode;woonplaats;code;…
		letters.codes[row[0]] = row[4]
	}
	if len(letters.codes) != 2 {
		return fmt.Errorf("letters: %d codes in the mail merge, want 2:\n%s", len(letters.codes), mm.String())
	}
	return nil
}

// TestBudgetLetterCodeJourney is Lot's letter, on a phone, with the
// keyboard only: from the budget's page the link for a letter with a
// code, the code typed as it is in the letter (lower case is fine), the
// plans of her wijk (the register's, no question asked), two plans in the
// basket (the live region says what is left), the confirmation and the
// receipt. The same code then says she voted. axe-core checks the pages
// no other check covers: the budget page of a visitor with its code
// link, and the code page's refusal.
func TestBudgetLetterCodeJourney(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	tab, pr := s.newTabFor(t, 4*tabTimeout)
	defer func() {
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	}()
	// The used code's refusal answers 409 on purpose.
	pr.allow(func(u string) bool { return u == s.base+budget.CodePath })
	k := &keyboard{t: t, s: s, tab: tab, shot: "budget-code-phone"}
	if err := chromedp.Do(tab, emulate(viewports[1]), chromedp.Navigate(s.base+lettersPath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", lettersPath, err)
	}
	look := func(what string, want ...string) {
		t.Helper()
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in: %.800s", what, w, text)
			}
		}
	}
	axe := func(what string) {
		t.Helper()
		if res := runAxe(t, tab, axeSource); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", what, len(res.Violations), formatViolations(res.Violations))
		}
	}
	look("the budget page", "Log in om mee te doen.", "Brief met een code ontvangen?")
	axe("the budget page of a visitor")

	code := letters.codes[letterLot]
	k.tabTo("the letter code link", `a.tag === "a" && a.text === "Stem met de code uit uw brief"`)
	k.enter(budget.CodePath)
	k.tabTo("the code field", `a.id === "code"`)
	k.typeText(strings.ToLower(code))
	k.enter(lettersPath)
	look("the plans", "U stemt over het budget van uw wijk Zuid: € 8.000.", planBench, planLamps, planHedge)
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](eagerImagesJS, chromedp.EvalAwaitPromise)); err != nil {
		t.Errorf("load the page's images: %v", err)
	}
	s.fullShot(t, tab, "budget-code-phone-plannen.jpg")

	for _, add := range []struct{ plan, left string }{{planBench, "€ 6.000"}, {planLamps, "€ 3.000"}} {
		k.tabTo("Kies dit plan: "+add.plan, chooseButton(add.plan))
		k.press(kb.Enter)
		if !waitText(t, tab, `document.getElementById("mandje-melding").textContent`, "Nog "+add.left+" over") {
			k.screenshot()
			t.Fatalf("after adding %q the live region did not say %q", add.plan, "Nog "+add.left+" over")
		}
	}
	k.tabTo("Verder naar stemmen", `a.tag === "a" && a.text === "Verder naar stemmen"`)
	k.enter(lettersPath + "/bevestigen")
	look("the confirmation", planBench, planLamps, "€ 5.000")
	k.tabTo("Stem definitief uitbrengen", `a.tag === "button" && a.text === "Stem definitief uitbrengen"`)
	k.enter(lettersPath + "/stembewijs")
	look("the receipt", "Uw stem is ontvangen", planBench, planLamps)

	// The letter again: the code is used.
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+budget.CodePath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", budget.CodePath, err)
	}
	k.tabTo("the code field", `a.id === "code"`)
	k.typeText(code)
	k.enterStatus(budget.CodePath, 409)
	look("the code again", "U heeft al gestemd")
	axe("the code page refusing a used code")
	for _, e := range k.noIndicator {
		t.Errorf("no visible focus indicator: %s", e)
	}
}

// TestBudgetPaperBatchJourney is a paper ballot, four eyes: one member of
// staff opens a batch, enters Piet's paper (his letter's code and the plan
// he marked) and submits the batch; the result then shows it waiting,
// not counted. A second member counts the pile and checks the batch; the
// result then counts it on paper. axe-core checks the batch as its
// enterer sees it, as the checker sees it, and the staff result. Staff
// work at a desktop.
func TestBudgetPaperBatchJourney(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	base := "/beheer/begrotingen/" + strconv.FormatInt(letters.id, 10)
	check := func(tab context.Context, what string, want ...string) {
		t.Helper()
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in: %.800s", what, w, text)
			}
		}
		if res := runAxe(t, tab, axeSource); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", what, len(res.Violations), formatViolations(res.Violations))
		}
	}
	step := func(tab context.Context, what string, err error) {
		t.Helper()
		if err != nil {
			if png, serr := chromedp.Run(tab, chromedp.CaptureScreenshot()); serr == nil {
				s.save(t, "budget-paper-failed.png", png)
			}
			t.Fatalf("%s: %v", what, err)
		}
	}
	click := func(tab context.Context, button string) {
		t.Helper()
		resp, err := clickThrough(tab, button)
		if err == nil && resp.Status != 200 {
			err = fmt.Errorf("HTTP %d at %s", resp.Status, resp.URL)
		}
		step(tab, "press "+strconv.Quote(button), err)
	}
	// onPaper is the paper row of the result's ballots per channel.
	onPaper := func(tab context.Context) string {
		t.Helper()
		step(tab, "open the result", chromedp.Do(tab, chromedp.Navigate(s.base+base+"/uitslag"), chromedp.WaitReady(chromedp.CSS("body"))))
		n, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
  const th = [...document.querySelectorAll("main th[scope=row]")].find(h => h.textContent.trim() === "Op papier");
  return th ? th.nextElementSibling.textContent.trim() : "(no row)";
})()`))
		step(tab, "read the result", err)
		return n
	}

	enterer, pr1 := s.newTabFor(t, 3*tabTimeout)
	if err := chromedp.Do(enterer, emulate(viewports[0])); err != nil {
		t.Fatal(err)
	}
	s.logInByRequests(t, enterer, admin)
	step(enterer, "open the batches", chromedp.Do(enterer, chromedp.Navigate(s.base+base+"/papier"), chromedp.WaitReady(chromedp.CSS("body"))))
	click(enterer, "Nieuwe stapel beginnen")
	batch, err := chromedp.Run(enterer, chromedp.Location())
	step(enterer, "read the batch address", err)
	lamps := "plan_" + strconv.FormatInt(letters.plans[planLamps], 10)
	step(enterer, "fill in the paper", chromedp.Do(enterer,
		chromedp.SetValue(chromedp.ID("code"), letters.codes[letterPiet]), chromedp.Click(chromedp.ID(lamps))))
	click(enterer, "Stembiljet opslaan")
	check(enterer, "the batch as its enterer sees it", "Stembiljetten ingevoerd: 1. Ongeldig: 0.", planLamps, "Klaar: laten controleren")
	click(enterer, "Klaar: laten controleren")
	if n := onPaper(enterer); n != "0" {
		t.Errorf("before the check the result counts %s paper ballots, want 0", n)
	}
	check(enterer, "the result before the check", "1 stembiljet op papier is nog niet gecontroleerd")

	checker, pr2 := s.newTabFor(t, 3*tabTimeout)
	if err := chromedp.Do(checker, emulate(viewports[0])); err != nil {
		t.Fatal(err)
	}
	s.logInByRequests(t, checker, admin)
	step(checker, "open the batch", chromedp.Do(checker, chromedp.Navigate(batch), chromedp.WaitReady(chromedp.CSS("body"))))
	check(checker, "the batch as the checker sees it", "wacht op controle", planLamps, "Stapel controleren")
	s.fullShot(t, checker, "budget-paper-check-desktop.jpg")
	step(checker, "count the pile", chromedp.Do(checker, chromedp.SetValue(chromedp.ID("papers"), "1")))
	click(checker, "Gecontroleerd: laten meetellen")
	if n := onPaper(checker); n != "1" {
		t.Errorf("after the check the result counts %s paper ballots, want 1", n)
	}
	if text, _ := chromedp.Run(checker, chromedp.Evaluate[string](`document.querySelector("main").innerText`)); strings.Contains(text, "nog niet gecontroleerd") {
		t.Errorf("after the check the result still says a paper is waiting: %.800s", text)
	}
	for _, msg := range append(pr1.snapshot(), pr2.snapshot()...) {
		t.Errorf("%s", msg)
	}
}
