//go:build browser

package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
)

// logInByRequests logs the tab in as as with the very requests the login
// pages make (the login page's button, the broker, the provider's form, the
// callback, the name form), sent by a Go HTTP client instead of rendered in
// Chromium, and hands the cookies the client got to the tab.
//
// The page check uses it: it checks pages, and a rendered login per page
// was a third of its time on CI's two cores. The login pages themselves
// are checked in the browser, through the UI, in their own entries of the
// page check and in TestKeyboardOnlyLogin and
// TestLoginAndLogoutThroughProviderOnAnotherOrigin.
func (s *site) logInByRequests(t *testing.T, tab context.Context, as who) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	visited := map[string]bool{}
	c := &http.Client{Jar: jar, Timeout: stepTimeout, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		visited[r.URL.Scheme+"://"+r.URL.Host] = true
		if len(via) > 10 {
			return fmt.Errorf("more than 10 redirects")
		}
		return nil
	}}
	fail := func(step string, err error) {
		t.Helper()
		t.Fatalf("log in as %s by requests: %s: %v", as, step, err)
	}
	var page *formPage
	switch as {
	case resident, newResident:
		if page, err = getPage(c, s.base+"/inloggen/digid?terug=/"); err == nil {
			page, err = page.submit(c, "Inloggen", map[string]string{"bsn": nextBSN()}, nil)
		}
		if err != nil {
			fail("the provider's form", err)
		}
		if err := page.at("/inloggen/naam", http.StatusOK); err != nil {
			fail("after the provider", err)
		}
		if as == resident {
			if page, err = page.submit(c, "Naam opslaan", map[string]string{"naam": residentName}, nil); err == nil {
				err = page.at("/", http.StatusOK)
			}
			if err != nil {
				fail("save the name", err)
			}
		}
	case admin, analyst, staffNoRole:
		name, groups, want := fmt.Sprintf("%s %d", staffName, loginSeq.Add(1)), []string{"inspraak-beheerders"}, http.StatusOK
		switch as {
		case analyst:
			name, groups = fmt.Sprintf("Ana Lyst %d", loginSeq.Add(1)), []string{"inspraak-analisten"}
		case staffNoRole:
			name, groups, want = fmt.Sprintf("Zonder Rol %d", loginSeq.Add(1)), nil, http.StatusForbidden
		}
		page, err = getPage(c, s.base+"/beheer/inloggen/starten?terug=/beheer")
		if err == nil {
			page, err = page.submit(c, "Inloggen", map[string]string{"name": name}, map[string][]string{"groups": groups})
		}
		if err == nil {
			err = page.at("/beheer", want)
		}
		if err != nil {
			fail("the provider's form", err)
		}
	default:
		t.Fatalf("log in as %q: unknown person", as)
	}
	visited[s.base] = true
	var set []*network.CookieParam
	for origin := range visited {
		u, err := url.Parse(origin)
		if err != nil {
			t.Fatal(err)
		}
		for _, ck := range jar.Cookies(u) {
			set = append(set, &network.CookieParam{Name: ck.Name, Value: ck.Value, URL: origin + "/", HTTPOnly: true, Path: "/"})
		}
	}
	ctx, cancel := context.WithTimeout(tab, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetCookies, network.SetCookiesParams{Cookies: set})
		return err
	})); err != nil {
		t.Fatalf("log in as %s by requests: hand the cookies to the tab: %v", as, err)
	}
}

// formPage is a page the client ended on, with what its forms need.
type formPage struct {
	url    *url.URL
	status int
	doc    *html.Node
}

func getPage(c *http.Client, u string) (*formPage, error) {
	resp, err := c.Get(u)
	if err != nil {
		return nil, err
	}
	return readPage(resp)
}

func readPage(resp *http.Response) (*formPage, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	return &formPage{url: resp.Request.URL, status: resp.StatusCode, doc: doc}, nil
}

// at says whether the page is path with status.
func (p *formPage) at(path string, status int) error {
	if p.url.Path != path || p.status != status {
		return fmt.Errorf("ended on %s (HTTP %d), want %s (HTTP %d)", p.url.RequestURI(), p.status, path, status)
	}
	return nil
}

// submit sends the form inside <main> that holds the submit button with
// text button, as a browser would: its fields as they are, set's values
// instead, and the checkboxes named in tick ticked (by value). The request
// carries the page's origin, as a browser's form post does.
func (p *formPage) submit(c *http.Client, button string, set map[string]string, tick map[string][]string) (*formPage, error) {
	form := findNode(p.doc, func(n *html.Node) bool {
		return n.Data == "form" && findNode(n, func(b *html.Node) bool {
			return b.Data == "button" && strings.Join(strings.Fields(textOf(b)), " ") == button
		}) != nil && ancestor(n, "main")
	})
	if form == nil {
		return nil, fmt.Errorf("on %s: no form with a %q button", p.url, button)
	}
	vals := url.Values{}
	walk(form, func(n *html.Node) {
		if n.Type != html.ElementNode || n.Data != "input" && n.Data != "textarea" {
			return
		}
		name, typ := attr(n, "name"), attr(n, "type")
		if name == "" {
			return
		}
		switch typ {
		case "checkbox", "radio":
			on := hasAttr(n, "checked")
			for _, v := range tick[name] {
				on = on || v == attr(n, "value")
			}
			if on {
				vals.Add(name, attr(n, "value"))
			}
		case "file", "submit":
		default:
			vals.Set(name, attr(n, "value"))
		}
	})
	for k, v := range set {
		vals.Set(k, v)
	}
	action, err := p.url.Parse(attr(form, "action"))
	if err != nil {
		return nil, err
	}
	if strings.ToLower(attr(form, "method")) != "post" {
		action.RawQuery = vals.Encode()
		return getPage(c, action.String())
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	return readPage(resp)
}

func walk(n *html.Node, f func(*html.Node)) {
	f(n)
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		walk(ch, f)
	}
}

func findNode(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(x *html.Node) {
		if found == nil && x.Type == html.ElementNode && match(x) {
			found = x
		}
	})
	return found
}

func ancestor(n *html.Node, tag string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p.Type == html.ElementNode && p.Data == tag {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(x *html.Node) {
		if x.Type == html.TextNode {
			b.WriteString(x.Data)
		}
	})
	return b.String()
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}
