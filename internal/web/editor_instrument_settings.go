package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// settingsForm is what every instrument's settings form posts: title,
// description and the participation rules. The address is not in it.
type settingsForm struct {
	Title       string `form:"titel" binding:"max=1000"`
	Description string `form:"uitleg" binding:"max=5000"`
	rulesForm
}

type settingsData struct {
	Project   *project.Project
	In        *instrument.Instrument
	Form      settingsForm
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
	// Published is when a consultation's results went public (nil: not).
	Published *time.Time
	// Open: people can still respond (or will), so the public figures are
	// those of the moment of publishing.
	Open bool
}

// IsConsultation says whether the instrument has results to publish.
func (d *settingsData) IsConsultation() bool { return d.In.Kind == instrument.KindConsultation }

// KindURL is the instrument's own edit page in the back office, or the
// project's page for kinds that have none yet.
func (d *settingsData) KindURL() string {
	base := "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10)
	switch d.In.Kind {
	case instrument.KindPoll:
		return base + "/peilingen/" + strconv.FormatInt(d.In.ID, 10)
	case instrument.KindConsultation:
		return base + "/vragenlijsten/" + strconv.FormatInt(d.In.ID, 10)
	case instrument.KindIdeaBoard:
		return base + "/ideeenborden/" + strconv.FormatInt(d.In.ID, 10)
	case instrument.KindBudget:
		return base + "/begrotingen/" + strconv.FormatInt(d.In.ID, 10)
	}
	return base
}

// BackTitle names where KindURL leads.
func (d *settingsData) BackTitle() string { return d.In.Title }

// editorInstrument loads the project and an instrument of it (any kind)
// named in the address.
func (s *Server) editorInstrument(c *gin.Context) (*project.Project, *instrument.Instrument, bool) {
	p, ok := s.editorProject(c)
	if !ok {
		return nil, nil, false
	}
	iid, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil || iid < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	in, err := s.instruments.Get(c.Request.Context(), p.ID, iid)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return p, in, true
}

func (s *Server) renderSettings(c *gin.Context, status int, d *settingsData) {
	d.DigiDLoAs, d.EHLoAs = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning)
	if d.IsConsultation() {
		var err error
		if d.Published, err = s.results.Published(c.Request.Context(), d.In.ID); err != nil {
			s.fail(c, err)
			return
		}
		d.Open = d.In.Open(d.Project.Status, s.now())
	}
	p := s.page(c, "editor.settings.title", d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "editor_settings", p)
}

// editorInstrumentSettings shows an instrument's title, description and
// rules for editing.
func (s *Server) editorInstrumentSettings(c *gin.Context) {
	p, in, ok := s.editorInstrument(c)
	if !ok {
		return
	}
	s.renderSettings(c, http.StatusOK, &settingsData{Project: p, In: in, Errors: map[string]string{},
		Form: settingsForm{Title: in.Title, Description: in.Description, rulesForm: rulesFormOf(in)}})
}

// editorInstrumentSettingsSave stores them; the audit entry lists each
// changed setting with its old and new value.
func (s *Server) editorInstrumentSettingsSave(c *gin.Context) {
	p, in, ok := s.editorInstrument(c)
	if !ok {
		return
	}
	var f settingsForm
	if !s.bindForm(c, &f) {
		return
	}
	d := &settingsData{Project: p, In: in, Form: f, Errors: map[string]string{}}
	st := instrument.Settings{Title: f.Title, Description: f.Description, Rules: f.rules(d.Errors)}
	if len(d.Errors) > 0 {
		// Say everything at once: what could not be read, and what the
		// domain would refuse of the rest.
		for k, v := range onRuleFields(st.Problems()) {
			if _, ok := d.Errors[k]; !ok {
				d.Errors[k] = v
			}
		}
		s.renderSettings(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err := s.instruments.UpdateSettings(c.Request.Context(), actorOf(c), p.ID, in.ID, st)
	if s.refused(c, err, func(status int, fields map[string]string) {
		d.Errors = onRuleFields(fields)
		s.renderSettings(c, status, d)
	}) {
		return
	}
	s.done(c, d.KindURL())
}

// editorResultsPublish makes a consultation's results public (or takes
// them off the site); the first publication tells the project's followers.
func (s *Server) editorResultsPublish(c *gin.Context) {
	p, in, ok := s.editorInstrument(c)
	if !ok {
		return
	}
	if in.Kind != instrument.KindConsultation {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("openbaar") != "ja" {
		if err := s.results.Unpublish(ctx, actorOf(c), in.ID); err != nil {
			s.fail(c, err)
			return
		}
		s.done(c, settingsURL(p, in))
		return
	}
	cons, err := s.consultations.Get(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Followers hear of it from results, in the publishing transaction.
	err = s.results.Publish(ctx, actorOf(c), cons, s.clock())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, settingsURL(p, in))
}

func settingsURL(p *project.Project, in *instrument.Instrument) string {
	return "/beheer/projecten/" + strconv.FormatInt(p.ID, 10) + "/instrumenten/" + strconv.FormatInt(in.ID, 10) + "/instellingen"
}
