package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// consultationForm reuses the poll form's title, slug and rules fields.
type consultationForm struct {
	pollForm
	OnePerScreen bool `form:"per_scherm"`
}

// questionForm is one question as the editor adds it.
type questionForm struct {
	Kind       string `form:"soort" binding:"max=20"`
	Text       string `form:"tekst" binding:"max=2000"`
	Help       string `form:"hulp" binding:"max=2000"`
	Required   bool   `form:"verplicht"`
	Options    string `form:"antwoorden" binding:"max=20000"`
	MaxLength  int    `form:"max_tekens" binding:"min=0,max=20000"`
	MaxChoices int    `form:"max_keuzes" binding:"min=0,max=50"`
	ScaleMin   int    `form:"schaal_min" binding:"min=-10,max=10"`
	ScaleMax   int    `form:"schaal_max" binding:"min=-10,max=20"`
	MinLabel   string `form:"label_min" binding:"max=200"`
	MaxLabel   string `form:"label_max" binding:"max=200"`
	NumberMin  string `form:"getal_min" binding:"max=30"`
	NumberMax  string `form:"getal_max" binding:"max=30"`
}

type consultationEditData struct {
	Project   *project.Project
	Form      consultationForm
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
	// Editing an existing consultation:
	C         *consultation.Consultation
	In        *instrument.Instrument
	Q         questionForm
	Kinds     []consultation.Kind
	Responses int64
	// AnyResponses counts drafts too: with one, the order is fixed.
	AnyResponses int64
	// Step is the step of "add a question": 1 choose the kind, 2 its
	// fields (Q.Kind is then a known kind).
	Step int
	// Moved is the question just moved, to say where it is now.
	Moved *movedQuestion
}

// movedQuestion says where a question went after "Omhoog" or "Omlaag".
type movedQuestion struct {
	ID       int64
	Text     string
	Position int
	Of       int
}

// CanReorder reports whether the editor may still change the order.
func (d *consultationEditData) CanReorder() bool {
	return d.AnyResponses == 0 && len(d.C.Questions) > 1
}

// KindFields reports whether the add-question form shows a field for the
// chosen kind: only that kind's fields are on the form (step 2).
func (d *consultationEditData) KindFields(field string) bool {
	k := consultation.Kind(d.Q.Kind)
	switch field {
	case "required", "help":
		return k != consultation.Explanation
	case "options":
		return k.HasOptions()
	case "max_choices":
		return k == consultation.Multiple
	case "max_length":
		return k == consultation.ShortText || k == consultation.LongText
	case "scale":
		return k == consultation.Scale
	case "number":
		return k == consultation.Number
	}
	return false
}

// knownKind reports whether k is a question kind.
func knownKind(k string) bool { return slices.Contains(consultation.Kinds, consultation.Kind(k)) }

func (s *Server) editorConsultationNew(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	d := &consultationEditData{Project: p, Errors: map[string]string{}}
	d.Form.Who, d.Form.MinAge = instrument.WhoAny, "0"
	s.renderConsultationForm(c, http.StatusOK, d)
}

func (s *Server) renderConsultationForm(c *gin.Context, status int, d *consultationEditData) {
	d.DigiDLoAs, d.EHLoAs, d.Kinds = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning), consultation.Kinds
	title := "editor.consultation.new"
	if d.C != nil {
		title = "editor.consultation.edit"
	}
	p := s.page(c, title, d)
	p.StaffArea, p.Nav = true, "staff-projects"
	name := "editor_consultation"
	if d.C != nil {
		name = "editor_questions"
	}
	s.html(c, status, name, p)
}

// editorConsultationCreate stores a consultation without questions yet;
// it stays hidden until the editor publishes it.
func (s *Server) editorConsultationCreate(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	id := p.ID
	var f consultationForm
	if !s.bindForm(c, &f) {
		return
	}
	ctx := c.Request.Context()
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, s.instrumentSlugs(id))
	if err != nil {
		s.fail(c, err)
		return
	}
	pd, errs := f.draft(id)
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &consultationEditData{Project: p, Form: f, Errors: errs}
	if len(errs) > 0 {
		s.renderConsultationForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	cons, err := s.consultations.CreateEmpty(ctx, actorOf(c), consultation.Draft{ProjectID: id, Slug: pd.Slug, Title: pd.Title,
		Description: pd.Description, OnePerScreen: f.OnePerScreen, Rules: pd.Rules})
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, s.instrumentSlugs(id))
		d.Errors = onRuleFields(fields)
		s.renderConsultationForm(c, status, d)
	}) {
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(id, 10)+"/vragenlijsten/"+strconv.FormatInt(cons.InstrumentID, 10))
}

func (s *Server) loadEditConsultation(c *gin.Context) (*consultationEditData, bool) {
	p, ok := s.editorProject(c)
	if !ok {
		return nil, false
	}
	iid, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	ctx := c.Request.Context()
	in, err := s.instruments.Get(ctx, p.ID, iid)
	if err != nil || in.Kind != instrument.KindConsultation {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	cons, err := s.consultations.Get(ctx, iid)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	n, err := s.consultations.CountSubmitted(ctx, iid)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	all, err := s.consultations.CountResponses(ctx, iid)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return &consultationEditData{Project: p, C: cons, In: in, Responses: n, AnyResponses: all, Errors: map[string]string{},
		Q: questionForm{ScaleMin: 1, ScaleMax: 5}, Step: 1}, true
}

// editorConsultationEdit lists the questions and offers to add one: first
// the kind (step 1, a GET form, so it works without JavaScript), then
// only the fields of that kind (step 2, ?soort=...).
func (s *Server) editorConsultationEdit(c *gin.Context) {
	d, ok := s.loadEditConsultation(c)
	if !ok {
		return
	}
	if kind := c.Query("soort"); knownKind(kind) {
		d.Q.Kind, d.Step = kind, 2
	} else if c.Query("stap") == "1" || kind != "" {
		d.Errors["soort"] = "editor.questions.kind_required"
	}
	if qid, err := strconv.ParseInt(c.Query("verplaatst"), 10, 64); err == nil {
		for i, q := range d.C.Questions {
			if q.ID == qid {
				d.Moved = &movedQuestion{ID: q.ID, Text: q.Text, Position: i + 1, Of: len(d.C.Questions)}
			}
		}
	}
	status := http.StatusOK
	if len(d.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.renderConsultationForm(c, status, d)
}

// editorQuestionMove moves a question one place up or down ("Omhoog",
// "Omlaag": form posts, so they work without JavaScript and by keyboard).
// Back on the list, the address names the moved question's button, which
// the browser focuses, and the page says where the question is now.
func (s *Server) editorQuestionMove(c *gin.Context) {
	d, q, ok := s.editQuestionTarget(c)
	if !ok {
		return
	}
	by := 0
	switch c.PostForm("richting") {
	case "omhoog":
		by = -1
	case "omlaag":
		by = 1
	default:
		s.renderStatus(c, http.StatusUnprocessableEntity, "consultation.error.cannot_move")
		return
	}
	moved, err := s.consultations.MoveQuestion(c.Request.Context(), actorOf(c), d.C.InstrumentID, q.ID, by)
	if err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Conflict {
			d.Errors = map[string]string{"form": e.Key}
			s.renderConsultationForm(c, http.StatusConflict, d)
			return
		}
		s.fail(c, err)
		return
	}
	// Focus the same button again, unless the question reached the end
	// that button points to: then the other one.
	focus := "omhoog-"
	if by == 1 && moved.Position < moved.Of || by == -1 && moved.Position == 1 {
		focus = "omlaag-"
	}
	id := strconv.FormatInt(q.ID, 10)
	c.Redirect(http.StatusSeeOther, d.backURL()+"?verplaatst="+id+"#"+focus+id)
}

// editorQuestionAdd adds one question at the end.
func (s *Server) editorQuestionAdd(c *gin.Context) {
	d, ok := s.loadEditConsultation(c)
	if !ok {
		return
	}
	var f questionForm
	if !s.bindForm(c, &f) {
		return
	}
	d.Q = f
	if !knownKind(f.Kind) {
		d.Q.Kind = ""
		d.Errors["soort"] = "editor.questions.kind_required"
		s.renderConsultationForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	d.Step = 2
	qd := consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.Kind(f.Kind), Text: f.Text, Help: f.Help,
		Required: f.Required, MaxLength: f.MaxLength, MaxChoices: f.MaxChoices, ScaleMin: f.ScaleMin, ScaleMax: f.ScaleMax,
		ScaleMinLabel: strings.TrimSpace(f.MinLabel), ScaleMaxLabel: strings.TrimSpace(f.MaxLabel)}}
	for _, line := range strings.Split(strings.ReplaceAll(f.Options, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			qd.Options = append(qd.Options, line)
		}
	}
	for _, b := range []struct {
		raw   string
		into  **float64
		field string
	}{{f.NumberMin, &qd.NumberMin, "getal_min"}, {f.NumberMax, &qd.NumberMax, "getal_max"}} {
		if strings.TrimSpace(b.raw) == "" {
			continue
		}
		v, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(b.raw), ",", ".", 1), 64)
		if err != nil {
			d.Errors[b.field] = "consultation.error.number"
			continue
		}
		*b.into = &v
	}
	if len(d.Errors) > 0 {
		s.renderConsultationForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	if err := s.consultations.AddQuestion(c.Request.Context(), actorOf(c), d.C.InstrumentID, qd); err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
			d.Errors = map[string]string{}
			for _, v := range e.Fields {
				d.Errors["tekst"] = v
			}
			s.renderConsultationForm(c, http.StatusUnprocessableEntity, d)
			return
		}
		s.fail(c, err)
		return
	}
	s.done(c, d.backURL())
}

// editorOptionRemove removes an answer option, unless someone chose it.
func (s *Server) editorOptionRemove(c *gin.Context) {
	d, ok := s.loadEditConsultation(c)
	if !ok {
		return
	}
	oid, err := strconv.ParseInt(c.Param("oid"), 10, 64)
	if err != nil || !d.hasOption(oid) {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.consultations.RemoveOption(c.Request.Context(), actorOf(c), d.C.InstrumentID, oid); err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Conflict {
			d.Errors = map[string]string{"form": e.Key}
			s.renderConsultationForm(c, http.StatusConflict, d)
			return
		}
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(d.Project.ID, 10)+"/vragenlijsten/"+strconv.FormatInt(d.C.InstrumentID, 10))
}

func (d *consultationEditData) hasOption(oid int64) bool {
	for _, q := range d.C.Questions {
		for _, o := range q.Options {
			if o.ID == oid {
				return true
			}
		}
	}
	return false
}

// editorConsultationPreview shows the questionnaire as residents will see
// it, without a way to submit.
func (s *Server) editorConsultationPreview(c *gin.Context) {
	d, ok := s.loadEditConsultation(c)
	if !ok {
		return
	}
	pd := consultationPageData{Project: d.Project, In: instrumentView{Instrument: *d.In, State: d.In.StateAt(s.now()),
		ProjectSlug: d.Project.Slug, ProjectTitle: d.Project.Title},
		C: d.C, Questions: d.C.Questions, Answers: map[int64]consultation.Answer{}, Errors: map[string]string{}}
	page := s.page(c, "", pd)
	page.Title = d.In.Title
	page.StaffArea, page.Nav = true, "staff-projects"
	s.html(c, http.StatusOK, "editor_preview", page)
}

func (d *consultationEditData) question(qid int64) *consultation.Question {
	for i := range d.C.Questions {
		if d.C.Questions[i].ID == qid {
			return &d.C.Questions[i]
		}
	}
	return nil
}

func (s *Server) editQuestionTarget(c *gin.Context) (*consultationEditData, *consultation.Question, bool) {
	d, ok := s.loadEditConsultation(c)
	if !ok {
		return nil, nil, false
	}
	qid, err := strconv.ParseInt(c.Param("qid"), 10, 64)
	q := d.question(qid)
	if err != nil || q == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	return d, q, true
}

func (d *consultationEditData) backURL() string {
	return "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10) + "/vragenlijsten/" + strconv.FormatInt(d.C.InstrumentID, 10)
}

// editorQuestionReword fixes a question's wording: always possible, and
// logged with the old and new text so the change is traceable.
func (s *Server) editorQuestionReword(c *gin.Context) {
	d, q, ok := s.editQuestionTarget(c)
	if !ok {
		return
	}
	text, help := c.PostForm("tekst"), c.PostForm("hulp")
	if len(text) > 2000 || len(help) > 2000 {
		s.renderStatus(c, http.StatusRequestEntityTooLarge, "error.too_large")
		return
	}
	if err := s.consultations.Reword(c.Request.Context(), actorOf(c), q.ID, text, help); err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
			d.Errors = map[string]string{"form": "consultation.error.question_text"}
			s.renderConsultationForm(c, http.StatusUnprocessableEntity, d)
			return
		}
		s.fail(c, err)
		return
	}
	s.done(c, d.backURL())
}

// editorQuestionRemove removes a question without answers.
func (s *Server) editorQuestionRemove(c *gin.Context) {
	d, q, ok := s.editQuestionTarget(c)
	if !ok {
		return
	}
	if err := s.consultations.RemoveQuestion(c.Request.Context(), actorOf(c), d.C.InstrumentID, q.ID); err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Conflict {
			d.Errors = map[string]string{"form": e.Key}
			s.renderConsultationForm(c, http.StatusConflict, d)
			return
		}
		s.fail(c, err)
		return
	}
	s.done(c, d.backURL())
}
