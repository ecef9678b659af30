//go:build browser

package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/testdb"
	"inspraak/internal/web"
)

// tabTimeout bounds everything done in one tab.
const tabTimeout = 45 * time.Second

// testPanic is the value /test/panic panics with.
const testPanic = "boom (browser test)"

// testRoutes are routes that exist only in the browser check.
func testRoutes(r gin.IRouter) {
	r.GET("/test/panic", func(*gin.Context) { panic(testPanic) })
}

// seeds add content to the demo before the application serves: a page
// entry that needs more than the demo registers one in an init function.
var seeds []func(context.Context, *app.App) error

// site is a running application and a browser pointed at it.
type site struct {
	base      string          // http://127.0.0.1:port, no trailing slash
	idp       string          // the built-in provider's origin: another port
	broker    string          // the broker's origin, a third one, that the provider's browser endpoints pass through
	browser   context.Context // chromedp context of the browser; tabs derive from it
	artifacts string          // folder for screenshots
}

// startSite points a Chromium of t's own at the application, which all
// tests share (see shared); the browser stops when t ends.
func startSite(t *testing.T) *site {
	t.Helper()
	exe := chromiumPath(t)
	s := &site{artifacts: artifactsDir(t)}
	s.base = sharedApp(t)
	s.idp = shared.idp
	s.broker = shared.broker
	s.browser = startBrowser(t, exe)
	return s
}

// chromiumPath finds Chromium. With the browser tag on, a missing browser is
// a failure: the check must not pass by not running.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CHROMIUM_PATH")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(p); err != nil {
		t.Fatalf("the browser tests need Chromium, but %s cannot be run (%v).\n"+
			"Install it with `apt-get install -y chromium`, or point CHROMIUM_PATH at a Chromium/Chrome binary.", p, err)
	}
	return p
}

// shared is the application of the test binary: the first test that needs
// it starts it, TestMain stops it after the last. Every test already
// shared it with the tests of its kind (every page runs against one site;
// logins use fresh people), so the tests share it too: one database to
// seed instead of one per test.
var shared struct {
	once   sync.Once
	base   string
	idp    string
	broker string
	err    error
	stop   func() error
}

// sharedApp returns the application's base URL, starting it if need be.
func sharedApp(t *testing.T) string {
	t.Helper()
	shared.once.Do(func() { shared.base, shared.idp, shared.broker, shared.stop, shared.err = startApp() })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.base
}

// stopApp stops the application, if it started, and removes its database.
func stopApp() error {
	if shared.stop == nil {
		return nil
	}
	return shared.stop()
}

// startApp builds the real application (demo content, fresh database) and
// serves it on a free local port, and its built-in login provider on
// another (another origin, as a real broker is). The provider's
// authorization and end-session endpoints, as its discovery names them,
// are on a third origin, a broker that sends the browser on to the
// provider: every login and logout crosses two origins the site does not
// share, as DigiD through a broker, eHerkenning through a
// herkenningsmakelaar or a federated Entra ID do. It returns the base URL,
// the provider's origin, the broker's and what stops them.
func startApp() (string, string, string, func() error, error) {
	dbURL, dropDB, err := testdb.NewURL()
	if err != nil {
		return "", "", "", nil, fmt.Errorf("testdb: %w", err)
	}
	var lns []net.Listener
	closeAll := func() {
		for _, l := range lns {
			_ = l.Close()
		}
	}
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			closeAll()
			_ = dropDB()
			return "", "", "", nil, fmt.Errorf("listen: %w", err)
		}
		lns = append(lns, l)
	}
	ln, idpLn, brokerLn := lns[0], lns[1], lns[2]
	broker := "http://" + brokerLn.Addr().String()
	base := "http://" + ln.Addr().String()
	idp := "http://" + idpLn.Addr().String()
	// The wijk table of the register uploads (budget_test.go's letters).
	wijken, err := filepath.Abs("testdata/wijken.csv")
	if err != nil {
		closeAll()
		_ = dropDB()
		return "", "", "", nil, fmt.Errorf("wijk table: %w", err)
	}
	env := map[string]string{
		"INSPRAAK_WIJK_TABLE":   wijken,
		"INSPRAAK_DATABASE_URL": dbURL,
		"INSPRAAK_SEED_DEMO":    "true",
		"INSPRAAK_BASE_URL":     base,
		"INSPRAAK_DEV_IDP_ADDR": idpLn.Addr().String(),
		// Fixed, so pages_test.go can sign a valid unsubscribe link.
		"INSPRAAK_PSEUDONYM_KEY": pseudonymKey,
		// Every page check logs someone in, all from this one address.
		"INSPRAAK_RATE_LOGIN": "100000/10m",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		closeAll()
		_ = dropDB()
		return "", "", "", nil, fmt.Errorf("config: %w", err)
	}
	logger := slog.New(slog.DiscardHandler)
	if testing.Verbose() {
		logger = slog.New(quietTestPanic{slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, logger, app.Options{WebRoutes: func(d web.Deps) web.Deps {
		d.Routes = testRoutes
		return d
	}})
	if err != nil {
		cancel()
		closeAll()
		_ = dropDB()
		return "", "", "", nil, fmt.Errorf("app.New: %w", err)
	}
	for _, seed := range seeds {
		if err := seed(ctx, a); err != nil {
			cancel()
			_ = a.Close()
			closeAll()
			_ = dropDB()
			return "", "", "", nil, fmt.Errorf("seed: %w", err)
		}
	}
	a.DevIDPHandler = throughBroker(a.DevIDPHandler, broker)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	idpDone := make(chan error, 1)
	go func() { idpDone <- a.ServeDevIDP(ctx, idpLn) }()
	brokerSrv := &http.Server{Handler: brokerHandler(idp), ReadHeaderTimeout: 10 * time.Second}
	brokerDone := make(chan error, 1)
	go func() { brokerDone <- brokerSrv.Serve(brokerLn) }()
	stop := func() error {
		cancel()
		var errs []error
		if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve: %w", err))
		}
		if err := <-idpDone; err != nil {
			errs = append(errs, fmt.Errorf("serve the provider: %w", err))
		}
		_ = brokerSrv.Close()
		if err := <-brokerDone; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, fmt.Errorf("serve the broker: %w", err))
		}
		if err := a.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close app: %w", err))
		}
		if err := dropDB(); err != nil {
			errs = append(errs, fmt.Errorf("testdb: %w", err))
		}
		return errors.Join(errs...)
	}
	return base, idp, broker, stop, nil
}

// throughBroker serves the built-in provider with its discovery document
// changed: the authorization and end-session endpoints are the broker's.
// The issuer, the token endpoint and the keys stay the provider's.
func throughBroker(h http.Handler, broker string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/dev/idp/.well-known/openid-configuration" {
			h.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		var doc map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
			http.Error(w, "discovery through the broker failed", http.StatusBadGateway)
			return
		}
		doc["authorization_endpoint"] = broker + "/authorize"
		doc["end_session_endpoint"] = broker + "/end-session"
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
}

// brokerHandler sends the browser on to the provider with its request as
// it came, as a broker does (it would first ask which provider).
func brokerHandler(idp string) http.Handler {
	mux := http.NewServeMux()
	for _, p := range []string{"authorize", "end-session"} {
		mux.HandleFunc("GET /"+p, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, idp+"/dev/idp/"+p+"?"+r.URL.RawQuery, http.StatusFound)
		})
	}
	return mux
}

// startBrowser starts one headless Chromium for the whole test; every page
// gets its own tab (and cookie jar) from it.
func startBrowser(t *testing.T, exe string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	// The first Do starts the browser; it must not carry a timeout, since
	// that would stop the browser when it expires. Guard it with a timer.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting Chromium (%s): %v\nIs it installed? `apt-get install -y chromium`", exe, err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("Chromium (%s) did not start within 30s", exe)
	}
	return browserCtx
}

// newTab opens a tab with its own browser context (no shared cookies) and a
// collector of console errors and failed loads. The tab closes when t ends.
func (s *site) newTab(t *testing.T) (context.Context, *problems) {
	t.Helper()
	return s.newTabFor(t, tabTimeout)
}

// newTabFor is newTab with a time limit of its own.
func (s *site) newTabFor(t *testing.T, limit time.Duration) (context.Context, *problems) {
	t.Helper()
	tctx, cancelTimeout := context.WithTimeout(s.browser, limit)
	tab, cancelTab := chromedp.NewContext(tctx, chromedp.WithNewBrowserContext())
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
	})
	pr := &problems{urls: map[network.RequestID]string{}}
	if err := chromedp.Listen(tab, pr.observe); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tab, pr
}

// problems collects what the page reports as wrong while it loads and runs:
// uncaught exceptions, console errors, browser log errors (CSP violations
// land there), failed or erroring subresource loads.
type problems struct {
	mu      sync.Mutex
	urls    map[network.RequestID]string
	list    []string
	allowed func(url string) bool // log entries about this URL are expected (error page's own status)
}

func (p *problems) add(format string, args ...any) {
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// observe runs on the tab's reader goroutine: it must be quick.
func (p *problems) observe(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + strings.SplitN(d.Exception.Description, "\n", 2)[0]
		}
		p.add("uncaught exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p.add("console.%s: %s", ev.Type, argsText(ev.Args))
		}
	case *log.EventEntryAdded:
		e := ev.Entry
		if e.Level != log.EntryLevelError {
			return
		}
		if e.Source == log.EntrySourceNetwork && p.allowed != nil && p.allowed(e.URL) {
			return
		}
		p.add("browser log (%s): %s %s", e.Source, e.Text, e.URL)
	case *network.EventRequestWillBeSent:
		if ev.Request != nil {
			p.urls[ev.RequestID] = ev.Request.URL
		}
	case *network.EventLoadingFailed:
		p.add("failed load (%s): %s %s%s", ev.Type, p.urls[ev.RequestID], ev.ErrorText, blocked(ev.BlockedReason))
	case *network.EventResponseReceived:
		// An allowed address may answer an error to a script too (the
		// budget page's fetch of a refused add gets the page with 422).
		if ev.Type != network.ResourceTypeDocument && ev.Response != nil && ev.Response.Status >= 400 &&
			(p.allowed == nil || !p.allowed(ev.Response.URL)) {
			p.add("subresource HTTP %d (%s): %s", ev.Response.Status, ev.Type, ev.Response.URL)
		}
	}
}

func (p *problems) snapshot() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.list...)
}

// take returns what was collected and starts a new list.
func (p *problems) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	list := p.list
	p.list = nil
	return list
}

func (p *problems) allow(f func(url string) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowed = f
}

func blocked(r network.BlockedReason) string {
	if r == "" {
		return ""
	}
	return " (blocked: " + string(r) + ")"
}

func argsText(args []*runtime.RemoteObject) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		switch {
		case a == nil:
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, strings.Trim(string(a.Value), `"`))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// artifactsDir is $INSPRAAK_ARTIFACTS/browser, else <repo>/artifacts/browser.
func artifactsDir(t *testing.T) string {
	t.Helper()
	root := os.Getenv("INSPRAAK_ARTIFACTS")
	if root == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatalf("getwd: %v", err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Fatalf("no go.mod above the test folder; set INSPRAAK_ARTIFACTS")
			}
			dir = parent
		}
		root = filepath.Join(dir, "artifacts")
	}
	out := filepath.Join(root, "browser")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatalf("artifacts: %v", err)
	}
	return out
}

// save writes an artifact and logs where it went.
// fullShot saves a full-page JPEG of what tab shows (JPEG: Chromium
// encodes a long page's PNG for seconds on a small machine, and these are
// for people to look at, not to compare). With INSPRAAK_SCREENSHOTS=failed
// only a test that has failed by then takes it: CI sets that, since no one
// looks at the pictures of a run that passed, and the full-page pictures
// of every page at two sizes cost a sixth of the browser check's time.
// Call it after a check's assertions, so that a failure has its picture.
func (s *site) fullShot(t *testing.T, tab context.Context, name string) {
	t.Helper()
	if os.Getenv("INSPRAAK_SCREENSHOTS") == "failed" && !t.Failed() {
		return
	}
	shot, err := chromedp.Run(tab, chromedp.FullScreenshot(85))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	s.save(t, name, shot)
}

func (s *site) save(t *testing.T, name string, data []byte) {
	t.Helper()
	p := filepath.Join(s.artifacts, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Errorf("write %s: %v", p, err)
	}
}

// quietTestPanic drops the stack trace from the log line of the deliberate
// /test/panic; every other record, and every other panic, passes unchanged.
type quietTestPanic struct{ slog.Handler }

func (h quietTestPanic) Handle(ctx context.Context, r slog.Record) error {
	deliberate := false
	if r.Message == "panic" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "panic" && fmt.Sprint(a.Value.Any()) == testPanic {
				deliberate = true
				return false
			}
			return true
		})
	}
	if !deliberate {
		return h.Handler.Handle(ctx, r)
	}
	nr := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "stack" {
			nr.AddAttrs(a)
		}
		return true
	})
	return h.Handler.Handle(ctx, nr)
}

func (h quietTestPanic) WithAttrs(as []slog.Attr) slog.Handler {
	return quietTestPanic{h.Handler.WithAttrs(as)}
}

func (h quietTestPanic) WithGroup(name string) slog.Handler {
	return quietTestPanic{h.Handler.WithGroup(name)}
}
