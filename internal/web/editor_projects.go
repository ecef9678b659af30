package web

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/i18n"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/project"
)

// projectForm is what the editor's project form posts. Bounds here keep
// hostile input small before the domain's own rules look at it.
type projectForm struct {
	Slug    string   `form:"slug" binding:"max=200"`
	Title   string   `form:"titel" binding:"max=1000"`
	Summary string   `form:"samenvatting" binding:"max=5000"`
	Body    string   `form:"tekst" binding:"max=100000"`
	Wijk    string   `form:"wijk" binding:"max=200"`
	PTitle  []string `form:"fase_titel" binding:"max=40,dive,max=500"`
	PStart  []string `form:"fase_begin" binding:"max=40,dive,max=20"`
	PEnd    []string `form:"fase_eind" binding:"max=40,dive,max=20"`
	PDesc   []string `form:"fase_uitleg" binding:"max=40,dive,max=2000"`
	Alt     string   `form:"alt" binding:"max=1000"`
	NoImage bool     `form:"geen_afbeelding"`
	// Image is the current image's address (not posted; kept for re-showing).
	Image string `form:"-"`
}

// phaseRow is one row of the phases table in the form.
type phaseRow struct {
	Title, Start, End, Description string
}

type projectFormData struct {
	ID          int64
	Form        projectForm
	Phases      []phaseRow
	Errors      map[string]string
	Status      project.Status
	Moves       []project.Status
	Instruments []instrument.Instrument
	PublicURL   string
}

const phaseRows = 8

func (d *projectFormData) padPhases() {
	for len(d.Phases) < phaseRows {
		d.Phases = append(d.Phases, phaseRow{})
	}
}

// draft turns the form into a project draft; bad dates are reported per
// field like any other mistake.
func (f projectForm) draft() (project.Draft, map[string]string) {
	d := project.Draft{Slug: strings.ToLower(strings.TrimSpace(f.Slug)), Title: f.Title, Summary: f.Summary, Body: f.Body, Wijk: f.Wijk,
		ImagePath: f.Image, ImageAlt: f.Alt}
	errs := map[string]string{}
	for i := range f.PTitle {
		title := strings.TrimSpace(f.PTitle[i])
		start, end, desc := at(f.PStart, i), at(f.PEnd, i), at(f.PDesc, i)
		if title == "" && start == "" && end == "" && strings.TrimSpace(desc) == "" {
			continue
		}
		ph := project.PhaseDraft{Title: title, Description: desc}
		if start != "" {
			t, err := time.ParseInLocation("2006-01-02", start, i18n.Location)
			if err != nil {
				errs["phases"] = "project.error.phase_date"
				continue
			}
			ph.StartsOn = t
		}
		if end != "" {
			t, err := time.ParseInLocation("2006-01-02", end, i18n.Location)
			if err != nil {
				errs["phases"] = "project.error.phase_date"
				continue
			}
			t = t.AddDate(0, 0, 1).Add(-time.Second) // through the end of that day
			ph.EndsOn = &t
		}
		d.Phases = append(d.Phases, ph)
	}
	return d, errs
}

func at(xs []string, i int) string {
	if i < len(xs) {
		return strings.TrimSpace(xs[i])
	}
	return ""
}

func rowsOf(f projectForm) []phaseRow {
	var rows []phaseRow
	for i := range f.PTitle {
		rows = append(rows, phaseRow{Title: f.PTitle[i], Start: at(f.PStart, i), End: at(f.PEnd, i), Description: at(f.PDesc, i)})
	}
	return rows
}

func formOf(p *project.Project) (projectForm, []phaseRow) {
	f := projectForm{Slug: p.Slug, Title: p.Title, Summary: p.Summary, Body: p.Body, Wijk: p.Wijk, Alt: p.ImageAlt, Image: p.ImagePath}
	var rows []phaseRow
	for _, ph := range p.Phases {
		r := phaseRow{Title: ph.Title, Description: ph.Description, Start: ph.StartsOn.In(i18n.Location).Format("2006-01-02")}
		if ph.EndsOn != nil {
			r.End = ph.EndsOn.In(i18n.Location).Format("2006-01-02")
		}
		rows = append(rows, r)
	}
	return f, rows
}

// editorProjects lists every project for editors.
func (s *Server) editorProjects(c *gin.Context) {
	list, err := s.projects.ListAll(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	p := s.page(c, "editor.projects.title", list)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, http.StatusOK, "editor_projects", p)
}

func (s *Server) editorProjectNew(c *gin.Context) {
	d := &projectFormData{Errors: map[string]string{}}
	d.padPhases()
	s.renderProjectForm(c, http.StatusOK, d)
}

func (s *Server) renderProjectForm(c *gin.Context, status int, d *projectFormData) {
	title := "editor.project.new"
	if d.ID != 0 {
		title = "editor.project.edit"
	}
	p := s.page(c, title, d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "editor_project", p)
}

// editorProjectCreate stores a new draft project.
func (s *Server) editorProjectCreate(c *gin.Context) {
	var f projectForm
	if !s.bindForm(c, &f) {
		return
	}
	s.takeImage(c, &f, "")
	ctx := c.Request.Context()
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, s.projects.FreeSlug)
	if err != nil {
		s.fail(c, err)
		return
	}
	dr, errs := f.draft()
	if e := c.GetString(imageErrorKey); e != "" {
		errs["image"] = e
	}
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &projectFormData{Form: f, Phases: rowsOf(f), Errors: errs}
	d.padPhases()
	if len(errs) > 0 {
		s.renderProjectForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	p, err := s.projects.Create(ctx, actorOf(c), dr)
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, s.projects.FreeSlug)
		d.Errors = fields
		s.renderProjectForm(c, status, d)
	}) {
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(p.ID, 10))
}

func (s *Server) editorProjectEdit(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	f, rows := formOf(p)
	d := &projectFormData{ID: p.ID, Form: f, Phases: rows, Errors: map[string]string{}}
	if err := s.fillProjectExtras(c, d, p); err != nil {
		s.fail(c, err)
		return
	}
	d.padPhases()
	s.renderProjectForm(c, http.StatusOK, d)
}

func (s *Server) fillProjectExtras(c *gin.Context, d *projectFormData, p *project.Project) error {
	d.Status = p.Status
	for _, to := range []project.Status{project.StatusPublished, project.StatusClosed, project.StatusArchived, project.StatusDraft} {
		if project.CanMove(p.Status, to) {
			d.Moves = append(d.Moves, to)
		}
	}
	if p.Status.Public() {
		d.PublicURL = "/projecten/" + p.Slug
	} else {
		d.PublicURL = "/beheer/projecten/" + strconv.FormatInt(p.ID, 10) + "/voorbeeld"
	}
	ins, err := s.instruments.ListAll(c.Request.Context(), p.ID)
	d.Instruments = ins
	return err
}

// editorProjectUpdate saves changes to a project.
func (s *Server) editorProjectUpdate(c *gin.Context) {
	current, ok := s.editorProject(c)
	if !ok {
		return
	}
	id := current.ID
	var f projectForm
	if !s.bindForm(c, &f) {
		return
	}
	s.takeImage(c, &f, current.ImagePath)
	ctx := c.Request.Context()
	// An emptied address: a published one stays as it is (it is on
	// posters); a draft's comes from the title again.
	free := func(ctx context.Context, base string) (string, error) {
		if base == current.Slug {
			return base, nil
		}
		return s.projects.FreeSlug(ctx, base)
	}
	if strings.TrimSpace(f.Slug) == "" && current.Status != project.StatusDraft {
		f.Slug = current.Slug
	}
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, free)
	if err != nil {
		s.fail(c, err)
		return
	}
	dr, errs := f.draft()
	if e := c.GetString(imageErrorKey); e != "" {
		errs["image"] = e
	}
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &projectFormData{ID: id, Form: f, Phases: rowsOf(f), Errors: errs}
	if err := s.fillProjectExtras(c, d, current); err != nil {
		s.fail(c, err)
		return
	}
	d.padPhases()
	if len(errs) > 0 {
		s.renderProjectForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err = s.projects.Update(ctx, actorOf(c), id, dr)
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, free)
		d.Errors = fields
		s.renderProjectForm(c, status, d)
	}) {
		return
	}
	s.done(c, "/beheer/projecten/"+strconv.FormatInt(id, 10))
}

// editorProjectMove publishes, closes, archives or withdraws a project.
func (s *Server) editorProjectMove(c *gin.Context) {
	id, ok := s.projectID(c)
	if !ok {
		return
	}
	to := project.Status(c.PostForm("naar"))
	switch to {
	case project.StatusPublished:
		// Publishing goes through its confirmation page, which checks
		// what is missing first (editor_publish.go).
		c.Redirect(http.StatusSeeOther, "/beheer/projecten/"+strconv.FormatInt(id, 10)+"/publiceren")
		return
	case project.StatusDraft, project.StatusClosed, project.StatusArchived:
	default:
		s.renderStatus(c, http.StatusUnprocessableEntity, "project.error.transition_not_allowed")
		return
	}
	if err := s.projects.Move(c.Request.Context(), actorOf(c), id, to); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "status_changed")
	c.Redirect(http.StatusSeeOther, "/beheer/projecten/"+strconv.FormatInt(id, 10))
}

const imageErrorKey = "inspraak.image_error"

// takeImage stores an uploaded image (if any) and sets the form's image:
// the new one, the current one, or none when the editor removed it. A bad
// file is reported on the form; nothing else is lost.
func (s *Server) takeImage(c *gin.Context, f *projectForm, current string) {
	f.Image = current
	if f.NoImage {
		f.Image, f.Alt = "", ""
	}
	fh, err := c.FormFile("afbeelding")
	if err != nil {
		return // no file chosen
	}
	if fh.Size > media.MaxBytes {
		c.Set(imageErrorKey, "media.error.too_large")
		return
	}
	file, err := fh.Open()
	if err != nil {
		c.Set(imageErrorKey, "media.error.broken")
		return
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
	if err != nil {
		c.Set(imageErrorKey, "media.error.broken")
		return
	}
	path, err := s.media.Store(c.Request.Context(), data)
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		c.Set(imageErrorKey, e.Fields["image"])
		return
	}
	if err != nil {
		c.Set(imageErrorKey, "media.error.broken")
		s.log.ErrorContext(c.Request.Context(), "storing image failed", "error", err.Error())
		return
	}
	f.Image = path
}

// imageServe serves an uploaded image by its content hash, cacheable for
// a year since its address changes with its content.
func (s *Server) imageServe(c *gin.Context) {
	name := c.Param("name")
	sha, ext, _ := strings.Cut(name, ".")
	img, err := s.media.Get(c.Request.Context(), sha)
	if err != nil || media.Ext(img.ContentType) != "."+ext {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	c.Set(skipCompressionKey, true)
	c.Header("Cache-Control", "public, max-age=31536000, immutable")
	c.Header("Content-Security-Policy", "default-src 'none'; sandbox")
	c.Data(http.StatusOK, img.ContentType, img.Data)
}
