package budget_test

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"inspraak/internal/budget"
	"inspraak/internal/participation"
	"inspraak/internal/results/suppress"
	"inspraak/internal/testdb"
)

// A stand-in for package budget/count in these tests: it records what it
// was given and selects plans by votes while they fit.
type fakeCounter struct{ calls []string }

func (c *fakeCounter) Count(rule string, in budget.CountInstance, ballots []budget.CountBallot) budget.Outcome {
	c.calls = append(c.calls, rule)
	votes := make([]int64, len(in.Plans))
	for _, b := range ballots {
		for _, i := range b.Approved {
			votes[i]++
		}
	}
	o := budget.Outcome{Rule: "greedy"} // constants only: budget.Outcome becomes count.Outcome
	if rule == budget.RuleMES {
		o.Rule = "mes"
	}
	for i := range in.Plans {
		o.Plans = append(o.Plans, budget.PlanResult{Index: i, Votes: votes[i], Status: "no_votes"})
	}
	return o
}

// Results: ballots per channel (paper only once checked, invalid papers
// apart), votes per plan and channel from the tally, the count's input
// from the ballots, both rules counted, and a per-wijk table in which a
// wijk of one voter shows marks.
func TestResults(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, func(d *budget.Draft) { d.Settings.Rule = budget.RuleMES })
	fc := &fakeCounter{}
	f.budgets.SetCounter(fc)
	// Six online voters in Centrum, one in Noord, two by letter code.
	for range 6 {
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, "Centrum"), choose(b, 0, 1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, "Noord"), choose(b, 2)); err != nil {
		t.Fatal(err)
	}
	for range 7 {
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, "Zuid"), choose(b, 0, 2)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.elector(t, b, "Centrum"), choose(b, 1)); err != nil {
			t.Fatal(err)
		}
	}
	// A paper batch of one ballot, not checked yet, with one invalid paper.
	batch := budget.Batch{InstrumentID: b.InstrumentID, Number: 1, Status: budget.BatchOpen, InvalidCount: 1, CreatedAt: f.now}
	testdb.NoError(t, f.db.Create(&batch).Error)
	x := f.elector(t, b, "Centrum")
	err := f.db.Transaction(func(tx *gorm.DB) error {
		if _, err := participation.Register(tx, participation.Ballot, b.InstrumentID, b.InstrumentID, x.Token); err != nil {
			return err
		}
		_, err := budget.StoreBallot(tx, b, budget.NewBallot{Area: &b.Areas[0], Channel: budget.ChannelPaper, Wijk: "Centrum",
			Lines: choose(b, 2).Lines, BatchID: &batch.ID, At: f.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := f.budgets.Results(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 16 || r.Ballots[budget.ChannelOnline] != 14 || r.Ballots[budget.ChannelCode] != 2 || r.Uncounted != 1 || r.Invalid != 0 {
		t.Fatalf("before the check: total %d, per channel %v, uncounted %d, invalid %d", r.Total, r.Ballots, r.Uncounted, r.Invalid)
	}
	// The batch is checked: now it counts, with its invalid paper.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		if _, err := budget.CountBatch(tx, batch.ID, true); err != nil {
			return err
		}
		return tx.Model(&budget.Batch{}).Where("id = ?", batch.ID).Update("status", budget.BatchChecked).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	fc.calls = nil
	if r, err = f.budgets.Results(ctx, b.InstrumentID); err != nil {
		t.Fatal(err)
	}
	if r.Total != 17 || r.Ballots[budget.ChannelPaper] != 1 || r.Uncounted != 0 || r.Invalid != 1 {
		t.Fatalf("after the check: total %d, per channel %v, uncounted %d, invalid %d", r.Total, r.Ballots, r.Uncounted, r.Invalid)
	}
	a := r.Areas[0]
	if a.Ballots != 17 || len(a.CountInputs) != 17 || a.Instance.Budget != 100_000_00 || len(a.Instance.Plans) != 3 || a.Instance.Plans[1].Cost != 35_000_00 {
		t.Fatalf("count input: %d ballots, %+v", len(a.CountInputs), a.Instance)
	}
	p0, p1, p2 := b.Plans[0].ID, b.Plans[1].ID, b.Plans[2].ID
	if a.Votes[p0][budget.ChannelOnline].Votes != 13 || a.Votes[p1][budget.ChannelOnline].Votes != 6 || a.Votes[p1][budget.ChannelCode].Votes != 2 ||
		a.Votes[p2][budget.ChannelPaper].Votes != 1 || a.Votes[p2][budget.ChannelOnline].Votes != 8 {
		t.Fatalf("votes: %v", a.Votes)
	}
	if a.Outcome == nil || a.Outcome.Rule != budget.RuleMES || a.Other.Rule != budget.RuleGreedy || len(fc.calls) != 2 ||
		a.Outcome.Plans[1].Votes != 8 || a.Outcome.Plans[2].Votes != 9 {
		t.Fatalf("outcomes: %+v / %+v, calls %v", a.Outcome, a.Other, fc.calls)
	}
	// Per wijk: Centrum (9 ballots), Noord (1) and Zuid (7). Noord's one
	// voter is hidden wherever they show, and the table stays consistent
	// with the known totals only through other hidden cells.
	bd := a.ByWijk
	if bd == nil || len(bd.Wijken) != 3 || bd.Wijken[0] != "Centrum" || bd.Wijken[1] != "Noord" || bd.Wijken[2] != "Zuid" {
		t.Fatalf("breakdown: %+v", bd)
	}
	t.Logf("ballots per wijk %v, votes %v", bd.Ballots, bd.Votes)
	if bd.Ballots[1] != suppress.Mark || bd.Votes[1][2] != suppress.Mark {
		t.Fatalf("Noord's one voter shown: ballots %v, votes %v", bd.Ballots, bd.Votes)
	}
	for _, col := range []int{0, 1, 2} {
		hidden := 0
		for i := range bd.Wijken {
			if bd.Votes[i][col] == suppress.Mark {
				hidden++
			}
		}
		if hidden == 1 {
			t.Fatalf("plan %d: one hidden cell, recoverable from the known total: %v", col, bd.Votes)
		}
	}
	if bd.Votes[0][1] != "8" {
		t.Fatalf("Centrum's 8 votes for plan B hidden without need: %v", bd.Votes)
	}
}
