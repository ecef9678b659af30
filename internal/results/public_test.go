package results_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// yesNo is a published one-question consultation ("Ja of nee?") that
// participants answer through the consultation service.
type yesNo struct {
	t   *testing.T
	db  *store.DB
	svc *consultation.Service
	c   *consultation.Consultation
	now time.Time
	n   int
}

func newYesNo(t *testing.T, db *store.DB) *yesNo {
	t.Helper()
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	y := &yesNo{t: t, db: db, now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	y.svc = consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	y.svc.SetClock(func() time.Time { return y.now })
	closes := y.now.Add(24 * time.Hour)
	y.c, err = y.svc.Create(ctx, consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{{Question: consultation.Question{Kind: consultation.Single, Text: "Ja of nee?"}, Options: []string{"Ja", "Nee"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// answer submits one response from a new participant living in wijk:
// option 0 is yes, 1 is no.
func (y *yesNo) answer(wijk string, opt int) {
	y.t.Helper()
	y.n++
	q := y.c.Questions[0]
	part := identity.Participant{Subject: fmt.Sprintf("p-%d", y.n), KeyVersion: 1, Means: identity.DigiD, LoA: midden, Wijk: wijk, CreatedAt: y.now, LastLoginAt: y.now}
	if err := y.db.Create(&part).Error; err != nil {
		y.t.Fatal(err)
	}
	who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
	if _, err := y.svc.Save(context.Background(), y.c.InstrumentID, who, map[int64]consultation.Answer{q.ID: {Options: []int64{q.Options[opt].ID}}}, true); err != nil {
		y.t.Fatal(err)
	}
}

// Public figures are counted at most once a minute per consultation: a
// new response shows after the minute, a raised threshold at once, and
// many visitors at the same moment share one count.
func TestPublicFiguresAreCountedOncePerMinute(t *testing.T) {
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
	if err := res.SetThreshold(ctx, 8); err != nil {
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
	if err := res.Publish(ctx, editor.ID, y.c, now, nil); err != nil {
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
	if err := res.Publish(ctx, editor.ID, y.c, now, nil); err != nil {
		t.Fatal(err)
	}
	if got := submitted(true); got != "7" {
		t.Fatalf("open, published again: %s, want 7", got)
	}
}

// A question whose every count is small shows no chart or table, only
// that too few answered; one with something to show does not.
func TestAllHiddenQuestion(t *testing.T) {
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
