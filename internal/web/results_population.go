package web

import (
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/results"
)

// Administrators upload population figures (CSV) to compare who took part
// with who lives in the municipality.

type populationData struct {
	Shares []results.PopulationShare
	Errors []results.LineError
	Text   string
	Saved  int
}

func (s *Server) population(c *gin.Context) {
	s.renderPopulation(c, http.StatusOK, populationData{})
}

func (s *Server) renderPopulation(c *gin.Context, status int, d populationData) {
	ps, err := s.results.Population(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Shares = ps
	s.html(c, status, "results_population", s.staffPage(c, "population.title", d, "staff-results"))
}

func (s *Server) populationUpload(c *gin.Context) {
	var r io.Reader = strings.NewReader(c.PostForm("tekst"))
	text := c.PostForm("tekst")
	if fh, err := c.FormFile("bestand"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			s.fail(c, err)
			return
		}
		defer f.Close()
		r, text = f, ""
	}
	shares, errs := results.ParsePopulation(r)
	if len(errs) > 0 {
		if len(errs) > 50 {
			errs = errs[:50]
		}
		s.renderPopulation(c, http.StatusUnprocessableEntity, populationData{Errors: errs, Text: text})
		return
	}
	if err := s.results.SetPopulation(c.Request.Context(), actorOf(c), shares); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/resultaten/bevolking")
}
