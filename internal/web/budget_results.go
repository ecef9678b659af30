package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// resultPlan is one plan in the result of its area.
type resultPlan struct {
	ID     int64
	Title  string
	Cost   int64
	Votes  int64
	Points int64
	Chosen bool
	// Why says in B1 why it was or was not chosen (translated).
	Why string
	// Percent of the area's ballots that chose it.
	Percent float64
}

// resultArea is one area's outcome.
type resultArea struct {
	Wijk    string
	Amount  int64
	Spent   int64
	Left    int64
	Ballots int64
	Plans   []resultPlan
}

// resultChannel is the number of ballots of one channel.
type resultChannel struct {
	Channel string
	Ballots int64
	Votes   int64
}

// budgetResultsData is the results page's data (public and staff).
type budgetResultsData struct {
	Project  *project.Project
	In       instrumentView
	B        *budget.Budget
	Areas    []resultArea
	Channels []resultChannel
	Ballots  int64
	Staff    bool
	// Decided: the count names winners (after voting closed).
	Decided bool
}

// IsPoints reports the points method.
func (d *budgetResultsData) IsPoints() bool { return d.B.Method == budget.MethodPoints }

// budgetResultsOf builds the result from the budget service.
func (s *Server) budgetResultsOf(c *gin.Context, b *budget.Budget, d *budgetResultsData) error {
	counts, err := s.budgets.Tallies(c.Request.Context(), b.InstrumentID)
	if err != nil {
		return err
	}
	perChannel := map[budget.Channel]int64{}
	for _, a := range b.Areas {
		ra := resultArea{Wijk: a.Wijk, Amount: a.Amount}
		for _, pl := range b.Plans {
			if pl.AreaID != a.ID {
				continue
			}
			rp := resultPlan{ID: pl.ID, Title: pl.Title, Cost: pl.Cost}
			for ch, n := range counts[pl.ID] {
				rp.Votes += n.Votes
				rp.Points += n.Points
				perChannel[ch] += n.Votes
			}
			ra.Plans = append(ra.Plans, rp)
		}
		d.Areas = append(d.Areas, ra)
	}
	for _, ch := range budget.Channels {
		d.Channels = append(d.Channels, resultChannel{Channel: string(ch), Votes: perChannel[ch]})
	}
	return nil
}

// BudgetChart draws an area's plans by votes (or points), each bar the
// share of the most chosen plan, with the number beside it.
func (p *Page) BudgetChart(id string, d *budgetResultsData, a resultArea) BarChart {
	title := p.T("begroting.results.chart_title")
	if a.Wijk != "" {
		title = p.T("begroting.results.chart_title_wijk", a.Wijk)
	}
	ch := BarChart{ID: id, Title: title}
	var top int64 = 1
	for _, pl := range a.Plans {
		top = max(top, pl.Votes, pl.Points)
	}
	for i, pl := range a.Plans {
		n := pl.Votes
		value := p.N("begroting.results.votes", pl.Votes)
		if d.IsPoints() {
			n, value = pl.Points, p.N("begroting.points.count", pl.Points)
		}
		ch.Bars = append(ch.Bars, Bar{Label: pl.Title, Value: value, Width: float64(n) * 100 / float64(top), Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}

func (s *Server) renderBudgetResults(c *gin.Context, p *project.Project, in *instrument.Instrument, staff bool) {
	b, err := s.budgets.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := &budgetResultsData{Project: p, B: b, In: s.viewInstrument(c, p, *in), Staff: staff}
	if err := s.budgetResultsOf(c, b, d); err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title = s.cat.T(langOf(c), "begroting.results.heading") + ": " + in.Title
	if staff {
		page.StaffArea, page.Nav = true, "staff-results"
	} else {
		page.Nav = "projects"
	}
	s.html(c, http.StatusOK, "budget_results", page)
}

// budgetResultsPublic is the result on the site, once published.
func (s *Server) budgetResultsPublic(c *gin.Context) {
	p, in, ok := s.budgetInstrument(c)
	if !ok {
		return
	}
	b, err := s.budgets.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if b.ResultPublishedAt == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	s.renderBudgetResults(c, p, in, false)
}

// budgetResultsStaff is the result for analysts and editors, at any time.
func (s *Server) budgetResultsStaff(c *gin.Context) {
	iid, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil || iid < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	ctx := c.Request.Context()
	in, err := s.instruments.GetOfKind(ctx, iid, instrument.KindBudget)
	if err != nil {
		s.fail(c, err)
		return
	}
	p, err := s.projects.Get(ctx, in.ProjectID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderBudgetResults(c, p, in, true)
}
