package web

import (
	"github.com/gin-gonic/gin"

	"inspraak/internal/project"
)

// homeLimit is how many open projects the home page shows.
const homeLimit = 24

type homeData struct {
	Open []project.Summary
	More bool
}

// home shows the open projects, or a friendly word when there are none.
func (s *Server) home(c *gin.Context) {
	open, err := s.projects.ListOpen(c.Request.Context(), homeLimit+1)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := homeData{Open: open}
	if len(open) > homeLimit {
		d.Open, d.More = open[:homeLimit], true
	}
	p := s.page(c, "home.title", d)
	p.Nav = "home"
	s.html(c, 200, "home", p)
}
