package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/ratelimit"
	"inspraak/internal/results"
)

type staffLoginData struct {
	Available bool
	Return    string
	Reason    string
}

// staffLogin is the staff login page at /beheer/inloggen.
func (s *Server) staffLogin(c *gin.Context) {
	if staffOf(c) != nil {
		c.Redirect(http.StatusSeeOther, "/beheer")
		return
	}
	d := staffLoginData{Return: LocalPath(c.Query("terug")), Reason: s.loginReason(c)}
	if d.Return == "/" {
		d.Return = "/beheer"
	}
	d.Available = s.identity != nil && s.identity.Available(c.Request.Context(), identity.Staff)
	status := http.StatusOK
	if d.Reason != "" {
		status = http.StatusUnauthorized
	}
	p := s.page(c, "staff.login.title", d)
	p.StaffArea = true
	s.html(c, status, "staff_login", p)
}

func (s *Server) staffLoginStart(c *gin.Context) {
	if s.identity == nil || !s.identity.Configured(identity.Staff) {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if s.limited(c, ratelimit.Login) {
		return
	}
	c.Header("X-Robots-Tag", "noindex, nofollow")
	back := LocalPath(startParam(c, "terug"))
	if !strings.HasPrefix(back, "/beheer") {
		back = "/beheer"
	}
	s.beginLogin(c, identity.Staff, back, "")
}

func (s *Server) staffLoginCallback(c *gin.Context) {
	if s.identity == nil || !s.identity.Configured(identity.Staff) {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	s.finishLogin(c, identity.Staff, "/beheer/inloggen")
}

func (s *Server) staffLogout(c *gin.Context) {
	tok, _ := c.Cookie(s.staffCookie())
	s.setCookie(c, s.staffCookie(), "", -1)
	target, err := s.identity.Logout(c.Request.Context(), identity.KindStaff, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.continueLogout(c, target, "/beheer/uitgelogd", true)
}

func (s *Server) staffLoggedOut(c *gin.Context) {
	p := s.page(c, "logout.done.title", nil)
	p.StaffArea = true
	s.html(c, http.StatusOK, "logged_out", p)
}

// staffBackChannel receives the provider's logout token (no browser).
func (s *Server) staffBackChannel(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	if s.identity == nil {
		c.Status(http.StatusNotFound)
		return
	}
	if _, err := s.identity.BackChannelLogout(c.Request.Context(), c.PostForm("logout_token")); err != nil {
		s.log.InfoContext(c.Request.Context(), "back-channel logout refused", "error", err.Error())
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request"})
		return
	}
	c.Status(http.StatusOK)
}

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

// staffMembers lists everyone who logged in as staff, with their roles.
type staffMembersData struct {
	Members []identity.StaffMember
	// Tokens are the API keys that still work, for administrators, who
	// may revoke any of them.
	Tokens []results.OwnedToken
}

func (s *Server) staffMembers(c *gin.Context) {
	list, err := s.identity.StaffList(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	d := staffMembersData{Members: list}
	if staffOf(c).Can(identity.PermSettings) {
		if d.Tokens, err = s.results.LiveTokens(c.Request.Context()); err != nil {
			s.fail(c, err)
			return
		}
	}
	p := s.page(c, "staff.members.title", d)
	p.StaffArea = true
	p.Nav = "staff-members"
	s.html(c, http.StatusOK, "staff_members", p)
}

// staffTokenRevoke lets an administrator end someone's API key, for
// instance of a person who left.
func (s *Server) staffTokenRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.results.RevokeAnyToken(c.Request.Context(), id); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "api.token.revoke", "token:"+strconv.FormatInt(id, 10), nil, "/beheer/medewerkers")
}

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
