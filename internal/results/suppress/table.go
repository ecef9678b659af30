package suppress

import (
	"errors"
	"fmt"
	"strconv"
)

// Table is a two-way table of counts. Its extended form has one more row
// (the column totals) and one more column (the row totals); (R, C) is the
// grand total.
type Table struct {
	Counts [][]int64 // R rows × C columns, non-negative
	// Cols is C when there are no rows.
	Cols int
	// Known marks cells of the extended table the reader knows anyway
	// (printed elsewhere): never hidden. Nil: none.
	Known [][]bool
	// Hide marks cells of the extended table that are hidden whatever
	// their count, because another table hides them. Nil: none.
	Hide [][]bool
}

// TableVars are the counts of a table added to a Problem: Cell[i][j] for
// the extended table.
type TableVars struct {
	Cell [][]int
	R, C int
}

// AddTable adds a table's cells, its totals and their line sums, all in
// unit unit.
func (p *Problem) AddTable(t Table, unit int) (TableVars, error) {
	return p.AddTableUnits(t, func(int, int) int { return unit })
}

// AddTableUnits adds a table whose cell (i, j) of the extended table is in
// unit unit(i, j).
func (p *Problem) AddTableUnits(t Table, unit func(i, j int) int) (TableVars, error) {
	R := len(t.Counts)
	C := t.Cols
	if R > 0 {
		C = len(t.Counts[0])
	}
	ext := make([][]int64, R+1)
	for i := range ext {
		ext[i] = make([]int64, C+1)
	}
	for i, row := range t.Counts {
		if len(row) != C {
			return TableVars{}, fmt.Errorf("suppress: row %d has %d columns, row 0 has %d", i, len(row), C)
		}
		for j, v := range row {
			if v < 0 {
				return TableVars{}, fmt.Errorf("suppress: negative count %d at (%d,%d)", v, i, j)
			}
			if v > maxTotal-ext[R][C] {
				return TableVars{}, errors.New("suppress: table total too large")
			}
			ext[i][j] = v
			ext[i][C] += v
			ext[R][j] += v
			ext[R][C] += v
		}
	}
	at := func(m [][]bool, i, j int) bool { return m != nil && i < len(m) && j < len(m[i]) && m[i][j] }
	tv := TableVars{Cell: make([][]int, R+1), R: R, C: C}
	for i := range R + 1 {
		tv.Cell[i] = make([]int, C+1)
		for j := range C + 1 {
			tv.Cell[i][j] = p.Add(Var{Value: ext[i][j], Known: at(t.Known, i, j), Hide: at(t.Hide, i, j) && ext[i][j] > 0,
				Margin: i == R || j == C, Unit: unit(i, j)})
		}
	}
	for i := range R + 1 {
		p.Sum(tv.Cell[i][C], tv.Cell[i][:C]...)
	}
	for j := range C + 1 {
		parts := make([]int, R)
		for i := range R {
			parts[i] = tv.Cell[i][j]
		}
		p.Sum(tv.Cell[R][j], parts...)
	}
	return tv, nil
}

// Result is a table with its margins and what to hide.
type Result struct {
	// Hidden[i][j] for the extended (R+1)×(C+1) table. True means the
	// cell shows Mark.
	Hidden [][]bool
	// Primary marks the cells hidden because they are small themselves.
	// For analysis only: never publish it.
	Primary   [][]bool
	RowTotals []int64
	ColTotals []int64
	Total     int64

	counts [][]int64
}

// Table reads a table's part of a solution.
func (s *Solution) Table(tv TableVars) Result {
	r := Result{Hidden: make([][]bool, tv.R+1), Primary: make([][]bool, tv.R+1), RowTotals: make([]int64, tv.R),
		ColTotals: make([]int64, tv.C), counts: make([][]int64, tv.R)}
	for i := range tv.R + 1 {
		r.Hidden[i] = make([]bool, tv.C+1)
		r.Primary[i] = make([]bool, tv.C+1)
		if i < tv.R {
			r.counts[i] = make([]int64, tv.C)
		}
		for j := range tv.C + 1 {
			v := tv.Cell[i][j]
			r.Hidden[i][j], r.Primary[i][j] = s.Hidden[v], s.Primary[v]
			x := s.values[v]
			switch {
			case i < tv.R && j < tv.C:
				r.counts[i][j] = x
			case i < tv.R:
				r.RowTotals[i] = x
			case j < tv.C:
				r.ColTotals[j] = x
			default:
				r.Total = x
			}
		}
	}
	return r
}

// Rows returns R, the number of interior rows.
func (r Result) Rows() int { return len(r.RowTotals) }

// Cols returns C, the number of interior columns.
func (r Result) Cols() int { return len(r.ColTotals) }

// Cell returns cell (i, j) of the extended table, hidden or not. It
// panics outside the table.
func (r Result) Cell(i, j int) int64 {
	R, C := r.Rows(), r.Cols()
	switch {
	case i < 0 || j < 0 || i > R || j > C:
		panic(fmt.Sprintf("suppress: cell (%d,%d) outside a %d×%d extended table", i, j, R+1, C+1))
	case i < R && j < C:
		return r.counts[i][j]
	case i < R:
		return r.RowTotals[i]
	case j < C:
		return r.ColTotals[j]
	default:
		return r.Total
	}
}

// Show returns what cell (i, j) of the extended table displays: its count,
// or Mark when it is hidden.
func (r Result) Show(i, j int) string {
	v := r.Cell(i, j)
	if r.Hidden[i][j] {
		return Mark
	}
	return strconv.FormatInt(v, 10)
}

// Apply protects one table on its own for threshold k. ErrCannotProtect:
// the table cannot be published (its Known cells pin a hidden one).
func Apply(t Table, k int) (Result, error) {
	if k < MinK {
		return Result{}, fmt.Errorf("suppress: threshold %d below the minimum %d", k, MinK)
	}
	var p Problem
	tv, err := p.AddTable(t, 0)
	if err != nil {
		return Result{}, err
	}
	sol, err := Protect(&p, k)
	if err != nil {
		return Result{}, err
	}
	if sol.Withheld[0] {
		return Result{}, ErrCannotProtect
	}
	return sol.Table(tv), nil
}
