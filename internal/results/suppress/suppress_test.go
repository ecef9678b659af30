package suppress

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func showRow(r Result) string {
	var out []string
	for _, row := range shownOf(r) {
		out = append(out, strings.Join(row, " "))
	}
	return strings.Join(out, " / ")
}

// Tables worked out by hand (one row: the column totals repeat it).
func TestHandWorkedTables(t *testing.T) {
	for _, c := range []struct {
		name   string
		counts [][]int64
		want   string
	}{
		// The demo: 13 answered, 5 chose A. The other two are 8 together,
		// each anywhere from 0 to 8: 9 values, wide enough.
		{"demo", [][]int64{{5, 4, 4}}, "5 x x 13 / 5 x x 13"},
		// 2 and 0 of 12: hiding the 0 alone leaves the 2 between 0 and 2,
		// so the 10 goes too (and the zero, tried first, stays hidden).
		{"a small count beside a zero", [][]int64{{10, 2, 0}}, "x x x 12 / x x x 12"},
		// Everyone who answered chose one option: 3 of 3. With two zeros
		// shown the 3 would be everyone's; one zero is hidden with it.
		{"all chose one", [][]int64{{3, 0, 0}}, "x x 0 x / x x 0 x"},
		{"nothing small", [][]int64{{5, 6}, {7, 8}}, "5 6 11 / 7 8 15 / 12 14 26"},
		{"all zero", [][]int64{{0, 0}, {0, 0}}, "0 0 0 / 0 0 0 / 0 0 0"},
	} {
		r, _ := checkApply(t, Table{Counts: c.counts}, DefaultK)
		if got := showRow(r); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestEmptyTables(t *testing.T) {
	for _, c := range []struct {
		name   string
		counts [][]int64
	}{
		{"nil", nil},
		{"no rows", [][]int64{}},
		{"rows without columns", [][]int64{{}, {}}},
	} {
		r, err := Apply(Table{Counts: c.counts}, DefaultK)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if r.Total != 0 || r.Show(len(r.RowTotals), 0) != "0" {
			t.Errorf("%s: total %d", c.name, r.Total)
		}
	}
}

func TestErrors(t *testing.T) {
	ok := Table{Counts: [][]int64{{1, 2}, {3, 4}}}
	for _, c := range []struct {
		name string
		t    Table
		k    int
		want string
	}{
		{"k=1", ok, 1, "threshold 1"},
		{"k=0", ok, 0, "threshold 0"},
		{"ragged", Table{Counts: [][]int64{{1, 2}, {3}}}, 5, "row 1 has 1 columns"},
		{"negative", Table{Counts: [][]int64{{1, 2}, {3, -4}}}, 5, "negative count -4 at (1,1)"},
		{"overflow", Table{Counts: [][]int64{{maxTotal, 1}}}, 5, "too large"},
	} {
		_, err := Apply(c.t, c.k)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	var p Problem
	a, b := p.Add(Var{Value: 3}), p.Add(Var{Value: 2})
	p.AtMost(a, b)
	if _, err := Protect(&p, 5); err == nil {
		t.Error("counts that break their relations were accepted")
	}
}

// Same input, same output, and the input is left alone.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		tab := randomTable(rng, 5)
		before := extended(tab)
		a, err := Apply(tab, 5)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Apply(tab, 5)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%v: two runs differ", tab.Counts)
		}
		if !reflect.DeepEqual(before, extended(tab)) {
			t.Fatalf("Apply changed its input")
		}
	}
}
