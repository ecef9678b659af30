package web

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/notify"
	"inspraak/internal/results"
)

// The response note: analysts write the municipality's answer in
// sections, each about a code of a questionnaire's open answers or about
// one idea of an idea board (or about everything), and publish it; the
// public reads it under the questionnaire or board, and everyone whose
// input a section is about finds it on "Mijn inspraak".

type noteData struct {
	ID      int64
	Title   string
	Board   bool // an idea board: sections are about ideas, not codes
	Back    string
	Note    *results.Note
	Codes   []results.Code
	Ideas   []results.NoteIdea
	Errors  map[string]string
	Draft   results.SectionDraft
	EditID  int64
	Public  string // the public address once published
	Project string
}

func (s *Server) noteEdit(c *gin.Context) {
	s.renderNote(c, http.StatusOK, nil, results.SectionDraft{}, 0)
}

// loadNoteInstrument finds the questionnaire or idea board of a note.
func (s *Server) loadNoteInstrument(c *gin.Context) (*instrument.Instrument, bool) {
	return s.loadResultsInstrument(c, instrument.KindConsultation, instrument.KindIdeaBoard)
}

func (s *Server) renderNote(c *gin.Context, status int, errs map[string]string, draft results.SectionDraft, editID int64) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	n, err := s.results.Note(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var codes []results.Code
	var ideas []results.NoteIdea
	board := in.Kind == instrument.KindIdeaBoard
	if board {
		ideas, err = s.results.NoteIdeas(ctx, in.ID)
	} else {
		codes, err = s.results.Codes(ctx, in.ID)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	var slug string
	if err := s.db.WithContext(ctx).Table("projects").Select("slug").Where("id = ?", in.ProjectID).Scan(&slug).Error; err != nil {
		s.fail(c, err)
		return
	}
	d := noteData{ID: in.ID, Title: in.Title, Board: board, Back: "/beheer/resultaten/" + strconv.FormatInt(in.ID, 10),
		Note: n, Codes: codes, Ideas: ideas, Errors: errs, Draft: draft, EditID: editID,
		Public: "/projecten/" + slug + "/" + in.Slug + "/reactienota"}
	if board {
		d.Back = "/beheer/resultaten"
	}
	p := s.staffPage(c, "", d, "staff-results")
	p.Title = p.T("note.title", in.Title)
	s.html(c, status, "results_note", p)
}

func (s *Server) noteBack(in *instrument.Instrument) string {
	return "/beheer/resultaten/" + strconv.FormatInt(in.ID, 10) + "/reactienota"
}

func (s *Server) noteIntro(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	intro := c.PostForm("inleiding")
	if len(intro) > 4*results.MaxNoteIntro+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if s.refused(c, s.results.SaveIntro(c.Request.Context(), in.ID, intro), func(status int, fields map[string]string) {
		s.renderNote(c, status, fields, results.SectionDraft{}, 0)
	}) {
		return
	}
	s.record(c, "results.note.intro", "instrument:"+strconv.FormatInt(in.ID, 10), nil)
	s.done(c, s.noteBack(in))
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
	d := results.SectionDraft{Title: c.PostForm("titel"), Body: c.PostForm("tekst")}
	if len(d.Title)+len(d.Body) > 4*(results.MaxSectionTitle+results.MaxSectionBody)+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	for name, dst := range map[string]*int{"volgorde": &d.Position} {
		if v := c.PostForm(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > results.MaxSections {
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
	err := s.results.SaveSection(c.Request.Context(), in.ID, id, d)
	if s.refused(c, err, func(status int, fields map[string]string) {
		s.renderNote(c, status, fields, d, id)
	}) {
		return
	}
	s.record(c, "results.note.section", "instrument:"+strconv.FormatInt(in.ID, 10), map[string]any{"section": id, "title": d.Title})
	s.done(c, s.noteBack(in))
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
	if err := s.results.DeleteSection(c.Request.Context(), in.ID, id); err != nil {
		s.fail(c, err)
		return
	}
	s.record(c, "results.note.section_delete", "instrument:"+strconv.FormatInt(in.ID, 10), map[string]any{"section": id})
	s.done(c, s.noteBack(in))
}

func (s *Server) notePublish(c *gin.Context) {
	in, ok := s.loadNoteInstrument(c)
	if !ok {
		return
	}
	var slug string
	s.db.WithContext(c.Request.Context()).Table("projects").Select("slug").Where("id = ?", in.ProjectID).Scan(&slug)
	link := "/projecten/" + slug + "/" + in.Slug + "/reactienota"
	err := s.results.PublishNote(c.Request.Context(), in.ID, s.clock(), func(ctx context.Context, tx *gorm.DB, participantID int64, sec results.Section) error {
		return s.notify.Notify(ctx, tx, participantID, notify.Message{Kind: notify.KindResults, Key: "notify.response_note",
			Params: []string{in.Title}, Link: link + "#sectie-" + strconv.FormatInt(sec.ID, 10)})
	})
	if e, isApp := apperror.As(err); isApp && e.Code == apperror.Conflict {
		s.renderNote(c, http.StatusConflict, map[string]string{"publiceren": e.Key}, results.SectionDraft{}, 0)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.record(c, "results.note.publish", "instrument:"+strconv.FormatInt(in.ID, 10), nil)
	s.done(c, s.noteBack(in))
}

type publicNoteData struct {
	In   instrumentView
	Note *results.Note
}

// publicNote shows a published response note under its questionnaire.
func (s *Server) publicNote(c *gin.Context) {
	ctx := c.Request.Context()
	in, _, err := s.instruments.GetPublishedBySlugs(ctx, c.Param("slug"), c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return
	}
	n, err := s.results.PublicNote(ctx, in.ID)
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
		if err := results.NotePDF(n, in.Title, pg.Municipality, pg.T, &buf); err != nil {
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
