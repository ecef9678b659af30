// Package bench holds in-process benchmarks of the HTTP handler, wired the
// way the binary wires it (app.New), on a database seeded with the same
// projects as bench/seed. They measure server CPU and allocations per
// request without the network or a competing load driver, and give CPU
// profiles:
//
//	go test ./bench -run '^$' -bench . -benchmem
//	go test ./bench -run '^$' -bench 'Handler/project' -cpuprofile bench/results/cpu.out
//	go tool pprof -top bench/results/cpu.out
//
// INSPRAAK_BENCH_DATABASE_URL=postgres://... runs them on PostgreSQL (an
// empty database; it is migrated and seeded).
package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"inspraak/bench/internal/benchdata"
	"inspraak/internal/app"
	"inspraak/internal/config"
)

func newApp(b *testing.B) *app.App {
	b.Helper()
	dbURL := os.Getenv("INSPRAAK_BENCH_DATABASE_URL")
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(b.TempDir(), "bench.db")
	}
	env := map[string]string{
		"INSPRAAK_DATABASE_URL": dbURL,
		"INSPRAAK_SEED_DEMO":    "false",
		"INSPRAAK_RATE_LIMITS":  "off",
		"INSPRAAK_LOG_LEVEL":    "warn",
		"INSPRAAK_ADDR":         "127.0.0.1:18080",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	if n, err := a.Projects.CountAll(ctx); err != nil {
		b.Fatal(err)
	} else if n == 0 {
		if _, _, err := benchdata.Seed(ctx, a.Projects, 200, time.Now(), false); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkHandler serves pages through the full middleware stack.
func BenchmarkHandler(b *testing.B) {
	a := newApp(b)
	h := a.Handler()
	for _, tc := range []struct{ name, path string }{
		{"home", "/"},
		{"project", "/projecten/project-100"},
		{"list", "/projecten"},
		{"healthz", "/healthz"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			get := func() *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, tc.path, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				return w
			}
			if w := get(); w.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", tc.path, w.Code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				get()
			}
		})
	}
}

// BenchmarkService isolates the database queries from rendering.
func BenchmarkService(b *testing.B) {
	a := newApp(b)
	ctx := context.Background()
	b.Run("ListOpen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Projects.ListOpen(ctx, 25); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GetPublic", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Projects.GetPublic(ctx, "project-100"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
