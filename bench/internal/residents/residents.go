// Package residents is what the over-HTTP drivers (bench/votes,
// bench/ideas/supports) share: many distinct residents logged in through
// the built-in development login provider (the same code path as DigiD),
// one prepared POST each, sent at a fixed concurrency over keep-alive
// connections, and the report. It only talks to loopback addresses.
package residents

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Base parses the server's base URL and refuses anything but loopback.
func Base(base string) (*url.URL, error) {
	u, err := url.Parse(base)
	if err != nil || !loopback(u.Hostname()) {
		return nil, fmt.Errorf("-base must be a loopback address")
	}
	return u, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// TestBSNs returns made-up numbers that pass the 11-test, from 900000000
// up, skipping the first skip of them (a different range per run).
func TestBSNs(skip, n int) []string {
	var out []string
	for v := 900000000; len(out) < n; v++ {
		s := strconv.Itoa(v)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += int(s[i]-'0') * (9 - i)
		}
		sum -= int(s[8] - '0')
		if sum%11 != 0 {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, s)
	}
	return out
}

// LogIn logs every BSN in, workers at a time, and says how it went; any
// failed login is an error (the run would measure fewer people).
func LogIn(base *url.URL, bsns []string, workers int) ([]*http.Client, error) {
	fmt.Printf("logging in %d residents (%d at a time)...\n", len(bsns), workers)
	start := time.Now()
	clients := make([]*http.Client, len(bsns))
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(bsns) {
					return
				}
				c, err := login(base.String(), bsns[i])
				if err != nil {
					if failed.Add(1) <= 3 {
						fmt.Fprintln(os.Stderr, "login:", err)
					}
					continue
				}
				clients[i] = c
			}
		})
	}
	wg.Wait()
	fmt.Printf("logged in %d in %s (%d failed)\n", len(bsns)-int(failed.Load()), time.Since(start).Round(time.Millisecond), failed.Load())
	if failed.Load() > 0 {
		return nil, fmt.Errorf("%d logins failed", failed.Load())
	}
	return clients, nil
}

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login walks the production login flow against the built-in provider.
func login(base, bsn string) (*http.Client, error) {
	c := newClient()
	resp, err := c.PostForm(base+"/inloggen/digid", url.Values{"terug": {"/"}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	auth, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("start: %s", resp.Status)
	}
	form := auth.Query()
	form.Set("bsn", bsn)
	form.Set("loa", "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract")
	resp, err = c.PostForm(base+"/dev/idp/authorize", form)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	cb, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("provider: %s", resp.Status)
	}
	resp, err = c.Get(cb.String())
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "reden=") || resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("callback: %s %s", resp.Status, loc)
	}
	return c, nil
}

// Post builds resident i's form post as raw bytes (session cookie, form),
// ahead of the run: Go's http.Client with a cookie jar cost 0.37 ms of CPU
// per request on the same two cores as the server, a third of the
// machine. forwarded gives each resident its own client address in
// X-Forwarded-For (a server with INSPRAAK_TRUSTED_PROXIES=127.0.0.1), as
// residents at home.
func Post(base *url.URL, c *http.Client, i int, path, body string, forwarded bool) []byte {
	return Raw(base, "POST", path, Cookie(base, c), body, Forwarded(i, forwarded))
}

// Cookie is the Cookie header a logged-in client sends to base.
func Cookie(base *url.URL, c *http.Client) string {
	var ck []string
	for _, k := range c.Jar.Cookies(base) {
		ck = append(ck, k.Name+"="+k.Value)
	}
	return strings.Join(ck, "; ")
}

// Forwarded is resident i's own client address (X-Forwarded-For), or ""
// when not forwarded.
func Forwarded(i int, forwarded bool) string {
	if !forwarded {
		return ""
	}
	return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
}

// Raw builds a raw HTTP/1.1 request: a form post when body is not empty
// or method is POST, with the cookie header and the forwarded address
// when given.
func Raw(base *url.URL, method, path, cookie, body, forwardedFor string) []byte {
	var b strings.Builder
	b.WriteString(method + " " + path + " HTTP/1.1\r\nHost: " + base.Host)
	if forwardedFor != "" {
		b.WriteString("\r\nX-Forwarded-For: " + forwardedFor)
	}
	if cookie != "" {
		b.WriteString("\r\nCookie: " + cookie)
	}
	if method == "POST" {
		b.WriteString("\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + strconv.Itoa(len(body)))
	}
	b.WriteString("\r\n\r\n" + body)
	return []byte(b.String())
}

// Run is what sending the posts gave: each one's latency and status (-1:
// the connection failed) and the time for all.
type Run struct {
	Lat     []time.Duration
	Codes   []int
	Elapsed time.Duration
}

// Send sends every request once, concurrency at a time, each worker over
// its own keep-alive connection.
func Send(base *url.URL, reqs [][]byte, concurrency int) Run {
	r := Run{Lat: make([]time.Duration, len(reqs)), Codes: make([]int, len(reqs))}
	var next atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	for range concurrency {
		wg.Go(func() {
			var conn net.Conn
			var br *bufio.Reader
			for {
				i := int(next.Add(1) - 1)
				if i >= len(reqs) {
					if conn != nil {
						conn.Close()
					}
					return
				}
				t0 := time.Now()
				if conn == nil {
					var err error
					if conn, err = net.Dial("tcp", base.Host); err != nil {
						r.Codes[i] = -1
						continue
					}
					br = bufio.NewReader(conn)
				}
				code, err := roundTrip(conn, br, reqs[i])
				r.Lat[i] = time.Since(t0)
				if err != nil {
					r.Codes[i] = -1
					conn.Close()
					conn = nil
					continue
				}
				r.Codes[i] = code
			}
		})
	}
	wg.Wait()
	r.Elapsed = time.Since(begin)
	return r
}

// Report prints the run (what: "votes", "supports"; stored: what a 303
// means) with the RESULT line the run scripts keep, and says whether every
// request got its 303.
func (r Run) Report(what, stored string, concurrency int) bool {
	counts := map[int]int{}
	for _, c := range r.Codes {
		counts[c]++
	}
	lat := r.Lat
	pct := func(p float64) float64 { return Percentiles(lat, p)[0] }
	rate := float64(len(lat)) / r.Elapsed.Seconds()
	fmt.Printf("%s: %d at concurrency %d in %s → %.0f %s/s\n", what, len(lat), concurrency, r.Elapsed.Round(time.Millisecond), rate, what)
	fmt.Printf("latency: p50 %.2f ms  p90 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n", pct(.50), pct(.90), pct(.95), pct(.99), pct(1))
	fmt.Printf("status: %v (303 = %s)\n", counts, stored)
	fmt.Printf("RESULT concurrency=%d %s=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d p95_ms=%.2f\n", concurrency, what, len(lat),
		rate, pct(.50), pct(.99), counts[303], pct(.95))
	return counts[303] == len(lat)
}

// roundTrip writes one prepared request and reads its response.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (int, error) {
	resp, _, err := Exchange(conn, br, req, false)
	if resp == nil {
		return 0, err
	}
	return resp.StatusCode, err
}

// Exchange writes one prepared request over a keep-alive connection and
// reads its response; the body is returned only when keepBody (otherwise
// read and dropped). An error with a response means the server closed the
// connection after it: the caller dials again.
func Exchange(conn net.Conn, br *bufio.Reader, req []byte, keepBody bool) (*http.Response, []byte, error) {
	if _, err := conn.Write(req); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, nil, err
	}
	var body []byte
	if keepBody {
		body, err = io.ReadAll(resp.Body)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	if err != nil {
		return nil, nil, err
	}
	if resp.Close {
		return resp, body, fmt.Errorf("server closed the connection")
	}
	return resp, body, nil
}

// Percentiles returns the latencies at the given fractions (0.99 for
// p99, 1 for the maximum), in milliseconds.
func Percentiles(lat []time.Duration, ps ...float64) []float64 {
	out := make([]float64, len(ps))
	if len(lat) == 0 {
		return out
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	for k, p := range ps {
		out[k] = float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000
	}
	return out
}

// ProcessCPU is the CPU time a process has used so far (user and system,
// from /proc); 0 when pid is 0 or /proc cannot tell.
func ProcessCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces: fields count from after its ")".
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// Profile takes a CPU profile of the server (its INSPRAAK_PPROF_ADDR,
// loopback only) for secs seconds and writes it to out.
func Profile(profileURL string, secs int, out string) error {
	if _, err := Base(profileURL); err != nil {
		return fmt.Errorf("-pprof must be a loopback address")
	}
	resp, err := http.Get(fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", profileURL, secs))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("profiler: %s", resp.Status)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
