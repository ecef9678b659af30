package results

import (
	"context"
	"errors"
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

// Breakdown is one choice question's answers split by a group, after
// small-cell suppression.
type Breakdown struct {
	By      string
	Groups  []string // row labels; "" is "unknown" (not verified, or erased)
	Options []Option // column labels, in the question's order
	K       int
	Table   suppress.Result
	keys    []string // lower-cased groups
	// Columns holds the options that are not split by group (their cells
	// show suppress.NotShown): fewer than k chose them, or no way of
	// hiding cells protects their split.
	Columns []bool
	// Withheld: every way of hiding cells would leave a small count that
	// can be worked out from figures shown elsewhere; the table is not
	// shown at all.
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

// Breakdowns splits choice questions of a consultation's overview by a
// participant attribute (wijk, age band, login means), read in one query,
// and suppresses small cells: no hidden count can be worked out, even
// roughly, from what the results page shows, totals and other tables
// included (see breakdownsTogether). k below MinCell is raised to it.
func (s *Service) Breakdowns(ctx context.Context, qs []Question, by string, k int) (map[int64]*Breakdown, error) {
	col := map[string]string{ByWijk: "p.wijk", ByAge: "p.age_band", ByMeans: "p.means"}[by]
	if col == "" {
		return nil, ErrFormat
	}
	k = max(k, MinCell)
	ids := make([]int64, 0, len(qs))
	for _, q := range qs {
		if len(q.Options) == 0 {
			return nil, ErrFormat
		}
		ids = append(ids, q.ID)
	}
	out := map[int64]*Breakdown{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []breakdownRow
	// Groups are compared without regard to case, as the
	// representativeness table does ("Noord" and "noord" are one wijk).
	if err := s.db.WithContext(ctx).Raw(`SELECT ao.question_id, LOWER(COALESCE(`+col+`, '')) AS grp, ao.option_id, count(*) AS n
FROM answer_options ao JOIN responses r ON r.id = ao.response_id AND r.status = 'submitted'
LEFT JOIN participants p ON p.id = r.participant_id
WHERE ao.question_id IN ? GROUP BY 1, 2, 3`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	per := map[int64][]breakdownRow{}
	for _, r := range rows {
		per[r.QuestionID] = append(per[r.QuestionID], r)
	}
	gs, err := s.groupCounts(ctx, qs[0].InstrumentID, by)
	if err != nil {
		return nil, err
	}
	return breakdownsTogether(qs, by, k, per, gs)
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
