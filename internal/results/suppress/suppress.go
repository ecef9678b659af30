// Package suppress hides small counts in a published two-way table
// (answers per option × wijk, age band, login means, ...) so that nobody can
// recover a hidden count from what is published.
//
// # Model
//
// A table has R rows and C columns of non-negative counts. We work on the
// extended (R+1)×(C+1) table: row R holds the column totals, column C the
// row totals and cell (R,C) the grand total. Every cell of the extended
// table, margins included, is either published or hidden. A reader knows
// the published cells, which cells are hidden, and the line equations: each
// row's interior cells sum to its row total, each column's to its column
// total, and the row totals and the column totals each sum to the grand
// total.
//
// Primary suppression hides every cell (interior or margin) with
// 0 < count < k. Zero cells are not primary: a zero says that nobody in
// that group gave that answer, so it identifies nobody, and hiding zeros
// would blank out most of a sparse table for no one's benefit.
//
// Complementary suppression then hides further cells until every hidden
// cell can move. Negate the margins and every line of the extended table
// sums to zero; adding +1, -1, +1, ... around a cycle of hidden cells in
// the bipartite graph whose vertices are the R+1 rows and C+1 columns and
// whose edges are the hidden cells keeps every equation. In count space a
// cell on such a cycle goes up by one and its neighbours on the cycle go up
// or down depending on whether they are margins. A hidden cell can take
// another value exactly when it lies on a cycle of hidden cells along
// which every cell that goes down stays within what the reader knows about
// it (an integer solution differing in that cell decomposes into such
// cycles, and a cell that is a bridge of the hidden graph is fixed by the
// sum of the line equations on one side of it).
//
// # What the reader is assumed to know
//
// This code is open source, so a reader knows that complementary cells are
// never zero: primary cells are at least 1 by definition and we only add
// non-zero cells (see below). The reader may therefore assume every hidden
// cell is at least 1, not just at least 0. We protect against that reader:
// every hidden cell lies on a cycle of hidden cells along which it can move
// while every cell that goes down stays at least 1. A cycle whose cells
// are all at least 1 can be walked in both directions in the plain
// non-negative model, so against a reader who only assumes "at least 0"
// every hidden cell can move both up and down from its true value.
//
// The difference matters for ones: with a row [1 1 30] and only the two
// ones and the two cells below them hidden, the ones can only trade places
// (1+t and 1-t), and a reader who knows neither is zero reads them off.
//
// Why never zeros as complementary cells: a hidden zero can only move up,
// so a cycle through it can be walked one way only, and the true value of
// every cell on it sits at one end of its range ("at most 2" for a hidden 2
// is nearly the 2 itself). A cycle through non-zero cells always exists:
// an interior cell x > 0 forms a 4-cycle with its row total, its column
// total and the grand total, all at least x, and along that cycle all four
// go up together; a row total does the same with a non-zero cell of its
// row, that cell's column total and the grand total (likewise column
// totals and the grand total). So zeros are never needed, only sometimes
// cheaper, and we prefer the stronger protection. The price is that a
// small cell on no cycle of non-zero interior cells is protected through
// margins even where a zero would have closed a cycle inside the table
// (see the "margins needed" test).
//
// # Algorithm
//
// Start from the primary cells. While some hidden cell cannot move, find
// the cheapest path of cells that closes a cycle through it (Dijkstra on
// the rows and columns; cells already hidden are free, other cells cost
// first one per margin, then their count, then one per cell, so interior
// cells go before margins and small counts before large ones), and hide
// the cells on that path. Hiding cells never takes a cycle away, so each
// round makes at least one more hidden cell movable and the loop ends.
// Finally try to publish again the complementary cells, most expensive
// first, keeping each one hidden only when publishing it would leave some
// hidden cell unable to move. Ties are broken by position, so the same
// table always gives the same result.
package suppress

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// DefaultK is the threshold the platform uses: counts 1 to 4 are hidden.
// Configuration may raise it; this package refuses anything below MinK.
const DefaultK = 5

// MinK is the smallest threshold Apply accepts. With k = 1 nothing would be
// hidden.
const MinK = 2

// maxTotal bounds the grand total so that sums of path costs (at most four
// times the grand total) cannot overflow.
const maxTotal = math.MaxInt64 / 8

// Table is a two-way table of counts.
type Table struct {
	Counts [][]int64 // R rows × C columns, non-negative
	// Known marks cells of the extended table (see Result.Hidden) that the
	// reader learns elsewhere, such as column totals printed above the
	// table: they are never hidden, not even when small, and no hidden
	// cell may rely on them to stay hidden. Nil: none.
	Known [][]bool
	// Hide marks non-zero cells of the extended table that must be hidden
	// whatever their count, because another table hides them. Nil: none.
	Hide [][]bool
}

// ErrCannotProtect says some hidden cell could be worked out from the
// cells the reader knows elsewhere (Table.Known), whatever else is
// hidden: the table cannot be published.
var ErrCannotProtect = errors.New("suppress: a hidden cell can be worked out from the known cells")

// Result is a table with its margins and what to hide.
type Result struct {
	// Hidden[i][j] for the extended (R+1)×(C+1) table: row R holds the
	// column totals, column C the row totals, (R,C) the grand total. True
	// means the cell shows "<k" (see Show).
	Hidden [][]bool
	// Primary marks the cells hidden because they are small themselves
	// (0 < count < k). For analysis only: never publish it, or readers can
	// tell small cells from the cells hidden to protect them.
	Primary   [][]bool
	RowTotals []int64
	ColTotals []int64
	Total     int64

	counts [][]int64 // copy of the interior
}

// Rows returns R, the number of interior rows.
func (r Result) Rows() int { return len(r.RowTotals) }

// Cols returns C, the number of interior columns.
func (r Result) Cols() int { return len(r.ColTotals) }

// Cell returns cell (i, j) of the extended table, hidden or not:
// 0 ≤ i ≤ R, 0 ≤ j ≤ C. It panics outside that range.
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
// or "<k" when it is hidden. Primary and complementary cells get the same
// text, so nobody can tell which is which; a complementary cell may well
// hold more than k, so "<k" here means "hidden", not a bound.
func (r Result) Show(i, j int, k int) string {
	v := r.Cell(i, j) // bounds check first
	if r.Hidden[i][j] {
		return "<" + strconv.Itoa(k)
	}
	return strconv.FormatInt(v, 10)
}

// Apply computes margins and the cells to hide for threshold k.
func Apply(t Table, k int) (Result, error) {
	if k < MinK {
		return Result{}, fmt.Errorf("suppress: threshold %d below the minimum %d", k, MinK)
	}
	R := len(t.Counts)
	C := 0
	if R > 0 {
		C = len(t.Counts[0])
	}
	res := Result{
		RowTotals: make([]int64, R),
		ColTotals: make([]int64, C),
		counts:    make([][]int64, R),
	}
	for i, row := range t.Counts {
		if len(row) != C {
			return Result{}, fmt.Errorf("suppress: row %d has %d columns, row 0 has %d", i, len(row), C)
		}
		for j, v := range row {
			if v < 0 {
				return Result{}, fmt.Errorf("suppress: negative count %d at (%d,%d)", v, i, j)
			}
			if v > maxTotal-res.Total {
				return Result{}, errors.New("suppress: table total too large")
			}
			res.RowTotals[i] += v
			res.ColTotals[j] += v
			res.Total += v
		}
		res.counts[i] = slices.Clone(row)
	}

	g := newGrid(res)
	at := func(m [][]bool, i, j int) bool { return m != nil && i < len(m) && j < len(m[i]) && m[i][j] }
	res.Primary = make([][]bool, R+1)
	g.known = make([][]bool, R+1)
	for i := range res.Primary {
		res.Primary[i] = make([]bool, C+1)
		g.known[i] = make([]bool, C+1)
		for j := range res.Primary[i] {
			v := g.val[i][j]
			g.known[i][j] = at(t.Known, i, j)
			if g.known[i][j] && at(t.Hide, i, j) {
				return Result{}, fmt.Errorf("suppress: cell (%d,%d) is both known and to be hidden", i, j)
			}
			res.Primary[i][j] = !g.known[i][j] && v > 0 && (v < int64(k) || at(t.Hide, i, j))
			g.hidden[i][j] = res.Primary[i][j]
		}
	}
	if !g.protect() {
		return Result{}, ErrCannotProtect
	}
	g.prune(res.Primary)
	res.Hidden = g.hidden
	return res, nil
}

// floor is what a reader may assume about every hidden cell: at least 1,
// because primary cells are non-zero and complementary cells are never
// zero.
const floor = 1

// grid is the extended table with the hidden set as a bipartite graph:
// vertex i < nr is row i, vertex nr+j is column j, hidden cell (i,j) is an
// edge between them.
type grid struct {
	nr, nc int
	val    [][]int64
	hidden [][]bool
	known  [][]bool // published elsewhere: never hidden, never on a cycle
}

func newGrid(r Result) *grid {
	g := &grid{nr: r.Rows() + 1, nc: r.Cols() + 1}
	g.val = make([][]int64, g.nr)
	g.hidden = make([][]bool, g.nr)
	for i := range g.val {
		g.val[i] = make([]int64, g.nc)
		g.hidden[i] = make([]bool, g.nc)
		for j := range g.val[i] {
			g.val[i][j] = r.Cell(i, j)
		}
	}
	return g
}

func (g *grid) margin(i, j int) bool { return i == g.nr-1 || j == g.nc-1 }

// sign is +1 for interior cells and the grand total, -1 for the other
// margins: with margins negated every line sums to zero.
func (g *grid) sign(i, j int) int {
	if (i == g.nr-1) == (j == g.nc-1) {
		return 1
	}
	return -1
}

// delta is the change in count of cell (i,j) when a cycle passes it from
// its row to its column (fromRow) or the other way. Alternating around a
// cycle, the signed values change by +1 from row to column and -1 from
// column to row.
func (g *grid) delta(i, j int, fromRow bool) int {
	if fromRow {
		return g.sign(i, j)
	}
	return -g.sign(i, j)
}

// ends returns the vertex a cycle leaves from and the vertex it enters
// when it passes cell (i,j) so that the cell goes up (up) or down.
func (g *grid) ends(i, j int, up bool) (from, to int) {
	if (g.delta(i, j, true) > 0) == up {
		return i, g.nr + j
	}
	return g.nr + j, i
}

// passable reports whether a cycle may pass cell (i,j) in that direction
// while the cell stays at least lo.
func (g *grid) passable(i, j int, fromRow bool, lo int64) bool {
	return g.delta(i, j, fromRow) > 0 || g.val[i][j]-1 >= lo
}

// cellTo returns the cell joining vertex u to the vertex at position x on
// the other side, and whether u is a row.
func (g *grid) cellTo(u, x int) (i, j int, fromRow bool) {
	if u < g.nr {
		return u, x, true
	}
	return x, u - g.nr, false
}

func (g *grid) others(u int) int {
	if u < g.nr {
		return g.nc
	}
	return g.nr
}

func (g *grid) vertex(i, j int, fromRow bool) int {
	if fromRow {
		return g.nr + j
	}
	return i
}

// canMove reports whether hidden cell (i,j) can go up (or down) by one
// along a cycle of hidden cells on which every cell stays at least lo.
func (g *grid) canMove(i, j int, up bool, lo int64) bool {
	if !up && g.val[i][j]-1 < lo {
		return false
	}
	from, to := g.ends(i, j, up)
	// Walk from the far end of the cell back to its near end without
	// using the cell itself; a shortest walk is a simple path.
	seen := make([]bool, g.nr+g.nc)
	seen[to] = true
	queue := []int{to}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		if u == from {
			return true
		}
		for x := range g.others(u) {
			a, b, fromRow := g.cellTo(u, x)
			if !g.hidden[a][b] || (a == i && b == j) || !g.passable(a, b, fromRow, lo) {
				continue
			}
			w := g.vertex(a, b, fromRow)
			if !seen[w] {
				seen[w] = true
				queue = append(queue, w)
			}
		}
	}
	return false
}

func (g *grid) movable(i, j int) bool {
	return g.canMove(i, j, true, floor) || g.canMove(i, j, false, floor)
}

// stuck returns the first hidden cell, in row-major order, that cannot
// move.
func (g *grid) stuck() (int, int, bool) {
	for i := range g.nr {
		for j := range g.nc {
			if g.hidden[i][j] && !g.movable(i, j) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// cost of hiding more cells: margins first, then the sum of counts, then
// the number of cells, compared in that order.
type cost struct{ margins, sum, cells int64 }

func (a cost) less(b cost) bool {
	if a.margins != b.margins {
		return a.margins < b.margins
	}
	if a.sum != b.sum {
		return a.sum < b.sum
	}
	return a.cells < b.cells
}

func (a cost) plus(b cost) cost {
	return cost{a.margins + b.margins, a.sum + b.sum, a.cells + b.cells}
}

// cellCost is what hiding cell (i,j) costs; ok is false for zeros, which
// are never hidden, and for cells the reader knows anyway.
func (g *grid) cellCost(i, j int) (cost, bool) {
	switch {
	case g.val[i][j] == 0 || (g.known != nil && g.known[i][j]):
		return cost{}, false
	case g.margin(i, j):
		return cost{1, g.val[i][j], 1}, true
	default:
		return cost{0, g.val[i][j], 1}, true
	}
}

// edgeCost is the cost of passing cell (i,j) on a cycle: nothing if it is
// hidden already.
func (g *grid) edgeCost(i, j int) (cost, bool) {
	if g.hidden[i][j] {
		return cost{}, true
	}
	return g.cellCost(i, j)
}

// cheapestCycle finds the cheapest set of cells to hide so that hidden cell
// (i,j) goes up (or down) along a cycle on which every cell stays at least
// floor. It returns the cells not yet hidden on that cycle.
func (g *grid) cheapestCycle(i, j int, up bool) ([][2]int, cost, bool) {
	if !up && g.val[i][j]-1 < floor {
		return nil, cost{}, false
	}
	from, to := g.ends(i, j, up)
	n := g.nr + g.nc
	dist := make([]cost, n)
	reached := make([]bool, n)
	done := make([]bool, n)
	via := make([][2]int, n) // cell used to reach a vertex
	prev := make([]int, n)
	reached[to] = true
	for {
		u := -1
		for v := range n {
			if reached[v] && !done[v] && (u < 0 || dist[v].less(dist[u])) {
				u = v
			}
		}
		if u < 0 {
			return nil, cost{}, false
		}
		if u == from {
			break
		}
		done[u] = true
		for x := range g.others(u) {
			a, b, fromRow := g.cellTo(u, x)
			if (a == i && b == j) || !g.passable(a, b, fromRow, floor) {
				continue
			}
			c, ok := g.edgeCost(a, b)
			if !ok {
				continue
			}
			w := g.vertex(a, b, fromRow)
			if d := dist[u].plus(c); !done[w] && (!reached[w] || d.less(dist[w])) {
				dist[w], reached[w], via[w], prev[w] = d, true, [2]int{a, b}, u
			}
		}
	}
	var cells [][2]int
	for v := from; v != to; v = prev[v] {
		if c := via[v]; !g.hidden[c[0]][c[1]] {
			cells = append(cells, c)
		}
	}
	return cells, dist[from], true
}

// protect hides cells until every hidden cell can move. It reports false
// when some hidden cell cannot be made to move, which only happens when
// cells the reader knows block every cycle through it.
func (g *grid) protect() bool {
	for {
		i, j, ok := g.stuck()
		if !ok {
			return true
		}
		best, bestCost, found := g.cheapestCycle(i, j, true)
		if cells, c, ok := g.cheapestCycle(i, j, false); ok && (!found || c.less(bestCost)) {
			best, found = cells, true
		}
		if !found {
			// Without known cells this cannot happen: a non-zero cell
			// always goes up together with its row total, column total and
			// grand total.
			return false
		}
		for _, c := range best {
			g.hidden[c[0]][c[1]] = true
		}
	}
}

func (g *grid) allMovable() bool {
	_, _, stuck := g.stuck()
	return !stuck
}

// prune publishes again every complementary cell that is not needed,
// trying margins and large counts first.
func (g *grid) prune(primary [][]bool) {
	var cand [][2]int
	for i := range g.nr {
		for j := range g.nc {
			if g.hidden[i][j] && !primary[i][j] {
				cand = append(cand, [2]int{i, j})
			}
		}
	}
	slices.SortStableFunc(cand, func(a, b [2]int) int {
		ca, _ := g.cellCost(a[0], a[1])
		cb, _ := g.cellCost(b[0], b[1])
		switch {
		case cb.less(ca):
			return -1
		case ca.less(cb):
			return 1
		}
		return 0
	})
	for _, c := range cand {
		g.hidden[c[0]][c[1]] = false
		if !g.allMovable() {
			g.hidden[c[0]][c[1]] = true
		}
	}
}
