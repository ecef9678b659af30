package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
)

// Published results on the site: the aggregates after small-cell
// suppression, with charts and tables, and the same figures as open data.

type publicResultsData struct {
	Project *project.Project
	In      instrumentView
	*results.PublicResults
}

// loadPublicResults finds a consultation whose results are published and
// suppresses its figures.
func (s *Server) loadPublicResults(c *gin.Context) (*publicResultsData, bool) {
	ctx := c.Request.Context()
	in, _, err := s.instruments.GetPublishedBySlugs(ctx, c.Param("slug"), c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if in.Kind != instrument.KindConsultation {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	at, err := s.results.Published(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if at == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	p, err := s.projects.GetPublic(ctx, c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	cons, err := s.consultations.Get(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	view := s.viewInstrument(c, p, *in)
	if err := s.withOutcomes(ctx, &view); err != nil {
		s.fail(c, err)
		return nil, false
	}
	pr, err := s.results.PublicOf(ctx, cons, in.Open(p.Status, s.now()))
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return &publicResultsData{Project: p, In: view, PublicResults: pr}, true
}

func (s *Server) publicResults(c *gin.Context) {
	if s.publicBudget(c, func(c *gin.Context, p *project.Project, in *instrument.Instrument) {
		// A budget's results page is its uitslag.
		c.Redirect(http.StatusSeeOther, "/projecten/"+p.Slug+"/"+in.Slug+"/uitslag")
	}) {
		return
	}
	d, ok := s.loadPublicResults(c)
	if !ok {
		return
	}
	page := s.page(c, "", d)
	page.Title, page.Nav = page.T("results.public.title", d.In.Title), "projects"
	s.html(c, http.StatusOK, "results_public", page)
}

// publicBudget hands a request for a published instrument's results to h
// when the instrument is a budget, and reports whether it did.
func (s *Server) publicBudget(c *gin.Context, h func(*gin.Context, *project.Project, *instrument.Instrument)) bool {
	in, _, err := s.instruments.GetPublishedBySlugs(c.Request.Context(), c.Param("slug"), c.Param("instrument"))
	if err != nil || in.Kind != instrument.KindBudget {
		return false // the caller answers
	}
	p, err := s.projects.GetPublic(c.Request.Context(), c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return true
	}
	h(c, p, in)
	return true
}

// openDataRow is one published figure.
type openDataRow struct {
	Question string `json:"question"`
	Kind     string `json:"kind"`
	Answer   string `json:"answer"`
	Count    string `json:"count"`
}

func openData(d *publicResultsData) []openDataRow {
	var rows []openDataRow
	for _, q := range d.Questions {
		rows = append(rows, openDataRow{Question: q.Text, Kind: string(q.Kind), Answer: "(beantwoord)", Count: q.Base})
		for i, l := range q.Labels {
			rows = append(rows, openDataRow{Question: q.Text, Kind: string(q.Kind), Answer: l, Count: q.Counts[i]})
		}
	}
	return rows
}

// publicResultsOpenData writes the published figures as CSV or JSON.
func (s *Server) publicResultsOpenData(c *gin.Context) {
	if s.publicBudget(c, s.budgetOpenData) {
		return
	}
	if f := c.Param("format"); f != "csv" && f != "json" {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	d, ok := s.loadPublicResults(c)
	if !ok {
		return
	}
	name := "uitkomsten-" + d.Project.Slug + "-" + d.In.Slug
	rows := openData(d)
	c.Header("Cache-Control", "public, max-age=300")
	if c.Param("format") == "json" {
		c.Header("Content-Disposition", `attachment; filename="`+name+`.json"`)
		c.Header("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(c.Writer).Encode(map[string]any{"instrument": d.In.Title, "project": d.Project.Title,
			"submitted": d.Submitted, "min_cell": d.K, "figures": rows})
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	_, _ = c.Writer.WriteString("\uFEFF")
	w := csv.NewWriter(c.Writer)
	_ = w.Write([]string{"vraag", "soort", "antwoord", "aantal"})
	// The CSV is for people: the kind of question in Dutch, as editors
	// name it (the JSON keeps the codes its description lists).
	nl := s.cat
	for _, r := range rows {
		_ = w.Write([]string{r.Question, nl.T("nl", "editor.kind."+r.Kind), r.Answer, r.Count})
	}
	w.Flush()
}

// PublicShare is a count as a percentage of the base, or "" when either is
// hidden.
func (p *Page) PublicShare(count, base string) string {
	n, err1 := strconv.ParseFloat(count, 64)
	b, err2 := strconv.ParseFloat(base, 64)
	if err1 != nil || err2 != nil || b == 0 {
		return ""
	}
	return p.Percent(n * 100 / b)
}

// PublicChart draws the shown counts of a public question; hidden ones get
// no bar.
func (p *Page) PublicChart(id string, q results.PublicQuestion) BarChart {
	ch := BarChart{ID: id, Title: q.Text}
	b, _ := strconv.ParseFloat(q.Base, 64)
	for i, l := range q.Labels {
		n, err := strconv.ParseFloat(q.Counts[i], 64)
		w, v := 0.0, q.Counts[i]
		if err == nil && b > 0 {
			w = n * 100 / b
			v = p.Percent(w)
		}
		ch.Bars = append(ch.Bars, Bar{Label: l, Value: v, Width: w, Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}
