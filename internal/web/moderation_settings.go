package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation"
)

type modSettingsData struct {
	Form   moderation.Settings
	Raw    map[string]string
	Errors map[string]string
	Detail string // what is wrong in the word list
}

func (s *Server) modSettings(c *gin.Context) {
	st, err := s.moderation.CurrentSettings(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	raw := map[string]string{"drempel": strconv.Itoa(st.Threshold), "samenvatting": strconv.Itoa(st.DigestMinutes)}
	s.html(c, http.StatusOK, "mod_settings", s.staffPage(c, "moderation.settings.title", modSettingsData{Form: st, Raw: raw}, "staff-moderation"))
}

func (s *Server) modSettingsSave(c *gin.Context) {
	raw := map[string]string{"drempel": c.PostForm("drempel"), "samenvatting": c.PostForm("samenvatting")}
	in := moderation.Settings{Words: c.PostForm("woorden")}
	if len(in.Words) > 200000 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	errs := map[string]string{}
	var err error
	if in.Threshold, err = strconv.Atoi(raw["drempel"]); err != nil {
		errs["drempel"] = "moderation.error.threshold"
	}
	if in.DigestMinutes, err = strconv.Atoi(raw["samenvatting"]); err != nil {
		errs["samenvatting"] = "moderation.error.digest"
	}
	d := modSettingsData{Form: in, Raw: raw}
	if len(errs) == 0 {
		err = s.moderation.UpdateSettings(c.Request.Context(), modStaff(c), in)
		if err == nil {
			s.setFlash(c, "saved")
			c.Redirect(http.StatusSeeOther, "/beheer/moderatie/instellingen")
			return
		}
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid {
			s.fail(c, err)
			return
		}
		errs = e.Fields
		if len(e.Args) > 0 {
			d.Detail, _ = e.Args[0].(string)
		}
	}
	d.Errors = errs
	s.html(c, http.StatusUnprocessableEntity, "mod_settings", s.staffPage(c, "moderation.settings.title", d, "staff-moderation"))
}
