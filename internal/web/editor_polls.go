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

// rulesForm is the participation rules part of every instrument form
// (new poll, new consultation, an instrument's settings).
type rulesForm struct {
	Who           string `form:"wie" binding:"max=20"`
	MinLoADigiD   string `form:"niveau_digid" binding:"max=200"`
	MinLoAEH      string `form:"niveau_eh" binding:"max=200"`
	ResidentsOnly bool   `form:"alleen_inwoners"`
	// MinAge is text, so that "achttien" gets a message, not a 400.
	MinAge      string `form:"minimumleeftijd" binding:"max=10"`
	Opens       string `form:"opent" binding:"max=30"`
	Closes      string `form:"sluit" binding:"max=30"`
	AllowChange bool   `form:"wijzigen"`
}

// pollForm is what the editor's poll form posts.
type pollForm struct {
	Slug        string `form:"slug" binding:"max=200"`
	Title       string `form:"titel" binding:"max=1000"`
	Description string `form:"uitleg" binding:"max=5000"`
	Question    string `form:"vraag" binding:"max=2000"`
	Options     string `form:"antwoorden" binding:"max=20000"`
	Multiple    bool   `form:"meerkeuze"`
	MaxChoices  int    `form:"maximum" binding:"min=0,max=100"`
	Visibility  string `form:"zichtbaarheid" binding:"max=20"`
	rulesForm
	Publish bool `form:"publiceren"`
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
	d.Rules = f.rules(errs)
	return d, errs
}

// rules reads the posted rules into an instruments row's rule fields and
// adds a message for each field the editor must fix to errs. The domain
// checks the rules again; this only turns text into values.
func (f rulesForm) rules(errs map[string]string) instrument.Instrument {
	r := instrument.Instrument{Who: f.Who, ResidentsOnly: f.ResidentsOnly, AllowChange: f.AllowChange}
	switch f.Who {
	case instrument.WhoAny, instrument.WhoDigiD, instrument.WhoEHerkenning:
	default:
		errs["wie"] = "editor.error.who"
	}
	r.MinLoADigiD = formLoA(identity.DigiD, f.MinLoADigiD, "niveau_digid", errs)
	r.MinLoAEH = formLoA(identity.EHerkenning, f.MinLoAEH, "niveau_eh", errs)
	r.MinAge = formAge(f.MinAge, "minimumleeftijd", errs)
	r.OpensAt, r.ClosesAt = formTime(f.Opens, "opent", errs), formTime(f.Closes, "sluit", errs)
	return r
}

// rulesFormOf fills the rules fields from a stored instrument.
func rulesFormOf(in *instrument.Instrument) rulesForm {
	return rulesForm{Who: in.Who, MinLoADigiD: in.MinLoADigiD, MinLoAEH: in.MinLoAEH, ResidentsOnly: in.ResidentsOnly,
		MinAge: strconv.Itoa(in.MinAge), Opens: localInput(in.OpensAt), Closes: localInput(in.ClosesAt), AllowChange: in.AllowChange}
}

// ruleFieldIDs names the form field of each rule the domain reports on.
var ruleFieldIDs = map[string]string{"who": "wie", "min_loa_digid": "niveau_digid", "min_loa_eh": "niveau_eh",
	"min_age": "minimumleeftijd", "closes_at": "sluit"}

// onRuleFields moves the domain's messages about rules onto the rules
// fields, so each shows beside its field and the summary links to it.
func onRuleFields(fields map[string]string) map[string]string {
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		if id, ok := ruleFieldIDs[k]; ok {
			k = id
		}
		out[k] = v
	}
	return out
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
		Form: pollForm{rulesForm: rulesForm{Who: instrument.WhoAny, MinAge: "0"}, Visibility: poll.ShowAfterVote}})
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
	ctx := c.Request.Context()
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, s.instrumentSlugs(id))
	if err != nil {
		s.fail(c, err)
		return
	}
	dr, errs := f.draft(id)
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &pollFormData{Project: p, Form: f, Errors: errs}
	if len(errs) > 0 {
		s.renderPollForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err = s.polls.Create(ctx, actorOf(c), dr)
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, s.instrumentSlugs(id))
		d.Errors = onRuleFields(fields)
		s.renderPollForm(c, status, d)
	}) {
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(id, 10))
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
	if err := s.instruments.SetPublished(c.Request.Context(), actorOf(c), id, iid, publish); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(id, 10))
}

// Rules returns the rules fields; every instrument form embeds rulesForm,
// so templates pass any of them to the same partial as $f.Rules.
func (f rulesForm) Rules() rulesForm { return f }

// RulesData is what the rules-fields partial receives.
type RulesData struct {
	P         *Page
	F         rulesForm
	E         map[string]string
	DigiD, EH []string
}

// RulesFields pairs an instrument form's rules with the page.
func (p *Page) RulesFields(f rulesForm, e map[string]string, digid, eh []string) RulesData {
	return RulesData{P: p, F: f, E: e, DigiD: digid, EH: eh}
}

// formAge reads a minimum age field ("" is 0), noting a bad value in errs.
func formAge(v, field string, errs map[string]string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > instrument.MaxMinAge {
		errs[field] = "instrument.error.min_age"
	}
	return n
}

// formLoA checks a level of assurance field for one means.
func formLoA(means identity.Means, v, field string, errs map[string]string) string {
	if v != "" && identity.LoARank(means, v) == 0 {
		errs[field] = "editor.error.loa"
	}
	return v
}

// formTime reads a datetime-local field in the municipality's time zone;
// "" is no time.
func formTime(v, field string, errs map[string]string) *time.Time {
	if v == "" {
		return nil
	}
	t, err := time.ParseInLocation(dateTimeLocal, v, i18n.Location)
	if err != nil {
		errs[field] = "editor.error.datetime"
		return nil
	}
	return &t
}
