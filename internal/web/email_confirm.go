package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// emailConfirm is the link in the confirmation mail. The resident must be
// logged in as the one who gave the address; the service checks that.
func (s *Server) emailConfirm(c *gin.Context) {
	if err := s.notify.Confirm(c.Request.Context(), residentOf(c).Participant.ID, c.Query("token")); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "email_confirmed")
	c.Redirect(http.StatusSeeOther, "/mijn-inspraak/meldingen")
}
