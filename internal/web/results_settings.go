package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/results"
)

// Administrators may raise the smallest count that results show (the
// threshold of small-cell suppression); it never goes below the default.

type resultsSettingsData struct {
	Raw    string
	Errors map[string]string
	Min    int
	Max    int
}

func (s *Server) resultsSettings(c *gin.Context) {
	k, err := s.results.Threshold(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderResultsSettings(c, http.StatusOK, resultsSettingsData{Raw: strconv.Itoa(k)})
}

func (s *Server) renderResultsSettings(c *gin.Context, status int, d resultsSettingsData) {
	d.Min, d.Max = results.MinCell, results.MaxThreshold
	s.html(c, status, "results_settings", s.staffPage(c, "results.settings.title", d, "staff-results"))
}

func (s *Server) resultsSettingsSave(c *gin.Context) {
	raw := strings.TrimSpace(c.PostForm("drempel"))
	k, err := strconv.Atoi(raw)
	if err == nil {
		err = s.results.SetThreshold(c.Request.Context(), actorOf(c), k)
	} else {
		err = apperror.Invalid.WithFields(map[string]string{"drempel": "results.settings.error.threshold"})
	}
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		s.renderResultsSettings(c, http.StatusUnprocessableEntity, resultsSettingsData{Raw: raw, Errors: e.Fields})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/resultaten/instellingen")
}
