package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/responsenote"
)

type ideaPageData struct {
	Project   *project.Project
	B         *boardView
	Idea      *idea.Idea
	Theme     string
	History   []idea.StatusChange
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
	if d.Comments, err = s.ideas.Comments(ctx, i.ID, a.ParticipantID); err != nil {
		s.fail(c, err)
		return
	}
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
	if e, ok := apperror.As(err); ok {
		switch e.Code {
		case apperror.Invalid:
			s.renderIdea(c, http.StatusUnprocessableEntity, p, b, i, e.Fields, comment, replyTo)
			return
		case apperror.Forbidden, apperror.Closed, apperror.Conflict:
			s.renderIdea(c, statusOf[e.Code], p, b, i, map[string]string{"form": e.Key}, comment, replyTo)
			return
		}
	}
	s.fail(c, err)
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
