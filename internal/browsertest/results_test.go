//go:build browser

package browsertest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The analysts' results pages on the demo questionnaire (instrument 3 in
// the demo seed), as an administrator sees them.
func init() {
	pages = append(pages,
		page{name: "results-list", login: admin, path: "/beheer/resultaten", status: http.StatusOK,
			h1: "Resultaten", contains: []string{"Vragenlijst over het schetsontwerp", "Ideeënborden", "Uw ideeën voor meer groen"}},
		page{name: "results", login: admin, path: "/beheer/resultaten/3", status: http.StatusOK,
			h1: "Resultaten: Vragenlijst over het schetsontwerp", contains: []string{"Aantal mensen dat antwoord gaf", "Antwoorden per keuze", "Downloaden"}},
		page{name: "results-publish", login: admin, path: "/beheer/projecten/1/instrumenten/3/instellingen", status: http.StatusOK,
			h1: "Instellingen: Vragenlijst over het schetsontwerp", contains: []string{"Uitkomsten openbaar maken"}},
		page{name: "results-open", login: admin, path: "/beheer/resultaten/3/open-antwoorden", status: http.StatusOK,
			h1: "Open antwoorden: Vragenlijst over het schetsontwerp", contains: []string{"Code maken", "Zonder code"}},
		page{name: "results-open-errors", login: admin, path: "/beheer/resultaten/3/open-antwoorden", click: "Code maken",
			status: http.StatusUnprocessableEntity, h1: "Open antwoorden: Vragenlijst over het schetsontwerp", contains: []string{"Vul een naam voor de code in."}},
		page{name: "results-note", login: admin, path: "/beheer/resultaten/3/reactienota", status: http.StatusOK,
			h1: "Reactienota: Vragenlijst over het schetsontwerp", contains: []string{"Nieuw deel"}},
		page{name: "results-note-errors", login: admin, path: "/beheer/resultaten/3/reactienota", click: "Deel toevoegen",
			status: http.StatusUnprocessableEntity, h1: "Reactienota: Vragenlijst over het schetsontwerp", contains: []string{"Vul een kop in."}},
		page{name: "results-note-board", login: admin, path: "/beheer/resultaten/4/reactienota", status: http.StatusOK,
			h1: "Reactienota: Uw ideeën voor meer groen", contains: []string{"Over welk idee", "Nieuw deel"}},
		page{name: "results-note-board-errors", login: admin, path: "/beheer/resultaten/4/reactienota", click: "Deel toevoegen",
			status: http.StatusUnprocessableEntity, h1: "Reactienota: Uw ideeën voor meer groen", contains: []string{"Vul een kop in."}},
		page{name: "population", login: admin, path: "/beheer/resultaten/bevolking", status: http.StatusOK,
			h1: "Bevolkingscijfers", contains: []string{"Opslaan"}},
		page{name: "population-errors", login: admin, path: "/beheer/resultaten/bevolking", click: "Opslaan",
			status: http.StatusUnprocessableEntity, h1: "Bevolkingscijfers", contains: []string{"Het bestand is niet opgeslagen."}},
		page{name: "results-settings", login: admin, path: "/beheer/resultaten/instellingen", status: http.StatusOK,
			h1: "Privacy bij resultaten", contains: []string{"Drempel: het kleinste aantal dat we tonen"}},
		page{name: "results-settings-errors", login: admin, path: "/beheer/resultaten/instellingen", click: "Opslaan",
			fill: []field{{"drempel", "3"}}, status: http.StatusUnprocessableEntity, h1: "Privacy bij resultaten",
			contains: []string{"Vul een heel getal in van 5 tot en met 50."}},
		page{name: "staff-profile", login: admin, path: "/beheer/profiel", status: http.StatusOK,
			h1: "Uw profiel", contains: []string{"API-sleutels", "Sleutel maken"}},
		page{name: "results-wijk", login: admin, path: "/beheer/resultaten/3?uitsplitsen=wijk", status: http.StatusOK,
			h1: "Resultaten: Vragenlijst over het schetsontwerp", contains: []string{"Antwoorden per wijk", "Uitkomsten op de site"}},
	)
}

// TestPublicResultsPage publishes the demo questionnaire's results through
// the editor's button and checks the public page they lead to, at both
// sizes, with axe-core.
func TestPublicResultsPage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	// One tab does a whole journey (log in, publish, two pages at two
	// widths with axe-core, a response note): more than one page's limit.
	tab, pr := s.newTabFor(t, 3*tabTimeout)
	s.logInByRequests(t, tab, admin)
	if err := chromedp.Do(tab, emulate(viewports[0]), chromedp.Navigate(s.base+"/beheer/projecten/1/instrumenten/3/instellingen"),
		chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatal(err)
	}
	resp, err := clickThrough(tab, "Uitkomsten openbaar maken")
	if err != nil {
		t.Fatal(err)
	}
	if err := landed(resp, "/beheer/projecten/1/instrumenten/3/instellingen", http.StatusOK); err != nil {
		t.Fatal(err)
	}
	for _, vp := range viewports {
		if err := chromedp.Do(tab, emulate(vp)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/resultaten"))
		cancel()
		if err != nil || resp == nil || resp.Status != 200 {
			t.Fatalf("%s: open the public results: %v", vp.name, err)
		}
		text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if err != nil || !strings.Contains(text, "Uitkomsten: Vragenlijst over het schetsontwerp") || !strings.Contains(text, "Daar staat een x") {
			t.Fatalf("%s: public results page: %.300s (%v)", vp.name, text, err)
		}
		if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core: %d violations\n%s", vp.name, len(res.Violations), formatViolations(res.Violations))
		}
		s.fullShot(t, tab, "results-public-"+vp.name+".jpg")
	}
	// A response note with one section, published, read by the public.
	if err := chromedp.Do(tab, emulate(viewports[0]), chromedp.Navigate(s.base+"/beheer/resultaten/3/reactienota"),
		chromedp.WaitReady(chromedp.CSS("body")), chromedp.SendKeys(chromedp.CSS("#titel"), "Meer bomen"),
		chromedp.SendKeys(chromedp.CSS("#tekst"), "Aan de zuidkant komen acht lindebomen.")); err != nil {
		t.Fatal(err)
	}
	for _, button := range []string{"Deel toevoegen", "Reactienota publiceren"} {
		resp, err := clickThrough(tab, button)
		if err != nil {
			t.Fatal(err)
		}
		if err := landed(resp, "/beheer/resultaten/3/reactienota", http.StatusOK); err != nil {
			t.Fatalf("%s: %v", button, err)
		}
	}
	for _, vp := range viewports {
		if err := chromedp.Do(tab, emulate(vp)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(tab, 30*time.Second)
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/reactienota"))
		cancel()
		if err != nil || resp == nil || resp.Status != 200 {
			t.Fatalf("%s: open the response note: %v", vp.name, err)
		}
		if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
			t.Errorf("%s: axe-core on the response note: %d violations\n%s", vp.name, len(res.Violations), formatViolations(res.Violations))
		}
		s.fullShot(t, tab, "note-public-"+vp.name+".jpg")
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}
