package results_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"inspraak/internal/consultation"
	"inspraak/internal/results"
	"inspraak/internal/results/suppress/attack"
)

// breakdownPage is an analysts' results page split by a group: the exact
// counts per option and the number of respondents (analysts see them),
// the representativeness table (when there are population figures) and
// one breakdown table per choice question.
type breakdownPage struct {
	qs   []results.Question
	per  map[int64][]results.BreakdownRow
	keys []string
	rows []int64 // respondents per group
}

// randomBreakdownPage draws respondents in groups (one group of few
// people is common, as is "unknown") and their answers to single and
// multiple choice questions; some questions everyone answered.
func randomBreakdownPage(rng *rand.Rand) breakdownPage {
	all := []string{"centrum", "noord", "oost", "zuid", ""}
	G := 1 + rng.IntN(4)
	keys := append([]string(nil), all[len(all)-G:]...)
	groupWeights := make([]int, G)
	for i := range groupWeights {
		groupWeights[i] = []int{1, 2, 5, 10}[rng.IntN(4)]
	}
	people := rng.IntN(45)
	if rng.IntN(5) == 0 {
		people = rng.IntN(8)
	}
	group := make([]int, people)
	p := breakdownPage{per: map[int64][]results.BreakdownRow{}, keys: keys, rows: make([]int64, G)}
	for i := range group {
		group[i] = weightedPick(rng, groupWeights)
		p.rows[group[i]]++
	}
	for n := range 1 + rng.IntN(3) {
		kind := consultation.Single
		if rng.IntN(3) == 0 {
			kind = consultation.Multiple
		}
		nopt := 2 + rng.IntN(3)
		q := results.Question{Question: consultation.Question{ID: int64(n + 1), Kind: kind}}
		for j := range nopt {
			q.Options = append(q.Options, results.Option{ID: int64(100*(n+1) + j), Label: fmt.Sprintf("optie %d", j+1)})
		}
		weights := make([]int, nopt)
		for j := range weights {
			weights[j] = []int{0, 1, 2, 6}[rng.IntN(4)]
		}
		weights[rng.IntN(nopt)] += 3
		everyone := rng.IntN(2) == 0
		count := map[[2]int]int64{}
		for i := range people {
			if !everyone && rng.IntN(3) == 0 {
				continue
			}
			q.Base++
			chosen := map[int]bool{weightedPick(rng, weights): true}
			if kind == consultation.Multiple {
				for range rng.IntN(nopt) {
					chosen[weightedPick(rng, weights)] = true
				}
			}
			for j := range chosen {
				q.Options[j].Count++
				count[[2]int{group[i], j}]++
			}
		}
		for g := range G {
			for j := range nopt {
				if c := count[[2]int{g, j}]; c > 0 {
					p.per[q.ID] = append(p.per[q.ID], results.BreakdownRow{QuestionID: q.ID, Grp: keys[g], OptionID: q.Options[j].ID, N: c})
				}
			}
		}
		p.qs = append(p.qs, q)
	}
	return p
}

// attackBreakdownPage protects a page and reads it as a reader would.
func attackBreakdownPage(t *testing.T, bp breakdownPage, shown bool, k int) (hidden, withheld int, errs []string) {
	t.Helper()
	gs, err := results.NewGroups(bp.keys, bp.rows, shown, k)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := results.BreakdownsTogether(bp.qs, results.ByWijk, k, bp.per, gs)
	if err != nil {
		t.Fatal(err)
	}
	p := &page{k: k}
	total := results.GroupTotal(gs)
	all := attack.C(float64(total)) // "Ingestuurd: n" on the page
	n := map[string]attack.Expr{}
	var ns []attack.Expr
	var nh []bool
	rep := results.RepShown(gs)
	for i, key := range bp.keys {
		if rep != nil {
			e, h := p.read(rep[i], bp.rows[i], "respondenten "+key)
			n[key], ns, nh = e, append(ns, e), append(nh, h)
		} else {
			n[key] = p.unpublished("respondenten " + key)
			ns = append(ns, n[key])
		}
	}
	p.r.Equal(attack.Sum(ns...), all, "respondents add up")
	if rep != nil {
		p.line(all, false, total, ns, nh, "representativeness")
	}
	for _, q := range bp.qs {
		b := bs[q.ID]
		if b.Withheld {
			withheld++
			continue
		}
		R, C := len(b.Groups), len(b.Options)
		cell := make([][]attack.Expr, R+1)
		hid := make([][]bool, R+1)
		for i := range R + 1 {
			cell[i] = make([]attack.Expr, C+1)
			hid[i] = make([]bool, C+1)
			for j := range C + 1 {
				cell[i][j], hid[i][j] = p.read(b.Show(i, j), b.Table.Cell(i, j), fmt.Sprintf("q%d (%d,%d)", q.ID, i, j))
			}
		}
		for j := range C {
			if b.Table.Cell(R, j) != q.Options[j].Count || hid[R][j] {
				p.errs = append(p.errs, fmt.Sprintf("q%d: option %d total %s, the page prints %d above", q.ID, j, b.Show(R, j), q.Options[j].Count))
			}
		}
		for i := range R + 1 {
			p.r.Equal(attack.Sum(cell[i][:C]...), cell[i][C], "row")
			p.line(cell[i][C], hid[i][C], b.Table.Cell(i, C), cell[i][:C], hid[i][:C], fmt.Sprintf("q%d row %d", q.ID, i))
		}
		for j := range C + 1 {
			var col []attack.Expr
			var ch []bool
			for i := range R {
				col, ch = append(col, cell[i][j]), append(ch, hid[i][j])
			}
			p.r.Equal(attack.Sum(col...), cell[R][j], "column")
			p.line(cell[R][j], hid[R][j], b.Table.Cell(R, j), col, ch, fmt.Sprintf("q%d column %d", q.ID, j))
		}
		// Who answered in a group are at most its respondents; for
		// multiple choice, each option's choosers are.
		for i, g := range b.Groups {
			ng, ok := n[strings.ToLower(g)]
			if !ok {
				p.errs = append(p.errs, "unknown group "+g)
				continue
			}
			if q.Kind == consultation.Multiple {
				for j := range C {
					p.r.AtMost(cell[i][j], ng, "option within group")
				}
			} else {
				p.r.AtMost(cell[i][C], ng, "answered within group")
			}
		}
	}
	return len(p.hidden), withheld, p.attack()
}

// Thousands of random analysts' pages split by wijk, with and without a
// representativeness table, several questions linked through the
// respondents per wijk: every hidden count ranges at least k wide given
// everything the page shows, and no line gives a group away.
func TestBreakdownPagesResistTheAttack(t *testing.T) {
	t.Parallel() // each test has its own database
	rng := rand.New(rand.NewPCG(21, 0xb4ea))
	n := attack.Rounds(120)
	hidden, withheld, tables := 0, 0, 0
	for i := range n {
		bp := randomBreakdownPage(rng)
		k := 5
		if i%4 == 0 {
			k = 3 + rng.IntN(5)
		}
		h, w, errs := attackBreakdownPage(t, bp, rng.IntN(3) > 0, k)
		if len(errs) > 0 {
			t.Fatalf("page %d (k=%d, groups %v %v): %s", i, k, bp.keys, bp.rows, strings.Join(errs, "; "))
		}
		hidden, withheld, tables = hidden+h, withheld+w, tables+len(bp.qs)
	}
	t.Logf("%d random pages, %d tables (%d withheld), %d hidden counts, all protected", n, tables, withheld, hidden)
	if hidden == 0 || withheld == tables {
		t.Fatal("the attack did not run")
	}
}
