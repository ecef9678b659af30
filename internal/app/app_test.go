package app_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
	"inspraak/internal/web"
)

func testConfig(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	vals := map[string]string{"INSPRAAK_DATABASE_URL": testdb.URL(t), "INSPRAAK_SEED_DEMO": "false"}
	for k, v := range env {
		vals[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vals[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// SIGTERM during a slow request: the request still completes, new
// connections are refused, and Serve returns cleanly.
func TestGracefulShutdownFinishesRequestsInFlight(t *testing.T) {
	cfg := testConfig(t, nil)
	started := make(chan struct{})
	a, err := app.New(context.Background(), cfg, quiet, app.Options{WebRoutes: func(d web.Deps) web.Deps {
		d.Routes = func(r gin.IRouter) {
			r.GET("/test/slow", func(c *gin.Context) {
				close(started)
				time.Sleep(500 * time.Millisecond)
				c.String(http.StatusOK, "klaar")
			})
		}
		return d
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/test/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b)}
	}()
	<-started
	cancel() // what SIGTERM does in main

	r := <-got
	if r.err != nil || r.status != 200 || r.body != "klaar" {
		t.Fatalf("in-flight request: %+v", r)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve returned %v", err)
		}
	case <-time.After(app.ShutdownTimeout + time.Second):
		t.Fatal("Serve did not return")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

func TestStartsBesideAnExpandedSchemaRefusesAContractedOne(t *testing.T) {
	url := testdb.URL(t)
	db, err := store.Open(context.Background(), store.Options{URL: url, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := db.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The next release added to the schema: this one starts beside it (a
	// rolling update), and says so in its log.
	if err := db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'next_adds', CURRENT_TIMESTAMP)", st.Latest+1).Error; err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(t, map[string]string{"INSPRAAK_DATABASE_URL": url})
	var logs bytes.Buffer
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("beside a schema the next release expanded: %v", err)
	}
	_ = a.Close()
	if !strings.Contains(logs.String(), "schema is ahead") {
		t.Fatalf("no warning in the log:\n%s", logs.String())
	}
	// The next release removed what this one still uses: refused.
	if err := db.Exec("UPDATE schema_migrations SET oldest_release = '99.0' WHERE version = ?", st.Latest+1).Error; err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	_, err = app.New(context.Background(), cfg, quiet)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("want ErrSchemaTooNew, got %v", err)
	}
}

func TestWithoutAutoMigrateItRefusesPendingMigrations(t *testing.T) {
	cfg := testConfig(t, map[string]string{"INSPRAAK_AUTO_MIGRATE": "false"})
	if _, err := app.New(context.Background(), cfg, quiet); !errors.Is(err, app.ErrPendingMigrations) {
		t.Fatalf("want ErrPendingMigrations, got %v", err)
	}
}

func TestDemoContentIsSeededOnceOnly(t *testing.T) {
	url := testdb.URL(t)
	cfg := testConfig(t, map[string]string{"INSPRAAK_DATABASE_URL": url, "INSPRAAK_SEED_DEMO": "true"})
	a, err := app.New(context.Background(), cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	n, _ := a.Projects.CountAll(context.Background())
	if n == 0 {
		t.Fatal("no demo projects")
	}
	// Staff delete the demo projects; a restart must not bring them back.
	// Answers are protected against removing their options one by one,
	// ideas their themes and comments their replies; removing whole
	// projects goes through their ballots, replies and ideas first.
	for _, stmt := range []string{"DELETE FROM ballots", "DELETE FROM responses",
		"DELETE FROM idea_comments WHERE parent_id IS NOT NULL", "DELETE FROM ideas"} {
		if err := a.DB.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if err := a.DB.Exec("DELETE FROM projects").Error; err != nil {
		t.Fatal(err)
	}
	_ = a.Close()
	b, err := app.New(context.Background(), cfg, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, _ := b.Projects.CountAll(context.Background()); n != 0 {
		t.Fatalf("demo content came back: %d projects", n)
	}
}

func TestProductionRefusesAnUnusableLoginProvider(t *testing.T) {
	cfg := testConfig(t, map[string]string{
		"INSPRAAK_ENV":                 "production",
		"INSPRAAK_BASE_URL":            "https://inspraak.gemeente.example",
		"INSPRAAK_SESSION_KEY":         "q8Yv2mZr7LkP1xWn4sTe9bHd3cFg6jUa",
		"INSPRAAK_PSEUDONYM_KEY":       "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap",
		"INSPRAAK_DIGID_ISSUER":        "https://127.0.0.1:1/broker",
		"INSPRAAK_DIGID_CLIENT_ID":     "inspraak",
		"INSPRAAK_DIGID_CLIENT_SECRET": "geheim-0123456789-abcdefghij",
		"INSPRAAK_SMTP_URL":            "smtp://mail.gemeente.example",
		"INSPRAAK_MAIL_FROM":           "inspraak@gemeente.example",
		"INSPRAAK_METRICS_TOKEN":       "Mt7Kq2Wz9Rb4Xn1Lc8Vp3Hs6Jd0Fg5Ya",
	})
	_, err := app.New(context.Background(), cfg, quiet)
	if err == nil || !strings.Contains(err.Error(), "login provider not usable") {
		t.Fatalf("want refusal, got %v", err)
	}
}
