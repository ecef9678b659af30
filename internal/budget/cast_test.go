package budget_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/account"
	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/participation"
	"inspraak/internal/testdb"
)

// An online ballot is stored with its lines and counted; the same ballot
// again changes nothing; another is refused unless changes are allowed,
// and then the tally moves with it. A refused ballot leaves nothing: no
// ballot, no register row.
func TestCastOnline(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	v := f.online(t, b, midden, "")
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0, 1, 2)); keyOf(err) != "budget.error.over_budget" {
		t.Fatalf("over budget: %v", err)
	}
	if n, _ := f.ballots(t, b.InstrumentID); n != 0 || f.registered(t, b.InstrumentID) != 0 {
		t.Fatal("a refused ballot left a ballot or a register row")
	}
	r, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 2, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 70_000_00 || len(r.Lines) != 2 || r.Changed || r.Channel != budget.ChannelOnline {
		t.Fatalf("receipt: %+v", r)
	}
	again, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0, 2))
	if err != nil || again.BallotID != r.BallotID || again.Changed {
		t.Fatalf("same ballot again: %+v, %v", again, err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 1)); keyOf(err) != "budget.error.no_change" {
		t.Fatalf("change without allow_change: %v", err)
	}
	c := f.checkTally(t, b.InstrumentID)
	if c[b.Plans[0].ID][budget.ChannelOnline].Votes != 1 || c[b.Plans[1].ID] != nil || c[b.Plans[2].ID][budget.ChannelOnline].Votes != 1 {
		t.Fatalf("tally: %v", c)
	}
	testdb.NoError(t, f.db.Table("instruments").Where("id = ?", b.InstrumentID).Update("allow_change", true).Error)
	ch, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 1, 2))
	if err != nil || !ch.Changed || ch.BallotID != r.BallotID {
		t.Fatalf("change: %+v, %v", ch, err)
	}
	c = f.checkTally(t, b.InstrumentID)
	if c[b.Plans[0].ID] != nil || c[b.Plans[1].ID][budget.ChannelOnline].Votes != 1 || c[b.Plans[2].ID][budget.ChannelOnline].Votes != 1 {
		t.Fatalf("tally after change: %v", c)
	}
	if n, lines := f.ballots(t, b.InstrumentID); n != 1 || lines != 2 || f.registered(t, b.InstrumentID) != 1 {
		t.Fatalf("%d ballots, %d lines, %d registered", n, lines, f.registered(t, b.InstrumentID))
	}
	mine, err := f.budgets.BallotOf(ctx, b.InstrumentID, v.ParticipantID, v.Token)
	if err != nil || mine.Ballot == nil || len(mine.Ballot.Lines) != 2 || mine.Ballot.Lines[0].PlanID != b.Plans[1].ID {
		t.Fatalf("BallotOf: %+v, %v", mine, err)
	}
	list, err := f.budgets.BallotsOf(ctx, v.ParticipantID)
	if err != nil || len(list) != 1 || list[0].InstrumentID != b.InstrumentID || list[0].Total != 65_000_00 ||
		len(list[0].Plans) != 2 || list[0].Plans[0] != "Plan B" || list[0].ProjectSlug != "buurt" {
		t.Fatalf("BallotsOf: %+v, %v", list, err)
	}
	// Closed: no more changes.
	f.now = f.now.Add(48 * time.Hour)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0)); code(err) != apperror.Closed {
		t.Fatalf("change after closing: %v", err)
	}
}

// One person, one ballot across channels: the same register token cannot
// vote by letter code after DigiD, by DigiD after a code, at a stand after
// DigiD, or by code after a paper ballot was entered for it. The message
// says they already voted, possibly another way.
func TestOneBallotAcrossChannels(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)

	// DigiD first, then the same person's letter code, then a stand.
	v := f.online(t, b, midden, "")
	testdb.NoError(t, f.db.Create(&budget.Elector{InstrumentID: b.InstrumentID, Voter: v.Token, CodeLookup: "c1", LetterNo: 1}).Error)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0)); err != nil {
		t.Fatal(err)
	}
	for _, ch := range []budget.Channel{budget.ChannelCode, budget.ChannelStand} {
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: ch, Token: v.Token}, choose(b, 1)); keyOf(err) != "budget.error.already_voted" {
			t.Fatalf("%s after DigiD: %v", ch, err)
		}
	}

	// A code first, then DigiD (a new session of the same person).
	w := f.online(t, b, midden, "")
	testdb.NoError(t, f.db.Create(&budget.Elector{InstrumentID: b.InstrumentID, Voter: w.Token, CodeLookup: "c2", LetterNo: 2}).Error)
	r, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelCode, Token: w.Token}, choose(b, 1))
	if err != nil || r.Channel != budget.ChannelCode {
		t.Fatalf("code: %+v, %v", r, err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, w, choose(b, 1)); keyOf(err) != "budget.error.already_voted" {
		t.Fatalf("DigiD after a code: %v", err)
	}
	mine, err := f.budgets.BallotOf(ctx, b.InstrumentID, w.ParticipantID, w.Token)
	if err != nil || mine.Ballot != nil || !mine.TookPart {
		t.Fatalf("BallotOf after a code vote: %+v, %v", mine, err)
	}
	var ballot budget.Ballot
	testdb.NoError(t, f.db.Where("id = ?", r.BallotID).Take(&ballot).Error)
	if ballot.ParticipantID != nil || ballot.Channel != budget.ChannelCode {
		t.Fatalf("code ballot: %+v", ballot)
	}

	// Paper: entry registers the letter's token and stores the ballot
	// uncounted in its batch; the code is then spent.
	x := f.elector(t, b, "")
	batch := budget.Batch{InstrumentID: b.InstrumentID, Number: 1, Status: budget.BatchOpen, CreatedAt: f.now}
	testdb.NoError(t, f.db.Create(&batch).Error)
	err = f.db.Transaction(func(tx *gorm.DB) error {
		first, err := participation.Register(tx, participation.Ballot, b.InstrumentID, b.InstrumentID, x.Token)
		if err != nil || !first {
			t.Fatalf("register paper: %v %v", first, err)
		}
		_, err = budget.StoreBallot(tx, b, budget.NewBallot{Area: &b.Areas[0], Channel: budget.ChannelPaper, Lines: choose(b, 2).Lines, BatchID: &batch.ID, At: f.now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, x, choose(b, 2)); keyOf(err) != "budget.error.already_voted" {
		t.Fatalf("code after paper: %v", err)
	}
	if n, _ := f.ballots(t, b.InstrumentID); n != 3 || f.registered(t, b.InstrumentID) != 3 {
		t.Fatalf("%d ballots, %d registered; want 3 and 3", n, f.registered(t, b.InstrumentID))
	}
	// Paper counts only once its batch is checked.
	c := f.checkTally(t, b.InstrumentID)
	if c[b.Plans[2].ID] != nil {
		t.Fatalf("an unchecked paper ballot counts: %v", c)
	}
	var moved int
	err = f.db.Transaction(func(tx *gorm.DB) error {
		var err error
		moved, err = budget.CountBatch(tx, batch.ID, true)
		return err
	})
	if err != nil || moved != 1 {
		t.Fatalf("count batch: %d, %v", moved, err)
	}
	c = f.checkTally(t, b.InstrumentID)
	if c[b.Plans[2].ID][budget.ChannelPaper].Votes != 1 {
		t.Fatalf("checked paper ballot not counted: %v", c)
	}
	err = f.db.Transaction(func(tx *gorm.DB) error { _, err := budget.CountBatch(tx, batch.ID, false); return err })
	if err != nil {
		t.Fatal(err)
	}
	if c = f.checkTally(t, b.InstrumentID); c[b.Plans[2].ID] != nil {
		t.Fatalf("uncounted batch still in the tally: %v", c)
	}
	// StoreBallot applies the rules too.
	err = f.db.Transaction(func(tx *gorm.DB) error {
		_, err := budget.StoreBallot(tx, b, budget.NewBallot{Area: &b.Areas[0], Channel: budget.ChannelPaper, Lines: choose(b, 0, 1, 2).Lines, BatchID: &batch.ID})
		return err
	})
	if keyOf(err) != "budget.error.over_budget" {
		t.Fatalf("paper over budget: %v", err)
	}
}

// Who may vote through which channel: times apply to everyone; the login
// rules (level of assurance) only to online voters; a letter code needs
// the register; a stand voter without a register is judged on the BRP
// facts of the lookup; a businesses-only budget takes no letter or stand
// ballots.
func TestWhoMayVoteByChannel(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	low := f.online(t, b, basis, "")
	testdb.NoError(t, f.db.Table("instruments").Where("id = ?", b.InstrumentID).Update("min_loa_digid", midden).Error)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, low, choose(b, 0)); keyOf(err) != "rules.loa_too_low" {
		t.Fatalf("online below the level: %v", err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.elector(t, b, ""), choose(b, 0)); err != nil {
		t.Fatalf("a code voter is not asked for a DigiD level: %v", err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelCode, Token: "niet-op-de-lijst"}, choose(b, 0)); keyOf(err) != "budget.error.not_on_register" {
		t.Fatalf("a code without a register row: %v", err)
	}
	// A register exists: a stand voter must be on it.
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelStand, Token: "ook-niet"}, choose(b, 0)); keyOf(err) != "budget.error.not_on_register" {
		t.Fatalf("a stand voter off the register: %v", err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelPaper, Token: "x"}, choose(b, 0)); code(err) != apperror.Forbidden {
		t.Fatalf("paper through Cast: %v", err)
	}

	// No register, residents of 18 and over only: the stand's facts decide.
	c := f.budget(t, func(d *budget.Draft) { d.Rules.ResidentsOnly, d.Rules.MinAge = true, 18 })
	yes, no := true, false
	for _, tc := range []struct {
		resident *bool
		age      string
		key      string
	}{
		{nil, "", "rules.not_verified"},
		{&no, "30-44", "rules.not_resident"},
		{&yes, "16-17", "rules.too_young"},
		{&yes, "30-44", ""},
	} {
		v := budget.Voter{Channel: budget.ChannelStand, Token: "stand-" + tc.age + "-" + tc.key}
		v.Person.Resident, v.Person.AgeBand = tc.resident, tc.age
		if _, err := f.budgets.Cast(ctx, c.InstrumentID, v, choose(c, 0)); keyOf(err) != tc.key {
			t.Errorf("stand voter %v %s: %v, want %q", tc.resident, tc.age, err, tc.key)
		}
	}
	// Not open yet, and closed: for every channel.
	d := f.budget(t, func(d *budget.Draft) { opens := f.now.Add(time.Hour); d.Rules.OpensAt = &opens })
	if _, err := f.budgets.Cast(ctx, d.InstrumentID, f.elector(t, d, ""), choose(d, 0)); keyOf(err) != "rules.not_open_yet" {
		t.Fatalf("code before opening: %v", err)
	}
	f.now = f.now.Add(48 * time.Hour)
	for _, v := range []budget.Voter{f.elector(t, b, ""), f.online(t, b, midden, ""), {Channel: budget.ChannelStand, Token: "s"}} {
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0)); keyOf(err) != "rules.closed" {
			t.Fatalf("%s after closing: %v", v.Channel, err)
		}
	}
	// Businesses only: no letters, no stand.
	f.now = f.now.Add(-48 * time.Hour)
	e := f.budget(t, func(d *budget.Draft) { d.Rules.Who = "eherkenning" })
	if _, err := f.budgets.Cast(ctx, e.InstrumentID, f.elector(t, e, ""), choose(e, 0)); keyOf(err) != "rules.eherkenning_only" {
		t.Fatalf("a code for a businesses-only budget: %v", err)
	}
}

// Per wijk, from the BRP: a voter votes in their own wijk's area, on its
// plans only; with a declared wijk the voter names it. The register's wijk
// is a code voter's wijk.
func TestPerWijk(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, func(d *budget.Draft) {
		d.Settings.PerWijk = true
		d.Areas = []budget.AreaInput{{Wijk: "Centrum", Amount: 50_000_00}, {Wijk: "Noord", Amount: 30_000_00}}
	})
	centrum, noord := b.AreaOf("Centrum"), b.AreaOf("Noord")
	pc := f.plan(t, b, centrum.ID, "Plein", 20_000_00)
	pn := f.plan(t, b, noord.ID, "Park", 20_000_00)
	v := f.online(t, b, midden, "Noord")
	one := func(id int64) budget.Choice { return budget.Choice{Lines: []budget.Line{{PlanID: id}}} }
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, one(pc.ID)); keyOf(err) != "budget.error.other_area" {
		t.Fatalf("another wijk's plan: %v", err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, budget.Choice{AreaID: centrum.ID, Lines: one(pc.ID).Lines}); keyOf(err) != "budget.error.wrong_wijk" {
		t.Fatalf("another wijk's area: %v", err)
	}
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, "Zuid"), one(pn.ID)); keyOf(err) != "budget.error.no_area" {
		t.Fatalf("a wijk without an area: %v", err)
	}
	r, err := f.budgets.Cast(ctx, b.InstrumentID, v, one(pn.ID))
	if err != nil || r.AreaID != noord.ID {
		t.Fatalf("own wijk: %+v, %v", r, err)
	}
	// The register says Centrum, whatever the voter struct says.
	x := f.elector(t, b, "Centrum")
	x.Wijk = "Noord"
	if r, err := f.budgets.Cast(ctx, b.InstrumentID, x, one(pc.ID)); err != nil || r.AreaID != centrum.ID {
		t.Fatalf("code voter of Centrum: %+v, %v", r, err)
	}
	var wijken []string
	testdb.NoError(t, f.db.Model(&budget.Ballot{}).Where("instrument_id = ?", b.InstrumentID).Order("id").Pluck("wijk", &wijken).Error)
	if len(wijken) != 2 || wijken[0] != "Noord" || wijken[1] != "Centrum" {
		t.Fatalf("ballot wijken: %v", wijken)
	}

	// Declared: choose the wijk.
	d := f.budget(t, func(d *budget.Draft) {
		d.Settings.PerWijk, d.Settings.WijkSource = true, budget.WijkDeclared
		d.Areas = []budget.AreaInput{{Wijk: "Centrum", Amount: 50_000_00}, {Wijk: "Noord", Amount: 30_000_00}}
	})
	dp := f.plan(t, d, d.AreaOf("Centrum").ID, "Fontein", 10_000_00)
	w := f.online(t, d, midden, "Noord")
	if _, err := f.budgets.Cast(ctx, d.InstrumentID, w, one(dp.ID)); fieldOf(err, "wijk") != "budget.error.choose_wijk" {
		t.Fatalf("declared wijk not chosen: %v", err)
	}
	if r, err := f.budgets.Cast(ctx, d.InstrumentID, w, budget.Choice{AreaID: d.AreaOf("Centrum").ID, Lines: one(dp.ID).Lines}); err != nil || r.AreaID != d.AreaOf("Centrum").ID {
		t.Fatalf("declared Centrum: %+v, %v", r, err)
	}
}

// Someone who erased their data after voting (Erase: the ballot keeps
// counting but loses its link and its moment, keeping only the day) and
// logs in again cannot vote again, and sees only that they took part.
func TestErasedVoterCannotVoteAgain(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	v := f.online(t, b, midden, "")
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 0)); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	if err := f.db.Transaction(func(tx *gorm.DB) error { return budget.Erase(tx, v.ParticipantID) }); err != nil {
		t.Fatal(err)
	}
	var erased budget.Ballot
	testdb.NoError(t, f.db.Where("instrument_id = ?", b.InstrumentID).Take(&erased).Error)
	if erased.ParticipantID != nil || !erased.CreatedAt.Equal(account.Day(erased.CreatedAt)) || !erased.UpdatedAt.Equal(account.Day(erased.UpdatedAt)) {
		t.Fatalf("erased ballot keeps its link or its moment: %+v", erased)
	}
	c := f.checkTally(t, b.InstrumentID)
	if c[b.Plans[0].ID][budget.ChannelOnline].Votes != 1 {
		t.Fatalf("an erased voter's ballot no longer counts: %v", c)
	}
	again := f.online(t, b, midden, "")
	again.Token = v.Token // the same person: the same pseudonym, a new participant row
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, again, choose(b, 1)); keyOf(err) != "budget.error.already_voted" {
		t.Fatalf("vote after erasure: %v", err)
	}
	mine, err := f.budgets.BallotOf(ctx, b.InstrumentID, again.ParticipantID, again.Token)
	if err != nil || mine.Ballot != nil || !mine.TookPart {
		t.Fatalf("BallotOf after erasure: %+v, %v", mine, err)
	}
	if n, _ := f.ballots(t, b.InstrumentID); n != 1 {
		t.Fatalf("%d ballots", n)
	}
}

// The register token computed from a BSN is the one a login of the same
// BSN gets: the pseudonym under the current key (as the login stores it
// in Participant.Subject), then the per-budget id. A BSN failing the
// 11-test is refused. (internal/web's TestBudgetVoterTokenIsTheLoginToken
// proves the same through a real DigiD login.)
func TestVoterToken(t *testing.T) {
	t.Parallel()
	pkey := []byte("pseudonym-key-0123456789-0123456789")
	keys, err := identity.NewKeyring(2, pkey, map[int][]byte{1: []byte("old-pseudonym-key-0123456789-01234")})
	if err != nil {
		t.Fatal(err)
	}
	svc := budget.NewService(nil, pkey)
	tok, err := budget.VoterToken(keys, pkey, 7, "999993653")
	if err != nil {
		t.Fatal(err)
	}
	if want := svc.OnlineToken(7, keys.Current(identity.KindBSN, "999993653").Value); tok != want {
		t.Fatalf("token %s, want %s", tok, want)
	}
	other, _ := budget.VoterToken(keys, pkey, 8, "999993653")
	if other == tok {
		t.Fatal("the same token in two budgets")
	}
	if _, err := budget.VoterToken(keys, pkey, 7, "999993654"); keyOf(err) != "budget.error.bsn_invalid" {
		t.Fatalf("bad BSN: %v", err)
	}
}

// StandingOf tells the voting page what Cast would decide, storing
// nothing: may vote (and where), own ballot, already voted another way,
// changes not allowed, closed.
func TestStandingOf(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	v := f.online(t, b, midden, "Zuid")
	st, err := f.budgets.StandingOf(ctx, b.InstrumentID, v)
	if err != nil || st.Refusal != nil || st.Area == nil || st.Area.ID != b.Areas[0].ID || st.Ballot != nil || len(st.Budget.Plans) != 3 {
		t.Fatalf("before voting: %+v, %v", st, err)
	}
	testdb.NoError(t, f.db.Create(&budget.Elector{InstrumentID: b.InstrumentID, Voter: v.Token, CodeLookup: "c", LetterNo: 1}).Error)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, 1)); err != nil {
		t.Fatal(err)
	}
	if st, err = f.budgets.StandingOf(ctx, b.InstrumentID, v); err != nil || st.Ballot == nil || len(st.Ballot.Lines) != 1 || keyOf(st.Refusal) != "budget.error.no_change" {
		t.Fatalf("after voting: %+v, %v", st, err)
	}
	if st, err = f.budgets.StandingOf(ctx, b.InstrumentID, budget.Voter{Channel: budget.ChannelCode, Token: v.Token}); err != nil || keyOf(st.Refusal) != "budget.error.already_voted" {
		t.Fatalf("code after DigiD: %+v, %v", st, err)
	}
	if n, _ := f.ballots(t, b.InstrumentID); n != 1 || f.registered(t, b.InstrumentID) != 1 {
		t.Fatal("StandingOf stored something")
	}
	d := f.budget(t, func(d *budget.Draft) {
		d.Settings.PerWijk, d.Settings.WijkSource = true, budget.WijkDeclared
		d.Areas = []budget.AreaInput{{Wijk: "Centrum", Amount: 1_000_00}, {Wijk: "Noord", Amount: 1_000_00}}
	})
	if st, err = f.budgets.StandingOf(ctx, d.InstrumentID, f.online(t, d, midden, "")); err != nil || st.Refusal != nil || st.Area != nil {
		t.Fatalf("declared wijk: %+v, %v", st, err)
	}
	f.now = f.now.Add(48 * time.Hour)
	if st, err = f.budgets.StandingOf(ctx, b.InstrumentID, f.elector(t, b, "")); err != nil || keyOf(st.Refusal) != "rules.closed" {
		t.Fatalf("closed: %+v, %v", st, err)
	}
}
