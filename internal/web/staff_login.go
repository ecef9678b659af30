package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
	"inspraak/internal/ratelimit"
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
