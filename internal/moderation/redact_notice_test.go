package moderation_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/audit"
	"inspraak/internal/i18n"
	"inspraak/internal/moderation"
	"inspraak/internal/notify"
	"inspraak/internal/testdb"
)

// A moderator who edits two pieces of personal data out of one idea, one
// after the other, tells its author once: two identical lines in their
// notifications would say nothing the first did not. Once something else
// was said about the idea (it was approved), a new redaction is news again.
// The notifications are the real ones, as the application wires them.
func TestRedactingTwiceTellsTheAuthorOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse("https://inspraak.gemeente.example")
	n := notify.NewService(notify.Options{DB: f.db, Catalog: cat, BaseURL: base, Key: []byte("test-key-0123456789-0123456789-01"),
		Municipality: "Gemeente Voorbeeld", Audit: audit.New(f.db), Now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.now
		}})
	f.mod.SetNotifier(func(ctx context.Context, tx *gorm.DB, to int64, m moderation.Notice) error {
		return n.Notify(ctx, tx, to, notify.Message{Kind: notify.KindIdeaStatus, Key: m.Key, Params: m.Params, Link: m.Link, NoRepeat: m.NoRepeat})
	})
	told := func(key string) int64 {
		t.Helper()
		var c int64
		testdb.NoError(t, f.db.Model(&notify.Notification{}).Where("msg_key = ?", key).Count(&c).Error)
		return c
	}

	b := f.board(t, moderation.PreModeration)
	author := f.person(t)
	i := f.submit(t, b, author, "Een bankje bij de vijver", "Bel 06-12345678 of mail jan@voorbeeld.nl. Groet, Jan de Vries.")
	itemID := f.item(t, moderation.KindIdea, i.ID).ID
	st := f.moderator(t, "A")
	if err := f.mod.Claim(ctx, st, itemID); err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"06-12345678", "jan@voorbeeld.nl"} {
		if err := f.mod.Redact(ctx, st, itemID, "description", frag); err != nil {
			t.Fatalf("redact %s: %v", frag, err)
		}
	}
	if got := told("notify.moderation.redacted.idea"); got != 1 {
		t.Fatalf("two redactions in a row: the author has %d notifications about it, want 1", got)
	}
	if err := f.mod.Decide(ctx, st, itemID, moderation.Decision{Action: moderation.ActApprove}); err != nil {
		t.Fatal(err)
	}
	if got := told("notify.moderation.approved.idea"); got != 1 {
		t.Fatalf("approval: %d notifications", got)
	}
	if err := f.mod.Redact(ctx, st, itemID, "description", "Jan de Vries"); err != nil {
		t.Fatal(err)
	}
	if got := told("notify.moderation.redacted.idea"); got != 2 {
		t.Fatalf("a redaction after the approval: %d redaction notifications, want 2", got)
	}
	items, err := n.List(ctx, author.ParticipantID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 3 {
		t.Fatalf("the author's notifications: %+v", items)
	}
}
