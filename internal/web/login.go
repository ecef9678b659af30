package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/ratelimit"
)

type loginOption struct {
	Means     string
	Available bool
}

type loginData struct {
	Options  []loginOption
	Return   string
	Reason   string // message key of why the visitor is here again
	Notice   string
	LoggedIn bool
}

// loginChoose shows the login choices that are configured, with plain
// words on what happens and why.
func (s *Server) loginChoose(c *gin.Context) {
	d := loginData{Return: LocalPath(c.Query("terug")), LoggedIn: residentOf(c) != nil, Reason: s.loginReason(c)}
	for _, m := range s.residentMeans() {
		d.Options = append(d.Options, loginOption{Means: string(m), Available: s.identity.Available(c.Request.Context(), m)})
	}
	status := http.StatusOK
	if d.Reason != "" {
		status = http.StatusUnauthorized
	}
	p := s.page(c, "login.title", d)
	p.Nav = "login"
	s.html(c, status, "login", p)
}

// loginReason turns ?reden= into its message key, if it names a known
// failure; anything else is ignored rather than shown.
func (s *Server) loginReason(c *gin.Context) string {
	if r := c.Query("reden"); r != "" && s.cat.Has(langOf(c), "login.failed."+r) {
		return "login.failed." + r
	}
	return ""
}

// loginStart sends the visitor to DigiD or eHerkenning. The login
// buttons are links (GET): a provider may send the browser through any
// number of origins (a broker, then DigiD itself), and Chromium holds
// every redirect after a posted form to the page's form-action, which
// names only this site. Starting a login changes nothing but a pending
// login, bound to this browser and rate limited per address, so a GET is
// safe; crawlers are asked not to follow it. POST still works for pages
// from before.
func (s *Server) loginStart(c *gin.Context) {
	c.Header("X-Robots-Tag", "noindex, nofollow")
	m := identity.Means(c.Param("means"))
	if !m.Resident() || s.identity == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if s.limited(c, ratelimit.Login) {
		return
	}
	s.beginLogin(c, m, LocalPath(startParam(c, "terug")), startParam(c, "niveau"))
}

// startParam reads a login start's field: from the query of the link, or
// from the form of an older page's button.
func startParam(c *gin.Context, key string) string {
	if c.Request.Method == http.MethodPost {
		return c.PostForm(key)
	}
	return c.Query(key)
}

func (s *Server) beginLogin(c *gin.Context, m identity.Means, back, minLoA string) {
	target, state, err := s.identity.BeginLogin(c.Request.Context(), m, back, minLoA)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setCookie(c, loginCookieName(state), s.identity.LoginBinding(state), int(identity.PendingLoginTTL.Seconds()))
	c.Redirect(http.StatusSeeOther, target)
}

// loginCallback finishes a resident login.
func (s *Server) loginCallback(c *gin.Context) {
	m := identity.Means(c.Param("means"))
	if !m.Resident() || s.identity == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	s.finishLogin(c, m, "/inloggen")
}

func (s *Server) finishLogin(c *gin.Context, m identity.Means, loginPage string) {
	q := c.Request.URL.Query()
	// The cookie binding the login to this browser: CompleteLogin checks
	// its value (not just that it is there) before it touches the
	// pending login, on a code and on a cancellation alike.
	var binding string
	if state := q.Get("state"); state != "" {
		binding, _ = c.Cookie(loginCookieName(state))
		s.setCookie(c, loginCookieName(state), "", -1)
	}
	done, err := s.identity.CompleteLogin(c.Request.Context(), m, q, binding)
	if err != nil {
		if reason := identity.ReasonOf(err); reason != "" {
			s.loginFailed(c, loginPage, reason)
			return
		}
		s.fail(c, err)
		return
	}
	if done.Kind == identity.KindStaff {
		s.setCookie(c, s.staffCookie(), done.Token, 0)
	} else {
		s.setCookie(c, s.residentCookie(), done.Token, 0)
	}
	next := LocalPath(done.ReturnPath)
	if done.Unverified {
		s.setFlash(c, "verification_failed")
	}
	if done.NeedsName {
		next = "/inloggen/naam?terug=" + url.QueryEscape(next)
	}
	c.Redirect(http.StatusSeeOther, next)
}

// loginFailed sends the visitor back to the login page, which explains
// what happened in plain words (cancelled is not an error).
func (s *Server) loginFailed(c *gin.Context, loginPage, reason string) {
	c.Redirect(http.StatusSeeOther, loginPage+"?reden="+url.QueryEscape(reason))
}

type nameData struct {
	Name   string
	Return string
	Error  string
	First  bool
}

// Errors puts the message under the name field, for the error summary.
func (d nameData) Errors() map[string]string {
	if d.Error == "" {
		return nil
	}
	return map[string]string{"naam": d.Error}
}

// loginName asks a participant once for the name shown with their
// contributions.
func (s *Server) loginName(c *gin.Context) {
	cur := residentOf(c)
	d := nameData{Name: cur.Participant.DisplayName, Return: LocalPath(c.Query("terug")), First: cur.Participant.DisplayName == ""}
	p := s.page(c, "name.title", d)
	s.html(c, http.StatusOK, "login_name", p)
}

func (s *Server) loginNameSave(c *gin.Context) {
	cur := residentOf(c)
	name := c.PostForm("naam")
	back := LocalPath(c.PostForm("terug"))
	err := s.identity.SetDisplayName(c.Request.Context(), cur.Participant.ID, name)
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		d := nameData{Name: name, Return: back, Error: e.Fields["name"], First: cur.Participant.DisplayName == ""}
		p := s.page(c, "name.title", d)
		s.html(c, http.StatusUnprocessableEntity, "login_name", p)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "name_saved")
	c.Redirect(http.StatusSeeOther, back)
}

// logoutPage confirms logging out (a GET never logs out by itself).
func (s *Server) logoutPage(c *gin.Context) {
	if residentOf(c) == nil {
		c.Redirect(http.StatusSeeOther, "/uitgelogd")
		return
	}
	s.html(c, http.StatusOK, "logout", s.page(c, "logout.title", nil))
}

// logout ends the local session first, then sends the browser to the
// provider to end its session too.
func (s *Server) logout(c *gin.Context) {
	tok, _ := c.Cookie(s.residentCookie())
	s.setCookie(c, s.residentCookie(), "", -1)
	target, err := s.identity.Logout(c.Request.Context(), identity.KindResident, tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.continueLogout(c, target, "/uitgelogd", false)
}

// continueLogout sends the browser on to the provider's end-session
// address after the local session has ended. Not by a redirect: the
// logout button is a form (a POST, for CSRF), and Chromium holds every
// redirect after a form to form-action, which names only this site,
// while a provider may pass the browser through origins of its own. So a
// page answers, says the visitor is logged out here, and continues with a
// meta refresh (a navigation of its own, no script) and a visible link.
// Without an end-session address the visitor goes to done.
func (s *Server) continueLogout(c *gin.Context, target, done string, staffArea bool) {
	u, err := url.Parse(target)
	if target == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.Redirect(http.StatusSeeOther, done)
		return
	}
	p := s.page(c, "logout.done.title", nil)
	// Logged out already: no account, no session notice, no script.
	p.Resident, p.Staff = nil, nil
	p.StaffArea = staffArea
	p.Refresh = u.String()
	s.html(c, http.StatusOK, "logout_continue", p)
}

func (s *Server) loggedOut(c *gin.Context) {
	s.html(c, http.StatusOK, "logged_out", s.page(c, "logout.done.title", nil))
}

// sessionExtend is the "Blijf ingelogd" button: it marks activity.
func (s *Server) sessionExtend(c *gin.Context) {
	s.extend(c, identity.KindResident, s.residentCookie(), "/inloggen")
}

func (s *Server) staffSessionExtend(c *gin.Context) {
	s.extend(c, identity.KindStaff, s.staffCookie(), "/beheer/inloggen")
}

func (s *Server) extend(c *gin.Context, kind, cookie, loginPage string) {
	tok, _ := c.Cookie(cookie)
	cur, err := s.identity.Extend(c.Request.Context(), kind, tok)
	if err != nil {
		if c.GetHeader("Accept") == "application/json" {
			c.JSON(http.StatusUnauthorized, gin.H{"error": "session_ended"})
			return
		}
		c.Redirect(http.StatusSeeOther, loginPage+"?reden=session_ended")
		return
	}
	if c.GetHeader("Accept") == "application/json" {
		c.JSON(http.StatusOK, gin.H{"idle_deadline": cur.IdleDeadline.UTC().Format(time.RFC3339)})
		return
	}
	c.Redirect(http.StatusSeeOther, LocalPath(c.PostForm("terug")))
}
