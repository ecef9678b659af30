package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"inspraak/internal/audit"
	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
)

// The JSON API, version 1 (docs/openapi.json): published projects with
// their instruments, the public aggregates of an instrument, and for
// analysts with an API token the exports. Errors are JSON too.

type apiError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
}

func (s *Server) apiFail(c *gin.Context, status int, code, key string) {
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfter)
	}
	p := s.page(c, "", nil)
	c.JSON(status, apiError{Error: code, Message: p.T(key)})
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

// apiProjects lists every public project (published, closed, archived)
// with its published instruments.
func (s *Server) apiProjects(c *gin.Context) {
	if s.apiLimited(c, "") {
		return
	}
	ctx := c.Request.Context()
	out := []apiProject{}
	for page := 1; ; page++ {
		res, err := s.projects.ListPublic(ctx, "", page)
		if err != nil {
			s.apiError(c, err)
			return
		}
		for _, sum := range res.Items {
			p, err := s.projects.GetPublic(ctx, sum.Slug)
			if err != nil {
				continue
			}
			ap := apiProject{Slug: p.Slug, Title: p.Title, Summary: p.Summary, Status: string(p.Status),
				URL: s.cfg.BaseURL.String() + "/projecten/" + p.Slug, Instruments: []apiInstrument{}}
			ins, err := s.instruments.ListPublished(ctx, p.ID)
			if err != nil {
				s.apiError(c, err)
				return
			}
			for _, in := range ins {
				v := s.viewInstrument(c, p, in)
				published := false
				if in.Kind == instrument.KindConsultation {
					at, err := s.results.Published(ctx, in.ID)
					if err != nil {
						s.apiError(c, err)
						return
					}
					published = at != nil
				}
				ap.Instruments = append(ap.Instruments, apiInstrument{ID: in.ID, Kind: string(in.Kind), Slug: in.Slug, Title: in.Title,
					State: string(v.State), URL: s.cfg.BaseURL.String() + v.URL, ResultsPublished: published})
			}
			out = append(out, ap)
		}
		if page >= res.Pages {
			break
		}
	}
	c.Header("Cache-Control", "public, max-age=60")
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

// apiInstrumentID reads the instrument of an API path; only published
// consultations of public projects exist here.
func (s *Server) apiConsultation(c *gin.Context) (*consultation.Consultation, *instrument.Instrument, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.apiFail(c, http.StatusNotFound, "not_found", "error.404.message")
		return nil, nil, false
	}
	var in instrument.Instrument
	err = s.db.WithContext(c.Request.Context()).Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("instruments.id = ? AND instruments.kind = ? AND instruments.published AND projects.status IN ?", id,
			instrument.KindConsultation, []string{"published", "closed", "archived"}).Take(&in).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		s.apiFail(c, http.StatusNotFound, "not_found", "error.404.message")
		return nil, nil, false
	}
	if err != nil {
		s.apiError(c, err)
		return nil, nil, false
	}
	cons, err := s.consultations.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.apiError(c, err)
		return nil, nil, false
	}
	return cons, &in, true
}

// apiResults returns the public aggregates of a consultation whose results
// are published, with small counts hidden as on the site.
func (s *Server) apiResults(c *gin.Context) {
	if s.apiLimited(c, "") {
		return
	}
	cons, in, ok := s.apiConsultation(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	at, err := s.results.Published(ctx, in.ID)
	if err != nil {
		s.apiError(c, err)
		return
	}
	if at == nil {
		s.apiFail(c, http.StatusNotFound, "not_published", "results.api.not_published")
		return
	}
	// Open as on the site: an instrument of a project that is no longer
	// published is closed, whatever its dates.
	var projectStatus string
	if err := s.db.WithContext(ctx).Table("projects").Select("status").Where("id = ?", in.ProjectID).Scan(&projectStatus).Error; err != nil {
		s.apiError(c, err)
		return
	}
	open := in.Open(project.Status(projectStatus), s.now())
	pr, err := s.results.PublicOf(ctx, cons, open)
	if err != nil {
		s.apiError(c, err)
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
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, gin.H{"instrument": gin.H{"id": in.ID, "title": in.Title}, "published_at": at.UTC(),
		"submitted": pr.Submitted, "min_cell": pr.K, "questions": out})
}

// apiExport streams an export for an analyst's API token.
func (s *Server) apiExport(c *gin.Context) {
	tok, found := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
	if s.apiLimited(c, apiKeyOf(tok, found)) {
		return
	}
	owner, err := s.results.TokenOwner(c.Request.Context(), strings.TrimSpace(tok))
	if !found || err != nil {
		c.Header("WWW-Authenticate", `Bearer realm="inspraak"`)
		msg := "results.api.token"
		if errors.Is(err, results.ErrRolesUnconfirmed) {
			msg = "results.api.roles_unconfirmed"
		}
		s.apiFail(c, http.StatusUnauthorized, "unauthorized", msg)
		return
	}
	f := c.DefaultQuery("format", "csv")
	if !slices.Contains(results.Formats, f) {
		s.apiFail(c, http.StatusBadRequest, "bad_format", "results.error.format")
		return
	}
	cons, in, ok := s.apiConsultation(c)
	if !ok {
		return
	}
	ctype := map[string]string{results.CSV: "text/csv; charset=utf-8", results.JSON: "application/json",
		results.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}[f]
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", `attachment; filename="antwoorden-`+strconv.FormatInt(in.ID, 10)+`.`+f+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	n, err := s.results.Export(c.Request.Context(), cons, c.Writer, results.ExportOptions{Format: f})
	detail := map[string]any{"format": f, "responses": n, "via": "api"}
	if err != nil {
		detail["error"] = err.Error()
	}
	// On record even when the client broke the download off.
	if err := s.audit.Record(context.WithoutCancel(c.Request.Context()), audit.Event{ActorKind: audit.ActorStaff, Actor: owner.Actor(),
		Action: "results.export", Target: "instrument:" + strconv.FormatInt(in.ID, 10), Detail: detail}); err != nil {
		s.log.ErrorContext(c.Request.Context(), "audit record failed", "error", err.Error())
	}
}

// ---- the profile page: API tokens -------------------------------------------

type profileData struct {
	Tokens []results.Token
	New    string // a token just made, shown once
	Name   string
	Errors map[string]string
	Now    time.Time
}

func (s *Server) staffProfile(c *gin.Context) {
	s.renderProfile(c, http.StatusOK, profileData{})
}

func (s *Server) renderProfile(c *gin.Context, status int, d profileData) {
	ts, err := s.results.Tokens(c.Request.Context(), staffOf(c).Staff.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Tokens, d.Now = ts, s.now()
	c.Header("Cache-Control", "no-store")
	s.html(c, status, "staff_profile", s.staffPage(c, "profile.title", d, "staff-profile"))
}

func (s *Server) tokenCreate(c *gin.Context) {
	cur := staffOf(c)
	if !cur.Can("results.read") {
		s.renderStatus(c, http.StatusForbidden, "")
		return
	}
	name := c.PostForm("naam")
	if len(name) > 400 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	tok, err := s.results.NewToken(c.Request.Context(), cur.Staff.ID, name)
	if s.refused(c, err, func(status int, fields map[string]string) {
		s.renderProfile(c, status, profileData{Errors: fields, Name: name})
	}) {
		return
	}
	s.record(c, "api.token.create", "staff:"+strconv.FormatInt(cur.Staff.ID, 10), map[string]any{"name": name})
	// Shown on this response only: not in a redirect, a cookie or a log.
	s.renderProfile(c, http.StatusOK, profileData{New: tok})
}

func (s *Server) tokenRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	cur := staffOf(c)
	if err := s.results.RevokeToken(c.Request.Context(), cur.Staff.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	s.record(c, "api.token.revoke", "token:"+strconv.FormatInt(id, 10), nil)
	s.done(c, "/beheer/profiel")
}
