package bench

import (
	"testing"

	"inspraak/bench/internal/pbdata"
	"inspraak/internal/budget/count"
)

// BenchmarkBudgetCount counts the bench/budget instance (100,000 voters ×
// 50 plans, budget €1,000,000) by greedy and by equal shares with its
// completion, with approval and with points ballots:
//
//	go test ./bench -run '^$' -bench BudgetCount -benchtime 5x
func BenchmarkBudgetCount(b *testing.B) {
	for _, points := range []bool{false, true} {
		name := "approval"
		if points {
			name = "points"
		}
		in, ballots := pbdata.Instance(100_000, 50, 1_000_000, 17, points)
		if err := count.Validate(in, ballots); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/greedy", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := count.Greedy(in, ballots); out.Spent > in.Budget {
					b.Fatalf("spent %d", out.Spent)
				}
			}
		})
		b.Run(name+"/equal-shares", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if out := count.EqualShares(in, ballots); out.Spent > in.Budget || len(out.Selected) == 0 {
					b.Fatalf("spent %d, %d chosen", out.Spent, len(out.Selected))
				}
			}
		})
	}
}
