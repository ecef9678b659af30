package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

// Residents report ideas and comments, and ask for a second look at a
// rejection of their own.

type reportData struct {
	Project *project.Project
	B       *boardView
	Idea    *idea.Idea
	Comment *idea.Comment // nil when the idea itself is reported
	Reasons []string
	Reason  string
	Note    string
	Errors  map[string]string
}

// URL is where the form posts.
func (d reportData) URL() string {
	u := ideaURL(d.B, d.Idea)
	if d.Comment != nil {
		u += "/reacties/" + strconv.FormatInt(d.Comment.ID, 10)
	}
	return u + "/melden"
}

// BackURL is the reported contribution on its page.
func (d reportData) BackURL() string {
	u := ideaURL(d.B, d.Idea)
	if d.Comment != nil {
		u += "#reactie-" + strconv.FormatInt(d.Comment.ID, 10)
	}
	return u
}

// loadReported finds the public idea or comment named in the address.
func (s *Server) loadReported(c *gin.Context) (*reportData, bool) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return nil, false
	}
	d := &reportData{Project: p, B: b, Idea: i, Reasons: moderation.ReportReasons, Errors: map[string]string{}}
	if c.Param("comment") == "" {
		if !i.Public() {
			s.renderStatus(c, http.StatusNotFound, "")
			return nil, false
		}
		return d, true
	}
	id, err := strconv.ParseInt(c.Param("comment"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	cm, err := s.ideas.ThreadComment(c.Request.Context(), i.ID, id, 0)
	if err != nil && apperror.CodeOf(err) != apperror.NotFound {
		s.fail(c, err)
		return nil, false
	}
	if err == nil && cm.Moderation == idea.Approved && !cm.Deleted() {
		d.Comment = cm
		return d, true
	}
	s.renderStatus(c, http.StatusNotFound, "")
	return nil, false
}

func (s *Server) renderReport(c *gin.Context, status int, d *reportData) {
	page := s.page(c, "moderation.report.title", d)
	page.Nav = "projects"
	s.html(c, status, "report", page)
}

func (s *Server) reportForm(c *gin.Context) {
	d, ok := s.loadReported(c)
	if !ok {
		return
	}
	s.renderReport(c, http.StatusOK, d)
}

func (s *Server) reportSubmit(c *gin.Context) {
	if s.limited(c, ratelimit.Report, retryReportFields...) {
		return
	}
	d, ok := s.loadReported(c)
	if !ok {
		return
	}
	d.Reason, d.Note = c.PostForm("reden"), c.PostForm("toelichting")
	if len(d.Note) > 4*moderation.MaxNote+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	kind, id := moderation.KindIdea, d.Idea.ID
	if d.Comment != nil {
		kind, id = moderation.KindComment, d.Comment.ID
	}
	a := ideaActor(c)
	err := s.moderation.Report(c.Request.Context(), moderation.Participant{ID: a.ParticipantID, Subject: a.Subject}, kind, id, d.Reason, d.Note)
	if s.refusedAt(c, err, "reden", func(status int, fields map[string]string) {
		d.Errors = fields
		s.renderReport(c, status, d)
	}) {
		return
	}
	s.setFlash(c, "reported")
	c.Redirect(http.StatusSeeOther, d.BackURL())
}

// secondLook sends the author's rejected idea or comment back to the queue
// for another moderator.
func (s *Server) secondLook(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	kind, id := moderation.KindIdea, i.ID
	if v := c.Param("comment"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		kind, id = moderation.KindComment, n
	}
	note := c.PostForm("toelichting")
	if len(note) > 4*moderation.MaxNote+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	a := ideaActor(c)
	err := s.moderation.SecondLook(c.Request.Context(), moderation.Participant{ID: a.ParticipantID, Subject: a.Subject}, kind, id, note)
	if err != nil {
		s.ideaRefused(c, p, b, i, err, "", 0)
		return
	}
	s.setFlash(c, "second_look")
	u := ideaURL(b, i)
	if kind == moderation.KindComment {
		u += "#reactie-" + strconv.FormatInt(id, 10)
	}
	c.Redirect(http.StatusSeeOther, u)
}

// VerdictViewData is what the moderation-verdict partial receives.
type VerdictViewData struct {
	P       *Page
	V       *moderation.Verdict
	URL     string // the contribution's address; the second-look form posts below it
	Refused bool   // the contribution is rejected or hidden now
	Kind    string
	ID      string
}

// VerdictView pairs a decision with the page, for the partial.
func (p *Page) VerdictView(v *moderation.Verdict, url string, refused bool, kind string) VerdictViewData {
	return VerdictViewData{P: p, V: v, URL: url, Refused: refused, Kind: kind, ID: url[strings.LastIndexByte(url, '/')+1:]}
}
