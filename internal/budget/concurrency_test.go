package budget_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// Residents vote in parallel, each five times at once: three times online
// (two tabs with one choice, one with another) and twice by the letter
// code of the same register token. Exactly one ballot per token is
// stored, every other attempt is refused as already voted (or is the same
// ballot again, or a change), nothing fails otherwise, and the kept tally
// equals a recount. On PostgreSQL with 200 residents (the register's
// primary key and the row locks decide); SQLite, whose writers take
// turns, runs the same with 20.
func TestParallelCastsKeepOneBallotPerPerson(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, func(d *budget.Draft) { d.Rules.AllowChange = true })
	residents := 20
	if testdb.Postgres() {
		residents = 200
	}
	var voters []budget.Voter
	var electors []budget.Elector
	for i := range residents {
		p := identity.Participant{Subject: fmt.Sprintf("parallel-%d", i), KeyVersion: 1, Means: identity.DigiD, LoA: midden,
			CreatedAt: f.now, LastLoginAt: f.now}
		if err := f.db.Create(&p).Error; err != nil {
			t.Fatal(err)
		}
		v := budget.Voter{Channel: budget.ChannelOnline, Token: f.budgets.OnlineToken(b.InstrumentID, p.Subject), ParticipantID: p.ID,
			Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
		voters = append(voters, v)
		electors = append(electors, budget.Elector{InstrumentID: b.InstrumentID, Voter: v.Token, CodeLookup: fmt.Sprintf("code-%d", i), LetterNo: i + 1})
	}
	if err := f.db.CreateInBatches(electors, 100).Error; err != nil {
		t.Fatal(err)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		stored   = map[int]map[int64]bool{} // per resident, the ballots their receipts name
		failures []error
	)
	for i, v := range voters {
		byCode := budget.Voter{Channel: budget.ChannelCode, Token: v.Token}
		attempts := []struct {
			v budget.Voter
			c budget.Choice
		}{{v, choose(b, 0)}, {byCode, choose(b, 1)}, {v, choose(b, 0)}, {byCode, choose(b, 2)}, {v, choose(b, 1, 2)}}
		for _, at := range attempts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := f.budgets.Cast(ctx, b.InstrumentID, at.v, at.c)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					if stored[i] == nil {
						stored[i] = map[int64]bool{}
					}
					stored[i][r.BallotID] = true
				case code(err) == apperror.Conflict && keyOf(err) == "budget.error.already_voted":
				default:
					failures = append(failures, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, err := range failures {
		t.Errorf("unexpected: %v", err)
	}
	n, _ := f.ballots(t, b.InstrumentID)
	if n != int64(residents) || f.registered(t, b.InstrumentID) != int64(residents) {
		t.Fatalf("%d ballots and %d register rows for %d residents", n, f.registered(t, b.InstrumentID), residents)
	}
	// Every resident's successful attempts name one ballot only.
	for i, ids := range stored {
		if len(ids) != 1 {
			t.Errorf("resident %d got receipts for %d ballots", i, len(ids))
		}
	}
	c := f.checkTally(t, b.InstrumentID)
	var votes int64
	for _, byChannel := range c {
		for _, x := range byChannel {
			votes += x.Votes
		}
	}
	if votes < int64(residents) {
		t.Fatalf("%d votes in the tally for %d ballots of at least one plan", votes, residents)
	}
}
