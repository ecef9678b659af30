package count

import (
	"slices"
	"strings"
	"testing"
)

// approvals builds approval ballots from lists of plan indexes.
func approvals(lists ...[]int) []Ballot {
	b := make([]Ballot, len(lists))
	for i, l := range lists {
		b[i] = Ballot{Approved: l}
	}
	return b
}

func checkPlan(t *testing.T, out Outcome, p int, status Status, round int, phase string) {
	t.Helper()
	r := out.Plans[p]
	if r.Status != status || r.Round != round || r.Phase != phase {
		t.Errorf("plan %d: status %s, round %d, phase %q; want %s, %d, %q", p, r.Status, r.Round, r.Phase, status, round, phase)
	}
}

// Greedy, worked out by hand.
//
// Budget €10.00 (1000 cents). Plans: A 600, B 500, C 300, D 200, E 100.
// Six ballots: {A,C} {A,B} {A} {B,C} {B,D} {C}.
// Votes: A 3, B 3, C 3, D 1, E 0.
// Order: A, B and C tie on 3 votes; the cheaper goes first: C (300), B
// (500), A (600); then D (1 vote). E has no votes and is never chosen.
//
//	C: 300 <= 1000 left -> chosen (round 1), 700 left
//	B: 500 <=  700 left -> chosen (round 2), 200 left
//	A: 600 >   200 left -> too expensive (200 left)
//	D: 200 <=  200 left -> chosen (round 3), 0 left
func TestGreedyByHand(t *testing.T) {
	in := Instance{Budget: 1000, Plans: []Plan{{"A", 600}, {"B", 500}, {"C", 300}, {"D", 200}, {"E", 100}}}
	ballots := approvals([]int{0, 2}, []int{0, 1}, []int{0}, []int{1, 2}, []int{1, 3}, []int{2})
	if err := Validate(in, ballots); err != nil {
		t.Fatal(err)
	}
	out := Greedy(in, ballots)
	if !slices.Equal(out.Selected, []int{2, 1, 3}) || out.Spent != 1000 {
		t.Fatalf("selected %v spent %d; want [2 1 3] spent 1000", out.Selected, out.Spent)
	}
	checkPlan(t, out, 2, StatusSelected, 1, PhaseGreedy)
	checkPlan(t, out, 1, StatusSelected, 2, PhaseGreedy)
	checkPlan(t, out, 0, StatusTooExpensive, 0, "")
	checkPlan(t, out, 3, StatusSelected, 3, PhaseGreedy)
	checkPlan(t, out, 4, StatusNoVotes, 0, "")
	if got := out.Plans[0].Explain[ExplainRemaining]; got != 200 {
		t.Errorf("A skipped with %d left; want 200", got)
	}
	if out.Plans[0].Votes != 3 || out.Plans[3].Votes != 1 || out.Plans[0].Explain[ExplainSupporters] != 3 {
		t.Errorf("votes: %+v", out.Plans)
	}
}

// Greedy with points ballots counts total points.
//
// Budget 100. Plans X 60, Y 50, Z 40. Ballots: X 5 + Z 5; Y 4 + Z 6; Y 10.
// Points: X 5, Y 14, Z 11. Order Y, Z, X:
//
//	Y: 50 <= 100 -> chosen, 50 left; Z: 40 <= 50 -> chosen, 10 left;
//	X: 60 > 10 -> too expensive.
func TestGreedyPointsByHand(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"X", 60}, {"Y", 50}, {"Z", 40}}}
	ballots := []Ballot{
		{Approved: []int{0, 2}, Points: []int64{5, 5}},
		{Approved: []int{1, 2}, Points: []int64{4, 6}},
		{Approved: []int{1}, Points: []int64{10}},
	}
	if err := Validate(in, ballots); err != nil {
		t.Fatal(err)
	}
	out := Greedy(in, ballots)
	if !slices.Equal(out.Selected, []int{1, 2}) || out.Spent != 90 {
		t.Fatalf("selected %v spent %d", out.Selected, out.Spent)
	}
	if out.Plans[1].Votes != 14 || out.Plans[2].Votes != 11 || out.Plans[0].Votes != 5 {
		t.Errorf("points: %d %d %d", out.Plans[0].Votes, out.Plans[1].Votes, out.Plans[2].Votes)
	}
	checkPlan(t, out, 0, StatusTooExpensive, 0, "")
}

// Method of Equal Shares with the completion step, worked out by hand.
//
// Budget 400 cents, four voters: each starts with a share of 100.
// Plans: A 300, B 200, C 100, D 50 (no votes).
// Ballots: v1 {A,C}, v2 {A}, v3 {A}, v4 {B,C}.
//
// Count with the real share (100 each):
//
//	A: supporters v1,v2,v3 could each pay 300/3 = 100 (they have 100): price 100
//	B: only v4, who has 100 < 200: cannot be paid
//	C: v1, v4 pay 100/2 = 50 each: price 50
//	Round 1: C is cheapest per supporter (50 < 100): chosen; v1 and v4 have 50 left.
//	Round 2: A: v1 50 + v2 100 + v3 100 = 250 < 300: cannot be paid. B: v4 50 < 200.
//	End: {C}, 100 spent, 300 left. A (300) and B (200) still fit: not exhaustive.
//
// Completion (add1): shares of 101, 102, ... cents, recounting each time.
// C always goes first (price 50); after it v1 has share-50, v2 and v3 the
// share: A can be paid when (share-50) + 2*share >= 300, that is share >=
// 116⅔. So shares 101..116 give {C} (100 spent, within budget, go on);
// share 117:
//
//	Round 1: C, price 50; v1 67, v4 67 left.
//	Round 2: A: if all paid 100, v1 (67) cannot; v1 pays 67, v2 and v3 pay
//	         (300-67)/2 = 116.5 each, which they have (117): chosen.
//	Round 3: B: v4 has 67 < 200. End: {C, A}, 400 spent: within the budget
//	         and nothing left, so exhaustive: the completion stops here.
//
// Greedy fill: nothing left. B is not affordable.
func TestEqualSharesByHand(t *testing.T) {
	in := Instance{Budget: 400, Plans: []Plan{{"A", 300}, {"B", 200}, {"C", 100}, {"D", 50}}}
	ballots := approvals([]int{0, 2}, []int{0}, []int{0}, []int{1, 2})
	if err := Validate(in, ballots); err != nil {
		t.Fatal(err)
	}

	// The count with the real share alone.
	mc := newMESCount(in, ballots, votes(4, ballots))
	r0 := mc.count(ratOf(400, 4), false)
	if !slices.Equal(r0.chosen, []int{2}) || r0.spent != 100 {
		t.Fatalf("equal shares without completion chose %v (%d); want [2] (100)", r0.chosen, r0.spent)
	}

	out := EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{2, 0}) || out.Spent != 400 || out.PerVoterShare != 117 {
		t.Fatalf("chose %v, spent %d, share %d; want [2 0], 400, 117", out.Selected, out.Spent, out.PerVoterShare)
	}
	checkPlan(t, out, 2, StatusSelected, 1, PhaseEqualShares)
	checkPlan(t, out, 0, StatusSelected, 2, PhaseCompletion)
	checkPlan(t, out, 1, StatusNotAffordable, 0, "")
	checkPlan(t, out, 3, StatusNoVotes, 0, "")
	a := out.Plans[0]
	if a.PaidBySupporters != 300 || a.Explain[ExplainSupportersMoney] != 67+117+117 || a.Explain[ExplainMaxShare] != 117 {
		t.Errorf("A: paid %d, money %d, max share %d; want 300, 301, 117 (116.5 rounded up)",
			a.PaidBySupporters, a.Explain[ExplainSupportersMoney], a.Explain[ExplainMaxShare])
	}
	c := out.Plans[2]
	if c.Explain[ExplainSupportersMoney] != 234 || c.Explain[ExplainMaxShare] != 50 {
		t.Errorf("C: money %d, max share %d; want 234, 50", c.Explain[ExplainSupportersMoney], c.Explain[ExplainMaxShare])
	}
	if b := out.Plans[1]; b.Explain[ExplainSupportersMoney] != 67 || b.Explain[ExplainRemaining] != 0 {
		t.Errorf("B: money %d, remaining %d; want 67, 0", b.Explain[ExplainSupportersMoney], b.Explain[ExplainRemaining])
	}
	// Literal one-cent steps give the same.
	if lit := equalShares(in, ballots, false); !outcomesEqual(lit, out) {
		t.Errorf("with every cent counted: %+v", lit)
	}
}

// Exact shares: €10.00 over three voters is 333⅓ cents each.
//
// First: X 1000 approved by v1, v2, v3 and Y 10 approved by v3.
//
//	X: 1000/3 = 333⅓ each, which each has: price 333⅓.
//	Y: v3 alone pays 10: price 10. Round 1: Y. v3 has 323⅓ left.
//	Round 2: X: 333⅓ + 333⅓ + 323⅓ = 990 < 1000: cannot be paid. End {Y}.
//	990 left, X (1000) does not fit: exhaustive, no completion; the greedy
//	fill cannot add X either.
//
// Then X alone, approved by all three: each pays exactly their share,
// 333⅓, and X is chosen. Rounding shares to cents (333 each, 999
// together) would refuse it.
func TestEqualSharesExactThirds(t *testing.T) {
	in := Instance{Budget: 1000, Plans: []Plan{{"X", 1000}, {"Y", 10}}}
	out := EqualShares(in, approvals([]int{0}, []int{0}, []int{0, 1}))
	if !slices.Equal(out.Selected, []int{1}) {
		t.Fatalf("chose %v; want [1]", out.Selected)
	}
	checkPlan(t, out, 0, StatusNotAffordable, 0, "")

	out = EqualShares(in, approvals([]int{0}, []int{0}, []int{0}))
	if !slices.Equal(out.Selected, []int{0}) || out.PerVoterShare != 333 {
		t.Fatalf("chose %v, share %d; want [0], 333 (333⅓ rounded down)", out.Selected, out.PerVoterShare)
	}
	checkPlan(t, out, 0, StatusSelected, 1, PhaseEqualShares)
	if e := out.Plans[0].Explain; e[ExplainMaxShare] != 334 || e[ExplainSupportersMoney] != 1000 {
		t.Errorf("X explain %v; want max share 334 (333⅓ rounded up), money 1000", e)
	}
}

// Points ballots under equal shares: utility is points, supporters pay in
// proportion to their points.
//
// Budget 100, two voters with 50 each. Plans P 60, Q 40.
// v1: P 3 points, Q 1 point; v2: Q 4 points.
//
//	P: only v1 (50 < 60): cannot be paid.
//	Q: v1 pays 1*rho, v2 4*rho, 5*rho = 40: rho = 8 (v1 8, v2 32; both can).
//	Round 1: Q. v1 42, v2 18 left. Round 2: P: v1 42 < 60. End {Q}, 40 spent.
//	P (60) fits in the 60 left: not exhaustive.
//
// Completion: Q always first at price 8 per point; then P needs v1's
// share-8 >= 60, share >= 68. Share 68: {Q, P}, 100 spent, exhaustive.
func TestEqualSharesPointsByHand(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"P", 60}, {"Q", 40}}}
	ballots := []Ballot{
		{Approved: []int{0, 1}, Points: []int64{3, 1}},
		{Approved: []int{1}, Points: []int64{4}},
	}
	out := EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{1, 0}) || out.Spent != 100 || out.PerVoterShare != 68 {
		t.Fatalf("chose %v, spent %d, share %d; want [1 0], 100, 68", out.Selected, out.Spent, out.PerVoterShare)
	}
	checkPlan(t, out, 1, StatusSelected, 1, PhaseEqualShares)
	checkPlan(t, out, 0, StatusSelected, 2, PhaseCompletion)
	if q := out.Plans[1]; q.Votes != 5 || q.Explain[ExplainMaxShare] != 8 {
		t.Errorf("Q: votes %d, price per point %d; want 5, 8", q.Votes, q.Explain[ExplainMaxShare])
	}
}

// The completion raising shares more than once.
//
// Three voters. Plans: A 150 {v1,v2,v3}, B 140 {v1}, C 100 {v2}.
// Ballots: v1 {A,B}, v2 {A,C}, v3 {A}.
//
// Budget 300 (100 each):
//
//	A: 150/3 = 50 each: price 50. B: v1 100 < 140: no. C: v2 pays 100: price 100.
//	Round 1: A (50 < 100). Everyone has 50 left. B: 50 < 140, C: 50 < 100: end.
//	{A}, 150 spent, 150 left: B and C fit: not exhaustive.
//
// Completion with share s (cents): A always goes first at 50; after it C
// needs v2's s-50 >= 100 (s >= 150) and B needs v1's s-50 >= 140 (s >=
// 190). Shares 101..149 give {A} (150, within the budget: go on). Share
// 150 gives {A, C}: 250 <= 300, kept; 50 left, B (140) does not fit:
// exhaustive, stop. B is not affordable.
//
// Budget 400 (133⅓ each): the count gives {A} (C: 83⅓ < 100), 250 left.
// Share 150 gives {A, C} (250; B fits in the 150 left: go on), shares
// 151..189 the same, share 190: A, then C (price 100) before B (price 140),
// then B: {A, C, B} = 390 <= 400, kept; 10 left: exhaustive.
func TestEqualSharesCompletionSteps(t *testing.T) {
	in := Instance{Budget: 300, Plans: []Plan{{"A", 150}, {"B", 140}, {"C", 100}}}
	ballots := approvals([]int{0, 1}, []int{0, 2}, []int{0})
	out := EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{0, 2}) || out.PerVoterShare != 150 || out.Spent != 250 {
		t.Fatalf("budget 300: chose %v share %d spent %d; want [0 2] share 150 spent 250", out.Selected, out.PerVoterShare, out.Spent)
	}
	checkPlan(t, out, 0, StatusSelected, 1, PhaseEqualShares)
	checkPlan(t, out, 2, StatusSelected, 2, PhaseCompletion)
	checkPlan(t, out, 1, StatusNotAffordable, 0, "")

	in.Budget = 400
	out = EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{0, 2, 1}) || out.PerVoterShare != 190 || out.Spent != 390 {
		t.Fatalf("budget 400: chose %v share %d spent %d; want [0 2 1] share 190 spent 390", out.Selected, out.PerVoterShare, out.Spent)
	}
	checkPlan(t, out, 1, StatusSelected, 3, PhaseCompletion)
}

// Exhaustive at once: no completion.
//
// Three voters. Plans: X 60 {v1,v2}, Z 100 {v3}, F 40 {v1,v2}.
//
// Budget 199 (66⅓ each):
//
//	F: 20 each, X: 30 each, Z: v3 66⅓ < 100: no.
//	Round 1: F (20). v1, v2 46⅓. Round 2: X: 30 each, they have it: chosen.
//	v1, v2 16⅓. Z: no. {F, X} = 100, 99 left: Z (100) does not fit.
//
// Exhaustive: the share stays 66 (66⅓ rounded down), Z is not affordable
// with 99 left. With budget 200 (66⅔ each) the same count leaves 100,
// Z fits, and the completion reaches share 100, where v3 can pay Z:
// {F, X, Z} = 200.
func TestEqualSharesExhaustiveAtOnce(t *testing.T) {
	in := Instance{Budget: 199, Plans: []Plan{{"X", 60}, {"Z", 100}, {"F", 40}}}
	ballots := approvals([]int{0, 2}, []int{0, 2}, []int{1})
	out := EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{2, 0}) || out.PerVoterShare != 66 {
		t.Fatalf("budget 199: chose %v share %d; want [2 0] share 66", out.Selected, out.PerVoterShare)
	}
	checkPlan(t, out, 1, StatusNotAffordable, 0, "")
	if got := out.Plans[1].Explain[ExplainRemaining]; got != 99 {
		t.Errorf("Z: %d left; want 99", got)
	}

	in.Budget = 200
	out = EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{2, 0, 1}) || out.PerVoterShare != 100 {
		t.Fatalf("budget 200: chose %v share %d; want [2 0 1] share 100", out.Selected, out.PerVoterShare)
	}
	checkPlan(t, out, 1, StatusSelected, 3, PhaseCompletion)
}

// The greedy fill adds a plan after the completion stopped at an overshoot.
//
// Budget 100, three voters (33⅓ each). Plans: A 60 {v1,v2}, B 50 {v3},
// C 30 {v1}. Ballots: v1 {A,C}, v2 {A}, v3 {B}.
//
//	A: 30 each: price 30. B: v3 33⅓ < 50: no. C: v1 alone pays 30: price 30.
//	Round 1: A and C tie at 30; A has more votes (2): A. v1, v2 3⅓ left.
//	Round 2: C: 3⅓ < 30: no. B: no. End {A}, 60 spent, 40 left: C fits.
//
// Completion with share s: A first (price 30, wins the tie with C); then
// C needs v1's s-30 >= 30 (s >= 60), B needs v3's s >= 50.
//
//	s = 34..49: {A}, 60, within budget: go on.
//	s = 50: A, then B (v3 pays 50): {A, B} = 110 > 100: overshoot.
//	Keep s = 49: {A}, 40 left.
//
// Greedy fill by votes: B and C have 1 vote each; the cheaper first:
// C 30 <= 40: chosen (round 2, greedy_fill), 10 left; B 50 > 10: not
// affordable.
func TestEqualSharesFillAdds(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"A", 60}, {"B", 50}, {"C", 30}}}
	ballots := approvals([]int{0, 2}, []int{0}, []int{1})
	out := EqualShares(in, ballots)
	if !slices.Equal(out.Selected, []int{0, 2}) || out.PerVoterShare != 49 || out.Spent != 90 {
		t.Fatalf("chose %v share %d spent %d; want [0 2] share 49 spent 90", out.Selected, out.PerVoterShare, out.Spent)
	}
	checkPlan(t, out, 0, StatusSelected, 1, PhaseEqualShares)
	checkPlan(t, out, 2, StatusSelected, 2, PhaseGreedyFill)
	checkPlan(t, out, 1, StatusNotAffordable, 0, "")
	if c := out.Plans[2]; c.PaidBySupporters != 0 || c.Explain[ExplainRemaining] != 40 {
		t.Errorf("C: paid by supporters %d, remaining %d; want 0, 40", c.PaidBySupporters, c.Explain[ExplainRemaining])
	}
	if b := out.Plans[1]; b.Explain[ExplainRemaining] != 10 || b.Explain[ExplainSupportersMoney] != 49 {
		t.Errorf("B: remaining %d, money %d; want 10, 49", b.Explain[ExplainRemaining], b.Explain[ExplainSupportersMoney])
	}
}

func TestNoBallots(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"A", 10}}}
	for _, out := range []Outcome{Greedy(in, nil), EqualShares(in, nil)} {
		if len(out.Selected) != 0 || out.Plans[0].Status != StatusNoVotes {
			t.Errorf("%s without ballots: %+v", out.Rule, out)
		}
	}
	// Blank ballots count as voters but choose nothing.
	out := EqualShares(in, approvals([]int{}, []int{}))
	if len(out.Selected) != 0 || out.Plans[0].Status != StatusNoVotes {
		t.Errorf("blank ballots: %+v", out)
	}
}

func TestValidate(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"A", 10}, {"B", 20}}}
	bad := []struct {
		name string
		in   Instance
		b    []Ballot
		want string
	}{
		{"index", in, approvals([]int{2}), "out of range"},
		{"negative index", in, approvals([]int{-1}), "out of range"},
		{"twice", in, approvals([]int{0, 1, 0}), "twice"},
		{"zero points", in, []Ballot{{Approved: []int{0}, Points: []int64{0}}}, "points"},
		{"points count", in, []Ballot{{Approved: []int{0, 1}, Points: []int64{1}}}, "points"},
		{"mixed", in, []Ballot{{Approved: []int{0}}, {Approved: []int{1}, Points: []int64{3}}}, "mixed"},
		{"cost", Instance{Budget: 100, Plans: []Plan{{"A", 0}}}, nil, "cost"},
		{"budget", Instance{Budget: -1}, nil, "budget"},
	}
	for _, tc := range bad {
		if err := Validate(tc.in, tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error with %q", tc.name, err, tc.want)
		}
	}
	if err := Validate(in, append(approvals([]int{0, 1}, nil), Ballot{})); err != nil {
		t.Errorf("good ballots: %v", err)
	}
	if err := Validate(in, []Ballot{{Approved: []int{1, 0}, Points: []int64{3, 7}}}); err != nil {
		t.Errorf("good points ballot: %v", err)
	}
}

func TestCount(t *testing.T) {
	in := Instance{Budget: 100, Plans: []Plan{{"A", 60}, {"B", 50}}}
	ballots := approvals([]int{0}, []int{0}, []int{1})
	for _, rule := range []Rule{RuleGreedy, RuleMES} {
		out, err := Count(rule, in, ballots)
		if err != nil || out.Rule != rule || !slices.Equal(out.Selected, []int{0}) {
			t.Errorf("%s: %+v, %v", rule, out, err)
		}
	}
	if _, err := Count("random", in, ballots); err == nil {
		t.Error("an unknown rule counted")
	}
	if _, err := Count(RuleMES, in, approvals([]int{2})); err == nil {
		t.Error("a bad ballot counted")
	}
}
