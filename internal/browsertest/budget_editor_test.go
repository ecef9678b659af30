//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBudgetEditorBuildsAWijkBudget is an editor building a wijk budget in
// the back office, at desktop size: the new-budget form (its error summary
// for an amount that is not one, what was typed kept), the budget with its
// wijk amounts, a plan added to Noord, and the public page showing it.
// axe-core checks the form with its errors, the editor's budget page and
// the plan form; the rules themselves are the HTTP tests'.
func TestBudgetEditorBuildsAWijkBudget(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	tab, pr := s.newTabFor(t, 3*tabTimeout)
	defer func() {
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	}()
	// The refused form answers 422 on purpose.
	pr.allow(func(u string) bool { return strings.HasSuffix(u, "/begrotingen") || strings.HasSuffix(u, "/plannen") })
	vp := viewports[0]
	if err := chromedp.Do(tab, emulate(vp)); err != nil {
		t.Fatal(err)
	}
	s.logInByRequests(t, tab, admin)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			if shot, serr := chromedp.Run(tab, chromedp.CaptureScreenshot()); serr == nil {
				s.save(t, "budget-editor-failed.png", shot)
			}
			t.Fatalf("%s: %v", what, err)
		}
	}
	// set fills the named fields (the i-th of a repeated name for "name#i").
	set := func(vals map[string]string) {
		t.Helper()
		for k, v := range vals {
			name, idx := k, 0
			if i := strings.IndexByte(k, '#'); i >= 0 {
				name = k[:i]
				_, _ = fmt.Sscan(k[i+1:], &idx)
			}
			sel := fmt.Sprintf(`document.querySelectorAll('main [name=%q]')[%d]`, name, idx)
			js := fmt.Sprintf(`(() => { const e = %s; if (!e) return false;
  if (e.type === "checkbox" || e.type === "radio") { e.checked = %t; } else { e.value = %q; } return true; })()`, sel, v == tick, v)
			found, err := chromedp.Run(tab, chromedp.Evaluate[bool](js))
			if err != nil || !found {
				step("fill "+k, fmt.Errorf("no field %s (%v)", k, err))
			}
		}
	}
	checkPage := func(name string, want ...string) {
		t.Helper()
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		step("read "+name, err)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: no %q in: %.800s", name, w, text)
			}
		}
		if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", name, len(res.Violations), formatViolations(res.Violations))
		}
	}

	newForm := "/beheer/projecten/1/begrotingen/nieuw"
	step("open the new-budget form", chromedp.Do(tab, chromedp.Navigate(s.base+newForm), chromedp.WaitReady(chromedp.CSS("body"))))
	form := map[string]string{"titel": "Wijkbudget Marktplein", "slug": "wijkbudget-marktplein", "uitleg": "Verdeel het geld van uw wijk.",
		"per_wijk": tick, "wijk_naam#0": "Noord", "wijk_bedrag#0": "€ 5.000", "wijk_naam#1": "Zuid", "wijk_bedrag#1": "veel", "publiceren": tick}
	set(form)
	step(`press "Opslaan"`, chromedp.Do(tab, chromedp.Click(chromedp.Search(`//main//*[@id="wijkbron-brp"]`))))
	resp, err := clickThrough(tab, "Opslaan")
	if err == nil {
		err = landed(resp, "/beheer/projecten/1/begrotingen", http.StatusUnprocessableEntity)
	}
	step("save with an amount that is not one", err)
	checkPage("the form with its error", "Er is iets niet goed ingevuld", "Een bedrag bij een wijk is geen bedrag")
	if v, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelectorAll('main [name="wijk_bedrag"]')[1].value`)); err != nil || v != "veel" {
		t.Errorf("the refused amount came back as %q (%v), want what was typed", v, err)
	}

	set(map[string]string{"wijk_bedrag#1": "3000"})
	resp, err = clickThrough(tab, "Opslaan")
	step("save the budget", err)
	edit := regexp.MustCompile(`^/beheer/projecten/1/begrotingen/\d+$`)
	if resp.Status != http.StatusOK || !edit.MatchString(pathOf(resp.URL)) {
		t.Fatalf("after saving: %s (HTTP %d), want the budget's page", resp.URL, resp.Status)
	}
	checkPage("the budget", "Noord: € 5.000", "Zuid: € 3.000", "Plan toevoegen")

	resp, err = clickThrough(tab, "Plan toevoegen")
	step(`press "Plan toevoegen"`, err)
	if !strings.HasSuffix(pathOf(resp.URL), "/plannen/nieuw") {
		t.Fatalf("the plan form is at %s", resp.URL)
	}
	set(map[string]string{"titel": "Een bank bij de markt", "samenvatting": "Een bank in de schaduw.", "kosten": "1.250", "thema": "Zitten"})
	checkPage("the plan form", "Plan toevoegen")
	resp, err = clickThrough(tab, "Opslaan")
	step("save the plan", err)
	if !edit.MatchString(pathOf(resp.URL)) {
		t.Fatalf("after the plan: %s (HTTP %d), want the budget's page", resp.URL, resp.Status)
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	step("read the budget", err)
	if !strings.Contains(text, "Een bank bij de markt") || !strings.Contains(text, "€ 1.250") {
		t.Errorf("the budget does not list the new plan: %.800s", text)
	}
	s.fullShot(t, tab, "budget-editor-desktop.jpg")

	// A visitor sees the budget, its wijken and the plan.
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	resp, err = chromedp.Run(ctx, chromedp.NavigateResponse(s.base+"/projecten/herinrichting-marktplein/wijkbudget-marktplein"))
	step("open the public page", err)
	if resp.Status != http.StatusOK {
		t.Fatalf("the public page: HTTP %d", resp.Status)
	}
	text, err = chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	step("read the public page", err)
	for _, w := range []string{"Wijkbudget Marktplein", "Een bank bij de markt", "Noord"} {
		if !strings.Contains(text, w) {
			t.Errorf("the public page lacks %q: %.600s", w, text)
		}
	}
}
