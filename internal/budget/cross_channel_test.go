package budget_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// online is the voter a DigiD login with bsn gives (the participant row
// the login makes, the session's facts).
func (f *chanFixture) online(t *testing.T, id int64, bsn, wijk string) budget.Voter {
	t.Helper()
	keys, err := identity.NewKeyring(1, chanKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	subject := keys.Current(identity.KindBSN, bsn).Value
	var p identity.Participant
	if err := f.db.Where("subject = ?", subject).Limit(1).Find(&p).Error; err != nil {
		t.Fatal(err)
	}
	yes := true
	if p.ID == 0 {
		p = identity.Participant{Subject: subject, KeyVersion: 1, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1],
			Resident: &yes, AgeBand: "30-44", Wijk: wijk, VerifiedAt: &f.now, CreatedAt: f.now, LastLoginAt: f.now}
		if err := f.db.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
	}
	return budget.Voter{Channel: budget.ChannelOnline, Token: f.svc.OnlineToken(id, p.Subject), ParticipantID: p.ID, Wijk: wijk,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: p.LoA, Resident: &yes, AgeBand: "30-44"}}
}

// ballots counts a budget's ballots per channel.
func (f *chanFixture) ballots(t *testing.T, id int64) map[budget.Channel]int64 {
	t.Helper()
	var rows []struct {
		Channel budget.Channel
		N       int64
	}
	if err := f.db.Model(&budget.Ballot{}).Select("channel, COUNT(*) AS n").Where("instrument_id = ?", id).Group("channel").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := map[budget.Channel]int64{}
	for _, r := range rows {
		out[r.Channel] = r.N
	}
	return out
}

func alreadyVoted(t *testing.T, what string, err error) {
	t.Helper()
	if errKey(err) != "budget.error.already_voted" {
		t.Fatalf("%s: %v, want budget.error.already_voted", what, err)
	}
}

func TestOnePersonOneBallotAcrossChannels(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b, codes := paperSetup(t, f)
	plans := b.plans[""]
	c := choice(plans[0])

	// DigiD after a letter code: A votes with the code, then logs in.
	va, err := f.svc.Redeem(ctx, b.id, codes[bsnA])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cast(ctx, b.id, va, c); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Cast(ctx, b.id, f.online(t, b.id, bsnA, "Noord"), c)
	alreadyVoted(t, "DigiD after code", err)
	// The code once more: refused at redemption.
	_, err = f.svc.Redeem(ctx, b.id, codes[bsnA])
	alreadyVoted(t, "code redeemed twice", err)
	// A voter redeemed before the first ballot but cast after it (two tabs).
	_, err = f.svc.Cast(ctx, b.id, va, choice(plans[1]))
	alreadyVoted(t, "second ballot with one redemption", err)
	// At a stand: refused at the lookup.
	_, err = f.svc.StandTicket(ctx, f.staff[0], b.id, bsnA)
	alreadyVoted(t, "stand after code", err)

	// Code after paper: B's paper is entered (not yet checked), then B
	// tries the letter's code online, and the paper code a second time.
	batch, err := f.svc.OpenBatch(ctx, f.staff[0], b.id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddPaper(ctx, f.staff[0], batch.ID, codes[bsnB], c); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Redeem(ctx, b.id, codes[bsnB])
	alreadyVoted(t, "code after paper", err)
	_, err = f.svc.AddPaper(ctx, f.staff[0], batch.ID, codes[bsnB], c)
	alreadyVoted(t, "paper code entered twice", err)
	other, err := f.svc.OpenBatch(ctx, f.staff[1], b.id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AddPaper(ctx, f.staff[1], other.ID, codes[bsnB], c)
	alreadyVoted(t, "paper code in another batch", err)
	_, err = f.svc.Cast(ctx, b.id, f.online(t, b.id, bsnB, "Noord"), c)
	alreadyVoted(t, "DigiD after paper", err)

	// Stand after DigiD: C votes online, then turns up at the stand.
	if _, err := f.svc.Cast(ctx, b.id, f.online(t, b.id, bsnC, "Zuid"), c); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.StandTicket(ctx, f.staff[0], b.id, bsnC)
	alreadyVoted(t, "stand after DigiD", err)
	_, err = f.svc.Redeem(ctx, b.id, codes[bsnC])
	alreadyVoted(t, "code after DigiD", err)
	batch2, err := f.svc.OpenBatch(ctx, f.staff[2], b.id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.AddPaper(ctx, f.staff[2], batch2.ID, codes[bsnC], c)
	alreadyVoted(t, "paper after DigiD", err)

	// Stand, then everything else: D gets a ticket and votes at the kiosk.
	vd, err := f.svc.StandTicket(ctx, f.staff[0], b.id, bsnD)
	if err != nil {
		t.Fatal(err)
	}
	// Two tickets for one person (two stands) give one ballot.
	vd2, err := f.svc.StandTicket(ctx, f.staff[1], b.id, bsnD)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cast(ctx, b.id, vd, c); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Cast(ctx, b.id, vd2, c)
	alreadyVoted(t, "second kiosk ticket", err)
	_, err = f.svc.Redeem(ctx, b.id, codes[bsnD])
	alreadyVoted(t, "code after stand", err)
	_, err = f.svc.Cast(ctx, b.id, f.online(t, b.id, bsnD, "Zuid"), c)
	alreadyVoted(t, "DigiD after stand", err)

	got := f.ballots(t, b.id)
	want := map[budget.Channel]int64{budget.ChannelCode: 1, budget.ChannelPaper: 1, budget.ChannelOnline: 1, budget.ChannelStand: 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("ballots per channel %v, want %v", got, want)
	}
	// The paper ballot does not count until its batch is checked.
	tallies, err := f.svc.Tallies(ctx, b.id)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := f.svc.Recount(ctx, b.id)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tallies) != fmt.Sprint(recount) {
		t.Fatalf("tallies %v, recount %v", tallies, recount)
	}
	if n := tallies[plans[0]][budget.ChannelPaper].Votes; n != 0 {
		t.Fatalf("an unchecked paper ballot counts: %d", n)
	}
	if err := f.svc.SubmitBatch(ctx, f.staff[0], batch.ID); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.CheckBatch(ctx, f.staff[1], batch.ID, 1); err != nil {
		t.Fatal(err)
	}
	if tallies, err = f.svc.Tallies(ctx, b.id); err != nil {
		t.Fatal(err)
	}
	if recount, err = f.svc.Recount(ctx, b.id); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tallies) != fmt.Sprint(recount) || tallies[plans[0]][budget.ChannelPaper].Votes != 1 {
		t.Fatalf("after the check: tallies %v, recount %v", tallies, recount)
	}
}

// Many people at once, each trying every way in several times at the same
// moment: one ballot each, and the tally equals the recount. (PostgreSQL
// is where it matters; SQLite runs a smaller round.)
func TestConcurrentCodesAndLoginsGiveOneBallotEach(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, nil, nil)
	people, tries := 200, 5
	if !testdb.Postgres() {
		people = 40
	}
	var file strings.Builder
	file.WriteString("bsn;naam;adres;postcode;woonplaats\n")
	var bsns []string
	for n := 999900000; len(bsns) < people; n++ {
		s := fmt.Sprint(n)
		if identity.ValidBSN(s) {
			bsns = append(bsns, s)
			fmt.Fprintf(&file, "%s;Bewoner %d;Straat %d;1234AB;Dorp\n", s, len(bsns), len(bsns))
		}
	}
	if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file.String())); err != nil {
		t.Fatal(err)
	}
	var mm strings.Builder
	if err := f.svc.WriteMailMerge(ctx, f.editor, b.id, strings.NewReader(file.String()), &mm); err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(mm.String()), "\n")[1:] {
		cols := strings.Split(l, ";")
		var i int
		fmt.Sscanf(cols[0], "Bewoner %d", &i)
		codes[bsns[i-1]] = cols[4]
	}
	online := make([]budget.Voter, people)
	for i, bsn := range bsns {
		online[i] = f.online(t, b.id, bsn, "")
	}
	plans := b.plans[""]
	var wg sync.WaitGroup
	errs := make(chan error, people*tries*2)
	for i, bsn := range bsns {
		for k := 0; k < tries; k++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				v, err := f.svc.Redeem(ctx, b.id, codes[bsn])
				if err == nil {
					_, err = f.svc.Cast(ctx, b.id, v, choice(plans[k%2]))
				}
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := f.svc.Cast(ctx, b.id, online[i], choice(plans[(k+1)%2]))
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		// An online resident may change their own ballot (Changed); every
		// other failure must be "already voted".
		if err != nil && errKey(err) != "budget.error.already_voted" && errCode(err) != apperror.Conflict {
			t.Fatalf("unexpected: %v", err)
		}
	}
	var total int64
	for _, n := range f.ballots(t, b.id) {
		total += n
	}
	if total != int64(people) {
		t.Fatalf("%d ballots for %d people", total, people)
	}
	tallies, err := f.svc.Tallies(ctx, b.id)
	if err != nil {
		t.Fatal(err)
	}
	recount, err := f.svc.Recount(ctx, b.id)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(tallies) != fmt.Sprint(recount) {
		t.Fatalf("tallies %v, recount %v", tallies, recount)
	}
}
