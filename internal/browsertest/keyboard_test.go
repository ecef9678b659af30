//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboardOnlyLogin logs a resident in with DigiD using nothing but the
// keyboard: Tab to the DigiD button on /inloggen, Enter; on the provider's
// page Tab to the BSN field, type, Tab to "Inloggen", Enter; on the name
// question Tab to the field, type a name, Enter. The browser must end on
// the page the login started for (/mijn-inspraak), showing the name.
// Every element that gets focus on the way must show that it has focus
// (an outline or a box-shadow, on it or on a close ancestor).
func TestKeyboardOnlyLogin(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			tab, pr := s.newTab(t)
			k := &keyboard{t: t, s: s, tab: tab, shot: "keyboard-login-" + vp.name}
			if err := chromedp.Do(tab, emulate(vp), chromedp.Navigate(s.base+"/inloggen?terug=/mijn-inspraak"),
				chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatalf("open /inloggen: %v", err)
			}

			k.tabTo("the DigiD button", `a.tag === "a" && a.text === "Inloggen met DigiD"`)
			k.enter("/dev/idp/authorize")

			bsn := nextBSN()
			k.tabTo("the BSN field", `a.id === "bsn"`)
			k.typeText(bsn) // a field reached with Tab has its text selected: typing replaces it
			if v, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.activeElement.value`)); v != bsn {
				t.Fatalf("typed BSN %s into the focused field, but it holds %q", bsn, v)
			}
			k.tabTo(`the "Inloggen" button`, `a.tag === "button" && a.text === "Inloggen"`)
			k.enter("/inloggen/naam")

			name := "Toetsen Bord"
			k.tabTo("the name field", `a.id === "naam"`)
			k.typeText(name)
			k.enter("/mijn-inspraak")

			text, err := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText`))
			if err != nil {
				t.Fatalf("read /mijn-inspraak: %v", err)
			}
			if !strings.Contains(text, name) {
				t.Errorf("/mijn-inspraak does not show the name %q: %.300s", name, text)
			}
			s.fullShot(t, tab, k.shot+".jpg")
			t.Logf("focus stops: %s", strings.Join(k.stops, " → "))
			for _, e := range k.noIndicator {
				t.Errorf("no visible focus indicator (outline-style none and no box-shadow, on the element and its 3 closest ancestors): %s", e)
			}
			for _, msg := range pr.snapshot() {
				t.Errorf("%s", msg)
			}
		})
	}
}

// keyboard drives one tab with key presses only and records every element
// that gets focus.
type keyboard struct {
	t           *testing.T
	s           *site
	tab         context.Context
	shot        string
	stops       []string // every focus stop, in order
	noIndicator []string // the stops without a visible focus indicator
	seen        map[string]bool
	limit       int // Tab presses to reach one element; 0 means maxTabs
}

// maxTabs bounds the Tab presses to reach one element.
const maxTabs = 40

// tabTo presses Tab until the focused element matches cond, a JavaScript
// expression over a (see focusStopJS). It checks the focus indicator of
// every element focused on the way.
func (k *keyboard) tabTo(what, cond string) {
	k.t.Helper()
	limit := k.limit
	if limit == 0 {
		limit = maxTabs
	}
	for i := 0; i < limit; i++ {
		f := k.press(kb.Tab)
		if f.Tag == "body" || f.Tag == "" {
			continue // past the end of the page: Tab wraps to the browser
		}
		ok, err := chromedp.Run(k.tab, chromedp.Evaluate[bool](`(() => { const a = `+focusStopJS+`; return `+cond+`; })()`))
		if err != nil {
			k.t.Fatalf("read focus: %v", err)
		}
		if ok {
			return
		}
	}
	k.screenshot()
	k.t.Fatalf("%d presses of Tab did not reach %s; focus stops: %s", limit, what, strings.Join(k.stops, " → "))
}

// press presses key (Tab, Shift+Tab, an arrow key, Space) and records the
// element that has focus after it, checking its focus indicator. Focus on
// <body> (nothing focused) is returned but not recorded.
func (k *keyboard) press(key string, opts ...chromedp.KeyOption) focusStop {
	k.t.Helper()
	if err := chromedp.Do(k.tab, chromedp.KeyEvent(key, opts...)); err != nil {
		k.t.Fatalf("press %q: %v", key, err)
	}
	f := k.focus()
	if f.Tag == "body" || f.Tag == "" {
		return f
	}
	desc := f.describe()
	k.stops = append(k.stops, fmt.Sprintf("%s%s", f.Path, desc))
	if !f.Indicator {
		// Transitions can delay the outline: look once more.
		time.Sleep(300 * time.Millisecond)
		f = k.focus()
	}
	if !f.Indicator {
		key := f.Path + " " + desc
		if k.seen == nil {
			k.seen = map[string]bool{}
		}
		if !k.seen[key] {
			k.seen[key] = true
			k.noIndicator = append(k.noIndicator, fmt.Sprintf("%s on %s (outline: %s %s %s; box-shadow: %s)",
				desc, f.Path, f.OutlineStyle, f.OutlineWidth, f.OutlineColor, f.BoxShadow))
		}
	}
	return f
}

// typeText types into the focused element.
func (k *keyboard) typeText(s string) {
	k.t.Helper()
	if err := chromedp.Do(k.tab, chromedp.KeyEvent(s)); err != nil {
		k.t.Fatalf("type %q: %v", s, err)
	}
}

// enter presses Enter and waits for the page it leads to, which must be
// wantPath with HTTP 200.
func (k *keyboard) enter(wantPath string) {
	k.t.Helper()
	k.enterStatus(wantPath, 200)
}

// enterStatus presses Enter and waits for the page it leads to, which must
// be wantPath with HTTP status wantStatus.
func (k *keyboard) enterStatus(wantPath string, wantStatus int) {
	k.t.Helper()
	ctx, cancel := context.WithTimeout(k.tab, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err == nil && resp == nil {
		err = fmt.Errorf("no response")
	}
	if err == nil {
		err = landed(resp, wantPath, wantStatus)
	}
	if err != nil {
		k.screenshot()
		k.t.Fatalf("press Enter (focus stops so far: %s): %v", strings.Join(k.stops, " → "), err)
	}
	if err := chromedp.Do(k.tab, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		k.t.Fatalf("wait for %s: %v", wantPath, err)
	}
}

func (k *keyboard) screenshot() {
	if png, err := chromedp.Run(k.tab, chromedp.CaptureScreenshot()); err == nil {
		k.s.save(k.t, k.shot+"-failed.png", png)
	}
}

func (k *keyboard) focus() focusStop {
	k.t.Helper()
	f, err := chromedp.Run(k.tab, chromedp.Evaluate[focusStop](focusStopJS))
	if err != nil {
		k.t.Fatalf("read focus: %v", err)
	}
	return f
}

// focusStop describes document.activeElement and how its focus shows.
type focusStop struct {
	Path         string `json:"path"` // location.pathname
	Tag          string `json:"tag"`
	ID           string `json:"id"`
	Class        string `json:"class"`
	Type         string `json:"type"`
	Text         string `json:"text"` // its label, text or aria-label
	OutlineStyle string `json:"outlineStyle"`
	OutlineWidth string `json:"outlineWidth"`
	OutlineColor string `json:"outlineColor"`
	BoxShadow    string `json:"boxShadow"`
	Indicator    bool   `json:"indicator"`
	On           string `json:"on"` // where the indicator is: "" (the element itself) or an ancestor's tag.class
}

func (f focusStop) describe() string {
	d := "<" + f.Tag
	if f.ID != "" {
		d += " id=" + f.ID
	}
	if f.Type != "" {
		d += " type=" + f.Type
	}
	if f.Class != "" {
		d += " class=" + strings.ReplaceAll(f.Class, " ", ".")
	}
	d += ">"
	if f.Text != "" {
		d += " " + fmt.Sprintf("%q", f.Text)
	}
	if f.On != "" {
		d += " (indicator on " + f.On + ")"
	}
	return d
}

// focusStopJS reads the focused element. A visible indicator is an outline
// (style not none, width above 0, colour not transparent) or a box-shadow
// with a colour that is not transparent, on the element or on one of its
// three closest ancestors (a card outlines itself when its link has focus).
const focusStopJS = `(() => {
  const a = document.activeElement;
  if (!a) return {tag: ""};
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const clear = c => c === "transparent" || /^rgba\(.*,\s*0\)$/.test(c);
  const shows = el => {
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0 && !clear(cs.outlineColor);
    const colours = (cs.boxShadow || "").match(/rgba?\([^)]*\)/g) || [];
    const shadow = cs.boxShadow && cs.boxShadow !== "none" && colours.some(c => !clear(c));
    return {cs, yes: !!(outline || shadow)};
  };
  const own = shows(a);
  let on = "", yes = own.yes;
  for (let el = a.parentElement, i = 0; !yes && el && i < 3 && el !== document.body; el = el.parentElement, i++) {
    if (shows(el).yes) { yes = true; on = el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""); }
  }
  return {
    path: location.pathname,
    tag: a.tagName.toLowerCase(),
    id: a.id || "",
    class: typeof a.className === "string" ? a.className : "",
    type: a.getAttribute("type") || "",
    text: norm((a.labels && a.labels[0] && a.labels[0].innerText) || a.innerText || a.getAttribute("aria-label") || "").slice(0, 60),
    outlineStyle: own.cs.outlineStyle, outlineWidth: own.cs.outlineWidth, outlineColor: own.cs.outlineColor,
    boxShadow: own.cs.boxShadow,
    indicator: yes, on,
  };
})()`
