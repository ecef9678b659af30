package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
)

const (
	residentKey = "inspraak.resident"
	staffKey    = "inspraak.staff"
)

// cookieName returns a session cookie name. Over https it carries the
// __Host- prefix, which browsers only accept with Secure, Path=/ and no
// Domain, so no sibling site can plant or read it.
func (s *Server) cookieName(base string) string {
	if s.cfg.BaseURL.Scheme == "https" {
		return "__Host-" + base
	}
	return base
}

func (s *Server) residentCookie() string { return s.cookieName("inspraak_sessie") }
func (s *Server) staffCookie() string    { return s.cookieName("inspraak_beheer") }

func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode,
	})
}

// loginCookieName names the cookie that binds a pending login to the
// browser that started it, so a callback link made or learnt by someone
// else (login CSRF, a leaked link) is refused. Its value is
// identity.LoginBinding(state), which only this site can make; the name
// is no secret. One cookie per state lets several logins run in parallel
// tabs.
func loginCookieName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return "inspraak_login_" + hex.EncodeToString(sum[:6])
}

// withSessions loads the resident session (everywhere) and the staff
// session (under /beheer only): the two never mix.
func (s *Server) withSessions() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.identity == nil {
			c.Next()
			return
		}
		if tok, err := c.Cookie(s.residentCookie()); err == nil && tok != "" {
			cur, err := s.identity.Load(c.Request.Context(), identity.KindResident, tok)
			switch {
			case err == nil:
				c.Set(residentKey, cur)
			case errors.Is(err, identity.ErrNoSession):
				s.setCookie(c, s.residentCookie(), "", -1)
			default:
				s.fail(c, err)
				c.Abort()
				return
			}
		}
		if strings.HasPrefix(c.Request.URL.Path, "/beheer") {
			if tok, err := c.Cookie(s.staffCookie()); err == nil && tok != "" {
				cur, err := s.identity.Load(c.Request.Context(), identity.KindStaff, tok)
				switch {
				case err == nil:
					c.Set(staffKey, cur)
				case errors.Is(err, identity.ErrNoSession):
					s.setCookie(c, s.staffCookie(), "", -1)
				default:
					s.fail(c, err)
					c.Abort()
					return
				}
			}
			// A budget kiosk (budget_stand.go): a resident is voting on
			// this device, so no staff page is shown, whatever guards it;
			// logging out stays possible.
			if staffOf(c) != nil && !strings.HasPrefix(c.Request.URL.Path, "/beheer/uitloggen") && s.kioskActive(c) {
				s.renderKioskBusy(c)
				c.Abort()
				return
			}
		}
		c.Next()
	}
}

func residentOf(c *gin.Context) *identity.Current {
	v, _ := c.Get(residentKey)
	cur, _ := v.(*identity.Current)
	return cur
}

func staffOf(c *gin.Context) *identity.Current {
	v, _ := c.Get(staffKey)
	cur, _ := v.(*identity.Current)
	return cur
}

// requireResident sends a visitor who is not logged in to the login page,
// with the way back.
func (s *Server) requireResident() gin.HandlerFunc {
	return func(c *gin.Context) {
		if residentOf(c) == nil {
			c.Redirect(http.StatusSeeOther, "/inloggen?terug="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		c.Next()
	}
}

// requireStaff lets through only staff holding p. Not logged in as staff
// (residents included): to the staff login. Logged in without the role: a
// page that says so. The same identity.Can decides in the services.
func (s *Server) requireStaff(p identity.Permission) gin.HandlerFunc {
	return func(c *gin.Context) {
		cur := staffOf(c)
		if cur == nil {
			c.Redirect(http.StatusSeeOther, "/beheer/inloggen?terug="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if !cur.Can(p) {
			s.renderStatus(c, http.StatusForbidden, "error.403.no_role")
			c.Abort()
			return
		}
		c.Next()
	}
}
