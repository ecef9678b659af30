package suppress

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// The attack: given what is published, enumerate integer values for the
// hidden cells that satisfy every line equation, and see whether some
// hidden cell can only take one value. It is a small constraint solver:
// bounds propagation over the line equations plus depth-first search,
// independent of the cycle reasoning in the package.
//
// The search box is [lo, cap] per hidden cell, where lo is what the reader
// assumes (0, or 1 when the reader knows hidden cells are never zero) and
// cap is the true grand total plus one. The box only narrows the solution
// set, so two values found in the box are two real values; and every cell
// of the table is at most the grand total, so the box holds the truth and
// every one-step change of it.

type equation struct {
	vars []int
	coef []int64
	rhs  int64
}

type attack struct {
	cells     [][2]int // hidden cell of each variable
	eqs       []equation
	nodes     int
	budget    int
	exhausted bool
}

// newAttack builds the equations from the published cells only.
func newAttack(hidden [][]bool, published func(i, j int) int64) *attack {
	a := &attack{}
	nr, nc := len(hidden), len(hidden[0])
	idx := make([][]int, nr)
	for i := range idx {
		idx[i] = make([]int, nc)
		for j := range idx[i] {
			idx[i][j] = -1
			if hidden[i][j] {
				idx[i][j] = len(a.cells)
				a.cells = append(a.cells, [2]int{i, j})
			}
		}
	}
	line := func(parts [][2]int, total [2]int) {
		var e equation
		add := func(c [2]int, coef int64) {
			if v := idx[c[0]][c[1]]; v >= 0 {
				e.vars = append(e.vars, v)
				e.coef = append(e.coef, coef)
			} else {
				e.rhs -= coef * published(c[0], c[1])
			}
		}
		for _, c := range parts {
			add(c, 1)
		}
		add(total, -1)
		a.eqs = append(a.eqs, e)
	}
	for i := range nr {
		var parts [][2]int
		for j := range nc - 1 {
			parts = append(parts, [2]int{i, j})
		}
		line(parts, [2]int{i, nc - 1})
	}
	for j := range nc {
		var parts [][2]int
		for i := range nr - 1 {
			parts = append(parts, [2]int{i, j})
		}
		line(parts, [2]int{nr - 1, j})
	}
	return a
}

// propagate narrows lo/hi to bounds consistency; false if infeasible.
func (a *attack) propagate(lo, hi []int64) bool {
	for changed := true; changed; {
		changed = false
		for _, e := range a.eqs {
			var mn, mx int64
			for t, v := range e.vars {
				if e.coef[t] > 0 {
					mn += lo[v]
					mx += hi[v]
				} else {
					mn -= hi[v]
					mx -= lo[v]
				}
			}
			if e.rhs < mn || e.rhs > mx {
				return false
			}
			for t, v := range e.vars {
				var cmin, cmax int64
				if e.coef[t] > 0 {
					cmin, cmax = lo[v], hi[v]
				} else {
					cmin, cmax = -hi[v], -lo[v]
				}
				// coef*x = rhs - others, others within [mn-cmin, mx-cmax]
				l, h := e.rhs-(mx-cmax), e.rhs-(mn-cmin)
				if e.coef[t] < 0 {
					l, h = -h, -l
				}
				if l > lo[v] {
					lo[v], changed = l, true
				}
				if h < hi[v] {
					hi[v], changed = h, true
				}
				if lo[v] > hi[v] {
					return false
				}
			}
		}
	}
	return true
}

// search calls visit for every solution within lo/hi (which it may
// modify) until visit returns false or the node budget runs out; it
// returns false in both cases.
func (a *attack) search(lo, hi []int64, visit func([]int64) bool) bool {
	a.nodes++
	if a.nodes > a.budget {
		a.exhausted = true
		return false
	}
	if !a.propagate(lo, hi) {
		return true
	}
	pick := -1
	for v := range lo {
		if lo[v] < hi[v] && (pick < 0 || hi[v]-lo[v] < hi[pick]-lo[pick]) {
			pick = v
		}
	}
	if pick < 0 {
		return visit(lo)
	}
	for x := lo[pick]; x <= hi[pick]; x++ {
		nlo, nhi := append([]int64(nil), lo...), append([]int64(nil), hi...)
		nlo[pick], nhi[pick] = x, x
		if !a.search(nlo, nhi, visit) {
			return false
		}
	}
	return true
}

func (a *attack) box(lo, cap int64) ([]int64, []int64) {
	l, h := make([]int64, len(a.cells)), make([]int64, len(a.cells))
	for v := range l {
		l[v], h[v] = lo, cap
	}
	return l, h
}

// exists reports whether some solution has variable v within [vlo, vhi].
// decided is false when the budget ran out first.
func (a *attack) exists(lo, cap int64, v int, vlo, vhi int64, budget int) (found, decided bool) {
	l, h := a.box(lo, cap)
	l[v], h[v] = max(l[v], vlo), min(h[v], vhi)
	if l[v] > h[v] {
		return false, true
	}
	a.nodes, a.budget, a.exhausted = 0, budget, false
	a.search(l, h, func([]int64) bool { found = true; return false })
	return found, found || !a.exhausted
}

// enumerate lists all solutions within the budget: per variable the
// smallest and largest value seen, the number of solutions, and whether
// the list is complete.
func (a *attack) enumerate(lo, cap int64, budget int, each func([]int64)) (mins, maxs []int64, n int, complete bool) {
	l, h := a.box(lo, cap)
	mins, maxs = make([]int64, len(l)), make([]int64, len(l))
	a.nodes, a.budget, a.exhausted = 0, budget, false
	a.search(l, h, func(x []int64) bool {
		for v := range x {
			if n == 0 || x[v] < mins[v] {
				mins[v] = x[v]
			}
			if n == 0 || x[v] > maxs[v] {
				maxs[v] = x[v]
			}
		}
		n++
		each(x)
		return true
	})
	return mins, maxs, n, !a.exhausted
}

const (
	enumBudget  = 20_000
	existBudget = 2_000_000
)

type attackStats struct {
	tables, nothingHidden, enumerated, solutions, searched, hiddenCells int
}

// checkResult is the property every Result must have, checked against the
// original table by an attacker who only sees what is published.
func checkResult(t testing.TB, tab Table, k int, r Result, st *attackStats) {
	t.Helper()
	R, C := len(tab.Counts), 0
	if R > 0 {
		C = len(tab.Counts[0])
	}
	truth := extended(tab)
	if len(r.Hidden) != R+1 || len(r.Primary) != R+1 {
		t.Fatalf("%v: mask has %d rows, want %d", tab.Counts, len(r.Hidden), R+1)
	}
	for i := range R + 1 {
		if len(r.Hidden[i]) != C+1 || len(r.Primary[i]) != C+1 {
			t.Fatalf("%v: mask row %d has %d columns, want %d", tab.Counts, i, len(r.Hidden[i]), C+1)
		}
		for j := range C + 1 {
			v := truth[i][j]
			if r.Cell(i, j) != v {
				t.Fatalf("%v: Cell(%d,%d) = %d, want %d", tab.Counts, i, j, r.Cell(i, j), v)
			}
			known, forced := in(tab.Known, i, j), in(tab.Hide, i, j) && v > 0
			if known && r.Hidden[i][j] {
				t.Fatalf("%v k=%d: hid (%d,%d), which the reader knows", tab.Counts, k, i, j)
			}
			small := v > 0 && v < int64(k) && !known
			if r.Primary[i][j] != (small || forced) {
				t.Fatalf("%v k=%d: Primary(%d,%d) = %v for count %d", tab.Counts, k, i, j, r.Primary[i][j], v)
			}
			if !r.Hidden[i][j] && (small || forced) {
				t.Fatalf("%v k=%d: published (%d,%d) = %d, below k and not zero (or to be hidden)", tab.Counts, k, i, j, v)
			}
			if r.Hidden[i][j] && v == 0 {
				t.Fatalf("%v k=%d: hid a zero at (%d,%d)", tab.Counts, k, i, j)
			}
		}
	}
	st.tables++
	a := newAttack(r.Hidden, func(i, j int) int64 {
		if r.Hidden[i][j] {
			panic("attacker read a hidden cell")
		}
		return r.Cell(i, j)
	})
	if len(a.cells) == 0 {
		st.nothingHidden++
		return
	}
	st.hiddenCells += len(a.cells)
	orig := make([]int64, len(a.cells))
	for v, c := range a.cells {
		orig[v] = truth[c[0]][c[1]]
	}
	cap := truth[R][C] + 1
	// The truth must be a solution.
	if !a.propagate(append([]int64(nil), orig...), append([]int64(nil), orig...)) {
		t.Fatalf("%v k=%d: the true table does not satisfy the published equations", tab.Counts, k)
	}

	// Reader who assumes only non-negative counts: every hidden cell must
	// be able to go both below and above its true value.
	seenTruth := false
	mins, maxs, n, complete := a.enumerate(0, cap, enumBudget, func(x []int64) {
		if slicesEqual(x, orig) {
			seenTruth = true
		}
	})
	if complete {
		st.enumerated++
		st.solutions += n
		if !seenTruth {
			t.Fatalf("%v k=%d: the true table is not among the %d solutions", tab.Counts, k, n)
		}
	} else {
		st.searched++
	}
	for v, c := range a.cells {
		for _, below := range []bool{true, false} {
			if complete {
				if below && mins[v] >= orig[v] || !below && maxs[v] <= orig[v] {
					t.Fatalf("%v k=%d hidden %v: cell (%d,%d) = %d has range [%d,%d] over all %d solutions",
						tab.Counts, k, maskString(r.Hidden), c[0], c[1], orig[v], mins[v], maxs[v], n)
				}
				continue
			}
			vlo, vhi := orig[v]+1, cap
			if below {
				vlo, vhi = 0, orig[v]-1
			}
			found, decided := a.exists(0, cap, v, vlo, vhi, existBudget)
			if !decided {
				t.Fatalf("%v k=%d: search budget exhausted for cell (%d,%d)", tab.Counts, k, c[0], c[1])
			}
			if !found {
				t.Fatalf("%v k=%d hidden %v: cell (%d,%d) = %d cannot go %s",
					tab.Counts, k, maskString(r.Hidden), c[0], c[1], orig[v], map[bool]string{true: "down", false: "up"}[below])
			}
		}
	}

	// Reader who knows hidden cells are never zero: every hidden cell must
	// still take a second value.
	for v, c := range a.cells {
		up, decided := a.exists(1, cap, v, orig[v]+1, cap, existBudget)
		if !decided {
			t.Fatalf("%v k=%d: search budget exhausted for cell (%d,%d)", tab.Counts, k, c[0], c[1])
		}
		if up {
			continue
		}
		down, decided := a.exists(1, cap, v, 1, orig[v]-1, existBudget)
		if !decided {
			t.Fatalf("%v k=%d: search budget exhausted for cell (%d,%d)", tab.Counts, k, c[0], c[1])
		}
		if !down {
			t.Fatalf("%v k=%d hidden %v: cell (%d,%d) = %d recovered by a reader who knows hidden cells are not zero",
				tab.Counts, k, maskString(r.Hidden), c[0], c[1], orig[v])
		}
	}
}

// in reads a mask that may be nil.
func in(m [][]bool, i, j int) bool { return m != nil && m[i][j] }

func extended(tab Table) [][]int64 {
	R, C := len(tab.Counts), 0
	if R > 0 {
		C = len(tab.Counts[0])
	}
	e := make([][]int64, R+1)
	for i := range e {
		e[i] = make([]int64, C+1)
	}
	for i, row := range tab.Counts {
		for j, v := range row {
			e[i][j] = v
			e[i][C] += v
			e[R][j] += v
			e[R][C] += v
		}
	}
	return e
}

func slicesEqual(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func maskString(m [][]bool) string {
	s := ""
	for i, row := range m {
		if i > 0 {
			s += "/"
		}
		for _, h := range row {
			if h {
				s += "x"
			} else {
				s += "."
			}
		}
	}
	return s
}

// randomTable draws R, C in 1..maxDim and counts in 0..12, half of them
// from 0..4 so small cells and zeros are common.
func randomTable(rng *rand.Rand, maxDim int) Table {
	R, C := 1+rng.IntN(maxDim), 1+rng.IntN(maxDim)
	t := Table{Counts: make([][]int64, R)}
	for i := range t.Counts {
		t.Counts[i] = make([]int64, C)
		for j := range t.Counts[i] {
			if rng.IntN(2) == 0 {
				t.Counts[i][j] = int64(rng.IntN(5))
			} else {
				t.Counts[i][j] = int64(rng.IntN(13))
			}
		}
	}
	return t
}

func TestNoHiddenCellIsRecoverable(t *testing.T) {
	n := 2500
	if testing.Short() {
		n = 300
	}
	var st attackStats
	for _, seed := range []uint64{1, 2, 3, 4} {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		for range n {
			tab := randomTable(rng, 4)
			k := 2 + rng.IntN(5)
			r, err := Apply(tab, k)
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, tab, k, r, &st)
		}
	}
	t.Logf("checked %d random tables: %d with nothing hidden; %d hidden cells in the others, whose solutions were enumerated completely for %d tables (%d solutions in all) and searched cell by cell for %d",
		st.tables, st.nothingHidden, st.hiddenCells, st.enumerated, st.solutions, st.searched)
	if st.enumerated == 0 || st.searched == 0 {
		t.Errorf("both checking paths should be exercised: enumerated %d, searched %d", st.enumerated, st.searched)
	}
}

// With the column totals and the grand total known from elsewhere (the
// overview above a breakdown), and some row totals to be hidden because
// another table hides them, a table is either refused as unprotectable or
// published with every hidden cell still free to move; the attacker knows
// the known cells like any published one.
func TestKnownAndForcedCells(t *testing.T) {
	n := 1500
	if testing.Short() {
		n = 200
	}
	var st attackStats
	refused := 0
	for _, seed := range []uint64{7, 8} {
		rng := rand.New(rand.NewPCG(seed, 0xc0ffee))
		for range n {
			tab := randomTable(rng, 4)
			R, C := len(tab.Counts), len(tab.Counts[0])
			tab.Known = make([][]bool, R+1)
			tab.Hide = make([][]bool, R+1)
			for i := range R + 1 {
				tab.Known[i] = make([]bool, C+1)
				tab.Hide[i] = make([]bool, C+1)
			}
			for j := range C + 1 {
				tab.Known[R][j] = true
			}
			for i := range R {
				tab.Hide[i][C] = rng.IntN(4) == 0
			}
			k := 2 + rng.IntN(5)
			r, err := Apply(tab, k)
			if errors.Is(err, ErrCannotProtect) {
				refused++
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, tab, k, r, &st)
		}
	}
	t.Logf("%d tables refused as unprotectable; %d checked, %d hidden cells", refused, st.tables, st.hiddenCells)
	if refused == 0 || st.hiddenCells == 0 {
		t.Errorf("both outcomes should occur: refused %d, hidden cells %d", refused, st.hiddenCells)
	}
	// Known and to-be-hidden at once is a mistake of the caller.
	if _, err := Apply(Table{Counts: [][]int64{{3}}, Known: [][]bool{{true, false}, {false, false}}, Hide: [][]bool{{true, false}, {false, false}}}, 5); err == nil {
		t.Fatal("a cell both known and to be hidden was accepted")
	}
}

// tableFromBytes turns fuzz input into a table of 1..4 × 1..4 and k in 2..6.
func tableFromBytes(data []byte) (Table, int, bool) {
	if len(data) < 2 {
		return Table{}, 0, false
	}
	R, C := 1+int(data[0]&3), 1+int(data[0]>>2&3)
	k := 2 + int(data[1])%5
	data = data[2:]
	t := Table{Counts: make([][]int64, R)}
	for i := range t.Counts {
		t.Counts[i] = make([]int64, C)
		for j := range t.Counts[i] {
			if n := i*C + j; n < len(data) {
				b := data[n]
				if b&0x80 != 0 {
					t.Counts[i][j] = int64(b&0x7f) % 5
				} else {
					t.Counts[i][j] = int64(b) % 13
				}
			}
		}
	}
	return t, k, true
}

func FuzzNoHiddenCellIsRecoverable(f *testing.F) {
	f.Add([]byte{0x0f, 3, 2, 10, 12, 0, 9, 8, 15, 0, 11, 14, 7, 0, 0, 0, 0, 0})
	f.Add([]byte{0x03, 3, 0x81, 0x81, 30})
	f.Add([]byte{0x0c, 3, 3, 10, 12})
	f.Add([]byte{0x05, 1, 1, 0, 2, 0})
	f.Add([]byte{0x0a, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, k, ok := tableFromBytes(data)
		if !ok {
			return
		}
		r, err := Apply(tab, k)
		if err != nil {
			t.Fatal(err)
		}
		var st attackStats
		checkResult(t, tab, k, r, &st)
	})
}

// The attacker must be able to win: a table with only its small cell
// hidden gives it away, and so does a rectangle of two ones and two large
// cells to a reader who knows hidden cells are not zero.
func TestAttackerRecoversUnprotectedCells(t *testing.T) {
	tab := Table{Counts: [][]int64{{2, 10, 12}, {9, 8, 15}, {11, 14, 7}}}
	truth := extended(tab)
	hidden := maskOf(4, 4, [2]int{0, 0})
	a := newAttack(hidden, func(i, j int) int64 { return truth[i][j] })
	mins, maxs, n, complete := a.enumerate(0, truth[3][3]+1, enumBudget, func([]int64) {})
	if !complete || n != 1 || mins[0] != 2 || maxs[0] != 2 {
		t.Fatalf("lone hidden cell: complete=%v, %d solutions, range [%d,%d]; want exactly the value 2", complete, n, mins, maxs)
	}

	tab = Table{Counts: [][]int64{{1, 1, 30}, {20, 20, 20}}}
	truth = extended(tab)
	hidden = maskOf(3, 4, [2]int{0, 0}, [2]int{0, 1}, [2]int{1, 0}, [2]int{1, 1})
	a = newAttack(hidden, func(i, j int) int64 { return truth[i][j] })
	mins, maxs, n, complete = a.enumerate(0, truth[2][3]+1, enumBudget, func([]int64) {})
	if !complete || n != 3 || mins[0] != 0 || maxs[0] != 2 {
		t.Fatalf("non-negative reader: complete=%v, %d solutions, cell (0,0) in [%d,%d]; want 3 solutions, [0,2]", complete, n, mins[0], maxs[0])
	}
	mins, maxs, n, complete = a.enumerate(1, truth[2][3]+1, enumBudget, func([]int64) {})
	if !complete || n != 1 || mins[0] != 1 || maxs[0] != 1 || mins[1] != 1 || maxs[1] != 1 {
		t.Fatalf("reader who knows hidden ≥ 1: complete=%v, %d solutions, ranges %v..%v; want the ones recovered", complete, n, mins, maxs)
	}
	// Apply does not fall for it.
	r, err := Apply(tab, 5)
	if err != nil {
		t.Fatal(err)
	}
	var st attackStats
	checkResult(t, tab, 5, r, &st)
}

func maskOf(nr, nc int, cells ...[2]int) [][]bool {
	m := make([][]bool, nr)
	for i := range m {
		m[i] = make([]bool, nc)
	}
	for _, c := range cells {
		m[c[0]][c[1]] = true
	}
	return m
}

// The cycle criterion the package relies on (canMove) must agree exactly
// with the brute-force solver on arbitrary hidden sets, for a reader who
// assumes counts ≥ 0 (hidden zeros allowed) and one who assumes hidden
// counts ≥ 1 (hidden sets without zeros).
func TestCycleCriterionMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	checked := map[int64]int{}
	for range 3000 {
		tab := randomTable(rng, 4)
		r, err := Apply(tab, MinK)
		if err != nil {
			t.Fatal(err)
		}
		truth := extended(tab)
		g := newGrid(r)
		var lo int64 = rng.Int64N(2)
		p := 0.2 + 0.6*rng.Float64()
		for i := range g.nr {
			for j := range g.nc {
				g.hidden[i][j] = rng.Float64() < p && (lo == 0 || truth[i][j] > 0)
			}
		}
		a := newAttack(g.hidden, func(i, j int) int64 { return truth[i][j] })
		cap := truth[g.nr-1][g.nc-1] + 1
		for v, c := range a.cells {
			x := truth[c[0]][c[1]]
			for _, up := range []bool{true, false} {
				vlo, vhi := x+1, cap
				if !up {
					vlo, vhi = lo, x-1
				}
				found, decided := a.exists(lo, cap, v, vlo, vhi, existBudget)
				if !decided {
					t.Fatalf("budget exhausted")
				}
				if got := g.canMove(c[0], c[1], up, lo); got != found {
					t.Fatalf("%v hidden %v, reader assumes ≥ %d: canMove(%d,%d,up=%v) = %v, brute force says %v",
						tab.Counts, maskString(g.hidden), lo, c[0], c[1], up, got, found)
				}
				checked[lo]++
			}
		}
	}
	t.Logf("compared %d cell directions assuming ≥ 0 and %d assuming ≥ 1", checked[0], checked[1])
}

func TestComplementaryCost(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 13))
	var cells, primary, compl, complMargins, tables int
	marginTables := map[string]int{}
	for range 2000 {
		tab := randomTable(rng, 6)
		k := 2 + rng.IntN(5)
		r, err := Apply(tab, k)
		if err != nil {
			t.Fatal(err)
		}
		tables++
		hadMargin := false
		for i := range r.Hidden {
			for j := range r.Hidden[i] {
				cells++
				switch {
				case r.Primary[i][j]:
					primary++
				case r.Hidden[i][j]:
					compl++
					if i == r.Rows() || j == r.Cols() {
						complMargins++
						hadMargin = true
					}
				}
			}
		}
		if hadMargin {
			switch {
			case r.Rows() == 1 || r.Cols() == 1:
				marginTables["one row or column"]++
			case anyPrimaryMargin(r):
				marginTables["a small margin"]++
			default:
				marginTables["no cycle inside"]++
			}
		}
	}
	t.Logf("%d tables, %d cells: %d primary (%.1f%%), %d complementary (%.1f%%, %.2f per primary), %d complementary margins; tables with complementary margins by cause: %v",
		tables, cells, primary, 100*float64(primary)/float64(cells), compl, 100*float64(compl)/float64(cells),
		float64(compl)/float64(max(primary, 1)), complMargins, marginTables)
}

func anyPrimaryMargin(r Result) bool {
	for i := range r.Primary {
		for j := range r.Primary[i] {
			if r.Primary[i][j] && (i == r.Rows() || j == r.Cols()) {
				return true
			}
		}
	}
	return false
}
