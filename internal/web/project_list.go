package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/project"
)

type projectListData struct {
	project.ListResult
	Filter string
}

// projectList lists public projects, open ones first, with a status filter
// and pages. Unknown filter or page values get the 404 page, not a guess.
func (s *Server) projectList(c *gin.Context) {
	page := 1
	if v := c.Query("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		page = n
	}
	filter := c.Query("status")
	var status project.Status
	switch filter {
	case "":
	case "lopend":
		status = project.StatusPublished
	case "afgerond":
		status = project.StatusClosed
	default:
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	res, err := s.projects.ListPublic(c.Request.Context(), status, page)
	if err != nil {
		s.fail(c, err)
		return
	}
	p := s.page(c, "projects.title", projectListData{ListResult: res, Filter: filter})
	p.Nav = "projects"
	s.html(c, http.StatusOK, "projects", p)
}

// PageURL links to page n of the list with the same filter.
func (d projectListData) PageURL(n int) string {
	v := url.Values{}
	if d.Filter != "" {
		v.Set("status", d.Filter)
	}
	if n > 1 {
		v.Set("pagina", strconv.Itoa(n))
	}
	if len(v) == 0 {
		return "/projecten"
	}
	return "/projecten?" + v.Encode()
}
