package budget_test

import (
	"fmt"
	"testing"

	"inspraak/internal/budget"
)

// Every ballot rule, with its message key, on a hand-made budget: a
// knapsack of € 100.000 with plans of € 40.000, € 35.000 and € 30.000 in
// one area and a plan in another.
func TestCheckEveryRule(t *testing.T) {
	t.Parallel()
	area := &budget.Area{ID: 1, Amount: 100_000_00}
	b := &budget.Budget{Method: budget.MethodKnapsack, Plans: []budget.Plan{
		{ID: 10, AreaID: 1, Title: "A", Cost: 40_000_00}, {ID: 11, AreaID: 1, Title: "B", Cost: 35_000_00},
		{ID: 12, AreaID: 1, Title: "C", Cost: 30_000_00}, {ID: 20, AreaID: 2, Title: "X", Cost: 1_00}}}
	l := func(ids ...int64) []budget.Line {
		var out []budget.Line
		for _, id := range ids {
			out = append(out, budget.Line{PlanID: id, Points: 1})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		edit  func(b *budget.Budget)
		lines []budget.Line
		key   string
		args  string
	}{
		{"empty", nil, nil, "budget.error.empty", "[]"},
		{"unknown plan", nil, l(10, 99), "budget.error.unknown_plan", "[]"},
		{"plan of another area", nil, l(20), "budget.error.other_area", "[X]"},
		{"a plan twice", nil, l(10, 10), "budget.error.duplicate_plan", "[A]"},
		{"over the amount", nil, l(10, 11, 12), "budget.error.over_budget", "[€ 105.000 € 100.000]"},
		{"exactly the amount", func(b *budget.Budget) { b.Plans[2].Cost = 25_000_00 }, l(10, 11, 12), "", ""},
		{"under the minimum spend", func(b *budget.Budget) { b.MinSpendPct = 80 }, l(10, 11), "budget.error.under_min_spend", "[80 € 80.000]"},
		{"at the minimum spend", func(b *budget.Budget) { b.MinSpendPct = 75 }, l(10, 11), "", ""},
		{"too few (approval)", func(b *budget.Budget) { b.Method, b.MinPlans, b.MaxPlans = budget.MethodApproval, 2, 2 }, l(10), "budget.error.too_few_plans", "[2]"},
		{"too many (approval)", func(b *budget.Budget) { b.Method, b.MinPlans, b.MaxPlans = budget.MethodApproval, 2, 2 }, l(10, 11, 12), "budget.error.too_many_plans", "[2]"},
		{"approval ignores the amount", func(b *budget.Budget) { b.Method = budget.MethodApproval }, l(10, 11, 12), "", ""},
		{"too many (knapsack with a maximum)", func(b *budget.Budget) { b.MaxPlans = 1 }, l(10, 11), "budget.error.too_many_plans", "[1]"},
		{"points not summing", func(b *budget.Budget) { b.Method, b.PointsTotal = budget.MethodPoints, 10 },
			[]budget.Line{{PlanID: 10, Points: 6}, {PlanID: 11, Points: 3}}, "budget.error.points_total", "[10 9]"},
		{"negative points", func(b *budget.Budget) { b.Method, b.PointsTotal = budget.MethodPoints, 10 },
			[]budget.Line{{PlanID: 10, Points: 11}, {PlanID: 11, Points: -1}}, "budget.error.negative_points", "[B]"},
		{"points summing", func(b *budget.Budget) { b.Method, b.PointsTotal = budget.MethodPoints, 10 },
			[]budget.Line{{PlanID: 10, Points: 7}, {PlanID: 12, Points: 3}}, "", ""},
	} {
		bb := *b
		bb.Plans = append([]budget.Plan(nil), b.Plans...)
		if tc.edit != nil {
			tc.edit(&bb)
		}
		err := budget.Check(&bb, area, tc.lines)
		if keyOf(err) != tc.key {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.key)
			continue
		}
		if tc.key != "" {
			ps := budget.Problems(&bb, area, tc.lines)
			if got := fmt.Sprint(ps[0].Args); got != tc.args {
				t.Errorf("%s: args %s, want %s", tc.name, got, tc.args)
			}
		}
	}
}

// A basket can show every problem at once; Normalize drops points-less
// lines and sorts; amounts read the Dutch way.
func TestProblemsNormalizeAndEuros(t *testing.T) {
	t.Parallel()
	area := &budget.Area{ID: 1, Amount: 100_00}
	b := &budget.Budget{Method: budget.MethodKnapsack, MaxPlans: 1, Plans: []budget.Plan{{ID: 1, AreaID: 1, Cost: 80_00}, {ID: 2, AreaID: 1, Cost: 80_00}}}
	ps := budget.Problems(b, area, []budget.Line{{PlanID: 1}, {PlanID: 2}})
	if len(ps) != 2 || ps[0].Key != "budget.error.over_budget" || ps[1].Key != "budget.error.too_many_plans" {
		t.Fatalf("problems: %+v", ps)
	}
	n := budget.Normalize(budget.MethodPoints, []budget.Line{{PlanID: 3, Points: 2}, {PlanID: 1, Points: 0}, {PlanID: 2, Points: 1}})
	if len(n) != 2 || n[0].PlanID != 2 || n[1].PlanID != 3 {
		t.Fatalf("normalized points: %+v", n)
	}
	n = budget.Normalize(budget.MethodApproval, []budget.Line{{PlanID: 3, Points: 7}, {PlanID: 1}})
	if len(n) != 2 || n[0].Points != 1 || n[1].Points != 1 {
		t.Fatalf("normalized approval: %+v", n)
	}
	for cents, want := range map[int64]string{0: "€ 0", 5: "€ 0,05", 100_000_00: "€ 100.000", 1_234_567_89: "€ 1.234.567,89", 999_50: "€ 999,50"} {
		if got := budget.FormatEuro(cents); got != want {
			t.Errorf("FormatEuro(%d) = %q, want %q", cents, got, want)
		}
	}
}
