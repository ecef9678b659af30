// Package pbdata draws the participatory-budgeting instance that
// bench/budget and BenchmarkBudgetCount count: voters approve 1–8 plans,
// popular plans more often; plans cost €5,000–€250,000.
package pbdata

import (
	"fmt"
	"math"
	"math/rand/v2"

	"inspraak/internal/budget/count"
)

// Instance draws voters ballots over plans with a budget of budgetEuro.
// Plan i is drawn with weight 1/(i+1)^0.8 (a few plans are popular, most
// are not); costs are whole euros, cheap plans more common. With points,
// each ballot divides 10 points over its plans (at least 1 each).
func Instance(voters, plans int, budgetEuro int64, seed uint64, points bool) (count.Instance, []count.Ballot) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	in := count.Instance{Budget: budgetEuro * 100}
	w := make([]float64, plans)
	var total float64
	for i := range plans {
		c := 5_000 + int64(245_000*math.Pow(r.Float64(), 1.5))
		in.Plans = append(in.Plans, count.Plan{ID: fmt.Sprintf("P%02d", i+1), Cost: c * 100})
		w[i] = 1 / math.Pow(float64(i+1), 0.8)
		total += w[i]
	}
	ballots := make([]count.Ballot, voters)
	chosen := make([]bool, plans)
	for v := range ballots {
		k := min(1+r.IntN(8), plans)
		var b count.Ballot
		for len(b.Approved) < k {
			x := r.Float64() * total
			p := 0
			for p < plans-1 && x >= w[p] {
				x -= w[p]
				p++
			}
			if chosen[p] {
				continue
			}
			chosen[p] = true
			b.Approved = append(b.Approved, p)
		}
		for _, p := range b.Approved {
			chosen[p] = false
		}
		if points {
			b.Points = make([]int64, k)
			for j := range k {
				b.Points[j] = 1
			}
			for left := 10 - k; left > 0; left-- {
				b.Points[r.IntN(k)]++
			}
		}
		ballots[v] = b
	}
	return in, ballots
}
