//go:build browser

package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestPages visits every entry of pages at every viewport. A page keeps
// one tab, and its login, for all viewports; a page reached by a click is
// a flow that may change the session (logging out does), so it runs in a
// fresh tab, with a fresh login, at each viewport.
func TestPages(t *testing.T) {
	t.Parallel() // the tests share the application; each has its own browser
	s := startSite(t)
	axeSource := readAxe(t)
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel() // -parallel (see TestMain) bounds the open tabs
			var shared *pageTab
			if p.click == "" {
				shared = s.newPageTab(t)
			}
			for _, vp := range p.viewports() {
				t.Run(vp.name, func(t *testing.T) {
					pt := shared
					if pt == nil {
						pt = s.newPageTab(t)
					}
					s.checkPage(t, pt, p, vp, axeSource)
				})
			}
		})
	}
}

// pageTab is the tab a page is checked in.
type pageTab struct {
	tab      context.Context
	pr       *problems
	loggedIn bool // logIn ran in this tab
}

func (s *site) newPageTab(t *testing.T) *pageTab {
	tab, pr := s.newTab(t)
	return &pageTab{tab: tab, pr: pr}
}

// TestKeyboardSkipLink tabs into the home page from the top: the first Tab
// lands on the skip link, which then shows; Enter moves focus to #main.
func TestKeyboardSkipLink(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, vp := range viewports {
		t.Run(vp.name, func(t *testing.T) {
			tab, pr := s.newTab(t)
			if err := chromedp.Do(tab, emulate(vp), chromedp.Navigate(s.base+"/"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatalf("open home page: %v", err)
			}
			before, err := chromedp.Run(tab, chromedp.Evaluate[focusInfo](focusJS))
			if err != nil {
				t.Fatalf("read focus: %v", err)
			}
			if before.inViewport() {
				t.Errorf("the skip link is visible before it has focus: %+v", before)
			}

			if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Tab)); err != nil {
				t.Fatalf("press Tab: %v", err)
			}
			f, err := chromedp.Run(tab, chromedp.Evaluate[focusInfo](focusJS))
			if err != nil {
				t.Fatalf("read focus: %v", err)
			}
			if !f.IsSkip {
				t.Fatalf("first Tab focused <%s id=%q href=%q> %q, want the skip link", f.Tag, f.ID, f.Href, f.Text)
			}
			if !f.inViewport() {
				t.Errorf("focused skip link is not visible inside the %gx%g viewport: box top=%g left=%g bottom=%g right=%g (%gx%g)",
					f.VW, f.VH, f.Top, f.Left, f.Bottom, f.Right, f.Width, f.Height)
			}
			if shot, err := chromedp.Run(tab, chromedp.CaptureScreenshot()); err == nil {
				s.save(t, "home-skiplink-"+vp.name+".png", shot)
			} else {
				t.Errorf("screenshot: %v", err)
			}

			if err := chromedp.Do(tab, chromedp.KeyEvent(kb.Enter)); err != nil {
				t.Fatalf("press Enter: %v", err)
			}
			if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.activeElement && document.activeElement.id === "main"`,
				chromedp.WithPollingTimeout(3*time.Second))); err != nil {
				f, _ := chromedp.Run(tab, chromedp.Evaluate[focusInfo](focusJS))
				t.Errorf("after Enter on the skip link, focus is on <%s id=%q>, want #main (%v)", f.Tag, f.ID, err)
			}
			for _, msg := range pr.snapshot() {
				t.Errorf("%s", msg)
			}
		})
	}
}

// checkPage runs every check of one page at one viewport.
func (s *site) checkPage(t *testing.T, pt *pageTab, p page, vp viewport, axeSource string) {
	tab, pr := pt.tab, pt.pr
	// Console errors, CSP violations and failed loads, also when a check
	// stops early; taking them leaves none for the next viewport.
	defer func() {
		for _, msg := range pr.take() {
			t.Errorf("%s", msg)
		}
	}()
	target := s.base + p.path
	if p.status >= 400 {
		// Chromium logs "Failed to load resource: ... status of 404" for the
		// document itself; that is the point of an error page.
		// After a click the error document is the form's target on this
		// site, wherever the form posts to.
		pr.allow(func(u string) bool { return u == target || (p.click != "" && strings.HasPrefix(u, s.base+"/")) })
	}
	if err := chromedp.Do(tab, emulate(vp)); err != nil {
		t.Fatalf("viewport: %v", err)
	}
	if p.login != anonymous && !pt.loggedIn {
		pt.loggedIn = true // once per tab, even if it fails: that failure is reported once
		s.logInByRequests(t, tab, p.login)
	}
	resp, err := chromedp.Run(tab, chromedp.NavigateResponse(target))
	if err != nil {
		// Keep what Chromium shows instead (its own error page) for the record.
		if shot, serr := chromedp.Run(tab, chromedp.CaptureScreenshot()); serr == nil {
			s.save(t, p.name+"-"+vp.name+".png", shot)
		}
		var le *chromedp.LoadError
		if errors.As(err, &le) {
			t.Fatalf("open %s: Chromium could not display the page: %v\n"+
				"(ERR_HTTP_RESPONSE_CODE_FAILURE means an error status with an empty or unreadable body: "+
				"the server's own error page did not arrive)", p.path, err)
		}
		t.Fatalf("open %s: %v", p.path, err)
	}
	if resp == nil {
		t.Fatalf("open %s: no response", p.path)
	}
	if p.click != "" {
		if resp.Status >= 400 {
			t.Fatalf("open %s: HTTP %d, so there is no %q button to press", p.path, resp.Status, p.click)
		}
		for _, fl := range p.fill {
			action := chromedp.SetValue(chromedp.ID(fl.id), fl.value)
			if fl.value == tick {
				action = chromedp.Click(chromedp.ID(fl.id))
			}
			if err := chromedp.Do(tab, action); err != nil {
				t.Fatalf("on %s: fill #%s: %v", p.path, fl.id, err)
			}
		}
		if resp, err = clickThrough(tab, p.click); err != nil {
			if shot, serr := chromedp.Run(tab, chromedp.CaptureScreenshot()); serr == nil {
				s.save(t, p.name+"-"+vp.name+".png", shot)
			}
			t.Fatalf("on %s: %v", p.path, err)
		}
	}
	if p.endsAt != "" && pathOf(resp.URL) != p.endsAt {
		t.Errorf("the browser ended on %s, want %s", resp.URL, p.endsAt)
	}
	if int(resp.Status) != p.status {
		t.Errorf("HTTP status %d, want %d", resp.Status, p.status)
	}
	if err := chromedp.Do(tab, chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
		t.Fatalf("wait for body: %v", err)
	}
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("wait for fonts: %v", err)
	}

	f, err := chromedp.Run(tab, chromedp.Evaluate[pageFacts](factsJS))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	f.check(t, p)

	// Lazy images below the first screen would be blank in a full-page
	// screenshot: load them first.
	if _, err := chromedp.Run(tab, chromedp.Evaluate[bool](eagerImagesJS, chromedp.EvalAwaitPromise)); err != nil {
		t.Errorf("load the page's images: %v", err)
	}
	res := axeAt(t, tab, axeSource, vp)
	if len(res.Incomplete) > 0 {
		t.Logf("axe: needs manual review: %s", strings.Join(res.Incomplete, ", "))
	}
	if len(res.Violations) > 0 {
		if data, err := json.MarshalIndent(res.Violations, "", "  "); err == nil {
			s.save(t, p.name+"-"+vp.name+"-axe.json", data)
		}
		t.Errorf("axe found %d WCAG violation(s) on %s at %s:\n%s", len(res.Violations), p.path, vp.name, formatViolations(res.Violations))
	}
	// Last, so that a run that takes pictures of failures only (see
	// fullShot) has one of every check that failed.
	s.fullShot(t, tab, p.name+"-"+vp.name+".jpg")

}

func emulate(vp viewport) chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(vp.scale), chromedp.EmulatePortrait}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(vp.width, vp.height, opts...)
}

// pageFacts is what factsJS reads from the page.
type pageFacts struct {
	URL           string   `json:"url"`
	Lang          string   `json:"lang"`
	Title         string   `json:"title"`
	H1s           []string `json:"h1s"`
	FirstFocus    string   `json:"firstFocus"`    // outerHTML start of the first focusable element
	FirstFocusRef string   `json:"firstFocusRef"` // its href
	MainTag       string   `json:"mainTag"`       // tag of #main, "" if absent
	Text          string   `json:"text"`          // body innerText
	ScrollWidth   float64  `json:"scrollWidth"`
	ClientWidth   float64  `json:"clientWidth"`
}

const factsJS = `(() => {
  const norm = s => (s || "").replace(/\s+/g, " ").trim();
  const focusable = document.querySelector('a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])');
  const main = document.getElementById("main");
  return {
    url: location.href,
    lang: document.documentElement.lang,
    title: norm(document.title),
    h1s: Array.from(document.querySelectorAll("h1"), h => norm(h.textContent)),
    firstFocus: focusable ? focusable.outerHTML.slice(0, 160) : "",
    firstFocusRef: focusable ? (focusable.getAttribute("href") || "") : "",
    mainTag: main ? main.tagName.toLowerCase() : "",
    text: norm(document.body.innerText),
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  };
})()`

func (f pageFacts) check(t *testing.T, p page) {
	t.Helper()
	wantLang := p.lang
	if wantLang == "" {
		wantLang = "nl"
	}
	if f.Lang != wantLang {
		t.Errorf(`<html lang=%q>, want %q (page %s)`, f.Lang, wantLang, f.URL)
	}
	if f.Title == "" {
		t.Errorf("<title> is empty")
	}
	switch {
	case len(f.H1s) != 1:
		t.Errorf("page has %d h1 elements %q, want exactly 1", len(f.H1s), f.H1s)
	case p.h1 != "" && f.H1s[0] != p.h1:
		t.Errorf("h1 is %q, want %q", f.H1s[0], p.h1)
	}
	for _, want := range p.contains {
		if !strings.Contains(strings.ToLower(f.Text), strings.ToLower(want)) {
			t.Errorf("page does not show %q", want)
		}
	}
	if f.FirstFocusRef != "#main" {
		t.Errorf("the first focusable element is not a skip link to #main: %s", f.FirstFocus)
	}
	if f.MainTag != "main" {
		t.Errorf(`the skip link target #main is %q, want a <main id="main">`, f.MainTag)
	}
	if f.ScrollWidth > f.ClientWidth+1 {
		t.Errorf("page scrolls horizontally: content is %gpx wide in a %gpx viewport", f.ScrollWidth, f.ClientWidth)
	}
}

// focusInfo describes document.activeElement and the skip link.
type focusInfo struct {
	Tag    string  `json:"tag"`
	ID     string  `json:"id"`
	Href   string  `json:"href"`
	Text   string  `json:"text"`
	IsSkip bool    `json:"isSkip"`
	Top    float64 `json:"top"` // bounding box of the skip link
	Left   float64 `json:"left"`
	Bottom float64 `json:"bottom"`
	Right  float64 `json:"right"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
	VW     float64 `json:"vw"`
	VH     float64 `json:"vh"`
	Hidden bool    `json:"hidden"` // visibility hidden or opacity 0
}

const focusJS = `(() => {
  const a = document.activeElement;
  const skip = document.querySelector('a[href="#main"]');
  const r = skip ? skip.getBoundingClientRect() : {top: -1, left: -1, bottom: -1, right: -1, width: 0, height: 0};
  const cs = skip ? getComputedStyle(skip) : null;
  return {
    tag: a ? a.tagName.toLowerCase() : "",
    id: (a && a.id) || "",
    href: (a && a.getAttribute("href")) || "",
    text: a ? a.textContent.trim().slice(0, 80) : "",
    isSkip: !!skip && a === skip,
    top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width, height: r.height,
    vw: window.innerWidth, vh: window.innerHeight,
    hidden: !cs || cs.visibility === "hidden" || cs.opacity === "0" || cs.display === "none",
  };
})()`

func (f focusInfo) inViewport() bool {
	return !f.Hidden && f.Width > 1 && f.Height > 1 &&
		f.Top >= 0 && f.Left >= 0 && f.Bottom <= f.VH && f.Right <= f.VW
}

// axe

type axeNode struct {
	Target         string `json:"target"`
	HTML           string `json:"html"`
	FailureSummary string `json:"failureSummary"`
}

type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Nodes   []axeNode `json:"nodes"`
}

type axeResult struct {
	Version    string         `json:"version"`
	Violations []axeViolation `json:"violations"`
	Incomplete []string       `json:"incomplete"`
}

// eagerImagesJS loads every lazy image and waits until each has loaded
// or failed, then puts the page's own loading attributes back (the checks
// after the screenshot read them).
const eagerImagesJS = `(() => {
  const imgs = [...document.images], was = imgs.map(i => i.getAttribute('loading'));
  return Promise.all(imgs.map(i => {
    i.loading = 'eager';
    const loaded = i.complete ? Promise.resolve() : new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); });
    return loaded.then(() => i.decode()).catch(() => null);
  })).then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))).then(() => { imgs.forEach((i, k) => was[k] === null ? i.removeAttribute('loading') : i.setAttribute('loading', was[k])); return true; });
})()`

// axeRunJS checks the page against WCAG 2.0, 2.1 and 2.2, levels A and AA.
const axeRunJS = axeRunWith + `{type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}` + axeReport

// axeLayoutRunJS runs only the WCAG rules whose outcome depends on the
// layout (the viewport's width): what the page's CSS changes between a
// desktop and a phone. The other rules read the DOM, which is the same
// HTML at every width; they run once, at desktop size (axeRunJS).
const axeLayoutRunJS = axeRunWith + `{type: "rule", values: [` + axeLayoutRules + `]}` + axeReport

// axeLayoutRules: contrast (backgrounds and overlap change with the
// layout), target size (WCAG 2.2 AA, 24 px or spacing), a scroll region
// reachable by keyboard, links told apart from the text around them, and
// no orientation lock or zoom block.
const axeLayoutRules = `"color-contrast", "target-size", "scrollable-region-focusable", "link-in-text-block", "css-orientation-lock", "meta-viewport"`

const axeRunWith = `axe.run(document, {
  resultTypes: ["violations"],
  runOnly: `

const axeReport = `,
}).then(r => ({
  version: axe.version,
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(x => Array.isArray(x) ? x.join(" >>> ") : String(x)).join(", "),
      html: n.html,
      failureSummary: n.failureSummary || "",
    })),
  })),
  incomplete: r.incomplete.map(v => v.id),
}))`

func readAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatalf("read vendored axe-core: %v", err)
	}
	return string(b)
}

// runAxe injects axe-core through DevTools (the page's CSP forbids inline
// scripts, but DevTools evaluation is not subject to it) and runs it.
func runAxe(t *testing.T, tab context.Context, axeSource string) axeResult {
	t.Helper()
	return runAxeJS(t, tab, axeSource, axeRunJS)
}

// axeAt runs axe-core on a page shown at vp: every rule at the first
// (desktop) size, and at the others only the rules that the width can
// change (axeLayoutRunJS). A page is checked at desktop size too wherever
// it is checked on a phone.
func axeAt(t *testing.T, tab context.Context, axeSource string, vp viewport) axeResult {
	t.Helper()
	if vp == viewports[0] {
		return runAxe(t, tab, axeSource)
	}
	return runAxeLayout(t, tab, axeSource)
}

// runAxeLayout is runAxe with the layout rules only (axeLayoutRunJS), for
// a page already checked in full at another width.
func runAxeLayout(t *testing.T, tab context.Context, axeSource string) axeResult {
	t.Helper()
	return runAxeJS(t, tab, axeSource, axeLayoutRunJS)
}

func runAxeJS(t *testing.T, tab context.Context, axeSource, run string) axeResult {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	res, err := chromedp.Run(tab, chromedp.Evaluate[axeResult](run, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	if res.Version == "" {
		t.Fatalf("axe-core did not load into the page")
	}
	return res
}

func formatViolations(vs []axeViolation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "  [%s] %s: %s (%s)\n", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "      - %s\n        %s\n", n.Target, strings.ReplaceAll(strings.TrimSpace(n.FailureSummary), "\n", "\n        "))
		}
	}
	return b.String()
}

// viewports are the sizes a page is checked at. Back-office pages (staff
// logins) are checked on a desktop only: the municipality's staff work on
// desktops, and checking them on a phone too took CI past 15 minutes.
// Every page residents and visitors see is checked at both sizes.
func (p page) viewports() []viewport {
	if p.login == admin || p.login == staffNoRole {
		return viewports[:1]
	}
	return viewports
}
