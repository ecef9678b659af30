package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/i18n"
)

const (
	langKey    = "inspraak.lang"
	langCookie = "inspraak_taal"
)

// language picks the interface language: the visitor's choice (a cookie
// set by the language switch), else the municipality's default.
func (s *Server) language() gin.HandlerFunc {
	return func(c *gin.Context) {
		lang := s.cfg.DefaultLanguage
		if v, err := c.Cookie(langCookie); err == nil && i18n.Supported(v) {
			lang = v
		}
		c.Set(langKey, lang)
		c.Next()
	}
}

func langOf(c *gin.Context) string {
	if l := c.GetString(langKey); l != "" {
		return l
	}
	return i18n.Languages[0]
}

// languageSwitch stores the chosen language and returns the visitor to the
// page they were on. It is a plain link so it works without JavaScript.
func (s *Server) languageSwitch(c *gin.Context) {
	lang := c.Param("lang")
	if !i18n.Supported(lang) {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode,
	})
	c.Redirect(http.StatusSeeOther, LocalPath(c.Query("terug")))
}

// LocalPath returns p if it is a path on this site, else "/". It stops
// open redirects: "//evil.example", "/\evil.example" and absolute URLs
// never leave the site.
func LocalPath(p string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	return p
}
