// Command inspraak is the whole participation platform in one binary.
//
//	inspraak [serve]      start the web server (default)
//	inspraak migrate      apply pending database migrations and report
//	inspraak version      print the version
//	inspraak healthcheck  exit 0 when the local server answers /healthz
//
// Configuration comes from INSPRAAK_* environment variables; see README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Amsterdam, even in a scratch container

	"inspraak/internal/app"
	"inspraak/internal/buildinfo"
	"inspraak/internal/config"
	"inspraak/internal/store"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "serve":
		return serve(stderr)
	case "migrate":
		return migrate(stdout, stderr)
	case "export":
		return export(args[1:], stdout, stderr)
	case "tallies":
		return tallies(args[1:], stdout, stderr)
	case "backup":
		return backup(args[1:], stdout, stderr)
	case "version", "-version", "--version":
		// `version -m` adds every linked module with its version.
		if err := buildinfo.Write(stdout, len(args) > 1 && args[1] == "-m"); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	case "healthcheck":
		return healthcheck(stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "inspraak: unknown command %q\n\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage: inspraak [command]

Commands:
  serve        start the web server (default)
  migrate      apply pending database migrations and report what was done
  export       write a consultation's responses as CSV, XLSX or JSON
               (inspraak export -project SLUG -instrument SLUG -format csv [-semicolon] [-o FILE])
  tallies      check the results' running totals against a recount of the
               stored answers; -repair replaces them by the recount
  backup FILE  write a consistent copy of the SQLite database to a new file
               while the site runs, and check it (PostgreSQL: pg_dump)
  version      print the version, commit and Go release; -m: every linked module too
  healthcheck  exit 0 when the server on INSPRAAK_ADDR answers /healthz

Configuration comes from INSPRAAK_* environment variables (see README.md).
`)
}

func loadConfig(stderr io.Writer) (*config.Config, bool) {
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return cfg, true
}

func serve(stderr io.Writer) int {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return 1
	}
	log := app.NewLogger(cfg)
	started := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if len(cfg.GeneratedKeys) > 0 {
		log.Warn("development mode: keys generated for this run only; sessions and pseudonyms will not survive a restart", "keys", strings.Join(cfg.GeneratedKeys, ", "))
	}
	if cfg.KeysFile != "" {
		log.Info("development mode: generated keys are kept beside the database", "file", cfg.KeysFile)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		return 1
	}
	defer func() {
		if err := a.Close(); err != nil {
			log.Error("closing database", "error", err)
		}
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("cannot listen", "addr", cfg.Addr, "error", err)
		return 1
	}
	if cfg.PprofAddr != "" {
		go servePprof(cfg.PprofAddr, log)
	}
	if a.DevIDPHandler != nil {
		idpLn, err := net.Listen("tcp", cfg.DevIDPAddr)
		if err != nil {
			log.Error("cannot listen for the built-in login provider", "addr", cfg.DevIDPAddr, "error", err)
			return 1
		}
		go func() {
			if err := a.ServeDevIDP(ctx, idpLn); err != nil {
				log.Error("built-in login provider stopped", "error", err)
			}
		}()
		log.Info("built-in login provider on its own origin", "issuer", cfg.DevIssuer())
	}
	go a.CleanLoop(ctx, 5*time.Minute)
	go a.Mailer.Run(ctx)
	if cfg.SMTPURL == "" {
		log.Info("no INSPRAAK_SMTP_URL: mail is not sent, only shown at /dev/outbox")
	}
	// Start-up (migrations, demo content, templates) leaves garbage behind;
	// hand it back now so an idle server stays small.
	runtime.GC()
	debug.FreeOSMemory()
	log.Info("Inspraak is ready", "url", cfg.BaseURL.String(), "addr", ln.Addr().String(),
		"env", cfg.Env, "database", a.DB.Dialect, "version", buildinfo.Version,
		"startup", time.Since(started).Round(time.Millisecond).String())
	if err := a.Serve(ctx, ln); err != nil {
		log.Error("server stopped with an error", "error", err)
		return 1
	}
	log.Info("stopped")
	return 0
}

func migrate(stdout, stderr io.Writer) int {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return 1
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, MaxOpenConns: 2, MaxIdleConns: 1})
	if err != nil {
		fmt.Fprintln(stderr, "inspraak migrate:", err)
		return 1
	}
	defer db.Close()
	before, err := db.CheckSchema(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak migrate:", err)
		return 1
	}
	applied, err := db.Migrate(ctx)
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		fmt.Fprintln(stderr, "inspraak migrate:", err)
		return 1
	}
	after, err := db.Status(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak migrate:", err)
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "%s schema is up to date at version %d\n", db.Dialect, after.Current)
	} else {
		fmt.Fprintf(stdout, "%s schema migrated from version %d to %d\n", db.Dialect, before.Current, after.Current)
	}
	return 0
}

// healthcheck lets a container runtime without curl ask the server whether
// it is alive.
func healthcheck(stderr io.Writer) int {
	addr := os.Getenv("INSPRAAK_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get("http://" + net.JoinHostPort(host, port) + "/healthz")
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "healthcheck: status", resp.Status)
		return 1
	}
	return 0
}

// servePprof serves Go's profiler on a loopback address, for bench/ runs.
func servePprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	log.Warn("profiler listening", "addr", addr)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("profiler stopped", "error", err)
	}
}

// openStore loads the configuration and opens the database for a command
// that Ctrl-C or SIGTERM stops (its context ends); done closes both.
func openStore(cmd string, stderr io.Writer) (*config.Config, context.Context, *store.DB, func(), bool) {
	cfg, ok := loadConfig(stderr)
	if !ok {
		return nil, nil, nil, nil, false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, MaxOpenConns: 2, MaxIdleConns: 1})
	if err != nil {
		stop()
		fmt.Fprintf(stderr, "inspraak %s: %v\n", cmd, err)
		return nil, nil, nil, nil, false
	}
	return cfg, ctx, db, func() { _ = db.Close(); stop() }, true
}
