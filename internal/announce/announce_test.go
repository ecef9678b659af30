package announce_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"inspraak/internal/announce"
	"inspraak/internal/audit"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/notify"
	"inspraak/internal/project"
	"inspraak/internal/testdb"
)

func TestFollowersHearOfANewPhaseOnce(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	base, _ := url.Parse("https://inspraak.gemeente.example")
	ns := notify.NewService(notify.Options{DB: db, Catalog: cat, BaseURL: base, Key: []byte("test-key-0123456789-0123456789-01"),
		Audit: audit.New(db), Now: clock})
	projects := project.NewService(db)
	p, err := projects.Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "marktplein", Title: "Marktplein", Summary: "Over het plein.",
		Phases: []project.PhaseDraft{{Title: "Ideeën ophalen", StartsOn: now.AddDate(0, 0, -10)}, {Title: "Ontwerp", StartsOn: now.AddDate(0, 0, 2)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := projects.Move(ctx, identity.SystemActor("test"), p.ID, project.StatusPublished); err != nil {
		t.Fatal(err)
	}
	var followers []int64
	for i := range 3 {
		pt := identity.Participant{Subject: fmt.Sprintf("volger-%d", i), KeyVersion: 1, Means: identity.DigiD, LoA: "x",
			CreatedAt: now, LastLoginAt: now}
		if err := db.Create(&pt).Error; err != nil {
			t.Fatal(err)
		}
		if i < 2 {
			if err := ns.Follow(ctx, pt.ID, p.ID); err != nil {
				t.Fatal(err)
			}
		}
		followers = append(followers, pt.ID)
	}
	count := func(pid int64) int {
		items, err := ns.List(ctx, pid, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(items)
	}
	a := announce.New(db, ns)
	a.SetClock(clock)

	// First sight records the phase and tells nobody; nothing changed since.
	for range 2 {
		if n, err := a.Phases(ctx); err != nil || n != 0 {
			t.Fatalf("first checks announced %d (%v)", n, err)
		}
	}
	if count(followers[0]) != 0 {
		t.Fatal("a follower heard of the phase the project was already in")
	}

	// The design phase starts: four instances check at once; each follower
	// hears of it exactly once, and someone who does not follow, never.
	now = now.AddDate(0, 0, 3)
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := announce.New(db, ns)
			b.SetClock(clock)
			n, err := b.Phases(ctx)
			if err != nil {
				t.Error(err)
			}
			total <- n
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if sum != 1 {
		t.Fatalf("the phase change was announced %d times", sum)
	}
	for i, pid := range followers {
		want := 1
		if i == 2 {
			want = 0
		}
		if got := count(pid); got != want {
			t.Errorf("participant %d has %d notifications, want %d", i, got, want)
		}
	}
	items, _ := ns.List(ctx, followers[0], 10)
	if items[0].Kind != notify.KindProjectPhase || items[0].Params[1] != "Ontwerp" || items[0].Link != "/projecten/marktplein" {
		t.Fatalf("notification: %+v", items[0])
	}
	if n, err := a.Phases(ctx); err != nil || n != 0 {
		t.Fatalf("a later check announced %d (%v)", n, err)
	}
}
