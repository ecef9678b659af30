// Package stafflogin logs a staff member in on a running server through
// the built-in development login provider (the same OpenID Connect code
// path as a municipality's own staff login), for the benchmarks that
// measure staff pages over HTTP. It only talks to loopback addresses.
package stafflogin

import (
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"
)

// Loopback says whether host is this machine.
func Loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewClient is an HTTP client with a cookie jar that never follows
// redirects.
func NewClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// Login walks the staff login: start at /beheer/inloggen asking to come
// back to back, submit the provider's form with a name and one group, and
// come back through the callback. The client then holds the session.
func Login(base, name, group, back string) (*http.Client, error) {
	c := NewClient()
	resp, err := c.PostForm(base+"/beheer/inloggen", url.Values{"terug": {back}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	auth, err := resp.Location()
	if err != nil || !Loopback(auth.Hostname()) || !strings.HasSuffix(auth.Path, "/dev/idp/authorize") {
		return nil, fmt.Errorf("start: %s %v", resp.Status, auth)
	}
	form := auth.Query()
	form.Set("name", name)
	form["groups"] = []string{group}
	resp, err = c.PostForm(base+"/dev/idp/authorize", form)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	cb, err := resp.Location()
	if err != nil || !Loopback(cb.Hostname()) {
		return nil, fmt.Errorf("provider: %s", resp.Status)
	}
	resp, err = c.Get(cb.String())
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != back {
		return nil, fmt.Errorf("callback: %s %s", resp.Status, loc)
	}
	return c, nil
}

// Cookie is the Cookie header value the client would send to u.
func Cookie(c *http.Client, u *url.URL) string {
	var ck []string
	for _, k := range c.Jar.Cookies(u) {
		ck = append(ck, k.Name+"="+k.Value)
	}
	return strings.Join(ck, "; ")
}
