//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inspraak/internal/app"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
)

// Two polls of the browser check's own, beside the demo's school poll:
// one for businesses only, and one that closed with its result public.
const (
	businessPoll = "/projecten/veilig-naar-school/laden-en-lossen"
	closedPoll   = "/projecten/veilig-naar-school/fietsenstalling"
)

// closedVotes are the votes per answer of closedPoll.
var closedVotes = []int{5, 3, 2, 0}

func init() { seeds = append(seeds, seedResidentPolls) }

func seedResidentPolls(ctx context.Context, a *app.App) error {
	p, err := a.Projects.GetPublic(ctx, "veilig-naar-school")
	if err != nil {
		return err
	}
	actor := identity.SystemActor("browsertest")
	if _, err := a.Polls.Create(ctx, actor, poll.Draft{ProjectID: p.ID, Slug: "laden-en-lossen", Title: "Laden en lossen bij de school",
		Question: "Wanneer laadt en lost u het liefst?", Options: []string{"Voor 7 uur", "Tussen 9 en 11 uur", "Na 19 uur"},
		Published: true, ResultsVisibility: poll.ShowAfterClose, Rules: instrument.Instrument{Who: instrument.WhoEHerkenning}}); err != nil {
		return fmt.Errorf("business poll: %w", err)
	}
	closed, err := a.Polls.Create(ctx, actor, poll.Draft{ProjectID: p.ID, Slug: "fietsenstalling", Title: "Waar komt de fietsenstalling?",
		Question: "Waar wilt u de nieuwe fietsenstalling?", Options: []string{"Bij de hoofdingang", "Naast de gymzaal", "Achter het plein", "Bij de bushalte"},
		Published: true, ResultsVisibility: poll.ShowAfterClose, Rules: instrument.Instrument{Who: instrument.WhoAny}})
	if err != nil {
		return fmt.Errorf("closed poll: %w", err)
	}
	total := 0
	for _, n := range closedVotes {
		total += n
	}
	var people []identity.Participant
	if err := a.DB.WithContext(ctx).Order("id").Limit(total).Find(&people).Error; err != nil {
		return err
	}
	if len(people) < total {
		return fmt.Errorf("closed poll: %d demo participants, want %d", len(people), total)
	}
	i := 0
	for option, n := range closedVotes {
		for range n {
			pp := people[i]
			i++
			v := poll.Voter{ParticipantID: pp.ID, Subject: pp.Subject,
				Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1]}}
			if _, err := a.Polls.Vote(ctx, closed.InstrumentID, v, []int64{closed.Options[option].ID}); err != nil {
				return fmt.Errorf("closed poll: vote: %w", err)
			}
		}
	}
	return a.DB.WithContext(ctx).Exec("UPDATE instruments SET closes_at = ? WHERE id = ?", time.Now().Add(-time.Hour).UTC(), closed.InstrumentID).Error
}

// loginButton is a login link in <main>, as a person sees it.
type loginButton struct {
	Means string  `json:"means"`
	Text  string  `json:"text"`
	W     float64 `json:"w"`
	H     float64 `json:"h"`
}

const loginButtonsJS = `Array.from(document.querySelectorAll('main a[href^="/inloggen/"]'), a => {
  const r = a.getBoundingClientRect();
  return {means: new URL(a.href).pathname.split("/")[2], text: a.innerText.trim(), w: r.width, h: r.height};
})`

// box is the size and look of an element.
type box struct {
	W          float64 `json:"w"`
	H          float64 `json:"h"`
	Appearance string  `json:"appearance"`
	Image      string  `json:"image"`
	Font       float64 `json:"font"`
	Text       string  `json:"text"`
}

const boxJS = `const box = el => {
  if (!el) return null;
  const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
  return {w: r.width, h: r.height, appearance: cs.appearance, image: cs.backgroundImage, font: parseFloat(cs.fontSize), text: el.textContent.trim()};
};`

// choiceFacts compares a checkbox with a radio button on one page, and
// reads the checkbox again once ticked.
type choiceFacts struct {
	Box     *box `json:"box"`
	Radio   *box `json:"radio"`
	Checked *box `json:"checked"`
}

const choiceJS = `(() => { ` + boxJS + `
  const cb = document.querySelector('main input[type="checkbox"]');
  const before = box(cb), radio = box(document.querySelector('main input[type="radio"]'));
  let checked = null;
  if (cb) { cb.checked = true; checked = box(cb); cb.checked = false; }
  return {box: before, radio: radio, checked: checked};
})()`

// reportFacts are the report links of an idea page and the size of the
// idea's own text.
type reportFacts struct {
	Links    []box   `json:"links"`
	BodyFont float64 `json:"bodyFont"`
}

const reportJS = `(() => { ` + boxJS + `
  const body = document.querySelector(".inspraak-idea__body p");
  return {links: Array.from(document.querySelectorAll('main a[href$="/melden"]'), box), bodyFont: body ? parseFloat(getComputedStyle(body).fontSize) : 0};
})()`

// chartFacts are a results chart and the table under it.
type chartFacts struct {
	Bars       []float64  `json:"bars"`
	Values     []string   `json:"values"`
	Title      string     `json:"title"`
	Rows       [][]string `json:"rows"`
	SVGRight   float64    `json:"svgRight"`
	TextRights []float64  `json:"textRights"`
	TableRight float64    `json:"tableRight"`
	Width      float64    `json:"width"`
}

const chartJS = `(() => {
  const svg = document.querySelector('main svg[role="img"]');
  if (!svg) return {bars: [], values: [], title: "", rows: [], svgRight: 0, textRights: [], tableRight: 0, width: 0};
  const table = document.querySelector("main table");
  const texts = Array.from(svg.querySelectorAll("text"));
  return {
    bars: Array.from(svg.querySelectorAll("rect.inspraak-chart__bar"), r => r.getBoundingClientRect().width),
    values: Array.from(svg.querySelectorAll(".inspraak-chart__value"), x => x.textContent.trim()),
    title: svg.querySelector("title") ? svg.querySelector("title").textContent : "",
    rows: Array.from(document.querySelectorAll("main table tbody tr"), tr => Array.from(tr.children, c => c.textContent.trim())),
    svgRight: svg.getBoundingClientRect().right,
    textRights: texts.map(x => x.getBoundingClientRect().right),
    tableRight: table ? table.getBoundingClientRect().right : 0,
    width: document.documentElement.clientWidth,
  };
})()`

// residentCheck is one page of the residents' polish and what it must show.
type residentCheck struct {
	name  string
	login who
	// prepare, if set, runs once in the tab before path is opened.
	prepare func(t *testing.T, s *site, tab context.Context)
	path    string
	check   func(t *testing.T, tab context.Context, vp viewport)
}

// answerConsultation fills in every question of the demo questionnaire
// and sends it, as a resident would, and lands on the receipt.
func answerConsultation(t *testing.T, s *site, tab context.Context) {
	t.Helper()
	const fillJS = `(() => {
  const f = document.querySelector("form.inspraak-consultation");
  if (!f) return false;
  const seen = new Set();
  f.querySelectorAll('input[type="radio"]').forEach(r => { if (!seen.has(r.name)) { seen.add(r.name); r.checked = true; } });
  const cb = f.querySelector('input[type="checkbox"]');
  if (cb) cb.checked = true;
  f.querySelectorAll(".inspraak-question-block").forEach(b => b.querySelectorAll("select").forEach((sel, i) => { sel.selectedIndex = i + 1; }));
  f.querySelectorAll("input.utrecht-textbox").forEach(i => { i.value = i.inputMode === "decimal" ? "3" : "Groene Markt"; });
  f.querySelectorAll("textarea").forEach(a => { a.value = "Meer bomen, graag."; });
  return true;
})()`
	if err := chromedp.Do(tab, chromedp.Navigate(s.base+consultationPath), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("open the questionnaire: %v", err)
	}
	if !eval[bool](t, tab, fillJS) {
		t.Fatal("the questionnaire has no form")
	}
	resp, err := clickThrough(tab, "Versturen")
	if err == nil {
		err = landed(resp, consultationPath+"/ontvangstbewijs", 200)
	}
	if err != nil {
		t.Fatalf("send the answers: %v", err)
	}
}

func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("read the page: %v", err)
	}
	return v
}

// wantLogins checks the login buttons a page offers, each big enough to
// hit (WCAG 2.5.8).
func wantLogins(means ...string) func(*testing.T, context.Context, viewport) {
	return func(t *testing.T, tab context.Context, _ viewport) {
		bs := eval[[]loginButton](t, tab, loginButtonsJS)
		var got []string
		for _, b := range bs {
			got = append(got, b.Means)
			if b.W < 24 || b.H < 24 {
				t.Errorf("the %s button %q is %gx%g px, under 24x24", b.Means, b.Text, b.W, b.H)
			}
		}
		if !slices.Equal(got, means) {
			t.Errorf("login buttons %v, want %v", got, means)
		}
	}
}

// TestResidentPagesPolish visits the resident pages that issue 16 changed,
// at both sizes, and checks what changed: a login button for every means
// the rules allow, checkboxes styled like the radio buttons, a report link
// big enough to hit, room above "Meer over dit project", and poll results
// as bars with their numbers. Every page passes axe-core.
func TestResidentPagesPolish(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	checks := []residentCheck{
		{name: "res-consultation-anonymous", path: "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp",
			check: wantLogins("digid", "eherkenning")},
		{name: "res-poll-any-anonymous", path: "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein",
			check: wantLogins("digid", "eherkenning")},
		{name: "res-board-anonymous", path: "/projecten/groen-in-de-wijk/ideeenbord",
			check: wantLogins("digid", "eherkenning")},
		{name: "res-poll-digid-anonymous", path: "/projecten/veilig-naar-school/welke-plek-eerst",
			check: wantLogins("digid")},
		{name: "res-poll-business-anonymous", path: businessPoll,
			check: wantLogins("eherkenning")},
		{name: "res-consultation-resident", login: resident, path: "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp",
			check: func(t *testing.T, tab context.Context, _ viewport) {
				f := eval[choiceFacts](t, tab, choiceJS)
				if f.Box == nil || f.Radio == nil || f.Checked == nil {
					t.Fatalf("the questionnaire has no checkbox or no radio button: %+v", f)
				}
				if f.Box.Appearance != "none" || f.Radio.Appearance != "none" {
					t.Errorf("checkbox appearance %q, radio %q: the checkbox is still the browser's own", f.Box.Appearance, f.Radio.Appearance)
				}
				if f.Box.W < 24 || f.Box.H < 24 || math.Abs(f.Box.W-f.Radio.W) > 1 || math.Abs(f.Box.H-f.Radio.H) > 1 {
					t.Errorf("checkbox %gx%g px, radio %gx%g px: want the same size, at least 24x24", f.Box.W, f.Box.H, f.Radio.W, f.Radio.H)
				}
				if !strings.Contains(f.Checked.Image, "svg") {
					t.Errorf("a ticked checkbox shows no tick: background %q", f.Checked.Image)
				}
			}},
		{name: "res-poll-multiple-resident", login: resident, path: "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein",
			check: func(t *testing.T, tab context.Context, _ viewport) {
				f := eval[choiceFacts](t, tab, choiceJS)
				if f.Box == nil || f.Box.Appearance != "none" || f.Box.W < 24 || f.Box.H < 24 {
					t.Errorf("the poll's checkbox is not styled: %+v", f.Box)
				}
				text := eval[string](t, tab, `document.querySelector("main").innerText`)
				if n := strings.Count(text, "Kies hoogstens 2 antwoorden."); n != 1 {
					t.Errorf("the poll says %d times how many to choose, want once in the catalogue's words", n)
				}
			}},
		{name: "res-idea-anonymous", path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2",
			check: func(t *testing.T, tab context.Context, _ viewport) {
				f := eval[reportFacts](t, tab, reportJS)
				if len(f.Links) < 2 {
					t.Fatalf("want the idea's and its comments' report links, got %d", len(f.Links))
				}
				if f.Links[0].Text != "Dit idee melden" {
					t.Errorf("the first report link is %q", f.Links[0].Text)
				}
				for _, l := range f.Links {
					if l.W < 24 || l.H < 24 {
						t.Errorf("report link %q is %gx%g px, under 24x24 (WCAG 2.5.8)", l.Text, l.W, l.H)
					}
					if l.Font < f.BodyFont {
						t.Errorf("report link %q is %gpx, smaller than the text (%gpx)", l.Text, l.Font, f.BodyFont)
					}
				}
			}},
		{name: "res-receipt", login: resident, prepare: answerConsultation, path: consultationPath + "/ontvangstbewijs",
			check: func(t *testing.T, tab context.Context, _ viewport) {
				text := eval[string](t, tab, `document.querySelector("main").innerText`)
				if n := strings.Count(text, "Bedankt") + strings.Count(text, "Dank u"); n != 1 {
					t.Errorf("the receipt thanks %d times, want once:\n%s", n, text)
				}
				gap := eval[float64](t, tab, `(() => {
  const lead = document.querySelector("main .utrecht-paragraph--lead"), facts = document.querySelector("main .inspraak-facts");
  return lead && facts ? facts.getBoundingClientRect().top - lead.getBoundingClientRect().bottom : -1;
})()`)
				if gap < 8 {
					t.Errorf("the reference starts %gpx under the lead, want room between them", gap)
				}
			}},
		{name: "res-project", path: "/projecten/herinrichting-marktplein",
			check: func(t *testing.T, tab context.Context, _ viewport) {
				gap := eval[float64](t, tab, `(() => {
  const h = document.getElementById("more-heading"), cards = document.querySelectorAll(".inspraak-instrument");
  if (!h || !cards.length) return -1;
  return h.getBoundingClientRect().top - cards[cards.length - 1].getBoundingClientRect().bottom;
})()`)
				if gap < 32 {
					t.Errorf("\"Meer over dit project\" starts %gpx under the last \"Doe mee\" card, want at least 32", gap)
				}
			}},
		{name: "res-poll-results", path: closedPoll,
			check: func(t *testing.T, tab context.Context, vp viewport) {
				f := eval[chartFacts](t, tab, chartJS)
				if len(f.Bars) != len(closedVotes) || len(f.Rows) != len(closedVotes) {
					t.Fatalf("%d bars and %d table rows, want %d of each", len(f.Bars), len(f.Rows), len(closedVotes))
				}
				for i, n := range closedVotes {
					if got := f.Rows[i][1]; got != fmt.Sprint(n) {
						t.Errorf("row %d (%s) counts %s votes, want %d", i+1, f.Rows[i][0], got, n)
					}
					if !strings.HasSuffix(f.Values[i], "%") {
						t.Errorf("bar %d shows %q, want its percentage", i+1, f.Values[i])
					}
					if !strings.Contains(f.Title, f.Rows[i][0]+": "+f.Values[i]) {
						t.Errorf("the text alternative %q does not say %q", f.Title, f.Rows[i][0]+": "+f.Values[i])
					}
					if i > 0 && closedVotes[i] < closedVotes[i-1] && !(f.Bars[i] < f.Bars[i-1]) {
						t.Errorf("bar %d (%g px) is not shorter than bar %d (%g px)", i+1, f.Bars[i], i, f.Bars[i-1])
					}
				}
				if f.TableRight > f.Width {
					t.Errorf("the table of votes is %gpx wide in a %gpx window: its numbers scroll out of view", f.TableRight, f.Width)
				}
				for _, r := range f.TextRights {
					if r > f.SVGRight+1 {
						t.Errorf("a label or number of the chart runs out of it at %s (%g > %g px)", vp.name, r, f.SVGRight)
					}
				}
			}},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tab, pr := s.newTab(t)
			if c.login != anonymous {
				s.logInByRequests(t, tab, c.login)
			}
			if c.prepare != nil {
				c.prepare(t, s, tab)
			}
			for _, vp := range viewports {
				t.Run(vp.name, func(t *testing.T) {
					defer func() {
						for _, msg := range pr.take() {
							t.Errorf("%s", msg)
						}
					}()
					if err := chromedp.Do(tab, emulate(vp)); err != nil {
						t.Fatal(err)
					}
					resp, err := chromedp.Run(tab, chromedp.NavigateResponse(s.base+c.path))
					if err != nil || resp == nil || resp.Status != 200 {
						t.Fatalf("open %s: %v", c.path, err)
					}
					if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
						t.Fatalf("wait for fonts: %v", err)
					}
					s.fullShot(t, tab, c.name+"-"+vp.name+".jpg")
					c.check(t, tab, vp)
					wide := eval[bool](t, tab, `document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`)
					if wide {
						t.Errorf("%s scrolls sideways at %s", c.path, vp.name)
					}
					if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
						t.Errorf("axe-core on %s at %s: %d violations\n%s", c.path, vp.name, len(res.Violations), formatViolations(res.Violations))
					}
				})
			}
		})
	}
}
