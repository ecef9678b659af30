// Command moderation measures the moderators' side of moderation over
// HTTP, on a queue seeded by bench/moderation/seed: it logs in several
// moderators through the built-in development login provider (the same
// OpenID Connect code path as the municipality's own staff login), then
//
//  1. loads queue pages (GET /beheer/moderatie, a deep page, a filtered
//     one) with one worker per moderator, and reports requests/s and
//     latency percentiles;
//  2. has every moderator press "take next" (POST /beheer/moderatie/volgende)
//     again and again until nothing is left to take, and reports
//     hand-outs/s, latency percentiles, how latency changes as the claims
//     pile up, and whether any item was handed out twice.
//
// Requests go over one keep-alive connection per moderator, with the
// request bytes built beforehand (session cookie, Accept-Encoding: gzip),
// as bench/votes does, so that the driver costs little of the two cores
// it shares with the server and PostgreSQL. Redirects are never followed.
//
// It only talks to loopback addresses.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"inspraak/bench/internal/residents"
	"inspraak/bench/internal/stafflogin"
)

var (
	base        = flag.String("base", "http://127.0.0.1:18083", "server base URL (loopback only)")
	moderators  = flag.Int("moderators", 8, "moderators logged in; one worker each, so this is the concurrency")
	requests    = flag.Int("requests", 1000, "measured requests per queue address")
	warmup      = flag.Int("warmup", 80, "requests per queue address before measuring (thrown away)")
	pages       = flag.String("pages", "first=/beheer/moderatie,deep=/beheer/moderatie?pagina=100,screened=/beheer/moderatie?waarom=screened", "queue addresses to measure: name=path,...")
	takeMax     = flag.Int("take-max", 0, "stop taking after this many take-next requests in all (0: until nothing is left)")
	expect      = flag.Int("expect", 0, "waiting items the seeder made; checked against the page and the hand-outs (0: no check)")
	after       = flag.Bool("after", true, "measure the first queue page again once everything is claimed")
	serverPID   = flag.Int("server-pid", 0, "the server's process id, to report its CPU time per request")
	awaitQuiet  = flag.Duration("await-quiet", 0, "before each measurement, wait up to this long for other processes to leave the CPUs")
	busyCores   = flag.Float64("busy-cores", 0.3, "repeat a queue-page measurement during which other processes used more than this many cores")
	retries     = flag.Int("retries", 1, "how often to repeat a disturbed queue-page measurement")
	profileURL  = flag.String("pprof", "", "server profiler base (INSPRAAK_PPROF_ADDR), e.g. http://127.0.0.1:6060; with -profile-dir")
	profileDir  = flag.String("profile-dir", "", "write a server CPU profile per measurement into this directory")
	profileSecs = flag.Int("profile-seconds", 4, "length of each profile")
)

type mod struct {
	name   string
	cookie string // Cookie header value
}

type page struct{ name, path string }

func main() {
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || !stafflogin.Loopback(u.Hostname()) {
		fail("-base must be a loopback address")
	}
	if *moderators < 1 || *moderators > 64 || *requests < 1 || *requests > 1_000_000 || *warmup < 0 || *takeMax < 0 || *takeMax > 10_000_000 {
		fail("limits: 1-64 moderators, 1-1,000,000 requests, take-max up to 10,000,000")
	}
	var addrs []page
	for _, p := range strings.Split(*pages, ",") {
		name, path, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.HasPrefix(path, "/") {
			fail("-pages: want name=/path, got " + p)
		}
		addrs = append(addrs, page{name, path})
	}

	fmt.Printf("logging in %d moderators...\n", *moderators)
	start := time.Now()
	mods := make([]mod, *moderators)
	for i := range mods {
		name := "Moderator " + strconv.Itoa(i+1)
		c, err := stafflogin.Login(*base, name, "inspraak-moderatoren", "/beheer/moderatie")
		if err != nil {
			fail("login " + name + ": " + err.Error())
		}
		mods[i] = mod{name: name, cookie: stafflogin.Cookie(c, u)}
	}
	fmt.Printf("logged in %d in %s\n", len(mods), time.Since(start).Round(time.Millisecond))

	// What each address shows, checked once through a plain client.
	for _, p := range addrs {
		rows, total, zipped, plain, err := inspect(u, mods[0], p.path)
		if err != nil {
			fail(p.name + ": " + err.Error())
		}
		fmt.Printf("page %s %s: %d rows, %s waiting, %d bytes (%d gzipped)\n", p.name, p.path, rows, total, plain, zipped)
		if rows == 0 {
			fail(p.name + ": no rows on the page")
		}
		if *expect > 0 && p.name == addrs[0].name && digits(total) != strconv.Itoa(*expect) {
			fail(fmt.Sprintf("%s: the page says %s waiting, the seeder made %d", p.name, total, *expect))
		}
	}

	fmt.Printf("\n== queue pages: %d moderators in parallel, %d requests each address after %d warm-up\n", len(mods), *requests, *warmup)
	for _, p := range addrs {
		measurePage(u, mods, p)
	}

	fmt.Printf("\n== take next: %d moderators, each POST /beheer/moderatie/volgende until nothing is left", len(mods))
	if *takeMax > 0 {
		fmt.Printf(" (at most %d requests)", *takeMax)
	}
	fmt.Println()
	ok := takeNext(u, mods)

	if *after {
		fmt.Printf("\n== queue page once everything is claimed\n")
		measurePage(u, mods, page{"first-claimed", addrs[0].path})
	}
	if !ok {
		os.Exit(1)
	}
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "moderation:", msg)
	os.Exit(1)
}

var (
	rowRE   = regexp.MustCompile(`<a class="utrecht-link" href="/beheer/moderatie/\d+">`)
	totalRE = regexp.MustCompile(`([\d.,]+) bijdragen? wacht`)
)

// inspect loads a page once, gzipped as the measurement asks for it, and
// reports its rows, the number waiting it states and its sizes.
func inspect(u *url.URL, m mod, path string) (rows int, total string, zipped, plain int, err error) {
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		return 0, "", 0, 0, err
	}
	defer conn.Close()
	resp, body, err := roundTrip(conn, bufio.NewReader(conn), getRequest(u, m, path))
	if err != nil {
		return 0, "", 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, "", 0, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	zipped = len(body)
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return 0, "", 0, 0, err
		}
		if body, err = io.ReadAll(zr); err != nil {
			return 0, "", 0, 0, err
		}
	}
	if m := totalRE.FindSubmatch(body); m != nil {
		total = string(m[1])
	}
	return len(rowRE.FindAll(body, -1)), total, zipped, len(body), nil
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func getRequest(u *url.URL, m mod, path string) []byte {
	return []byte("GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nCookie: " + m.cookie +
		"\r\nAccept: text/html\r\nAccept-Encoding: gzip\r\n\r\n")
}

func postNext(u *url.URL, m mod) []byte {
	return []byte("POST /beheer/moderatie/volgende HTTP/1.1\r\nHost: " + u.Host + "\r\nCookie: " + m.cookie +
		"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 0\r\nAccept-Encoding: gzip\r\n\r\n")
}

// roundTrip writes one prepared request and reads its response.
func roundTrip(conn net.Conn, br *bufio.Reader, req []byte) (*http.Response, []byte, error) {
	if _, err := conn.Write(req); err != nil {
		return nil, nil, err
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return nil, nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return resp, nil, err
	}
	if resp.Close {
		return resp, body, fmt.Errorf("server closed the connection")
	}
	return resp, body, nil
}

// worker holds one moderator's connection.
type worker struct {
	u    *url.URL
	conn net.Conn
	br   *bufio.Reader
}

func (w *worker) do(req []byte) (*http.Response, []byte, error) {
	if w.conn == nil {
		c, err := net.Dial("tcp", w.u.Host)
		if err != nil {
			return nil, nil, err
		}
		w.conn, w.br = c, bufio.NewReader(c)
	}
	resp, body, err := roundTrip(w.conn, w.br, req)
	if err != nil {
		w.close()
	}
	return resp, body, err
}

func (w *worker) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// ---- queue pages --------------------------------------------------------

func measurePage(u *url.URL, mods []mod, p page) {
	reqs := make([][]byte, len(mods))
	for i, m := range mods {
		reqs[i] = getRequest(u, m, p.path)
	}
	run := func(n int, lat []time.Duration, codes []int, bytesRead *atomic.Int64) time.Duration {
		var next atomic.Int64
		var wg sync.WaitGroup
		begin := time.Now()
		for wi := range mods {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w := &worker{u: u}
				defer w.close()
				for {
					i := int(next.Add(1) - 1)
					if i >= n {
						return
					}
					t0 := time.Now()
					resp, body, err := w.do(reqs[wi])
					if lat != nil {
						lat[i] = time.Since(t0)
						if err != nil {
							codes[i] = -1
						} else {
							codes[i] = resp.StatusCode
							bytesRead.Add(int64(len(body)))
						}
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(begin)
	}
	if *warmup > 0 {
		run(*warmup, nil, nil, nil)
	}
	for attempt := 1; ; attempt++ {
		quiet := quietNote()
		lat := make([]time.Duration, *requests)
		codes := make([]int, *requests)
		var bytesRead atomic.Int64
		prof := startProfile("queue-" + p.name)
		c0 := takeCPU()
		elapsed := run(*requests, lat, codes, &bytesRead)
		use := usage(c0, takeCPU())
		prof()
		counts := map[int]int{}
		for _, c := range codes {
			counts[c]++
		}
		name := p.name
		if attempt > 1 {
			name += "#" + strconv.Itoa(attempt)
		}
		rps := float64(len(lat)) / elapsed.Seconds()
		q := percentiles(lat)
		fmt.Printf("%s %s: %d requests in %s → %.1f req/s; %s; status %v; %.1f KiB per response\n", name, p.path, len(lat),
			elapsed.Round(time.Millisecond), rps, q, counts, float64(bytesRead.Load())/float64(len(lat))/1024)
		fmt.Printf("  %s; %s\n", use.perRequest(len(lat)), quiet)
		fmt.Printf("RESULT page=%s n=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f ok=%d srv_ms=%s pg_ms=%s other_cores=%s\n",
			name, len(lat), rps, q.p50, q.p90, q.p99, q.max, counts[200], use.ms(use.server, len(lat)), use.ms(use.db, len(lat)), use.cores(use.other))
		// Other processes on the two cores decide p99 more than the page
		// does; a run they disturbed is repeated (the page can be loaded
		// again, unlike the queue that take-next empties).
		if attempt >= 1+*retries || !use.ok || use.other/use.window <= *busyCores {
			return
		}
		fmt.Printf("  other processes used %.2f cores (more than %.2f): repeating\n", use.other/use.window, *busyCores)
	}
}

// ---- take next ----------------------------------------------------------

type take struct {
	lat     time.Duration
	id      int64 // handed out; 0 when nothing was left or it failed
	empty   bool  // sent back to the queue: nothing left to take
	code    int   // -1: transport error
	mod     int
	ordinal int64 // order of completion among hand-outs (1-based)
}

var itemRE = regexp.MustCompile(`^/beheer/moderatie/(\d+)$`)

func takeNext(u *url.URL, mods []mod) bool {
	quiet := quietNote()
	var (
		sent, handed atomic.Int64
		mu           sync.Mutex
		all          []take
		wg           sync.WaitGroup
	)
	prof := startProfile("take-next")
	c0 := takeCPU()
	begin := time.Now()
	for wi, m := range mods {
		req := postNext(u, m)
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{u: u}
			defer w.close()
			var mine []take
			defer func() { mu.Lock(); all = append(all, mine...); mu.Unlock() }()
			errs := 0
			for {
				if *takeMax > 0 && sent.Add(1) > int64(*takeMax) {
					return
				}
				t0 := time.Now()
				resp, _, err := w.do(req)
				t := take{lat: time.Since(t0), mod: wi}
				if err != nil {
					t.code = -1
					mine = append(mine, t)
					if errs++; errs > 10 {
						return
					}
					continue
				}
				t.code = resp.StatusCode
				loc := resp.Header.Get("Location")
				if sm := itemRE.FindStringSubmatch(loc); resp.StatusCode == http.StatusSeeOther && sm != nil {
					t.id, _ = strconv.ParseInt(sm[1], 10, 64)
					t.ordinal = handed.Add(1)
				} else if resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(loc, "/beheer/moderatie?") {
					t.empty = true
				}
				mine = append(mine, t)
				if t.empty {
					return // this moderator finds nothing left
				}
				if t.id == 0 {
					if errs++; errs > 10 {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	use := usage(c0, takeCPU())
	prof()

	var lat, handLat []time.Duration
	codes := map[int]int{}
	seen := map[int64]int{}
	perMod := make([]int, len(mods))
	empties, dupes := 0, 0
	var byOrdinal []take
	for _, t := range all {
		lat = append(lat, t.lat)
		codes[t.code]++
		if t.empty {
			empties++
		}
		if t.id != 0 {
			handLat = append(handLat, t.lat)
			byOrdinal = append(byOrdinal, t)
			perMod[t.mod]++
			if seen[t.id]++; seen[t.id] == 2 {
				dupes++
			}
		}
	}
	n := len(handLat)
	q := percentiles(handLat)
	fmt.Printf("take next: %d requests, %d hand-outs, %d told nothing is left, in %s → %.1f hand-outs/s\n",
		len(lat), n, empties, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
	fmt.Printf("  hand-outs: %s; all requests: %s; status %v\n", q, percentiles(lat), codes)
	fmt.Printf("  per moderator: %v\n", perMod)
	fmt.Printf("  %s; %s\n", use.perRequest(len(lat)), quiet)
	// How the cost grows as claimed items pile up at the head of the
	// queue: latency of the hand-outs in tenths of the run, by order of
	// completion.
	sort.Slice(byOrdinal, func(i, j int) bool { return byOrdinal[i].ordinal < byOrdinal[j].ordinal })
	if n >= 100 {
		fmt.Printf("  by progress (hand-outs in order, p50 / p99 ms):")
		for d := 0; d < 10; d++ {
			part := byOrdinal[d*n/10 : (d+1)*n/10]
			ls := make([]time.Duration, len(part))
			for i, t := range part {
				ls[i] = t.lat
			}
			pq := percentiles(ls)
			fmt.Printf(" %d–%d: %.1f / %.1f;", d*n/10+1, (d+1)*n/10, pq.p50, pq.p99)
		}
		fmt.Println()
	}
	okDup := dupes == 0
	fmt.Printf("duplicate check: %d hand-outs, %d distinct item ids, %d ids handed out more than once → %s\n",
		n, len(seen), dupes, map[bool]string{true: "OK", false: "FAILED"}[okDup])
	okAll := true
	if *expect > 0 && *takeMax == 0 {
		okAll = n == *expect
		fmt.Printf("completeness check: %d of the %d seeded items handed out → %s\n", n, *expect, map[bool]string{true: "OK", false: "FAILED"}[okAll])
	}
	fmt.Printf("RESULT take_next requests=%d handouts=%d distinct=%d dupes=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f srv_ms=%s pg_ms=%s other_cores=%s\n",
		len(lat), n, len(seen), dupes, float64(n)/elapsed.Seconds(), q.p50, q.p90, q.p99, q.max,
		use.ms(use.server, len(lat)), use.ms(use.db, len(lat)), use.cores(use.other))
	return okDup && okAll
}

// ---- figures ------------------------------------------------------------

type pcts struct{ p50, p90, p99, max float64 }

func (q pcts) String() string {
	return fmt.Sprintf("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms", q.p50, q.p90, q.p99, q.max)
}

func percentiles(lat []time.Duration) pcts {
	if len(lat) == 0 {
		return pcts{}
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	at := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000 }
	return pcts{at(.50), at(.90), at(.99), at(1)}
}

// ---- CPU accounting from /proc ------------------------------------------

// The machine is shared: the server, PostgreSQL, this driver and whatever
// else runs compete for the same cores. A snapshot of /proc before and
// after each measurement says how much CPU each used.

const clockTick = 100 // USER_HZ

type cpuSnap struct {
	ok                       bool
	at                       time.Time
	busy, self, server, pgsq float64 // seconds
}

func takeCPU() cpuSnap {
	s := cpuSnap{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return s
	}
	for i, v := range f[1:9] {
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		x, _ := strconv.ParseFloat(v, 64)
		s.busy += x / clockTick
	}
	var ok bool
	if s.self, ok = procCPU("self", false); !ok {
		return s
	}
	if *serverPID > 0 {
		if s.server, ok = procCPU(strconv.Itoa(*serverPID), false); !ok {
			return s
		}
	}
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("(postgres)")) {
			continue
		}
		// With children: backends that exit between two snapshots leave
		// their CPU in the postmaster's cutime and cstime.
		if v, ok := procCPU(filepath.Base(filepath.Dir(p)), true); ok {
			s.pgsq += v
		}
	}
	s.ok = true
	return s
}

// procCPU returns utime+stime (and cutime+cstime with children) in seconds.
func procCPU(pid string, children bool) (float64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')') // the command name may hold spaces
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 15 {
		return 0, false
	}
	n := 2
	if children {
		n = 4
	}
	var sum float64
	for _, v := range f[11 : 11+n] {
		x, _ := strconv.ParseFloat(v, 64)
		sum += x
	}
	return sum / clockTick, true
}

type cpuUse struct {
	ok                        bool
	window                    float64 // seconds
	server, driver, db, other float64 // CPU seconds
}

func usage(a, b cpuSnap) cpuUse {
	if !a.ok || !b.ok {
		return cpuUse{}
	}
	u := cpuUse{ok: true, window: b.at.Sub(a.at).Seconds(), server: b.server - a.server, driver: b.self - a.self, db: max(b.pgsq-a.pgsq, 0)}
	u.other = max(b.busy-a.busy-u.server-u.driver-u.db, 0)
	if *serverPID == 0 {
		u.server = 0
	}
	return u
}

func (u cpuUse) ms(sec float64, n int) string {
	if !u.ok || n == 0 {
		return "na"
	}
	return fmt.Sprintf("%.2f", sec*1000/float64(n))
}

func (u cpuUse) cores(sec float64) string {
	if !u.ok || u.window <= 0 {
		return "na"
	}
	return fmt.Sprintf("%.2f", sec/u.window)
}

func (u cpuUse) perRequest(n int) string {
	if !u.ok {
		return "CPU use unknown"
	}
	return fmt.Sprintf("CPU per request: server %s ms, PostgreSQL %s ms, driver %s ms; cores used: server %s, PostgreSQL %s, driver %s, other processes %s",
		u.ms(u.server, n), u.ms(u.db, n), u.ms(u.driver, n), u.cores(u.server), u.cores(u.db), u.cores(u.driver), u.cores(u.other))
}

// quietNote waits, at most -await-quiet, until other processes use under
// 0.3 cores for two one-second windows in a row, and says what it saw.
func quietNote() string {
	load := "load average " + loadavg()
	if *awaitQuiet <= 0 {
		return load
	}
	deadline := time.Now().Add(*awaitQuiet)
	waited := time.Now()
	quiet := 0
	for {
		a := takeCPU()
		time.Sleep(time.Second)
		u := usage(a, takeCPU())
		if !u.ok {
			return load + ", other processes unknown"
		}
		other := u.other / u.window
		if other < 0.3 {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= 2 {
			return fmt.Sprintf("%s, quiet after %s (other processes %.2f cores)", load, time.Since(waited).Round(time.Second), other)
		}
		if time.Now().After(deadline) {
			return fmt.Sprintf("%s, still busy after %s (other processes %.2f cores); measured anyway", load, *awaitQuiet, other)
		}
	}
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// ---- profiles -----------------------------------------------------------

// startProfile asks the server for a CPU profile of the next
// -profile-seconds and returns a function that waits for it.
func startProfile(name string) func() {
	if *profileURL == "" || *profileDir == "" {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := residents.Profile(*profileURL, *profileSecs, filepath.Join(*profileDir, name+".prof")); err != nil {
			fmt.Fprintln(os.Stderr, "profile:", err)
		}
	}()
	return func() { <-done }
}
