package results

import (
	"context"
	"errors"
	"slices"

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
	// Withheld: every way of hiding cells would leave a small count that
	// can be worked out from figures shown elsewhere; the table is not
	// shown at all.
	Withheld bool
}

// Show is what cell (i, j) of the extended table displays: a count or
// "<K" (the last row and column are the totals).
func (b *Breakdown) Show(i, j int) string { return b.Table.Show(i, j, b.K) }

// Breakdowns splits choice questions of a consultation's overview by a
// participant attribute (wijk, age band, login means), read in one query,
// and suppresses small cells: no hidden count can be worked out from what
// the results page shows, totals and other tables included (see
// breakdownsTogether). k below MinCell is raised to it.
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
	var gs *groups
	if by != ByMeans {
		var err error
		if gs, err = s.groupCounts(ctx, qs[0].InstrumentID, by); err != nil {
			return nil, err
		}
	}
	return breakdownsTogether(qs, by, k, per, gs)
}

// groupTotal is a group's row total as some table on the page has it.
type groupTotal struct {
	group string // lower-cased
	n     int64
}

// breakdownsTogether suppresses the breakdown tables of a page as one:
// the page prints every option's count and base above each table (its
// column totals and grand total are known), the representativeness table
// prints the respondents per group, and questions that everyone answered
// share their row totals. So a group's total with a given value that one
// table shows is known in every table where that group has that total,
// and one that a table hides is hidden in every other such table. The
// tables are suppressed again until no table learns anything new (the
// sets only grow, so this ends); a total both shown somewhere and hidden
// elsewhere counts as shown, and the table that hid it is suppressed with
// it known (or not shown at all).
func breakdownsTogether(qs []Question, by string, k int, per map[int64][]breakdownRow, gs *groups) (map[int64]*Breakdown, error) {
	shown, hidden := map[groupTotal]bool{}, map[groupTotal]bool{}
	if gs != nil {
		for i, key := range gs.keys {
			t := groupTotal{key, gs.row[i]}
			if gs.hidden(key) {
				hidden[t] = true
			} else if !gs.withheld {
				shown[t] = true
			}
		}
	}
	out := map[int64]*Breakdown{}
	for round := 0; ; round++ {
		changed := false
		for _, q := range qs {
			b, totals, err := breakdown(q, by, k, per[q.ID], gs, shown, hidden)
			if err != nil {
				return nil, err
			}
			out[q.ID] = b
			if b.Withheld {
				continue
			}
			for i, t := range totals {
				if t.n == 0 {
					continue
				}
				set := shown
				if b.Table.Hidden[i][len(b.Options)] {
					set = hidden
				}
				if !set[t] {
					set[t], changed = true, true
				}
			}
		}
		if !changed {
			return out, nil
		}
		if round > 4*len(qs)+8 {
			// Cannot happen (the sets only grow); if it did, show nothing
			// rather than tables that might disagree.
			for _, b := range out {
				b.Withheld = true
			}
			return out, nil
		}
	}
}

type breakdownRow struct {
	QuestionID int64
	Grp        string
	OptionID   int64
	N          int64
}

// breakdown lays out one question's counts per group and option as a
// table and suppresses it, with the column totals and grand total known
// (the page prints them above) and the row totals known or hidden as other
// tables on the page have them (see breakdownsTogether). It returns the
// row totals it had.
func breakdown(q Question, by string, k int, rows []breakdownRow, gs *groups, shown, hidden map[groupTotal]bool) (*Breakdown, []groupTotal, error) {
	b := &Breakdown{By: by, Options: q.Options, K: k}
	at := map[string]int{}
	for _, r := range rows {
		if _, ok := at[r.Grp]; !ok {
			at[r.Grp] = 0
			b.Groups = append(b.Groups, r.Grp)
		}
	}
	// Known groups in order, "unknown" last.
	slices.SortFunc(b.Groups, func(x, y string) int {
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
	for i, g := range b.Groups {
		at[g] = i
	}
	colOf := map[int64]int{}
	for j, o := range q.Options {
		colOf[o.ID] = j
	}
	counts := make([][]int64, len(b.Groups))
	for i := range counts {
		counts[i] = make([]int64, len(q.Options))
	}
	for _, r := range rows {
		if j, ok := colOf[r.OptionID]; ok {
			counts[at[r.Grp]][j] += r.N
		}
	}
	R, C := len(b.Groups), len(q.Options)
	tab := suppress.Table{Counts: counts, Known: make([][]bool, R+1), Hide: make([][]bool, R+1)}
	for i := range R + 1 {
		tab.Known[i], tab.Hide[i] = make([]bool, C+1), make([]bool, C+1)
	}
	for j := range C + 1 {
		tab.Known[R][j] = true
	}
	totals := make([]groupTotal, R)
	for i, g := range b.Groups {
		for _, v := range counts[i] {
			totals[i].n += v
		}
		totals[i].group = g
		switch {
		case totals[i].n == 0:
		case shown[totals[i]]:
			tab.Known[i][C] = true
		case hidden[totals[i]]:
			tab.Hide[i][C] = true
		}
	}
	// Show the groups as the representativeness table spells them.
	for i, g := range b.Groups {
		if gs != nil && gs.label[g] != "" {
			b.Groups[i] = gs.label[g]
		}
	}
	res, err := suppress.Apply(tab, k)
	if errors.Is(err, suppress.ErrCannotProtect) {
		b.Withheld = true
		return b, totals, nil
	}
	if err != nil {
		return nil, nil, err
	}
	b.Table = res
	return b, totals, nil
}
