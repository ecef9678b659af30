package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation"
)

// modDecide carries out approve, reject, hide or restore.
func (s *Server) modDecide(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	form := modDecisionForm{Action: c.PostForm("besluit"), Note: c.PostForm("toelichting"),
		NotPersonalData: c.PostForm("geen_persoonsgegevens") == "ja"}
	if v := c.PostForm("sjabloon"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.modRefused(c, modItemData{D: d, Form: form}, apperror.Invalid.WithFields(map[string]string{"sjabloon": "moderation.error.template_unknown"}))
			return
		}
		form.TemplateID = n
	}
	if len(form.Note) > 4*moderation.MaxReason+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	err := s.moderation.Decide(c.Request.Context(), modStaff(c), d.ID,
		moderation.Decision{Action: form.Action, TemplateID: form.TemplateID, Note: form.Note, NotPersonalData: form.NotPersonalData})
	if err != nil {
		s.modRefused(c, modItemData{D: d, Form: form}, err)
		return
	}
	s.setFlash(c, "decided_"+form.Action)
	if d.Waiting && c.PostForm("daarna") == "volgende" {
		// Straight on to the next item, keeping the moderator's filter.
		f, _ := queueFilter(c.PostForm)
		if id, err := s.moderation.Next(c.Request.Context(), modStaff(c), f); err == nil && id != 0 {
			c.Redirect(http.StatusSeeOther, "/beheer/moderatie/"+strconv.FormatInt(id, 10))
			return
		}
	}
	if d.Waiting {
		c.Redirect(http.StatusSeeOther, "/beheer/moderatie")
		return
	}
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}

// modRedact edits a fragment out of the contribution.
func (s *Server) modRedact(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	field, fragment := c.PostForm("veld"), c.PostForm("fragment")
	if len(fragment) > 4*moderation.MaxFragment {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if err := s.moderation.Redact(c.Request.Context(), modStaff(c), d.ID, field, fragment); err != nil {
		s.modRefused(c, modItemData{D: d, Fragment: fragment, Field: field}, err)
		return
	}
	s.setFlash(c, "redacted")
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}
