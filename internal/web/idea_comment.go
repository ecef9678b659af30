package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

// commentCreate adds a comment or a reply.
func (s *Server) commentCreate(c *gin.Context) {
	if s.limited(c, ratelimit.Comment, retryCommentFields...) {
		return
	}
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	body := c.PostForm("reactie")
	var parent *int64
	var replyTo int64
	if v := c.PostForm("antwoord_op"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.renderStatus(c, http.StatusBadRequest, "")
			return
		}
		parent, replyTo = &id, id
	}
	if len(body) > 4*idea.MaxComment+100 {
		s.renderIdea(c, http.StatusUnprocessableEntity, p, b, i, map[string]string{"reactie": "idea.error.comment_too_long"}, "", replyTo)
		return
	}
	cm, err := s.ideas.Comment(c.Request.Context(), i.ID, parent, ideaActor(c), body)
	if err != nil {
		s.ideaRefused(c, p, b, i, err, body, replyTo)
		return
	}
	if cm.Moderation == idea.Awaiting {
		s.setFlash(c, "comment_awaiting")
	} else {
		s.setFlash(c, "comment_added")
	}
	s.toComment(c, ideaURL(b, i), i.ID, cm.ID)
}

// toComment redirects to the page of the thread where a comment appears,
// in the order the form was posted from, at the comment itself.
func (s *Server) toComment(c *gin.Context, ideaURL string, ideaID, commentID int64) {
	order := commentQuery(c).Order
	n, err := s.ideas.CommentPageOf(c.Request.Context(), ideaID, commentID, ideaActor(c).ParticipantID, order)
	if err != nil {
		// The comment is stored; not finding its page is no reason to
		// show an error.
		n = 1
	}
	c.Redirect(http.StatusSeeOther, ideaURL+commentsQuery(order, n)+"#reactie-"+strconv.FormatInt(commentID, 10))
}

type commentFormData struct {
	Project *project.Project
	B       *boardView
	Idea    *idea.Idea
	Comment *idea.Comment
	Body    string
	Errors  map[string]string
	// Order is the order of the thread the form was opened from.
	Order idea.CommentOrder
}

// URL is the idea's address.
func (d commentFormData) URL() string { return ideaURL(d.B, d.Idea) }

// Action is where the edit form posts, keeping the thread's order.
func (d commentFormData) Action() string {
	return d.URL() + "/reacties/" + strconv.FormatInt(d.Comment.ID, 10) + "/bewerken" + commentsQuery(d.Order, 1)
}

func (s *Server) loadOwnComment(c *gin.Context) (*commentFormData, bool) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return nil, false
	}
	id, err := strconv.ParseInt(c.Param("comment"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	cm, err := s.ideas.ThreadComment(c.Request.Context(), i.ID, id, ideaActor(c).ParticipantID)
	if apperror.CodeOf(err) == apperror.NotFound {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return &commentFormData{Project: p, B: b, Idea: i, Comment: cm, Body: cm.Body, Errors: map[string]string{},
		Order: commentQuery(c).Order}, true
}

func (s *Server) renderCommentForm(c *gin.Context, status int, d *commentFormData) {
	page := s.page(c, "idea.comment.edit_title", d)
	page.Nav = "projects"
	s.html(c, status, "idea_comment_edit", page)
}

// commentEditForm shows the edit form for one's own comment.
func (s *Server) commentEditForm(c *gin.Context) {
	d, ok := s.loadOwnComment(c)
	if !ok {
		return
	}
	if !s.ideas.CanEditComment(d.Comment, ideaActor(c).ParticipantID) {
		key := "idea.error.edit_window"
		if d.Comment.AuthorID == nil || *d.Comment.AuthorID != ideaActor(c).ParticipantID {
			key = "idea.error.not_your_comment"
		}
		d.Errors["form"] = key
		s.renderCommentForm(c, http.StatusConflict, d)
		return
	}
	s.renderCommentForm(c, http.StatusOK, d)
}

// commentUpdate stores an edited comment.
func (s *Server) commentUpdate(c *gin.Context) {
	d, ok := s.loadOwnComment(c)
	if !ok {
		return
	}
	d.Body = c.PostForm("reactie")
	err := s.ideas.EditComment(c.Request.Context(), d.Comment.ID, ideaActor(c), d.Body)
	if s.refusedAt(c, err, "form", func(status int, fields map[string]string) {
		d.Errors = fields
		s.renderCommentForm(c, status, d)
	}) {
		return
	}
	s.setFlash(c, "comment_saved")
	s.toComment(c, d.URL(), d.Idea.ID, d.Comment.ID)
}

// commentDelete removes the text of one's own comment.
func (s *Server) commentDelete(c *gin.Context) {
	d, ok := s.loadOwnComment(c)
	if !ok {
		return
	}
	if err := s.ideas.DeleteComment(c.Request.Context(), d.Comment.ID, ideaActor(c)); err != nil {
		s.ideaRefused(c, d.Project, d.B, d.Idea, err, "", 0)
		return
	}
	s.setFlash(c, "comment_deleted")
	s.toComment(c, d.URL(), d.Idea.ID, d.Comment.ID)
}
