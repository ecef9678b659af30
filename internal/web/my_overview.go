package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// myOverview is "Mijn inspraak": for now the participant's name and how
// they logged in; contributions join as the instruments arrive.
func (s *Server) myOverview(c *gin.Context) {
	p := s.page(c, "my.title", residentOf(c))
	p.Nav = "my"
	s.html(c, http.StatusOK, "my", p)
}
