package results_test

import (
	"strconv"
	"testing"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// Two single-choice questions everyone answered, split by login means,
// have the same row totals (respondents per means): a total one table
// hides must not be printed by the other (digid A = [3 20], B = [12 11]:
// with A's 3 and 23 hidden and B printing 23, the 3 is 23 − 20).
func TestBreakdownRowTotalsAgreeAcrossQuestions(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	sv := newSurvey(t, db, false, choice(consultation.Single, "A?", "a", "b"), choice(consultation.Single, "B?", "a", "b"))
	c := sv.c
	qa, qb := c.Questions[0], c.Questions[1]
	answer := func(means identity.Means, a, b int) *consultation.Response {
		return sv.submit(sv.person("", means), sv.options(a, b))
	}
	first := func(yes bool) int { return map[bool]int{true: 0, false: 1}[yes] }
	// digid (23): A = 3 a, 20 b; B = 12 a, 11 b.
	for i := range 23 {
		answer(identity.DigiD, first(i < 3), first(i < 12))
	}
	// eherkenning (10): A all a; B 5/5. erased (10): A all b; B 5/5.
	for i := range 10 {
		answer(identity.EHerkenning, 0, first(i < 5))
		r := answer(identity.DigiD, 1, first(i < 5))
		// erased afterwards: the "unknown" group
		if err := db.Exec("UPDATE responses SET participant_id = NULL WHERE id = ?", r.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
	res := results.NewService(db)
	bs := sv.breakdowns(res, results.ByMeans)
	A, B := bs[qa.ID], bs[qb.ID]
	total := func(b *results.Breakdown, g string) (int64, bool, bool) {
		for i, x := range b.Groups {
			if x == g {
				return b.Table.Cell(i, len(b.Options)), b.Table.Hidden[i][len(b.Options)], true
			}
		}
		return 0, false, false
	}
	for _, pair := range [][2]*results.Breakdown{{A, B}, {B, A}} {
		x, y := pair[0], pair[1]
		if x.Withheld || y.Withheld {
			continue
		}
		for _, g := range x.Groups {
			nx, hx, _ := total(x, g)
			ny, hy, ok := total(y, g)
			if ok && nx == ny && hx && !hy {
				t.Fatalf("group %q: total %d hidden in one table, printed in the other", g, nx)
			}
		}
	}
	if A.Withheld && B.Withheld {
		t.Fatal("both withheld: the test shows nothing")
	}
}

// Wijken that differ only in case are one wijk, in the breakdown as in the
// representativeness table: "Noord" (3) and "noord" (8) make 11, shown
// once, and no total below the threshold is printed.
func TestBreakdownGroupsIgnoreCase(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	sv := newSurvey(t, db, false, choice(consultation.Single, "A?", "a", "b"))
	q := sv.c.Questions[0]
	answer := func(wijk string, opt, times int) { sv.choose(wijk, times, opt) }
	answer("Noord", 0, 2)
	answer("Noord", 1, 1)
	answer("noord", 0, 4)
	answer("noord", 1, 4)
	answer("Zuid", 0, 5)
	answer("Zuid", 1, 5)
	res := results.NewService(db)
	bs := sv.breakdowns(res, results.ByWijk)
	b := bs[q.ID]
	if b.Withheld {
		t.Fatal("withheld")
	}
	if len(b.Groups) != 2 {
		t.Fatalf("groups %q, want Noord and Zuid", b.Groups)
	}
	for i, g := range b.Groups {
		tot := b.Show(i, len(b.Options))
		if v, err := strconv.Atoi(tot); err == nil && v > 0 && v < 5 {
			t.Errorf("wijk %q: total %d shown, below the threshold", g, v)
		}
	}
	if n := b.Table.Cell(0, len(b.Options)); n != 11 {
		t.Fatalf("Noord and noord together: %d, want 11", n)
	}
}
