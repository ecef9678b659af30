package web

import (
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/media"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

// ideaForm is what the idea form posts.
type ideaForm struct {
	Title       string `form:"titel" binding:"max=2000"`
	Description string `form:"beschrijving" binding:"max=20000"`
	Theme       string `form:"thema" binding:"max=20"`
	Wijk        string `form:"wijk" binding:"max=500"`
	Location    string `form:"plek" binding:"max=1000"`
	ImageAlt    string `form:"afbeelding_tekst" binding:"max=1500"`
	NoImage     bool   `form:"geen_afbeelding"`
	// Image is the file chosen in the form (read by readImage; not bound).
	Image []byte `form:"-"`
}

func (f ideaForm) draft() idea.Draft {
	d := idea.Draft{Title: f.Title, Description: f.Description, Wijk: f.Wijk, Location: f.Location,
		Image: f.Image, ImageAlt: f.ImageAlt, RemoveImage: f.NoImage}
	if t, err := strconv.ParseInt(f.Theme, 10, 64); err == nil {
		d.ThemeID = &t
	}
	return d
}

type ideaFormData struct {
	Project *project.Project
	B       *boardView
	Idea    *idea.Idea // nil for a new idea
	Form    ideaForm
	Errors  map[string]string
}

// Action is where the form posts.
func (d ideaFormData) Action() string {
	if d.Idea != nil {
		return ideaURL(d.B, d.Idea) + "/bewerken"
	}
	return d.B.In.URL + "/ideeen"
}

func (s *Server) renderIdeaForm(c *gin.Context, status int, d *ideaFormData) {
	title := "idea.new.title"
	if d.Idea != nil {
		title = "idea.edit.title"
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	page := s.page(c, title, d)
	page.Nav = "projects"
	s.html(c, status, "idea_form", page)
}

// ideaNew shows the form for a new idea, or why one cannot be sent.
func (s *Server) ideaNew(c *gin.Context) {
	p, b, ok := s.loadBoardFor(c)
	if !ok {
		return
	}
	status := http.StatusOK
	if !b.Submit.OK {
		status = statusOf[apperror.CodeOf(b.Submit.Err())]
	}
	s.renderIdeaForm(c, status, &ideaFormData{Project: p, B: b})
}

// ideaCreate stores a new idea.
func (s *Server) ideaCreate(c *gin.Context) {
	if s.limited(c, ratelimit.Idea, retryIdeaFields...) {
		return
	}
	p, b, ok := s.loadBoardFor(c)
	if !ok {
		return
	}
	var f ideaForm
	if !s.bindForm(c, &f) || !s.readImage(c, &f) {
		return
	}
	d := &ideaFormData{Project: p, B: b, Form: f}
	i, err := s.ideas.Submit(c.Request.Context(), b.In.ID, ideaActor(c), f.draft())
	if s.ideaFormFailed(c, d, err) {
		return
	}
	if i.Moderation == idea.Awaiting {
		s.setFlash(c, "idea_awaiting")
	} else {
		s.setFlash(c, "idea_submitted")
	}
	c.Redirect(http.StatusSeeOther, ideaURL(b, i))
}

// ideaFormFailed re-shows the form for a refused idea and says whether it
// did.
func (s *Server) ideaFormFailed(c *gin.Context, d *ideaFormData, err error) bool {
	return s.refusedAt(c, err, "form", func(status int, fields map[string]string) {
		d.Errors = fields
		s.renderIdeaForm(c, status, d)
	})
}

// ideaEditForm shows the author's edit form.
func (s *Server) ideaEditForm(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	f := ideaForm{Title: i.Title, Description: i.Description, Wijk: i.Wijk, Location: i.Location, ImageAlt: i.ImageAlt}
	if i.ThemeID != nil {
		f.Theme = strconv.FormatInt(*i.ThemeID, 10)
	}
	d := &ideaFormData{Project: p, B: b, Idea: i, Form: f}
	editable, err := s.ideas.Editable(c.Request.Context(), i, ideaActor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	if !editable {
		key := "idea.error.locked"
		if i.AuthorID == nil || *i.AuthorID != ideaActor(c).ParticipantID {
			key = "idea.error.not_yours"
		}
		d.Errors = map[string]string{"form": key}
		s.renderIdeaForm(c, http.StatusConflict, d)
		return
	}
	s.renderIdeaForm(c, http.StatusOK, d)
}

// ideaUpdate stores the author's changes.
func (s *Server) ideaUpdate(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	var f ideaForm
	if !s.bindForm(c, &f) || !s.readImage(c, &f) {
		return
	}
	d := &ideaFormData{Project: p, B: b, Idea: i, Form: f}
	if s.ideaFormFailed(c, d, s.ideas.Edit(c.Request.Context(), i.ID, ideaActor(c), f.draft())) {
		return
	}
	s.setFlash(c, "idea_saved")
	c.Redirect(http.StatusSeeOther, ideaURL(b, i))
}

// ideaWithdraw takes the author's idea off the board.
func (s *Server) ideaWithdraw(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	if err := s.ideas.Withdraw(c.Request.Context(), i.ID, ideaActor(c)); err != nil {
		s.ideaRefused(c, p, b, i, err, "", 0)
		return
	}
	s.setFlash(c, "idea_withdrawn")
	c.Redirect(http.StatusSeeOther, ideaURL(b, i))
}

// readImage reads the file chosen in the idea form, if any, for the
// service to check (idea.Draft.Image): no more than one byte over the
// limit, so a file too large is refused by the same rule as every other.
func (s *Server) readImage(c *gin.Context, f *ideaForm) bool {
	fh, err := c.FormFile("afbeelding")
	if err != nil || fh.Size == 0 {
		return true // no file chosen
	}
	file, err := fh.Open()
	if err != nil {
		s.fail(c, err)
		return false
	}
	defer file.Close()
	f.Image, err = io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
	if err != nil {
		s.fail(c, err)
		return false
	}
	return true
}
