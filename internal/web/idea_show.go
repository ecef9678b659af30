package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/idea"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/responsenote"
)

type ideaPageData struct {
	Project *project.Project
	B       *boardView
	Idea    *idea.Idea
	Theme   string
	History []idea.StatusChange
	// Thread is the page of comments shown; Comments are its comments.
	Thread    idea.CommentPage
	Comments  []*idea.Comment
	Supported bool
	// Unlinked: the viewer supported this idea and erased their data
	// since; the page says so and offers no support button.
	Unlinked bool
	Mine     bool
	Editable bool
	Me       int64
	Errors   map[string]string
	Comment  string // a refused comment's text, shown again
	ReplyTo  int64  // the comment a refused reply answered
	canEdit  func(*idea.Comment) bool
	// What the viewer sees of moderation decisions on their own idea and
	// comments.
	Verdict  *moderation.Verdict
	verdicts map[int64]moderation.Verdict
	// NoteSections are the published response-note sections about this
	// idea.
	NoteSections []responsenote.Section
}

// CommentVerdict is the moderation decision on one of the viewer's comments.
func (d ideaPageData) CommentVerdict(cm *idea.Comment) *moderation.Verdict {
	if v, ok := d.verdicts[cm.ID]; ok {
		return &v
	}
	return nil
}

// Reportable says whether the viewer may report a comment (anyone but its
// author; logging in comes first).
func (d ideaPageData) Reportable(cm *idea.Comment) bool {
	return cm.Moderation == idea.Approved && !cm.Deleted() && (cm.AuthorID == nil || *cm.AuthorID != d.Me || d.Me == 0)
}

// CanEdit says whether the viewer may still edit a comment.
func (d ideaPageData) CanEdit(cm *idea.Comment) bool { return d.canEdit != nil && d.canEdit(cm) }

// IsMine says whether a comment is the viewer's.
func (d ideaPageData) IsMine(cm *idea.Comment) bool {
	return d.Me != 0 && cm.AuthorID != nil && *cm.AuthorID == d.Me && !cm.Deleted()
}

// URL is the idea's address.
func (d ideaPageData) URL() string { return ideaURL(d.B, d.Idea) }

// CommentsURL is the address of a page of the idea's comments in an
// order, without the anchor (see commentsQuery).
func (d ideaPageData) CommentsURL(order idea.CommentOrder, page int) string {
	return d.URL() + commentsQuery(order, page)
}

// OrderURL is the first page of the comments in an order.
func (d ideaPageData) OrderURL(order string) string {
	return d.CommentsURL(idea.CommentOrder(order), 1) + "#reacties"
}

// CommentPageURL is page n of the comments in the shown order.
func (d ideaPageData) CommentPageURL(n int) string {
	return d.CommentsURL(d.Thread.Order, n) + "#reacties"
}

// CommentAction is where the comment forms post: the page shown stays in
// the address, so a refused comment comes back on the same page and a
// posted one is looked for in the same order.
func (d ideaPageData) CommentAction() string {
	return d.URL() + "/reacties" + commentsQuery(d.Thread.Order, d.Thread.Page)
}

// CommentEditURL is the edit form of a comment; the thread's order comes
// along, for the way back.
func (d ideaPageData) CommentEditURL(cm *idea.Comment) string {
	return d.URL() + "/reacties/" + strconv.FormatInt(cm.ID, 10) + "/bewerken" + commentsQuery(d.Thread.Order, 1)
}

// CommentDeleteAction is where deleting a comment posts.
func (d ideaPageData) CommentDeleteAction(cm *idea.Comment) string {
	return d.URL() + "/reacties/" + strconv.FormatInt(cm.ID, 10) + "/verwijderen" + commentsQuery(d.Thread.Order, 1)
}

// CommentPageNumbers are the page links of the thread to show.
func (d ideaPageData) CommentPageNumbers() []int {
	var out []int
	t := d.Thread
	for i := 1; i <= t.Pages; i++ {
		if i == 1 || i == t.Pages || i >= t.Page-2 && i <= t.Page+2 {
			out = append(out, i)
		}
	}
	return out
}

// commentsQuery is the address query of a page of comments; the defaults
// (oldest first, page 1) are left out.
func commentsQuery(order idea.CommentOrder, page int) string {
	q := url.Values{}
	if order == idea.CommentsNewest {
		q.Set("reacties", string(order))
	}
	if page > 1 {
		q.Set("pagina", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// commentQuery reads the order and page of the comments from the address.
func commentQuery(c *gin.Context) idea.CommentQuery {
	n, _ := strconv.Atoi(c.Query("pagina"))
	return idea.CommentQuery{Order: idea.CommentOrder(c.Query("reacties")), Page: n}
}

// ideaShow shows one idea with its status history and comments.
func (s *Server) ideaShow(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	s.renderIdea(c, http.StatusOK, p, b, i, nil, "", 0)
}

func (s *Server) renderIdea(c *gin.Context, status int, p *project.Project, b *boardView, i *idea.Idea, errs map[string]string, comment string, replyTo int64) {
	ctx := c.Request.Context()
	a := ideaActor(c)
	d := ideaPageData{Project: p, B: b, Idea: i, Theme: b.Board.ThemeName(i.ThemeID), Me: a.ParticipantID, Errors: errs,
		Comment: comment, ReplyTo: replyTo, Mine: a.ParticipantID != 0 && i.AuthorID != nil && *i.AuthorID == a.ParticipantID,
		canEdit: func(cm *idea.Comment) bool { return s.ideas.CanEditComment(cm, a.ParticipantID) }}
	var err error
	if d.History, err = s.ideas.History(ctx, i.ID); err != nil {
		s.fail(c, err)
		return
	}
	if d.Thread, err = s.ideas.Comments(ctx, i.ID, a.ParticipantID, commentQuery(c)); err != nil {
		s.fail(c, err)
		return
	}
	d.Comments = d.Thread.Comments
	if d.NoteSections, err = s.notes.IdeaSections(ctx, i.ID); err != nil {
		s.fail(c, err)
		return
	}
	if a.ParticipantID != 0 {
		if err := s.ideaVerdicts(c, &d); err != nil {
			s.fail(c, err)
			return
		}
		sup, unlinked, err := s.ideas.Supports(ctx, b.In.ID, a, []int64{i.ID})
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Supported, d.Unlinked = sup[i.ID], unlinked[i.ID]
		if d.Mine {
			if d.Editable, err = s.ideas.Editable(ctx, i, a); err != nil {
				s.fail(c, err)
				return
			}
			d.Editable = d.Editable && b.Submit.OK
		}
	}
	page := s.page(c, "", d)
	page.Title, page.Nav = i.Title, "projects"
	s.html(c, status, "idea", page)
}

// ideaVerdicts loads the moderation decisions the viewer should see on
// their own idea and comments.
func (s *Server) ideaVerdicts(c *gin.Context, d *ideaPageData) error {
	ctx := c.Request.Context()
	if d.Mine {
		vs, err := s.moderation.Verdicts(ctx, moderation.KindIdea, []int64{d.Idea.ID})
		if err != nil {
			return err
		}
		if v, ok := vs[d.Idea.ID]; ok {
			d.Verdict = &v
		}
	}
	var mine []int64
	for _, top := range d.Comments {
		for _, cm := range append([]*idea.Comment{top}, top.Replies...) {
			if d.IsMine(cm) {
				mine = append(mine, cm.ID)
			}
		}
	}
	var err error
	d.verdicts, err = s.moderation.Verdicts(ctx, moderation.KindComment, mine)
	return err
}

// ideaRefused re-shows the idea page with the message of a refused action.
func (s *Server) ideaRefused(c *gin.Context, p *project.Project, b *boardView, i *idea.Idea, err error, comment string, replyTo int64) {
	s.refusedAt(c, err, "form", func(status int, fields map[string]string) {
		s.renderIdea(c, status, p, b, i, fields, comment, replyTo)
	})
}

// CommentViewData is what the idea-comment partial receives.
type CommentViewData struct {
	P *Page
	D ideaPageData
	C *idea.Comment
}

// CommentView pairs a comment with the page.
func (p *Page) CommentView(d ideaPageData, c *idea.Comment) CommentViewData {
	return CommentViewData{P: p, D: d, C: c}
}

// IdeaValue is the idea itself, for partials that take a value.
func (d ideaPageData) IdeaValue() idea.Idea { return *d.Idea }
