package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/moderation"
)

type templatesData struct {
	Templates []moderation.Template
	Errors    map[string]string
	EditID    int64
	Form      moderation.TemplateDraft
}

func (s *Server) modTemplates(c *gin.Context) {
	s.renderTemplates(c, http.StatusOK, templatesData{})
}

func (s *Server) renderTemplates(c *gin.Context, status int, d templatesData) {
	ts, err := s.moderation.Templates(c.Request.Context(), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Templates = ts
	s.html(c, status, "mod_templates", s.staffPage(c, "moderation.templates.title", d, "staff-moderation"))
}

// modTemplateSave adds a template (no id) or changes one.
func (s *Server) modTemplateSave(c *gin.Context) {
	var id int64
	if v := c.Param("tid"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		id = n
	}
	d := moderation.TemplateDraft{Title: c.PostForm("titel"), Body: c.PostForm("tekst"), Active: c.PostForm("actief") == "ja"}
	if len(d.Title)+len(d.Body) > 4*(moderation.MaxTemplate+moderation.MaxTitle)+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	_, err := s.moderation.SaveTemplate(c.Request.Context(), modStaff(c), id, d)
	if s.refused(c, err, func(status int, fields map[string]string) {
		if id != 0 { // the fields of an existing template carry its id
			renamed := map[string]string{}
			for k, v := range fields {
				renamed[k+"-"+strconv.FormatInt(id, 10)] = v
			}
			fields = renamed
		}
		s.renderTemplates(c, status, templatesData{Errors: fields, EditID: id, Form: d})
	}) {
		return
	}
	s.setFlash(c, "saved")
	c.Redirect(http.StatusSeeOther, "/beheer/moderatie/sjablonen")
}
