//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// who is the person a tab logs in as before it opens its page. The login
// is the site's own, through the built-in test provider behind a broker on
// other origins, made with requests (logInByRequests); the login pages
// themselves are checked in the browser by TestKeyboardOnlyLogin,
// TestLoginAndLogoutThroughProviderOnAnotherOrigin and the page check's
// login entries.
type who string

const (
	anonymous who = ""
	// resident logs in with DigiD for the first time (a fresh BSN, so the
	// site asks for a name) and saves the name residentName.
	resident who = "resident"
	// newResident logs in with DigiD for the first time and stops at the
	// name question (/inloggen/naam).
	newResident who = "new resident"
	// admin logs in with a work account in the group inspraak-beheerders.
	admin who = "admin"
	// analyst logs in with a work account in the group inspraak-analisten
	// only: an analyst, not an administrator.
	analyst who = "analyst"
	// staffNoRole logs in with a work account in none of the groups: logged
	// in, but without any role.
	staffNoRole who = "staff without role"
)

const (
	residentName = "Anne Inwoner"
	// staffName starts the name of every staff login; a number follows, so
	// parallel tabs never log in as the same, not yet known, person.
	staffName = "Ad Min"
)

// stepTimeout bounds one step of a flow (a click and the page it leads
// to), so a missing button fails within seconds, not at tabTimeout.
const stepTimeout = 15 * time.Second

var loginSeq atomic.Int64

// nextBSN returns a BSN that passes the 11-test and that no other login of
// this test run has used.
func nextBSN() string {
	for {
		d := strconv.FormatInt(20_000_000+loginSeq.Add(1), 10)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += int(d[i]-'0') * (9 - i)
		}
		if c := sum % 11; c < 10 {
			return d + strconv.Itoa(c)
		}
	}
}

// buttonInMain selects the button inside <main> whose text is text: a
// <button>, or a link that looks like one (the login buttons). The header
// has buttons too ("Uitloggen", "Blijf ingelogd"); they never match.
func buttonInMain(text string) chromedp.Search {
	return chromedp.Search(fmt.Sprintf(`//main//*[self::button or self::a[contains(@class, "utrecht-button-link")]][normalize-space()=%q]`, text))
}

// clickThrough clicks the button with this text inside <main> and waits
// for the page that the click leads to (after any redirects).
func clickThrough(tab context.Context, text string) (*network.Response, error) {
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	// Fail at once, and say what is there, rather than wait for a button
	// that never comes.
	there, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("main button, main a.utrecht-button-link"), b => b.textContent.replace(/\s+/g, " ").trim())`))
	if err != nil {
		return nil, fmt.Errorf("click %q: %w", text, err)
	}
	if !slices.Contains(there, text) {
		return nil, fmt.Errorf("click %q: <main> has no such button; its buttons are %q", text, there)
	}
	return runThrough(ctx, fmt.Sprintf("click %q", text), chromedp.Click(buttonInMain(text)))
}

// runThrough runs an action that navigates and returns the response of
// the page it ends on: after the redirects, and after a page that sends
// the browser on by itself (the logout page's meta refresh) too.
func runThrough(ctx context.Context, what string, action chromedp.Action[chromedp.Void]) (*network.Response, error) {
	var mu sync.Mutex
	var last *network.Response // the latest document response
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && e.Type == network.ResourceTypeDocument && e.Response != nil {
			mu.Lock()
			last = e.Response
			mu.Unlock()
		}
	}); err != nil {
		return nil, err
	}
	resp, err := chromedp.RunResponse(ctx, action)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if resp == nil {
		return nil, fmt.Errorf("%s: no response", what)
	}
	for {
		// A page that moves on has a meta refresh; the next page loading
		// has none yet, or a document that is not complete.
		settled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
			`document.readyState === "complete" && !document.querySelector('meta[http-equiv="refresh"]')`))
		if err == nil && settled {
			break
		}
		select {
		case <-ctx.Done():
			at, _ := chromedp.Run(context.WithoutCancel(ctx), chromedp.Location())
			return nil, fmt.Errorf("%s: the page did not settle (at %s): %w", what, at, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	at, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	// A redirect to an anchor (#...) ends on the document without it.
	at, _, _ = strings.Cut(at, "#")
	mu.Lock()
	defer mu.Unlock()
	if last != nil && last.URL == at {
		return last, nil
	}
	if resp.URL == at {
		return resp, nil
	}
	return nil, fmt.Errorf("%s: ended on %s, but no document response was seen for it", what, at)
}

// landed checks the page a step ended on: its path (no query) and status.
func landed(resp *network.Response, wantPath string, wantStatus int) error {
	u, err := url.Parse(resp.URL)
	if err != nil {
		return err
	}
	if u.Path != wantPath || int(resp.Status) != wantStatus {
		return fmt.Errorf("ended on %s (HTTP %d), want %s (HTTP %d)", u.RequestURI(), resp.Status, wantPath, wantStatus)
	}
	return nil
}

// pathOf is the path of a URL, "" if it does not parse.
func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Path
}
