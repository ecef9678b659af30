package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/ratelimit"
)

// ideaSupport adds or takes back a support ("steun=ja" or "nee"). It goes
// back to where the button was: the board (with its filters) or the idea.
//
// Adding is the hot path, like a vote: one query finds the published board
// by both addresses with its project's status, and idea.SupportAt decides
// (storing most first supports in groups on PostgreSQL). The board, the
// idea and the page are loaded only to show a refusal, and for taking a
// support back.
func (s *Server) ideaSupport(c *gin.Context) {
	if s.limited(c, ratelimit.Support) {
		return
	}
	ctx := c.Request.Context()
	if c.PostForm("steun") != "nee" {
		in, ps, err := s.instruments.GetPublishedBySlugs(ctx, c.Param("slug"), c.Param("instrument"))
		if err != nil {
			s.fail(c, err)
			return
		}
		id, perr := strconv.ParseInt(c.Param("idea"), 10, 64)
		if perr != nil || in.Kind != instrument.KindIdeaBoard {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		if err := s.ideas.SupportAt(ctx, in, ps, id, ideaActor(c)); err != nil {
			// Words the refusal on the idea's page; an idea this visitor
			// may not see (or not on this board) is not found there.
			if p, b, i, ok := s.loadIdea(c); ok {
				s.ideaRefused(c, p, b, i, err, "", 0)
			}
			return
		}
		s.setFlash(c, "support_added")
		boardURL := "/projecten/" + c.Param("slug") + "/" + in.Slug // both checked by GetPublishedBySlugs
		c.Redirect(http.StatusSeeOther, supportBack(c.PostForm("terug"), boardURL, boardURL+"/ideeen/"+strconv.FormatInt(id, 10))+
			"#idee-"+strconv.FormatInt(id, 10))
		return
	}
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	if err := s.ideas.Unsupport(ctx, i.ID, ideaActor(c)); err != nil {
		s.ideaRefused(c, p, b, i, err, "", 0)
		return
	}
	s.setFlash(c, "support_removed")
	c.Redirect(http.StatusSeeOther, supportBack(c.PostForm("terug"), b.In.URL, ideaURL(b, i))+"#idee-"+strconv.FormatInt(i.ID, 10))
}

// supportBack is where a support button returns to: the board page it was
// on (with its filters and page), or else the idea; nothing else.
func supportBack(back, boardURL, ideaPage string) string {
	if back != boardURL && !strings.HasPrefix(back, boardURL+"?") || strings.ContainsAny(back, "\\\r\n#") {
		return ideaPage
	}
	return back
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
