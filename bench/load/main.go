// Command load is a small HTTP load driver for the Inspraak benchmarks. It
// only talks to the local machine: every target must resolve to a loopback
// address (127.0.0.0/8 or ::1), redirects are never followed, and each
// connection is checked again when it is dialled.
//
// Constant-rate (open model): requests are started on a fixed schedule,
// whatever the server's speed, with a bound on requests in flight; a
// request whose turn comes while the bound is reached is counted as dropped.
//
//	load -url http://127.0.0.1:18080/ -rate 500 -duration 20s -warmup 5s
//
// Maximum throughput (closed model): N workers each send the next request
// as soon as the previous one has been answered.
//
//	load -max -concurrency 32 -duration 10s -url http://127.0.0.1:18080/
//
// Waiting for readiness: poll a URL until it answers 200, and print when.
//
//	load -wait http://127.0.0.1:18080/readyz -poll 5ms -timeout 20s
//
// Several -url flags (or -urls-file, one URL a line) are used in turn.
// -header "Name: value" (repeatable) is sent with every request, e.g. a
// Cookie header to stay one returning visitor.
// Every request carries Accept-Encoding: gzip; bodies are read in full but
// not decompressed. A run ends with a human-readable report and a single
// machine-readable line starting with RESULT.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Hard bounds, whatever the flags say.
const (
	maxRate        = 20_000
	maxDuration    = 5 * time.Minute
	maxWarmup      = time.Minute
	maxConcurrency = 1024
	maxInflight    = 4096
	maxRequestsCap = 5_000_000
)

type urlList []string

func (u *urlList) String() string     { return strings.Join(*u, ",") }
func (u *urlList) Set(v string) error { *u = append(*u, v); return nil }

type options struct {
	urls        []string
	header      http.Header
	rate        int
	duration    time.Duration
	warmup      time.Duration
	inflight    int
	timeout     time.Duration
	maxMode     bool
	concurrency int
	maxRequests int
	name        string
	serverPID   int
	awaitQuiet  time.Duration
	quietBelow  float64
}

func main() {
	var (
		o        options
		urls     urlList
		headers  urlList
		urlsFile string
		wait     string
		poll     time.Duration
	)
	flag.Var(&urls, "url", "target URL (repeatable; loopback only)")
	flag.StringVar(&urlsFile, "urls-file", "", "file with target URLs, one a line")
	flag.Var(&headers, "header", `request header "Name: value" sent with every request (repeatable)`)
	flag.IntVar(&o.rate, "rate", 500, "requests per second to start (constant-rate mode)")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "measured duration")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "warm-up before measuring (same load, results discarded)")
	flag.IntVar(&o.inflight, "max-inflight", 256, "bound on requests in flight (constant-rate mode)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Second, "timeout of one request")
	flag.BoolVar(&o.maxMode, "max", false, "find maximum throughput with -concurrency closed-loop workers")
	flag.IntVar(&o.concurrency, "concurrency", 32, "workers in -max mode")
	flag.IntVar(&o.maxRequests, "max-requests", 2_000_000, "stop after this many measured requests")
	flag.StringVar(&o.name, "name", "", "label for the RESULT line")
	flag.IntVar(&o.serverPID, "server-pid", 0, "process id of the server, to report its CPU use per request (Linux)")
	flag.DurationVar(&o.awaitQuiet, "await-quiet", 0, "before starting, wait up to this long for other processes to leave the CPUs")
	flag.Float64Var(&o.quietBelow, "quiet-below", 0.3, "cores other processes may use for the machine to count as quiet")
	flag.StringVar(&wait, "wait", "", "poll this URL until it answers 200, then print the time and exit")
	flag.DurationVar(&poll, "poll", 5*time.Millisecond, "poll interval for -wait")
	flag.Parse()

	if wait != "" {
		os.Exit(waitReady(wait, poll, o.timeout))
	}
	if urlsFile != "" {
		more, err := readURLs(urlsFile)
		if err != nil {
			fatal(err)
		}
		urls = append(urls, more...)
	}
	if len(urls) == 0 {
		fatal(errors.New("no target: give -url (repeatable) or -urls-file"))
	}
	for _, u := range urls {
		if err := checkLoopback(u); err != nil {
			fatal(err)
		}
	}
	o.urls = urls
	o.header = http.Header{}
	for _, h := range headers {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			fatal(fmt.Errorf("-header %q: want \"Name: value\"", h))
		}
		o.header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	if err := o.validate(); err != nil {
		fatal(err)
	}
	if o.name == "" {
		o.name = strings.Join(urls, ",")
	}

	if o.awaitQuiet > 0 {
		fmt.Println(awaitQuiet(min(o.awaitQuiet, 5*time.Minute), o.quietBelow, o.serverPID))
	}
	client := newClient(max(o.inflight, o.concurrency))
	var res *result
	var before cpuSnap
	if o.maxMode {
		fmt.Printf("max throughput: %d workers, %s warm-up, %s measured, %d URL(s)\n", o.concurrency, o.warmup, o.duration, len(o.urls))
		if o.warmup > 0 {
			runClosed(client, o, o.warmup)
		}
		before = takeCPU(o.serverPID)
		res = runClosed(client, o, o.duration)
	} else {
		fmt.Printf("constant rate: %d req/s, %s warm-up, %s measured, at most %d in flight, %d URL(s)\n", o.rate, o.warmup, o.duration, o.inflight, len(o.urls))
		if o.warmup > 0 {
			runOpen(client, o, o.warmup)
		}
		before = takeCPU(o.serverPID)
		res = runOpen(client, o, o.duration)
	}
	res.cpu = usage(before, takeCPU(o.serverPID))
	res.print(o)
	if res.ok == 0 {
		os.Exit(1)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "load:", err)
	os.Exit(2)
}

func (o *options) validate() error {
	switch {
	case o.duration <= 0 || o.duration > maxDuration:
		return fmt.Errorf("-duration must be above 0 and at most %s", maxDuration)
	case o.warmup < 0 || o.warmup > maxWarmup:
		return fmt.Errorf("-warmup must be from 0 to %s", maxWarmup)
	case o.timeout <= 0 || o.timeout > time.Minute:
		return errors.New("-timeout must be above 0 and at most 1m")
	case o.maxRequests < 1 || o.maxRequests > maxRequestsCap:
		return fmt.Errorf("-max-requests must be from 1 to %d", maxRequestsCap)
	}
	if o.maxMode {
		if o.concurrency < 1 || o.concurrency > maxConcurrency {
			return fmt.Errorf("-concurrency must be from 1 to %d", maxConcurrency)
		}
		return nil
	}
	if o.rate < 1 || o.rate > maxRate {
		return fmt.Errorf("-rate must be from 1 to %d", maxRate)
	}
	if o.inflight < 1 || o.inflight > maxInflight {
		return fmt.Errorf("-max-inflight must be from 1 to %d", maxInflight)
	}
	return nil
}

func readURLs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out, sc.Err()
}

// checkLoopback refuses any URL whose host is not, or does not resolve
// only to, a loopback address.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: only http and https URLs", raw)
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%q: no host", raw)
	}
	if ip := net.ParseIP(host); ip != nil {
		if !ip.IsLoopback() {
			return fmt.Errorf("%q: %s is not a loopback address; this tool only loads the local machine", raw, ip)
		}
		return nil
	}
	if !strings.EqualFold(host, "localhost") {
		return fmt.Errorf("%q: host %s is not loopback; use 127.0.0.1, ::1 or localhost", raw, host)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("%q: resolve %s: %w", raw, host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%q: %s resolves to nothing", raw, host)
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return fmt.Errorf("%q: %s resolves to %s, which is not loopback", raw, host, a.IP)
		}
	}
	return nil
}

// newClient makes a keep-alive client that can dial loopback only and
// never follows redirects.
func newClient(conns int) *http.Client {
	dialer := &net.Dialer{Timeout: 3 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			if ta, ok := c.RemoteAddr().(*net.TCPAddr); !ok || !ta.IP.IsLoopback() {
				_ = c.Close()
				return nil, fmt.Errorf("refusing non-loopback peer %s", c.RemoteAddr())
			}
			return c, nil
		},
		MaxIdleConns:        conns + 16,
		MaxIdleConnsPerHost: conns + 16,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true, // we send Accept-Encoding ourselves and do not inflate
		ForceAttemptHTTP2:   false,
	}
	return &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// sample is one finished request.
type sample struct {
	latency time.Duration // from send to the last body byte
	late    time.Duration // how far behind schedule it was sent (open model)
	status  int
	bytes   int64
	gzip    bool
	err     string
}

func do(client *http.Client, target string, header http.Header, timeout time.Duration) sample {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return sample{err: err.Error()}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Accept-Encoding", "gzip")
	req.Header.Set("User-Agent", "inspraak-bench-load/1")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return sample{latency: time.Since(start), err: shortErr(err)}
	}
	n, err := io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	s := sample{latency: time.Since(start), status: resp.StatusCode, bytes: n, gzip: resp.Header.Get("Content-Encoding") == "gzip"}
	if err != nil {
		s.err = shortErr(err)
	}
	return s
}

func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// result collects samples from many goroutines.
type result struct {
	mu      sync.Mutex
	lat     []time.Duration
	late    []time.Duration
	status  map[int]int
	errs    map[string]int
	bytes   int64
	gzip    int
	ok      int
	dropped int64
	elapsed time.Duration
	mode    string
	cpu     cpuUse
}

func newResult(mode string) *result {
	return &result{status: map[int]int{}, errs: map[string]int{}, mode: mode}
}

func (r *result) add(s sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.addLocked(s)
}

func (r *result) addLocked(s sample) {
	if s.err != "" {
		r.errs[s.err]++
		if s.status == 0 {
			return
		}
	}
	r.status[s.status]++
	r.lat = append(r.lat, s.latency)
	r.late = append(r.late, s.late)
	r.bytes += s.bytes
	if s.gzip {
		r.gzip++
	}
	if s.status >= 200 && s.status < 400 && s.err == "" {
		r.ok++
	}
}

// runOpen starts requests at a constant rate for d. Requests due while the
// in-flight bound is reached are dropped, not delayed, so the server never
// sets the pace (no coordinated omission).
func runOpen(client *http.Client, o options, d time.Duration) *result {
	res := newResult("rate")
	interval := time.Second / time.Duration(o.rate)
	total := int(int64(d) / int64(interval))
	total = min(total, o.maxRequests)
	sem := make(chan struct{}, o.inflight)
	var wg sync.WaitGroup
	var dropped atomic.Int64
	start := time.Now()
	for i := 0; i < total; i++ {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		select {
		case sem <- struct{}{}:
		default:
			dropped.Add(1)
			continue
		}
		target := o.urls[i%len(o.urls)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			late := time.Since(due)
			s := do(client, target, o.header, o.timeout)
			s.late = late
			<-sem
			res.add(s)
		}()
	}
	wg.Wait()
	// The schedule spans d; a slow drain stretches it.
	res.elapsed = max(time.Since(start), d)
	res.dropped = dropped.Load()
	return res
}

// runClosed runs o.concurrency workers back to back for d.
func runClosed(client *http.Client, o options, d time.Duration) *result {
	res := newResult("max")
	deadline := time.Now().Add(d)
	var count atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < o.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var local []sample
			for i := w; time.Now().Before(deadline); i++ {
				if count.Add(1) > int64(o.maxRequests) {
					break
				}
				local = append(local, do(client, o.urls[i%len(o.urls)], o.header, o.timeout))
			}
			res.mu.Lock()
			for _, s := range local {
				res.addLocked(s)
			}
			res.mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = min(max(i, 0), len(sorted)-1)
	return sorted[i]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

func (r *result) print(o options) {
	slices.Sort(r.lat)
	slices.Sort(r.late)
	n := len(r.lat)
	rps := float64(n) / r.elapsed.Seconds()
	nerr := 0
	for _, c := range r.errs {
		nerr += c
	}
	fmt.Printf("  responses:  %d in %s  →  %.1f req/s achieved", n, r.elapsed.Round(time.Millisecond), rps)
	if r.mode == "rate" {
		fmt.Printf(" (target %d)", o.rate)
	}
	fmt.Println()
	fmt.Printf("  latency:    p50 %s ms  p90 %s ms  p99 %s ms  max %s ms\n",
		ms(pct(r.lat, 50)), ms(pct(r.lat, 90)), ms(pct(r.lat, 99)), ms(pct(r.lat, 100)))
	if r.mode == "rate" {
		fmt.Printf("  send delay: p99 %s ms  max %s ms  (how late the driver started requests)\n", ms(pct(r.late, 99)), ms(pct(r.late, 100)))
		fmt.Printf("  dropped:    %d (in-flight bound of %d reached)\n", r.dropped, o.inflight)
	}
	if n > 0 {
		fmt.Printf("  body:       %.1f KiB average, %d of %d gzip-encoded\n", float64(r.bytes)/float64(n)/1024, r.gzip, n)
	}
	codes := make([]int, 0, len(r.status))
	for c := range r.status {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var sb strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&sb, " %d:%d", c, r.status[c])
	}
	fmt.Printf("  status:    %s\n", sb.String())
	fmt.Printf("  errors:     %d\n", nerr)
	for e, c := range r.errs {
		fmt.Printf("    %6d  %s\n", c, e)
	}
	srvMs, srvCores, drvCores, dbCores, otherCores := "n/a", "n/a", "n/a", "n/a", "n/a"
	if r.cpu.ok {
		fmt.Printf("  CPU used:   %s\n", r.cpu)
		drvCores = fmt.Sprintf("%.2f", r.cpu.driver)
		dbCores = fmt.Sprintf("%.2f", r.cpu.db)
		otherCores = fmt.Sprintf("%.2f", r.cpu.other)
		if o.serverPID > 0 && n > 0 {
			srvMs = fmt.Sprintf("%.3f", r.cpu.serverSeconds*1000/float64(n))
			srvCores = fmt.Sprintf("%.2f", r.cpu.server)
			fmt.Printf("  server CPU: %s ms per request\n", srvMs)
		}
	}
	fmt.Printf("RESULT name=%s mode=%s rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s ok=%d errors=%d dropped=%d statuses=%s srv_cpu_ms=%s srv_cores=%s drv_cores=%s pg_cores=%s other_cores=%s\n",
		o.name, r.mode, rps, ms(pct(r.lat, 50)), ms(pct(r.lat, 90)), ms(pct(r.lat, 99)), ms(pct(r.lat, 100)),
		r.ok, nerr, r.dropped, strings.ReplaceAll(strings.TrimSpace(sb.String()), " ", ","), srvMs, srvCores, drvCores, dbCores, otherCores)
}

// waitReady polls target every interval until it answers 200 or timeout
// passes, then prints the wall-clock time of the answer in Unix
// nanoseconds (READY_UNIX_NS=...), so a script can subtract its own start.
func waitReady(target string, interval, timeout time.Duration) int {
	if err := checkLoopback(target); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		return 2
	}
	client := newClient(1)
	client.Timeout = time.Second
	deadline := time.Now().Add(timeout)
	tries := 0
	for time.Now().Before(deadline) {
		tries++
		resp, err := client.Get(target)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Printf("READY_UNIX_NS=%d TRIES=%d\n", time.Now().UnixNano(), tries)
				return 0
			}
		}
		time.Sleep(interval)
	}
	fmt.Fprintf(os.Stderr, "load: %s did not answer 200 within %s\n", target, timeout)
	return 1
}
