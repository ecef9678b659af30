package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/i18n"
	"inspraak/internal/testdb"
	"inspraak/internal/web"
)

// syncBuffer collects log output from concurrent requests.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestMain drops the template databases of newSite (PostgreSQL) when
// the tests are done.
func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

type testSite struct {
	*httptest.Server
	App  *app.App
	Logs *syncBuffer
}

// testPseudonymKey is every test site's INSPRAAK_PSEUDONYM_KEY unless the
// test sets its own. Demo ballots and answers are keyed with it, so a site
// whose database is a copy of a template must run with the key that the
// template was seeded under; a key generated per site would not be.
const testPseudonymKey = "Xw4Ut7Rk2Pm9Qs5Nv8Lb3Hj6Gd1Fc0Za-web-tests"

// templateBase is INSPRAAK_BASE_URL while a template database is built.
// Nothing listens there: app.New only builds the application.
const templateBase = "https://inspraak-sjabloon.invalid"

// newSite starts the real application on a fresh database. env adds or
// overrides settings; demo content is on unless env turns it off.
func newSite(t testing.TB, env map[string]string) *testSite {
	t.Helper()
	return newSiteWith(t, env, app.Options{})
}

// newSiteWith is newSite with extra application options (clock, verifier).
//
// The database is a copy of a template that app.New migrated and seeded
// once per test binary for the same settings (see siteDatabase). With a
// clock, which dates what the demo content sends (notifications), the
// site gets an empty database and app.New fills it, as the binary would.
func newSiteWith(t testing.TB, env map[string]string, opts app.Options) *testSite {
	t.Helper()
	return newSiteVia(t, env, opts, nil)
}

// newSiteVia is newSiteWith whose application reaches its database at the
// address via makes of the real one (nil: the real one), such as a proxy
// that a test can cut.
func newSiteVia(t testing.TB, env map[string]string, opts app.Options, via func(dbURL string) string) *testSite {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	vals := map[string]string{
		"INSPRAAK_BASE_URL":      base,
		"INSPRAAK_SEED_DEMO":     "true",
		"INSPRAAK_LOG_LEVEL":     "debug",
		"INSPRAAK_PSEUDONYM_KEY": testPseudonymKey,
	}
	for k, v := range env {
		vals[k] = v
	}
	fromTemplate := opts.Now == nil
	if fromTemplate {
		vals["INSPRAAK_DATABASE_URL"] = siteDatabase(t, vals)
	} else {
		vals["INSPRAAK_DATABASE_URL"] = testdb.URL(t)
	}
	if via != nil {
		vals["INSPRAAK_DATABASE_URL"] = via(vals["INSPRAAK_DATABASE_URL"])
	}
	cfg, err := config.Load(func(k string) string { return vals[k] })
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.WebRoutes = func(d web.Deps) web.Deps {
		d.Routes = func(r gin.IRouter) {
			r.GET("/test/panic", func(*gin.Context) { panic("test panic with secret detail") })
			r.GET("/api/v1/test/panic", func(*gin.Context) { panic("test panic with secret detail") })
			// A page that panics with the database's error, for the
			// recovery path while the database is away.
			r.GET("/test/db-panic", func(c *gin.Context) {
				var n int
				if err := d.DB.WithContext(c.Request.Context()).Raw("SELECT 1").Scan(&n).Error; err != nil {
					panic(err)
				}
				c.String(http.StatusOK, "ok")
			})
			r.POST("/test/echo", func(c *gin.Context) {
				b, err := io.ReadAll(c.Request.Body)
				if err != nil {
					c.String(http.StatusRequestEntityTooLarge, "too large")
					return
				}
				c.String(http.StatusOK, "%d", len(b))
			})
		}
		return d
	}
	a, err := app.New(context.Background(), cfg, log, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if fromTemplate {
		// The demo editor is a staff member of the built-in provider, whose
		// issuer is under the site's address: the template has it under
		// templateBase.
		if err := a.DB.Exec("UPDATE staff_members SET issuer = REPLACE(issuer, ?, ?)", templateBase, cfg.BaseURL.String()).Error; err != nil {
			t.Fatal(err)
		}
	}
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return &testSite{Server: srv, App: a, Logs: logs}
}

// siteDatabase returns a fresh database for a site with these settings: a
// copy of the template that app.New migrated and (with demo content on)
// seeded once per test binary, at templateBase, for the same settings on
// the same day (demo dates count from today).
// runtimeOnly says whether a setting only changes how the running site
// answers, never what a new site stores: sites that differ only in such
// settings share one template database (each template seeds the demo,
// ~1 s, ~12 s under the race detector).
func runtimeOnly(k string) bool {
	switch k {
	case "INSPRAAK_TRUSTED_PROXIES", "INSPRAAK_RATE_LIMITS", "INSPRAAK_PAGE_CACHE", "INSPRAAK_METRICS_TOKEN",
		"INSPRAAK_MAX_BODY_BYTES", "INSPRAAK_LOG_LEVEL",
		// Mail is sent, never stored, with these; the session key signs
		// cookies and keys rate limits; the claim source and the
		// eHerkenning provider matter at login only.
		"INSPRAAK_SMTP_URL", "INSPRAAK_MAIL_FROM", "INSPRAAK_SESSION_KEY", "INSPRAAK_DIGID_CLAIM_SOURCE",
		// The language a visitor gets and the postcode table (read at
		// login and register upload; the demo uploads no register).
		"INSPRAAK_DEFAULT_LANGUAGE", "INSPRAAK_WIJK_TABLE",
		// Where traces go.
		"INSPRAAK_OTEL_ENDPOINT":
		return true
	}
	return strings.HasPrefix(k, "INSPRAAK_RATE_") || strings.HasPrefix(k, "INSPRAAK_EHERKENNING_")
}

func siteDatabase(t testing.TB, vals map[string]string) string {
	t.Helper()
	var parts []string
	for k, v := range vals {
		if k != "INSPRAAK_BASE_URL" && k != "INSPRAAK_DATABASE_URL" && !runtimeOnly(k) {
			parts = append(parts, k+"="+v)
		}
	}
	sort.Strings(parts)
	key := time.Now().In(i18n.Location).Format(time.DateOnly) + "\n" + strings.Join(parts, "\n")
	return testdb.FromTemplate(t, key, func(dbURL string) error {
		tv := maps.Clone(vals)
		tv["INSPRAAK_DATABASE_URL"] = dbURL
		tv["INSPRAAK_BASE_URL"] = templateBase
		cfg, err := config.Load(func(k string) string { return tv[k] })
		if err != nil {
			return err
		}
		a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			return err
		}
		err = onlyIssuersKnowTheAddress(a.DB.DB)
		if cerr := a.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

// onlyIssuersKnowTheAddress checks that the template's address appears in
// no stored value other than a staff member's issuer, which newSiteWith
// rewrites to the site's own. Should demo content ever store the address
// elsewhere, a copy would show the wrong one: this says where.
func onlyIssuersKnowTheAddress(db *gorm.DB) error {
	host := strings.TrimPrefix(templateBase, "https://")
	tables, err := db.Migrator().GetTables()
	if err != nil {
		return err
	}
	var found []string
	for _, table := range tables {
		rows, err := db.Table(table).Rows()
		if err != nil {
			return err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				if s, ok := v.(string); ok && strings.Contains(s, host) && !(table == "staff_members" && cols[i] == "issuer") {
					found = append(found, table+"."+cols[i])
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	if len(found) > 0 {
		return fmt.Errorf("the template's demo content stores its address in %v; a copy would keep it there: teach newSiteWith to rewrite it", found)
	}
	return nil
}

type response struct {
	*http.Response
	Body string
}

func (s *testSite) do(t *testing.T, req *http.Request) response {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// Keep Go from decompressing transparently, so tests see what was sent.
	client.Transport = &http.Transport{DisableCompression: true}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r io.Reader = resp.Body
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("bad gzip: %v", err)
		}
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return response{Response: resp, Body: string(b)}
}

func (s *testSite) get(t *testing.T, path string, headers ...string) response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return s.do(t, req)
}

func wantStatus(t *testing.T, r response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, status, r.Body)
	}
}

func wantContains(t *testing.T, r response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("%s: body lacks %q", r.Request.URL.Path, p)
		}
	}
}

// wantNotContains wants the page itself (200) without parts: that a
// login redirect or an error page lacks something proves nothing.
func wantNotContains(t *testing.T, r response, parts ...string) {
	t.Helper()
	wantAbsent(t, r, 200, parts...)
}

// wantAbsent wants a response with status whose body lacks parts.
func wantAbsent(t *testing.T, r response, status int, parts ...string) {
	t.Helper()
	wantStatus(t, r, status)
	for _, p := range parts {
		if strings.Contains(r.Body, p) {
			t.Errorf("%s: body must not contain %q", r.Request.URL.Path, p)
		}
	}
}

func TestHomeShowsOpenProjectsNotDraftsOrClosed(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	r := s.get(t, "/")
	wantStatus(t, r, 200)
	wantContains(t, r, `<html lang="nl"`, "Denk mee met Gemeente Voorbeeld", "Een nieuw Marktplein",
		"Veilig fietsen naar school", `href="/projecten/herinrichting-marktplein"`, "Testomgeving", `href="#main"`)
	wantNotContains(t, r, "Omgevingsvisie 2040", "Afval scheiden")
}

func TestHomeEmptyStateIsFriendly(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_SEED_DEMO": "false", "INSPRAAK_MUNICIPALITY_NAME": "Gemeente Heidebeek"})
	r := s.get(t, "/")
	wantStatus(t, r, 200)
	wantContains(t, r, "Er lopen op dit moment geen projecten.", `href="/projecten"`, "Denk mee met Gemeente Heidebeek")
}

func TestProjectPageShowsSummaryBodyAndTimeline(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	r := s.get(t, "/projecten/herinrichting-marktplein")
	wantStatus(t, r, 200)
	wantContains(t, r, "<h1 class=\"utrecht-heading-1\">Een nieuw Marktplein</h1>", "Waar gaat het over?",
		"<h2>Wat staat al vast?</h2>", "Planning", "Klaar", "Nu bezig", "Nog niet begonnen", `aria-current="step"`, "Centrum")
	closed := s.get(t, "/projecten/afval-scheiden")
	wantStatus(t, closed, 200)
	wantContains(t, closed, "Afgerond")
}

func TestDraftAndUnknownProjectsGetTheDutch404(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	for _, path := range []string{"/projecten/omgevingsvisie-2040", "/projecten/bestaat-niet", "/projecten/%2e%2e%2fetc", "/bestaat-niet", "/projecten?pagina=99", "/projecten?pagina=nul", "/projecten?status=concept", "/taal/fr"} {
		r := s.get(t, path)
		wantStatus(t, r, 404)
		wantContains(t, r, "Deze pagina bestaat niet", `href="/projecten"`)
		wantAbsent(t, r, 404, "Omgevingsvisie 2040")
	}
}

func TestProjectListFiltersAndCounts(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	all := s.get(t, "/projecten")
	wantStatus(t, all, 200)
	wantContains(t, all, "5 projecten", "Een nieuw Marktplein", "Afval scheiden", "Groen in de wijk")
	open := s.get(t, "/projecten?status=lopend")
	wantContains(t, open, "4 projecten", `aria-current="page">Lopend`)
	wantNotContains(t, open, "Afval scheiden")
	closed := s.get(t, "/projecten?status=afgerond")
	wantContains(t, closed, "1 project<", "Afval scheiden")
}

func TestPanicShowsDutch500WithReferenceAndLogsIt(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	r := s.get(t, "/test/panic")
	wantStatus(t, r, 500)
	id := r.Header.Get(web.RequestIDHeader)
	if id == "" {
		t.Fatal("no request id")
	}
	wantContains(t, r, "Er ging iets mis", id)
	wantAbsent(t, r, 500, "secret detail", "goroutine", ".go:")
	// Browsers ask for gzip: the error page must arrive whole that way too.
	zipped := s.get(t, "/test/panic", "Accept-Encoding", "gzip")
	wantStatus(t, zipped, 500)
	if zipped.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("500 page not compressed: %v", zipped.Header)
	}
	wantContains(t, zipped, "Er ging iets mis", "</html>")
	logs := s.Logs.String()
	if !strings.Contains(logs, id) || !strings.Contains(logs, "test panic with secret detail") {
		t.Errorf("panic not logged under its reference:\n%s", logs)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	for _, path := range []string{"/", "/projecten/herinrichting-marktplein", "/bestaat-niet", "/test/panic", "/healthz"} {
		r := s.get(t, path)
		csp := r.Header.Get("Content-Security-Policy")
		if csp == "" || strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q", path, csp)
		}
		if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Referrer-Policy") == "" {
			t.Errorf("%s: missing nosniff or Referrer-Policy", path)
		}
		if r.Header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS must not be sent in development over http", path)
		}
	}
}

func TestHSTSInProduction(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{
		"INSPRAAK_ENV":           "production",
		"INSPRAAK_BASE_URL":      "https://inspraak.gemeente.example",
		"INSPRAAK_SESSION_KEY":   "q8Yv2mZr7LkP1xWn4sTe9bHd3cFg6jUa",
		"INSPRAAK_PSEUDONYM_KEY": "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap",
		"INSPRAAK_SEED_DEMO":     "false",
		"INSPRAAK_SMTP_URL":      "smtp://mail.gemeente.example",
		"INSPRAAK_MAIL_FROM":     "inspraak@gemeente.example",
		"INSPRAAK_METRICS_TOKEN": "Mt7Kq2Wz9Rb4Xn1Lc8Vp3Hs6Jd0Fg5Ya",
	})
	r := s.get(t, "/")
	wantStatus(t, r, 200)
	if !strings.HasPrefix(r.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("no HSTS in production: %v", r.Header)
	}
	wantNotContains(t, r, "Testomgeving")
}

var stylesheet = regexp.MustCompile(`<link rel="stylesheet" href="(/static/[^"]+)">`)

func TestStaticFilesAreHashedCachedAndCompressed(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	home := s.get(t, "/")
	links := stylesheet.FindAllStringSubmatch(home.Body, -1)
	if len(links) != 3 {
		t.Fatalf("want 3 stylesheets, got %v", links)
	}
	for _, l := range links {
		if !regexp.MustCompile(`\.[0-9a-f]{12}\.css$`).MatchString(l[1]) {
			t.Errorf("stylesheet URL %s has no content hash", l[1])
		}
		plain := s.get(t, l[1])
		wantStatus(t, plain, 200)
		if cc := plain.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", l[1], cc)
		}
		if plain.Header.Get("Content-Type") != "text/css; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", l[1], plain.Header.Get("Content-Type"))
		}
		zipped := s.get(t, l[1], "Accept-Encoding", "gzip")
		if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Body != plain.Body {
			t.Errorf("%s: gzip version missing or different", l[1])
		}
		etag := plain.Header.Get("ETag")
		again := s.get(t, l[1], "If-None-Match", etag)
		wantStatus(t, again, 304)
	}
	unhashed := s.get(t, "/static/css/app.css")
	wantStatus(t, unhashed, 200)
	if cc := unhashed.Header.Get("Cache-Control"); !strings.Contains(cc, "no-cache") {
		t.Errorf("unhashed name must be revalidated, got %q", cc)
	}
	wantStatus(t, s.get(t, "/static/css/nope.css"), 404)
	wantStatus(t, s.get(t, "/static/../go.mod"), 404)
}

func TestPagesAreGzippedForClientsThatAsk(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	r := s.get(t, "/", "Accept-Encoding", "gzip, deflate, br")
	if r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("home not compressed: %v", r.Header)
	}
	wantContains(t, r, "Denk mee met")
	plain := s.get(t, "/")
	if plain.Header.Get("Content-Encoding") != "" {
		t.Fatal("compressed for a client that did not ask")
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/test/echo", strings.NewReader("a=1"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://kwaadwillend.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r := s.do(t, req)
	wantStatus(t, r, 403)
	wantContains(t, r, "andere website")
	if r.Header.Get("Content-Security-Policy") == "" {
		t.Error("refusal page lacks security headers")
	}

	same, _ := http.NewRequest(http.MethodPost, s.URL+"/test/echo", strings.NewReader("a=1"))
	same.Header.Set("Origin", s.URL)
	same.Header.Set("Sec-Fetch-Site", "same-origin")
	wantStatus(t, s.do(t, same), 200)
}

func TestOversizedBodiesAreRefused(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_MAX_BODY_BYTES": "2048"})
	big := strings.Repeat("x", 4096)
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/test/echo", strings.NewReader(big))
	r := s.do(t, req)
	wantStatus(t, r, 413)
	wantContains(t, r, "te groot", "Er is niets opgeslagen")

	// A client that hides the length is cut off while reading.
	chunked, _ := http.NewRequest(http.MethodPost, s.URL+"/test/echo", io.MultiReader(strings.NewReader(big)))
	chunked.ContentLength = -1
	r = s.do(t, chunked)
	wantStatus(t, r, 413)

	ok, _ := http.NewRequest(http.MethodPost, s.URL+"/test/echo", strings.NewReader("small"))
	wantStatus(t, s.do(t, ok), 200)
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	h := s.get(t, "/healthz")
	wantStatus(t, h, 200)
	r := s.get(t, "/readyz")
	wantStatus(t, r, 200)
	wantContains(t, r, `"status":"ok"`, `"database":"ok"`)

	// A newer release expanded the schema (a rolling update): this one
	// runs beside it and says so.
	st, err := s.App.DB.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	next := st.Latest + 1
	if err := s.App.DB.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'next_release_adds', CURRENT_TIMESTAMP)", next).Error; err != nil {
		t.Fatal(err)
	}
	r = s.get(t, "/readyz")
	wantStatus(t, r, 200)
	wantContains(t, r, `"ahead":1`)
	// Its migration removed what this release still uses: not ready.
	if err := s.App.DB.Exec("UPDATE schema_migrations SET oldest_release = '99.0' WHERE version = ?", next).Error; err != nil {
		t.Fatal(err)
	}
	r = s.get(t, "/readyz")
	wantStatus(t, r, 503)
	wantStatus(t, s.get(t, "/healthz"), 200)
	// A gap (a schema from far ahead that skipped a record): not ready.
	if err := s.App.DB.Exec("UPDATE schema_migrations SET oldest_release = '', version = 9999 WHERE version = ?", next).Error; err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s.get(t, "/readyz"), 503)

	// The database is gone.
	_ = s.App.DB.Close()
	wantStatus(t, s.get(t, "/readyz"), 503)
}

func TestMetricsCountRoutesNotPaths(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	s.get(t, "/projecten/herinrichting-marktplein")
	s.get(t, "/projecten/veilig-naar-school")
	s.get(t, "/willekeurig-adres-123")
	m := s.get(t, "/metrics")
	wantStatus(t, m, 200)
	wantContains(t, m,
		`inspraak_http_requests_total{method="GET",route="/projecten/:slug",status="200"} 2`,
		`inspraak_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		"inspraak_http_request_duration_seconds_bucket",
		`go_sql_open_connections{db_name="inspraak"}`,
		"process_resident_memory_bytes")
	wantNotContains(t, m, "willekeurig-adres-123", "veilig-naar-school")
}

func TestMetricsTokenWhenConfigured(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_METRICS_TOKEN": "meet-token-1234567890"})
	wantStatus(t, s.get(t, "/metrics"), 401)
	wantStatus(t, s.get(t, "/metrics", "Authorization", "Bearer fout"), 401)
	wantStatus(t, s.get(t, "/metrics", "Authorization", "Bearer meet-token-1234567890"), 200)
}

func TestLanguageSwitchRemembersChoiceAndStaysOnSite(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	r := s.get(t, "/taal/en?terug="+url.QueryEscape("/projecten?status=lopend"))
	wantStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != "/projecten?status=lopend" {
		t.Errorf("Location = %q", loc)
	}
	var cookie *http.Cookie
	for _, c := range r.Cookies() {
		if c.Name == "inspraak_taal" {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != "en" || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("language cookie = %+v", cookie)
	}
	en := s.get(t, "/", "Cookie", "inspraak_taal=en")
	wantContains(t, en, `<html lang="en"`, "Have your say in Gemeente Voorbeeld", "Projects you can take part in now")
	nl := s.get(t, "/", "Cookie", "inspraak_taal=xx")
	wantContains(t, nl, `<html lang="nl"`)

	for _, evil := range []string{"//kwaad.example/", "https://kwaad.example/", "/\\kwaad.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=y"} {
		r := s.get(t, "/taal/nl?terug="+url.QueryEscape(evil))
		if loc := r.Header.Get("Location"); strings.Contains(loc, "kwaad") || strings.Contains(loc, "javascript") || strings.ContainsAny(loc, "\r\n") {
			t.Errorf("terug=%q redirected to %q", evil, loc)
		}
	}
}

func TestEnglishDefaultLanguage(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_DEFAULT_LANGUAGE": "en"})
	r := s.get(t, "/bestaat-niet")
	wantStatus(t, r, 404)
	wantContains(t, r, `<html lang="en"`, "This page does not exist")
}

// Every page in both languages must find every message it asks for.
func TestNoMissingTranslationsOnAnyPage(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	paths := []string{"/", "/projecten", "/projecten?status=afgerond", "/projecten/herinrichting-marktplein",
		"/projecten/afval-scheiden", "/privacy", "/toegankelijkheid", "/bestaat-niet", "/test/panic"}
	for _, lang := range []string{"nl", "en"} {
		for _, p := range paths {
			r := s.get(t, p, "Cookie", "inspraak_taal="+lang)
			if regexp.MustCompile(`>[a-z]+(\.[a-z0-9_]+)+<`).MatchString(r.Body) {
				t.Errorf("%s (%s) shows a raw message key", p, lang)
			}
		}
	}
	if strings.Contains(s.Logs.String(), "missing translation") {
		t.Errorf("missing translations:\n%s", grepLines(s.Logs.String(), "missing translation"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

func TestRequestIDIsKeptWhenSafeAndReplacedWhenNot(t *testing.T) {
	t.Parallel() // each test has its own site and database
	// Only a trusted proxy's id is kept (TestRequestIDIsTakenOnlyFromTrustedProxies).
	s := newSite(t, map[string]string{"INSPRAAK_TRUSTED_PROXIES": "127.0.0.1"})
	r := s.get(t, "/healthz", "X-Request-Id", "proxy-abc-12345")
	if r.Header.Get("X-Request-Id") != "proxy-abc-12345" {
		t.Errorf("safe id not kept: %q", r.Header.Get("X-Request-Id"))
	}
	r = s.get(t, "/healthz", "X-Request-Id", "<script>alert(1)</script>")
	if got := r.Header.Get("X-Request-Id"); strings.Contains(got, "<") || len(got) < 8 {
		t.Errorf("unsafe id kept: %q", got)
	}
}

// Hot pages must not issue a query per row (N+1).
func TestHotPagesUseAFixedNumberOfQueries(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var mu sync.Mutex
	count := 0
	counter := func(*gorm.DB) { mu.Lock(); count++; mu.Unlock() }
	if err := s.App.DB.Callback().Query().After("gorm:query").Register("test:count", counter); err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.Callback().Row().After("gorm:row").Register("test:count_row", counter); err != nil {
		t.Fatal(err)
	}
	// The project page: the project with its phases, its instruments, and
	// one look-up of their published results and response notes.
	cases := map[string]int{"/": 1, "/projecten": 2, "/projecten/herinrichting-marktplein": 4}
	for path, want := range cases {
		mu.Lock()
		count = 0
		mu.Unlock()
		wantStatus(t, s.get(t, path), 200)
		mu.Lock()
		got := count
		mu.Unlock()
		if got != want {
			t.Errorf("%s ran %d queries, want %d", path, got, want)
		}
	}

	// A logged-in browser fetching files costs no session lookup; a page
	// costs exactly one (the session joined with its participant).
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	css := stylesheet.FindStringSubmatch(b.get("/").Body)[1]
	for path, want := range map[string]int{css: 0, "/healthz": 0, "/privacy": 1} {
		mu.Lock()
		count = 0
		mu.Unlock()
		wantStatus(t, b.get(path), 200)
		mu.Lock()
		got := count
		mu.Unlock()
		if got != want {
			t.Errorf("logged in, %s ran %d queries, want %d", path, got, want)
		}
	}
}
