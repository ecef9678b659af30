package suppress

import (
	"math/rand/v2"
	"testing"

	"inspraak/internal/results/suppress/attack"
)

// The intervals are computed over real tables. Line sums make that exact
// for integer tables, but multiple choice (each option at most who
// answered, who answered at most the options together) does not: here a
// reader who enumerates every integer table consistent with what is
// published must still find each hidden count at least k wide.
func TestMultipleChoiceIntegerIntervals(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	const k = DefaultK
	checked := 0
	for range attack.Rounds(300) {
		S := int64(k + rng.IntN(5))
		base := rng.Int64N(S + 1)
		nopt := 2 + rng.IntN(2)
		counts := make([]int64, nopt)
		for range base {
			chosen := map[int]bool{rng.IntN(nopt): true}
			if rng.IntN(2) == 0 {
				chosen[rng.IntN(nopt)] = true
			}
			for j := range chosen {
				counts[j]++
			}
		}
		var p Problem
		all := p.Add(Var{Value: S, Known: true, Unit: NoUnit})
		b := p.Add(Var{Value: base, Margin: true, Unit: 1})
		p.AtMost(b, all)
		vars := []int{b}
		for _, c := range counts {
			vars = append(vars, p.Add(Var{Value: c}))
		}
		p.Covers(b, vars[1:]...)
		sol, err := Protect(&p, k)
		if err != nil {
			t.Fatal(err)
		}
		// Enumerate the hidden counts, each 0..S.
		var hidden []int
		val := map[int]int64{}
		for _, v := range vars {
			if sol.Hidden[v] {
				hidden = append(hidden, v)
			} else {
				val[v] = p.Value(v)
			}
		}
		lo, hi := map[int]int64{}, map[int]int64{}
		found := false
		var rec func(i int)
		rec = func(i int) {
			if i == len(hidden) {
				bv, sum := val[b], int64(0)
				for _, v := range vars[1:] {
					if val[v] > bv {
						return
					}
					sum += val[v]
				}
				if bv > S || bv > sum {
					return
				}
				for _, v := range hidden {
					if !found || val[v] < lo[v] {
						lo[v] = val[v]
					}
					if !found || val[v] > hi[v] {
						hi[v] = val[v]
					}
				}
				found = true
				return
			}
			for x := range S + 1 {
				val[hidden[i]] = x
				rec(i + 1)
			}
		}
		rec(0)
		if len(hidden) == 0 {
			continue
		}
		if !found {
			t.Fatalf("base %d counts %v: no integer table fits", base, counts)
		}
		for _, v := range hidden {
			if hi[v]-lo[v] < k {
				t.Fatalf("S %d, base %d, counts %v: count %d = %d takes only %d..%d", S, base, counts, v, p.Value(v), lo[v], hi[v])
			}
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("nothing hidden: nothing checked")
	}
	t.Logf("%d multiple-choice questions with hidden counts, every integer interval at least %d wide", checked, k)
}
