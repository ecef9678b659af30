package idea_test

import (
	"context"
	"sync"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
	"inspraak/internal/testdb"
)

// supportAt supports through the endpoint's path: the board instrument as
// GetPublishedBySlugs loads it, then SupportAt (groups on PostgreSQL).
func (f *fixture) supportAt(t *testing.T, b *idea.Board, ideaID int64, a idea.Actor) error {
	t.Helper()
	in, ps, err := instrument.ForRules(f.db.DB, b.InstrumentID, false)
	if err != nil {
		t.Fatal(err)
	}
	return f.ideas.SupportAt(context.Background(), in, ps, ideaID, a)
}

// registered counts an idea's register rows.
func (f *fixture) registered(t *testing.T, ideaID int64) int64 {
	t.Helper()
	var n int64
	if err := f.db.Model(&participation.Participation{}).Where("kind = ? AND ref_id = ?", participation.Support, ideaID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSupportRefusedOnRejectedDoneAndWithdrawnIdeas(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	editor := identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}
	author, early, late := f.person(t, 1), f.person(t, 2), f.person(t, 3)
	for _, tc := range []struct {
		name   string
		status idea.Status
		key    string
	}{
		{"niet aangenomen", idea.StatusRejected, "idea.error.support_rejected"},
		{"uitgevoerd", idea.StatusDone, "idea.error.support_done"},
		{"ingetrokken", idea.StatusWithdrawn, "idea.error.support_withdrawn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := f.submit(t, b, author, "Idee dat "+tc.name+" wordt")
			if err := f.ideas.Support(ctx, i.ID, early); err != nil {
				t.Fatal(err)
			}
			if tc.status == idea.StatusWithdrawn {
				if err := f.ideas.Withdraw(ctx, i.ID, author); err != nil {
					t.Fatal(err)
				}
			} else if err := f.ideas.SetStatus(ctx, editor, i.ID, tc.status, "Dit is ons besluit."); err != nil {
				t.Fatal(err)
			}
			// Both ways in: the service called directly and the
			// endpoint's path (the group statement on PostgreSQL).
			for _, try := range []func() error{
				func() error { return f.ideas.Support(ctx, i.ID, late) },
				func() error { return f.supportAt(t, b, i.ID, late) },
			} {
				err := try()
				if e, ok := apperror.As(err); !ok || e.Code != apperror.Conflict || e.Key != tc.key {
					t.Fatalf("support on %s: %v, want Conflict %s", tc.status, err, tc.key)
				}
			}
			// Taking back is refused too: the decision stands with its count.
			err := f.ideas.Unsupport(ctx, i.ID, early)
			if e, ok := apperror.As(err); !ok || e.Code != apperror.Conflict || e.Key != tc.key {
				t.Fatalf("unsupport on %s: %v, want Conflict %s", tc.status, err, tc.key)
			}
			f.checkCount(t, i.ID, 1)
			if n := f.registered(t, i.ID); n != 1 {
				t.Fatalf("%d register rows, want 1 (nothing stored for the refused support)", n)
			}
			mine, _, err := f.ideas.Supports(ctx, b.InstrumentID, late, []int64{i.ID})
			if err != nil || mine[i.ID] {
				t.Fatalf("refused supporter supports: %v %v", mine, err)
			}
		})
	}
	// Statuses that can be supported still can, on both paths.
	for k, st := range []idea.Status{idea.StatusUnderConsideration, idea.StatusAccepted} {
		i := f.submit(t, b, author, "Idee in behandeling "+string(st))
		if err := f.ideas.SetStatus(ctx, editor, i.ID, st, "We kijken ernaar."); err != nil {
			t.Fatal(err)
		}
		if err := f.supportAt(t, b, i.ID, early); err != nil {
			t.Fatalf("support on %s: %v", st, err)
		}
		if err := f.ideas.Support(ctx, i.ID, late); err != nil {
			t.Fatalf("support on %s: %v", st, err)
		}
		if err := f.ideas.Unsupport(ctx, i.ID, late); err != nil {
			t.Fatalf("unsupport on %s: %v", st, err)
		}
		f.checkCount(t, i.ID, 1)
		_ = k
	}
}

// The endpoint's path refuses what the single transaction refuses, and
// stores nothing for it: one's own idea, an idea of another board, a
// person who does not meet the board's support rules, a second support.
func TestSupportAtKeepsTheRules(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	other := f.board(t, nil)
	digid := f.board(t, func(d *idea.BoardDraft) { d.Board.SupportWho = instrument.WhoEHerkenning })
	author, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, author, "Meer bankjes in het park")
	j := f.submit(t, digid, author, "Een idee voor ondernemers")

	if err := f.supportAt(t, b, i.ID, author); keyOf(err) != "idea.error.own_idea" {
		t.Fatalf("own idea: %v", err)
	}
	if err := f.supportAt(t, other, i.ID, x); apperror.CodeOf(err) != apperror.NotFound {
		t.Fatalf("idea of another board: %v", err)
	}
	if err := f.supportAt(t, digid, j.ID, x); apperror.CodeOf(err) != apperror.Forbidden {
		t.Fatalf("support rules: %v", err)
	}
	f.checkCount(t, i.ID, 0)
	f.checkCount(t, j.ID, 0)
	for range 3 {
		if err := f.supportAt(t, b, i.ID, x); err != nil {
			t.Fatal(err)
		}
	}
	f.checkCount(t, i.ID, 1)
	if n := f.registered(t, i.ID); n != 1 {
		t.Fatalf("%d register rows, want 1", n)
	}
	if testdb.Postgres() && idea.GroupedSupports(f.ideas) != 1 {
		t.Fatalf("grouped supports %d, want 1: the first support should take the group path", idea.GroupedSupports(f.ideas))
	}
	_ = ctx
}

// Many people support and take back supports of a few ideas at once,
// through the endpoint's path: every count equals its recount, nobody
// supports an idea twice, and the register holds exactly the supports.
func TestConcurrentGroupedSupportsAndUnsupportsKeepCountEqualToRecount(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	author := f.person(t, 0)
	ideas := []*idea.Idea{f.submit(t, b, author, "Idee een"), f.submit(t, b, author, "Idee twee"), f.submit(t, b, author, "Idee drie")}
	people, workers := 20, 4
	if testdb.Postgres() {
		people = 100
	}
	actors := make([]idea.Actor, people)
	for k := range actors {
		actors[k] = f.person(t, k+1)
	}
	in, ps, err := instrument.ForRules(f.db.DB, b.InstrumentID, false)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, people*workers*len(ideas)*2)
	for k, a := range actors {
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n, i := range ideas {
					if err := f.ideas.SupportAt(ctx, in, ps, i.ID, a); err != nil {
						errs <- err
					}
					// Some take their support back again, racing their
					// own supports in the other goroutines.
					if (k+w+n)%3 == 0 {
						if err := f.ideas.Unsupport(ctx, i.ID, a); err != nil {
							errs <- err
						}
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("support failed: %v", err)
	}
	wrong, err := f.ideas.CheckCounts(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(wrong) > 0 {
		t.Fatalf("counts differ from their recount: %+v", wrong)
	}
	for _, i := range ideas {
		var dup int64
		if err := f.db.Raw(`SELECT COUNT(*) FROM (SELECT participant_id FROM idea_supports WHERE idea_id = ?
GROUP BY participant_id HAVING COUNT(*) > 1) x`, i.ID).Scan(&dup).Error; err != nil {
			t.Fatal(err)
		}
		n, err := f.ideas.Recount(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dup > 0 || n != f.registered(t, i.ID) || n == 0 {
			t.Fatalf("idea %d: %d supports, %d register rows, %d people twice", i.ID, n, f.registered(t, i.ID), dup)
		}
	}
	if testdb.Postgres() && idea.GroupedSupports(f.ideas) == 0 {
		t.Fatal("no support took the group path")
	}
}

// CheckCounts finds a count that is off.
func TestCheckCountsFindsAWrongCount(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	i := f.submit(t, b, f.person(t, 1), "Een idee met steun")
	if err := f.ideas.Support(ctx, i.ID, f.person(t, 2)); err != nil {
		t.Fatal(err)
	}
	if wrong, err := f.ideas.CheckCounts(ctx, b.InstrumentID); err != nil || len(wrong) != 0 {
		t.Fatalf("right count reported wrong: %+v %v", wrong, err)
	}
	if err := f.db.Exec("UPDATE ideas SET support_count = 5 WHERE id = ?", i.ID).Error; err != nil {
		t.Fatal(err)
	}
	wrong, err := f.ideas.CheckCounts(ctx, b.InstrumentID)
	if err != nil || len(wrong) != 1 || wrong[0] != (idea.Miscount{IdeaID: i.ID, Count: 5, Recount: 1}) {
		t.Fatalf("wrong count not found: %+v %v", wrong, err)
	}
}

func keyOf(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Key
	}
	return ""
}
