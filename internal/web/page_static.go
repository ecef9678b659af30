package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// staticPage serves a page whose text lives entirely in the catalogues:
// the privacy statement and the accessibility statement.
func (s *Server) staticPage(name, titleKey string) gin.HandlerFunc {
	return func(c *gin.Context) {
		p := s.page(c, titleKey, nil)
		p.Nav = name
		s.html(c, http.StatusOK, name, p)
	}
}
