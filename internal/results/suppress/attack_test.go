package suppress

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/results/suppress/attack"
)

// The attack harness: a reader who has this code and a linear-programming
// solver reads a published table (the text of each cell) and computes, of
// every hidden cell, the smallest and largest value consistent with
// everything published. The table fails when an interval is narrower than
// k, or when a line whose total is hidden or below k shows that all of it
// gave one answer. The reader takes every published text at its word: a
// number is that number, Mark says nothing, and "<n" (what older versions
// showed) means 1 to n−1.

// readCell turns a published text into what the reader knows of the cell.
func readCell(r *attack.Reader, s, name string) (attack.Expr, bool, error) {
	switch {
	case s == Mark:
		return attack.V(r.Unknown(name)), true, nil
	case strings.HasPrefix(s, "<"):
		n, err := strconv.Atoi(s[1:])
		if err != nil {
			return attack.Expr{}, false, err
		}
		v := attack.V(r.Unknown(name))
		r.AtMost(attack.C(1), v, name+" ≥ 1")
		r.AtMost(v, attack.C(float64(n-1)), name+" < "+s[1:])
		return v, true, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return attack.C(float64(n)), false, err
}

// attackLine checks one line for group disclosure: where its total is
// hidden or below k (and not zero), no part may be forced to equal it.
func attackLine(r *attack.Reader, total attack.Expr, totalHidden bool, truth int64, parts []attack.Expr, anyHidden bool, k int, what string) error {
	if truth == 0 || !anyHidden || !totalHidden && truth >= int64(k) || len(parts) < 2 {
		return nil
	}
	for j, p := range parts {
		_, hi, err := r.Range(total.Minus(p))
		if err != nil {
			return fmt.Errorf("%s: solver: %v", what, err)
		}
		if hi < 0.5 {
			return fmt.Errorf("%s: all of a group of %d (total %s) gave answer %d", what, truth, map[bool]string{true: "hidden", false: "shown"}[totalHidden], j)
		}
	}
	return nil
}

// attackTable reads a published extended table and returns every
// disclosure it finds. truth is the extended table behind it.
func attackTable(shown [][]string, truth [][]int64, k int) []error {
	var r attack.Reader
	R, C := len(shown)-1, len(shown[0])-1
	cell := make([][]attack.Expr, R+1)
	hidden := make([][]bool, R+1)
	var errs []error
	for i := range R + 1 {
		cell[i] = make([]attack.Expr, C+1)
		hidden[i] = make([]bool, C+1)
		for j := range C + 1 {
			var err error
			cell[i][j], hidden[i][j], err = readCell(&r, shown[i][j], fmt.Sprintf("(%d,%d)", i, j))
			if err != nil {
				return []error{err}
			}
			if !hidden[i][j] && int64(cell[i][j].Const) != truth[i][j] {
				errs = append(errs, fmt.Errorf("(%d,%d) shows %s, is %d", i, j, shown[i][j], truth[i][j]))
			}
		}
	}
	type ln struct {
		total      [2]int
		parts      [][2]int
		what       string
		totalTruth int64
	}
	var lines []ln
	for i := range R + 1 {
		l := ln{total: [2]int{i, C}, what: fmt.Sprintf("row %d", i)}
		for j := range C {
			l.parts = append(l.parts, [2]int{i, j})
		}
		lines = append(lines, l)
	}
	for j := range C + 1 {
		l := ln{total: [2]int{R, j}, what: fmt.Sprintf("column %d", j)}
		for i := range R {
			l.parts = append(l.parts, [2]int{i, j})
		}
		lines = append(lines, l)
	}
	for _, l := range lines {
		var ps []attack.Expr
		for _, p := range l.parts {
			ps = append(ps, cell[p[0]][p[1]])
		}
		r.Equal(attack.Sum(ps...), cell[l.total[0]][l.total[1]], l.what)
	}
	for _, b := range r.Bad {
		errs = append(errs, errors.New("published figures contradict each other: "+b))
	}
	for i := range R + 1 {
		for j := range C + 1 {
			if !hidden[i][j] {
				continue
			}
			lo, hi, err := r.Range(cell[i][j])
			if err != nil {
				errs = append(errs, fmt.Errorf("(%d,%d): solver: %v", i, j, err))
				continue
			}
			if v := float64(truth[i][j]); v < lo-1e-6 || v > hi+1e-6 {
				errs = append(errs, fmt.Errorf("(%d,%d) = %d outside its computed interval [%g,%g]", i, j, truth[i][j], lo, hi))
			}
			if hi-lo < float64(k)-1e-6 {
				errs = append(errs, fmt.Errorf("(%d,%d) = %d: interval [%g,%g] narrower than %d", i, j, truth[i][j], lo, hi, k))
			}
		}
	}
	for _, l := range lines {
		var ps []attack.Expr
		anyHidden := hidden[l.total[0]][l.total[1]]
		for _, p := range l.parts {
			ps = append(ps, cell[p[0]][p[1]])
			anyHidden = anyHidden || hidden[p[0]][p[1]]
		}
		if err := attackLine(&r, cell[l.total[0]][l.total[1]], hidden[l.total[0]][l.total[1]], truth[l.total[0]][l.total[1]], ps, anyHidden, k, l.what); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

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

func shownOf(r Result) [][]string {
	out := make([][]string, r.Rows()+1)
	for i := range out {
		out[i] = make([]string, r.Cols()+1)
		for j := range out[i] {
			out[i][j] = r.Show(i, j)
		}
	}
	return out
}

// checkApply protects a table and sets the attacker on it; it also checks
// the rules a reader does not see: small cells hidden, known cells shown.
func checkApply(t testing.TB, tab Table, k int) (Result, bool) {
	t.Helper()
	r, err := Apply(tab, k)
	if errors.Is(err, ErrCannotProtect) {
		return r, false
	}
	if err != nil {
		t.Fatalf("%v k=%d: %v", tab.Counts, k, err)
	}
	truth := extended(tab)
	for i := range truth {
		for j, v := range truth[i] {
			known := in(tab.Known, i, j)
			if known && r.Hidden[i][j] {
				t.Fatalf("%v k=%d: hid (%d,%d), which the reader knows", tab.Counts, k, i, j)
			}
			if !known && v > 0 && v < int64(k) && !r.Hidden[i][j] {
				t.Fatalf("%v k=%d: published the small count %d at (%d,%d)", tab.Counts, k, v, i, j)
			}
		}
	}
	if errs := attackTable(shownOf(r), truth, k); len(errs) > 0 {
		t.Fatalf("%v k=%d published %v: %v", tab.Counts, k, shownOf(r), errors.Join(errs...))
	}
	return r, true
}

func in(m [][]bool, i, j int) bool { return m != nil && i < len(m) && j < len(m[i]) && m[i][j] }

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
	n := attack.Rounds(600)
	rng := rand.New(rand.NewPCG(1, 0x5eed))
	hiddenCells, tables := 0, 0
	for range n {
		tab := randomTable(rng, 4)
		k := 2 + rng.IntN(5)
		r, ok := checkApply(t, tab, k)
		if !ok {
			t.Fatalf("%v k=%d: refused, with nothing known elsewhere", tab.Counts, k)
		}
		for i := range r.Hidden {
			for _, h := range r.Hidden[i] {
				if h {
					hiddenCells++
				}
			}
		}
		tables++
	}
	t.Logf("%d random tables, %d hidden cells, every interval at least k wide", tables, hiddenCells)
	if hiddenCells == 0 {
		t.Fatal("nothing was hidden: the attack did not run")
	}
}

// With the column totals and the grand total known from elsewhere (the
// overview above a breakdown) and some row totals to be hidden because
// another table hides them, a table is either refused or protected.
func TestKnownAndForcedCells(t *testing.T) {
	n := attack.Rounds(500)
	rng := rand.New(rand.NewPCG(7, 0xc0ffee))
	refused, checked := 0, 0
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
		if _, ok := checkApply(t, tab, k); ok {
			checked++
		} else {
			refused++
		}
	}
	t.Logf("%d refused, %d published", refused, checked)
	if refused == 0 || checked == 0 {
		t.Errorf("both outcomes should occur: refused %d, published %d", refused, checked)
	}
	if _, err := Apply(Table{Counts: [][]int64{{3}}, Known: [][]bool{{true, false}, {false, false}}, Hide: [][]bool{{true, false}, {false, false}}}, 5); err == nil {
		t.Fatal("a cell both known and to be hidden was accepted")
	}
}

// tableFromBytes turns fuzz input into a table of 1..4 × 1..4 and k in
// 2..6; bit 4 of the first byte makes the column totals known.
func tableFromBytes(data []byte) (Table, int, bool) {
	if len(data) < 2 {
		return Table{}, 0, false
	}
	R, C := 1+int(data[0]&3), 1+int(data[0]>>2&3)
	k := 2 + int(data[1])%5
	known := data[0]&0x10 != 0
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
	if known {
		t.Known = make([][]bool, R+1)
		for i := range t.Known {
			t.Known[i] = make([]bool, C+1)
		}
		for j := range C + 1 {
			t.Known[R][j] = true
		}
	}
	return t, k, true
}

func FuzzNoHiddenCellIsRecoverable(f *testing.F) {
	f.Add([]byte{0x0f, 3, 2, 10, 12, 0, 9, 8, 15, 0, 11, 14, 7, 0, 0, 0, 0, 0})
	f.Add([]byte{0x03, 3, 0x81, 0x81, 30})
	f.Add([]byte{0x08, 3, 5, 4, 4}) // the demo: 5, 4, 4 of 13
	f.Add([]byte{0x08, 3, 10, 2, 0})
	f.Add([]byte{0x1a, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, k, ok := tableFromBytes(data)
		if !ok {
			return
		}
		if _, ok := checkApply(t, tab, k); !ok && tab.Known == nil {
			t.Fatalf("%v k=%d: refused, with nothing known elsewhere", tab.Counts, k)
		}
	})
}

// The attacker wins against what older versions published: the demo's
// question (13 answered, 5 chose A, the other two "<5"), a published zero
// beside a hidden cell, and a lone hidden cell.
func TestAttackerBeatsUnprotectedTables(t *testing.T) {
	for _, c := range []struct {
		name  string
		shown []string
		truth []int64
		want  string
	}{
		{"demo: 13, 5, <5, <5", []string{"5", "<5", "<5", "13"}, []int64{5, 4, 4, 13}, "narrower"},
		{"a zero beside hidden cells", []string{"x", "0", "x", "7"}, []int64{4, 0, 3, 7}, ""},
		{"everyone chose one option", []string{"x", "0", "0", "x"}, []int64{3, 0, 0, 3}, "all of a group"},
		{"a lone hidden cell", []string{"9", "x", "12", "23"}, []int64{9, 2, 12, 23}, "narrower"},
	} {
		// One row: the column totals repeat it.
		shown := [][]string{c.shown, c.shown}
		truth := [][]int64{c.truth, c.truth}
		errs := attackTable(shown, truth, 5)
		got := errors.Join(errs...)
		if c.want == "" {
			if got != nil {
				t.Errorf("%s: %v", c.name, got)
			}
			continue
		}
		if got == nil || !strings.Contains(got.Error(), c.want) {
			t.Errorf("%s: attacker found %v, want %q", c.name, got, c.want)
		}
	}
}
