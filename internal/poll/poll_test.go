package poll_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var (
	basis  = identity.Levels(identity.DigiD)[0]
	midden = identity.Levels(identity.DigiD)[1]
)

type fixture struct {
	db    *store.DB
	polls *poll.Service
	proj  int64
	now   time.Time
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Open(t)
	ps := project.NewService(db)
	p, err := ps.Create(context.Background(), identity.SystemActor("test"), project.Draft{Slug: "fietsen", Title: "Fietsen", Summary: "Over fietsen."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, polls: poll.NewService(db, []byte("test-key-0123456789-0123456789-01")), proj: p.ID,
		now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	f.polls.SetClock(func() time.Time { return f.now })
	return f
}

func (f *fixture) poll(t *testing.T, edit func(d *poll.Draft)) *poll.Poll {
	t.Helper()
	opens, closes := f.now.Add(-time.Hour), f.now.Add(24*time.Hour)
	d := poll.Draft{ProjectID: f.proj, Slug: fmt.Sprintf("peiling-%d", time.Now().UnixNano()), Title: "Welke plek eerst?",
		Question: "Welke plek moet als eerste veiliger?", Options: []string{"Kruising Markt", "Schoolstraat", "Rotonde Noord"},
		Published: true, Rules: instrument.Instrument{OpensAt: &opens, ClosesAt: &closes}}
	if edit != nil {
		edit(&d)
	}
	p, err := f.polls.Create(context.Background(), identity.SystemActor("test"), d)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// participant stores a participant and returns a voter for them.
func (f *fixture) participant(t *testing.T, n int, loa string) poll.Voter {
	t.Helper()
	p := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: loa,
		CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return poll.Voter{ParticipantID: p.ID, Subject: p.Subject,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loa}}
}

func (f *fixture) checkTally(t *testing.T, p *poll.Poll) poll.Results {
	t.Helper()
	res, err := f.polls.Results(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := f.polls.Recount(context.Background(), p.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range res.Options {
		if o.Votes != recount[o.OptionID] {
			t.Fatalf("option %q: tally %d, recount %d", o.Label, o.Votes, recount[o.OptionID])
		}
		if o.Percent > 100 {
			t.Fatalf("option %q above 100%%", o.Label)
		}
	}
	return res
}

func code(err error) apperror.Code {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

func TestOneBallotPerParticipantAndTallyEqualsRecount(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	a, b := f.participant(t, 1, midden), f.participant(t, 2, midden)
	o := p.Options
	if _, err := f.polls.Vote(ctx, p.InstrumentID, a, []int64{o[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.polls.Vote(ctx, p.InstrumentID, b, []int64{o[0].ID}); err != nil {
		t.Fatal(err)
	}
	// The same ballot again (double click) changes nothing and is no error.
	if r, err := f.polls.Vote(ctx, p.InstrumentID, a, []int64{o[0].ID}); err != nil || r.Changed {
		t.Fatalf("repeat: %+v %v", r, err)
	}
	// Another choice without permission to change: refused.
	if _, err := f.polls.Vote(ctx, p.InstrumentID, a, []int64{o[1].ID}); code(err) != apperror.Conflict {
		t.Fatalf("change without permission: %v", err)
	}
	res := f.checkTally(t, p)
	if res.Ballots != 2 || res.Options[0].Votes != 2 || res.Options[0].Percent != 100 || res.Options[1].Votes != 0 {
		t.Fatalf("results %+v", res)
	}
	got, _, _ := f.polls.BallotOf(ctx, p.InstrumentID, a.ParticipantID, a.Subject)
	if len(got) != 1 || got[0] != o[0].ID {
		t.Fatalf("ballot of a = %v", got)
	}
	var stored []string
	testdb.NoError(t, f.db.Table("participations").Pluck("voter", &stored).Error)
	for _, v := range stored {
		if v == a.Subject || v == b.Subject {
			t.Fatal("the register holds the participant's pseudonym, not a per-poll voter id")
		}
	}
}

func TestChangedVoteMovesTheTally(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Rules.AllowChange = true; d.Multiple = true; d.MaxChoices = 2 })
	a := f.participant(t, 1, midden)
	o := p.Options
	if _, err := f.polls.Vote(ctx, p.InstrumentID, a, []int64{o[0].ID, o[1].ID}); err != nil {
		t.Fatal(err)
	}
	r, err := f.polls.Vote(ctx, p.InstrumentID, a, []int64{o[2].ID, o[1].ID, o[2].ID})
	if err != nil || !r.Changed {
		t.Fatalf("change: %+v %v", r, err)
	}
	res := f.checkTally(t, p)
	if res.Ballots != 1 || res.Options[0].Votes != 0 || res.Options[1].Votes != 1 || res.Options[2].Votes != 1 {
		t.Fatalf("after change: %+v", res)
	}
	// Multiple choice is counted per option: each is 100% of one ballot.
	if res.Options[1].Percent != 100 || res.Options[2].Percent != 100 {
		t.Fatalf("percentages: %+v", res.Options)
	}
}

func TestRulesAreCheckedAtVoteTime(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	o := func(p *poll.Poll) []int64 { return []int64{p.Options[0].ID} }

	open := f.poll(t, func(d *poll.Draft) { d.Rules.MinLoADigiD = midden })
	low := f.participant(t, 1, basis) // an old session with a lower level
	if _, err := f.polls.Vote(ctx, open.InstrumentID, low, o(open)); code(err) != apperror.Forbidden {
		t.Fatalf("too-low LoA: %v", err)
	} else if e, _ := apperror.As(err); e.Key != "rules.loa_too_low" {
		t.Fatalf("reason %q", e.Key)
	}

	closed := f.poll(t, func(d *poll.Draft) { c := f.now.Add(-time.Minute); d.Rules.ClosesAt = &c })
	v := f.participant(t, 2, midden)
	if _, err := f.polls.Vote(ctx, closed.InstrumentID, v, o(closed)); code(err) != apperror.Closed {
		t.Fatalf("closed: %v", err)
	}
	later := f.poll(t, func(d *poll.Draft) { s := f.now.Add(time.Hour); d.Rules.OpensAt = &s; d.Rules.ClosesAt = nil })
	if _, err := f.polls.Vote(ctx, later.InstrumentID, v, o(later)); code(err) != apperror.Closed {
		t.Fatalf("not yet open: %v", err)
	}
	draft := f.poll(t, func(d *poll.Draft) { d.Published = false })
	if _, err := f.polls.Vote(ctx, draft.InstrumentID, v, o(draft)); code(err) != apperror.NotFound {
		t.Fatalf("unpublished: %v", err)
	}
	eh := f.poll(t, func(d *poll.Draft) { d.Rules.Who = instrument.WhoEHerkenning })
	if _, err := f.polls.Vote(ctx, eh.InstrumentID, v, o(eh)); code(err) != apperror.Forbidden {
		t.Fatalf("wrong means: %v", err)
	}
	residents := f.poll(t, func(d *poll.Draft) { d.Rules.ResidentsOnly = true })
	if _, err := f.polls.Vote(ctx, residents.InstrumentID, v, o(residents)); code(err) != apperror.Forbidden {
		t.Fatalf("unverified for residents-only: %v", err)
	}
	yes := true
	v.Person.Resident, v.Person.AgeBand = &yes, "30-44"
	if _, err := f.polls.Vote(ctx, residents.InstrumentID, v, o(residents)); err != nil {
		t.Fatalf("verified resident refused: %v", err)
	}
	// The closing time is the server's: at the exact second it is closed.
	edge := f.poll(t, func(d *poll.Draft) { c := f.now; d.Rules.ClosesAt = &c })
	if _, err := f.polls.Vote(ctx, edge.InstrumentID, f.participant(t, 3, midden), o(edge)); code(err) != apperror.Closed {
		t.Fatalf("at closing time: %v", err)
	}
	f.checkTally(t, open)
}

func TestBadChoicesChangeNothing(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	single := f.poll(t, nil)
	multi := f.poll(t, func(d *poll.Draft) { d.Multiple = true; d.MaxChoices = 2 })
	other := f.poll(t, nil)
	v := f.participant(t, 1, midden)
	cases := []struct {
		p    *poll.Poll
		ids  []int64
		want string
	}{
		{single, nil, "poll.error.choose_one"},
		{single, []int64{single.Options[0].ID, single.Options[1].ID}, "poll.error.only_one"},
		{single, []int64{other.Options[0].ID}, "poll.error.unknown_option"},
		{single, []int64{-1}, "poll.error.unknown_option"},
		{multi, []int64{multi.Options[0].ID, multi.Options[1].ID, multi.Options[2].ID}, "poll.error.too_many"},
	}
	for _, c := range cases {
		_, err := f.polls.Vote(ctx, c.p.InstrumentID, v, c.ids)
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid || e.Fields["choice"] != c.want {
			t.Errorf("%v: got %v, want %s", c.ids, err, c.want)
		}
	}
	var n int64
	testdb.NoError(t, f.db.Table("ballots").Count(&n).Error)
	if n != 0 {
		t.Fatalf("%d ballots stored from bad input", n)
	}
}

func TestCreateValidates(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	_, err := f.polls.Create(context.Background(), identity.SystemActor("test"), poll.Draft{ProjectID: f.proj, Slug: "x", Options: []string{"alleen"}, ResultsVisibility: "soms"})
	e, ok := apperror.As(err)
	if !ok || e.Fields["title"] == "" || e.Fields["question"] == "" || e.Fields["options"] != "poll.error.two_options" || e.Fields["results_visibility"] == "" {
		t.Fatalf("got %v", err)
	}
}

// Many participants submit the same ballot several times at once: exactly
// one ballot each, and the tally equals the recount. On PostgreSQL this is
// the full 200 × 5 of the issue; SQLite serialises writers, so fewer.
func TestConcurrentDoubleSubmitsGiveOneBallotEach(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Rules.AllowChange = true })
	people, repeats := 40, 5
	if testdb.Postgres() {
		people = 200
	}
	voters := make([]poll.Voter, people)
	for i := range voters {
		voters[i] = f.participant(t, i, midden)
	}
	var wg sync.WaitGroup
	errs := make(chan error, people*repeats)
	for i, v := range voters {
		choice := []int64{p.Options[i%len(p.Options)].ID}
		for r := range repeats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Both entry points at once: the one-statement first
				// ballot (VoteAt, on PostgreSQL) racing the full path.
				var err error
				if r%2 == 0 {
					_, err = f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, choice)
				} else {
					_, err = f.polls.Vote(ctx, p.InstrumentID, v, choice)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("vote failed: %v", err)
	}
	res := f.checkTally(t, p)
	if res.Ballots != int64(people) {
		t.Fatalf("%d ballots for %d people", res.Ballots, people)
	}
	var total int64
	for _, o := range res.Options {
		total += o.Votes
	}
	if total != int64(people) {
		t.Fatalf("tally total %d, want %d", total, people)
	}
}

// The vote endpoint passes the instrument it loaded a moment earlier. If
// an editor closes the poll in between, that stale copy must not let a
// ballot in: the fast path checks the row is unchanged, the full path
// re-reads it.
func TestVoteAtRefusesWhenThePollChangedSinceItWasRead(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	stale := *p.Instrument
	v := f.participant(t, 1, midden)

	past := f.now.Add(-time.Minute)
	if err := f.db.Model(&instrument.Instrument{}).Where("id = ?", p.InstrumentID).
		Updates(map[string]any{"closes_at": past, "updated_at": f.now.Add(time.Second)}).Error; err != nil {
		t.Fatal(err)
	}
	_, err := f.polls.VoteAt(ctx, &stale, project.StatusPublished, v, []int64{p.Options[0].ID})
	if code(err) != apperror.Closed {
		t.Fatalf("vote on a poll closed after it was read: %v, want closed", err)
	}
	if res := f.checkTally(t, p); res.Ballots != 0 {
		t.Fatalf("%d ballots stored in a closed poll", res.Ballots)
	}
}

// VoteAt stores a first ballot, keeps a repeat as it is, and moves the
// tally on a change, exactly as Vote does.
func TestVoteAtFirstRepeatAndChange(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Rules.AllowChange = true; d.Multiple = true; d.MaxChoices = 2 })
	v := f.participant(t, 1, midden)
	a, b, c := p.Options[0].ID, p.Options[1].ID, p.Options[2].ID

	r, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{b, a, a})
	if err != nil || r.Changed || len(r.Options) != 2 {
		t.Fatalf("first ballot: %+v, %v", r, err)
	}
	if r2, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{a, b}); err != nil || r2.Changed || r2.BallotID != r.BallotID {
		t.Fatalf("same ballot again: %+v, %v", r2, err)
	}
	if r3, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{c}); err != nil || !r3.Changed {
		t.Fatalf("changed ballot: %+v, %v", r3, err)
	}
	res := f.checkTally(t, p)
	want := map[int64]int64{a: 0, b: 0, c: 1}
	for _, o := range res.Options {
		if o.Votes != want[o.OptionID] {
			t.Errorf("option %d has %d votes, want %d", o.OptionID, o.Votes, want[o.OptionID])
		}
	}
	if _, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{a, b, c}); code(err) != apperror.Invalid {
		t.Fatalf("three choices where two are allowed: %v", err)
	}
	other := f.participant(t, 2, basis)
	p.Instrument.MinLoADigiD = midden
	if err := f.db.Model(&instrument.Instrument{}).Where("id = ?", p.InstrumentID).Update("min_loa_digid", midden).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, other, []int64{a}); code(err) != apperror.Forbidden {
		t.Fatalf("too low a level: %v", err)
	}
}

// On PostgreSQL a first ballot really takes the one-statement path (the
// tests above would pass if VoteAt always fell back), and that statement
// keeps the tally equal to the recount; a second call stores nothing.
func TestFirstBallotStatement(t *testing.T) {
	t.Parallel() // each test has its own database
	if !testdb.Postgres() {
		t.Skip("the one-statement first ballot is PostgreSQL's; SQLite always takes the full path")
	}
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Multiple = true; d.MaxChoices = 3 })
	v := f.participant(t, 1, midden)
	chosen := []int64{p.Options[0].ID, p.Options[2].ID}
	id, err := poll.FirstBallot(f.polls, ctx, p.Instrument, v, chosen, f.now)
	if err != nil || id == 0 {
		t.Fatalf("first ballot: id %d, %v", id, err)
	}
	if id, err := poll.FirstBallot(f.polls, ctx, p.Instrument, v, chosen, f.now); err != nil || id != 0 {
		t.Fatalf("second first ballot: id %d, %v", id, err)
	}
	res := f.checkTally(t, p)
	if res.Ballots != 1 || res.Options[0].Votes != 1 || res.Options[1].Votes != 0 || res.Options[2].Votes != 1 {
		t.Fatalf("results after one ballot: %+v", res)
	}
	mine, _, err := f.polls.BallotOf(ctx, p.InstrumentID, v.ParticipantID, v.Subject)
	if err != nil || len(mine) != 2 {
		t.Fatalf("ballot of voter: %v, %v", mine, err)
	}
}

// An editor turns a multiple-choice poll into a single-choice one while a
// two-option ballot is on its way: the ballot waits for the edit and is
// then refused, whichever path it takes. Without the lock the fast path
// would store it against the old definition.
func TestVoteWaitsForAnEditInProgress(t *testing.T) {
	t.Parallel() // each test has its own database
	if !testdb.Postgres() {
		t.Skip("SQLite runs one writer at a time; the race needs PostgreSQL")
	}
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Multiple = true; d.MaxChoices = 2 })
	v := f.participant(t, 1, midden)
	tx := f.db.Begin()
	if _, err := instrument.Touch(tx, p.InstrumentID, f.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Model(&poll.Poll{}).Where("instrument_id = ?", p.InstrumentID).
		Updates(map[string]any{"multiple": false, "max_choices": 1}).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{p.Options[0].ID, p.Options[1].ID})
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // let the vote reach the lock (the result does not depend on it)
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	if err := <-done; code(err) != apperror.Invalid {
		t.Fatalf("two choices after the poll became single choice: %v", err)
	}
	if res := f.checkTally(t, p); res.Ballots != 0 {
		t.Fatalf("%d ballots stored", res.Ballots)
	}
}

// A group of first ballots is judged ballot by ballot: ballots on two
// polls are stored together with their tallies; the same voter twice in
// the group is stored once; a ballot checked against a poll that changed
// since, and a voter who already voted, get nothing back (their requests
// then take the full transaction).
func TestGroupOfFirstBallots(t *testing.T) {
	t.Parallel() // each test has its own database
	if !testdb.Postgres() {
		t.Skip("group writing is PostgreSQL's; SQLite always takes the full path")
	}
	f := setup(t)
	ctx := context.Background()
	multi := f.poll(t, func(d *poll.Draft) { d.Multiple = true; d.MaxChoices = 3 })
	single := f.poll(t, nil)
	stale := f.poll(t, nil)
	staleIn := *stale.Instrument
	tx := f.db.Begin()
	if _, err := instrument.Touch(tx, stale.InstrumentID, f.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	v1, v2, v3 := f.participant(t, 1, midden), f.participant(t, 2, midden), f.participant(t, 3, midden)
	if _, err := f.polls.Vote(ctx, single.InstrumentID, v3, []int64{single.Options[2].ID}); err != nil {
		t.Fatal(err)
	}
	m, s := multi.Options, single.Options
	ids, err := f.polls.StoreGroup([]poll.GroupBallot{
		{In: multi.Instrument, Voter: v1, Choices: []int64{m[0].ID, m[2].ID}},
		{In: multi.Instrument, Voter: v2, Choices: []int64{m[2].ID}},
		{In: single.Instrument, Voter: v1, Choices: []int64{s[1].ID}},
		{In: multi.Instrument, Voter: v1, Choices: []int64{m[1].ID}}, // double click
		{In: &staleIn, Voter: v1, Choices: []int64{stale.Options[0].ID}},
		{In: single.Instrument, Voter: v3, Choices: []int64{s[0].ID}}, // voted before
	}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	for i, stored := range []bool{true, true, true, false, false, false} {
		if (ids[i] != 0) != stored {
			t.Errorf("ballot %d: id %d, want stored=%v", i, ids[i], stored)
		}
	}
	if ids[0] == ids[1] || ids[0] == ids[2] {
		t.Errorf("ballots share an id: %v", ids)
	}
	want := map[int64]int64{m[0].ID: 1, m[1].ID: 0, m[2].ID: 2, s[0].ID: 0, s[1].ID: 1, s[2].ID: 1}
	for _, p := range []*poll.Poll{multi, single, stale} {
		res := f.checkTally(t, p)
		for _, o := range res.Options {
			if o.Votes != want[o.OptionID] {
				t.Errorf("option %q has %d votes, want %d", o.Label, o.Votes, want[o.OptionID])
			}
		}
	}
	mine, _, err := f.polls.BallotOf(ctx, multi.InstrumentID, v1.ParticipantID, v1.Subject)
	if err != nil || len(mine) != 2 || mine[0] != m[0].ID || mine[1] != m[2].ID {
		t.Fatalf("v1's ballot on the multiple-choice poll: %v, %v", mine, err)
	}
}

// After erasure the voter register alone stops a second ballot: the same
// people (same pseudonyms, new participant rows) voting again all at once,
// through both entry points, are all refused and nothing is stored.
func TestErasedVotersCannotVoteAgainEvenAllAtOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Rules.AllowChange = true })
	people := 20
	if testdb.Postgres() {
		people = 100
	}
	for i := range people {
		v := f.participant(t, i, midden)
		if _, err := f.polls.Vote(ctx, p.InstrumentID, v, []int64{p.Options[0].ID}); err != nil {
			t.Fatal(err)
		}
		err := f.db.Transaction(func(tx *gorm.DB) error {
			if err := poll.Erase(tx, v.ParticipantID); err != nil {
				return err
			}
			return tx.Exec("DELETE FROM participants WHERE id = ?", v.ParticipantID).Error
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	refused := make(chan error, people*4)
	for i := range people {
		v := f.participant(t, i, midden) // the same pseudonym, a new participant
		for r := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				if r%2 == 0 {
					_, err = f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, []int64{p.Options[1].ID})
				} else {
					_, err = f.polls.Vote(ctx, p.InstrumentID, v, []int64{p.Options[1].ID})
				}
				refused <- err
			}()
		}
		if mine, unlinked, err := f.polls.BallotOf(ctx, p.InstrumentID, v.ParticipantID, v.Subject); err != nil || mine != nil || !unlinked {
			t.Fatalf("ballot of an erased voter: %v %v %v", mine, unlinked, err)
		}
	}
	wg.Wait()
	close(refused)
	for err := range refused {
		if e, ok := apperror.As(err); !ok || e.Key != "poll.error.took_part_unlinked" {
			t.Errorf("second vote after erasure: %v", err)
		}
	}
	res := f.checkTally(t, p)
	if res.Ballots != int64(people) || res.Options[0].Votes != int64(people) || res.Options[1].Votes != 0 {
		t.Fatalf("results after refused second votes: %+v", res)
	}
}
