package results_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// Public figures are counted at most once a minute per consultation: a
// new response shows after the minute, a raised threshold at once, and
// many visitors at the same moment share one count.
func TestPublicFiguresAreCountedOncePerMinute(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	y := newYesNo(t, db)
	for range 6 {
		y.answer("Centrum", 1)
	}
	now := y.now
	res := results.NewService(db)
	res.SetClock(func() time.Time { return now })
	submitted := func() string {
		t.Helper()
		pr, err := res.PublicOf(ctx, y.c, false)
		if err != nil {
			t.Fatal(err)
		}
		return pr.Submitted
	}
	if got := submitted(); got != "6" {
		t.Fatalf("submitted %s, want 6", got)
	}
	y.answer("Centrum", 1)
	now = now.Add(results.PublicTTL - time.Second)
	if got := submitted(); got != "6" {
		t.Fatalf("within the minute: %s, want the kept 6", got)
	}
	now = now.Add(2 * time.Second)
	if got := submitted(); got != "7" {
		t.Fatalf("after the minute: %s, want 7", got)
	}
	if err := res.SetThreshold(ctx, identity.SystemActor("test"), 8); err != nil {
		t.Fatal(err)
	}
	if got := submitted(); got != "<8" {
		t.Fatalf("after raising the threshold: %s, want <8", got)
	}

	now = now.Add(results.PublicTTL)
	var wg sync.WaitGroup
	got := make([]*results.PublicResults, 20)
	for i := range got {
		wg.Go(func() {
			pr, err := res.PublicOf(ctx, y.c, false)
			if err != nil {
				t.Error(err)
			}
			got[i] = pr
		})
	}
	wg.Wait()
	for i, pr := range got {
		if pr != got[0] {
			t.Fatalf("visitor %d got figures counted apart from visitor 0's", i)
		}
	}
}

// While the questionnaire is open the public sees the figures counted at
// publication, also after the cache time: a count does not go up right
// after someone answers. Closed, the figures are counted anew; publishing
// again counts them again too.
func TestOpenQuestionnaireShowsFiguresOfPublication(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	y := newYesNo(t, db)
	for range 6 {
		y.answer("Centrum", 1)
	}
	now := y.now
	res := results.NewService(db)
	res.SetClock(func() time.Time { return now })
	editor := identity.StaffMember{Issuer: "https://idp.example", Subject: "redacteur", Name: "Eddy", CreatedAt: now, LastLoginAt: now}
	if err := db.Create(&editor).Error; err != nil {
		t.Fatal(err)
	}
	if err := res.Publish(ctx, identity.Actor{StaffID: editor.ID, Roles: []identity.Role{identity.RoleEditor}}, y.c, now); err != nil {
		t.Fatal(err)
	}
	submitted := func(open bool) string {
		t.Helper()
		pr, err := res.PublicOf(ctx, y.c, open)
		if err != nil {
			t.Fatal(err)
		}
		return pr.Submitted
	}
	y.answer("Centrum", 1)
	now = now.Add(2 * results.PublicTTL)
	if got := submitted(true); got != "6" {
		t.Fatalf("open, after a new response: %s, want the published 6", got)
	}
	if got := submitted(false); got != "7" {
		t.Fatalf("closed: %s, want 7", got)
	}
	if err := res.Publish(ctx, identity.Actor{StaffID: editor.ID, Roles: []identity.Role{identity.RoleEditor}}, y.c, now); err != nil {
		t.Fatal(err)
	}
	if got := submitted(true); got != "7" {
		t.Fatalf("open, published again: %s, want 7", got)
	}
	// A raised threshold applies to the published figures at once.
	if err := res.SetThreshold(ctx, identity.SystemActor("test"), 8); err != nil {
		t.Fatal(err)
	}
	if got := submitted(true); got != "<8" {
		t.Fatalf("open, after raising the threshold: %s, want <8", got)
	}
}

// A question whose every count is small shows no chart or table, only
// that too few answered; one with something to show does not.
func TestAllHiddenQuestion(t *testing.T) {
	t.Parallel() // each test has its own database
	few := results.Question{Question: consultation.Question{ID: 1, Kind: consultation.Single, Text: "Welke?"}, Base: 3,
		Options: []results.Option{{Label: "A", Count: 1}, {Label: "B", Count: 2}}}
	many := results.Question{Question: consultation.Question{ID: 2, Kind: consultation.Single, Text: "Welke nog?"}, Base: 30,
		Options: []results.Option{{Label: "A", Count: 12}, {Label: "B", Count: 18}}}
	pub, err := results.Public(&results.Overview{Questions: []results.Question{few, many}}, 5)
	if err != nil {
		t.Fatal(err)
	}
	if !pub[0].AllHidden() || pub[1].AllHidden() {
		t.Fatalf("all hidden: %v (%v), %v (%v)", pub[0].AllHidden(), pub[0].Counts, pub[1].AllHidden(), pub[1].Counts)
	}
}
