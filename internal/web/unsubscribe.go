package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/notify"
)

type unsubscribeData struct {
	Token string
	// Kind is what the link stops; "" means all mail.
	Kind notify.Kind
	Done bool
	All  bool
}

// unsubscribePage is the link in the body of every notification mail: it
// shows what the link stops and a button. A GET never unsubscribes, since
// mail scanners open links.
func (s *Server) unsubscribePage(c *gin.Context) {
	tok := c.Query("token")
	k, err := s.notify.UnsubscribeScope(tok)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "unsubscribe", s.page(c, "unsubscribe.title", unsubscribeData{Token: tok, Kind: k}))
}

// unsubscribe is the button on that page and the RFC 8058 one-click POST
// a mail client sends to the List-Unsubscribe address ("List-Unsubscribe=
// One-Click", token in the query). It needs no login and no cookie, and
// the cross-origin check lets it through (see New): the signed token is
// what proves the right to it.
func (s *Server) unsubscribe(c *gin.Context) {
	tok := c.Query("token")
	if tok == "" {
		tok = c.PostForm("token")
	}
	k, err := s.notify.Unsubscribe(c.Request.Context(), tok, c.PostForm("alles") == "ja")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "unsubscribe", s.page(c, "unsubscribe.done_title", unsubscribeData{Kind: k, Done: true, All: k == ""}))
}
