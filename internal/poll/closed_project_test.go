package poll_test

import (
	"context"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// countRows counts the rows of table for one instrument.
func countRows(t *testing.T, db *store.DB, table string, instrumentID int64) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Where("instrument_id = ?", instrumentID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A project that is closed, archived or back in draft closes its polls at
// once, whatever their own dates: the poll service refuses the ballot
// itself, without any web handler, and stores nothing. That holds also
// when the caller read the project as published a moment before it closed
// (VoteAt, the vote endpoint's path: on PostgreSQL the statement that
// writes first ballots in groups checks the project again).
func TestProjectNotPublishedRefusesBallots(t *testing.T) {
	t.Parallel() // each test has its own database
	for _, st := range []project.Status{project.StatusClosed, project.StatusArchived, project.StatusDraft} {
		t.Run(string(st), func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			p := f.poll(t, nil)
			v := f.participant(t, 1, midden)
			choice := []int64{p.Options[0].ID}
			testdb.SetProjectStatusOf(t, f.db, p.InstrumentID, string(st))
			wantClosed := func(what string, err error) {
				t.Helper()
				e, ok := apperror.As(err)
				if !ok || e.Code != apperror.Closed || e.Key != instrument.ReasonClosed {
					t.Fatalf("%s on a project that is %s: %v, want closed (%s)", what, st, err, instrument.ReasonClosed)
				}
			}
			_, err := f.polls.Vote(ctx, p.InstrumentID, v, choice)
			wantClosed("Vote", err)
			_, err = f.polls.VoteAt(ctx, p.Instrument, st, v, choice)
			wantClosed("VoteAt", err)
			_, err = f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, choice)
			wantClosed("VoteAt read as published", err)
			for _, table := range []string{"ballots", "participations"} {
				if n := countRows(t, f.db, table, p.InstrumentID); n != 0 {
					t.Fatalf("%d rows in %s after refused ballots", n, table)
				}
			}
			if res := f.checkTally(t, p); res.Ballots != 0 || res.Options[0].Votes != 0 {
				t.Fatalf("results after refused ballots: %+v", res)
			}
			// Published again, the same ballot counts: the project's
			// status was what refused it.
			testdb.SetProjectStatusOf(t, f.db, p.InstrumentID, string(project.StatusPublished))
			if _, err := f.polls.VoteAt(ctx, p.Instrument, project.StatusPublished, v, choice); err != nil {
				t.Fatal(err)
			}
			if n := countRows(t, f.db, "ballots", p.InstrumentID); n != 1 {
				t.Fatalf("%d ballots after reopening, want 1", n)
			}
		})
	}
}
