package budget_test

import (
	"context"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/i18n"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// First online ballots on PostgreSQL are written in groups, but each is
// judged on its own: in one group with two good ballots, a ballot over
// the budget and the ballot of someone who voted by letter code in the
// meantime, the good two are stored by the group and the other two are
// refused, each with its own Dutch message, leaving nothing behind. The
// register and the tally stay exact.
func TestGroupStoresTheGoodBallotsAndRefusesEachBadOne(t *testing.T) {
	t.Parallel() // each test has its own database
	if !testdb.Postgres() {
		t.Skip("groups are written on PostgreSQL only")
	}
	f := setup(t)
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	b := f.budget(t, nil)
	first, second, greedy, both := f.online(t, b, midden, ""), f.online(t, b, midden, ""), f.online(t, b, midden, ""), f.online(t, b, midden, "")
	// both is on the letter register too, and uses their code first.
	testdb.NoError(t, f.db.Create(&budget.Elector{InstrumentID: b.InstrumentID, Voter: both.Token, CodeLookup: "code-both", LetterNo: 1}).Error)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelCode, Token: both.Token}, choose(b, 2)); err != nil {
		t.Fatal(err)
	}
	rs, errs, byGroup := f.budgets.CastTogether(ctx, b.InstrumentID, []budget.TogetherCast{
		{first, choose(b, 0, 1)}, {greedy, choose(b, 0, 1, 2)}, {second, choose(b, 2)}, {both, choose(b, 0)}})
	for _, i := range []int{0, 2} {
		if errs[i] != nil || !byGroup[i] || rs[i].BallotID == 0 {
			t.Fatalf("good ballot %d: stored by the group %v, %v", i, byGroup[i], errs[i])
		}
	}
	if rs[0].BallotID == rs[2].BallotID || rs[0].Total != 75_000_00 || rs[2].Total != 30_000_00 {
		t.Fatalf("receipts: %+v, %+v", rs[0], rs[2])
	}
	nl := func(err error) string {
		e, ok := apperror.As(err)
		if !ok {
			return ""
		}
		return cat.T("nl", e.Key, e.Args...)
	}
	if byGroup[1] || keyOf(errs[1]) != "budget.error.over_budget" ||
		nl(errs[1]) != "Uw plannen kosten samen € 105.000. Dat is meer dan het budget van € 100.000. Haal een plan weg." {
		t.Fatalf("over budget in a group: %v (%q)", errs[1], nl(errs[1]))
	}
	if byGroup[3] || code(errs[3]) != apperror.Conflict || keyOf(errs[3]) != "budget.error.already_voted" ||
		!strings.HasPrefix(nl(errs[3]), "U heeft al gestemd") {
		t.Fatalf("voted by code in between: %v (%q)", errs[3], nl(errs[3]))
	}
	// Two online ballots and the code ballot; nothing of the refused two.
	if n, lines := f.ballots(t, b.InstrumentID); n != 3 || lines != 4 || f.registered(t, b.InstrumentID) != 3 {
		t.Fatalf("%d ballots with %d lines, %d register rows", n, lines, f.registered(t, b.InstrumentID))
	}
	for _, v := range []budget.Voter{greedy, both} {
		m, err := f.budgets.BallotOf(ctx, b.InstrumentID, v.ParticipantID, v.Token)
		if err != nil || m.Ballot != nil {
			t.Fatalf("participant %d has a ballot linked: %+v, %v", v.ParticipantID, m, err)
		}
	}
	c := f.checkTally(t, b.InstrumentID)
	if c[b.Plans[0].ID][budget.ChannelOnline].Votes != 1 || c[b.Plans[2].ID][budget.ChannelOnline].Votes != 1 ||
		c[b.Plans[2].ID][budget.ChannelCode].Votes != 1 {
		t.Fatalf("tally: %v", c)
	}
	// The refused over-budget voter can still vote, through the group.
	r, err := f.budgets.Cast(ctx, b.InstrumentID, greedy, choose(b, 1))
	if err != nil || r.Total != 35_000_00 {
		t.Fatalf("a refused voter votes again: %+v, %v", r, err)
	}
	f.checkTally(t, b.InstrumentID)
}

// A ballot judged against a budget that an editor changed before its group
// was written is not stored by the group (the instrument's updated_at
// moved): it takes the full transaction, which judges it by the budget as
// it is now. Plan A went from € 40.000 to € 80.000 in between, so A and B
// no longer fit the € 100.000 and the ballot is refused; B alone still
// fits and is stored.
func TestGroupLeavesABallotOfAnEditedBudgetToTheFullTransaction(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	in, ps, err := instrument.ForRules(f.db.DB, b.InstrumentID, false)
	if err != nil {
		t.Fatal(err)
	}
	// The cached definition is the one the ballot is judged by.
	if _, err := f.budgets.Definition(ctx, in); err != nil {
		t.Fatal(err)
	}
	a := b.Plans[0]
	if err := f.budgets.UpdatePlan(ctx, editor, b.InstrumentID, a.ID, budget.PlanInput{AreaID: a.AreaID, Title: a.Title, Cost: 80_000_00}); err != nil {
		t.Fatal(err)
	}
	v, w := f.online(t, b, midden, ""), f.online(t, b, midden, "")
	if _, err := f.budgets.CastAt(ctx, in, ps, v, choose(b, 0, 1)); keyOf(err) != "budget.error.over_budget" {
		t.Fatalf("a ballot judged by the old plan costs: %v", err)
	}
	if n, _ := f.ballots(t, b.InstrumentID); n != 0 || f.registered(t, b.InstrumentID) != 0 {
		t.Fatal("a refused ballot left a ballot or a register row")
	}
	if r, err := f.budgets.CastAt(ctx, in, ps, w, choose(b, 1)); err != nil || r.Total != 35_000_00 {
		t.Fatalf("a ballot that still fits: %+v, %v", r, err)
	}
	f.checkTally(t, b.InstrumentID)
}
