//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inspraak/internal/app"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// polishSeed is what seedEditorPolish made: two draft projects of their
// own, so the demo stays as the other checks expect.
var polishSeed struct {
	// ready: a questionnaire with three questions, no timeline (warnings
	// only); moved and published by TestEditorPolish.
	ready, readyInstrument int64
	questions              []int64
	// blocked: a visible questionnaire without questions.
	blocked int64
}

const (
	readyTitle   = "Speelplek bij de vijver"
	blockedTitle = "Bankjes in het centrum"
)

func init() { seeds = append(seeds, seedEditorPolish) }

func seedEditorPolish(ctx context.Context, a *app.App) error {
	actor := identity.SystemActor("browsertest")
	opens, closes := time.Now().Add(24*time.Hour), time.Now().Add(30*24*time.Hour)
	rules := instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes}
	ready, err := a.Projects.Create(ctx, actor, project.Draft{Slug: "speelplek-bij-de-vijver", Title: readyTitle, Wijk: "Vijverbuurt",
		Summary: "Bij de vijver komt een speelplek. Vertel ons wat kinderen daar graag doen.",
		Body:    "## Wat gaat er gebeuren?\n\nHet grasveld bij de vijver wordt in de zomer een speelplek."})
	if err != nil {
		return err
	}
	var qs []consultation.QuestionDraft
	for _, text := range []string{"Wat doen uw kinderen nu bij de vijver?", "Wat missen zij daar?", "Hoe oud zijn uw kinderen?"} {
		qs = append(qs, consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.ShortText, Text: text}})
	}
	c, err := a.Consultations.Create(ctx, actor, consultation.Draft{ProjectID: ready.ID, Slug: "vragen-vijver", Title: "Vragen over de speelplek",
		Published: true, Rules: rules, Questions: qs})
	if err != nil {
		return err
	}
	polishSeed.ready, polishSeed.readyInstrument = ready.ID, c.InstrumentID
	for _, q := range c.Questions {
		polishSeed.questions = append(polishSeed.questions, q.ID)
	}
	blocked, err := a.Projects.Create(ctx, actor, project.Draft{Slug: "bankjes-in-het-centrum", Title: blockedTitle,
		Summary: "Waar wilt u een bankje in het centrum?", Body: "Wij zetten twintig nieuwe bankjes neer."})
	if err != nil {
		return err
	}
	empty, err := a.Consultations.CreateEmpty(ctx, actor, consultation.Draft{ProjectID: blocked.ID, Slug: "bankjes", Title: "Waar moeten de bankjes staan?", Rules: rules})
	if err != nil {
		return err
	}
	polishSeed.blocked = blocked.ID
	return a.Instruments.SetPublished(ctx, actor, blocked.ID, empty.InstrumentID, true)
}

// TestEditorPolish walks what issue 16 changed for editors, in Chromium,
// with axe-core and screenshots at 1280 and 375 px on every changed page:
// reordering questions with the keyboard alone (Tab to "Omlaag", Enter:
// the order changes, and focus is back on the moved question's button,
// described by the message that says where it is now); adding a question
// in two steps; the address suggested from the title as it is typed and,
// when taken, by the server; the preview of a draft; and the publish
// check, blocking and with warnings only, ending in "Toch publiceren".
func TestEditorPolish(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	questions := fmt.Sprintf("/beheer/projecten/%d/vragenlijsten/%d", polishSeed.ready, polishSeed.readyInstrument)

	// look checks the page the tab is on at both sizes: axe-core, a
	// screenshot each, and texts that must be in <main>.
	look := func(t *testing.T, tab context.Context, shot string, want ...string) {
		t.Helper()
		for _, vp := range viewports {
			if err := chromedp.Do(tab, emulate(vp)); err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range want {
				// Some labels are in capitals by CSS, which innerText shows.
				if !strings.Contains(strings.ToLower(text), strings.ToLower(w)) {
					t.Errorf("%s (%s): no %q in: %.600s", shot, vp.name, w, text)
				}
			}
			if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
				t.Errorf("%s (%s): axe-core: %d violations\n%s", shot, vp.name, len(res.Violations), formatViolations(res.Violations))
			}
			s.fullShot(t, tab, "editor-polish-"+shot+"-"+vp.name+".jpg")
		}
		if err := chromedp.Do(tab, emulate(viewports[0])); err != nil {
			t.Fatal(err)
		}
	}
	open := func(t *testing.T, tab context.Context, path string, status int) {
		t.Helper()
		ctx, cancel := context.WithTimeout(tab, stepTimeout)
		defer cancel()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
		if err == nil {
			err = landed(resp, strings.SplitN(path, "?", 2)[0], status)
		}
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		if err := chromedp.Do(tab, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
	}
	order := func(t *testing.T, tab context.Context) []string {
		t.Helper()
		got, err := chromedp.Run(tab, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll(".inspraak-question-item strong"), e => e.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	// focusOn waits for the focus to settle on the element with this id
	// (the browser focuses the address's fragment; editor.js makes sure).
	focusOn := func(t *testing.T, k *keyboard, id string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(k.tab, 5*time.Second)
		defer cancel()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.activeElement && document.activeElement.id === `+fmt.Sprintf("%q", id),
			chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			f := k.focus()
			k.screenshot()
			t.Fatalf("after the move, focus is on %s, want #%s", f.describe(), id)
		}
		described, err := chromedp.Run(k.tab, chromedp.Evaluate[string](
			`(() => { const d = document.activeElement.getAttribute("aria-describedby"); return d ? document.getElementById(d).innerText : ""; })()`))
		if err != nil || !strings.Contains(described, "is nu vraag") {
			t.Errorf("the focused button is not described by where the question went: %q (%v)", described, err)
		}
	}

	t.Run("reorder-by-keyboard", func(t *testing.T) {
		tab, pr := s.newTab(t)
		k := &keyboard{t: t, s: s, tab: tab, shot: "editor-polish-reorder", limit: 80}
		s.logInByRequests(t, tab, admin)
		open(t, tab, questions, http.StatusOK)
		first := polishSeed.questions[0]
		if got := strings.Join(order(t, tab), " | "); got != "Wat doen uw kinderen nu bij de vijver? | Wat missen zij daar? | Hoe oud zijn uw kinderen?" {
			t.Fatalf("order before: %s", got)
		}
		look(t, tab, "questions", "Vraag 1 van 3", "Omlaag", "Stap 1 van 2")

		k.tabTo(`"Omlaag" of the first question`, fmt.Sprintf(`a.id === "omlaag-%d"`, first))
		k.enterStatus(questions, http.StatusOK)
		if got := strings.Join(order(t, tab), " | "); got != "Wat missen zij daar? | Wat doen uw kinderen nu bij de vijver? | Hoe oud zijn uw kinderen?" {
			t.Fatalf("order after one move down: %s", got)
		}
		focusOn(t, k, fmt.Sprintf("omlaag-%d", first))
		look(t, tab, "questions-moved", "‘Wat doen uw kinderen nu bij de vijver?’ is nu vraag 2 van 3.")

		// Enter again on the focused button: to the end, where only
		// "Omhoog" is left, and focus goes there.
		if f := k.focus(); f.ID != fmt.Sprintf("omlaag-%d", first) { // look() resized the page; focus stays
			t.Fatalf("before the second Enter, focus is on %s", f.describe())
		}
		k.enterStatus(questions, http.StatusOK)
		if got := strings.Join(order(t, tab), " | "); got != "Wat missen zij daar? | Hoe oud zijn uw kinderen? | Wat doen uw kinderen nu bij de vijver?" {
			t.Fatalf("order after two moves down: %s", got)
		}
		focusOn(t, k, fmt.Sprintf("omhoog-%d", first))
		t.Logf("focus stops: %s", strings.Join(k.stops, " → "))
		for _, e := range k.noIndicator {
			t.Errorf("no visible focus indicator: %s", e)
		}
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	})

	t.Run("add-question-in-two-steps", func(t *testing.T) {
		tab, pr := s.newTab(t)
		s.logInByRequests(t, tab, admin)
		open(t, tab, questions, http.StatusOK)
		if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS(`#soort-scale`))); err != nil {
			t.Fatal(err)
		}
		// The GET form's address ends in #nieuwe-vraag, so step 2 opens
		// where step 1 was.
		ctx, cancel := context.WithTimeout(tab, stepTimeout)
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(buttonInMain("Verder")))
		cancel()
		if err == nil {
			err = landed(resp, questions, http.StatusOK)
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(tab, chromedp.WaitReady(chromedp.CSS("#schaal_min"))); err != nil {
			t.Fatal(err)
		}
		look(t, tab, "add-step-2", "Stap 2 van 2: Schaal.", "Laagste getal", "Andere soort kiezen")
		n, err := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("#antwoorden, #getal_min, #max_tekens").length`))
		if err != nil || n != 0 {
			t.Errorf("step 2 for a scale shows fields of other kinds: %d (%v)", n, err)
		}
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	})

	t.Run("address-from-title", func(t *testing.T) {
		tab, pr := s.newTab(t)
		pr.allow(func(u string) bool { return strings.HasSuffix(u, "/beheer/projecten") }) // the suggestion is a 422
		s.logInByRequests(t, tab, admin)
		open(t, tab, "/beheer/projecten/nieuw", http.StatusOK)
		slug := func() string {
			v, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.getElementById("slug").value`))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS("#title"), "Café & Zoë’s plein")); err != nil {
			t.Fatal(err)
		}
		if got := slug(); got != "cafe-en-zoes-plein" {
			t.Errorf("typing the title filled the address with %q", got)
		}
		// The title of a project that exists: the script fills in its
		// address, the server offers a free one.
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.getElementById("title").value = ""`), chromedp.SendKeys(chromedp.CSS("#title"), readyTitle),
			chromedp.SendKeys(chromedp.CSS("#summary"), "Een tweede speelplek.")); err != nil {
			t.Fatal(err)
		}
		if got := slug(); got != "speelplek-bij-de-vijver" {
			t.Errorf("address after retyping the title: %q", got)
		}
		resp, err := clickThrough(tab, "Opslaan")
		if err == nil {
			err = landed(resp, "/beheer/projecten", http.StatusUnprocessableEntity)
		}
		if err != nil {
			if png, serr := chromedp.Run(tab, chromedp.CaptureScreenshot()); serr == nil {
				s.save(t, "editor-polish-slug-failed.png", png)
			}
			at, _ := chromedp.Run(tab, chromedp.Location())
			t.Fatalf("%v (at %s) %q", err, at, pr.snapshot())
		}
		if got := slug(); got != "speelplek-bij-de-vijver-2" {
			t.Errorf("suggested address: %q", got)
		}
		look(t, tab, "slug-suggested", "Wij vulden een vrij webadres in")
		// Once the editor types an address, the title no longer changes it.
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`document.getElementById("slug").value = ""`), chromedp.SendKeys(chromedp.CSS("#slug"), "eigen-adres"),
			chromedp.SendKeys(chromedp.CSS("#title"), " twee")); err != nil {
			t.Fatal(err)
		}
		if got := slug(); got != "eigen-adres" {
			t.Errorf("the title overwrote the editor's own address: %q", got)
		}
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	})

	t.Run("preview-and-publish", func(t *testing.T) {
		tab, pr := s.newTab(t)
		s.logInByRequests(t, tab, admin)
		blocked := fmt.Sprintf("/beheer/projecten/%d", polishSeed.blocked)
		open(t, tab, blocked+"/publiceren", http.StatusOK)
		look(t, tab, "publish-blocked", "1 ding moet eerst beter", "Publiceren kan pas als dit is opgelost.", "is zichtbaar, maar heeft nog geen vragen")
		if n, _ := chromedp.Run(tab, chromedp.Evaluate[int](`document.querySelectorAll("main form[action$='/publiceren'] button").length`)); n != 0 {
			t.Errorf("a blocked project offers %d publish buttons", n)
		}

		ready := fmt.Sprintf("/beheer/projecten/%d", polishSeed.ready)
		open(t, tab, ready, http.StatusOK)
		resp, err := runThrough(tab, "follow the preview link", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Bekijk zoals inwoners het zien"]`)))
		if err == nil {
			err = landed(resp, ready+"/voorbeeld", http.StatusOK)
		}
		if err != nil {
			t.Fatal(err)
		}
		look(t, tab, "preview", "Voorbeeld:", "dit project is nog een concept", readyTitle, "Vragen over de speelplek")
		robots, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector('meta[name="robots"]') || {}).content || ""`))
		if err != nil || robots != "noindex, nofollow" {
			t.Errorf("preview robots meta %q (%v)", robots, err)
		}

		open(t, tab, ready, http.StatusOK)
		resp, err = clickThrough(tab, "Publiceren")
		if err == nil {
			err = landed(resp, ready+"/publiceren", http.StatusOK)
		}
		if err != nil {
			t.Fatal(err)
		}
		look(t, tab, "publish-warnings", "Kijk naar", "Er is geen planning.", "U kunt toch publiceren.")
		resp, err = clickThrough(tab, "Toch publiceren")
		if err == nil {
			err = landed(resp, ready, http.StatusOK)
		}
		if err != nil {
			t.Fatal(err)
		}
		text, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
		if !strings.Contains(text, "De status is veranderd.") || !strings.Contains(text, "Lopend") {
			t.Errorf("after publishing: %.400s", text)
		}
		// Public now, at its own address.
		open(t, tab, "/projecten/speelplek-bij-de-vijver", http.StatusOK)
		for _, msg := range pr.snapshot() {
			t.Errorf("%s", msg)
		}
	})
}
