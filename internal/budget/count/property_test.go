package count

import (
	"math"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func ratOf(a, b int64) *big.Rat { return big.NewRat(a, b) }

func outcomesEqual(a, b Outcome) bool { return reflect.DeepEqual(a, b) }

// randomInstance draws a small instance: 1–maxPlans plans costing 1–30
// units of unit cents, 1–maxVoters ballots approving (or giving 1–5 points
// to) random plans, and a budget between 0 and the total cost.
func randomInstance(r *rand.Rand, maxPlans, maxVoters int, points bool) (Instance, []Ballot) {
	m := 1 + r.IntN(maxPlans)
	n := 1 + r.IntN(maxVoters)
	unit := []int64{1, 7, 100, 2500}[r.IntN(4)]
	var in Instance
	var total int64
	for i := range m {
		c := (1 + r.Int64N(30)) * unit
		in.Plans = append(in.Plans, Plan{ID: string(rune('A' + i)), Cost: c})
		total += c
	}
	in.Budget = r.Int64N(total + 1)
	ballots := make([]Ballot, n)
	for v := range ballots {
		var b Ballot
		for p := range m {
			if r.IntN(5) < 2 {
				b.Approved = append(b.Approved, p)
				if points {
					b.Points = append(b.Points, 1+r.Int64N(5))
				}
			}
		}
		if points && b.Points == nil {
			b.Points = []int64{}
		}
		r.Shuffle(len(b.Approved), func(i, j int) {
			b.Approved[i], b.Approved[j] = b.Approved[j], b.Approved[i]
			if points {
				b.Points[i], b.Points[j] = b.Points[j], b.Points[i]
			}
		})
		ballots[v] = b
	}
	return in, ballots
}

// referenceGreedy is the greedy rule written from its definition, apart
// from the package's code: again and again take, of the plans not looked
// at yet that have votes, the one with the most votes (fewer cents, then
// lower index, on a tie); choose it if it fits in what is left.
func referenceGreedy(in Instance, ballots []Ballot) (selected []int, skipped map[int]int64) {
	score := make([]int64, len(in.Plans))
	for _, b := range ballots {
		for j, p := range b.Approved {
			if b.Points == nil {
				score[p]++
			} else {
				score[p] += b.Points[j]
			}
		}
	}
	looked := make([]bool, len(in.Plans))
	skipped = map[int]int64{}
	left := in.Budget
	for {
		best := -1
		for p := range in.Plans {
			if looked[p] || score[p] == 0 {
				continue
			}
			if best < 0 || score[p] > score[best] ||
				(score[p] == score[best] && in.Plans[p].Cost < in.Plans[best].Cost) {
				best = p // lower index wins the remaining ties: p only grows
			}
		}
		if best < 0 {
			return selected, skipped
		}
		looked[best] = true
		if in.Plans[best].Cost <= left {
			left -= in.Plans[best].Cost
			selected = append(selected, best)
		} else {
			skipped[best] = left
		}
	}
}

// ejrUpToOne reports a violation of EJR up to one project (Peters,
// Pierczyński and Skowron, "Proportional Participatory Budgeting with
// Additive Utilities", NeurIPS 2021), for approval utilities (a voter's
// utility is the number of chosen plans they approved), checked by brute
// force over every group of voters and every set of plans:
//
// A group S of voters is cohesive for a set of plans T when every voter in
// S approves every plan in T and S is large enough to pay for T with its
// shares: |S| * budget >= n * cost(T). The outcome W satisfies EJR up to
// one project when for every such S and T some voter i in S already has
// as many chosen plans as T has (|A_i ∩ W| >= |T|), or would have if one
// more plan of T were chosen (|A_i ∩ W| + 1 >= |T| with a plan of T not in
// W). It returns the offending group and set as bit masks, or ok.
func ejrUpToOne(in Instance, ballots []Ballot, w []int) (group, set uint, ok bool) {
	n, m := len(ballots), len(in.Plans)
	var won uint
	for _, p := range w {
		won |= 1 << p
	}
	approve := make([]uint, n)
	have := make([]int, n)
	for i, b := range ballots {
		for _, p := range b.Approved {
			approve[i] |= 1 << p
		}
		have[i] = bits.OnesCount(approve[i] & won)
	}
	costOf := make([]int64, 1<<m) // cost of every set of plans
	for t := uint(1); t < 1<<m; t++ {
		low := bits.TrailingZeros(t)
		costOf[t] = costOf[t&(t-1)] + in.Plans[low].Cost
	}
	for s := uint(1); s < 1<<n; s++ {
		common := uint(1)<<m - 1
		size := int64(bits.OnesCount(s))
		for i := range n {
			if s&(1<<i) != 0 {
				common &= approve[i]
			}
		}
		// Every non-empty T within the plans all of S approve.
		for t := common; t != 0; t = (t - 1) & common {
			if size*in.Budget < int64(n)*costOf[t] {
				continue
			}
			need := bits.OnesCount(t)
			missing := t&^won != 0
			satisfied := false
			for i := range n {
				if s&(1<<i) == 0 {
					continue
				}
				if have[i] >= need || (missing && have[i]+1 >= need) {
					satisfied = true
					break
				}
			}
			if !satisfied {
				return s, t, false
			}
		}
	}
	return 0, 0, true
}

// TestRandomInstances checks, on thousands of random small instances with
// fixed seeds (a failure names its seed and reproduces):
//   - greedy equals the reference greedy, and neither rule overspends;
//   - the equal-shares count without completion never overspends, and
//     its outcome and the final one satisfy EJR up to one project
//     (approval ballots, brute force over all groups and plan sets);
//   - skipping recounts in the completion gives the outcome of counting at
//     every cent.
func TestRandomInstances(t *testing.T) {
	const seeds = 3000
	referenced := 0
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 17))
		points := seed%4 == 3
		in, ballots := randomInstance(r, 6, 7, points)
		if seed%8 == 7 {
			// Large points take the path for utilities above maxDense.
			for _, b := range ballots {
				for j := range b.Points {
					b.Points[j] *= 997
				}
			}
		}
		if err := Validate(in, ballots); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}

		g := Greedy(in, ballots)
		sel, skipped := referenceGreedy(in, ballots)
		if !slices.Equal(g.Selected, sel) {
			t.Fatalf("seed %d: greedy %v, reference %v (%+v)", seed, g.Selected, sel, in)
		}
		for p, left := range skipped {
			if g.Plans[p].Status != StatusTooExpensive || g.Plans[p].Explain[ExplainRemaining] != left {
				t.Fatalf("seed %d: plan %d %+v; reference skipped it with %d left", seed, p, g.Plans[p], left)
			}
		}
		checkOutcome(t, seed, in, g)

		mc := newMESCount(in, ballots, votes(len(in.Plans), ballots))
		r0 := mc.count(big.NewRat(in.Budget, int64(len(ballots))), false)
		if ref := referenceMES(in, ballots, big.NewRat(in.Budget, int64(len(ballots)))); !slices.Equal(ref, r0.chosen) {
			t.Fatalf("seed %d: equal shares chose %v, the reference %v", seed, r0.chosen, ref)
		}
		if r0.spent > in.Budget {
			t.Fatalf("seed %d: equal shares without completion spent %d of %d", seed, r0.spent, in.Budget)
		}
		e := EqualShares(in, ballots)
		checkOutcome(t, seed, in, e)
		// Counting at every cent is slow when plans cost thousands of
		// cents: compare on the cheaper instances (over half of them).
		if in.Budget < 3000 {
			if lit := equalShares(in, ballots, false); !outcomesEqual(lit, e) {
				t.Fatalf("seed %d: skipping recounts chose %v (share %d), every cent %v (share %d)",
					seed, e.Selected, e.PerVoterShare, lit.Selected, lit.PerVoterShare)
			}
		}
		// The reference counts with a rational per voter at every cent:
		// on the cheapest instances (over a third).
		if in.Budget < 600 {
			if ref, share := referenceEqualShares(in, ballots); !slices.Equal(ref, e.Selected) || share != e.PerVoterShare {
				t.Fatalf("seed %d: equal shares with completion chose %v (share %d), the reference %v (share %d)",
					seed, e.Selected, e.PerVoterShare, ref, share)
			}
			referenced++
		}
		for _, p := range r0.chosen {
			if e.Plans[p].Status == StatusSelected && e.Plans[p].Phase == PhaseCompletion {
				t.Fatalf("seed %d: plan %d chosen at the real share but marked completion", seed, p)
			}
		}
		if !points {
			if s, set, ok := ejrUpToOne(in, ballots, r0.chosen); !ok {
				t.Fatalf("seed %d: equal shares %v violates EJR up to one: voters %b, plans %b", seed, r0.chosen, s, set)
			}
			if s, set, ok := ejrUpToOne(in, ballots, e.Selected); !ok {
				t.Fatalf("seed %d: equal shares with completion %v violates EJR up to one: voters %b, plans %b", seed, e.Selected, s, set)
			}
		}
	}
	if referenced < seeds/3 {
		t.Fatalf("only %d instances compared with the reference with completion", referenced)
	}
}

// checkOutcome checks what holds for any outcome: within the budget,
// Selected and the statuses agree, spent is the sum of the chosen costs.
func checkOutcome(t *testing.T, seed uint64, in Instance, o Outcome) {
	t.Helper()
	var spent int64
	for i, p := range o.Selected {
		spent += in.Plans[p].Cost
		if r := o.Plans[p]; r.Status != StatusSelected || r.Round != i+1 {
			t.Fatalf("seed %d: %s: plan %d chosen %d-th but %+v", seed, o.Rule, p, i+1, r)
		}
	}
	if spent != o.Spent || spent > in.Budget {
		t.Fatalf("seed %d: %s spent %d (sum %d) of %d", seed, o.Rule, o.Spent, spent, in.Budget)
	}
	chosen := 0
	for _, r := range o.Plans {
		if r.Status == StatusSelected {
			chosen++
		}
		if (r.Votes == 0) != (r.Status == StatusNoVotes) {
			t.Fatalf("seed %d: %s: plan %+v", seed, o.Rule, r)
		}
	}
	if chosen != len(o.Selected) {
		t.Fatalf("seed %d: %s: %d selected statuses, %d selected", seed, o.Rule, chosen, len(o.Selected))
	}
}

// TestEJRCheckFindsViolations makes sure the EJR check can fail: greedy is
// not proportional.
//
// Budget 6, six voters; plans A1..A6 and B1, B2 cost 1 each. v1..v4
// approve A1..A6, v5 and v6 approve B1 and B2. Greedy takes the six A's
// (4 votes each) and spends the budget. But v5 and v6 are a third of the
// voters: their shares (2 × 6/6 = 2) pay for {B1, B2} (cost 2), so they
// are cohesive for T = {B1, B2}; each has 0 chosen plans, and even one
// more (1) is fewer than |T| = 2: a violation.
//
// Equal shares gives each voter 1. An A costs each of its four supporters
// 1/4 (the lowest price), so A1..A4 are chosen in turn and use up their
// money; B1 and B2 cost v5 and v6 1/2 each: chosen. {A1..A4, B1, B2}.
func TestEJRCheckFindsViolations(t *testing.T) {
	in := Instance{Budget: 6, Plans: []Plan{{"A1", 1}, {"A2", 1}, {"A3", 1}, {"A4", 1}, {"A5", 1}, {"A6", 1}, {"B1", 1}, {"B2", 1}}}
	as := []int{0, 1, 2, 3, 4, 5}
	ballots := approvals(as, as, as, as, []int{6, 7}, []int{6, 7})
	g := Greedy(in, ballots)
	if !slices.Equal(g.Selected, as) {
		t.Fatalf("greedy chose %v", g.Selected)
	}
	if s, set, ok := ejrUpToOne(in, ballots, g.Selected); ok || s != 0b110000 || set != 0b11000000 {
		t.Fatalf("the EJR check gave %b %b %v; want voters v5, v6 and plans B1, B2", s, set, ok)
	}
	e := EqualShares(in, ballots)
	if !slices.Equal(e.Selected, []int{0, 1, 2, 3, 6, 7}) {
		t.Fatalf("equal shares chose %v; want A1..A4, B1, B2", e.Selected)
	}
	if _, _, ok := ejrUpToOne(in, ballots, e.Selected); !ok {
		t.Fatal("equal shares violates EJR up to one")
	}
}

// mediumInstance draws an instance with hundreds of voters: many groups
// of voters with equal money, prices that are close.
func mediumInstance(seed uint64, points bool) (Instance, []Ballot) {
	r := rand.New(rand.NewPCG(seed, 99))
	m, n := 12, 300
	in := Instance{Budget: 20_000 + r.Int64N(40_000)}
	for i := range m {
		in.Plans = append(in.Plans, Plan{ID: string(rune('A' + i)), Cost: 500 + r.Int64N(15_000)})
	}
	ballots := make([]Ballot, n)
	for v := range ballots {
		for p := range m {
			if r.IntN(m) < 2+p%3 {
				ballots[v].Approved = append(ballots[v].Approved, p)
				if points {
					ballots[v].Points = append(ballots[v].Points, 1+r.Int64N(4))
				}
			}
		}
		if points && ballots[v].Points == nil {
			ballots[v].Points = []int64{}
		}
	}
	return in, ballots
}

// TestMediumInstances compares instances with hundreds of voters with the
// reference and with counting at every cent.
func TestMediumInstances(t *testing.T) {
	for seed := range uint64(10) {
		points := seed%2 == 1
		in, ballots := mediumInstance(seed, points)
		if err := Validate(in, ballots); err != nil {
			t.Fatal(err)
		}
		n := int64(len(ballots))
		mc := newMESCount(in, ballots, votes(len(in.Plans), ballots))
		r0 := mc.count(big.NewRat(in.Budget, n), false)
		if ref := referenceMES(in, ballots, big.NewRat(in.Budget, n)); !slices.Equal(ref, r0.chosen) {
			t.Fatalf("seed %d: equal shares chose %v, the reference %v", seed, r0.chosen, ref)
		}
		e := EqualShares(in, ballots)
		checkOutcome(t, seed, in, e)
		if lit := equalShares(in, ballots, false); !outcomesEqual(lit, e) {
			t.Fatalf("seed %d: skipping recounts chose %v (share %d), every cent %v (share %d)",
				seed, e.Selected, e.PerVoterShare, lit.Selected, lit.PerVoterShare)
		}
		t.Logf("seed %d: %d plans by equal shares, share %d -> %d, %d chosen in the end",
			seed, len(r0.chosen), in.Budget/n, e.PerVoterShare, len(e.Selected))
	}
}

// TestExactMoney: after counts with and without tracking at several
// shares, every group's exact money (worked out from its numerator, also
// for groups whose numerator was left to be worked out later) is within
// the error bound of its float copy, and a count with tracking chooses the
// same plans as one without.
func TestExactMoney(t *testing.T) {
	for seed := range uint64(6) {
		in, ballots := mediumInstance(seed, seed%2 == 1)
		mc := newMESCount(in, ballots, votes(len(in.Plans), ballots))
		for _, share := range []int64{in.Budget / int64(len(ballots)), 150, 200, 260} {
			plain := mc.count(big.NewRat(share, 1), false)
			for _, r := range []*mesRun{plain, mc.count(big.NewRat(share, 1), true)} {
				if !slices.Equal(r.chosen, plain.chosen) {
					t.Fatalf("seed %d share %d: with tracking %v, without %v", seed, share, r.chosen, plain.chosen)
				}
				d := r.den[r.round()]
				for k := range r.num {
					exact := new(big.Rat).SetFrac(r.numNow(int32(k)), d)
					f, _ := exact.Float64()
					if diff := math.Abs(f - r.approx[k]); diff > r.errb[k]+math.Abs(f)*1e-15 {
						t.Fatalf("seed %d share %d: group %d has %v, its float copy %v ± %v", seed, share, k, f, r.approx[k], r.errb[k])
					}
				}
			}
		}
	}
}

// polarized draws an instance where proportionality matters: a majority
// and a minority (a third to a half of the voters) approve mostly their
// own plans (3–6 of the majority's costing 1–2 units, 2–3 of the
// minority's costing 1 unit), the budget is what the majority's plans
// cost, so counting by votes alone spends it all on the majority.
func polarized(r *rand.Rand) (Instance, []Ballot) {
	n := 4 + r.IntN(5)
	minority := (n+2)/3 + r.IntN(n/2-(n+2)/3+1)
	major := 3 + r.IntN(4)
	minor := 2 + r.IntN(2)
	unit := []int64{1, 7, 100}[r.IntN(3)]
	var in Instance
	for i := range major + minor {
		c := int64(1)
		if i < major {
			c = 1 + r.Int64N(2)
			in.Budget += c * unit
		}
		in.Plans = append(in.Plans, Plan{ID: string(rune('A' + i)), Cost: c * unit})
	}
	ballots := make([]Ballot, n)
	for v := range ballots {
		lo, hi := 0, major
		if v < minority {
			lo, hi = major, major+minor
		}
		for p := range major + minor {
			if (p >= lo && p < hi && r.IntN(8) > 0) || r.IntN(12) == 0 {
				ballots[v].Approved = append(ballots[v].Approved, p)
			}
		}
	}
	r.Shuffle(len(ballots), func(i, j int) { ballots[i], ballots[j] = ballots[j], ballots[i] })
	return in, ballots
}

// TestEJRPolarized: on 3,000 polarized instances (fixed seeds) equal
// shares, before and after the completion, satisfies EJR up to one
// project, while greedy violates it on some: the check has teeth on these
// instances (on the uniform random ones greedy hardly ever violates it).
func TestEJRPolarized(t *testing.T) {
	greedyViolations := 0
	for seed := range uint64(3000) {
		r := rand.New(rand.NewPCG(seed, 23))
		in, ballots := polarized(r)
		if err := Validate(in, ballots); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if _, _, ok := ejrUpToOne(in, ballots, Greedy(in, ballots).Selected); !ok {
			greedyViolations++
		}
		mc := newMESCount(in, ballots, votes(len(in.Plans), ballots))
		r0 := mc.count(big.NewRat(in.Budget, int64(len(ballots))), false)
		if s, set, ok := ejrUpToOne(in, ballots, r0.chosen); !ok {
			t.Fatalf("seed %d: equal shares %v violates EJR up to one: voters %b, plans %b", seed, r0.chosen, s, set)
		}
		e := EqualShares(in, ballots)
		checkOutcome(t, seed, in, e)
		if s, set, ok := ejrUpToOne(in, ballots, e.Selected); !ok {
			t.Fatalf("seed %d: equal shares with completion %v violates EJR up to one: voters %b, plans %b", seed, e.Selected, s, set)
		}
	}
	if greedyViolations < 60 {
		t.Fatalf("greedy violated EJR up to one on only %d of 3000 polarized instances; the instances lost their teeth", greedyViolations)
	}
	t.Logf("greedy violated EJR up to one on %d of 3000 polarized instances", greedyViolations)
}
