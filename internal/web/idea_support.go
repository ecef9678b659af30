package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/idea"
	"inspraak/internal/ratelimit"
)

// ideaSupport adds or takes back a support ("steun=ja" or "nee"). It goes
// back to where the button was: the board (with its filters) or the idea.
func (s *Server) ideaSupport(c *gin.Context) {
	if s.limited(c, ratelimit.Support) {
		return
	}
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	var err error
	flash := "support_added"
	if c.PostForm("steun") == "nee" {
		err, flash = s.ideas.Unsupport(c.Request.Context(), i.ID, ideaActor(c)), "support_removed"
	} else {
		err = s.ideas.Support(c.Request.Context(), i.ID, ideaActor(c))
	}
	if err != nil {
		s.ideaRefused(c, p, b, i, err, "", 0)
		return
	}
	s.setFlash(c, flash)
	// Back to the board page the button was on (with its filters and
	// page), or to the idea; nothing else.
	back := c.PostForm("terug")
	if back != b.In.URL && !strings.HasPrefix(back, b.In.URL+"?") || strings.ContainsAny(back, "\\\r\n#") {
		back = ideaURL(b, i)
	}
	c.Redirect(http.StatusSeeOther, back+"#idee-"+strconv.FormatInt(i.ID, 10))
}

// SupportButtonData is what the support-button partial receives.
type SupportButtonData struct {
	P         *Page
	B         *boardView
	Idea      idea.Idea
	URL       string
	Supported bool
	Own       bool
	Back      string
	// Closed is why the idea can no longer be supported (a message
	// key): it shows instead of the form.
	Closed string
	// OnIdea says the button is on the idea's own page, where the
	// municipality's response is further down.
	OnIdea bool
}

// SupportButton builds the support form of one idea; back is the page to
// return to.
func (p *Page) SupportButton(b *boardView, i idea.Idea, supported bool, me int64, back string) SupportButtonData {
	u := ideaURL(b, &i)
	return SupportButtonData{P: p, B: b, Idea: i, URL: u, Supported: supported, Back: back,
		Own: me != 0 && i.AuthorID != nil && *i.AuthorID == me, Closed: i.Status.SupportClosed(), OnIdea: back == u}
}
