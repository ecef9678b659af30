package web

import (
	"strconv"

	"inspraak/internal/poll"
)

// PollChart draws a poll's result as the questionnaire results do: a bar
// per answer, its length the share of voters who chose it, with the
// percentage beside it; the chart's title says every bar in words.
func (p *Page) PollChart(id string, pl *poll.Poll, r *poll.Results) BarChart {
	ch := BarChart{ID: id, Title: pl.Question}
	for i, o := range r.Options {
		ch.Bars = append(ch.Bars, Bar{Label: o.Label, Value: p.Percent(o.Percent), Width: o.Percent, Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}

// PollTable lists the same result with the number of votes per answer,
// under a caption that says how many voted.
func (p *Page) PollTable(id string, r *poll.Results) CountTable {
	t := CountTable{P: p, ID: id, Caption: p.N("poll.ballots", r.Ballots), Head: p.T("poll.option")}
	for _, o := range r.Options {
		t.Rows = append(t.Rows, CountRow{o.Label, strconv.FormatInt(o.Votes, 10), p.Percent(o.Percent)})
	}
	return t
}
