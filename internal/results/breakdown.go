package results

import (
	"context"
	"errors"
	"math"
	"slices"

	"inspraak/internal/consultation"
	"inspraak/internal/results/suppress"
)

// Breakdown dimensions: what the verification service or the login told
// about a participant.
const (
	ByWijk  = "wijk"
	ByAge   = "age"
	ByMeans = "means"
)

// Dimensions lists the breakdowns the results page offers.
var Dimensions = []string{ByWijk, ByAge, ByMeans}

// MinCell is the smallest count a breakdown shows; a municipality may only
// raise it.
const MinCell = suppress.DefaultK

// Breakdown statuses: what a question's breakdown shows, or why it shows
// nothing. Every question of the results page gets one, so none is left
// blank without a word.
const (
	// SplitShown: a table of groups by answers, small cells suppressed.
	SplitShown = "shown"
	// SplitWithheld: every table would let a reader work out a count
	// below K (from the totals printed above it): not shown.
	SplitWithheld = "withheld"
	// SplitTooFew: fewer than K people answered the question.
	SplitTooFew = "too_few"
	// SplitNoData: of nobody who sent the questionnaire in is the
	// characteristic known (no wijk or age from the login): every answer
	// is "unknown".
	SplitNoData = "no_data"
	// SplitNoAnswers: nobody answered the question yet.
	SplitNoAnswers = "no_answers"
	// SplitOpen: open answers are read and coded, not counted by group.
	SplitOpen = "open"
)

// Breakdown is one question's answers split by a group, after small-cell
// suppression, or the reason there is no table (Status).
type Breakdown struct {
	By string
	// Status says what the breakdown shows (SplitShown) or why not.
	Status string
	// Shows names what the columns are, for the page's caption:
	// "choice", "multiple", "ranking" (first places), "scale" (points)
	// or "number" (values or ranges of values).
	Shows   string
	Groups  []string // row labels; "" is "unknown" (not verified, or erased)
	Options []Option // column labels, in the question's order
	K       int
	Table   suppress.Result
	keys    []string // lower-cased groups
	// Columns holds the options that are not split by group (their cells
	// show suppress.NotShown): fewer than k chose them, or no way of
	// hiding cells protects their split.
	Columns []bool
	// Withheld: no table is shown; Status says why (SplitWithheld: every
	// way of hiding cells would leave a small count that can be worked
	// out from figures shown elsewhere).
	Withheld bool
}

// Show is what cell (i, j) of the extended table displays: a count or
// suppress.Mark (the last row and column are the totals).
func (b *Breakdown) Show(i, j int) string {
	if i < len(b.Groups) && j < len(b.Columns) && b.Columns[j] {
		return suppress.NotShown
	}
	return b.Table.Show(i, j)
}

// NotSplit says whether some option is not split by group.
func (b *Breakdown) NotSplit() bool { return slices.Contains(b.Columns, true) }

// unit numbers of a breakdown: column j of question n, and the rest of
// its table.
func columnUnit(n, j int) int { return n*1000 + j }
func tableUnit(n int) int     { return n*1000 + 999 }

// Breakdowns splits the questions of a consultation's overview by a
// participant attribute (wijk, age band, login means) and suppresses small
// cells: no hidden count can be worked out, even roughly, from what the
// results page shows, totals and other tables included (see
// breakdownsTogether). k below MinCell is raised to it.
//
// Every question gets a Breakdown with a Status. Choice questions are
// split by option; rankings by what people put first; scales by point
// (every point of the scale, as the page shows them); numbers by value,
// or by ranges of values when there are many (valueColumns). The column
// totals of each of these are printed above the table, and each
// respondent counts once per table (multiple choice: once per option),
// as the suppression's model says. Open questions are not split.
func (s *Service) Breakdowns(ctx context.Context, qs []Question, by string, k int) (map[int64]*Breakdown, error) {
	out, err := s.breakdowns(ctx, qs, by, k)
	if err != nil {
		return nil, err
	}
	return noTable(out), nil
}

func (s *Service) breakdowns(ctx context.Context, qs []Question, by string, k int) (map[int64]*Breakdown, error) {
	col := map[string]string{ByWijk: "p.wijk", ByAge: "p.age_band", ByMeans: "p.means"}[by]
	if col == "" {
		return nil, ErrFormat
	}
	k = max(k, MinCell)
	out := map[int64]*Breakdown{}
	// The questions to split, with their answers as columns, and how an
	// answer finds its column.
	var split []Question
	valueCol := map[int64]func(float64) (int64, bool){}
	choiceIDs, rankIDs, valueIDs := []int64{0}, []int64{0}, []int64{0} // 0: never a question, keeps IN () valid
	for _, q := range qs {
		b := &Breakdown{By: by, K: k, Shows: shows(q.Kind)}
		out[q.ID] = b
		switch {
		case q.Kind == consultation.ShortText || q.Kind == consultation.LongText || q.Kind == consultation.Explanation:
			b.Status = SplitOpen
			continue
		case q.Base == 0:
			b.Status = SplitNoAnswers
			continue
		case q.Base < int64(k):
			b.Status = SplitTooFew
			continue
		}
		sq := q
		switch q.Kind {
		case consultation.Single, consultation.Multiple:
			choiceIDs = append(choiceIDs, q.ID)
		case consultation.Ranking:
			// Who put which option first: one per respondent, adding up
			// to the first places printed above.
			sq.Options = slices.Clone(q.Options)
			for j := range sq.Options {
				sq.Options[j].Count = sq.Options[j].FirstPlace
			}
			rankIDs = append(rankIDs, q.ID)
		case consultation.Scale, consultation.Number:
			opts, find := valueColumns(q)
			sq.Options = opts
			valueCol[q.ID] = find
			valueIDs = append(valueIDs, q.ID)
		default:
			b.Status = SplitOpen
			continue
		}
		split = append(split, sq)
	}
	if len(split) == 0 {
		return out, nil
	}
	var rows []breakdownRow
	// Groups are compared without regard to case, as the
	// representativeness table does ("Noord" and "noord" are one wijk).
	db := s.db.WithContext(ctx)
	if err := db.Raw(`SELECT ao.question_id, LOWER(COALESCE(`+col+`, '')) AS grp, ao.option_id, count(*) AS n
FROM answer_options ao JOIN responses r ON r.id = ao.response_id AND r.status = 'submitted'
LEFT JOIN participants p ON p.id = r.participant_id
WHERE ao.question_id IN ? OR (ao.question_id IN ? AND ao.rank = 1) GROUP BY 1, 2, 3`, choiceIDs, rankIDs).Scan(&rows).Error; err != nil {
		return nil, err
	}
	var values []struct {
		QuestionID int64
		Grp        string
		Value      float64
		N          int64
	}
	if len(valueIDs) > 1 {
		if err := db.Raw(`SELECT a.question_id, LOWER(COALESCE(`+col+`, '')) AS grp, a.number_value AS value, count(*) AS n
FROM answers a JOIN responses r ON r.id = a.response_id AND r.status = 'submitted'
LEFT JOIN participants p ON p.id = r.participant_id
WHERE a.question_id IN ? AND a.number_value IS NOT NULL GROUP BY 1, 2, 3`, valueIDs).Scan(&values).Error; err != nil {
			return nil, err
		}
	}
	for _, v := range values {
		if id, ok := valueCol[v.QuestionID](v.Value); ok {
			rows = append(rows, breakdownRow{QuestionID: v.QuestionID, Grp: v.Grp, OptionID: id, N: v.N})
		}
	}
	per := map[int64][]breakdownRow{}
	for _, r := range rows {
		per[r.QuestionID] = append(per[r.QuestionID], r)
	}
	gs, err := s.groupCounts(ctx, split[0].InstrumentID, by)
	if err != nil {
		return nil, err
	}
	// Of nobody who sent the questionnaire in is the characteristic
	// known: every table would be one row, "unknown", repeating the
	// figures above. (Said of the whole page, which the
	// representativeness table shows anyway, not per question: that a
	// question's known groups are all 0 is a count too.)
	if !gs.anyKnown() {
		for _, q := range split {
			out[q.ID].Status = SplitNoData
		}
		return out, nil
	}
	tables, err := breakdownsTogether(split, by, k, per, gs)
	if err != nil {
		return nil, err
	}
	for id, b := range tables {
		b.Shows = out[id].Shows
		b.Status = SplitShown
		if b.Withheld {
			b.Status = SplitWithheld
		}
		out[id] = b
	}
	return out, nil
}

// noTable marks the breakdowns without a table as withheld: whatever the
// reason, nothing of them is shown.
func noTable(out map[int64]*Breakdown) map[int64]*Breakdown {
	for _, b := range out {
		b.Withheld = b.Withheld || b.Status != SplitShown
	}
	return out
}

// anyKnown says whether some respondent has the characteristic known.
func (g *groups) anyKnown() bool {
	for i, key := range g.keys {
		if key != "" && g.row[i] > 0 {
			return true
		}
	}
	return false
}

// shows names what a question's breakdown columns are.
func shows(k consultation.Kind) string {
	switch k {
	case consultation.Single:
		return "choice"
	case consultation.Multiple, consultation.Ranking, consultation.Scale, consultation.Number:
		return string(k)
	}
	return "open"
}

// maxValueColumns is how many distinct numbers a number question's
// breakdown shows as columns of their own; with more, ranges.
const maxValueColumns = 7

// valueColumns are the columns of a scale or number question's breakdown,
// as options (ids 1, 2, …) with the counts printed above the table, and
// the column of a value. A scale has a column per point, as the page
// shows its distribution; a number a column per value, or, with more
// than maxValueColumns values, per range of equal width (a round number:
// 1, 2, 2.5 or 5 times a power of ten) from a multiple of that width:
// "10–19", "20–29" for whole numbers. Every range holds a value (empty
// ranges are left out), and a value always falls in exactly one, so the
// columns add up to the question's base.
func valueColumns(q Question) ([]Option, func(float64) (int64, bool)) {
	vs := q.Values
	if q.Kind == consultation.Scale || len(vs) <= maxValueColumns {
		at := map[float64]int64{}
		opts := make([]Option, len(vs))
		for j, v := range vs {
			at[v.Value] = int64(j + 1)
			opts[j] = Option{ID: int64(j + 1), Label: ScaleLabel(q.Question, v.Value), Count: v.Count}
		}
		return opts, func(v float64) (int64, bool) { id, ok := at[v]; return id, ok }
	}
	lo, hi := vs[0].Value, vs[len(vs)-1].Value
	width := niceWidth((hi - lo) / 5)
	start := math.Floor(lo/width) * width
	bin := func(v float64) int { return int(math.Floor((v-start)/width + 1e-9)) }
	whole := width == math.Trunc(width)
	for _, v := range vs {
		whole = whole && v.Value == math.Trunc(v.Value)
	}
	counts := map[int]int64{}
	var bins []int
	for _, v := range vs {
		b := bin(v.Value)
		if _, ok := counts[b]; !ok {
			bins = append(bins, b)
		}
		counts[b] += v.Count
	}
	id := map[int]int64{}
	opts := make([]Option, len(bins))
	for j, b := range bins {
		from, to := start+float64(b)*width, start+float64(b+1)*width
		label := formatValue(from) + "–" + formatValue(to)
		if whole {
			label = formatValue(from) + "–" + formatValue(to-1)
			if width == 1 {
				label = formatValue(from)
			}
		}
		id[b] = int64(j + 1)
		opts[j] = Option{ID: int64(j + 1), Label: label, Count: counts[b]}
	}
	return opts, func(v float64) (int64, bool) { n, ok := id[bin(v)]; return n, ok }
}

// niceWidth is the smallest of 1, 2, 2.5 and 5 times a power of ten that
// is at least w (w > 0).
func niceWidth(w float64) float64 {
	if w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(w)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= w*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// breakdownsTogether protects the breakdown tables of a page as one
// problem, with everything else the page prints:
//
//   - each option's count and the question's total are printed above each
//     table: its column totals and grand total are known;
//   - the number of submitted responses is printed: the respondents per
//     group add up to it, and the representativeness table shows them (as
//     protected on their own, which every page shows alike) or, without
//     population figures, a reader still knows they exist;
//   - who answered a single-choice question in a group are at most the
//     group's respondents (for multiple choice, each option's choosers),
//     which ties the tables of questions together: a question everyone
//     answered has the group's respondents as its row totals.
//
// An option whose split cannot be protected (fewer than k chose it: the
// count printed above pins every cell) is not split: its column shows
// suppress.NotShown. A question none of whose options can be split is
// withheld.
//
// For speed the work is done in two steps. First each question's table
// on its own, with its own copy of the respondents per group that the
// page does not show (a reader who does not connect the tables): small
// problems. Then the whole page as one problem, starting from what the
// first step hid, which checks every hidden count and line again against
// the connected tables and hides more where they give something away (a
// row total shown in one table and hidden in another, when both questions
// were answered by everyone).
func breakdownsTogether(qs []Question, by string, k int, per map[int64][]breakdownRow, gs *groups) (map[int64]*Breakdown, error) {
	out := map[int64]*Breakdown{}
	first, tvs, err := breakdownProblem(qs, by, k, per, gs, out, nil, nil)
	if err != nil {
		return nil, err
	}
	sol, err := suppress.Protect(first, k)
	// With every group's respondents shown, the first step was the whole
	// page already.
	copies := !gs.shown || slices.Contains(gs.hiddenAt, true)
	if err == nil && copies {
		var second *suppress.Problem
		if second, tvs, err = breakdownProblem(qs, by, k, per, gs, out, sol, tvs); err != nil {
			return nil, err
		}
		sol, err = suppress.Protect(second, k)
	}
	if errors.Is(err, suppress.ErrCannotProtect) {
		for _, b := range out {
			b.Withheld = true
		}
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for n, q := range qs {
		b := out[q.ID]
		b.Columns = make([]bool, len(q.Options))
		split := false
		for j := range b.Columns {
			b.Columns[j] = sol.Withheld[columnUnit(n, j)]
			split = split || !b.Columns[j]
		}
		if sol.Withheld[tableUnit(n)] || !split {
			b.Withheld = true
			continue
		}
		b.Table = sol.Table(tvs[n])
	}
	return out, nil
}

// breakdownProblem builds the page's problem. Without before, each table
// has its own copy of the respondents per group the page does not show;
// with it, the tables share them, and what before hid (or withheld) is
// hidden (or withheld) from the start.
func breakdownProblem(qs []Question, by string, k int, per map[int64][]breakdownRow, gs *groups, out map[int64]*Breakdown, before *suppress.Solution, prevTVs []suppress.TableVars) (*suppress.Problem, []suppress.TableVars, error) {
	p := &suppress.Problem{}
	all := p.Add(suppress.Var{Value: gs.total, Known: true, Margin: true, Unit: suppress.NoUnit})
	group := func(i int) suppress.Var {
		v := suppress.Var{Value: gs.row[i], Margin: true, Unit: suppress.NoUnit}
		switch {
		case !gs.shown:
			v.Unpublished = true
		case gs.hidden(gs.keys[i]):
			v.Hide = true
		default:
			v.Known = true
		}
		return v
	}
	groupsOf := func() map[string]int {
		nv := map[string]int{}
		var ns []int
		for i, key := range gs.keys {
			v := group(i)
			if before == nil && !v.Known {
				// A copy for this table only: not checked here.
				v.Hide, v.Unpublished = false, true
			}
			nv[key] = p.Add(v)
			ns = append(ns, nv[key])
		}
		p.Sum(all, ns...)
		return nv
	}
	var shared map[string]int
	if before != nil {
		shared = groupsOf()
	}
	tvs := make([]suppress.TableVars, len(qs))
	for n, q := range qs {
		nv := shared
		if before == nil {
			nv = groupsOf()
		}
		b, counts := layout(q, by, per[q.ID], gs)
		b.K = k
		R, C := len(b.Groups), len(q.Options)
		tab := suppress.Table{Counts: counts, Cols: C, Known: make([][]bool, R+1), Hide: make([][]bool, R+1)}
		for i := range R + 1 {
			tab.Known[i] = make([]bool, C+1)
			tab.Hide[i] = make([]bool, C+1)
			// A group the representativeness table hides keeps its total
			// hidden here: a question everyone answered has the group's
			// respondents as that total.
			tab.Hide[i][C] = i < R && gs.shown && gs.hidden(b.keys[i])
		}
		for j := range C + 1 {
			tab.Known[R][j] = true
		}
		tv, err := p.AddTableUnits(tab, func(i, j int) int {
			if i < R && j < C {
				return columnUnit(n, j)
			}
			return tableUnit(n)
		})
		if err != nil {
			return nil, nil, err
		}
		if before != nil {
			for i := range R + 1 {
				for j := range C + 1 {
					if before.Hidden[prevTVs[n].Cell[i][j]] && !tab.Known[i][j] {
						p.Fix(tv.Cell[i][j])
					}
				}
			}
		}
		for i, key := range b.keys {
			g, ok := nv[key]
			if !ok {
				continue
			}
			if q.Kind == consultation.Multiple {
				for j := range C {
					p.AtMost(tv.Cell[i][j], g)
				}
			} else {
				p.AtMost(tv.Cell[i][C], g)
			}
		}
		tvs[n] = tv
		out[q.ID] = b
	}
	if before != nil {
		for u := range before.Withheld {
			p.Withhold(u)
		}
	}
	return p, tvs, nil
}

type breakdownRow struct {
	QuestionID int64
	Grp        string
	OptionID   int64
	N          int64
}

// layout lays out one question's counts per group and option as a table:
// the groups that answered it, known ones in order and "unknown" last.
func layout(q Question, by string, rows []breakdownRow, gs *groups) (*Breakdown, [][]int64) {
	b := &Breakdown{By: by, Options: q.Options}
	at := map[string]int{}
	for _, r := range rows {
		if _, ok := at[r.Grp]; !ok {
			at[r.Grp] = 0
			b.keys = append(b.keys, r.Grp)
		}
	}
	slices.SortFunc(b.keys, func(x, y string) int {
		switch {
		case x == y:
			return 0
		case x == "":
			return 1
		case y == "":
			return -1
		case x < y:
			return -1
		}
		return 1
	})
	for i, g := range b.keys {
		at[g] = i
	}
	colOf := map[int64]int{}
	for j, o := range q.Options {
		colOf[o.ID] = j
	}
	counts := make([][]int64, len(b.keys))
	for i := range counts {
		counts[i] = make([]int64, len(q.Options))
	}
	for _, r := range rows {
		if j, ok := colOf[r.OptionID]; ok {
			counts[at[r.Grp]][j] += r.N
		}
	}
	// Show the groups as the representativeness table spells them.
	for _, g := range b.keys {
		label := g
		if gs != nil && gs.label[g] != "" {
			label = gs.label[g]
		}
		b.Groups = append(b.Groups, label)
	}
	return b, counts
}
