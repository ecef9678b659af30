//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The moderation screens, as a moderator (an administrator may moderate)
// sees them on the demo content, and the report form as a resident sees
// it. Item numbers follow the demo seed: 1 is the pre-moderated playground
// idea, 9 the comment hidden after three reports, 10 the idea held back
// for a phone number.
func init() {
	pages = append(pages,
		page{name: "mod-queue", login: admin, path: "/beheer/moderatie", status: http.StatusOK,
			h1: "Moderatie", contains: []string{"Volgende oppakken", "Automatische controle"}},
		page{name: "mod-queue-reported", login: admin, path: "/beheer/moderatie?waarom=reported&volgorde=nieuw", status: http.StatusOK,
			h1: "Moderatie", contains: []string{"Beledigend of kwetsend (2)"}},
		page{name: "mod-item-screened", login: admin, path: "/beheer/moderatie/10", status: http.StatusOK,
			h1: "Idee beoordelen", contains: []string{"Buurtbarbecue in het park", "Telefoonnummer"}},
		page{name: "mod-item-reported", login: admin, path: "/beheer/moderatie/9", status: http.StatusOK,
			h1: "Reactie beoordelen", contains: []string{"Wat een onzin allemaal", "3 meldingen"}},
		page{name: "mod-dashboard", login: admin, path: "/beheer/moderatie/dashboard", status: http.StatusOK,
			h1: "Overzicht", contains: []string{"Besluiten per week", "Reclame of spam"}},
		page{name: "mod-templates", login: admin, path: "/beheer/moderatie/sjablonen", status: http.StatusOK,
			h1: "Redenen", contains: []string{"Persoonsgegevens", "Reden toevoegen"}},
		page{name: "mod-templates-errors", login: admin, path: "/beheer/moderatie/sjablonen", click: "Reden toevoegen",
			status: http.StatusUnprocessableEntity, h1: "Redenen", contains: []string{"Vul een korte naam in."}},
		page{name: "mod-settings", login: admin, path: "/beheer/moderatie/instellingen", status: http.StatusOK,
			h1: "Instellingen", contains: []string{"Woordenlijst voor de automatische controle", "kanker*"}},
		page{name: "mod-blocks", login: admin, path: "/beheer/moderatie/blokkades", status: http.StatusOK,
			h1: "Blokkades", contains: []string{"Er zijn nu geen blokkades."}},
		page{name: "report-idea", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2/melden", status: http.StatusOK,
			h1: "Idee melden", contains: []string{"Reclame of spam", "Melding versturen"}},
		page{name: "report-errors", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2/melden", click: "Melding versturen",
			status: http.StatusUnprocessableEntity, h1: "Idee melden", contains: []string{"Kies waarom u dit meldt."}},
	)
}

// TestKeyboardOnlyModeration works the queue with the keyboard alone: Tab
// to "Volgende oppakken", Enter; on the claimed item choose "Afwijzen"
// with the arrow keys and save without a reason (the page says a reason is
// needed); choose "Goedkeuren" and save. The decision is stored and the
// next item opens ("then the next one" is ticked by default). axe-core
// checks the claimed item and its error state; every element that gets
// focus must show it.
func TestKeyboardOnlyModeration(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	tab, pr := s.newTab(t)
	// The decision without a reason is meant to be refused (422).
	pr.allow(func(u string) bool { return strings.HasSuffix(u, "/besluit") })
	k := &keyboard{t: t, s: s, tab: tab, shot: "keyboard-moderation", limit: 80}
	s.logInByRequests(t, tab, admin)
	if err := chromedp.Do(tab, emulate(viewports[0]), chromedp.Navigate(s.base+"/beheer/moderatie"),
		chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open the queue: %v", err)
	}
	axeClean := func(state string) {
		t.Helper()
		if res := runAxe(t, tab, axeSource); len(res.Violations) > 0 {
			t.Errorf("axe-core on the %s: %d violations\n%s", state, len(res.Violations), formatViolations(res.Violations))
		}
		s.fullShot(t, tab, k.shot+"-"+strings.ReplaceAll(state, " ", "-")+".jpg")
	}
	k.tabTo(`the "Volgende oppakken" button`, `a.tag === "button" && a.text === "Volgende oppakken"`)
	first := k.enterAny("/beheer/moderatie/", 200)
	axeClean("claimed item")

	k.tabTo("the decision choices", `a.id === "besluit-approve"`)
	k.press(kb.ArrowDown) // radio buttons: the arrow moves the choice to "Afwijzen"
	if f := k.focus(); f.ID != "besluit-reject" {
		t.Fatalf("the arrow key moved focus to %q, want besluit-reject", f.ID)
	}
	k.tabTo(`the "Besluit opslaan" button`, `a.tag === "button" && a.text === "Besluit opslaan"`)
	if got := k.enterAny("/beheer/moderatie/", 422); got != first+"/besluit" {
		t.Fatalf("a refused decision left the item: %s", got)
	}
	axeClean("decision without a reason")

	k.tabTo("the decision choices", `a.tag === "input" && a.id.startsWith("besluit-")`)
	k.press(kb.ArrowUp) // back to "Goedkeuren"
	if f := k.focus(); f.ID != "besluit-approve" {
		t.Fatalf("the arrow key moved focus to %q, want besluit-approve", f.ID)
	}
	k.tabTo(`the "Besluit opslaan" button`, `a.tag === "button" && a.text === "Besluit opslaan"`)
	if next := k.enterAny("/beheer/moderatie/", 200); next == first {
		t.Fatalf("after deciding, the same item %s opened again", first)
	}
	text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Goedgekeurd. De bijdrage staat online.") {
		t.Errorf("no confirmation after the decision: %.300s", text)
	}
	t.Logf("focus stops: %s", strings.Join(k.stops, " → "))
	for _, e := range k.noIndicator {
		t.Errorf("no visible focus indicator: %s", e)
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}

// enterAny presses Enter and waits for the page it leads to, whose path
// must start with prefix and whose status must be one of statuses; it
// returns the path.
func (k *keyboard) enterAny(prefix string, statuses ...int) string {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(k.tab, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err == nil && resp == nil {
		err = fmt.Errorf("no response")
	}
	var path string
	if err == nil {
		u, perr := url.Parse(resp.URL)
		if perr != nil {
			err = perr
		} else {
			path = u.Path
			if !strings.HasPrefix(path, prefix) || len(path) == len(prefix) || !slices.Contains(statuses, int(resp.Status)) {
				err = fmt.Errorf("ended on %s (HTTP %d), want %s… (HTTP %v)", u.RequestURI(), resp.Status, prefix, statuses)
			}
		}
	}
	if err != nil {
		k.screenshot()
		k.t.Fatalf("press Enter (focus stops so far: %s): %v", strings.Join(k.stops, " → "), err)
	}
	if err := chromedp.Do(k.tab, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		k.t.Fatalf("wait for %s: %v", path, err)
	}
	return path
}
