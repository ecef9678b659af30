package demo_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/demo"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/setting"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

const issuer = "http://localhost:8080/dev/idp"

// seededAt is when the template database was seeded: the demo's dates
// count back from it.
var seededAt time.Time

// seed returns a database with the demo content: a copy of one seeded
// once per test binary (seeding is a second or so, ten under the race
// detector, and every test here reads the same demo).
func seed(t *testing.T) (*store.DB, *idea.Service, time.Time) {
	t.Helper()
	key := []byte("demo-test-key-0123456789-abcdefgh")
	services := func(db *store.DB) (*idea.Service, *moderation.Service) {
		ideas := idea.NewService(db, key)
		mod := moderation.NewService(db, key, audit.New(db), setting.NewService(db))
		ideas.SetModeration(mod)
		return ideas, mod
	}
	ctx := context.Background()
	url := testdb.FromTemplate(t, "demo "+time.Now().Format(time.DateOnly), func(url string) error {
		db, err := store.Open(ctx, store.Options{URL: url})
		if err != nil {
			return err
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			return err
		}
		ideas, mod := services(db)
		now := time.Now()
		done, err := demo.Seed(ctx, db, project.NewService(db), poll.NewService(db, key), consultation.NewService(db, key),
			ideas, budget.NewService(db, key), mod, setting.NewService(db), issuer, now)
		if err == nil && !done {
			err = fmt.Errorf("the demo was not seeded into an empty database")
		}
		seededAt = now
		return err
	})
	db, err := store.Open(ctx, store.Options{URL: url, MaxOpenConns: 8, MaxIdleConns: 4})
	if err != nil {
		t.Fatalf("open the demo database: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	ideas, _ := services(db)
	return db, ideas, seededAt
}

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

func board(t *testing.T, db *store.DB, projectSlug, slug string) instrument.Instrument {
	t.Helper()
	var in instrument.Instrument
	err := db.Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("projects.slug = ? AND instruments.slug = ? AND instruments.kind = ?", projectSlug, slug, instrument.KindIdeaBoard).Take(&in).Error
	if err != nil {
		t.Fatalf("board %s/%s: %v", projectSlug, slug, err)
	}
	return in
}

// The demo idea board shows what a board looks like after some weeks:
// ideas in every status, answered by an editor, with counts that match
// their rows and times in the past.
func TestDemoIdeaBoard(t *testing.T) {
	db, ideas, now := seed(t)
	ctx := context.Background()
	in := board(t, db, "groen-in-de-wijk", "ideeenbord")
	if !in.Published {
		t.Fatal("demo board not published")
	}
	b, err := ideas.Board(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Moderation != idea.PostModeration || len(b.Themes) < 3 || len(b.Themes) > 5 {
		t.Fatalf("board: moderation %q, %d themes", b.Moderation, len(b.Themes))
	}
	var editor identity.StaffMember
	if err := db.Where("issuer = ? AND subject = ?", issuer, demo.StaffSubject).Take(&editor).Error; err != nil {
		t.Fatalf("demo editor: %v", err)
	}

	var all []idea.Idea
	if err := db.Where("instrument_id = ?", in.ID).Order("id").Find(&all).Error; err != nil {
		t.Fatal(err)
	}
	if len(all) < 12 || len(all) > 18 {
		t.Fatalf("%d ideas, want 12 to 18", len(all))
	}
	perStatus := map[idea.Status]int{}
	var zero, popular, replies, heldBack int
	oldest := now
	for _, i := range all {
		perStatus[i.Status]++
		if i.Moderation != idea.Approved {
			// Post-moderation publishes at once; only screening holds
			// back (the demo's idea with a phone number in it).
			if !strings.Contains(i.Description, "06-12345678") || i.Moderation != idea.Awaiting {
				t.Errorf("idea %d: moderation %q on a post-moderated board", i.ID, i.Moderation)
			}
			heldBack++
		}
		if i.CreatedAt.After(now) {
			t.Errorf("idea %d created in the future: %v", i.ID, i.CreatedAt)
		}
		if i.CreatedAt.Before(oldest) {
			oldest = i.CreatedAt
		}
		n, err := ideas.Recount(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n != i.SupportCount {
			t.Errorf("idea %d: support_count %d, %d support rows", i.ID, i.SupportCount, n)
		}
		switch {
		case n == 0:
			zero++
		case n >= 18:
			popular++
		}
		var comments []idea.Comment
		if err := db.Where("idea_id = ?", i.ID).Find(&comments).Error; err != nil {
			t.Fatal(err)
		}
		var shown int64
		for _, c := range comments {
			if c.Moderation == idea.Approved && !c.Deleted() {
				shown++
			}
			if c.ParentID != nil {
				replies++
			}
			if c.CreatedAt.Before(i.CreatedAt) || c.CreatedAt.After(now) {
				t.Errorf("comment %d at %v, idea %d submitted %v", c.ID, c.CreatedAt, i.ID, i.CreatedAt)
			}
		}
		if shown != i.CommentCount {
			t.Errorf("idea %d: comment_count %d, %d comments", i.ID, i.CommentCount, shown)
		}
		hist, err := ideas.History(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		if i.Status == idea.StatusNew {
			if len(hist) != 0 {
				t.Errorf("new idea %d has a history", i.ID)
			}
			continue
		}
		if len(hist) == 0 || hist[len(hist)-1].Status != i.Status {
			t.Errorf("idea %d: status %q, history %+v", i.ID, i.Status, hist)
			continue
		}
		for _, h := range hist {
			if h.CreatedAt.Before(i.CreatedAt) || h.CreatedAt.After(now) {
				t.Errorf("idea %d: step %q at %v, submitted %v", i.ID, h.Status, h.CreatedAt, i.CreatedAt)
			}
			if h.Status == idea.StatusWithdrawn {
				continue
			}
			if h.Response == "" || h.StaffID == nil || *h.StaffID != editor.ID {
				t.Errorf("idea %d: step %q without a response by the demo editor", i.ID, h.Status)
			}
		}
	}
	for _, st := range append(idea.EditorStatuses, idea.StatusWithdrawn) {
		if perStatus[st] == 0 {
			t.Errorf("no idea with status %q: %v", st, perStatus)
		}
	}
	if perStatus[idea.StatusWithdrawn] != 1 {
		t.Errorf("%d withdrawn ideas, want 1", perStatus[idea.StatusWithdrawn])
	}
	if zero == 0 || popular != 1 {
		t.Errorf("supports not spread: %d ideas without, %d with 18 or more", zero, popular)
	}
	if replies == 0 {
		t.Error("no replies")
	}
	if now.Sub(oldest) < 21*24*time.Hour {
		t.Errorf("oldest idea from %v: ideas should spread over weeks", oldest)
	}

	page, err := ideas.List(ctx, in.ID, idea.Query{Sort: idea.SortSupport})
	if err != nil {
		t.Fatal(err)
	}
	if heldBack != 1 || page.Total != int64(len(all)-1-heldBack) || page.Ideas[0].SupportCount < 18 || page.Ideas[0].AuthorName == "" {
		t.Fatalf("public list: %d of %d ideas, first %+v", page.Total, len(all), page.Ideas[0])
	}

	// The seed wrote the past on a copy: the service the pages use still
	// reads the real clock.
	author := identity.Participant{Subject: "na-de-demo", KeyVersion: 1, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1],
		DisplayName: "Nieuw", CreatedAt: now, LastLoginAt: now}
	if err := db.Create(&author).Error; err != nil {
		t.Fatal(err)
	}
	theme := b.Themes[0].ID
	fresh, err := ideas.Submit(ctx, in.ID, idea.Actor{ParticipantID: author.ID, Subject: author.Subject,
		Person: instrument.Person{LoggedIn: true, Means: author.Means, LoA: author.LoA}},
		idea.Draft{Title: "Nog een idee", Description: "Een idee van na het vullen van de demo.", ThemeID: &theme})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(fresh.CreatedAt) > time.Minute {
		t.Fatalf("idea submitted after the seed dated %v", fresh.CreatedAt)
	}
}

// The playground board is pre-moderated: one idea waits, the approved
// ones are public, and the rejected one is not.
func TestDemoPreModeratedBoard(t *testing.T) {
	db, ideas, _ := seed(t)
	in := board(t, db, "speeltuin-de-brink", "ideeen-speeltuin")
	var waiting int64
	if err := db.Model(&idea.Idea{}).Where("instrument_id = ? AND moderation = ?", in.ID, idea.Awaiting).Count(&waiting).Error; err != nil {
		t.Fatal(err)
	}
	page, err := ideas.List(context.Background(), in.ID, idea.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if waiting != 1 || page.Total != 5 {
		t.Fatalf("%d ideas waiting, %d public", waiting, page.Total)
	}
}

// The demo's moderation queue has one item for every reason something
// waits, and weeks of decisions behind it.
func TestDemoModerationQueue(t *testing.T) {
	db, _, _ := seed(t)
	var items []moderation.Item
	if err := db.Where("waiting").Order("queued_at").Find(&items).Error; err != nil {
		t.Fatal(err)
	}
	why := map[string]int{}
	for _, it := range items {
		for w, on := range map[string]bool{"pre": it.Pre, "screened": it.Screened, "reported": it.Reported, "second_look": it.SecondLook} {
			if on {
				why[w]++
			}
		}
	}
	if why["pre"] < 1 || why["screened"] < 2 || why["reported"] != 1 || why["second_look"] != 1 {
		t.Fatalf("waiting items by reason: %v (%d items)", why, len(items))
	}
	var decided int64
	testdb.NoError(t, db.Model(&moderation.Event{}).Where("action = ?", moderation.ActApprove).Count(&decided).Error)
	if decided < 5 {
		t.Fatalf("%d approvals in the history", decided)
	}
	var hidden int64
	testdb.NoError(t, db.Model(&idea.Comment{}).Where("moderation = ?", idea.Awaiting).Count(&hidden).Error)
	if hidden < 1 {
		t.Fatal("the reported comment is still public")
	}
}

// The demo wijkbudget: three wijken with their own money, plans written
// by the municipality and some made from ideas on the project's board
// (keeping the link), and ballots from demo residents of those wijken,
// each in their own wijk, counted in a tally that equals the ballots.
func TestDemoBudget(t *testing.T) {
	db, _, _ := seed(t)
	ctx := context.Background()
	var in instrument.Instrument
	err := db.Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("projects.slug = ? AND instruments.kind = ?", "groen-in-de-wijk", instrument.KindBudget).Take(&in).Error
	if err != nil {
		t.Fatalf("demo budget: %v", err)
	}
	svc := budget.NewService(db, []byte("demo-test-key-0123456789-abcdefgh"))
	b, err := svc.Get(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !in.Published || !b.PerWijk || b.Rule != budget.RuleMES || len(b.Areas) != 3 {
		t.Fatalf("budget: published %v, per wijk %v, rule %s, %d areas", in.Published, b.PerWijk, b.Rule, len(b.Areas))
	}
	fromIdeas := 0
	for _, p := range b.Plans {
		if p.IdeaID != nil {
			fromIdeas++
		}
	}
	if len(b.Plans) < 10 || len(b.Plans) > 14 || fromIdeas < 2 {
		t.Fatalf("%d plans, %d from ideas", len(b.Plans), fromIdeas)
	}
	var ballots []budget.Ballot
	testdb.NoError(t, db.Where("instrument_id = ?", in.ID).Find(&ballots).Error)
	if len(ballots) < 15 {
		t.Fatalf("%d demo ballots", len(ballots))
	}
	for _, bl := range ballots {
		if a := b.Area(bl.AreaID); a == nil || a.Wijk != bl.Wijk || bl.Channel != budget.ChannelOnline || bl.ParticipantID == nil {
			t.Fatalf("ballot %+v outside its voter's wijk", bl)
		}
	}
	kept, err := svc.Tallies(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	re, err := svc.Recount(ctx, in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kept) != fmt.Sprint(re) || len(re) == 0 {
		t.Fatalf("tally %v, recount %v", kept, re)
	}
}
