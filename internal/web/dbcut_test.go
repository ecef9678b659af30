package web_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"inspraak/internal/app"
	"inspraak/internal/testdb"
	"inspraak/internal/web"
)

// cutProxy is a TCP proxy between the application and PostgreSQL that
// the test can cut: every open connection broken and new ones refused (the
// port closed), as when the database server goes away, and then restored
// on the same address.
type cutProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newCutProxy(t testing.TB, target string) *cutProxy {
	t.Helper()
	p := &cutProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.cut()
		p.wg.Wait()
	})
	return p
}

func (p *cutProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return // closed by cut
			}
			out, err := net.Dial("tcp", p.target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			if p.ln != ln { // cut meanwhile
				p.mu.Unlock()
				in.Close()
				out.Close()
				return
			}
			p.conns[in], p.conns[out] = true, true
			p.mu.Unlock()
			pipe := func(dst, src net.Conn) {
				_, _ = io.Copy(dst, src)
				dst.Close()
				src.Close()
			}
			p.wg.Go(func() { pipe(out, in) })
			p.wg.Go(func() { pipe(in, out) })
		}
	})
}

// cut closes the port and breaks every connection through it.
func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// restore opens the port again, on the same address.
func (p *cutProxy) restore() {
	p.t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// newSiteThroughProxy is newSite with the application's database
// connections running through a cutProxy. PostgreSQL only.
func newSiteThroughProxy(t *testing.T) (*testSite, *cutProxy) {
	t.Helper()
	var proxy *cutProxy
	s := newSiteVia(t, nil, app.Options{}, func(dbURL string) string {
		direct, err := url.Parse(dbURL)
		if err != nil {
			t.Fatal(err)
		}
		proxy = newCutProxy(t, direct.Host)
		via := *direct
		via.Host = proxy.addr
		return via.String()
	})
	return s, proxy
}

// While PostgreSQL cannot be reached, every page says so with a 503, a
// Retry-After and a plain Dutch "even niet beschikbaar" page (JSON on the
// API), not a 500; when it is back, the site is too, without a restart.
func TestLostDatabaseGives503AndComesBackByItself(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("cuts a PostgreSQL connection: runs when " + testdb.EnvVar + " is set (CI sets it)")
	}
	t.Parallel() // each test has its own site and database
	s, proxy := newSiteThroughProxy(t)
	res := resident(t, s, testBSN, "Bewoner")
	staff := newBrowser(t, s)
	staff.loginStaff("Eddy Tor", "inspraak-redacteuren")
	english := newBrowser(t, s)
	wantStatus(t, english.get("/taal/en?terug=/"), http.StatusSeeOther)
	ids := optionIDs(t, res.get(schoolPoll).Body)

	type check struct {
		name string
		do   func() response
		// after is the status once the database is back.
		after int
	}
	checks := []check{
		{"home", func() response { return s.get(t, "/") }, 200},
		{"project page", func() response { return s.get(t, "/projecten/herinrichting-marktplein") }, 200},
		{"instrument page", func() response { return s.get(t, schoolPoll) }, 200},
		{"resident's own page", func() response { return res.get("/mijn-inspraak") }, 200},
		{"staff page", func() response { return staff.get("/beheer/projecten") }, 200},
		{"a vote (POST)", func() response { return res.post(schoolPoll+"/stem", url.Values{"keuze": {ids[0]}}) }, http.StatusSeeOther},
		{"starting a login (POST)", func() response { return newBrowser(t, s).post("/inloggen/digid", url.Values{"terug": {"/"}}) }, http.StatusSeeOther},
		{"a page that panics", func() response { return s.get(t, "/test/db-panic") }, 200},
	}
	for _, c := range checks {
		if r := c.do(); r.StatusCode != c.after {
			t.Fatalf("before the cut, %s: %d", c.name, r.StatusCode)
		}
	}

	proxy.cut()
	for _, c := range checks {
		r := c.do()
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("database gone, %s: status %d, want 503\n%.400s", c.name, r.StatusCode, r.Body)
			continue
		}
		if r.Header.Get("Retry-After") == "" {
			t.Errorf("database gone, %s: no Retry-After", c.name)
		}
		wantContains(t, r, "even niet beschikbaar", "Probeer het over een paar minuten opnieuw", `<html lang="nl"`)
		wantAbsent(t, r, http.StatusServiceUnavailable, "Er ging iets mis")
		// Every 5xx shows the reference it is logged under.
		id := r.Header.Get(web.RequestIDHeader)
		wantContains(t, r, "Noem dan deze code", id)
		if id == "" || !strings.Contains(s.Logs.String(), id) {
			t.Errorf("database gone, %s: the 503 is not logged under its reference %q", c.name, id)
		}
	}
	en := english.get("/projecten")
	wantStatus(t, en, http.StatusServiceUnavailable)
	wantContains(t, en, "briefly unavailable", `<html lang="en"`)
	api := s.get(t, "/api/v1/projects")
	wantStatus(t, api, http.StatusServiceUnavailable)
	if api.Header.Get("Retry-After") == "" {
		t.Error("API: no Retry-After")
	}
	var body struct {
		Status int
		Detail string
	}
	if err := json.Unmarshal([]byte(api.Body), &body); err != nil || body.Status != http.StatusServiceUnavailable || !strings.Contains(body.Detail, "Probeer het over een paar minuten opnieuw") ||
		!strings.Contains(body.Detail, api.Header.Get(web.RequestIDHeader)) ||
		!strings.HasPrefix(api.Header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("API while the database is gone: %v %s", err, api.Body)
	}
	wantStatus(t, s.get(t, "/readyz"), http.StatusServiceUnavailable)
	wantStatus(t, s.get(t, "/healthz"), 200)

	proxy.restore()
	for _, c := range checks {
		if r := c.do(); r.StatusCode != c.after {
			t.Errorf("database back, %s: status %d, want %d\n%.400s", c.name, r.StatusCode, c.after, r.Body)
		}
	}
	wantStatus(t, s.get(t, "/api/v1/projects"), 200)
	wantStatus(t, s.get(t, "/readyz"), 200)
}
