package web

import (
	"net/http"
	"sort"
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
	Round  int
	// Why says in B1 why it was or was not chosen (translated).
	Why string
	// Percent of the area's ballots that chose it.
	Percent float64
}

// resultArea is one area's outcome.
type resultArea struct {
	ID      int64
	Wijk    string
	Amount  int64
	Spent   int64
	Left    int64
	Ballots int64
	// OpenBallots: the area's ballots may be published one by one (the
	// public .pb file): at least the small-count threshold of them.
	OpenBallots bool
	Plans       []resultPlan
	// ByWijk is the protected breakdown per wijk (a budget not divided
	// per wijk), nil otherwise.
	ByWijk *budget.WijkBreakdown
	// ByChannel is the protected table of votes per channel and plan.
	ByChannel *budget.ChannelBreakdown
	// PlanOrder are the plan titles in the count's order (the breakdown's
	// columns).
	PlanOrder []string
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
	// Uncounted: paper ballots in batches not checked yet; Invalid: paper
	// ballots that could not be counted.
	Uncounted, Invalid int64
	Staff              bool
	// Decided: the count names winners (after voting closed).
	Decided bool
}

// IsPoints reports the points method.
func (d *budgetResultsData) IsPoints() bool { return d.B.Method == budget.MethodPoints }

// budgetResultsOf builds the result from budget.Results: per area the
// plans with their votes and, once counted, which won and why in words;
// the ballots per channel and the one total.
func (s *Server) budgetResultsOf(c *gin.Context, b *budget.Budget, d *budgetResultsData) error {
	r, err := s.budgets.Results(c.Request.Context(), b.InstrumentID)
	if err != nil {
		return err
	}
	lang := langOf(c)
	eur := func(cents int64) string { return formatEuros(cents, lang) }
	d.Ballots, d.Uncounted, d.Invalid = r.Total, r.Uncounted, r.Invalid
	for _, ch := range budget.Channels {
		d.Channels = append(d.Channels, resultChannel{Channel: string(ch), Ballots: r.Ballots[ch]})
	}
	for _, ar := range r.Areas {
		ra := resultArea{ID: ar.Area.ID, Wijk: ar.Area.Wijk, Amount: ar.Area.Amount, Ballots: ar.Ballots, ByWijk: ar.ByWijk, ByChannel: ar.ByChannel,
			OpenBallots: ballotsMayBeOpen(r, ar)}
		results := map[int]budget.PlanResult{}
		if o := ar.Outcome; o != nil {
			d.Decided = true
			ra.Spent, ra.Left = o.Spent, ar.Area.Amount-o.Spent
			for _, pr := range o.Plans {
				results[pr.Index] = pr
			}
		}
		for i, pl := range ar.Plans {
			ra.PlanOrder = append(ra.PlanOrder, pl.Title)
			rp := resultPlan{ID: pl.ID, Title: pl.Title, Cost: pl.Cost}
			for _, n := range ar.Votes[pl.ID] {
				rp.Votes += n.Votes
				rp.Points += n.Points
			}
			if ar.Ballots > 0 {
				rp.Percent = float64(rp.Votes) * 100 / float64(ar.Ballots)
			}
			if pr, ok := results[i]; ok {
				rp.Chosen, rp.Round = pr.Status == "selected", pr.Round
				rp.Why = s.whyText(lang, pl, pr, eur)
			}
			ra.Plans = append(ra.Plans, rp)
		}
		if d.Decided {
			// The chosen plans in the order they were chosen, then the
			// others by votes.
			sort.SliceStable(ra.Plans, func(i, j int) bool {
				a, b := ra.Plans[i], ra.Plans[j]
				if a.Chosen != b.Chosen {
					return a.Chosen
				}
				if a.Chosen {
					return a.Round < b.Round
				}
				return a.Votes+a.Points > b.Votes+b.Points
			})
		}
		d.Areas = append(d.Areas, ra)
	}
	return nil
}

// whyText says in B1 why a plan was or was not chosen, from the count's
// own numbers (PlanResult.Explain).
func (s *Server) whyText(lang string, pl budget.Plan, pr budget.PlanResult, eur func(int64) string) string {
	ex := func(k string) int64 { return pr.Explain[k] }
	switch pr.Status {
	case "selected":
		switch pr.Phase {
		case "equal_shares":
			paid := pr.PaidBySupporters
			if paid == 0 {
				paid = pl.Cost
			}
			return s.cat.T(lang, "begroting.why.equal_shares", eur(paid))
		case "completion":
			return s.cat.T(lang, "begroting.why.completion", eur(pl.Cost))
		case "greedy_fill":
			return s.cat.T(lang, "begroting.why.greedy_fill", eur(ex("remaining")))
		}
		return s.cat.T(lang, "begroting.why.greedy", eur(ex("remaining")))
	case "too_expensive":
		return s.cat.T(lang, "begroting.why.too_expensive", eur(ex("remaining")))
	case "not_affordable":
		return s.cat.T(lang, "begroting.why.not_affordable", eur(ex("supporters_money")), eur(ex("remaining")))
	case "no_votes":
		return s.cat.T(lang, "begroting.why.no_votes")
	}
	return ""
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

// ballotsMayBeOpen says whether an area's ballots may be published one by
// one, as the public pabulib file does: only when at least the small-count
// threshold of people voted there. A ballot of three plans in a wijk where
// two people voted tells more about them than the totals per plan do.
// Staff with the results permission can still download every area's file.
func ballotsMayBeOpen(r *budget.Results, ar budget.AreaResult) bool {
	return ar.Ballots >= int64(r.Threshold)
}
