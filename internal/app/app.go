// Package app wires the application together: configuration → database →
// migrations → demo content → services → web server, and runs the server
// with a graceful shutdown. Tests and the benchmarks build it the same way
// the binary does.
package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"inspraak/internal/account"
	"inspraak/internal/announce"
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/config"
	"inspraak/internal/consultation"
	"inspraak/internal/demo"
	"inspraak/internal/devidp"
	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/moderation"
	"inspraak/internal/notify"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
	"inspraak/internal/responsenote"
	"inspraak/internal/results"
	"inspraak/internal/setting"
	"inspraak/internal/store"
	"inspraak/internal/tracing"
	"inspraak/internal/web"
)

// ShutdownTimeout is how long in-flight requests get to finish.
const ShutdownTimeout = 10 * time.Second

// App is a wired application.
type App struct {
	Config        *config.Config
	Log           *slog.Logger
	DB            *store.DB
	Projects      *project.Service
	Settings      *setting.Service
	Audit         *audit.Log
	Identity      *identity.Service
	Instruments   *instrument.Service
	Polls         *poll.Service
	Consultations *consultation.Service
	Ideas         *idea.Service
	Budgets       *budget.Service
	Moderation    *moderation.Service
	Results       *results.Service
	Notes         *responsenote.Service
	Eraser        *account.Eraser
	Announcer     *announce.Announcer
	Media         *media.Service
	Notify        *notify.Service
	Mailer        *notify.Sender // empties the mail outbox: serve runs it, tests call SendDue
	DevIDP        *devidp.Provider
	// DevIDPHandler serves the built-in provider when it has an origin of
	// its own (INSPRAAK_DEV_IDP_ADDR): serve it on that address (ServeDevIDP).
	DevIDPHandler http.Handler
	Limits        *ratelimit.Limiter // nil when INSPRAAK_RATE_LIMITS=off
	Web           *web.Server
	// Tracing sends traces to INSPRAAK_OTEL_ENDPOINT; nil when off.
	Tracing    *tracing.Tracing
	drainTimer func(time.Duration) <-chan time.Time
}

// Options adjust New for tests.
type Options struct {
	// Web is passed through to the web layer (extra routes, clock).
	WebRoutes func(web.Deps) web.Deps
	// Verifier replaces the configured verification service (tests).
	Verifier identity.Verifier
	// Now replaces the clock of the identity service (tests).
	Now func() time.Time
	// TraceProcessor, if set, switches tracing on and receives every
	// span (tests record them in memory), besides any exporter.
	TraceProcessor sdktrace.SpanProcessor
	// DrainTimer replaces the timer Serve waits on while draining
	// (tests: the delay ends when the test says so).
	DrainTimer func(time.Duration) <-chan time.Time
}

// ErrPendingMigrations means auto-migration is off and the schema lags.
var ErrPendingMigrations = errors.New("database schema has pending migrations; run `inspraak migrate` first")

// New opens the database, brings its schema up to date (or refuses), seeds
// demo content where configured, and builds the web server.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, opts ...Options) (*App, error) {
	db, err := store.Open(ctx, store.Options{
		URL:             cfg.DatabaseURL,
		MaxOpenConns:    cfg.DBMaxOpenConns,
		MaxIdleConns:    cfg.DBMaxIdleConns,
		ConnMaxLifetime: cfg.DBConnMaxLife,
		Logger:          gormLogger(log),
	})
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, DB: db, drainTimer: time.After}
	for _, o := range opts {
		if o.DrainTimer != nil {
			a.drainTimer = o.DrainTimer
		}
	}
	// Instances starting at once on one database take turns from here to
	// the end of seeding: the schema (schema_migrations included), the
	// moderation templates and the demo are made by the first and found
	// by the others. ictx says the lock is held; release is called once
	// seeding is done, or on any early return.
	ictx, release, err := db.Lock(ctx)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	defer release()
	if err := a.prepareSchema(ictx); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Projects = project.NewService(db)
	a.Settings = setting.NewService(db)
	a.Audit = audit.New(db)
	idOpts := identity.Options{DB: db, Config: cfg, Audit: a.Audit, Log: log}
	// The wijk table serves the BRP lookup at login and, for budgets,
	// the postcodes of an uploaded register (also without BRP).
	var wijken *identity.WijkTable
	if cfg.WijkTable != "" {
		if wijken, err = identity.LoadWijkTable(cfg.WijkTable); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("INSPRAAK_WIJK_TABLE: %w", err)
		}
	}
	if cfg.Verification == "brp" {
		brp := &identity.BRP{URL: cfg.BRPURL, APIKey: cfg.BRPAPIKey, Gemeentecode: cfg.Gemeentecode,
			Client: &http.Client{Timeout: 3 * time.Second}, Wijken: wijken}
		idOpts.Verifier = brp
	}
	for _, o := range opts {
		if o.Verifier != nil {
			idOpts.Verifier = o.Verifier
		}
		if o.Now != nil {
			idOpts.Now = o.Now
		}
	}
	a.Identity, err = identity.NewService(idOpts)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Instruments = instrument.NewService(db)
	a.Polls = poll.NewService(db, cfg.PseudonymKey)
	a.Consultations = consultation.NewService(db, cfg.PseudonymKey)
	a.Ideas = idea.NewService(db, cfg.PseudonymKey)
	a.Budgets = budget.NewService(db, cfg.PseudonymKey)
	// Letters, the stand and paper: the same verifier as logins (the
	// stand's lookup without an uploaded register), the wijk table, and
	// the address letters send residents to.
	a.Budgets.SetChannels(budget.ChannelOptions{Verifier: idOpts.Verifier, Wijken: wijken,
		Municipality: cfg.MunicipalityName, CodeURL: cfg.BaseURL.String() + budget.CodePath})
	a.Media = media.NewService(db)
	cat, err := i18n.Load()
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	cat.Missing = func(lang, key string) { log.Warn("missing translation", "lang", lang, "key", key) }
	if err := a.wireNotify(cat, opts); err != nil {
		_ = db.Close()
		return nil, err
	}
	// Status changes and replies reach people in the same transaction as
	// the change: in-app at once, by mail through the outbox.
	a.Ideas.SetNotifier(func(ctx context.Context, tx *gorm.DB, participantID int64, e idea.Event) error {
		return a.Notify.Notify(ctx, tx, participantID, notify.Message{Kind: notify.Kind(e.Kind), Key: e.Key, Params: e.Params, Link: e.Link})
	})
	// Moderation decisions reach the author as news about their own
	// contribution (the same e-mail preference as a status change).
	a.Moderation = moderation.NewService(db, cfg.PseudonymKey, a.Audit, a.Settings)
	a.Moderation.SetNotifier(func(ctx context.Context, tx *gorm.DB, participantID int64, n moderation.Notice) error {
		return a.Notify.Notify(ctx, tx, participantID, notify.Message{Kind: notify.KindIdeaStatus, Key: n.Key, Params: n.Params, Link: n.Link,
			NoRepeat: n.NoRepeat})
	})
	a.Ideas.SetModeration(a.Moderation)
	if err := a.Moderation.SeedTemplates(ictx, defaultTemplates(cat)); err != nil {
		_ = db.Close()
		return nil, err
	}
	a.Announcer = announce.New(db, a.Notify)
	a.Eraser = account.NewEraser(db, a.Audit,
		func(tx *gorm.DB, id int64, now time.Time) error { return idea.Erase(tx, id, now) },
		func(tx *gorm.DB, id int64, _ time.Time) error { return consultation.Erase(tx, id) },
		func(tx *gorm.DB, id int64, _ time.Time) error { return poll.Erase(tx, id) },
		func(tx *gorm.DB, id int64, _ time.Time) error { return budget.Erase(tx, id) },
		func(tx *gorm.DB, id int64, _ time.Time) error { return a.Notify.Erase(tx.Statement.Context, tx, id) },
		func(tx *gorm.DB, id int64, _ time.Time) error { return a.Moderation.Erase(tx, id) },
	)
	if cfg.SeedDemo {
		seeded, err := demo.Seed(ictx, db, a.Projects, a.Polls, a.Consultations, a.Ideas, a.Budgets, a.Moderation, a.Settings, staffIssuer(cfg), time.Now())
		if err != nil {
			_ = db.Close()
			return nil, err
		}
		if seeded {
			log.Info("demo content added to the empty database")
		}
	}
	release()
	// Discovery talks to the providers over the network: not under the
	// lock, where it would hold up every other instance's start.
	if err := a.Identity.DiscoverAll(ctx); err != nil {
		if cfg.IsProduction() {
			_ = db.Close()
			return nil, fmt.Errorf("login provider not usable: %w", err)
		}
		log.Warn("login provider not usable yet; its login option shows as unavailable", "error", err)
	}
	if a.Limits = newLimiter(cfg, db); a.Limits == nil {
		log.Warn("limits on abuse are off (INSPRAAK_RATE_LIMITS=off): for load tests only, never for a public site")
	}
	// Results and response notes tell people inside the publishing
	// transaction; the notes' changes are on the audit record in theirs.
	a.Results = results.NewService(db)
	a.Results.SetNotifier(a.Notify)
	// A budget's breakdowns are protected for the configured threshold.
	a.Budgets.SetThreshold(a.Results.Threshold)
	a.Notes = responsenote.NewService(db, a.Audit, a.Notify)
	if err := a.startTracing(opts); err != nil {
		_ = db.Close()
		return nil, err
	}
	deps := web.Deps{Config: cfg, DB: db, Limits: a.Limits, Projects: a.Projects, Identity: a.Identity, Audit: a.Audit,
		Instruments: a.Instruments, Polls: a.Polls, Budgets: a.Budgets, Consultations: a.Consultations, Ideas: a.Ideas, Moderation: a.Moderation, Results: a.Results, Notes: a.Notes, Eraser: a.Eraser, Media: a.Media,
		Notify: a.Notify, Catalog: cat, Logger: log}
	deps.Tracer = a.Tracing.Tracer()
	for _, o := range opts {
		if o.WebRoutes != nil {
			deps = o.WebRoutes(deps)
		}
	}
	a.Web, err = web.New(deps)
	if err != nil {
		_ = a.Close()
		return nil, err
	}
	if cfg.DevIDP && !cfg.IsProduction() {
		if a.DevIDP, err = newDevIDP(cfg, a.Identity, a.Web); err != nil {
			_ = a.Close()
			return nil, err
		}
		if cfg.DevIDPAddr != "" {
			a.DevIDPHandler = a.Web.DevIDPHandler(a.DevIDP)
		} else {
			a.Web.MountDevIDP(a.DevIDP)
		}
	}
	return a, nil
}

// newLimiter builds the limits on abuse: counted in the database on
// PostgreSQL, so every instance shares them, and in memory on SQLite (one
// instance). Nil when they are switched off.
func newLimiter(cfg *config.Config, db *store.DB) *ratelimit.Limiter {
	if !cfg.RateLimitsOn {
		return nil
	}
	p := ratelimit.Policy{Rules: map[ratelimit.Action]ratelimit.Rule{}, AddressFactor: cfg.RateAddressFactor}
	for name, r := range cfg.RateLimits {
		p.Rules[ratelimit.Action(name)] = ratelimit.Rule{Limit: r.Limit, Window: r.Window}
	}
	var st ratelimit.Store = ratelimit.NewMemoryStore()
	if db.Dialect == store.Postgres {
		st = ratelimit.NewDBStore(db.DB)
	}
	return ratelimit.New(p, st, ratelimit.DeriveKey(cfg.SessionKey))
}

// defaultTemplates are the reasons a new installation starts with, in
// Dutch from the catalogue (moderators edit them afterwards).
func defaultTemplates(cat *i18n.Catalog) [][2]string {
	var out [][2]string
	for i := 1; ; i++ {
		k := "moderation.default_template." + strconv.Itoa(i)
		if !slices.Contains(cat.Keys("nl"), k+".title") {
			return out
		}
		out = append(out, [2]string{cat.T("nl", k+".title"), cat.T("nl", k+".body")})
	}
}

// staffIssuer is the issuer staff log in with: the built-in provider's in
// development, the municipality's own otherwise.
func staffIssuer(cfg *config.Config) string {
	if p := cfg.Providers[string(identity.Staff)]; p != nil && p.Issuer != "" {
		return p.Issuer
	}
	return cfg.DevIssuer()
}

// wireNotify builds the notification service and the outbox sender: SMTP
// when INSPRAAK_SMTP_URL is set (always in production), otherwise the
// development transport, which only marks mail sent for /dev/outbox.
func (a *App) wireNotify(cat *i18n.Catalog, opts []Options) error {
	cfg := a.Config
	no := notify.Options{DB: a.DB, Catalog: cat, BaseURL: cfg.BaseURL, Key: cfg.PseudonymKey,
		Municipality: cfg.MunicipalityName, Audit: a.Audit, Log: a.Log}
	for _, o := range opts {
		if o.Now != nil {
			no.Now = o.Now
		}
	}
	a.Notify = notify.NewService(no)
	var tr notify.Transport = notify.DevTransport{}
	if cfg.SMTPURL != "" {
		t, err := notify.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return fmt.Errorf("INSPRAAK_SMTP_URL: %w", err)
		}
		t.HelloName = cfg.BaseURL.Hostname()
		tr = t
	} else if cfg.IsProduction() {
		return errors.New("production needs INSPRAAK_SMTP_URL")
	}
	a.Mailer = notify.NewSender(a.DB, tr, instanceID(), notify.SenderConfig{From: cfg.MailFrom, Log: a.Log, Now: no.Now})
	return nil
}

// instanceID names this process in outbox claims: the host name (a
// container id behind a load balancer) and a random part, so a restarted
// instance never mistakes an old claim for its own.
func instanceID() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

func (a *App) prepareSchema(ctx context.Context) error {
	if a.Config.AutoMigrate {
		applied, err := a.DB.Migrate(ctx)
		for _, m := range applied {
			a.Log.Info("migration applied", "version", m.Version, "name", m.Name)
		}
		if err != nil {
			return err
		}
	}
	st, err := a.DB.CheckSchema(ctx)
	if err != nil {
		return err
	}
	if st.Ahead > 0 {
		a.Log.Warn("the database schema is ahead of this release: a newer release added to it, and this one runs beside it (a rolling update); update this instance too",
			"schema", st.Current, "binary", st.Latest)
	}
	if len(st.Pending) > 0 {
		return fmt.Errorf("%w (database at %d, binary at %d)", ErrPendingMigrations, st.Current, st.Latest)
	}
	return nil
}

// Handler is the application's HTTP handler.
func (a *App) Handler() http.Handler { return a.Web.Handler() }

// Serve serves on ln until ctx is cancelled (SIGTERM), then drains: /readyz
// answers 503 while every other page still answers, for the configured
// drain delay (INSPRAAK_DRAIN_DELAY), so load balancers stop sending new
// requests here first; each response in that time asks its client to
// close the connection, so kept-alive clients move to another instance.
// Then it stops accepting, gives in-flight requests ShutdownTimeout to
// finish, and returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	h := a.Handler()
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a.Web.Draining() {
				w.Header().Set("Connection", "close")
			}
			h.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	delay := a.Config.DrainDelay
	a.Web.Drain()
	a.Log.Info("draining: /readyz answers 503, still serving", "delay", delay.String())
	if delay > 0 {
		select {
		case <-a.drainTimer(delay):
		case err := <-errc:
			return err
		}
	}
	a.Log.Info("shutting down: no new connections, finishing requests in flight", "timeout", ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(<-errc, http.ErrServerClosed) && err == nil {
		a.Log.Info("shut down: every request answered")
		return nil
	}
	return err
}

// ServeDevIDP serves the built-in provider on its own listener until ctx
// is cancelled (only when INSPRAAK_DEV_IDP_ADDR is set).
func (a *App) ServeDevIDP(ctx context.Context, ln net.Listener) error {
	if a.DevIDPHandler == nil {
		return errors.New("the built-in provider has no address of its own (INSPRAAK_DEV_IDP_ADDR)")
	}
	srv := &http.Server{Handler: a.DevIDPHandler, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newDevIDP registers this application's three clients at the built-in
// provider, with the same redirect URIs a real broker would have.
func newDevIDP(cfg *config.Config, id *identity.Service, w *web.Server) (*devidp.Provider, error) {
	var clients []devidp.Client
	for _, p := range cfg.Providers {
		if !p.Dev {
			continue
		}
		m := identity.Means(p.Means)
		c := devidp.Client{ID: p.ClientID, Secret: p.ClientSecret, Means: p.Means,
			RedirectURIs: []string{id.CallbackURL(m)}, PostLogoutRedirectURIs: []string{id.PostLogoutURL(m)}}
		if m == identity.Staff {
			c.BackChannelLogoutURI = id.BackChannelURL()
		}
		clients = append(clients, c)
	}
	return devidp.New(cfg.DevIssuer(), clients, w.RenderDevLogin)
}

// CleanLoop removes ended sessions and stale pending logins every interval
// until ctx ends.
func (a *App) CleanLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := a.Identity.CleanExpired(ctx); err != nil {
				a.Log.Warn("cleaning sessions failed", "error", err)
			} else if n > 0 {
				a.Log.Debug("ended sessions removed", "count", n)
			}
			if n, err := a.Moderation.Digest(ctx, a.Notify.QueueModeratorDigest); err != nil {
				a.Log.Warn("moderators' digest failed", "error", err)
			} else if n > 0 {
				a.Log.Info("moderators' digest queued", "mails", n)
			}
			if n, err := a.Limits.Clean(ctx); err != nil {
				a.Log.Warn("cleaning rate limit counters failed", "error", err)
			} else if n > 0 {
				a.Log.Debug("expired rate limit counters removed", "count", n)
			}
			if n, err := a.Announcer.Phases(ctx); err != nil {
				a.Log.Warn("announcing phase changes failed", "error", err)
			} else if n > 0 {
				a.Log.Info("phase changes announced to followers", "projects", n)
			}
		}
	}
}

// Close sends the traces still waiting (at most tracing.ShutdownTimeout)
// and releases the database.
func (a *App) Close() error {
	terr := a.Tracing.Close()
	return errors.Join(a.DB.Close(), terr)
}

// startTracing switches tracing on when INSPRAAK_OTEL_ENDPOINT is set (or
// a test asks): a span per request (web) and per query (this gorm plugin).
// Off, nothing is installed: no middleware, no callbacks.
func (a *App) startTracing(opts []Options) error {
	to := tracing.Options{Endpoint: a.Config.OTelEndpoint, Getenv: os.Getenv, Log: a.Log}
	for _, o := range opts {
		if o.TraceProcessor != nil {
			to.Processors = append(to.Processors, o.TraceProcessor)
		}
	}
	t, err := tracing.New(to)
	if err != nil || t == nil {
		return err
	}
	if err := a.DB.Use(tracing.Queries{Tracer: t.Tracer()}); err != nil {
		_ = t.Close()
		return err
	}
	a.Tracing = t
	if a.Config.OTelEndpoint != "" {
		// The host only: the URL may hold a password.
		host := a.Config.OTelEndpoint
		if u, err := url.Parse(host); err == nil {
			host = u.Host
		}
		a.Log.Info("traces go to an OTLP collector", "host", host)
	}
	return nil
}

// NewLogger makes the process logger: JSON in production, text otherwise.
func NewLogger(cfg *config.Config) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.IsProduction() {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

// gormLogger routes gorm's slow-query and error reports into slog. Not
// found is an ordinary answer, not an error worth a log line.
func gormLogger(log *slog.Logger) logger.Interface {
	return &queryLogger{log: log, slow: 200 * time.Millisecond}
}

// queryLogger logs failed and slow queries at warning level, with the SQL
// and without parameter values (they may hold personal data). Unlike gorm's
// slog logger it renders the SQL only when it logs: that rendering was
// 6 % of a vote's CPU.
type queryLogger struct {
	log  *slog.Logger
	slow time.Duration
}

func (q *queryLogger) LogMode(logger.LogLevel) logger.Interface { return q }
func (q *queryLogger) Info(ctx context.Context, msg string, args ...any) {
	q.log.InfoContext(ctx, fmt.Sprintf(msg, args...))
}
func (q *queryLogger) Warn(ctx context.Context, msg string, args ...any) {
	q.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}
func (q *queryLogger) Error(ctx context.Context, msg string, args ...any) {
	q.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

// ParamsFilter keeps parameter values out of the rendered SQL.
func (q *queryLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func (q *queryLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !errors.Is(err, gorm.ErrRecordNotFound) && !errors.Is(err, context.Canceled):
		sql, rows := fc()
		q.log.WarnContext(ctx, "query failed", "error", err, "sql", sql, "rows", rows, "ms", elapsed.Milliseconds())
	case elapsed > q.slow:
		sql, rows := fc()
		q.log.WarnContext(ctx, "slow query", "sql", sql, "rows", rows, "ms", elapsed.Milliseconds())
	}
}
