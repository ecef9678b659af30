package results

import (
	"context"
	"errors"
	"slices"
	"strings"

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
	// Withheld: every way of hiding cells would leave a small count that
	// can be worked out from figures shown elsewhere; the table is not
	// shown at all.
	Withheld bool
}

// Show is what cell (i, j) of the extended table displays: a count or
// "<K" (the last row and column are the totals).
func (b *Breakdown) Show(i, j int) string { return b.Table.Show(i, j, b.K) }

// Breakdown splits a choice question of a consultation's overview by a
// participant attribute and suppresses small cells: no hidden count can be
// worked out from what is shown, totals included. k below MinCell is
// raised to it.
func (s *Service) Breakdown(ctx context.Context, q Question, by string, k int) (*Breakdown, error) {
	bs, err := s.Breakdowns(ctx, []Question{q}, by, k)
	if err != nil {
		return nil, err
	}
	return bs[q.ID], nil
}

// Breakdowns is Breakdown for several choice questions at once, read in
// one query: the results page splits all its choice questions.
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
	if err := s.db.WithContext(ctx).Raw(`SELECT ao.question_id, COALESCE(`+col+`, '') AS grp, ao.option_id, count(*) AS n
FROM answer_options ao JOIN responses r ON r.id = ao.response_id AND r.status = 'submitted'
LEFT JOIN participants p ON p.id = r.participant_id
WHERE ao.question_id IN ? GROUP BY 1, 2, 3`, ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	per := map[int64][]breakdownRow{}
	for _, r := range rows {
		per[r.QuestionID] = append(per[r.QuestionID], r)
	}
	// The group counts of the representativeness table (wijk, age band):
	// a group hidden there stays hidden here, and where a question's row
	// totals are those counts (a single choice every respondent answered),
	// the ones shown there are known here.
	var gs *groups
	var submitted int64
	if by != ByMeans {
		var err error
		if gs, err = s.groupCounts(ctx, qs[0].InstrumentID, by); err != nil {
			return nil, err
		}
		submitted = gs.total
	}
	for _, q := range qs {
		b, err := breakdown(q, by, k, per[q.ID], gs, q.Kind == consultation.Single && gs != nil && q.Base == submitted)
		if err != nil {
			return nil, err
		}
		out[q.ID] = b
	}
	return out, nil
}

type breakdownRow struct {
	QuestionID int64
	Grp        string
	OptionID   int64
	N          int64
}

// breakdown lays out one question's counts per group and option as a
// table and suppresses it. The results page prints every option's count
// and the question's base above the table: its column totals and grand
// total are known to the reader. gs, when given, are the group counts
// shown elsewhere; rowsAreGroups says the row totals equal them.
func breakdown(q Question, by string, k int, rows []breakdownRow, gs *groups, rowsAreGroups bool) (*Breakdown, error) {
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
	if gs != nil {
		for i, g := range b.Groups {
			key := strings.ToLower(g)
			switch {
			case gs.hidden(key):
				tab.Hide[i][C] = true
			case rowsAreGroups:
				tab.Known[i][C] = true
			}
		}
	}
	res, err := suppress.Apply(tab, k)
	if errors.Is(err, suppress.ErrCannotProtect) {
		b.Withheld = true
		return b, nil
	}
	if err != nil {
		return nil, err
	}
	b.Table = res
	return b, nil
}
