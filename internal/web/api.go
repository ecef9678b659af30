package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/docs"
	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
)

// The JSON API, version 1 (docs/openapi.json, served at
// /api/v1/openapi.json): published projects with their instruments, the
// public aggregates of an instrument, and for analysts with an API key the
// responses. It follows the NL GOV API Design Rules 2.x: every answer
// carries API-Version and Cache-Control: no-store, errors are
// application/problem+json (RFC 9457) built from the one error mapping
// (classify) the HTML pages use, malformed input is 400 naming each
// parameter, and a trailing slash is 404, not a redirect.

// apiVersion is the full version of the JSON API, sent as API-Version on
// every /api answer; the major version is in the path. It is the
// info.version of docs/openapi.json (a test holds them together).
const apiVersion = "1.0.0"

// isAPI says whether the request is for the JSON API.
func isAPI(c *gin.Context) bool {
	p := c.Request.URL.Path
	return p == "/api" || strings.HasPrefix(p, "/api/")
}

// apiHeaders sets the headers every API answer carries, errors included:
// the full version, and no caching (answers may change with each
// publication, and exports are personal data).
func apiHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		if isAPI(c) {
			c.Header("API-Version", apiVersion)
			c.Header("Cache-Control", "no-store")
		}
		c.Next()
	}
}

// problemDetails is an API error (RFC 9457). Type is about:blank, so the
// title is the status's own name; detail says in the visitor's language
// what went wrong, invalid-params which parameter and why, and reference
// the id under which a server error is logged.
type problemDetails struct {
	Type          string         `json:"type"`
	Title         string         `json:"title"`
	Status        int            `json:"status"`
	Detail        string         `json:"detail"`
	InvalidParams []invalidParam `json:"invalid-params,omitempty"`
	Reference     string         `json:"reference,omitempty"`
	RetryAfter    int            `json:"retry_after,omitempty"`
}

type invalidParam struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// problemKeys are the messages of the statuses without a specific one.
var problemKeys = map[int]string{
	http.StatusBadRequest:            "api.error.bad_request",
	http.StatusNotFound:              "api.error.not_found",
	http.StatusMethodNotAllowed:      "error.405.message",
	http.StatusRequestEntityTooLarge: "error.413.message",
	http.StatusServiceUnavailable:    "error.503.message",
}

// problemOf builds the problem for a status and message key (as classify
// returns them) and the parameters at fault.
func (s *Server) problemOf(c *gin.Context, status int, key string, params map[string]string) problemDetails {
	p := s.page(c, "", nil)
	if key == "" || (status >= 500 && status != http.StatusServiceUnavailable) {
		key = problemKeys[status]
	}
	if key == "" {
		key = "error.4xx.message"
		if status >= 500 {
			key = "error.500.message"
		}
	}
	pd := problemDetails{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: p.T(key)}
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		pd.InvalidParams = append(pd.InvalidParams, invalidParam{Name: n, Reason: p.T(params[n])})
	}
	if status >= 500 { // logged under this id (classify, recovery)
		pd.Reference = RequestIDOf(c)
		pd.Detail += " " + p.T("error.reference") + " " + pd.Reference
	}
	return pd
}

// problem answers an API error: status, message key and the parameters
// at fault, as fail has them from classify.
func (s *Server) problem(c *gin.Context, status int, key string, params map[string]string) {
	s.writeProblem(c, s.problemOf(c, status, key, params))
}

func (s *Server) writeProblem(c *gin.Context, pd problemDetails) {
	if pd.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfter)
	}
	b, err := json.Marshal(pd)
	if err != nil {
		b = []byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"detail":""}`)
	}
	c.Data(pd.Status, "application/problem+json", b)
}

// apiNoRoute answers a path the API does not have; routes are registered
// with a twin ending in a slash that lands here, since gin would otherwise
// redirect it (engine-wide, which the HTML pages want).
func (s *Server) apiNoRoute(c *gin.Context) {
	s.renderStatus(c, http.StatusNotFound, "")
}

// apiOpenAPI serves the API's own description. Anyone may read it, from
// any origin: the CORS header is on this document only.
func (s *Server) apiOpenAPI(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Data(http.StatusOK, "application/json", docs.OpenAPI)
}

type apiInstrument struct {
	ID               int64  `json:"id"`
	Kind             string `json:"kind"`
	Slug             string `json:"slug"`
	Title            string `json:"title"`
	State            string `json:"state"`
	URL              string `json:"url"`
	ResultsPublished bool   `json:"results_published"`
}

type apiProject struct {
	Slug        string          `json:"slug"`
	Title       string          `json:"title"`
	Summary     string          `json:"summary"`
	Status      string          `json:"status"`
	URL         string          `json:"url"`
	Instruments []apiInstrument `json:"instruments"`
}

// apiProjects lists every project on the public list (published and
// closed) with its published instruments, in three queries however many
// there are.
func (s *Server) apiProjects(c *gin.Context) {
	if s.apiLimited(c, "") {
		return
	}
	ctx := c.Request.Context()
	list, err := s.projects.ListAllPublic(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	ids := make([]int64, 0, len(list))
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	byProject, err := s.instruments.ListPublishedIn(ctx, ids)
	if err != nil {
		s.fail(c, err)
		return
	}
	var consultations []int64
	for _, ins := range byProject {
		for _, in := range ins {
			if in.Kind == instrument.KindConsultation {
				consultations = append(consultations, in.ID)
			}
		}
	}
	published, err := s.results.PublishedAmong(ctx, consultations)
	if err != nil {
		s.fail(c, err)
		return
	}
	base := s.cfg.BaseURL.String()
	out := make([]apiProject, 0, len(list))
	for _, sum := range list {
		p := &project.Project{ID: sum.ID, Slug: sum.Slug, Title: sum.Title, Summary: sum.Summary, Status: sum.Status}
		ap := apiProject{Slug: p.Slug, Title: p.Title, Summary: p.Summary, Status: string(p.Status),
			URL: base + "/projecten/" + p.Slug, Instruments: []apiInstrument{}}
		for _, in := range byProject[p.ID] {
			v := s.viewInstrument(c, p, in)
			ap.Instruments = append(ap.Instruments, apiInstrument{ID: in.ID, Kind: string(in.Kind), Slug: in.Slug, Title: in.Title,
				State: string(v.State), URL: base + v.URL, ResultsPublished: published[in.ID]})
		}
		out = append(out, ap)
	}
	c.JSON(http.StatusOK, gin.H{"projects": out})
}

type apiAnswer struct {
	Label string `json:"label"`
	Count string `json:"count"`
}

type apiQuestion struct {
	ID      int64       `json:"id"`
	Text    string      `json:"text"`
	Kind    string      `json:"kind"`
	Base    string      `json:"base"`
	Answers []apiAnswer `json:"answers"`
}

// apiConsultation reads the instrument of an API path; only published
// consultations of public projects exist here. It also gives the
// project's status, which instrument.Open needs.
func (s *Server) apiConsultation(c *gin.Context) (*consultation.Consultation, *instrument.Instrument, project.Status, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.fail(c, badInput("id", "api.error.id"))
		return nil, nil, "", false
	}
	ctx := c.Request.Context()
	in, projectStatus, err := s.instruments.GetPublicByID(ctx, id, instrument.KindConsultation)
	if err != nil {
		s.fail(c, err)
		return nil, nil, "", false
	}
	cons, err := s.consultations.Get(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, nil, "", false
	}
	return cons, in, projectStatus, true
}

// apiResults returns the public aggregates of a consultation whose results
// are published, with small counts hidden as on the site.
func (s *Server) apiResults(c *gin.Context) {
	if s.apiLimited(c, "") {
		return
	}
	cons, in, projectStatus, ok := s.apiConsultation(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	at, err := s.results.Published(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if at == nil {
		s.fail(c, apperror.New(apperror.NotFound, "results.api.not_published"))
		return
	}
	// Open as on the site: an instrument of a project that is no longer
	// published is closed, whatever its dates.
	open := in.Open(projectStatus, s.now())
	pr, err := s.results.PublicOf(ctx, cons, open)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := []apiQuestion{}
	for _, q := range pr.Questions {
		aq := apiQuestion{ID: q.ID, Text: q.Text, Kind: string(q.Kind), Base: q.Base, Answers: []apiAnswer{}}
		for i, l := range q.Labels {
			aq.Answers = append(aq.Answers, apiAnswer{Label: l, Count: q.Counts[i]})
		}
		out = append(out, aq)
	}
	c.JSON(http.StatusOK, gin.H{"instrument": gin.H{"id": in.ID, "title": in.Title}, "published_at": at.UTC().Format(time.RFC3339),
		"submitted": pr.Submitted, "min_cell": pr.K, "questions": out})
}

// apiExport streams the responses of a consultation for an analyst's API
// key.
func (s *Server) apiExport(c *gin.Context) {
	tok, found := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if s.apiLimited(c, apiKeyOf(tok, found)) {
		return
	}
	owner, err := s.identity.APIKeyOwner(c.Request.Context(), strings.TrimSpace(tok))
	if !found || err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="inspraak"`)
		msg := "results.api.token"
		if errors.Is(err, identity.ErrRolesUnconfirmed) {
			msg = "results.api.roles_unconfirmed"
		}
		s.fail(c, apperror.New(apperror.Unauthenticated, msg))
		return
	}
	f := c.DefaultQuery("format", "csv")
	if !slices.Contains(results.Formats, f) {
		s.fail(c, badInput("format", "results.error.format"))
		return
	}
	cons, in, _, ok := s.apiConsultation(c)
	if !ok {
		return
	}
	ctype := map[string]string{results.CSV: "text/csv; charset=utf-8", results.JSON: "application/json",
		results.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[f]
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", `attachment; filename="antwoorden-`+strconv.FormatInt(in.ID, 10)+`.`+f+`"`)
	c.Status(http.StatusOK)
	// ExportFor puts the export on record before its first byte, and
	// sends nothing when it cannot.
	_, err = s.results.ExportFor(c.Request.Context(), owner.AsActor(), cons, c.Writer, results.ExportOptions{Format: f}, map[string]any{"format": f, "via": "api"})
	if err != nil && !c.Writer.Written() {
		c.Writer.Header().Del("Content-Disposition")
		c.Writer.Header().Del("Content-Type")
		s.fail(c, err)
		return
	}
	if err != nil {
		// The download is cut short; the client sees it fail. The attempt
		// is on record.
		s.log.WarnContext(c.Request.Context(), "export stopped", "instrument", in.ID, "error", err)
	}
}

// ---- the profile page: API keys -------------------------------------------

type profileData struct {
	Tokens []identity.APIKey
	New    string // a key just made, shown once
	Name   string
	Errors map[string]string
	Now    time.Time
}

func (s *Server) staffProfile(c *gin.Context) {
	s.renderProfile(c, http.StatusOK, profileData{})
}

func (s *Server) renderProfile(c *gin.Context, status int, d profileData) {
	ts, err := s.identity.APIKeys(c.Request.Context(), staffOf(c).Staff.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Tokens, d.Now = ts, s.now()
	c.Header("Cache-Control", "no-store")
	s.html(c, status, "staff_profile", s.staffPage(c, "profile.title", d, "staff-profile"))
}

// tokenCreate makes an API key; identity checks that the member may
// analyse and writes the audit record with the key.
func (s *Server) tokenCreate(c *gin.Context) {
	cur := staffOf(c)
	name := c.PostForm("naam")
	if len(name) > 400 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	tok, err := s.identity.NewAPIKey(c.Request.Context(), cur.Staff, name)
	if s.refused(c, err, func(status int, fields map[string]string) {
		s.renderProfile(c, status, profileData{Errors: fields, Name: name})
	}) {
		return
	}
	// Shown on this response only: not in a redirect, a cookie or a log.
	s.renderProfile(c, http.StatusOK, profileData{New: tok})
}

func (s *Server) tokenRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.identity.RevokeAPIKey(c.Request.Context(), staffOf(c).Staff, id); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/profiel")
}
