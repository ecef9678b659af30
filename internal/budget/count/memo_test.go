package count

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestMemoMatchesCounting: the entries the completion's counts take from
// the memo (mesCount.memo) instead of counting a plan's supporters again
// are what counting them gives (checked at every use), and the completion
// with the memo ends exactly as the one without it (same plans, share,
// spending and number of counts), on random points (also above
// maxDense) and approval instances, small and with hundreds of voters.
func TestMemoMatchesCounting(t *testing.T) {
	hits := 0
	check := func(name string, seed uint64, in Instance, ballots []Ballot) {
		t.Helper()
		if len(ballots) == 0 {
			return
		}
		v := votes(len(in.Plans), ballots)
		for _, skip := range []bool{true, false} {
			var ends [2]*mesRun
			var shares [2]int64
			var counts [2]int
			for i, memo := range []bool{true, false} {
				mc := newMESCount(in, ballots, v)
				mc.memoCheck = true
				if !memo {
					mc.memoRoom = -1
				}
				r0 := mc.count(big.NewRat(in.Budget, int64(len(ballots))), false)
				ends[i], shares[i] = mc.complete(in.Budget, r0, skip)
				counts[i] = mc.counts
				if memo {
					hits += mc.memoHits
				} else if mc.memoHits != 0 {
					t.Fatalf("%s seed %d: the memo was used while it had no room", name, seed)
				}
			}
			if !slices.Equal(ends[0].chosen, ends[1].chosen) || ends[0].spent != ends[1].spent ||
				shares[0] != shares[1] || counts[0] != counts[1] {
				t.Fatalf("%s seed %d skip %v: with the memo %v (share %d, %d counts), without %v (share %d, %d counts)",
					name, seed, skip, ends[0].chosen, shares[0], counts[0], ends[1].chosen, shares[1], counts[1])
			}
		}
	}
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 18))
		points := seed%3 != 0
		in, ballots := randomInstance(r, 8, 40, points)
		if seed%3 == 2 {
			// points above maxDense: the entries are counted by sorting
			for _, b := range ballots {
				for j := range b.Points {
					b.Points[j] *= 7
				}
			}
		}
		check("small", seed, in, ballots)
	}
	for seed := range uint64(6) {
		in, ballots := mediumInstance(seed+100, seed%3 != 0)
		check("medium", seed, in, ballots)
	}
	if hits == 0 {
		t.Fatal("the memo was never used: this test checks nothing")
	}
	t.Logf("%d entry lists taken from the memo, each checked", hits)
}
