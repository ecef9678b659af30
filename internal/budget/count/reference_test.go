package count

import (
	"math/big"
	"slices"
	"sort"
)

// referenceMES is the Method of Equal Shares written from its definition,
// apart from the package's code and slow: one exact rational budget per
// voter; every round, for every plan not chosen, sort its supporters by
// money per unit of utility and find the smallest price rho at which
// sum(min(money, rho*u)) equals the cost; choose the smallest price (more
// votes, then cheaper, then lower index on a tie); supporters pay
// min(money, rho*u). It returns the plans chosen, in order.
func referenceMES(in Instance, ballots []Ballot, share *big.Rat) []int {
	n, m := len(ballots), len(in.Plans)
	money := make([]*big.Rat, n)
	for i := range money {
		money[i] = new(big.Rat).Set(share)
	}
	util := func(i, p int) int64 {
		b := ballots[i]
		for j, q := range b.Approved {
			if q == p {
				if b.Points == nil {
					return 1
				}
				return b.Points[j]
			}
		}
		return 0
	}
	v := votes(m, ballots)
	chosen := []int{}
	for {
		best := -1
		var bestRho *big.Rat
		for p := range m {
			if slices.Contains(chosen, p) || v[p] == 0 {
				continue
			}
			type sup struct {
				i int
				u int64
			}
			var sups []sup
			total := new(big.Rat)
			for i := range n {
				if u := util(i, p); u > 0 {
					sups = append(sups, sup{i, u})
					total.Add(total, money[i])
				}
			}
			cost := new(big.Rat).SetInt64(in.Plans[p].Cost)
			if total.Cmp(cost) < 0 {
				continue
			}
			sort.Slice(sups, func(a, b int) bool {
				x := new(big.Rat).Quo(money[sups[a].i], big.NewRat(sups[a].u, 1))
				y := new(big.Rat).Quo(money[sups[b].i], big.NewRat(sups[b].u, 1))
				return x.Cmp(y) < 0
			})
			// Walk up: supporters before k pay all they have, the rest rho*u.
			paid := new(big.Rat)
			var w int64
			for _, s := range sups {
				w += s.u
			}
			var rho *big.Rat
			for _, s := range sups {
				rest := new(big.Rat).Sub(cost, paid)
				r := new(big.Rat).Quo(rest, big.NewRat(w, 1))
				if new(big.Rat).Mul(r, big.NewRat(s.u, 1)).Cmp(money[s.i]) <= 0 {
					rho = r
					break
				}
				paid.Add(paid, money[s.i])
				w -= s.u
			}
			if rho == nil {
				continue
			}
			c := 1
			if best >= 0 {
				c = bestRho.Cmp(rho)
			}
			if best < 0 || c > 0 || (c == 0 && (v[p] > v[best] || (v[p] == v[best] && in.Plans[p].Cost < in.Plans[best].Cost))) {
				best, bestRho = p, rho
			}
		}
		if best < 0 {
			return chosen
		}
		chosen = append(chosen, best)
		for i := range n {
			if u := util(i, best); u > 0 {
				pay := new(big.Rat).Mul(bestRho, big.NewRat(u, 1))
				if pay.Cmp(money[i]) > 0 {
					pay.Set(money[i])
				}
				money[i].Sub(money[i], pay)
			}
		}
	}
}

// referenceEqualShares is the whole rule from its definition: the count
// with the real share; then add1 at every cent from floor(budget/n)+1,
// keeping the last count within the budget, until it is exhaustive (no
// plan with votes left out fits in what is left) or the next overspends;
// then the greedy fill by votes. It returns the plans chosen and the share.
func referenceEqualShares(in Instance, ballots []Ballot) ([]int, int64) {
	n := int64(len(ballots))
	v := votes(len(in.Plans), ballots)
	cost := func(s []int) (c int64) {
		for _, p := range s {
			c += in.Plans[p].Cost
		}
		return c
	}
	exhaustive := func(s []int) bool {
		for p := range in.Plans {
			if v[p] > 0 && !slices.Contains(s, p) && cost(s)+in.Plans[p].Cost <= in.Budget {
				return false
			}
		}
		return true
	}
	kept := referenceMES(in, ballots, big.NewRat(in.Budget, n))
	share := in.Budget / n
	for b := share + 1; !exhaustive(kept); b++ {
		next := referenceMES(in, ballots, big.NewRat(b, 1))
		if cost(next) > in.Budget {
			break
		}
		kept, share = next, b
	}
	left := in.Budget - cost(kept)
	for _, p := range byVotes(in, v) {
		if !slices.Contains(kept, p) && in.Plans[p].Cost <= left {
			kept = append(kept, p)
			left -= in.Plans[p].Cost
		}
	}
	return kept, share
}
