//go:build browser

package browsertest

import (
	"context"
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
		if png, err := chromedp.Run(tab, chromedp.FullScreenshot(85)); err == nil {
			s.save(t, "budget-"+name+"-"+shot+".jpg", png)
		}
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
		if png, err := chromedp.Run(tab, chromedp.FullScreenshot(85)); err == nil {
			s.save(t, "budget-uitslag-"+vp.name+".jpg", png)
		}
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}
