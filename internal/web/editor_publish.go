package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// editorProjectPreview shows a project as residents will see it once it
// is published, before it is: the resident page itself, with a banner
// that says it is a preview of a draft. Only editors reach it (the route
// is in the editors' group); the public address of a draft stays a 404,
// and the preview asks search engines to skip it.
func (s *Server) editorProjectPreview(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	view := *p
	if view.Status == project.StatusDraft {
		// As it will be: published now, its instruments open by their
		// own times.
		now := s.now()
		view.Status, view.PublishedAt = project.StatusPublished, &now
	}
	d, err := s.projectShowData(c, &view)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title = page.T("editor.preview.label") + " " + p.Title
	page.Nav = "projects"
	note := "editor.preview.project_note"
	if p.Status != project.StatusDraft {
		note = "editor.preview.project_note_public"
	}
	page.Preview = &PreviewBar{Note: note, Back: "/beheer/projecten/" + strconv.FormatInt(p.ID, 10)}
	c.Header("X-Robots-Tag", "noindex, nofollow")
	s.html(c, http.StatusOK, "project", page)
}

// checkItem is one finding of the publish check: a message key with its
// argument (an instrument's title) and where the editor fixes it.
type checkItem struct {
	Key, Arg, Fix string
}

// Text is the finding in the page's language.
func (i checkItem) Text(p *Page) string {
	if i.Arg == "" {
		return p.T(i.Key)
	}
	return p.T(i.Key, i.Arg)
}

// publishCheckData is the publish check page.
type publishCheckData struct {
	Project  *project.Project
	Blocking []checkItem
	Warnings []checkItem
	// Refused is set when "Publiceren" was pressed while something blocks.
	Refused bool
}

// instrumentFacts is what the publish check needs to know of one
// instrument beyond its row.
type instrumentFacts struct {
	instrument.Instrument
	Questions int // consultations: questions that ask something
	Options   int // polls: answers to choose from
}

// publishProblems decides what stops a project from being published and
// what the editor should look at first. Blocking: what residents would
// find broken or what the law requires (an image without a text
// alternative, WCAG 1.1.1; an empty summary, which the project list and
// page show; a visible questionnaire without questions or poll without
// answers). Warnings: what can be on purpose (nothing to take part in for
// a project that only informs; hidden instruments; no timeline; no
// opening or closing time; an instrument that has already closed).
func publishProblems(p *project.Project, ins []instrumentFacts, now time.Time) (blocking, warnings []checkItem) {
	edit := "/beheer/projecten/" + strconv.FormatInt(p.ID, 10)
	if strings.TrimSpace(p.Summary) == "" {
		blocking = append(blocking, checkItem{Key: "publish.block.summary", Fix: edit + "#summary"})
	}
	if p.ImagePath != "" && strings.TrimSpace(p.ImageAlt) == "" {
		blocking = append(blocking, checkItem{Key: "publish.block.image_alt", Fix: edit + "#image_alt"})
	}
	if len(p.Phases) == 0 {
		warnings = append(warnings, checkItem{Key: "publish.warn.no_phases", Fix: edit + "#phases"})
	}
	if strings.TrimSpace(p.Body) == "" {
		warnings = append(warnings, checkItem{Key: "publish.warn.no_body", Fix: edit + "#body"})
	}
	visible := 0
	for _, in := range ins {
		settings := edit + "/instrumenten/" + strconv.FormatInt(in.ID, 10) + "/instellingen"
		if in.Published {
			visible++
		} else {
			warnings = append(warnings, checkItem{Key: "publish.warn.hidden", Arg: in.Title, Fix: edit + "#instruments-heading"})
		}
		switch in.Kind {
		case instrument.KindConsultation:
			if in.Questions == 0 {
				fix := edit + "/vragenlijsten/" + strconv.FormatInt(in.ID, 10)
				if in.Published {
					blocking = append(blocking, checkItem{Key: "publish.block.no_questions", Arg: in.Title, Fix: fix})
				} else {
					warnings = append(warnings, checkItem{Key: "publish.warn.no_questions", Arg: in.Title, Fix: fix})
				}
			}
		case instrument.KindPoll:
			if in.Options < 2 {
				fix := edit + "/peilingen/" + strconv.FormatInt(in.ID, 10)
				if in.Published {
					blocking = append(blocking, checkItem{Key: "publish.block.no_options", Arg: in.Title, Fix: fix})
				} else {
					warnings = append(warnings, checkItem{Key: "publish.warn.no_options", Arg: in.Title, Fix: fix})
				}
			}
		}
		switch {
		case in.ClosesAt != nil && !now.Before(*in.ClosesAt):
			warnings = append(warnings, checkItem{Key: "publish.warn.closed", Arg: in.Title, Fix: settings})
		case in.OpensAt == nil && in.ClosesAt == nil:
			warnings = append(warnings, checkItem{Key: "publish.warn.no_dates", Arg: in.Title, Fix: settings})
		case in.ClosesAt == nil:
			warnings = append(warnings, checkItem{Key: "publish.warn.no_close", Arg: in.Title, Fix: settings})
		}
	}
	switch {
	case len(ins) == 0:
		warnings = append(warnings, checkItem{Key: "publish.warn.no_instruments", Fix: edit + "#instruments-heading"})
	case visible == 0:
		warnings = append(warnings, checkItem{Key: "publish.warn.none_visible", Fix: edit + "#instruments-heading"})
	}
	return blocking, warnings
}

// checkPublish gathers what publishProblems looks at.
func (s *Server) checkPublish(ctx context.Context, p *project.Project) (*publishCheckData, error) {
	ins, err := s.instruments.ListAll(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	facts := make([]instrumentFacts, 0, len(ins))
	for _, in := range ins {
		f := instrumentFacts{Instrument: in}
		switch in.Kind {
		case instrument.KindConsultation:
			cons, err := s.consultations.Get(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			for _, q := range cons.Questions {
				if q.Kind != consultation.Explanation {
					f.Questions++
				}
			}
		case instrument.KindPoll:
			pl, err := s.polls.Get(ctx, in.ID)
			if err != nil {
				return nil, err
			}
			f.Options = len(pl.Options)
		}
		facts = append(facts, f)
	}
	d := &publishCheckData{Project: p}
	d.Blocking, d.Warnings = publishProblems(p, facts, s.now())
	return d, nil
}

func (s *Server) renderPublishCheck(c *gin.Context, status int, d *publishCheckData) {
	page := s.page(c, "", d)
	page.Title = page.T("publish.title", d.Project.Title)
	page.StaffArea, page.Nav = true, "staff-projects"
	s.html(c, status, "editor_publish", page)
}

// publishable loads the project of the address, if publishing is a move
// its status allows; otherwise it answers with the editor's page.
func (s *Server) publishable(c *gin.Context) (*project.Project, bool) {
	p, ok := s.editorProject(c)
	if !ok {
		return nil, false
	}
	if !project.CanMove(p.Status, project.StatusPublished) {
		s.renderStatus(c, http.StatusConflict, "project.error.transition_not_allowed")
		return nil, false
	}
	return p, true
}

// editorPublishCheck is the confirmation step before publishing: what is
// missing or questionable, and the button that publishes.
func (s *Server) editorPublishCheck(c *gin.Context) {
	p, ok := s.publishable(c)
	if !ok {
		return
	}
	d, err := s.checkPublish(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderPublishCheck(c, http.StatusOK, d)
}

// editorPublish publishes after the confirmation, checking again: what
// blocks refuses it (422, the same page with a message); warnings do not.
func (s *Server) editorPublish(c *gin.Context) {
	p, ok := s.publishable(c)
	if !ok {
		return
	}
	d, err := s.checkPublish(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	if len(d.Blocking) > 0 {
		d.Refused = true
		s.renderPublishCheck(c, http.StatusUnprocessableEntity, d)
		return
	}
	if err := s.projects.Move(c.Request.Context(), actorOf(c), p.ID, project.StatusPublished); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "status_changed")
	c.Redirect(http.StatusSeeOther, "/beheer/projecten/"+strconv.FormatInt(p.ID, 10))
}
