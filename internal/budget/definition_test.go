package budget_test

import (
	"context"
	"testing"
	"time"

	"inspraak/internal/budget"
)

// Cast judges ballots by a budget definition kept per instance
// (definition.go). An editor's change of a plan's cost or an area's
// amount must be honoured by the very next Cast, also when the edit was
// made through another instance of the service on the same database (a
// second server behind the load balancer) and in the same instant of
// the clock. Each step first has the definition kept, then edits through
// the other instance, then casts through the first.
func TestCastHonoursAnEditByAnotherInstance(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	other := budget.NewService(f.db, key)
	other.SetClock(func() time.Time { return f.now })
	setCost := func(b *budget.Budget, i int, cost int64) {
		t.Helper()
		p := b.Plans[i]
		if err := other.UpdatePlan(ctx, editor, b.InstrumentID, p.ID, budget.PlanInput{AreaID: p.AreaID, Title: p.Title, Cost: cost}); err != nil {
			t.Fatal(err)
		}
	}

	// A cheaper plan: a ballot refused as over budget now fits.
	b := f.budget(t, nil) // € 100.000; plans of € 40.000, € 35.000, € 30.000
	v := f.online(t, b, midden, "")
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0, 1, 2)); keyOf(err) != "budget.error.over_budget" {
		t.Fatalf("€ 105.000 of € 100.000: %v", err)
	}
	setCost(b, 2, 25_000_00)
	r, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0, 1, 2))
	if err != nil {
		t.Fatalf("after plan C went to € 25.000 elsewhere: %v", err)
	}
	if r.Total != 100_000_00 {
		t.Fatalf("receipt total %d, want the new cost's 10000000", r.Total)
	}

	// A dearer plan: a ballot that fitted when the definition was kept
	// is refused, and nothing is stored.
	b2 := f.budget(t, nil)
	v2 := f.online(t, b2, midden, "")
	if st, err := f.budgets.StandingOf(ctx, b2.InstrumentID, v2); err != nil || st.Refusal != nil {
		t.Fatalf("standing: %+v, %v", st, err)
	}
	setCost(b2, 1, 65_000_00)
	if _, err := f.budgets.Cast(ctx, b2.InstrumentID, v2, choose(b2, 0, 1)); keyOf(err) != "budget.error.over_budget" {
		t.Fatalf("€ 40.000 + € 65.000 of € 100.000 after the edit elsewhere: %v", err)
	}
	if n, _ := f.ballots(t, b2.InstrumentID); n != 0 || f.registered(t, b2.InstrumentID) != 0 {
		t.Fatal("a refused ballot left a ballot or a register row")
	}

	// A larger amount: the same ballot now fits.
	if err := other.SetAreas(ctx, editor, b2.InstrumentID, []budget.AreaInput{{Amount: 110_000_00}}); err != nil {
		t.Fatal(err)
	}
	if r, err := f.budgets.Cast(ctx, b2.InstrumentID, v2, choose(b2, 0, 1)); err != nil || r.Total != 105_000_00 {
		t.Fatalf("after the amount went to € 110.000 elsewhere: %+v, %v", r, err)
	}
	f.checkTally(t, b.InstrumentID)
	f.checkTally(t, b2.InstrumentID)
}
