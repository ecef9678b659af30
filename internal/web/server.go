// Package web is the HTTP face of Inspraak: the gin engine, its middleware,
// the rendering of server-side HTML, and one small file per page or action.
// Handlers stay thin: they read the request, call one domain service
// method, and render or redirect. Rules live in the domain packages.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/trace"

	"inspraak/internal/account"
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/config"
	"inspraak/internal/consultation"
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
	"inspraak/internal/store"
	"inspraak/static"
	"inspraak/templates"
)

// Deps are what the web layer needs from the rest of the application.
type Deps struct {
	Config        *config.Config
	DB            *store.DB // for readyz and the pool's metrics only: the queries live in the services
	Projects      *project.Service
	Identity      *identity.Service
	Audit         *audit.Log
	Instruments   *instrument.Service
	Polls         *poll.Service
	Budgets       *budget.Service
	Consultations *consultation.Service
	Ideas         *idea.Service
	Moderation    *moderation.Service
	Results       *results.Service
	Notes         *responsenote.Service
	Eraser        *account.Eraser
	Media         *media.Service
	Notify        *notify.Service
	Catalog       *i18n.Catalog
	Logger        *slog.Logger
	// Limits are the limits on abuse; nil allows everything.
	Limits *ratelimit.Limiter
	// Routes, if set, adds extra routes (tests use it for a panicking page).
	Routes func(r gin.IRouter)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Tracer makes a span per request (INSPRAAK_OTEL_ENDPOINT); nil: none.
	Tracer trace.Tracer
}

// Server is the assembled web application.
type Server struct {
	cfg           *config.Config
	db            database
	projects      *project.Service
	identity      *identity.Service
	audit         *audit.Log
	instruments   *instrument.Service
	polls         *poll.Service
	budgets       *budget.Service
	consultations *consultation.Service
	ideas         *idea.Service
	moderation    *moderation.Service
	results       *results.Service
	notes         *responsenote.Service
	eraser        *account.Eraser
	media         *media.Service
	notify        *notify.Service
	limits        *ratelimit.Limiter
	cat           *i18n.Catalog
	log           *slog.Logger
	assets        *Assets
	renderer      *Renderer
	metrics       *metrics
	now           func() time.Time
	engine        *gin.Engine
	handler       http.Handler
	// pages keeps anonymous visitors' idea board pages a moment (nil: off).
	pages *pageCache
	// draining is set once the process was told to stop: readyz answers
	// 503 while the server still serves (app.Serve).
	draining atomic.Bool
}

// database is what the web layer asks of the database itself, for
// readyz: whether it answers, and whether its schema is this binary's.
type database interface {
	Ping(ctx context.Context) error
	CheckSchema(ctx context.Context) (store.SchemaStatus, error)
}

func init() { gin.SetMode(gin.ReleaseMode) }

// New builds the web application.
func New(d Deps) (*Server, error) {
	assets, err := LoadAssets(static.FS, d.Config.MunicipalityLogo)
	if err != nil {
		return nil, err
	}
	renderer, err := NewRenderer(templates.FS, assets, d.Catalog)
	if err != nil {
		return nil, err
	}
	sqlDB, err := d.DB.DB.DB()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: d.Config, db: d.DB, projects: d.Projects, identity: d.Identity, audit: d.Audit, instruments: d.Instruments, polls: d.Polls, budgets: d.Budgets, consultations: d.Consultations, ideas: d.Ideas, moderation: d.Moderation, results: d.Results, notes: d.Notes, eraser: d.Eraser, media: d.Media, notify: d.Notify, cat: d.Catalog, log: d.Logger,
		assets: assets, renderer: renderer, metrics: newMetrics(collectors.NewDBStatsCollector(sqlDB, "inspraak")), now: d.Now,
	}
	s.limits = d.Limits
	if s.now == nil {
		s.now = time.Now
	}
	s.pages = newPageCache(d.Config.PageCacheTTL, time.Now)

	e := gin.New()
	e.HandleMethodNotAllowed = true
	// Engine-wide: a page asked with a trailing slash is redirected to its
	// address without one. The API answers such a path with 404 instead
	// (its routes below have twins that say so).
	e.RedirectTrailingSlash = true
	e.RemoveExtraSlash = true
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(d.Config.TrustedProxies); err != nil {
		return nil, err
	}
	proxies, err := trustedPrefixes(d.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if d.Tracer != nil {
		e.Use(traceRequests(d.Tracer, proxies, d.Config.BaseURL.Hostname()))
	}
	// compress sits outside recovery, so the 500 page a panic produces is
	// written through the gzip writer and flushed like any other page.
	e.Use(requestID(proxies), s.metrics.observe(), accessLog(s.log), securityHeaders(d.Config.IsProduction(), nil),
		cacheControl(), apiHeaders(), compress(), s.recovery(), s.bodyLimit(d.Config.MaxBodyBytes), s.language(), s.readableInput())

	// Files and machine endpoints are registered before the session
	// middleware, so a logged-in browser fetching a stylesheet or an image
	// costs no session lookup (gin fixes a route's handlers when it is added).
	e.GET("/static/*path", assets.serve)
	e.HEAD("/static/*path", assets.serve)
	e.GET("/afbeeldingen/:name", s.imageServe)
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler(d.Config.MetricsToken))
	// The API reads no cookie: it is public, or takes a bearer token.
	// Its errors, the router's 404 and 405 included, are problem+json
	// (renderStatus sees the /api path).
	api := e.Group("/api/v1")
	for _, r := range []struct {
		path    string
		handler gin.HandlerFunc
	}{
		{"/openapi.json", s.apiOpenAPI},
		{"/projects", s.apiProjects},
		{"/instruments/:id/results", s.apiResults},
		{"/instruments/:id/responses", s.apiExport},
		// The first name of /responses, kept for existing clients
		// (deprecated in docs/openapi.json).
		{"/instruments/:id/export", s.apiExport},
	} {
		api.GET(r.path, r.handler)
		api.GET(r.path+"/", s.apiNoRoute)
	}

	e.Use(s.withSessions(), s.pages.bumpOnWrite())
	e.NoRoute(func(c *gin.Context) { s.renderStatus(c, http.StatusNotFound, "") })
	e.NoMethod(func(c *gin.Context) { s.renderStatus(c, http.StatusMethodNotAllowed, "") })

	e.GET("/", s.home)
	e.GET("/projecten", s.projectList)
	e.GET("/projecten/:slug", s.projectShow)
	e.GET("/projecten/:slug/:instrument", s.instrumentShow)
	e.POST("/projecten/:slug/:instrument/stem", s.requireResident(), s.pollVote)
	e.POST("/projecten/:slug/:instrument/antwoorden", s.requireResident(), s.consultationAnswer)
	e.GET("/projecten/:slug/:instrument/ontvangstbewijs", s.requireResident(), s.consultationReceipt)
	e.GET("/projecten/:slug/:instrument/nieuw-idee", s.requireResident(), s.ideaNew)
	e.POST("/projecten/:slug/:instrument/ideeen", s.requireResident(), s.ideaCreate)
	e.GET("/projecten/:slug/:instrument/resultaten", s.publicResults)
	e.GET("/projecten/:slug/:instrument/reactienota", s.publicNote)
	e.GET("/projecten/:slug/:instrument/reactienota.pdf", s.publicNote)
	e.GET("/projecten/:slug/:instrument/resultaten/:format", s.publicResultsOpenData)
	e.GET("/projecten/:slug/:instrument/ideeen/:idea", s.ideaShow)
	e.GET("/projecten/:slug/:instrument/ideeen/:idea/bewerken", s.requireResident(), s.ideaEditForm)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/bewerken", s.requireResident(), s.ideaUpdate)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/intrekken", s.requireResident(), s.ideaWithdraw)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/steun", s.requireResident(), s.ideaSupport)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/reacties", s.requireResident(), s.commentCreate)
	e.GET("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/bewerken", s.requireResident(), s.commentEditForm)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/bewerken", s.requireResident(), s.commentUpdate)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/verwijderen", s.requireResident(), s.commentDelete)
	e.GET("/projecten/:slug/:instrument/ideeen/:idea/melden", s.requireResident(), s.reportForm)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/melden", s.requireResident(), s.reportSubmit)
	e.GET("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/melden", s.requireResident(), s.reportForm)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/melden", s.requireResident(), s.reportSubmit)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/herbeoordeling", s.requireResident(), s.secondLook)
	e.POST("/projecten/:slug/:instrument/ideeen/:idea/reacties/:comment/herbeoordeling", s.requireResident(), s.secondLook)
	e.GET("/privacy", s.staticPage("privacy", "privacy.title"))
	e.GET("/toegankelijkheid", s.staticPage("accessibility", "accessibility.title"))
	e.GET("/taal/:lang", s.languageSwitch)

	// Residents and businesses.
	e.GET("/inloggen", s.loginChoose)
	e.GET("/inloggen/:means", s.loginStart)
	e.POST("/inloggen/:means", s.loginStart)
	e.GET("/inloggen/:means/terug", s.loginCallback)
	e.GET("/inloggen/naam", s.requireResident(), s.loginName)
	e.POST("/inloggen/naam", s.requireResident(), s.loginNameSave)
	e.GET("/uitloggen", s.logoutPage)
	e.POST("/uitloggen", s.logout)
	e.GET("/uitgelogd", s.loggedOut)
	e.POST("/sessie/verlengen", s.sessionExtend)
	e.GET("/mijn-inspraak", s.requireResident(), s.myOverview)
	e.GET("/mijn-inspraak/verwijderen", s.requireResident(), s.myEraseConfirm)
	e.POST("/mijn-inspraak/verwijderen", s.requireResident(), s.myErase)
	e.GET("/mijn-inspraak/meldingen", s.requireResident(), s.notificationList)
	e.POST("/mijn-inspraak/meldingen", s.requireResident(), s.notificationSave)
	e.GET("/mijn-inspraak/email/bevestigen", s.requireResident(), s.emailConfirm)
	e.POST("/projecten/:slug/volgen", s.requireResident(), s.projectFollow)
	// Unsubscribe links work without login: the signed token is the proof.
	e.GET("/afmelden", s.unsubscribePage)
	e.POST("/afmelden", s.unsubscribe)
	if !d.Config.IsProduction() {
		// Shows addresses and live confirmation links: never in production.
		e.GET("/dev/outbox", s.devOutbox)
	}

	// Staff: their own cookie, their own login, every page behind a permission.
	e.GET("/beheer/inloggen", s.staffLogin)
	e.GET("/beheer/inloggen/starten", s.staffLoginStart)
	e.POST("/beheer/inloggen", s.staffLoginStart)
	e.GET("/beheer/inloggen/terug", s.staffLoginCallback)
	e.POST("/beheer/uitloggen", s.staffLogout)
	e.GET("/beheer/uitgelogd", s.staffLoggedOut)
	e.POST("/beheer/uitloggen/backchannel", s.staffBackChannel)
	e.POST("/beheer/sessie/verlengen", s.staffSessionExtend)
	staff := e.Group("/beheer")
	staff.GET("", s.requireStaff(identity.PermStaffArea), s.staffHome)
	staff.GET("/medewerkers", s.requireStaff(identity.PermStaffList), s.staffMembers)
	staff.POST("/medewerkers/sleutels/:tid/intrekken", s.requireStaff(identity.PermSettings), s.staffTokenRevoke)
	staff.GET("/audit", s.requireStaff(identity.PermAuditRead), s.staffAudit)
	staff.GET("/profiel", s.requireStaff(identity.PermStaffArea), s.staffProfile)
	staff.POST("/profiel/tokens", s.requireStaff(identity.PermAnalyse), s.tokenCreate)
	staff.POST("/profiel/tokens/:tid/intrekken", s.requireStaff(identity.PermStaffArea), s.tokenRevoke)
	mod := staff.Group("/moderatie", s.requireStaff(identity.PermModerate))
	mod.GET("", s.modQueue)
	mod.POST("/volgende", s.modNext)
	mod.GET("/dashboard", s.modDashboard)
	mod.GET("/sjablonen", s.modTemplates)
	mod.POST("/sjablonen", s.modTemplateSave)
	mod.POST("/sjablonen/:tid", s.modTemplateSave)
	mod.GET("/instellingen", s.modSettings)
	mod.POST("/instellingen", s.modSettingsSave)
	mod.GET("/blokkades", s.modBlocks)
	mod.POST("/blokkades/:bid/opheffen", s.modLift)
	mod.GET("/:item", s.modItem)
	mod.POST("/:item/claimen", s.modClaim)
	mod.POST("/:item/vrijgeven", s.modRelease)
	mod.POST("/:item/besluit", s.modDecide)
	mod.POST("/:item/fragment", s.modRedact)
	mod.POST("/:item/blokkeren", s.modBlock)
	staff.GET("/resultaten/bevolking", s.requireStaff(identity.PermSettings), s.population)
	staff.POST("/resultaten/bevolking", s.requireStaff(identity.PermSettings), s.populationUpload)
	staff.GET("/resultaten/instellingen", s.requireStaff(identity.PermSettings), s.resultsSettings)
	staff.POST("/resultaten/instellingen", s.requireStaff(identity.PermSettings), s.resultsSettingsSave)
	res := staff.Group("/resultaten", s.requireStaff(identity.PermAnalyse))
	res.GET("", s.resultsList)
	res.GET("/:iid", s.resultsShow)
	res.GET("/:iid/export", s.resultsExport)
	res.POST("/:iid/openbaar", s.requireStaff(identity.PermPublishResults), s.resultsPublish)
	res.GET("/:iid/open-antwoorden", s.openAnswers)
	res.POST("/:iid/codes", s.codeCreate)
	res.POST("/:iid/coderen", s.codeTag)
	res.GET("/:iid/reactienota", s.noteEdit)
	res.POST("/:iid/reactienota", s.noteIntro)
	res.POST("/:iid/reactienota/secties", s.noteSection)
	res.POST("/:iid/reactienota/secties/:sid", s.noteSection)
	res.POST("/:iid/reactienota/secties/:sid/verwijderen", s.noteSectionDelete)
	res.POST("/:iid/reactienota/publiceren", s.notePublish)
	edit := staff.Group("/projecten", s.requireStaff(identity.PermEdit))
	edit.GET("", s.editorProjects)
	edit.GET("/nieuw", s.editorProjectNew)
	edit.POST("", s.editorProjectCreate)
	edit.GET("/:id", s.editorProjectEdit)
	edit.POST("/:id", s.editorProjectUpdate)
	edit.POST("/:id/status", s.editorProjectMove)
	edit.GET("/:id/peilingen/nieuw", s.editorPollNew)
	edit.POST("/:id/peilingen", s.editorPollCreate)
	edit.POST("/:id/instrumenten/:iid/publiceren", s.editorInstrumentPublish)
	edit.GET("/:id/ideeenborden/nieuw", s.editorBoardNew)
	edit.POST("/:id/ideeenborden", s.editorBoardCreate)
	edit.GET("/:id/ideeenborden/:iid", s.editorBoardIdeas)
	edit.GET("/:id/ideeenborden/:iid/instellingen", s.editorBoardSettings)
	edit.POST("/:id/ideeenborden/:iid/instellingen", s.editorBoardSettingsSave)
	edit.GET("/:id/ideeenborden/:iid/ideeen/:idea", s.editorIdea)
	edit.POST("/:id/ideeenborden/:iid/ideeen/:idea/status", s.editorIdeaStatus)
	edit.GET("/:id/instrumenten/:iid/instellingen", s.editorInstrumentSettings)
	edit.POST("/:id/instrumenten/:iid/resultaten", s.editorResultsPublish)
	edit.POST("/:id/instrumenten/:iid/instellingen", s.editorInstrumentSettingsSave)
	edit.GET("/:id/peilingen/:iid", s.editorPollEdit)
	edit.POST("/:id/peilingen/:iid/vraag", s.editorPollReword)
	edit.POST("/:id/peilingen/:iid/antwoorden", s.editorPollOptionAdd)
	edit.POST("/:id/peilingen/:iid/antwoorden/:oid", s.editorPollOptionRelabel)
	edit.POST("/:id/peilingen/:iid/antwoorden/:oid/verwijderen", s.editorPollOptionRemove)
	edit.POST("/:id/peilingen/:iid/keuze", s.editorPollChoice)
	edit.GET("/:id/vragenlijsten/nieuw", s.editorConsultationNew)
	edit.POST("/:id/vragenlijsten", s.editorConsultationCreate)
	edit.GET("/:id/vragenlijsten/:iid", s.editorConsultationEdit)
	edit.POST("/:id/vragenlijsten/:iid/vragen", s.editorQuestionAdd)
	edit.POST("/:id/vragenlijsten/:iid/antwoorden/:oid/verwijderen", s.editorOptionRemove)
	edit.GET("/:id/vragenlijsten/:iid/voorbeeld", s.editorConsultationPreview)
	edit.POST("/:id/vragenlijsten/:iid/vragen/:qid/tekst", s.editorQuestionReword)
	edit.POST("/:id/vragenlijsten/:iid/vragen/:qid/verwijderen", s.editorQuestionRemove)
	edit.POST("/:id/vragenlijsten/:iid/vragen/:qid/verplaatsen", s.editorQuestionMove)
	edit.GET("/:id/voorbeeld", s.editorProjectPreview)
	edit.GET("/:id/publiceren", s.editorPublishCheck)
	edit.POST("/:id/publiceren", s.editorPublish)
	// Participatory budgeting: resident and staff pages (budget_*.go).
	s.budgetRoutes(e, staff)
	s.budgetChannelRoutes(e, staff) // letters, stand, paper (budget_code.go)
	if d.Routes != nil {
		d.Routes(e)
	}
	s.engine = e

	// Cross-origin unsafe requests (a form on another site posting here)
	// are refused before they reach a handler.
	cop := http.NewCrossOriginProtection()
	if err := cop.AddTrustedOrigin(d.Config.BaseURL.Scheme + "://" + d.Config.BaseURL.Host); err != nil {
		return nil, err
	}
	// RFC 8058 one-click unsubscribe is a POST from the mail provider or a
	// webmail page, i.e. cross-origin by design. It carries its own signed
	// token and changes nothing but that person's mail.
	cop.AddInsecureBypassPattern("POST /afmelden")
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := gin.CreateTestContext(w)
		c.Request = r
		c.Set(requestIDKey, newRequestID())
		c.Set(langKey, s.cfg.DefaultLanguage)
		securityHeaders(s.cfg.IsProduction(), nil)(c)
		s.renderStatus(c, http.StatusForbidden, "error.cross_origin")
	}))
	s.handler = cop.Handler(e)
	return s, nil
}

// Handler is the http.Handler to serve.
func (s *Server) Handler() http.Handler { return s.handler }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// healthz says the process is alive; it touches nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// Drain marks the instance as stopping: from now on readyz answers 503,
// so load balancers take it out, while every other page still answers.
func (s *Server) Drain() { s.draining.Store(true) }

// Draining says whether Drain was called.
func (s *Server) Draining() bool { return s.draining.Load() }

// readyz says whether this instance can serve: it is not stopping, the
// database answers and its schema is the one this binary expects.
func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		c.Set(expectedUnavailableKey, true)
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.WarnContext(ctx, "not ready: database", slog.String("error", err.Error()))
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "unreachable"})
		return
	}
	st, err := s.db.CheckSchema(ctx)
	if err != nil && !errors.Is(err, store.ErrSchemaTooNew) {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable", "database": "ok", "schema": "unknown"})
		return
	}
	schema := gin.H{"current": st.Current, "latest": st.Latest}
	if st.Ahead > 0 {
		// A newer release expanded the schema (a rolling update): this
		// one may run beside it (store.CheckSchema).
		schema["ahead"] = st.Ahead
	}
	body := gin.H{"database": "ok", "schema": schema}
	if err != nil || !st.Serves() {
		body["status"] = "unavailable"
		c.JSON(http.StatusServiceUnavailable, body)
		return
	}
	body["status"] = "ok"
	c.JSON(http.StatusOK, body)
}
