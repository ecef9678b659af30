package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/project"
)

type phaseView struct {
	project.Phase
	State project.PhaseState
}

type projectShowData struct {
	Project     *project.Project
	Phases      []phaseView
	Current     *phaseView
	Instruments []instrumentView
	// Follow is set for a logged-in resident: the follow button's state.
	Follow *followView
}

type followView struct {
	Slug      string
	Following bool
}

// projectShow shows one published, closed or archived project.
func (s *Server) projectShow(c *gin.Context) {
	p, err := s.projects.GetPublic(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	d, err := s.projectShowData(c, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title = p.Title
	page.Nav = "projects"
	s.html(c, http.StatusOK, "project", page)
}

// projectShowData is what the project page shows: its phases in time, the
// instruments residents see and, for a logged-in resident, following.
func (s *Server) projectShowData(c *gin.Context, p *project.Project) (projectShowData, error) {
	now := s.now()
	d := projectShowData{Project: p}
	for i, ph := range p.Phases {
		var next *project.Phase
		if i+1 < len(p.Phases) {
			next = &p.Phases[i+1]
		}
		d.Phases = append(d.Phases, phaseView{Phase: ph, State: ph.State(now, next)})
	}
	for i := range d.Phases {
		if d.Phases[i].State == project.PhaseCurrent {
			d.Current = &d.Phases[i]
		}
	}
	ins, err := s.instruments.ListPublished(c.Request.Context(), p.ID)
	if err != nil {
		return d, err
	}
	views := make([]*instrumentView, len(ins))
	for _, in := range ins {
		d.Instruments = append(d.Instruments, s.viewInstrument(c, p, in))
	}
	for i := range d.Instruments {
		views[i] = &d.Instruments[i]
	}
	if err := s.withOutcomes(c.Request.Context(), views...); err != nil {
		return d, err
	}
	if cur := residentOf(c); cur != nil && s.notify != nil {
		following, err := s.notify.Follows(c.Request.Context(), cur.Participant.ID, p.ID)
		if err != nil {
			return d, err
		}
		d.Follow = &followView{Slug: p.Slug, Following: following}
	}
	return d, nil
}
