package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// boardForm reuses the poll form's title, slug and rules fields (the rules
// say who may submit) and adds the board's own settings.
type boardForm struct {
	pollForm
	Themes          string `form:"themas" binding:"max=5000"`
	Moderation      string `form:"moderatie" binding:"max=10"`
	SubmitUntil     string `form:"indienen_tot" binding:"max=30"`
	SupportFrom     string `form:"steunen_vanaf" binding:"max=30"`
	SupportWho      string `form:"steun_wie" binding:"max=20"`
	SupportLoADigiD string `form:"steun_niveau_digid" binding:"max=200"`
	SupportLoAEH    string `form:"steun_niveau_eh" binding:"max=200"`
	SupportResident bool   `form:"steun_alleen_inwoners"`
	SupportMinAge   string `form:"steun_minimumleeftijd" binding:"max=10"`
}

type boardFormData struct {
	Project   *project.Project
	Form      boardForm
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
}

func (f boardForm) draft(projectID int64) (idea.BoardDraft, map[string]string) {
	pd, errs := f.pollForm.draft(projectID)
	d := idea.BoardDraft{ProjectID: projectID, Slug: pd.Slug, Title: pd.Title, Description: pd.Description, Published: f.Publish,
		Rules: pd.Rules, Themes: strings.Split(strings.ReplaceAll(f.Themes, "\r\n", "\n"), "\n")}
	st := f.settings(errs)
	d.Board = idea.Board{Moderation: st.Moderation, SubmitClosesAt: st.SubmitClosesAt, SupportOpensAt: st.SupportOpensAt,
		SupportWho: st.SupportWho, SupportMinLoADigiD: st.SupportMinLoADigiD, SupportMinLoAEH: st.SupportMinLoAEH,
		SupportResidentsOnly: st.SupportResidentsOnly, SupportMinAge: st.SupportMinAge}
	return d, errs
}

// settings reads the board's own settings (moderation, periods, who may
// support) from the form, adding field messages to errs.
func (f boardForm) settings(errs map[string]string) idea.BoardSettings {
	return idea.BoardSettings{Moderation: f.Moderation, SupportWho: f.SupportWho,
		SupportMinLoADigiD:   formLoA(identity.DigiD, f.SupportLoADigiD, "steun_niveau_digid", errs),
		SupportMinLoAEH:      formLoA(identity.EHerkenning, f.SupportLoAEH, "steun_niveau_eh", errs),
		SupportResidentsOnly: f.SupportResident,
		SupportMinAge:        formAge(f.SupportMinAge, "steun_minimumleeftijd", errs),
		SubmitClosesAt:       formTime(f.SubmitUntil, "indienen_tot", errs),
		SupportOpensAt:       formTime(f.SupportFrom, "steunen_vanaf", errs),
	}
}

func (s *Server) renderBoardForm(c *gin.Context, status int, d *boardFormData) {
	d.DigiDLoAs, d.EHLoAs = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning)
	p := s.page(c, "editor.board.new", d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "editor_board", p)
}

func (s *Server) editorBoardNew(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	d := &boardFormData{Project: p, Errors: map[string]string{}}
	d.Form.Who, d.Form.SupportWho, d.Form.Moderation = instrument.WhoAny, instrument.WhoAny, idea.PostModeration
	d.Form.MinAge, d.Form.SupportMinAge = "0", "0"
	s.renderBoardForm(c, http.StatusOK, d)
}

// editorBoardCreate stores a new idea board under a project.
func (s *Server) editorBoardCreate(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	var f boardForm
	if !s.bindForm(c, &f) {
		return
	}
	ctx := c.Request.Context()
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, s.instrumentSlugs(p.ID))
	if err != nil {
		s.fail(c, err)
		return
	}
	dr, errs := f.draft(p.ID)
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &boardFormData{Project: p, Form: f, Errors: errs}
	if len(errs) > 0 {
		s.renderBoardForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	b, err := s.ideas.CreateBoard(ctx, actorOf(c), dr)
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, s.instrumentSlugs(p.ID))
		d.Errors = fields
		s.renderBoardForm(c, status, d)
	}) {
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(p.ID, 10)+"/ideeenborden/"+strconv.FormatInt(b.InstrumentID, 10))
}

// editorBoard loads the project and board of the address.
func (s *Server) editorBoard(c *gin.Context) (*project.Project, *idea.Board, bool) {
	p, ok := s.editorProject(c)
	if !ok {
		return nil, nil, false
	}
	iid, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	b, err := s.ideas.Board(c.Request.Context(), iid)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	if b.Instrument.ProjectID != p.ID {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	return p, b, true
}

type editorBoardData struct {
	Project  *project.Project
	Board    *idea.Board
	Page     idea.Page
	Status   string
	Statuses []idea.Status
}

// PageURL links to another page of the editors' list.
func (d editorBoardData) PageURL(n int) string {
	u := "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10) + "/ideeenborden/" + strconv.FormatInt(d.Board.InstrumentID, 10) + "?pagina=" + strconv.Itoa(n)
	if d.Status != "" {
		u += "&status=" + d.Status
	}
	return u
}

// ThemeName names an idea's theme.
func (d editorBoardData) ThemeName(id *int64) string { return d.Board.ThemeName(id) }

// editorBoardIdeas lists every idea of a board, newest first, for editors.
func (s *Server) editorBoardIdeas(c *gin.Context) {
	p, b, ok := s.editorBoard(c)
	if !ok {
		return
	}
	d := editorBoardData{Project: p, Board: b, Statuses: append(append([]idea.Status{}, idea.EditorStatuses...), idea.StatusWithdrawn)}
	q := idea.Query{Sort: idea.SortNewest, All: true}
	for _, st := range d.Statuses {
		if c.Query("status") == string(st) {
			d.Status, q.Status = string(st), st
		}
	}
	q.Page, _ = strconv.Atoi(c.Query("pagina"))
	var err error
	if d.Page, err = s.ideas.List(c.Request.Context(), b.InstrumentID, q); err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title, page.StaffArea, page.Nav = b.Instrument.Title, true, "staff-projects"
	s.html(c, http.StatusOK, "editor_board_ideas", page)
}

type editorIdeaData struct {
	Project  *project.Project
	Board    *idea.Board
	Idea     *idea.Idea
	History  []idea.StatusChange
	Statuses []idea.Status
	Status   string
	Response string
	Errors   map[string]string
}

// BoardURL is the editors' list of this board.
func (d editorIdeaData) BoardURL() string {
	return "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10) + "/ideeenborden/" + strconv.FormatInt(d.Board.InstrumentID, 10)
}

func (s *Server) loadEditorIdea(c *gin.Context) (*editorIdeaData, bool) {
	p, b, ok := s.editorBoard(c)
	if !ok {
		return nil, false
	}
	id, err := strconv.ParseInt(c.Param("idea"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	i, err := s.ideas.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if i.InstrumentID != b.InstrumentID {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	d := &editorIdeaData{Project: p, Board: b, Idea: i, Statuses: idea.EditorStatuses, Status: string(i.Status), Errors: map[string]string{}}
	if d.History, err = s.ideas.History(c.Request.Context(), i.ID); err != nil {
		s.fail(c, err)
		return nil, false
	}
	return d, true
}

func (s *Server) renderEditorIdea(c *gin.Context, status int, d *editorIdeaData) {
	page := s.page(c, "", d)
	page.Title, page.StaffArea, page.Nav = d.Idea.Title, true, "staff-projects"
	s.html(c, status, "editor_idea", page)
}

// editorIdea shows an idea with its history and the status form.
func (s *Server) editorIdea(c *gin.Context) {
	d, ok := s.loadEditorIdea(c)
	if !ok {
		return
	}
	s.renderEditorIdea(c, http.StatusOK, d)
}

// editorIdeaStatus gives an idea a new status with a written response.
func (s *Server) editorIdeaStatus(c *gin.Context) {
	d, ok := s.loadEditorIdea(c)
	if !ok {
		return
	}
	d.Status, d.Response = c.PostForm("status"), c.PostForm("reactie")
	if len(d.Response) > 4*idea.MaxResponse+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	err := s.ideas.SetStatus(c.Request.Context(), actorOf(c), d.Idea.ID, idea.Status(d.Status), d.Response)
	// A refusal without fields (a status the idea cannot go to) is shown
	// at the status field.
	if s.refusedAt(c, err, "status", func(status int, fields map[string]string) {
		d.Errors = fields
		s.renderEditorIdea(c, status, d)
	}) {
		return
	}
	s.done(c, d.BoardURL()+"/ideeen/"+strconv.FormatInt(d.Idea.ID, 10))
}

type boardSettingsData struct {
	Project   *project.Project
	Board     *idea.Board
	Form      boardForm
	Names     map[int64]string
	Removed   map[int64]bool
	NewTheme  string
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
}

// BoardURL is the editors' list of this board.
func (d *boardSettingsData) BoardURL() string {
	return "/beheer/projecten/" + strconv.FormatInt(d.Project.ID, 10) + "/ideeenborden/" + strconv.FormatInt(d.Board.InstrumentID, 10)
}

// ThemeField is the form field of a theme's name.
func (d *boardSettingsData) ThemeField(id int64) string { return "thema-" + strconv.FormatInt(id, 10) }

func (s *Server) renderBoardSettings(c *gin.Context, status int, d *boardSettingsData) {
	d.DigiDLoAs, d.EHLoAs = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning)
	page := s.page(c, "", d)
	page.Title, page.StaffArea, page.Nav = s.cat.T(langOf(c), "editor.board.settings_title", d.Board.Instrument.Title), true, "staff-projects"
	s.html(c, status, "editor_board_settings", page)
}

// localInput formats a time for a datetime-local field.
func localInput(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.In(i18n.Location).Format(dateTimeLocal)
}

// editorBoardSettings shows the board's own settings and themes.
func (s *Server) editorBoardSettings(c *gin.Context) {
	p, b, ok := s.editorBoard(c)
	if !ok {
		return
	}
	d := &boardSettingsData{Project: p, Board: b, Names: map[int64]string{}, Removed: map[int64]bool{}, Errors: map[string]string{}}
	d.Form.Moderation, d.Form.SubmitUntil, d.Form.SupportFrom = b.Moderation, localInput(b.SubmitClosesAt), localInput(b.SupportOpensAt)
	d.Form.SupportWho, d.Form.SupportLoADigiD, d.Form.SupportLoAEH = b.SupportWho, b.SupportMinLoADigiD, b.SupportMinLoAEH
	d.Form.SupportResident, d.Form.SupportMinAge = b.SupportResidentsOnly, strconv.Itoa(b.SupportMinAge)
	for _, t := range b.Themes {
		d.Names[t.ID] = t.Name
	}
	s.renderBoardSettings(c, http.StatusOK, d)
}

// editorBoardSettingsSave stores the board's settings and themes.
func (s *Server) editorBoardSettingsSave(c *gin.Context) {
	p, b, ok := s.editorBoard(c)
	if !ok {
		return
	}
	var f boardForm
	if !s.bindForm(c, &f) {
		return
	}
	d := &boardSettingsData{Project: p, Board: b, Form: f, Names: map[int64]string{}, Removed: map[int64]bool{},
		NewTheme: c.PostForm("nieuw_thema"), Errors: map[string]string{}}
	st := f.settings(d.Errors)
	st.Rename = map[int64]string{}
	for _, t := range b.Themes {
		name := c.PostForm(d.ThemeField(t.ID))
		if len(name) > 4*idea.MaxThemeName {
			s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
			return
		}
		d.Names[t.ID] = name
		st.Rename[t.ID] = name
	}
	for _, v := range c.PostFormArray("verwijder") {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			st.Remove = append(st.Remove, id)
			d.Removed[id] = true
		}
	}
	if len(d.NewTheme) > 4*idea.MaxThemeName {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	st.Add = []string{d.NewTheme}
	if len(d.Errors) > 0 {
		s.renderBoardSettings(c, http.StatusUnprocessableEntity, d)
		return
	}
	err := s.ideas.UpdateBoard(c.Request.Context(), actorOf(c), b.InstrumentID, st)
	if s.refused(c, err, func(status int, fields map[string]string) {
		d.Errors = fields
		s.renderBoardSettings(c, status, d)
	}) {
		return
	}
	s.done(c, d.BoardURL())
}

// BoardFieldsData is what the board-moderation and board-support partials
// receive.
type BoardFieldsData struct {
	P         *Page
	F         boardForm
	E         map[string]string
	DigiD, EH []string
}

// BoardFields pairs a board form with the page.
func (p *Page) BoardFields(f boardForm, e map[string]string, digid, eh []string) BoardFieldsData {
	return BoardFieldsData{P: p, F: f, E: e, DigiD: digid, EH: eh}
}
