package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

type consultationPageData struct {
	Project   *project.Project
	In        instrumentView
	C         *consultation.Consultation
	Questions []consultation.Question // the questions on this screen
	Screen    int                     // 1-based; 0 when all questions are on one page
	Screens   int
	Answers   map[int64]consultation.Answer
	Errors    map[string]string
	Order     []string
	Response  *consultation.Response
	// Unlinked: the participant submitted before and erased their data
	// since; the page says so instead of showing a form or any answers.
	Unlinked bool
}

// Chosen reports whether an option is part of the answer to a question.
func (d consultationPageData) Chosen(qid, oid int64) bool {
	for _, o := range d.Answers[qid].Options {
		if o == oid {
			return true
		}
	}
	return false
}

// Rank is the place given to an option of a ranking question, or 0.
func (d consultationPageData) Rank(qid, oid int64) int {
	for i, o := range d.Answers[qid].Options {
		if o == oid {
			return i + 1
		}
	}
	return 0
}

// Text is a text answer, or a number formatted for the input.
func (d consultationPageData) Text(qid int64) string {
	a := d.Answers[qid]
	if a.Number != nil {
		return strconv.FormatFloat(*a.Number, 'f', -1, 64)
	}
	return a.Text
}

// IsScale reports whether a scale question's answer is v.
func (d consultationPageData) IsScale(qid int64, v int) bool {
	a := d.Answers[qid]
	return a.Number != nil && int(*a.Number) == v
}

// FieldName and RankField expose the form names to templates.
func (consultationPageData) FieldName(qid int64) string      { return consultation.FieldName(qid) }
func (consultationPageData) RankField(qid, oid int64) string { return consultation.RankField(qid, oid) }

// Err returns the message key for a question, if any.
func (d consultationPageData) Err(qid int64) string { return d.Errors["q-"+strconv.FormatInt(qid, 10)] }

func (s *Server) consultationShow(c *gin.Context, p *project.Project, in *instrument.Instrument) {
	cons, err := s.consultations.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := consultationPageData{Project: p, In: s.viewInstrument(c, p, *in), C: cons, Answers: map[int64]consultation.Answer{}, Errors: map[string]string{}}
	if err := s.withOutcomes(c.Request.Context(), &d.In); err != nil {
		s.fail(c, err)
		return
	}
	if cur := residentOf(c); cur != nil {
		if err := s.consultations.Opened(c.Request.Context(), in.ID, cur.Participant.Subject); err != nil {
			s.log.WarnContext(c.Request.Context(), "recording an open failed", "error", err)
		}
		saved, err := s.consultations.ResponseOf(c.Request.Context(), in.ID, cur.Participant.ID, cur.Participant.Subject)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Answers, d.Response, d.Unlinked = saved.Answers, saved.Response, saved.Unlinked
	}
	d.setScreen(c.Query("vraag"))
	s.renderConsultation(c, http.StatusOK, &d)
}

// setScreen picks the questions to show: all, or the one of screen n.
func (d *consultationPageData) setScreen(raw string) {
	d.Questions = d.C.Questions
	if !d.C.OnePerScreen || len(d.C.Questions) == 0 {
		return
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 || n > len(d.C.Questions) {
		n = 1
	}
	d.Screen, d.Screens = n, len(d.C.Questions)
	d.Questions = d.C.Questions[n-1 : n]
}

func (s *Server) renderConsultation(c *gin.Context, status int, d *consultationPageData) {
	for _, q := range d.Questions {
		d.Order = append(d.Order, "q-"+strconv.FormatInt(q.ID, 10))
	}
	page := s.page(c, "", d)
	page.Title = d.In.Title
	page.Nav = "projects"
	s.html(c, status, "consultation", page)
}

// consultationAnswer saves a draft, moves between screens, or submits.
func (s *Server) consultationAnswer(c *gin.Context) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return
	}
	if in.Kind != instrument.KindConsultation {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	ctx := c.Request.Context()
	cons, err := s.consultations.Get(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	cur := residentOf(c)
	saved, err := s.consultations.ResponseOf(ctx, in.ID, cur.Participant.ID, cur.Participant.Subject)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := c.Request.ParseForm(); err != nil {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	d := consultationPageData{Project: p, In: s.viewInstrument(c, p, *in), C: cons, Response: saved.Response, Unlinked: saved.Unlinked}
	d.setScreen(c.PostForm("vraag"))
	if s.limited(c, ratelimit.Vote, retryAnswerFields(d.Questions)...) {
		return
	}
	posted, errs := consultation.FromValues(d.Questions, c.Request.PostForm)
	// Answers from other screens stay as saved; this screen's replace them.
	answers := saved.Answers
	for _, q := range d.Questions {
		delete(answers, q.ID)
		if a, ok := posted[q.ID]; ok {
			answers[q.ID] = a
		}
	}
	d.Answers, d.Errors = answers, errs
	action := c.PostForm("actie")
	if len(errs) > 0 {
		s.renderConsultation(c, http.StatusUnprocessableEntity, &d)
		return
	}
	submit := action == "versturen"
	who := consultation.Respondent{ParticipantID: cur.Participant.ID, Subject: cur.Participant.Subject, Person: instrument.PersonOf(cur)}
	if !submit && saved.Response != nil && saved.Response.Status == consultation.StatusSubmitted {
		// A submitted response moves between screens without saving;
		// changes count only when submitted again.
		s.nextScreen(c, p, in, &d, action)
		return
	}
	resp, err := s.consultations.Save(ctx, in.ID, who, answers, submit)
	if s.refusedAt(c, err, "form", func(status int, fields map[string]string) {
		d.Errors = fields
		if _, whole := fields["form"]; !whole && submit && d.Screen > 0 {
			// Show everything, so each missing answer can be reached.
			d.Screen, d.Screens, d.Questions = 0, 0, cons.Questions
		}
		s.renderConsultation(c, status, &d)
	}) {
		return
	}
	base := "/projecten/" + url.PathEscape(p.Slug) + "/" + url.PathEscape(in.Slug)
	if submit {
		// The receipt itself says thank you: no flash on top of it.
		c.Redirect(http.StatusSeeOther, base+"/ontvangstbewijs")
		return
	}
	d.Response = resp
	if action == "opslaan" {
		s.setFlash(c, "draft_saved")
	}
	s.nextScreen(c, p, in, &d, action)
}

func (s *Server) nextScreen(c *gin.Context, p *project.Project, in *instrument.Instrument, d *consultationPageData, action string) {
	target := "/projecten/" + url.PathEscape(p.Slug) + "/" + url.PathEscape(in.Slug)
	n := d.Screen
	switch action {
	case "volgende":
		n++
	case "vorige":
		n--
	}
	if d.Screen > 0 && n >= 1 && n <= d.Screens {
		target += "?vraag=" + strconv.Itoa(n)
	}
	c.Redirect(http.StatusSeeOther, target)
}

type receiptData struct {
	Project  *project.Project
	In       instrumentView
	C        *consultation.Consultation
	Response *consultation.Response
	Answers  map[int64]consultation.Answer
}

// AnswerText shows an answer as words, whatever its kind.
func (d receiptData) AnswerText(q consultation.Question) []string {
	a, ok := d.Answers[q.ID]
	if !ok || a.Empty() {
		return nil
	}
	if a.Number != nil {
		return []string{strconv.FormatFloat(*a.Number, 'f', -1, 64)}
	}
	if a.Text != "" {
		return []string{a.Text}
	}
	var out []string
	for i, id := range a.Options {
		for _, o := range q.Options {
			if o.ID == id {
				label := o.Label
				if q.Kind == consultation.Ranking {
					label = strconv.Itoa(i+1) + ". " + label
				}
				out = append(out, label)
			}
		}
	}
	return out
}

// consultationReceipt shows what was submitted, with its reference.
func (s *Server) consultationReceipt(c *gin.Context) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return
	}
	if in.Kind != instrument.KindConsultation {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	cons, err := s.consultations.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	cur := residentOf(c)
	saved, err := s.consultations.ResponseOf(c.Request.Context(), in.ID, cur.Participant.ID, cur.Participant.Subject)
	if err != nil {
		s.fail(c, err)
		return
	}
	if saved.Response == nil || saved.Response.Status != consultation.StatusSubmitted {
		c.Redirect(http.StatusSeeOther, "/projecten/"+url.PathEscape(p.Slug)+"/"+url.PathEscape(in.Slug))
		return
	}
	page := s.page(c, "consultation.receipt.title", receiptData{Project: p, In: s.viewInstrument(c, p, *in), C: cons, Response: saved.Response, Answers: saved.Answers})
	page.Nav = "projects"
	s.html(c, http.StatusOK, "consultation_receipt", page)
}
