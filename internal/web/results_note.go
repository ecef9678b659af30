package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/responsenote"
	"inspraak/internal/results"
)

// The response note: analysts write the municipality's answer in
// sections, each about a code of a questionnaire's open answers or about
// one idea of an idea board (or about everything), and publish it; the
// public reads it under the questionnaire or board, and everyone whose
// input a section is about finds it on "Mijn inspraak". The rules, the
// notifications and the audit records live in package responsenote; these
// handlers read the form, call it, and show the result.

type noteData struct {
	ID      int64
	Title   string
	Board   bool // an idea board: sections are about ideas, not codes
	Back    string
	Note    *responsenote.Note
	Codes   []results.Code
	Ideas   []responsenote.NoteIdea
	Errors  map[string]string
	Draft   responsenote.SectionDraft
	EditID  int64
	Public  string // the public address once published
	Project string
}

func (s *Server) noteEdit(c *gin.Context) {
	s.renderNote(c, http.StatusOK, nil, responsenote.SectionDraft{}, 0)
}

// loadNoteInstrument finds the questionnaire or idea board of a note.
func (s *Server) loadNoteInstrument(c *gin.Context) (*instrument.Instrument, bool) {
	return s.loadResultsInstrument(c, instrument.KindConsultation, instrument.KindIdeaBoard)
}

func (s *Server) renderNote(c *gin.Context, status int, errs map[string]string, draft responsenote.SectionDraft, editID int64) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	n, err := s.notes.Note(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var codes []results.Code
	var ideas []responsenote.NoteIdea
	board := in.Kind == instrument.KindIdeaBoard
	if board {
		ideas, err = s.notes.NoteIdeas(ctx, in.ID)
	} else {
		codes, err = s.results.Codes(ctx, in.ID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.projects.Get(ctx, in.ProjectID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := noteData{ID: in.ID, Title: in.Title, Board: board, Back: "/beheer/resultaten/" + strconv.FormatInt(in.ID, 10),
		Note: n, Codes: codes, Ideas: ideas, Errors: errs, Draft: draft, EditID: editID,
		Public: "/projecten/" + p.Slug + "/" + in.Slug + "/reactienota"}
	if board {
		d.Back = "/beheer/resultaten"
	}
	pg := s.staffPage(c, "", d, "staff-results")
	pg.Title = pg.T("note.title", in.Title)
	s.html(c, status, "results_note", pg)
}

func (s *Server) noteBack(in *instrument.Instrument) string {
	return "/beheer/resultaten/" + strconv.FormatInt(in.ID, 10) + "/reactienota"
}

// noteSaved says "saved" and goes back to the note; responsenote wrote
// the audit record in the change's own transaction.
func (s *Server) noteSaved(c *gin.Context, in *instrument.Instrument) {
	s.setFlash(c, "saved")
	c.Redirect(http.StatusSeeOther, s.noteBack(in))
}

func (s *Server) noteIntro(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	intro := c.PostForm("inleiding")
	if len(intro) > 4*responsenote.MaxNoteIntro+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if s.refused(c, s.notes.SaveIntro(c.Request.Context(), staffOf(c).Staff, in.ID, intro), func(status int, fields map[string]string) {
		s.renderNote(c, status, fields, responsenote.SectionDraft{}, 0)
	}) {
		return
	}
	s.noteSaved(c, in)
}

func (s *Server) noteSection(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	var id int64
	if v := c.Param("sid"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		id = n
	}
	d := responsenote.SectionDraft{Title: c.PostForm("titel"), Body: c.PostForm("tekst")}
	if len(d.Title)+len(d.Body) > 4*(responsenote.MaxSectionTitle+responsenote.MaxSectionBody)+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	for name, dst := range map[string]*int{"volgorde": &d.Position} {
		if v := c.PostForm(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > responsenote.MaxSections {
				s.renderNote(c, http.StatusUnprocessableEntity, map[string]string{"volgorde": "results.error.position"}, d, id)
				return
			}
			*dst = n
		}
	}
	for name, dst := range map[string]*int64{"code": &d.CodeID, "idee": &d.IdeaID} {
		if v := c.PostForm(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1 {
				s.renderNote(c, http.StatusUnprocessableEntity, map[string]string{name: "results.error." + map[string]string{"code": "code", "idee": "idea"}[name] + "_unknown"}, d, id)
				return
			}
			*dst = n
		}
	}
	err := s.notes.SaveSection(c.Request.Context(), staffOf(c).Staff, in.ID, id, d)
	if s.refused(c, err, func(status int, fields map[string]string) {
		s.renderNote(c, status, fields, d, id)
	}) {
		return
	}
	s.noteSaved(c, in)
}

// noteSectionDelete removes a section of the note.
func (s *Server) noteSectionDelete(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("sid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.notes.DeleteSection(c.Request.Context(), staffOf(c).Staff, in.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	s.noteSaved(c, in)
}

func (s *Server) notePublish(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	// responsenote tells everyone a new section is about, in the
	// publishing transaction.
	err := s.notes.PublishNote(c.Request.Context(), staffOf(c).Staff, in.ID, s.clock())
	if e, isApp := apperror.As(err); isApp && e.Code == apperror.Conflict {
		s.renderNote(c, http.StatusConflict, map[string]string{"publiceren": e.Key}, responsenote.SectionDraft{}, 0)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.noteSaved(c, in)
}

type publicNoteData struct {
	In   instrumentView
	Note *responsenote.Note
}

// publicNote shows a published response note under its questionnaire.
func (s *Server) publicNote(c *gin.Context) {
	ctx := c.Request.Context()
	in, _, err := s.instruments.GetPublishedBySlugs(ctx, c.Param("slug"), c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.notes.PublicNote(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if n == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	p, err := s.projects.GetPublic(ctx, c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if c.Param("pdf") != "" || strings.HasSuffix(c.Request.URL.Path, ".pdf") {
		pg := s.page(c, "", nil)
		var buf bytes.Buffer
		if err := responsenote.PDF(n, in.Title, pg.Municipality, pg.T, &buf); err != nil {
			s.fail(c, err)
			return
		}
		c.Header("Content-Disposition", `attachment; filename="reactienota-`+p.Slug+`-`+in.Slug+`.pdf"`)
		c.Data(http.StatusOK, "application/pdf", buf.Bytes())
		return
	}
	view := s.viewInstrument(c, p, *in)
	if err := s.withOutcomes(ctx, &view); err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", publicNoteData{In: view, Note: n})
	page.Title, page.Nav = page.T("note.public.title", in.Title), "projects"
	s.html(c, http.StatusOK, "note_public", page)
}
