package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/project"
)

// pollForm is what the editor's poll form posts.
type pollForm struct {
	Slug          string `form:"slug" binding:"max=200"`
	Title         string `form:"titel" binding:"max=1000"`
	Description   string `form:"uitleg" binding:"max=5000"`
	Question      string `form:"vraag" binding:"max=2000"`
	Options       string `form:"antwoorden" binding:"max=20000"`
	Multiple      bool   `form:"meerkeuze"`
	MaxChoices    int    `form:"maximum" binding:"min=0,max=100"`
	Visibility    string `form:"zichtbaarheid" binding:"max=20"`
	Who           string `form:"wie" binding:"max=20"`
	MinLoADigiD   string `form:"niveau_digid" binding:"max=200"`
	MinLoAEH      string `form:"niveau_eh" binding:"max=200"`
	ResidentsOnly bool   `form:"alleen_inwoners"`
	MinAge        int    `form:"minimumleeftijd" binding:"min=0,max=120"`
	Opens         string `form:"opent" binding:"max=30"`
	Closes        string `form:"sluit" binding:"max=30"`
	AllowChange   bool   `form:"wijzigen"`
	Publish       bool   `form:"publiceren"`
}

type pollFormData struct {
	Project   *project.Project
	Form      pollForm
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
}

const dateTimeLocal = "2006-01-02T15:04"

func (f pollForm) draft(projectID int64) (poll.Draft, map[string]string) {
	errs := map[string]string{}
	d := poll.Draft{ProjectID: projectID, Slug: strings.ToLower(strings.TrimSpace(f.Slug)), Title: f.Title, Description: f.Description,
		Question: f.Question, Multiple: f.Multiple, MaxChoices: f.MaxChoices, ResultsVisibility: f.Visibility,
		Options: strings.Split(strings.ReplaceAll(f.Options, "\r\n", "\n"), "\n"), Published: f.Publish}
	if d.Slug == "" || len(d.Slug) > 80 || !slugLike(d.Slug) {
		errs["slug"] = "project.error.slug_format"
	}
	r := instrument.Instrument{Who: f.Who, ResidentsOnly: f.ResidentsOnly, MinAge: f.MinAge, AllowChange: f.AllowChange}
	switch f.Who {
	case instrument.WhoAny, instrument.WhoDigiD, instrument.WhoEHerkenning:
	default:
		errs["wie"] = "editor.error.who"
	}
	if f.MinLoADigiD != "" && identity.LoARank(identity.DigiD, f.MinLoADigiD) == 0 {
		errs["niveau_digid"] = "editor.error.loa"
	}
	if f.MinLoAEH != "" && identity.LoARank(identity.EHerkenning, f.MinLoAEH) == 0 {
		errs["niveau_eh"] = "editor.error.loa"
	}
	r.MinLoADigiD, r.MinLoAEH = f.MinLoADigiD, f.MinLoAEH
	for _, x := range []struct {
		v     string
		field string
		into  **time.Time
	}{{f.Opens, "opent", &r.OpensAt}, {f.Closes, "sluit", &r.ClosesAt}} {
		if x.v == "" {
			continue
		}
		t, err := time.ParseInLocation(dateTimeLocal, x.v, i18n.Location)
		if err != nil {
			errs[x.field] = "editor.error.datetime"
			continue
		}
		*x.into = &t
	}
	d.Rules = r
	return d, errs
}

func slugLike(s string) bool {
	if s == "" || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") || strings.Contains(s, "--") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

func (s *Server) renderPollForm(c *gin.Context, status int, d *pollFormData) {
	d.DigiDLoAs, d.EHLoAs = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning)
	p := s.page(c, "editor.poll.new", d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "editor_poll", p)
}

func (s *Server) editorPollNew(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	s.renderPollForm(c, http.StatusOK, &pollFormData{Project: p, Errors: map[string]string{},
		Form: pollForm{Who: instrument.WhoAny, Visibility: poll.ShowAfterVote}})
}

// editorPollCreate stores a new poll under a project.
func (s *Server) editorPollCreate(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	id := p.ID
	var f pollForm
	if !s.bindForm(c, &f) {
		return
	}
	dr, errs := f.draft(id)
	d := &pollFormData{Project: p, Form: f, Errors: errs}
	if len(errs) > 0 {
		s.renderPollForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	pl, err := s.polls.Create(c.Request.Context(), dr)
	if fields, ok := fieldErrors(err); ok {
		d.Errors = fields
		s.renderPollForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "poll.create", "instrument:"+strconv.FormatInt(pl.InstrumentID, 10),
		map[string]any{"project": id, "published": dr.Published, "options": len(pl.Options)}, "/beheer/projecten/"+strconv.FormatInt(id, 10))
}

// editorInstrumentPublish publishes or withdraws an instrument.
func (s *Server) editorInstrumentPublish(c *gin.Context) {
	id, ok := s.projectID(c)
	if !ok {
		return
	}
	iid, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	publish := c.PostForm("publiceren") == "ja"
	if err := s.instruments.SetPublished(c.Request.Context(), id, iid, publish); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "instrument.publish", "instrument:"+strconv.FormatInt(iid, 10), map[string]any{"published": publish}, "/beheer/projecten/"+strconv.FormatInt(id, 10))
}

// Base returns the shared fields; consultationForm gets it by embedding,
// so templates can pass either form's rules to the same partial.
func (f pollForm) Base() pollForm { return f }

// RulesData is what the rules-fields partial receives.
type RulesData struct {
	P         *Page
	F         pollForm
	E         map[string]string
	DigiD, EH []string
}

// RulesFields pairs an instrument form's rules with the page.
func (p *Page) RulesFields(f pollForm, e map[string]string, digid, eh []string) RulesData {
	return RulesData{P: p, F: f, E: e, DigiD: digid, EH: eh}
}
