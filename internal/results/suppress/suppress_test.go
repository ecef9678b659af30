package suppress

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// mask parses rows of the extended table separated by "/", "x" = hidden.
func mask(s string) [][]bool {
	var m [][]bool
	for _, row := range strings.Split(s, "/") {
		var r []bool
		for _, c := range row {
			r = append(r, c == 'x')
		}
		m = append(m, r)
	}
	return m
}

func TestHandWorkedTables(t *testing.T) {
	cases := []struct {
		name          string
		counts        [][]int64
		k             int
		primary, want string
	}{{
		// Row totals 24 32 32, column totals 22 32 34, total 88. Only the
		// 2 is small. The cheapest cycle through it inside the table is
		// the rectangle with the 10, the 9 and the 8 (27; the 11,7,12
		// rectangle costs 30). No margin is touched.
		name:    "3x3 one small cell",
		counts:  [][]int64{{2, 10, 12}, {9, 8, 15}, {11, 14, 7}},
		k:       5,
		primary: "x.../..../..../....",
		want:    "xx../xx../..../....",
	}, {
		// One row: the column totals repeat the row, so the 3 shows up
		// twice and both copies are primary. A cycle has to run through
		// the totals row: the 10 and its column total close it, and the
		// row total and grand total (25) stay published.
		name:    "1xC",
		counts:  [][]int64{{3, 10, 12}},
		k:       5,
		primary: "x.../x...",
		want:    "xx../xx..",
	}, {
		name:    "Rx1",
		counts:  [][]int64{{3}, {10}, {12}},
		k:       5,
		primary: "xx/../../..",
		want:    "xx/xx/../..",
	}, {
		// Grand total 3 < k: every non-zero cell is small, so everything
		// that could reveal the total goes; the zero column stays.
		name:    "grand total below k",
		counts:  [][]int64{{1, 0}, {2, 0}},
		k:       5,
		primary: "x.x/x.x/x.x",
		want:    "x.x/x.x/x.x",
	}, {
		name:    "everything at least k",
		counts:  [][]int64{{5, 6}, {7, 8}},
		k:       5,
		primary: ".../.../...",
		want:    ".../.../...",
	}, {
		name:    "all zero",
		counts:  [][]int64{{0, 0, 0}, {0, 0, 0}},
		k:       5,
		primary: "..../..../....",
		want:    "..../..../....",
	}, {
		// Two ones in a row. The rectangle with the two 20s below them
		// would let them only trade places (1+t, 1-t), and a reader who
		// knows hidden cells are never zero reads off t = 0. Each one
		// needs a cycle on which it can rise while nothing drops below 1:
		// through the 30, so the first two rows go entirely (2x3 block),
		// margins still published.
		name:    "two ones",
		counts:  [][]int64{{1, 1, 30}, {20, 20, 20}},
		k:       5,
		primary: "xx../..../....",
		want:    "xxx./xxx./....",
	}, {
		// Same, with a cheaper third row (6+40+8 = 54 < 60): it is
		// chosen over the second.
		name:    "two ones, cheaper row",
		counts:  [][]int64{{1, 1, 30}, {20, 20, 20}, {6, 40, 8}},
		k:       5,
		primary: "xx../..../..../....",
		want:    "xxx./..../xxx./....",
	}, {
		// The 2 has no non-zero partner in the table: its column holds
		// only the 7 and its row only the 8, and the cell joining them is
		// zero. Every cycle of non-zero cells needs two margins; the
		// cheapest are the column totals 9 and 8. (Hiding the zero would
		// avoid margins but leave the 2 at the top of its range.)
		name:    "margins needed",
		counts:  [][]int64{{2, 0, 8}, {7, 6, 0}},
		k:       5,
		primary: "x.../..../....",
		want:    "x.x./..../x.x.",
	}, {
		// k = 2 hides only ones.
		name:    "k=2",
		counts:  [][]int64{{2, 10, 12}, {9, 1, 15}, {11, 14, 7}},
		k:       2,
		primary: "..../.x../..../....",
		want:    "xx../xx../..../....",
	}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := Apply(Table{Counts: c.counts}, c.k)
			if err != nil {
				t.Fatal(err)
			}
			if got := maskString(r.Primary); got != c.primary {
				t.Errorf("primary %s, want %s", got, c.primary)
			}
			if got := maskString(r.Hidden); got != c.want {
				t.Errorf("hidden %s, want %s", got, c.want)
			}
			if !reflect.DeepEqual(r.Hidden, mask(c.want)) {
				t.Errorf("mask shape differs from %s", c.want)
			}
			var st attackStats
			checkResult(t, Table{Counts: c.counts}, c.k, r, &st)
		})
	}
}

func TestMarginsAndShow(t *testing.T) {
	tab := Table{Counts: [][]int64{{2, 10, 12}, {9, 8, 15}, {11, 14, 7}}}
	r, err := Apply(tab, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.RowTotals, []int64{24, 32, 32}) || !reflect.DeepEqual(r.ColTotals, []int64{22, 32, 34}) || r.Total != 88 {
		t.Fatalf("margins %v %v %d", r.RowTotals, r.ColTotals, r.Total)
	}
	if r.Rows() != 3 || r.Cols() != 3 {
		t.Fatalf("dims %d×%d", r.Rows(), r.Cols())
	}
	want := [][]string{
		{"<5", "<5", "12", "24"},
		{"<5", "<5", "15", "32"},
		{"11", "14", "7", "32"},
		{"22", "32", "34", "88"},
	}
	for i := range want {
		for j := range want[i] {
			if got := r.Show(i, j, 5); got != want[i][j] {
				t.Errorf("Show(%d,%d) = %q, want %q", i, j, got, want[i][j])
			}
		}
	}
	// The complementary 10 and the primary 2 look the same.
	if r.Show(0, 0, 5) != r.Show(0, 1, 5) {
		t.Error("primary and complementary cells differ in display")
	}
	if r.Cell(0, 1) != 10 || r.Cell(3, 0) != 22 || r.Cell(1, 3) != 32 {
		t.Error("Cell on the extended table")
	}
	// The result owns its counts.
	tab.Counts[2][2] = 1000
	if r.Cell(2, 2) != 7 {
		t.Error("Result shares the caller's slices")
	}
	for _, ij := range [][2]int{{-1, 0}, {4, 0}, {0, 4}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Cell(%d,%d) did not panic", ij[0], ij[1])
				}
			}()
			r.Cell(ij[0], ij[1])
		}()
	}
}

func TestEmptyTables(t *testing.T) {
	for _, c := range []struct {
		name   string
		counts [][]int64
		want   string
	}{
		{"nil", nil, "."},
		{"no rows", [][]int64{}, "."},
		{"rows without columns", [][]int64{{}, {}}, "././."},
	} {
		r, err := Apply(Table{Counts: c.counts}, DefaultK)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := maskString(r.Hidden); got != c.want {
			t.Errorf("%s: hidden %s, want %s", c.name, got, c.want)
		}
		if r.Total != 0 || r.Show(len(r.RowTotals), 0, DefaultK) != "0" {
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
		{"k<0", ok, -5, "threshold -5"},
		{"ragged", Table{Counts: [][]int64{{1, 2}, {3}}}, 5, "row 1 has 1 columns"},
		{"negative", Table{Counts: [][]int64{{1, 2}, {3, -4}}}, 5, "negative count -4 at (1,1)"},
		{"overflow", Table{Counts: [][]int64{{maxTotal, 1}}}, 5, "too large"},
	} {
		_, err := Apply(c.t, c.k)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := Apply(ok, MinK); err != nil {
		t.Errorf("k = MinK: %v", err)
	}
}

// Same input, same output, and the input is left alone.
func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for range 300 {
		tab := randomTable(rng, 6)
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
