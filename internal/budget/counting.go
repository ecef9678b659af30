package budget

// The count itself lives in package budget/count (greedy and the Method
// of Equal Shares, pure functions, no database), written alongside this
// package. Until it is merged here, Results reaches it through Counter,
// and the types below mirror its types field for field (count.Plan,
// count.Instance, count.Ballot, count.Outcome, count.PlanResult), so that
// joining them is mechanical: make each an alias (type Outcome =
// count.Outcome, …) and let CountWith use count.Greedy and
// count.EqualShares (countadapter.go.txt holds that file, ready to
// rename). Code in this package only reads these fields and compares
// them with untyped constants, so it compiles against either.

// CountPlan is a plan as the count sees it (count.Plan).
type CountPlan struct {
	ID   string
	Cost int64
}

// CountInstance is one area's count: its amount and plans (count.Instance).
type CountInstance struct {
	Budget int64
	Plans  []CountPlan
}

// CountBallot is one ballot as the count sees it: the indexes (into
// CountInstance.Plans) of the plans it chose, and for a points ballot the
// points given to each (count.Ballot).
type CountBallot struct {
	Approved []int
	Points   []int64
}

// PlanResult is how one plan fared (count.PlanResult): Status is
// "selected", "too_expensive", "not_affordable" or "no_votes".
type PlanResult struct {
	Index            int
	Votes            int64
	Status           string
	Round            int
	Phase            string
	PaidBySupporters int64
	Explain          map[string]int64
}

// Outcome is a count's result for one area (count.Outcome).
type Outcome struct {
	Rule          string
	Selected      []int
	Spent         int64
	Plans         []PlanResult
	PerVoterShare int64
}

// Counter counts an area by a rule ("greedy" or "mes").
type Counter interface {
	Count(rule string, in CountInstance, ballots []CountBallot) Outcome
}

// CounterFunc adapts a function to Counter.
type CounterFunc func(rule string, in CountInstance, ballots []CountBallot) Outcome

// Count calls f.
func (f CounterFunc) Count(rule string, in CountInstance, ballots []CountBallot) Outcome {
	return f(rule, in, ballots)
}

// SetCounter sets the count Results uses (app wiring, tests). Without
// one, Results gives every figure but no outcome.
func (s *Service) SetCounter(c Counter) { s.counter = c }
