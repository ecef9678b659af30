//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestLoginAndLogoutThroughProviderOnAnotherOrigin logs in and out with
// DigiD, eHerkenning and a work account in Chromium, through a broker on
// one origin that sends the browser on to the built-in provider on
// another (see startApp), as DigiD through a broker does. Chromium holds
// every redirect after a posted form to the page's form-action: the login
// (a link), the provider form's redirect back with the code, and the
// logout (a form, then a page that moves on to the end-session endpoint)
// must all get through both origins and back, and nothing may be
// reported as a CSP violation on the way.
func TestLoginAndLogoutThroughProviderOnAnotherOrigin(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	if s.idp == "" || s.idp == s.base {
		t.Fatalf("the provider must run on another origin than the site (%s), not %q", s.base, s.idp)
	}
	if s.broker == "" || s.broker == s.idp || s.broker == s.base {
		t.Fatalf("the broker must run on a third origin, not %q (site %s, provider %s)", s.broker, s.base, s.idp)
	}
	cases := []struct {
		name, loginPage, button string
		fill                    func(tab context.Context) error
		landsAt                 string // the page the login ends on
		logout                  func(t *testing.T, tab context.Context) (*network.Response, error)
		loggedOutAt, guarded    string
		guardedTo               string // where the guarded page sends a logged-out visitor
	}{
		{
			name: "digid", loginPage: "/inloggen", button: "Inloggen met DigiD",
			fill: func(tab context.Context) error {
				return chromedp.Do(tab, chromedp.SetValue(chromedp.ID("bsn"), nextBSN()))
			},
			landsAt: "/inloggen/naam",
			logout: func(t *testing.T, tab context.Context) (*network.Response, error) {
				if err := chromedp.Do(tab, chromedp.Navigate(s.base+"/uitloggen"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					return nil, err
				}
				return clickThrough(tab, "Uitloggen")
			},
			loggedOutAt: "/uitgelogd", guarded: "/mijn-inspraak", guardedTo: "/inloggen",
		},
		{
			name: "eherkenning", loginPage: "/inloggen", button: "Inloggen met eHerkenning",
			fill: func(tab context.Context) error {
				return chromedp.Do(tab, chromedp.SetValue(chromedp.ID("kvk"), "90001234"))
			},
			landsAt: "/inloggen/naam",
			logout: func(t *testing.T, tab context.Context) (*network.Response, error) {
				if err := chromedp.Do(tab, chromedp.Navigate(s.base+"/uitloggen"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
					return nil, err
				}
				return clickThrough(tab, "Uitloggen")
			},
			loggedOutAt: "/uitgelogd", guarded: "/mijn-inspraak", guardedTo: "/inloggen",
		},
		{
			name: "staff", loginPage: "/beheer/inloggen", button: "Inloggen met werkaccount",
			fill: func(tab context.Context) error {
				return chromedp.Do(tab, chromedp.SetValue(chromedp.ID("name"), fmt.Sprintf("%s %d", staffName, loginSeq.Add(1))),
					chromedp.Click(chromedp.Search(`//main//label[normalize-space()="inspraak-beheerders"]`)))
			},
			landsAt: "/beheer",
			// Staff log out with the button in the page header.
			logout: func(t *testing.T, tab context.Context) (*network.Response, error) {
				ctx, cancel := context.WithTimeout(tab, stepTimeout)
				defer cancel()
				return runThrough(ctx, "staff logout", chromedp.Click(chromedp.Search(`//header//form[@action="/beheer/uitloggen"]//button`)))
			},
			loggedOutAt: "/beheer/uitgelogd", guarded: "/beheer", guardedTo: "/beheer/inloggen",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			tab, pr := s.newTab(t)
			var mu sync.Mutex
			var documents []string // every document request, redirects included
			if err := chromedp.Listen(tab, func(ev any) {
				if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Type == network.ResourceTypeDocument && e.Request != nil {
					mu.Lock()
					documents = append(documents, e.Request.URL)
					mu.Unlock()
				}
			}); err != nil {
				t.Fatalf("listen: %v", err)
			}
			visited := func(prefix string) bool {
				mu.Lock()
				defer mu.Unlock()
				for _, d := range documents {
					if strings.HasPrefix(d, prefix) {
						return true
					}
				}
				return false
			}
			shot := func(step string) {
				if png, err := chromedp.Run(tab, chromedp.CaptureScreenshot()); err == nil {
					s.save(t, "login-origin-"+c.name+"-"+step+".png", png)
				}
			}
			step := func(name string, resp *network.Response, err error, wantOrigin, wantPath string) {
				t.Helper()
				if err == nil {
					var u *url.URL
					if u, err = url.Parse(resp.URL); err == nil {
						if got := u.Scheme + "://" + u.Host; got != wantOrigin || u.Path != wantPath || resp.Status != 200 {
							err = fmt.Errorf("ended on %s (HTTP %d), want %s%s (HTTP 200)", resp.URL, resp.Status, wantOrigin, wantPath)
						}
					}
				}
				if err != nil {
					shot(name)
					at, _ := chromedp.Run(tab, chromedp.Location())
					t.Fatalf("%s: %v\n(the browser is at %s; problems so far: %q)", name, err, at, pr.snapshot())
				}
			}

			if err := chromedp.Do(tab, chromedp.Navigate(s.base+c.loginPage), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
				t.Fatalf("open %s: %v", c.loginPage, err)
			}
			resp, err := clickThrough(tab, c.button)
			step("the login button leads to the provider", resp, err, s.idp, "/dev/idp/authorize")
			if err := c.fill(tab); err != nil {
				t.Fatalf("fill in the provider's form: %v", err)
			}
			resp, err = clickThrough(tab, "Inloggen")
			step("the provider sends the browser back, logged in", resp, err, s.base, c.landsAt)
			if !visited(s.base + "/" + strings.TrimPrefix(callbackPath(c.name), "/")) {
				t.Errorf("the login did not pass the site's callback %s", callbackPath(c.name))
			}
			if !visited(s.broker + "/authorize?") {
				t.Errorf("the login did not pass the broker on %s", s.broker)
			}

			resp, err = c.logout(t, tab)
			step("logging out passes the provider and ends on the site", resp, err, s.base, c.loggedOutAt)
			if !visited(s.broker+"/end-session?") || !visited(s.idp+"/dev/idp/end-session?") {
				mu.Lock()
				t.Errorf("logging out did not pass the provider's end-session endpoint; documents: %q", documents)
				mu.Unlock()
			}
			ctx, cancel := context.WithTimeout(tab, stepTimeout)
			defer cancel()
			resp, err = chromedp.Run(ctx, chromedp.NavigateResponse(s.base+c.guarded))
			if err != nil {
				t.Fatalf("open %s: %v", c.guarded, err)
			}
			if p := pathOf(resp.URL); p != c.guardedTo {
				t.Errorf("after logging out, %s led to %s, want %s: still logged in?", c.guarded, resp.URL, c.guardedTo)
			}
			for _, msg := range pr.take() {
				// The logged-out visitor's 401 on the login page is expected.
				if strings.Contains(msg, "status of 401") {
					continue
				}
				t.Errorf("%s", msg)
			}
		})
	}
}

func callbackPath(means string) string {
	if means == "staff" {
		return "/beheer/inloggen/terug"
	}
	return "/inloggen/" + means + "/terug"
}
