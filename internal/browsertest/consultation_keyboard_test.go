//go:build browser

package browsertest

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// consultationPath is the demo questionnaire with every question type
// (internal/demo): an explanation, then the questions below, in this order.
const consultationPath = "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp"

const (
	qDesign   = "Welk schetsontwerp vindt u het beste?"          // single choice, required
	qScale    = "Hoe tevreden bent u nu over het Marktplein?"    // scale 1–5, required
	qVisits   = "Hoe vaak per week komt u op het Marktplein?"    // number
	qMiss     = "Wat mist u nu het meest op het plein?"          // multiple choice, at most 2
	qRank     = "Wat is voor u het belangrijkst?"                // ranking: one <select> per topic
	qName     = "Hoe zou u het nieuwe plein noemen?"             // short text
	qComment  = "Wilt u nog iets zeggen over het schetsontwerp?" // long text
	design    = "Ontwerp B: ruimte voor markt en evenementen"    // the second design option
	plazaName = "Groene Markt"
	comment   = "Meer bankjes in de schaduw, graag. En een waterpunt."
)

// The question for businesses on the square, which a resident leaves open.
const (
	qTrade   = "Voor ondernemers: wanneer moet u met een bus of auto" // single choice
	tradeOpt = "Alleen vroeg in de ochtend, tot 10 uur"               // its first option
)

// ranks is the place the resident gives each topic of the ranking question.
var ranks = map[string]int{"Groen": 2, "Parkeren": 4, "Evenementen": 3, "Veilig fietsen": 1}

// receiptRefRE is a receipt reference: INS-, 4, -, 4 (see newReference).
var receiptRefRE = regexp.MustCompile(`\bINS-[0-9A-Z]{4}-[0-9A-Z]{4}\b`)

// TestKeyboardOnlyConsultation answers the demo questionnaire with nothing
// but the keyboard, as a resident who logged in a moment ago (a fresh BSN,
// so no demo answers and no other run get in the way):
//
//   - answer: Tab into the form; ArrowDown picks the second design; Tab,
//     ArrowRight×3 picks 4 on the scale; Tab, type a number; Tab and Space
//     tick two checkboxes; Tab to each ranking <select> and type "Plek n";
//     Tab, type a name; Tab, type a comment; Tab to "Versturen", Shift+Tab
//     back to the comment and Tab again; Enter. The browser must end on the
//     receipt, with a reference and every answer given. Every Tab inside
//     the form must go to the next control in document order (a radio
//     group is one stop), and never up or to the left on the screen.
//   - errors: Tab to "Versturen" on the empty form, Enter. The error summary
//     must show, link every missing answer with a text of its own, and Enter
//     on its first link must move focus to the first question.
//
// At every focus stop the focus must show, as in TestKeyboardOnlyLogin.
func TestKeyboardOnlyConsultation(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			t.Parallel()
			t.Run("answer", func(t *testing.T) {
				t.Parallel()
				answerByKeyboard(t, s, vp)
			})
			t.Run("errors", func(t *testing.T) {
				t.Parallel()
				errorsByKeyboard(t, s, vp)
			})
		})
	}
}

func answerByKeyboard(t *testing.T, s *site, vp viewport) {
	tab, pr := s.newTab(t)
	k := &keyboard{t: t, s: s, tab: tab, shot: "keyboard-consultation-" + vp.name}
	if err := chromedp.Do(tab, emulate(vp)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	s.logInByRequests(t, tab, resident)
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+consultationPath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", consultationPath, err)
	}
	w := &formWalk{k: k}
	checkConsultationForm(t, w.state().Controls)

	// Into the form: its first stop is the first answer of the first question.
	k.tabTo("the consultation form", `document.activeElement.closest("form.inspraak-consultation") !== null`)
	f := w.enter()
	w.want(f, qDesign, "radio", "Ontwerp A: veel groen")
	f = w.key(kb.ArrowDown)
	w.want(f, qDesign, "radio", design)
	if !f.Checked {
		t.Errorf("ArrowDown moved focus to %q but did not select it", f.Label)
	}

	f = w.tab()
	w.want(f, qScale, "radio", "1 (heel ontevreden)")
	for range 3 {
		f = w.key(kb.ArrowRight)
	}
	w.want(f, qScale, "radio", "4")
	if !f.Checked {
		t.Errorf("ArrowRight moved focus to scale point %q but did not select it", f.Label)
	}

	f = w.tab()
	w.want(f, qVisits, "text", "")
	w.typeInto("3")

	for _, o := range []struct {
		label string
		tick  bool
	}{{"Schaduw en bomen", true}, {"Plekken om te zitten", false}, {"Een speelplek", true}, {"Fietsenrekken", false}, {"Toiletten", false}} {
		f = w.tab()
		w.want(f, qMiss, "checkbox", o.label)
		if o.tick {
			f = w.key(" ")
			if !f.Checked {
				t.Errorf("Space on the checkbox %q did not tick it", o.label)
			}
		}
	}

	for _, topic := range []string{"Groen", "Parkeren", "Evenementen", "Veilig fietsen"} {
		f = w.tab()
		w.want(f, qRank, "select-one", topic)
		place := fmt.Sprintf("Plek %d", ranks[topic])
		k.typeText(place) // type-ahead picks the option
		if got := w.state().Focus; got == nil || got.Selected != place {
			sel := ""
			if got != nil {
				sel = got.Selected
			}
			k.screenshot()
			t.Fatalf("typed %q on the ranking <select> for %q, but it shows %q", place, topic, sel)
		}
	}

	// The question for businesses is not for this resident: one Tab
	// stop (the radio group), left open.
	f = w.tab()
	w.want(f, qTrade, "radio", tradeOpt)

	f = w.tab()
	w.want(f, qName, "text", "")
	w.typeInto(plazaName)
	f = w.tab()
	w.want(f, qComment, "textarea", "")
	w.typeInto(comment)

	f = w.tab()
	w.want(f, "", "submit", "Versturen")
	// Back and forth: Shift+Tab must return to the comment.
	k.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	back := w.state()
	if back.Focus == nil || !strings.HasPrefix(back.Focus.Question, qComment) {
		k.screenshot()
		t.Fatalf("Shift+Tab from \"Versturen\" went to %s, want the comment field", describeControl(back.Focus))
	}
	w.set(back)
	f = w.tab()
	w.want(f, "", "submit", "Versturen")

	k.enter(consultationPath + "/ontvangstbewijs")
	r, err := chromedp.Run(tab, chromedp.Evaluate[receipt](receiptJS))
	if err != nil {
		t.Fatalf("read the receipt: %v", err)
	}
	s.fullShot(t, tab, k.shot+".jpg")
	if !strings.Contains(r.Text, "Kenmerk") {
		t.Errorf("the receipt does not show \"Kenmerk\": %.300s", r.Text)
	}
	if ref := receiptRefRE.FindString(r.Text); ref == "" {
		t.Errorf("the receipt shows no reference like INS-XXXX-XXXX: %.300s", r.Text)
	} else {
		t.Logf("receipt %s", ref)
	}
	want := map[string][]string{
		qDesign:  {design},
		qScale:   {"4"},
		qVisits:  {"3"},
		qMiss:    {"Schaduw en bomen", "Een speelplek"},
		qRank:    {"1. Veilig fietsen", "2. Groen", "3. Evenementen", "4. Parkeren"},
		qName:    {plazaName},
		qComment: {comment},
	}
	for q, lines := range want {
		if got, ok := r.Answers[q]; !ok {
			t.Errorf("the receipt does not list the question %q (it lists %q)", q, mapsKeys(r.Answers))
		} else if !slices.Equal(got, lines) {
			t.Errorf("the receipt shows %q for %q, want %q", got, q, lines)
		}
	}

	t.Logf("focus stops: %s", strings.Join(k.stops, " → "))
	t.Logf("in the form, at (x,y) on the page: %s", strings.Join(w.path, " → "))
	for _, e := range k.noIndicator {
		t.Errorf("no visible focus indicator (outline-style none and no box-shadow, on the element and its 3 closest ancestors): %s", e)
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}

func errorsByKeyboard(t *testing.T, s *site, vp viewport) {
	tab, pr := s.newTab(t)
	k := &keyboard{t: t, s: s, tab: tab, shot: "keyboard-consultation-errors-" + vp.name, limit: 60}
	// The 422 document itself makes Chromium log "Failed to load resource".
	post := s.base + consultationPath + "/antwoorden"
	pr.allow(func(u string) bool { return u == post })
	if err := chromedp.Do(tab, emulate(vp)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	s.logInByRequests(t, tab, resident)
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+consultationPath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open %s: %v", consultationPath, err)
	}
	k.tabTo(`the "Versturen" button`, `a.tag === "button" && a.text === "Versturen"`)
	k.enterStatus(consultationPath+"/antwoorden", http.StatusUnprocessableEntity)

	sum, err := chromedp.Run(tab, chromedp.Evaluate[errorSummary](errorSummaryJS))
	if err != nil {
		t.Fatalf("read the error summary: %v", err)
	}
	s.fullShot(t, tab, k.shot+".jpg")
	if !sum.Found {
		t.Fatalf("after Enter on \"Versturen\" with nothing answered, the page shows no error summary (.inspraak-error-summary)")
	}
	if !sum.Visible {
		t.Errorf("the error summary is not visible")
	}
	if sum.Role != "alert" {
		t.Errorf("the error summary has role %q, want alert", sum.Role)
	}
	if !strings.Contains(sum.Heading, "Er is iets niet goed ingevuld") {
		t.Errorf("the error summary's heading is %q", sum.Heading)
	}
	for _, l := range sum.Links {
		t.Logf("error summary link %s %q → question %q", l.Href, l.Text, l.Question)
	}
	if len(sum.Links) < 2 {
		t.Fatalf("the error summary links %d answers, want at least the 2 required questions (%q, %q): %+v", len(sum.Links), qDesign, qScale, sum.Links)
	}
	for i, l := range sum.Links {
		if !l.Targets {
			t.Errorf("error summary link %d (%q) points to %s, which is not on the page", i+1, l.Text, l.Href)
		}
	}
	for _, q := range []string{qDesign, qScale} {
		if !slices.ContainsFunc(sum.Links, func(l summaryLink) bool { return strings.HasPrefix(l.Question, q) }) {
			t.Errorf("the error summary has no link to the required question %q: %+v", q, sum.Links)
		}
	}
	// Every link must say which answer it is about: a list of links that
	// all read "Kies een antwoord." does not (WCAG 2.4.4, 3.3.1).
	texts := map[string][]string{}
	for _, l := range sum.Links {
		texts[l.Text] = append(texts[l.Text], fmt.Sprintf("%s (question %q)", l.Href, l.Question))
	}
	for text, to := range texts {
		if len(to) > 1 {
			t.Errorf("the error summary has %d links with the same text %q, to different questions: %s; "+
				"a link's text must tell which question it is about (WCAG 2.4.4 Link purpose, 3.3.1 Error identification)",
				len(to), text, strings.Join(to, ", "))
		}
	}
	first := sum.Links[0]
	if !strings.HasPrefix(first.Question, qDesign) {
		t.Errorf("the error summary's first link goes to the question %q, want the first required question %q", first.Question, qDesign)
	}

	// Enter on the first link must move focus to its question.
	k.tabTo("the first link of the error summary",
		`document.activeElement === document.querySelector(".inspraak-error-summary a")`)
	if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatalf("press Enter: %v", err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](fmt.Sprintf(`location.hash === %q`, first.Href),
		chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		loc, _ := chromedp.Run(tab, chromedp.Location())
		t.Fatalf("Enter on the error summary link %q did not follow it: the browser is at %s (%v)", first.Href, loc, err)
	}
	// The page scrolls smoothly (utrecht-root, unless reduced motion): give
	// the target time to arrive in view.
	_, _ = chromedp.Run(tab, chromedp.Poll[bool](fmt.Sprintf(afterLinkJS+".inView", first.Href),
		chromedp.WithPollingTimeout(3*time.Second)))
	af, err := chromedp.Run(tab, chromedp.Evaluate[afterLink](fmt.Sprintf(afterLinkJS, first.Href)))
	if err != nil {
		t.Fatalf("read focus: %v", err)
	}
	if !af.InView {
		t.Errorf("after Enter on the error summary link, its target %s (%q) is not in the viewport", first.Href, first.Question)
	}
	if !af.IsTarget && !af.InTarget {
		// Where does the next Tab go? (The link moves the sequential focus
		// navigation starting point, even when focus itself stays put.)
		next := k.press(kb.Tab)
		k.screenshot()
		t.Errorf("Enter on the error summary link %q (%q) does not move focus to the question: document.activeElement is <%s%s> "+
			"(%s), not the target <%s id=%q> nor inside it; target focusable: %v (tabindex %q). The next Tab goes to %s. "+
			"Focus is dropped instead of moved: a screen reader announces no question, and keyboard users see no focus until they press Tab (WCAG 2.4.3 Focus order, 3.3.1). "+
			"Fix in the page: make the link's target take focus (tabindex=\"-1\" on the question's fieldset) or point the link at the question's first input",
			first.Text, first.Href, af.Tag, idAttr(af.ID), af.Where, af.TargetTag, af.TargetID, af.TargetFocusable, af.TargetTabIndex, next.describe())
	}

	t.Logf("focus stops: %s", strings.Join(k.stops, " → "))
	for _, e := range k.noIndicator {
		t.Errorf("no visible focus indicator (outline-style none and no box-shadow, on the element and its 3 closest ancestors): %s", e)
	}
	for _, msg := range pr.snapshot() {
		t.Errorf("%s", msg)
	}
}

// checkConsultationForm stops the test early, with the form's controls,
// when the demo questionnaire is not what this test expects.
func checkConsultationForm(t *testing.T, cs []formControl) {
	t.Helper()
	count := func(q, typ string) int {
		n := 0
		for _, c := range cs {
			if (q == "" || strings.HasPrefix(c.Question, q)) && c.Type == typ {
				n++
			}
		}
		return n
	}
	want := []struct {
		q, typ string
		n      int
	}{
		{qDesign, "radio", 3}, {qScale, "radio", 5}, {qVisits, "text", 1}, {qMiss, "checkbox", 5},
		{qRank, "select-one", 4}, {qTrade, "radio", 3}, {qName, "text", 1}, {qComment, "textarea", 1}, {"", "submit", 2},
	}
	for _, w := range want {
		if got := count(w.q, w.typ); got != w.n {
			var list []string
			for _, c := range cs {
				list = append(list, describeControl(&c))
			}
			t.Fatalf("the consultation form has %d %s controls for %q, want %d; its controls are:\n  %s",
				got, w.typ, w.q, w.n, strings.Join(list, "\n  "))
		}
	}
}

// formWalk follows focus through the consultation form and checks the Tab
// order: each Tab must focus the next control in document order (a radio
// group is one stop: its checked radio, else its first), which must not be
// above the previous stop, nor left of it on the same line.
type formWalk struct {
	k    *keyboard
	prev *formControl // the focused control of the form, after the last key
	next string       // the key of the control Tab must go to from prev
	path []string     // every control focused, with its place on the page
}

func (w *formWalk) state() formState {
	w.k.t.Helper()
	st, err := chromedp.Run(w.k.tab, chromedp.Evaluate[formState](consultationFormJS))
	if err != nil {
		w.k.t.Fatalf("read the form: %v", err)
	}
	if !st.Found {
		w.k.screenshot()
		w.k.t.Fatalf("the page has no consultation form (form.inspraak-consultation)")
	}
	return st
}

func (w *formWalk) set(st formState) {
	w.prev, w.next = st.Focus, st.Next
	if f := st.Focus; f != nil && (len(w.path) == 0 || !strings.HasPrefix(w.path[len(w.path)-1], f.Key+"@")) {
		w.path = append(w.path, fmt.Sprintf("%s@(%.0f,%.0f)", f.Key, f.Left, f.Top))
	}
}

// enter starts the walk at the focused control, which must be in the form.
func (w *formWalk) enter() formControl {
	w.k.t.Helper()
	st := w.state()
	if st.Focus == nil {
		w.k.t.Fatalf("focus is not in the consultation form")
	}
	w.set(st)
	return *st.Focus
}

// tab presses Tab and checks where focus goes.
func (w *formWalk) tab() formControl {
	t := w.k.t
	t.Helper()
	w.k.press(kb.Tab)
	st := w.state()
	if st.Focus == nil {
		w.k.screenshot()
		t.Fatalf("Tab from %s left the consultation form; want %s. Focus stops: %s",
			describeControl(w.prev), w.next, strings.Join(w.k.stops, " → "))
	}
	f := st.Focus
	if w.prev != nil {
		if f.Key != w.next {
			t.Errorf("Tab order: Tab from %s went to %s, want %s, the next control in the document",
				describeControl(w.prev), describeControl(f), w.next)
		}
		if !followsOnScreen(*w.prev, *f) {
			t.Errorf("Tab order: Tab from %s at (x %.0f, y %.0f) went to %s at (x %.0f, y %.0f), which is above it or left of it on the same line",
				describeControl(w.prev), w.prev.Left, w.prev.Top, describeControl(f), f.Left, f.Top)
		}
	}
	w.set(st)
	return *f
}

// key presses a key that acts inside a control (an arrow key, Space).
func (w *formWalk) key(key string) formControl {
	t := w.k.t
	t.Helper()
	w.k.press(key)
	st := w.state()
	if st.Focus == nil {
		w.k.screenshot()
		t.Fatalf("pressing %q on %s moved focus out of the form", key, describeControl(w.prev))
	}
	w.set(st)
	return *st.Focus
}

// typeInto types into the focused field and checks that it holds the text.
func (w *formWalk) typeInto(text string) {
	t := w.k.t
	t.Helper()
	w.k.typeText(text)
	st := w.state()
	if st.Focus == nil || st.Focus.Value != text {
		w.k.screenshot()
		t.Fatalf("typed %q into %s, but it holds %q", text, describeControl(w.prev), valueOf(st.Focus))
	}
	w.set(st)
}

// want checks that f is the control of question q (a prefix: optional
// questions end in "(niet verplicht)") with this type and label. Empty q or
// label: any. It stops the test, as every later key would go astray.
func (w *formWalk) want(f formControl, q, typ, label string) {
	t := w.k.t
	t.Helper()
	if (q != "" && !strings.HasPrefix(f.Question, q)) || f.Type != typ || (label != "" && f.Label != label) {
		w.k.screenshot()
		t.Fatalf("focus is on %s, want a %s control %q of the question %q. Focus stops: %s",
			describeControl(&f), typ, label, q, strings.Join(w.k.stops, " → "))
	}
}

// followsOnScreen reports whether next is below prev, or on the same line
// and to its right: the reading order of a left-to-right page.
func followsOnScreen(prev, next formControl) bool {
	const tol = 2
	if next.Top >= prev.Bottom-tol {
		return true
	}
	sameLine := next.Top < prev.Bottom && next.Bottom > prev.Top
	return sameLine && next.Left >= prev.Left+tol
}

func describeControl(c *formControl) string {
	if c == nil {
		return "(nothing in the form)"
	}
	d := "<" + c.Tag
	if c.ID != "" {
		d += " id=" + c.ID
	}
	if c.Type != "" && c.Tag == "input" {
		d += " type=" + c.Type
	}
	d += ">"
	if c.Label != "" {
		d += fmt.Sprintf(" %q", c.Label)
	}
	if c.Question != "" {
		d += fmt.Sprintf(" of %q", c.Question)
	}
	return d
}

func valueOf(c *formControl) string {
	if c == nil {
		return ""
	}
	return c.Value
}

func idAttr(id string) string {
	if id == "" {
		return ""
	}
	return " id=" + id
}

func mapsKeys(m map[string][]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// formControl is one focusable control of the consultation form.
type formControl struct {
	Key      string  `json:"key"` // "#id", or tag:text for a control without id
	ID       string  `json:"id"`
	Tag      string  `json:"tag"`
	Type     string  `json:"type"` // radio, checkbox, text, select-one, textarea, submit
	Name     string  `json:"name"`
	Question string  `json:"question"` // the legend or label of its question block
	Label    string  `json:"label"`    // its own label, or its text
	Checked  bool    `json:"checked"`
	Value    string  `json:"value"`
	Selected string  `json:"selected"` // the text of a <select>'s chosen option
	Top      float64 `json:"top"`      // bounding box, in page coordinates
	Left     float64 `json:"left"`
	Bottom   float64 `json:"bottom"`
	Right    float64 `json:"right"`
}

type formState struct {
	Found    bool          `json:"found"`
	Controls []formControl `json:"controls"` // in document order
	Focus    *formControl  `json:"focus"`    // nil when focus is not in the form
	Next     string        `json:"next"`     // the key of the control Tab should go to from Focus
}

const consultationFormJS = `(() => {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const form = document.querySelector("form.inspraak-consultation");
  if (!form) return {found: false, controls: [], focus: null, next: ""};
  const ctrls = Array.from(form.elements).filter(e => e.tagName !== "FIELDSET" && e.type !== "hidden" && !e.disabled && e.tabIndex >= 0);
  const key = e => e.id ? "#" + e.id : e.tagName.toLowerCase() + ":" + norm(e.innerText || e.value);
  const question = e => {
    const b = e.closest(".inspraak-question-block");
    if (!b) return "";
    const l = b.tagName === "FIELDSET" ? b.querySelector("legend") : b.querySelector("label");
    return l ? norm(l.innerText) : "";
  };
  const label = e => norm((e.labels && e.labels[0] && e.labels[0].innerText) || (e.tagName === "BUTTON" ? e.innerText : ""));
  const describe = e => {
    const r = e.getBoundingClientRect();
    return {
      key: key(e), id: e.id || "", tag: e.tagName.toLowerCase(), type: e.type || "", name: e.name || "",
      question: question(e), label: label(e), checked: !!e.checked, value: e.value || "",
      selected: e.tagName === "SELECT" && e.selectedIndex >= 0 ? norm(e.options[e.selectedIndex].text) : "",
      top: r.top + scrollY, left: r.left + scrollX, bottom: r.bottom + scrollY, right: r.right + scrollX,
    };
  };
  const a = document.activeElement;
  const i = ctrls.indexOf(a);
  let next = "";
  for (let j = i + 1; i >= 0 && j < ctrls.length && !next; j++) {
    const e = ctrls[j];
    if (e.type === "radio") {
      if (a.type === "radio" && e.name === a.name) continue;
      const group = ctrls.filter(x => x.type === "radio" && x.name === e.name);
      next = key(group.find(x => x.checked) || group[0]);
    } else {
      next = key(e);
    }
  }
  return {found: true, controls: ctrls.map(describe), focus: i >= 0 ? describe(a) : null, next};
})()`

// receipt is what receiptJS reads from the receipt page.
type receipt struct {
	Text    string              `json:"text"`    // <main>'s text
	Answers map[string][]string `json:"answers"` // question → answer lines
}

const receiptJS = `(() => {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const answers = {};
  for (const dt of document.querySelectorAll("main dl dt")) {
    const dd = dt.nextElementSibling;
    if (!dd || dd.tagName !== "DD") continue;
    const lines = dd.querySelectorAll(".inspraak-answer-line");
    answers[norm(dt.innerText)] =
      lines.length ? Array.from(lines, l => norm(l.innerText)) : [norm(dd.innerText)];
  }
  return {text: norm((document.querySelector("main") || document.body).innerText), answers};
})()`

type summaryLink struct {
	Href     string `json:"href"` // "#q-12"
	Text     string `json:"text"`
	Targets  bool   `json:"targets"`  // an element with that id exists
	Question string `json:"question"` // the question block the target is in, or is
}

type errorSummary struct {
	Found   bool          `json:"found"`
	Visible bool          `json:"visible"`
	Role    string        `json:"role"`
	Heading string        `json:"heading"`
	Links   []summaryLink `json:"links"`
}

const errorSummaryJS = `(() => {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const s = document.querySelector(".inspraak-error-summary");
  if (!s) return {found: false, links: []};
  const r = s.getBoundingClientRect();
  const h = s.querySelector("h2, h3, [id=error-summary-title]");
  return {
    found: true,
    visible: r.width > 0 && r.height > 0 && getComputedStyle(s).visibility !== "hidden",
    role: s.getAttribute("role") || "",
    heading: h ? norm(h.innerText) : "",
    links: Array.from(s.querySelectorAll("a"), a => {
      const href = a.getAttribute("href") || "";
      const t = href.startsWith("#") ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
      const b = t && t.closest(".inspraak-question-block");
      const l = b && (b.tagName === "FIELDSET" ? b.querySelector("legend") : b.querySelector("label"));
      return {href, text: norm(a.innerText), targets: !!t, question: l ? norm(l.innerText) : ""};
    }),
  };
})()`

// afterLink is where focus is after following a link to an element.
type afterLink struct {
	Tag             string `json:"tag"`
	ID              string `json:"id"`
	Where           string `json:"where"`
	IsTarget        bool   `json:"isTarget"`
	InTarget        bool   `json:"inTarget"` // focus is inside the target, or inside the target's question block
	InView          bool   `json:"inView"`
	TargetTag       string `json:"targetTag"`
	TargetID        string `json:"targetId"`
	TargetFocusable bool   `json:"targetFocusable"`
	TargetTabIndex  string `json:"targetTabIndex"`
}

// afterLinkJS takes the link's href (#id) as %q.
const afterLinkJS = `(() => {
  const href = %q;
  const t = document.getElementById(decodeURIComponent(href.slice(1)));
  const a = document.activeElement;
  const block = t && (t.closest(".inspraak-question-block") || t);
  const r = t ? t.getBoundingClientRect() : null;
  return {
    tag: a ? a.tagName.toLowerCase() : "",
    id: (a && a.id) || "",
    where: a === document.body ? "nothing has focus" : (a && a.closest(".inspraak-error-summary") ? "still in the error summary" : "elsewhere on the page"),
    isTarget: !!t && a === t,
    inTarget: !!t && !!a && a !== t && (t.contains(a) || block.contains(a)),
    inView: !!r && r.bottom > 0 && r.top < innerHeight,
    targetTag: t ? t.tagName.toLowerCase() : "",
    targetId: t ? t.id : "",
    targetFocusable: !!t && (t.tabIndex >= 0 || t.hasAttribute("tabindex")),
    targetTabIndex: t ? (t.getAttribute("tabindex") || "") : "",
  };
})()`
