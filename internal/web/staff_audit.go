package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/audit"
)

type auditData struct {
	audit.Page
	Actions []string
	Filter  audit.Filter
}

// PageURL links to another page of the same filtered log.
func (d auditData) PageURL(n int) string {
	v := make(map[string][]string)
	if d.Filter.Action != "" {
		v["actie"] = []string{d.Filter.Action}
	}
	if d.Filter.ActorKind != "" {
		v["wie"] = []string{d.Filter.ActorKind}
	}
	v["pagina"] = []string{strconv.Itoa(n)}
	return "/beheer/audit?" + url.Values(v).Encode()
}

// staffAudit reads and filters the audit log.
func (s *Server) staffAudit(c *gin.Context) {
	f := audit.Filter{Action: c.Query("actie"), ActorKind: c.Query("wie")}
	if v := c.Query("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		f.Page = n
	}
	switch f.ActorKind {
	case "", audit.ActorAnonymous, audit.ActorResident, audit.ActorStaff, audit.ActorSystem:
	default:
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	page, err := s.audit.List(c.Request.Context(), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	actions, err := s.audit.Actions(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	p := s.page(c, "staff.audit.title", auditData{Page: page, Actions: actions, Filter: f})
	p.StaffArea = true
	p.Nav = "staff-audit"
	s.html(c, http.StatusOK, "staff_audit", p)
}
