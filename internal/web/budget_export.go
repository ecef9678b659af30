package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
)

// A budget's results as files: the table exports (CSV, XLSX, JSON), the
// PDF report and the pabulib .pb file of an area, through the routes the
// other instruments' results use: /beheer/resultaten/:iid/export for
// analysts (on record), /projecten/:slug/:instrument/resultaten/:format
// once published. Every figure is the results page's: votes per channel
// and per wijk protected against small counts by budget.Results at the
// configured threshold, and no file holds a ballot in the order it was
// cast.

// budgetOfResults hands a /beheer/resultaten/:iid request to h when the
// instrument is a budget, and reports whether it did.
func (s *Server) budgetOfResults(c *gin.Context, h func(*gin.Context, *instrument.Instrument)) bool {
	id, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil || id < 1 {
		return false
	}
	in, err := s.instruments.GetOfKind(c.Request.Context(), id, instrument.KindBudget)
	if err != nil {
		return false // not a budget: the caller answers
	}
	h(c, in)
	return true
}

// budgetResultsStaffOf is the staff results page of a budget.
func (s *Server) budgetResultsStaffOf(c *gin.Context, in *instrument.Instrument) {
	p, err := s.projects.Get(c.Request.Context(), in.ProjectID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderBudgetResults(c, p, in, true)
}

// budgetExport sends an analyst a budget's export (formaat: csv, csv-nl,
// xlsx, json, pdf, or pb with gebied = the area); on record before the
// file is sent.
func (s *Server) budgetExport(c *gin.Context, in *instrument.Instrument) {
	ctx := c.Request.Context()
	f := c.Query("formaat")
	opt, ext, ctype, ok := exportFormat(f)
	if !ok && f != "pdf" && f != "pb" {
		s.renderStatus(c, http.StatusBadRequest, "results.error.format")
		return
	}
	r, err := s.budgets.Results(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	name := fmt.Sprintf("begroting-%d-%s", in.ID, s.clock().Format("20060102-1504"))
	switch f {
	case "pb":
		area, ok := s.budgetArea(c, r)
		if !ok {
			return
		}
		if err = s.results.MayExport(ctx, actorOf(c), in.ID, f, map[string]any{"format": f, "area": area.Area.ID}); err == nil {
			err = r.WritePabulib(area.Area.ID, &buf)
		}
		name, ctype = name+"-"+strconv.FormatInt(area.Area.ID, 10)+".pb", "text/plain; charset=utf-8"
	case "pdf":
		p := s.page(c, "", nil)
		err = s.results.ReportFor(ctx, actorOf(c), in.ID, in.Title, p.Municipality, s.clock(), p.T, s.budgetReport(p, r), &buf)
		name, ctype = name+".pdf", "application/pdf"
	default:
		err = s.results.ExportTableFor(ctx, actorOf(c), in.ID, &buf, opt, s.budgetTable(r, ""), map[string]any{"format": f})
		name += "." + ext
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	s.sendFile(c, name, ctype, buf.Bytes())
}

// budgetOpenData sends the published results of a budget as open data:
// CSV, JSON, or an area's .pb file (?gebied=).
func (s *Server) budgetOpenData(c *gin.Context, p *project.Project, in *instrument.Instrument) {
	b, err := s.budgets.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := c.Param("format")
	if b.ResultPublishedAt == nil || f != "csv" && f != "json" && f != "pb" {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	r, err := s.budgets.Results(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	name := "uitslag-" + p.Slug + "-" + in.Slug
	ctype := "text/csv; charset=utf-8"
	switch f {
	case "pb":
		area, ok := s.budgetArea(c, r)
		if !ok {
			return
		}
		if !ballotsMayBeOpen(r, *area) {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		err = r.WritePabulib(area.Area.ID, &buf)
		name, ctype = name+"-"+strconv.FormatInt(area.Area.ID, 10)+".pb", "text/plain; charset=utf-8"
	case "json":
		err = results.WriteTable(&buf, results.ExportOptions{Format: results.JSON}, s.budgetTable(r, p.Title))
		name, ctype = name+".json", "application/json; charset=utf-8"
	default:
		err = results.WriteTable(&buf, results.ExportOptions{Format: results.CSV}, s.budgetTable(r, p.Title))
		name += ".csv"
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	s.sendFile(c, name, ctype, buf.Bytes())
}

// budgetArea reads ?gebied= (an area of the budget; may be left out when
// there is one area).
func (s *Server) budgetArea(c *gin.Context, r *budget.Results) (*budget.AreaResult, bool) {
	if q := c.Query("gebied"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		for i := range r.Areas {
			if err == nil && r.Areas[i].Area.ID == id {
				return &r.Areas[i], true
			}
		}
	} else if len(r.Areas) == 1 {
		return &r.Areas[0], true
	}
	s.renderStatus(c, http.StatusNotFound, "")
	return nil, false
}

// sendFile sends a finished file as a download.
func (s *Server) sendFile(c *gin.Context, name, ctype string, body []byte) {
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, ctype, body)
}

// exportFormat is how a table export format is written and named:
// csv-nl is CSV with semicolons, for Dutch Excel.
func exportFormat(f string) (opt results.ExportOptions, ext, ctype string, ok bool) {
	switch f {
	case "csv":
		return results.ExportOptions{Format: results.CSV}, "csv", "text/csv; charset=utf-8", true
	case "csv-nl":
		return results.ExportOptions{Format: results.CSV, Semicolon: true}, "csv", "text/csv; charset=utf-8", true
	case "xlsx":
		return results.ExportOptions{Format: results.XLSX}, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", true
	case "json":
		return results.ExportOptions{Format: results.JSON}, "json", "application/json", true
	}
	return results.ExportOptions{}, "", "", false
}

// count is a published count: a number, or suppress's mark as text.
func count(s string) results.Cell {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return results.Number(float64(n))
	}
	return results.Text(s)
}

func euro(cents int64) results.Cell { return results.Number(float64(cents) / 100) }

// mesOf is the area's count by equal shares (the deciding one or the
// other), nil without a count.
func mesOf(b *budget.Budget, ar budget.AreaResult) *budget.Outcome {
	if b.Rule == budget.RuleMES {
		return ar.Outcome
	}
	return ar.Other
}

// budgetTable lays out a budget's results as a table export, in Dutch
// (the municipality's files): one row per plan with its area's wijk, cost,
// votes (points) in all and per channel, whether the deciding count and
// the other chose it, what its supporters paid under equal shares, and,
// for a budget not divided per wijk, its protected votes per wijk. The
// XLSX has the ballots per channel (and per wijk) on sheets of their own,
// the JSON in its head.
func (s *Server) budgetTable(r *budget.Results, projectTitle string) results.Table {
	nl := func(key string, args ...any) string { return s.cat.T("nl", key, args...) }
	b := r.Budget
	other := budget.RuleGreedy
	if b.Rule == budget.RuleGreedy {
		other = budget.RuleMES
	}
	points := b.Method == budget.MethodPoints
	col := func(header, key string) results.Column { return results.Column{Header: header, Key: key} }
	cols := []results.Column{col(nl("begroting.plan.wijk"), "wijk"), col("plan_id", "plan_id"), col(nl("begroting.export.plan"), "plan"),
		col(nl("begroting.export.cost"), "cost"), col(nl("begroting.export.votes"), "votes")}
	if points {
		cols = append(cols, results.Column{Header: nl("begroting.export.points"), Key: "points"})
	}
	for _, ch := range budget.Channels {
		cols = append(cols, results.Column{Header: nl("begroting.export.votes_channel", nl("begroting.channel."+string(ch))), Key: "votes_" + string(ch)})
	}
	cols = append(cols, results.Column{Header: nl("begroting.export.chosen", nl("begroting.export.rule."+b.Rule)), Key: "chosen"},
		results.Column{Header: nl("begroting.export.chosen_other", nl("begroting.export.rule."+other)), Key: "chosen_other"},
		results.Column{Header: nl("begroting.export.paid"), Key: "paid_by_supporters"})
	var wijken []string
	for _, ar := range r.Areas {
		if ar.ByWijk != nil {
			wijken = ar.ByWijk.Wijken
		}
	}
	for _, w := range wijken {
		cols = append(cols, results.Column{Header: nl("begroting.export.votes_wijk", cmp.Or(w, nl("begroting.results.wijk_unknown"))), Key: "votes_wijk_" + w})
	}
	yes := func(o *budget.Outcome, j int) results.Cell {
		switch {
		case o == nil:
			return results.Cell{}
		case o.Plans[j].Status == "selected":
			return results.Text("ja")
		}
		return results.Text("nee")
	}
	t := results.Table{Name: "Plannen", RowsKey: "plans", Columns: cols}
	var areas []map[string]any
	byWijk := map[string]string{}
	for _, ar := range r.Areas {
		areas = append(areas, map[string]any{"id": ar.Area.ID, "wijk": ar.Area.Wijk, "amount": float64(ar.Area.Amount) / 100, "ballots": ar.Ballots})
		mes := mesOf(b, ar)
		for j, pl := range ar.Plans {
			var votes, pts int64
			for _, n := range ar.Votes[pl.ID] {
				votes, pts = votes+n.Votes, pts+n.Points
			}
			row := []results.Cell{results.Text(ar.Area.Wijk), results.Number(float64(pl.ID)), results.Text(pl.Title), euro(pl.Cost), results.Number(float64(votes))}
			if points {
				row = append(row, results.Number(float64(pts)))
			}
			for _, ch := range budget.Channels {
				row = append(row, count(ar.ByChannel.Of(ch, j)))
			}
			row = append(row, yes(ar.Outcome, j), yes(ar.Other, j))
			if mes != nil {
				row = append(row, euro(mes.Plans[j].PaidBySupporters))
			} else {
				row = append(row, results.Cell{})
			}
			if bw := ar.ByWijk; bw != nil && len(bw.Votes) == len(wijken) {
				for i := range wijken {
					row = append(row, count(bw.Votes[i][j]))
				}
			}
			t.Rows = append(t.Rows, row)
		}
		if bw := ar.ByWijk; bw != nil {
			sheet := results.Sheet{Name: nl("begroting.results.by_wijk"), Rows: [][]results.Cell{{results.Text(nl("begroting.plan.wijk")), results.Text(nl("begroting.export.ballots"))}}}
			for i, w := range bw.Wijken {
				byWijk[w] = bw.Ballots[i]
				sheet.Rows = append(sheet.Rows, []results.Cell{results.Text(cmp.Or(w, nl("begroting.results.wijk_unknown"))), count(bw.Ballots[i])})
			}
			t.Extra = append(t.Extra, sheet)
		}
	}
	channels := results.Sheet{Name: nl("begroting.export.ballots"), Rows: [][]results.Cell{{results.Text(nl("begroting.results.channel")), results.Text(nl("begroting.export.ballots"))}}}
	perChannel := map[string]int64{}
	for _, ch := range budget.Channels {
		perChannel[string(ch)] = r.Ballots[ch]
		channels.Rows = append(channels.Rows, []results.Cell{results.Text(nl("begroting.channel." + string(ch))), results.Number(float64(r.Ballots[ch]))})
	}
	channels.Rows = append(channels.Rows, []results.Cell{results.Text(nl("begroting.total")), results.Number(float64(r.Total))})
	t.Extra = append([]results.Sheet{channels}, t.Extra...)
	t.Meta = map[string]any{"instrument": b.Instrument.Title, "method": b.Method, "rule": b.Rule, "min_cell": r.Threshold,
		"ballots": r.Total, "ballots_by_channel": perChannel, "uncounted_paper": r.Uncounted, "invalid_paper": r.Invalid, "areas": areas}
	if projectTitle != "" {
		t.Meta["project"] = projectTitle
	}
	if len(byWijk) > 0 {
		t.Meta["ballots_by_wijk"] = byWijk
	}
	return t
}

// budgetReport lays out the PDF report of a budget in the page's
// language: per area the plans with bars (share of the area's ballots)
// and a table (cost, votes, chosen by either count, paid by supporters),
// the votes per channel, then the ballots per channel and per wijk.
func (s *Server) budgetReport(p *Page, r *budget.Results) []results.ReportSection {
	b := r.Budget
	eur := func(cents int64) string { return formatEuros(cents, p.Lang) }
	yes := func(o *budget.Outcome, j int) string {
		switch {
		case o == nil:
			return "–"
		case o.Plans[j].Status == "selected":
			return p.T("begroting.results.chosen")
		}
		return p.T("begroting.results.not_chosen")
	}
	other := budget.RuleGreedy
	if b.Rule == budget.RuleGreedy {
		other = budget.RuleMES
	}
	var out []results.ReportSection
	for _, ar := range r.Areas {
		title := p.T("begroting.results.area")
		if ar.Area.Wijk != "" {
			title = p.T("begroting.results.area_wijk", ar.Area.Wijk)
		}
		sec := results.ReportSection{Title: title, Base: p.N("begroting.results.ballots_all", ar.Ballots) + " " + p.T("begroting.results.amount", eur(ar.Area.Amount)),
			Header: []string{p.T("begroting.export.plan"), p.T("begroting.export.cost_short"), p.T("begroting.export.votes"),
				p.T("begroting.export.rule_head." + b.Rule), p.T("begroting.export.rule_head." + other), p.T("begroting.export.paid_short")},
			Widths: []float64{46, 22, 18, 28, 30, 26}}
		if ar.Outcome != nil {
			sec.Base += " " + p.T("begroting.results.spent", eur(ar.Outcome.Spent), eur(ar.Area.Amount-ar.Outcome.Spent))
		}
		sec.Base += " " + p.T("begroting.rule."+b.Rule)
		sec.Note = p.T("begroting.export.table_note")
		mes := mesOf(b, ar)
		ch := results.ReportSection{Title: title + ": " + p.T("begroting.results.channels"), Header: []string{p.T("begroting.export.plan")}, Widths: []float64{70}}
		for _, c := range budget.Channels {
			ch.Header = append(ch.Header, p.T("begroting.export.channel_short."+string(c)))
			ch.Widths = append(ch.Widths, 25)
		}
		ch.Base = p.T("begroting.results.by_wijk_note")
		for j, pl := range ar.Plans {
			var votes int64
			for _, n := range ar.Votes[pl.ID] {
				votes += n.Votes
			}
			share := 0.0
			if ar.Ballots > 0 {
				share = float64(votes) * 100 / float64(ar.Ballots)
			}
			sec.Bars = append(sec.Bars, results.ReportBar{Label: pl.Title, Percent: share})
			paid := "–"
			if mes != nil {
				paid = eur(mes.Plans[j].PaidBySupporters)
			}
			sec.Rows = append(sec.Rows, []string{pl.Title, eur(pl.Cost), strconv.FormatInt(votes, 10), yes(ar.Outcome, j), yes(ar.Other, j), paid})
			row := []string{pl.Title}
			for _, c := range budget.Channels {
				row = append(row, ar.ByChannel.Of(c, j))
			}
			ch.Rows = append(ch.Rows, row)
		}
		out = append(out, sec, ch)
		if bw := ar.ByWijk; bw != nil {
			wk := results.ReportSection{Title: title + ": " + p.T("begroting.results.by_wijk"), Base: p.T("begroting.results.by_wijk_note"),
				Header: []string{p.T("begroting.plan.wijk"), p.T("begroting.export.ballots")}, Widths: []float64{110, 60}}
			for i, w := range bw.Wijken {
				wk.Rows = append(wk.Rows, []string{cmp.Or(w, p.T("begroting.results.wijk_unknown")), bw.Ballots[i]})
			}
			out = append(out, wk)
		}
	}
	tot := results.ReportSection{Title: p.T("begroting.results.channels"), Base: p.T("begroting.results.one_tally"),
		Header: []string{p.T("begroting.results.channel"), p.T("begroting.export.ballots")}, Widths: []float64{110, 60}}
	for _, c := range budget.Channels {
		tot.Rows = append(tot.Rows, []string{p.T("begroting.channel." + string(c)), strconv.FormatInt(r.Ballots[c], 10)})
	}
	tot.Rows = append(tot.Rows, []string{p.T("begroting.total"), strconv.FormatInt(r.Total, 10)})
	if r.Uncounted > 0 {
		tot.Note = p.N("begroting.results.uncounted", r.Uncounted)
	}
	return append(out, tot)
}
