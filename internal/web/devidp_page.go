package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/devidp"
)

type ginContextKey struct{}

// MountDevIDP serves the built-in OpenID Provider under /dev/idp. Its login
// page is rendered with the site's layout and catalogues.
func (s *Server) MountDevIDP(p *devidp.Provider) {
	h := http.StripPrefix("/dev/idp", p.Handler())
	s.engine.Any("/dev/idp/*path", func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ginContextKey{}, c))
		h.ServeHTTP(c.Writer, c.Request)
	})
}

// DevIDPHandler serves the built-in OpenID Provider on an origin of its
// own (INSPRAAK_DEV_IDP_ADDR), as a real broker is: its pages under
// /dev/idp with the site's look (stylesheets and language switch served
// here too), anything else sent on to the site. Its pages' forms may lead
// only back to the site: the redirect with the code or the cancellation.
func (s *Server) DevIDPHandler(p *devidp.Provider) http.Handler {
	e := gin.New()
	e.RedirectTrailingSlash = true
	e.ContextWithFallback = true
	site := s.cfg.BaseURL.Scheme + "://" + s.cfg.BaseURL.Host
	e.Use(requestID(nil), accessLog(s.log), securityHeaders(s.cfg.IsProduction(), func() []string { return []string{site} }),
		cacheControl(), s.recovery(), s.language())
	e.GET("/static/*path", s.assets.serve)
	e.HEAD("/static/*path", s.assets.serve)
	e.GET("/taal/:lang", s.languageSwitch)
	h := http.StripPrefix("/dev/idp", p.Handler())
	e.Any("/dev/idp/*path", func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ginContextKey{}, c))
		h.ServeHTTP(c.Writer, c.Request)
	})
	e.NoRoute(func(c *gin.Context) { c.Redirect(http.StatusSeeOther, site+c.Request.URL.RequestURI()) })
	return e
}

type devLoginData struct {
	devidp.LoginPage
	Hidden [][2]string
}

// RenderDevLogin draws the built-in provider's login page.
func (s *Server) RenderDevLogin(w http.ResponseWriter, r *http.Request, status int, lp devidp.LoginPage) {
	c, _ := r.Context().Value(ginContextKey{}).(*gin.Context)
	if c == nil {
		http.Error(w, "devidp: no context", http.StatusInternalServerError)
		return
	}
	d := devLoginData{LoginPage: lp}
	for _, k := range []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method", "acr_values"} {
		if v := lp.Params.Get(k); v != "" {
			d.Hidden = append(d.Hidden, [2]string{k, v})
		}
	}
	p := s.page(c, "devidp.title", d)
	p.HideAccount = true
	p.Title = p.T("devidp.title") + " – " + p.T("devidp.means."+strings.ToLower(lp.Client.Means))
	s.html(c, status, "devidp_login", p)
}
