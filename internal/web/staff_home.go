package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
)

type staffHomeData struct {
	Links []staffLink
}

type staffLink struct {
	URL, Label, Text string
}

// staffHome is the start page of /beheer: what this person may do.
func (s *Server) staffHome(c *gin.Context) {
	cur := staffOf(c)
	p := s.page(c, "staff.home.title", nil)
	d := staffHomeData{}
	if cur.Can(identity.PermEdit) {
		d.Links = append(d.Links, staffLink{"/beheer/projecten", p.T("editor.projects.title"), p.T("editor.projects.lead")})
	}
	if cur.Can(identity.PermModerate) {
		d.Links = append(d.Links, staffLink{"/beheer/moderatie", p.T("nav.staff.moderation"), p.T("staff.home.moderation_lead")})
	}
	if cur.Can(identity.PermAnalyse) {
		d.Links = append(d.Links, staffLink{"/beheer/resultaten", p.T("nav.staff.results"), p.T("staff.home.results_lead")})
	}
	if cur.Can(identity.PermBudgetStand) {
		d.Links = append(d.Links, staffLink{"/beheer/stembureau", p.T("budget.stand.list_title"), p.T("budget.stand.list_lead")})
	}
	if cur.Can(identity.PermStaffList) {
		d.Links = append(d.Links, staffLink{"/beheer/medewerkers", p.T("staff.members.title"), p.T("staff.members.lead")})
	}
	if cur.Can(identity.PermAuditRead) {
		d.Links = append(d.Links, staffLink{"/beheer/audit", p.T("staff.audit.title"), p.T("staff.audit.lead")})
	}
	p.Data = d
	p.StaffArea = true
	p.Nav = "staff-home"
	s.html(c, http.StatusOK, "staff_home", p)
}
