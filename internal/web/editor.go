package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/project"
)

// What every back-office handler does: find the project in the address,
// bind the form within its bounds, show the domain's field messages, pass
// the acting staff member (actorOf) to the service, which checks the
// permission and writes the audit record in the transaction of the change,
// and finish with "saved" (done).

// actorOf is the logged-in staff member as the services see them; the
// zero Actor (may nothing) when there is none.
func actorOf(c *gin.Context) identity.Actor {
	if cur := staffOf(c); cur != nil && cur.Staff != nil {
		return cur.Staff.AsActor()
	}
	return identity.Actor{}
}

func (s *Server) projectID(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return 0, false
	}
	return id, true
}

// editorProject loads the project named in the address (any status).
func (s *Server) editorProject(c *gin.Context) (*project.Project, bool) {
	id, ok := s.projectID(c)
	if !ok {
		return nil, false
	}
	p, err := s.projects.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return p, true
}

// bindForm binds a posted form; one that breaks the form's bounds (far
// too long, too many rows) gets the 400 page and changes nothing.
func (s *Server) bindForm(c *gin.Context, f any) bool {
	if err := c.ShouldBind(f); err != nil {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return false
	}
	return true
}

// fieldErrors returns the per-field messages of a domain error, if any.
func fieldErrors(err error) (map[string]string, bool) {
	if e, ok := apperror.As(err); ok && len(e.Fields) > 0 {
		return e.Fields, true
	}
	return nil, false
}

// done finishes an editor action the service has made and recorded: say
// "saved", go to target.
func (s *Server) done(c *gin.Context, to string) {
	s.setFlash(c, "saved")
	c.Redirect(http.StatusSeeOther, to)
}
