// The count itself lives in package budget/count (greedy and the Method of
// Equal Shares, pure functions, no database). Results reaches it through
// Counter, so a test can look at exactly what the count was given.
package budget

import (
	"context"
	"io"
	"slices"

	"inspraak/internal/apperror"
	"inspraak/internal/budget/count"
	"inspraak/internal/identity"
)

type (
	CountPlan     = count.Plan
	CountInstance = count.Instance
	CountBallot   = count.Ballot
	PlanResult    = count.PlanResult
	Outcome       = count.Outcome
)

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

// SetCounter replaces the count Results uses (tests); NewService starts
// with CountByRule.
func (s *Service) SetCounter(c Counter) { s.counter = c }

// CountByRule counts with package budget/count: the Method of Equal Shares for
// "mes", greedy otherwise.
var CountByRule = CounterFunc(func(rule string, in CountInstance, ballots []CountBallot) Outcome {
	if rule == RuleMES {
		return count.EqualShares(in, ballots)
	}
	return count.Greedy(in, ballots)
})

// ExportPabulib is WritePabulib for staff: analysts only.
func (s *Service) ExportPabulib(ctx context.Context, a identity.Actor, instrumentID, areaID int64, w io.Writer) error {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return err
	}
	r, err := s.Results(ctx, instrumentID)
	if err != nil {
		return err
	}
	return r.WritePabulib(areaID, w)
}

// WritePabulib writes one area's ballots as a pabulib .pb file, for
// researchers to check the count: no personal data, the plan ids as
// project ids, their titles as names. The ballots are sorted by what they
// chose (then numbered), not written in the order they were cast: that
// order would let whoever knows when someone voted — the stand member,
// the one who entered a paper batch, a neighbour — find their ballot. The
// count does not depend on the order. Who may see it is the caller's
// decision (staff: ExportPabulib; residents: once published).
func (r *Results) WritePabulib(areaID int64, w io.Writer) error {
	for _, ar := range r.Areas {
		if ar.Area.ID != areaID {
			continue
		}
		b := r.Budget
		meta := count.Meta{Description: b.Instrument.Title, Country: "Netherlands", Subunit: ar.Area.Wijk, Currency: "EUR",
			Rule: "greedy", Language: "nl", MinLength: b.MinPlans, MaxLength: b.MaxPlans}
		if b.Rule == RuleMES {
			meta.Rule = "equalshares/add1"
		}
		kind := count.VoteTypeApproval
		switch b.Method {
		case MethodKnapsack:
			meta.MaxSumCost = ar.Area.Amount
			meta.MinSumCost = MinSpend(b, &ar.Area)
		case MethodPoints:
			kind = count.VoteTypeCumulative
			meta.MinSumPoints, meta.MaxSumPoints = int64(b.PointsTotal), int64(b.PointsTotal)
		}
		for _, p := range ar.Plans {
			meta.ProjectNames = append(meta.ProjectNames, p.Title)
		}
		if b.Instrument.OpensAt != nil {
			meta.DateBegin = b.Instrument.OpensAt.Format("02.01.2006")
		}
		if b.Instrument.ClosesAt != nil {
			meta.DateEnd = b.Instrument.ClosesAt.Format("02.01.2006")
		}
		return count.WritePabulib(w, meta, ar.Instance, canonical(ar.CountInputs), kind)
	}
	return apperror.New(apperror.NotFound, "")
}

// canonical returns the ballots sorted by their plans, then their points:
// the same multiset of ballots, in an order that says nothing of when
// each was cast.
func canonical(ballots []CountBallot) []CountBallot {
	out := slices.Clone(ballots)
	slices.SortStableFunc(out, func(x, y CountBallot) int {
		if c := slices.Compare(x.Approved, y.Approved); c != 0 {
			return c
		}
		return slices.Compare(x.Points, y.Points)
	})
	return out
}
