package notify_test

import (
	"context"
	"testing"

	"inspraak/internal/notify"
)

// A message marked NoRepeat is not sent again, in the app or by mail,
// while it is the newest the participant has about its link; something
// else about the link in between, or another link, makes it news again.
// Messages without the mark are always sent.
func TestNoRepeatSendsTheSameNewsOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	redacted := func(link string) notify.Message {
		return notify.Message{Kind: notify.KindIdeaStatus, Key: "notify.moderation.redacted.idea", Params: []string{"Meer bankjes"},
			Link: link, NoRepeat: true}
	}
	const idea = "/projecten/marktplein/ideeen/1"
	count := func(want int, what string) {
		t.Helper()
		items, err := f.svc.List(ctx, pid, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != want || len(f.mails(t, pid)) != want {
			t.Fatalf("%s: %d in the app, %d mails, want %d of each", what, len(items), len(f.mails(t, pid)), want)
		}
	}
	f.notify(t, pid, redacted(idea))
	f.notify(t, pid, redacted(idea))
	count(1, "the same news twice")
	f.notify(t, pid, redacted(idea+"#reactie-4"))
	count(2, "the same news about another link")
	f.notify(t, pid, notify.Message{Kind: notify.KindIdeaStatus, Key: "notify.moderation.approved.idea", Params: []string{"Meer bankjes"}, Link: idea})
	f.notify(t, pid, redacted(idea))
	count(4, "the news again after other news about the link")
	m := redacted(idea)
	m.NoRepeat = false
	f.notify(t, pid, m)
	count(5, "a message without NoRepeat")
}
