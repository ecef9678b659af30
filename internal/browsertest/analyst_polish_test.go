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
	"inspraak/internal/results/resultstest"
)

// The analysts' pages that issue 16 changed, on a questionnaire of their
// own (resultstest: every kind of question, 120 respondents with a wijk
// and an age group), as an analyst sees them: the results page with its
// new "Uitkomsten op de site" section, the breakdowns by wijk and by age
// group, and the page after the analyst published. axe-core on each, at
// desktop size and at 375 px, with screenshots analyst-*.png.

var polishSurvey *resultstest.Survey

func init() {
	seeds = append(seeds, func(ctx context.Context, a *app.App) error {
		sv, err := resultstest.Seed(ctx, a.DB.DB, a.Projects, a.Consultations, "analyse-plein", 120)
		polishSurvey = sv
		return err
	})
}

// newLongTab is newTab with more time: a results page of 120 respondents
// is long, and axe-core takes its time on it at two sizes on a busy
// machine (tabTimeout is for one page at one size).
func (s *site) newLongTab(t *testing.T) (context.Context, *problems) {
	t.Helper()
	return s.newTabFor(t, 3*tabTimeout)
}

// TestAnalystPolishPages checks each page in a tab of its own (a tab has
// tabTimeout for everything), logged in as an analyst.
func TestAnalystPolishPages(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	base := fmt.Sprintf("/beheer/resultaten/%d", polishSurvey.InstrumentID)
	// check opens path at both sizes in tab (a new one, logged in, when
	// tab is nil) and checks it.
	check := func(t *testing.T, tab context.Context, pr *problems, name, path string, contains ...string) {
		t.Helper()
		if tab == nil {
			tab, pr = s.newLongTab(t)
			s.logInByRequests(t, tab, analyst)
		}
		for _, vp := range viewports {
			if err := chromedp.Do(tab, emulate(vp)); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(tab, 30*time.Second)
			resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(s.base+path))
			cancel()
			if err != nil || resp == nil || resp.Status != http.StatusOK {
				t.Fatalf("%s at %s: open %s: %v", name, vp.name, path, err)
			}
			text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range contains {
				if !strings.Contains(text, c) {
					t.Errorf("%s at %s: the page lacks %q", name, vp.name, c)
				}
			}
			// Nothing wider than the screen but the tables, which
			// scroll in their own region.
			wide, err := chromedp.Run(tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("main *")).filter(e =>
  !e.closest(".inspraak-table-wrap") && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).map(e => e.tagName + "." + e.className).slice(0, 5)`))
			if err != nil || len(wide) > 0 {
				t.Errorf("%s at %s: wider than the screen: %q (%v)", name, vp.name, wide, err)
			}
			if res := axeAt(t, tab, axeSource, vp); len(res.Violations) > 0 {
				t.Errorf("%s at %s: axe-core: %d violations\n%s", name, vp.name, len(res.Violations), formatViolations(res.Violations))
			}
			s.fullShot(t, tab, "analyst-"+name+"-"+vp.name+".jpg")
			for _, msg := range pr.take() {
				t.Errorf("%s at %s: %s", name, vp.name, msg)
			}
		}
	}
	// One page after the other (axe-core on a long page takes a while on
	// a busy machine); publishing last, as it changes the results page.
	t.Run("pages", func(t *testing.T) {
		t.Run("results", func(t *testing.T) {
			check(t, nil, nil, "results", base, "Vraag 1: "+resultstest.TextSingle, "Vraag 4: "+resultstest.TextNumber,
				"Uitkomsten op de site", "Uitkomsten openbaar maken")
		})
		t.Run("breakdown-wijk", func(t *testing.T) {
			check(t, nil, nil, "breakdown-wijk", base+"?uitsplitsen=wijk", "Antwoorden per wijk", "Per groep: hoeveel mensen elk punt van de schaal kozen.",
				"1 (heel ontevreden)", "Centrum", "Oost", "Open antwoorden splitsen we niet uit")
		})
		t.Run("breakdown-age", func(t *testing.T) {
			check(t, nil, nil, "breakdown-age", base+"?uitsplitsen=age", "Antwoorden per leeftijdsgroep", "45-64", "op de eerste plaats")
		})
	})
	// The analyst publishes from the results page and lands back on it.
	t.Run("published", func(t *testing.T) {
		tab, pr := s.newLongTab(t)
		s.logInByRequests(t, tab, analyst)
		if err := chromedp.Do(tab, emulate(viewports[0]), chromedp.Navigate(s.base+base), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		resp, err := clickThrough(tab, "Uitkomsten openbaar maken")
		if err != nil {
			t.Fatal(err)
		}
		if err := landed(resp, base, http.StatusOK); err != nil {
			t.Fatal(err)
		}
		check(t, tab, pr, "published", base, "staan sinds", "Bekijk de openbare pagina", "Van de site halen")
	})
}
