package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// devOutboxLimit is how many mails the development outbox shows.
const devOutboxLimit = 50

// devOutbox shows the newest outbox mails with their text, so a developer
// can follow a confirmation link without a mail server. It is registered
// in development only: it shows addresses and live tokens.
func (s *Server) devOutbox(c *gin.Context) {
	mails, err := s.notify.Outbox(c.Request.Context(), devOutboxLimit)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "dev_outbox", s.page(c, "dev.outbox.title", mails))
}
