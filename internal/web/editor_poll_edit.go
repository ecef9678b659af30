package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/project"
)

// The poll edit screen: one page with a small form per change (question,
// each option, a new option, choice settings), so each change is one
// audited action. A refused change shows the page again with 422, the
// editor's typed text and the reason beside the field.

type pollEditData struct {
	Project *project.Project
	In      *instrument.Instrument
	Poll    *poll.Poll
	Ballots int64
	Options []optionEdit
	Errors  map[string]string
	// What the editor typed, shown again when a form is refused.
	Question   string
	NewOption  string
	Multiple   bool
	MaxChoices string
	Visibility string
}

// optionEdit is one option on the edit screen.
type optionEdit struct {
	ID     int64
	Number int
	Label  string
	Votes  int64
}

// FieldID is the id of the option's label field.
func (o optionEdit) FieldID() string { return optionField(o.ID) }

func optionField(id int64) string { return "option-" + strconv.FormatInt(id, 10) }

// URL is the poll's edit screen.
func (d *pollEditData) URL() string {
	return "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10) + "/peilingen/" + strconv.FormatInt(d.In.ID, 10)
}

// SummaryOrder lists the fields in page order, for the error summary.
func (d *pollEditData) SummaryOrder() []string {
	order := []string{"question"}
	for _, o := range d.Options {
		order = append(order, o.FieldID())
	}
	return append(order, "new_option", "meerkeuze", "maximum", "results_visibility")
}

func (d *pollEditData) option(id int64) *optionEdit {
	for i := range d.Options {
		if d.Options[i].ID == id {
			return &d.Options[i]
		}
	}
	return nil
}

// loadPollEdit loads the poll named in the address with its vote counts.
func (s *Server) loadPollEdit(c *gin.Context) (*pollEditData, bool) {
	p, in, ok := s.editorInstrument(c)
	if !ok {
		return nil, false
	}
	if in.Kind != instrument.KindPoll {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	e, err := s.polls.ForEditor(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	d := &pollEditData{Project: p, In: in, Poll: e.Poll, Ballots: e.Ballots, Errors: map[string]string{},
		Question: e.Poll.Question, Multiple: e.Poll.Multiple, MaxChoices: strconv.Itoa(e.Poll.MaxChoices),
		Visibility: e.Poll.ResultsVisibility}
	for i, o := range e.Poll.Options {
		d.Options = append(d.Options, optionEdit{ID: o.ID, Number: i + 1, Label: o.Label, Votes: e.Votes[o.ID]})
	}
	return d, true
}

func (s *Server) renderPollEdit(c *gin.Context, status int, d *pollEditData) {
	p := s.page(c, "editor.poll.edit", d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "editor_poll_edit", p)
}

// refusePollEdit shows the screen again with the domain's reason on field, or
// fails the request when err is not a reason the editor can act on.
func (s *Server) refusePollEdit(c *gin.Context, d *pollEditData, err error, field string) {
	e, ok := apperror.As(err)
	if !ok || (e.Code != apperror.Invalid && e.Code != apperror.Conflict) {
		s.fail(c, err)
		return
	}
	switch {
	case len(e.Fields) > 0 && field != "":
		for _, v := range e.Fields {
			d.Errors[field] = v
		}
	case len(e.Fields) > 0:
		for k, v := range e.Fields {
			if id, ok := choiceFieldIDs[k]; ok {
				k = id
			}
			d.Errors[k] = v
		}
	default:
		d.Errors[field] = e.Key
	}
	s.renderPollEdit(c, http.StatusUnprocessableEntity, d)
}

// choiceFieldIDs names the form field of each choice setting.
var choiceFieldIDs = map[string]string{"multiple": "meerkeuze", "max_choices": "maximum", "results_visibility": "results_visibility"}

func (s *Server) editorPollEdit(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	s.renderPollEdit(c, http.StatusOK, d)
}

type pollQuestionForm struct {
	Question string `form:"vraag" binding:"max=2000"`
}

// editorPollReword fixes the question's wording: always allowed, audited
// with the old and new text.
func (s *Server) editorPollReword(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	var f pollQuestionForm
	if !s.bindForm(c, &f) {
		return
	}
	d.Question = f.Question
	_, err := s.polls.Reword(c.Request.Context(), actorOf(c), d.In.ID, f.Question)
	if err != nil {
		s.refusePollEdit(c, d, err, "question")
		return
	}
	s.done(c, d.URL())
}

type pollOptionForm struct {
	Label string `form:"antwoord" binding:"max=1000"`
}

// pollOption finds the option named in the address on the screen's poll.
func (s *Server) pollOption(c *gin.Context, d *pollEditData) (*optionEdit, bool) {
	oid, err := strconv.ParseInt(c.Param("oid"), 10, 64)
	o := d.option(oid)
	if err != nil || o == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	return o, true
}

// editorPollOptionRelabel fixes an option's wording; the vote count stays
// with it, so the audit entry says how many had chosen it.
func (s *Server) editorPollOptionRelabel(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	o, ok := s.pollOption(c, d)
	if !ok {
		return
	}
	var f pollOptionForm
	if !s.bindForm(c, &f) {
		return
	}
	o.Label = f.Label
	_, err := s.polls.RelabelOption(c.Request.Context(), actorOf(c), d.In.ID, o.ID, f.Label)
	if err != nil {
		s.refusePollEdit(c, d, err, o.FieldID())
		return
	}
	s.done(c, d.URL())
}

// editorPollOptionAdd adds an option at the end.
func (s *Server) editorPollOptionAdd(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	var f pollOptionForm
	if !s.bindForm(c, &f) {
		return
	}
	d.NewOption = f.Label
	_, err := s.polls.AddOption(c.Request.Context(), actorOf(c), d.In.ID, f.Label)
	if err != nil {
		s.refusePollEdit(c, d, err, "new_option")
		return
	}
	s.done(c, d.URL())
}

// editorPollOptionRemove removes an option nobody chose.
func (s *Server) editorPollOptionRemove(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	o, ok := s.pollOption(c, d)
	if !ok {
		return
	}
	_, err := s.polls.RemoveOption(c.Request.Context(), actorOf(c), d.In.ID, o.ID)
	if err != nil {
		s.refusePollEdit(c, d, err, o.FieldID())
		return
	}
	s.done(c, d.URL())
}

type pollChoiceForm struct {
	Multiple bool `form:"meerkeuze"`
	// MaxChoices is text, so that "twee" gets a message, not a 400.
	MaxChoices string `form:"maximum" binding:"max=10"`
	Visibility string `form:"zichtbaarheid" binding:"max=20"`
}

// editorPollChoice changes single or multiple choice, the maximum and
// when results show, as far as existing ballots allow.
func (s *Server) editorPollChoice(c *gin.Context) {
	d, ok := s.loadPollEdit(c)
	if !ok {
		return
	}
	var f pollChoiceForm
	if !s.bindForm(c, &f) {
		return
	}
	d.Multiple, d.MaxChoices, d.Visibility = f.Multiple, f.MaxChoices, f.Visibility
	maxChoices := 0
	if m := strings.TrimSpace(f.MaxChoices); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 0 || n > poll.MaxOptions {
			d.Errors["maximum"] = "editor.error.max_choices"
			s.renderPollEdit(c, http.StatusUnprocessableEntity, d)
			return
		}
		maxChoices = n
	}
	_, err := s.polls.SetChoice(c.Request.Context(), actorOf(c), d.In.ID, poll.ChoiceSettings{Multiple: f.Multiple, MaxChoices: maxChoices, ResultsVisibility: f.Visibility})
	if err != nil {
		s.refusePollEdit(c, d, err, "")
		return
	}
	s.done(c, d.URL())
}
