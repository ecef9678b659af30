package web

import (
	"crypto/rand"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
	"inspraak/internal/results"
)

// orderCookie holds a visitor's seed for the board's random order, so
// paging shows every idea once and early ideas do not win by position.
const orderCookie = "inspraak_volgorde"

// boardView is an idea board as its pages need it: the instrument, the
// board's settings, and what this visitor may do now.
type boardView struct {
	In      instrumentView
	Board   *idea.Board
	Submit  instrument.Verdict
	Support instrument.Verdict
}

// SubmitView is the instrument view with the verdict for submitting, for
// the shared "why not, log in" block.
func (b boardView) SubmitView() instrumentView { v := b.In; v.Verdict = b.Submit; return v }

// SupportView is the same for supporting and commenting.
func (b boardView) SupportView() instrumentView { v := b.In; v.Verdict = b.Support; return v }

func (s *Server) verdict(c *gin.Context, p *project.Project, rules instrument.Instrument) instrument.Verdict {
	if p.Status != project.StatusPublished {
		return instrument.Verdict{Reason: "rules.closed"}
	}
	return instrument.Eligible(&rules, instrument.PersonOf(residentOf(c)), s.now())
}

func (s *Server) loadBoard(c *gin.Context, p *project.Project, in *instrument.Instrument) (*boardView, bool) {
	b, err := s.ideas.Board(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	v := &boardView{In: s.viewInstrument(c, p, *in), Board: b}
	if err := s.withOutcomes(c.Request.Context(), &v.In); err != nil {
		s.fail(c, err)
		return nil, false
	}
	v.Submit = s.verdict(c, p, b.SubmitRules())
	v.Support = s.verdict(c, p, b.SupportRules())
	return v, true
}

// ideaActor is the logged-in resident as the idea service needs them.
func ideaActor(c *gin.Context) idea.Actor {
	cur := residentOf(c)
	if cur == nil {
		return idea.Actor{}
	}
	return idea.Actor{ParticipantID: cur.Participant.ID, Subject: cur.Participant.Subject, Person: instrument.PersonOf(cur)}
}

type boardPageData struct {
	Project   *project.Project
	B         *boardView
	Page      idea.Page
	Theme     int64
	Status    string
	Sort      string
	Supported map[int64]bool
	// Unlinked are the ideas the viewer supported before erasing their
	// data: they cannot support them again.
	Unlinked map[int64]bool
	Me       int64
	Statuses []idea.Status
}

// PageURL links to another page of the same selection.
func (d boardPageData) PageURL(n int) string {
	q := url.Values{}
	if d.Theme != 0 {
		q.Set("thema", strconv.FormatInt(d.Theme, 10))
	}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	if d.Sort != idea.SortRandom {
		q.Set("sorteer", d.Sort)
	}
	if n > 1 {
		q.Set("pagina", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return d.B.In.URL
	}
	return d.B.In.URL + "?" + q.Encode()
}

// PageNumbers are the page links to show.
func (d boardPageData) PageNumbers() []int {
	var out []int
	for i := 1; i <= d.Page.Pages; i++ {
		if i == 1 || i == d.Page.Pages || i >= d.Page.Page-2 && i <= d.Page.Page+2 {
			out = append(out, i)
		}
	}
	return out
}

// ThemeName names an idea's theme.
func (d boardPageData) ThemeName(id *int64) string { return d.B.Board.ThemeName(id) }

// orderSeed returns the visitor's random-order seed, making one on the
// first visit.
func (s *Server) orderSeed(c *gin.Context) uint64 {
	if v, err := c.Cookie(orderCookie); err == nil {
		if n, err := strconv.ParseUint(v, 16, 64); err == nil && n != 0 {
			return n
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := binary.LittleEndian.Uint64(b[:]) | 1
	s.setCookie(c, orderCookie, strconv.FormatUint(n, 16), 7*24*3600)
	return n
}

// boardShow lists a board's ideas with filters, sort order and pages.
func (s *Server) boardShow(c *gin.Context, p *project.Project, in *instrument.Instrument) {
	b, ok := s.loadBoard(c, p, in)
	if !ok {
		return
	}
	d := boardPageData{Project: p, B: b, Sort: idea.SortRandom, Statuses: idea.EditorStatuses}
	q := idea.Query{Sort: idea.SortRandom}
	switch srt := c.Query("sorteer"); srt {
	case idea.SortNewest, idea.SortSupport:
		d.Sort, q.Sort = srt, srt
	}
	if q.Sort == idea.SortRandom {
		q.Seed = s.orderSeed(c)
	}
	if t, err := strconv.ParseInt(c.Query("thema"), 10, 64); err == nil && b.Board.ThemeName(&t) != "" {
		d.Theme, q.ThemeID = t, &t
	}
	for _, st := range idea.EditorStatuses {
		if c.Query("status") == string(st) {
			d.Status, q.Status = string(st), st
		}
	}
	q.Page, _ = strconv.Atoi(c.Query("pagina"))
	ctx := c.Request.Context()
	var err error
	if d.Page, err = s.ideas.List(ctx, in.ID, q); err != nil {
		s.fail(c, err)
		return
	}
	a := ideaActor(c)
	d.Me = a.ParticipantID
	ids := make([]int64, len(d.Page.Ideas))
	for i, x := range d.Page.Ideas {
		ids[i] = x.ID
	}
	if d.Supported, d.Unlinked, err = s.ideas.Supports(ctx, in.ID, a, ids); err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title, page.Nav = in.Title, "projects"
	s.html(c, http.StatusOK, "idea_board", page)
}

// loadBoardFor finds the published board of the address, for the idea
// routes.
func (s *Server) loadBoardFor(c *gin.Context) (*project.Project, *boardView, bool) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return nil, nil, false
	}
	if in.Kind != instrument.KindIdeaBoard {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	b, ok := s.loadBoard(c, p, in)
	return p, b, ok
}

// loadIdea finds an idea of the board that this visitor may see.
func (s *Server) loadIdea(c *gin.Context) (*project.Project, *boardView, *idea.Idea, bool) {
	p, b, ok := s.loadBoardFor(c)
	if !ok {
		return nil, nil, nil, false
	}
	id, err := strconv.ParseInt(c.Param("idea"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, nil, false
	}
	i, err := s.ideas.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	if i.InstrumentID != b.In.ID || !idea.Visible(i, ideaActor(c).ParticipantID) {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, nil, false
	}
	return p, b, i, true
}

// ideaURL is the address of an idea page.
func ideaURL(b *boardView, i *idea.Idea) string {
	return b.In.URL + "/ideeen/" + strconv.FormatInt(i.ID, 10)
}

// ideaForm is what the idea form posts.
type ideaForm struct {
	Title       string `form:"titel" binding:"max=2000"`
	Description string `form:"beschrijving" binding:"max=20000"`
	Theme       string `form:"thema" binding:"max=20"`
	Wijk        string `form:"wijk" binding:"max=500"`
	Location    string `form:"plek" binding:"max=1000"`
}

func (f ideaForm) draft() idea.Draft {
	d := idea.Draft{Title: f.Title, Description: f.Description, Wijk: f.Wijk, Location: f.Location}
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
		status = statusOf[refusalCode(b.Submit)]
	}
	s.renderIdeaForm(c, status, &ideaFormData{Project: p, B: b})
}

func refusalCode(v instrument.Verdict) apperror.Code {
	if v.Reason == "rules.closed" || v.Reason == "rules.not_open_yet" {
		return apperror.Closed
	}
	return apperror.Forbidden
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
	if !s.bindForm(c, &f) {
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
	if err == nil {
		return false
	}
	if e, ok := apperror.As(err); ok {
		switch e.Code {
		case apperror.Invalid:
			d.Errors = e.Fields
			s.renderIdeaForm(c, http.StatusUnprocessableEntity, d)
			return true
		case apperror.Forbidden, apperror.Closed, apperror.Conflict:
			d.Errors = map[string]string{"form": e.Key}
			s.renderIdeaForm(c, statusOf[e.Code], d)
			return true
		}
	}
	s.fail(c, err)
	return true
}

// ideaEditForm shows the author's edit form.
func (s *Server) ideaEditForm(c *gin.Context) {
	p, b, i, ok := s.loadIdea(c)
	if !ok {
		return
	}
	f := ideaForm{Title: i.Title, Description: i.Description, Wijk: i.Wijk, Location: i.Location}
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
	if !s.bindForm(c, &f) {
		return
	}
	d := &ideaFormData{Project: p, B: b, Idea: i, Form: f}
	if s.ideaFormFailed(c, d, s.ideas.Edit(c.Request.Context(), i.ID, ideaActor(c), f.draft())) {
		return
	}
	s.setFlash(c, "idea_saved")
	c.Redirect(http.StatusSeeOther, ideaURL(b, i))
}

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
	NoteSections []results.Section
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
	if d.NoteSections, err = s.results.IdeaSections(ctx, i.ID); err != nil {
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
	c.Redirect(http.StatusSeeOther, ideaURL(b, i)+"#reactie-"+strconv.FormatInt(cm.ID, 10))
}

type commentFormData struct {
	Project *project.Project
	B       *boardView
	Idea    *idea.Idea
	Comment *idea.Comment
	Body    string
	Errors  map[string]string
}

// URL is the idea's address.
func (d commentFormData) URL() string { return ideaURL(d.B, d.Idea) }

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
	thread, err := s.ideas.Comments(c.Request.Context(), i.ID, ideaActor(c).ParticipantID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	for _, top := range thread {
		for _, cm := range append([]*idea.Comment{top}, top.Replies...) {
			if cm.ID == id {
				return &commentFormData{Project: p, B: b, Idea: i, Comment: cm, Body: cm.Body, Errors: map[string]string{}}, true
			}
		}
	}
	s.renderStatus(c, http.StatusNotFound, "")
	return nil, false
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
	if e, ok := apperror.As(err); ok {
		switch e.Code {
		case apperror.Invalid:
			d.Errors = e.Fields
			s.renderCommentForm(c, http.StatusUnprocessableEntity, d)
			return
		case apperror.Forbidden, apperror.Conflict:
			d.Errors = map[string]string{"form": e.Key}
			s.renderCommentForm(c, statusOf[e.Code], d)
			return
		}
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "comment_saved")
	c.Redirect(http.StatusSeeOther, d.URL()+"#reactie-"+strconv.FormatInt(d.Comment.ID, 10))
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
	c.Redirect(http.StatusSeeOther, d.URL()+"#reactie-"+strconv.FormatInt(d.Comment.ID, 10))
}

// IdeaBadge is the status badge of an idea.
func (p *Page) IdeaBadge(v any) Badge {
	var i idea.Idea
	switch x := v.(type) {
	case idea.Idea:
		i = x
	case *idea.Idea:
		i = *x
	}
	switch i.Moderation {
	case idea.Awaiting:
		return Badge{"neutral", p.T("idea.moderation.awaiting")}
	case idea.Rejected, idea.Hidden:
		return Badge{"inactive", p.T("moderation.state." + i.Moderation)}
	}
	switch i.Status {
	case idea.StatusAccepted, idea.StatusDone:
		return Badge{"active", p.T("idea.status." + string(i.Status))}
	case idea.StatusRejected, idea.StatusWithdrawn:
		return Badge{"inactive", p.T("idea.status." + string(i.Status))}
	}
	return Badge{"neutral", p.T("idea.status." + string(i.Status))}
}

// BoardPeriodsData is what the board-periods partial receives.
type BoardPeriodsData struct {
	P *Page
	B *boardView
}

// BoardPeriods pairs a board with the page.
func (p *Page) BoardPeriods(b *boardView) BoardPeriodsData { return BoardPeriodsData{P: p, B: b} }

// SupportButtonData is what the support-button partial receives.
type SupportButtonData struct {
	P         *Page
	B         *boardView
	Idea      idea.Idea
	URL       string
	Supported bool
	Own       bool
	Back      string
}

// SupportButton builds the support form of one idea; back is the page to
// return to.
func (p *Page) SupportButton(b *boardView, i idea.Idea, supported bool, me int64, back string) SupportButtonData {
	return SupportButtonData{P: p, B: b, Idea: i, URL: ideaURL(b, &i), Supported: supported, Back: back,
		Own: me != 0 && i.AuthorID != nil && *i.AuthorID == me}
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
