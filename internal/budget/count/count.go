package count

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// Plan is one plan residents can vote for. Cost is in whole euro cents and
// must be positive.
type Plan struct {
	ID   string
	Cost int64
}

// Instance is what is counted: the budget (euro cents) and the plans,
// indexed 0..n-1 in the order given.
type Instance struct {
	Budget int64
	Plans  []Plan
}

// Ballot is one voter's ballot. For knapsack and approval ballots Points is
// nil and Approved lists the indexes of the chosen plans. For points
// ballots Points[i] is the number of points given to Approved[i] (> 0),
// and Points is not nil (empty for a blank points ballot): all ballots of
// one count are of one kind. An empty ballot is a valid, blank ballot: the
// voter still counts (under the Method of Equal Shares the voter's share
// then goes unused).
type Ballot struct {
	Approved []int
	Points   []int64
}

// Rule names a counting rule.
type Rule string

// The counting rules.
const (
	RuleGreedy Rule = "greedy"
	RuleMES    Rule = "mes"
)

// Status says what happened to a plan.
type Status string

// The statuses of a plan in an Outcome.
const (
	// StatusSelected: the plan is chosen.
	StatusSelected Status = "selected"
	// StatusTooExpensive: when the plan's turn came, it no longer fit in
	// what was left of the budget.
	StatusTooExpensive Status = "too_expensive"
	// StatusNotAffordable (Method of Equal Shares): the plan's supporters
	// could not pay for it together with what was left of their shares,
	// and it did not fit in the budget left for the greedy fill either.
	StatusNotAffordable Status = "not_affordable"
	// StatusNoVotes: nobody voted for the plan; such a plan is never chosen.
	StatusNoVotes Status = "no_votes"
)

// Phases in PlanResult.Phase.
const (
	PhaseGreedy      = "greedy"       // Greedy: chosen in the one greedy pass
	PhaseEqualShares = "equal_shares" // MES: chosen by the count with each voter's real share
	PhaseCompletion  = "completion"   // MES: chosen only once the shares were raised (add1)
	PhaseGreedyFill  = "greedy_fill"  // MES: chosen from the money left, by votes
)

// Keys of PlanResult.Explain. All money is in euro cents.
const (
	// ExplainSupporters: number of ballots with the plan on it.
	ExplainSupporters = "supporters"
	// ExplainRemaining: what was left of the real budget when the plan's
	// turn came (greedy and greedy fill; for MES plans not chosen: what
	// was left after the greedy fill).
	ExplainRemaining = "remaining"
	// ExplainSupportersMoney (MES): what the plan's supporters together
	// still had of their shares, rounded down to whole cents — when it
	// was chosen by equal shares (before paying), otherwise at the end of
	// the equal-shares count.
	ExplainSupportersMoney = "supporters_money"
	// ExplainMaxShare (MES, chosen by equal shares): the most one
	// supporter paid, rounded up to whole cents; for points ballots the
	// price per point.
	ExplainMaxShare = "max_share"
	// ExplainPerVoterShare (MES): each voter's share in the equal-shares
	// count that decided, rounded down to whole cents.
	ExplainPerVoterShare = "per_voter_share"
)

// PlanResult is the counting result of one plan.
type PlanResult struct {
	Index  int
	Votes  int64 // approvals, or total points
	Status Status
	// Round is the order in which the plan was chosen (1-based), 0 if not.
	Round int
	// Phase: MES "equal_shares" | "completion" | "greedy_fill"; greedy:
	// "greedy". Empty for plans not chosen.
	Phase string
	// PaidBySupporters (MES): cents paid from the supporters' shares; equal
	// to Cost when chosen in the equal_shares or completion phase, 0 when
	// chosen in the greedy fill or not chosen.
	PaidBySupporters int64
	// Explain holds the numbers a plain-language sentence needs; keys are
	// the Explain* constants.
	Explain map[string]int64
}

// Outcome is the result of a count.
type Outcome struct {
	Rule     Rule
	Selected []int // plan indexes in the order chosen
	Spent    int64
	Plans    []PlanResult // one per plan, in plan order
	// PerVoterShare (MES): each voter's share in cents in the equal-shares
	// count that decided the outcome. When that is the first count with
	// the real budget, budget/voters is rounded down to whole cents; after
	// completion it is a whole number of cents and exact. 0 for greedy.
	PerVoterShare int64
}

// Limits that keep every sum in int64: at most 100 million ballots of at
// most maxPoints points each, and money below maxMoney cents.
const (
	maxMoney  = int64(1) << 50 // about 11 trillion euro
	maxPoints = int64(1) << 30
)

// Validate checks an instance and its ballots: costs positive, budget not
// negative, plan indexes in range, no plan twice on a ballot, points
// positive and given for every plan on a points ballot, and not a mix of
// points and approval ballots.
func Validate(in Instance, ballots []Ballot) error {
	if in.Budget < 0 || in.Budget >= maxMoney {
		return fmt.Errorf("budget %d out of range", in.Budget)
	}
	var total int64
	for i, p := range in.Plans {
		if p.Cost <= 0 || p.Cost >= maxMoney {
			return fmt.Errorf("plan %d (%q): cost %d out of range", i, p.ID, p.Cost)
		}
		total += p.Cost
		if total >= maxMoney {
			return errors.New("plans cost too much together")
		}
	}
	m := len(in.Plans)
	seen := make([]int, m)
	kind := 0 // 1 approval, 2 points
	for b, bl := range ballots {
		k := 1
		if bl.Points != nil {
			k = 2
			if len(bl.Points) != len(bl.Approved) {
				return fmt.Errorf("ballot %d: %d plans but %d points", b, len(bl.Approved), len(bl.Points))
			}
		}
		if kind == 0 {
			kind = k
		} else if kind != k {
			return fmt.Errorf("ballot %d: points and approval ballots mixed", b)
		}
		for j, p := range bl.Approved {
			if p < 0 || p >= m {
				return fmt.Errorf("ballot %d: plan index %d out of range", b, p)
			}
			if seen[p] == b+1 {
				return fmt.Errorf("ballot %d: plan %d twice", b, p)
			}
			seen[p] = b + 1
			if k == 2 && (bl.Points[j] <= 0 || bl.Points[j] > maxPoints) {
				return fmt.Errorf("ballot %d: points %d for plan %d out of range", b, bl.Points[j], p)
			}
		}
	}
	if len(ballots) > 100_000_000 {
		return errors.New("too many ballots")
	}
	return nil
}

// votes returns per plan the number of approvals, or the total points.
func votes(m int, ballots []Ballot) []int64 {
	v := make([]int64, m)
	for _, b := range ballots {
		for j, p := range b.Approved {
			if b.Points != nil {
				v[p] += b.Points[j]
			} else {
				v[p]++
			}
		}
	}
	return v
}

// supporters returns per plan the number of ballots it is on.
func supporters(m int, ballots []Ballot) []int64 {
	s := make([]int64, m)
	for _, b := range ballots {
		for _, p := range b.Approved {
			s[p]++
		}
	}
	return s
}

// byVotes returns the plan indexes with votes, most votes first; ties go
// to the cheaper plan, then to the lower index.
func byVotes(in Instance, v []int64) []int {
	order := make([]int, 0, len(in.Plans))
	for i := range in.Plans {
		if v[i] > 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(v[b], v[a]); c != 0 {
			return c
		}
		if c := cmp.Compare(in.Plans[a].Cost, in.Plans[b].Cost); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// Greedy counts by votes: plans with the most votes (approvals, or total
// points) first; a plan that no longer fits in what is left of the budget
// is passed over and the next one tried. Ties in votes go to the cheaper
// plan, then to the plan with the lower index. Plans without votes are
// never chosen. The result never exceeds the budget.
//
// Greedy assumes Validate(in, ballots) == nil.
func Greedy(in Instance, ballots []Ballot) Outcome {
	m := len(in.Plans)
	v := votes(m, ballots)
	s := supporters(m, ballots)
	out := Outcome{Rule: RuleGreedy, Plans: make([]PlanResult, m)}
	for i := range out.Plans {
		out.Plans[i] = PlanResult{Index: i, Votes: v[i], Status: StatusNoVotes,
			Explain: map[string]int64{ExplainSupporters: s[i]}}
	}
	greedyPass(in, byVotes(in, v), &out, PhaseGreedy)
	return out
}

// greedyPass goes through order (plans not chosen yet) and chooses what
// still fits in the budget; plans that do not fit get StatusTooExpensive.
func greedyPass(in Instance, order []int, out *Outcome, phase string) {
	for _, p := range order {
		r := &out.Plans[p]
		left := in.Budget - out.Spent
		r.Explain[ExplainRemaining] = left
		if in.Plans[p].Cost <= left {
			out.Spent += in.Plans[p].Cost
			out.Selected = append(out.Selected, p)
			r.Status = StatusSelected
			r.Round = len(out.Selected)
			r.Phase = phase
		} else {
			r.Status = StatusTooExpensive
		}
	}
}

// Count validates the ballots and counts them by rule: RuleGreedy or
// RuleMES.
func Count(rule Rule, in Instance, ballots []Ballot) (Outcome, error) {
	if err := Validate(in, ballots); err != nil {
		return Outcome{}, err
	}
	switch rule {
	case RuleGreedy:
		return Greedy(in, ballots), nil
	case RuleMES:
		return EqualShares(in, ballots), nil
	}
	return Outcome{}, fmt.Errorf("unknown rule %q", rule)
}
