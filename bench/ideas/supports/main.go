// Command supports measures supports over HTTP: it logs in many distinct
// residents through the built-in development login provider (the same
// code path as DigiD), then has each of them support one idea of a board
// at a fixed concurrency, spread over the ideas given, and reports
// supports/s and latency percentiles. bench/ideas/supports.sh runs it.
//
// It only talks to loopback addresses.
package main

import (
	"bufio"
	"flag"
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

var (
	base         = flag.String("base", "http://127.0.0.1:18083", "server base URL (loopback only)")
	board        = flag.String("board", "/projecten/ideeen-bench/ideeenbord", "board page path")
	idsFile      = flag.String("ids", "", "file with the ids of the ideas to support, one per line (required)")
	residents    = flag.Int("residents", 10000, "residents to log in; each supports one idea")
	concurrency  = flag.Int("concurrency", 16, "parallel supporters")
	offset       = flag.Int("offset", 0, "skip this many test BSNs (use a different range per run)")
	loginWorkers = flag.Int("login-workers", 8, "parallel logins while preparing")
	forwarded    = flag.Bool("forwarded", false, "give each resident its own client address in X-Forwarded-For (server with INSPRAAK_TRUSTED_PROXIES=127.0.0.1)")
)

func main() {
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || !loopback(u.Hostname()) {
		fmt.Fprintln(os.Stderr, "supports: -base must be a loopback address")
		os.Exit(2)
	}
	ids, err := readIDs(*idsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "supports:", err)
		os.Exit(2)
	}
	bsns := testBSNs(*offset, *residents)
	fmt.Printf("logging in %d residents (%d at a time)...\n", len(bsns), *loginWorkers)
	start := time.Now()
	clients := make([]*http.Client, len(bsns))
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := 0; w < *loginWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(bsns) {
					return
				}
				c, err := login(bsns[i])
				if err != nil {
					if failed.Add(1) <= 3 {
						fmt.Fprintln(os.Stderr, "login:", err)
					}
					continue
				}
				clients[i] = c
			}
		}()
	}
	wg.Wait()
	fmt.Printf("logged in %d in %s (%d failed)\n", len(bsns)-int(failed.Load()), time.Since(start).Round(time.Millisecond), failed.Load())
	if failed.Load() > 0 {
		os.Exit(1)
	}

	// Each resident posts over its own keep-alive connection with the
	// request bytes built beforehand (session cookie, form), as the votes
	// driver does: resident i supports idea i mod len(ids), so every idea
	// gets its share and supports of one idea arrive together.
	reqs := make([][]byte, len(clients))
	for i, c := range clients {
		body := "steun=ja&terug=" + url.QueryEscape(*board)
		var ck []string
		for _, k := range c.Jar.Cookies(u) {
			ck = append(ck, k.Name+"="+k.Value)
		}
		fwd := ""
		if *forwarded {
			fwd = fmt.Sprintf("\r\nX-Forwarded-For: 10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		}
		reqs[i] = []byte("POST " + *board + "/ideeen/" + ids[i%len(ids)] + "/steun HTTP/1.1\r\nHost: " + u.Host + fwd +
			"\r\nCookie: " + strings.Join(ck, "; ") +
			"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
			strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	}
	lat := make([]time.Duration, len(clients))
	codes := make([]int, len(clients))
	next.Store(0)
	begin := time.Now()
	for w := 0; w < *concurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn net.Conn
			var br *bufio.Reader
			for {
				i := int(next.Add(1) - 1)
				if i >= len(clients) {
					if conn != nil {
						conn.Close()
					}
					return
				}
				t0 := time.Now()
				if conn == nil {
					var err error
					if conn, err = net.Dial("tcp", u.Host); err != nil {
						codes[i] = -1
						continue
					}
					br = bufio.NewReader(conn)
				}
				code, err := roundTrip(conn, br, reqs[i])
				lat[i] = time.Since(t0)
				if err != nil {
					codes[i] = -1
					conn.Close()
					conn = nil
					continue
				}
				codes[i] = code
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	counts := map[int]int{}
	for _, c := range codes {
		counts[c]++
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	fmt.Printf("supports: %d on %d ideas at concurrency %d in %s → %.0f supports/s\n", len(lat), min(len(ids), len(lat)), *concurrency,
		elapsed.Round(time.Millisecond), float64(len(lat))/elapsed.Seconds())
	fmt.Printf("latency: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n", pct(.50), pct(.90), pct(.99), pct(1))
	fmt.Printf("status: %v (303 = support stored and redirected to the board)\n", counts)
	fmt.Printf("RESULT concurrency=%d supports=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d\n", *concurrency, len(lat),
		float64(len(lat))/elapsed.Seconds(), pct(.50), pct(.99), counts[303])
	if counts[303] != len(lat) {
		os.Exit(1)
	}
}

// readIDs reads the idea ids, one per line.
func readIDs(path string) ([]string, error) {
	if path == "" {
		return nil, fmt.Errorf("-ids is required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range strings.Fields(string(b)) {
		if _, err := strconv.ParseInt(l, 10, 64); err != nil {
			return nil, fmt.Errorf("%s: %q is not an idea id", path, l)
		}
		ids = append(ids, l)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no idea ids", path)
	}
	return ids, nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// testBSNs returns made-up numbers that pass the 11-test, from 900000000 up.
func testBSNs(skip, n int) []string {
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

func newClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 30 * time.Second,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login walks the production login flow against the built-in provider.
func login(bsn string) (*http.Client, error) {
	c := newClient()
	resp, err := c.PostForm(*base+"/inloggen/digid", url.Values{"terug": {"/"}})
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
	resp, err = c.PostForm(*base+"/dev/idp/authorize", form)
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

// roundTrip writes one prepared request and reads its response.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (int, error) {
	if _, err := conn.Write(req); err != nil {
		return 0, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.Close {
		return resp.StatusCode, fmt.Errorf("server closed the connection")
	}
	return resp.StatusCode, nil
}
