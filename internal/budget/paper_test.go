package budget_test

import (
	"context"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
)

// paperSetup is a budget with a register of four residents and their
// letter codes.
func paperSetup(t *testing.T, f *chanFixture) (chanBudget, map[string]string) {
	t.Helper()
	b := f.budget(t, nil, nil)
	file := registerFile([2]string{bsnA, "1234AB"}, [2]string{bsnB, "1234AB"}, [2]string{bsnC, "6591AB"}, [2]string{bsnD, "6591AB"})
	if _, err := f.svc.ImportRegister(context.Background(), f.editor, b.id, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, bsn := range []string{bsnA, bsnB, bsnC, bsnD} {
		codes[bsn] = f.codeOf(t, b.id, file, bsn)
	}
	return b, codes
}

func choice(plans ...int64) budget.Choice {
	var c budget.Choice
	for _, p := range plans {
		c.Lines = append(c.Lines, budget.Line{PlanID: p, Points: 1})
	}
	return c
}

func auditCount(t *testing.T, f *chanFixture, action string) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&audit.Entry{}).Where("action = ?", action).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPaperBatchCountsOnlyAfterASecondMemberChecksIt(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b, codes := paperSetup(t, f)
	plans := b.plans[""]
	enter, check := f.staff[0], f.staff[1]

	if _, err := f.svc.OpenBatch(ctx, f.editor, b.id); errCode(err) != apperror.Forbidden {
		t.Fatalf("an editor opened a batch: %v", err)
	}
	batch, err := f.svc.OpenBatch(ctx, enter, b.id)
	if err != nil {
		t.Fatal(err)
	}
	if batch.Number != 1 || batch.Status != budget.BatchOpen {
		t.Fatalf("batch %+v", batch)
	}
	if _, err := f.svc.AddPaper(ctx, enter, batch.ID, strings.ToLower(codes[bsnA]), choice(plans[0])); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnB], choice(plans[0], plans[1])); err != nil {
		t.Fatal(err)
	}
	// A colleague cannot add to someone else's open batch.
	if _, err := f.svc.AddPaper(ctx, check, batch.ID, codes[bsnC], choice(plans[1])); errKey(err) != "budget.batch.not_yours" {
		t.Fatalf("got %v", err)
	}
	// Bad papers change nothing: over budget, unknown code, a code twice.
	for _, c := range []struct {
		code   string
		choice budget.Choice
		key    string
	}{
		{codes[bsnC], choice(plans[0], plans[0]), "budget.error.duplicate_plan"},
		{"AAAA-BBBB-CCCC", choice(plans[1]), "budget.code.unknown"},
		{codes[bsnA], choice(plans[1]), "budget.error.already_voted"},
		{"AAAA-BBBB-CCC0", choice(plans[1]), "budget.code.look_alike"},
	} {
		if _, err := f.svc.AddPaper(ctx, enter, batch.ID, c.code, c.choice); errKey(err) != c.key {
			t.Errorf("paper %s: %v, want %s", c.code, err, c.key)
		}
	}
	if err := f.svc.SetInvalid(ctx, enter, batch.ID, 1); err != nil {
		t.Fatal(err)
	}
	// Entered, not counted: the residents are registered at once, the
	// tally has nothing yet.
	for _, bsn := range []string{bsnA, bsnB} {
		if ok, err := participation.Registered(f.db.DB, participation.Ballot, b.id, digidToken(t, f.svc, b.id, bsn)); err != nil || !ok {
			t.Fatalf("%s not registered at entry: %v", bsn, err)
		}
	}
	if tally, recount := f.paperTally(t, b.id); tally != 0 || recount != 0 {
		t.Fatalf("an open batch counts: tally %d recount %d", tally, recount)
	}
	// Nobody checks an open batch; the enterer cannot check their own.
	if err := f.svc.CheckBatch(ctx, check, batch.ID, 3); errKey(err) != "budget.batch.status_submitted" {
		t.Fatalf("checked an open batch: %v", err)
	}
	if err := f.svc.SubmitBatch(ctx, enter, batch.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnC], choice(plans[1])); errKey(err) != "budget.batch.status_open" {
		t.Fatalf("added to a submitted batch: %v", err)
	}
	if err := f.svc.CheckBatch(ctx, enter, batch.ID, 3); errKey(err) != "budget.batch.same_member" {
		t.Fatalf("the enterer checked: %v", err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 0 || recount != 0 {
		t.Fatalf("a submitted batch counts: tally %d recount %d", tally, recount)
	}
	// The checker's count must match: 2 ballots + 1 invalid.
	if err := f.svc.CheckBatch(ctx, check, batch.ID, 2); errKey(err) != "budget.batch.count_differs" {
		t.Fatalf("a wrong count was accepted: %v", err)
	}
	if err := f.svc.CheckBatch(ctx, check, batch.ID, 3); err != nil {
		t.Fatal(err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 3 || recount != 3 {
		t.Fatalf("after the check: tally %d recount %d, want 3 lines", tally, recount)
	}
	// Counted ballots keep no link to a token.
	var links int64
	if err := f.db.Table("budget_paper_entries").Count(&links).Error; err != nil {
		t.Fatal(err)
	}
	if links != 0 {
		t.Fatalf("%d links left after the check", links)
	}
	for action, want := range map[string]int64{"budget.batch.open": 1, "budget.paper.add": 2, "budget.batch.invalid": 1,
		"budget.batch.submit": 1, "budget.batch.check": 1} {
		if n := auditCount(t, f, action); n != want {
			t.Errorf("%s audited %d times, want %d", action, n, want)
		}
	}
	var checked budget.Batch
	if err := f.db.Where("id = ?", batch.ID).Take(&checked).Error; err != nil {
		t.Fatal(err)
	}
	if checked.Status != budget.BatchChecked || checked.CheckedBy == nil || *checked.CheckedBy != check.StaffID || *checked.EnteredBy != enter.StaffID {
		t.Fatalf("batch %+v", checked)
	}
}

func TestPaperEntryRemovedBeforeSubmitFreesThatPersonOnly(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b, codes := paperSetup(t, f)
	plans := b.plans[""]
	enter := f.staff[0]
	batch, err := f.svc.OpenBatch(ctx, enter, b.id)
	if err != nil {
		t.Fatal(err)
	}
	ra, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnA], choice(plans[0]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnB], choice(plans[1])); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemovePaper(ctx, f.staff[1], batch.ID, ra.BallotID); errKey(err) != "budget.batch.not_yours" {
		t.Fatalf("a colleague removed an entry: %v", err)
	}
	if err := f.svc.RemovePaper(ctx, enter, batch.ID, ra.BallotID); err != nil {
		t.Fatal(err)
	}
	registered := func(bsn string) bool {
		ok, err := participation.Registered(f.db.DB, participation.Ballot, b.id, digidToken(t, f.svc, b.id, bsn))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if registered(bsnA) || !registered(bsnB) {
		t.Fatalf("after removing A's entry: A registered %v, B registered %v", registered(bsnA), registered(bsnB))
	}
	// A's code works again, on paper or by letter.
	if _, err := f.svc.Redeem(ctx, b.id, codes[bsnA]); err != nil {
		t.Fatalf("A's code after removal: %v", err)
	}
	// A mistyped choice is fixed without the code.
	rb, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnC], choice(plans[1]))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePaper(ctx, enter, batch.ID, rb.BallotID, choice(plans[0], plans[1])); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePaper(ctx, enter, batch.ID, rb.BallotID, choice(plans[0], plans[0])); errKey(err) != "budget.error.duplicate_plan" {
		t.Fatalf("got %v", err)
	}
	var lines int64
	if err := f.db.Model(&budget.BallotPlan{}).Where("ballot_id = ?", rb.BallotID).Count(&lines).Error; err != nil {
		t.Fatal(err)
	}
	if lines != 2 {
		t.Fatalf("changed ballot has %d lines", lines)
	}
	if n := auditCount(t, f, "budget.paper.remove"); n != 1 {
		t.Fatalf("removal audited %d times", n)
	}
}

func TestCheckedBatchIsCorrectedOnlyWithAReasonAndThroughFourEyesAgain(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b, codes := paperSetup(t, f)
	plans := b.plans[""]
	enter, check, third := f.staff[0], f.staff[1], f.staff[2]
	batch, err := f.svc.OpenBatch(ctx, enter, b.id)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.svc.AddPaper(ctx, enter, batch.ID, codes[bsnA], choice(plans[0]))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SubmitBatch(ctx, enter, batch.ID); err != nil {
		t.Fatal(err)
	}
	// Returned with a note (a note is needed), fixed, submitted, checked.
	if err := f.svc.ReturnBatch(ctx, check, batch.ID, "  "); errKey(err) != "budget.batch.note_required" {
		t.Fatalf("returned without a note: %v", err)
	}
	if err := f.svc.ReturnBatch(ctx, enter, batch.ID, "Zelf terugsturen"); errKey(err) != "budget.batch.same_member" {
		t.Fatalf("the enterer returned their own batch: %v", err)
	}
	if err := f.svc.ReturnBatch(ctx, check, batch.ID, "Stembiljet 1 is plan 2, niet plan 1."); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.ChangePaper(ctx, enter, batch.ID, rec.BallotID, choice(plans[1])); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SubmitBatch(ctx, enter, batch.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CheckBatch(ctx, check, batch.ID, 1); err != nil {
		t.Fatal(err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 1 || recount != 1 {
		t.Fatalf("tally %d recount %d", tally, recount)
	}

	// Correction needs a reason; it uncounts the batch.
	if err := f.svc.CorrectBatch(ctx, third, batch.ID, ""); errKey(err) != "budget.batch.reason_required" {
		t.Fatalf("corrected without a reason: %v", err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 1 || recount != 1 {
		t.Fatalf("a refused correction changed the count: tally %d recount %d", tally, recount)
	}
	if err := f.svc.CorrectBatch(ctx, third, batch.ID, "Bij hertelling bleek stembiljet 1 ook plan 1 te kiezen."); err != nil {
		t.Fatal(err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 0 || recount != 0 {
		t.Fatalf("a batch being corrected counts: tally %d recount %d", tally, recount)
	}
	// The corrector now enters; the corrected ballot keeps its person
	// registered (the link went at the first check).
	if err := f.svc.ChangePaper(ctx, third, batch.ID, rec.BallotID, choice(plans[0], plans[1])); err != nil {
		t.Fatal(err)
	}
	if ok, err := participation.Registered(f.db.DB, participation.Ballot, b.id, digidToken(t, f.svc, b.id, bsnA)); err != nil || !ok {
		t.Fatalf("A is no longer registered: %v", err)
	}
	if err := f.svc.SubmitBatch(ctx, third, batch.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CheckBatch(ctx, third, batch.ID, 1); errKey(err) != "budget.batch.same_member" {
		t.Fatalf("the corrector checked their own correction: %v", err)
	}
	// The first enterer may check it: other eyes than the corrector's.
	if err := f.svc.CheckBatch(ctx, enter, batch.ID, 1); err != nil {
		t.Fatal(err)
	}
	if tally, recount := f.paperTally(t, b.id); tally != 2 || recount != 2 {
		t.Fatalf("after the second check: tally %d recount %d", tally, recount)
	}
	var e audit.Entry
	if err := f.db.Where("action = ?", "budget.batch.correct").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.Detail, `"lines_before":1`) || !strings.Contains(e.Detail, "hertelling") {
		t.Fatalf("correction audit %s", e.Detail)
	}
}

func TestPaperNamesItsWijkWhenResidentsDeclareIt(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, []string{"Noord", "Zuid"}, func(_ *instrument.Instrument, bud *budget.Budget) { bud.WijkSource = budget.WijkDeclared })
	file := registerFile([2]string{bsnA, "1234AB"})
	if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	code := f.codeOf(t, b.id, file, bsnA)
	batch, err := f.svc.OpenBatch(ctx, f.staff[0], b.id)
	if err != nil {
		t.Fatal(err)
	}
	// Without the wijk the paper names, nothing is stored.
	if _, err := f.svc.AddPaper(ctx, f.staff[0], batch.ID, code, choice(b.plans["Zuid"][0])); errKey(err) != "error.form_invalid" {
		t.Fatalf("no wijk: %v", err)
	}
	if ok, err := participation.Registered(f.db.DB, participation.Ballot, b.id, digidToken(t, f.svc, b.id, bsnA)); err != nil || ok {
		t.Fatalf("a refused paper registered its person: %v", err)
	}
	c := choice(b.plans["Zuid"][0])
	c.AreaID = b.areas["Zuid"]
	rec, err := f.svc.AddPaper(ctx, f.staff[0], batch.ID, code, c)
	if err != nil {
		t.Fatal(err)
	}
	if rec.AreaID != b.areas["Zuid"] {
		t.Fatalf("stored in area %d, want Zuid's %d", rec.AreaID, b.areas["Zuid"])
	}
}
