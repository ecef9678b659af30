package moderation_test

import (
	"context"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/moderation"
)

// The route group lets only moderators in; the service asks again, so a
// caller that is not web (or a route put in the wrong group) cannot act.
func TestOnlyModeratorsModerate(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	author := f.person(t)
	i := f.submit(t, b, author, "Een bankje bij de speeltuin", plain)
	item := f.item(t, moderation.KindIdea, i.ID)
	mod := f.moderator(t, "Moderator A")
	for _, who := range []moderation.Staff{
		{},                           // nobody
		{ID: mod.ID, Name: mod.Name}, // a member whose roles were not passed
		{ID: mod.ID, Name: mod.Name, Roles: []identity.Role{identity.RoleEditor, identity.RoleAnalyst}},
	} {
		acts := map[string]error{
			"decide":   f.mod.Decide(ctx, who, item.ID, moderation.Decision{Action: moderation.ActApprove}),
			"claim":    f.mod.Claim(ctx, who, item.ID),
			"release":  f.mod.Release(ctx, who, item.ID),
			"redact":   f.mod.Redact(ctx, who, item.ID, "title", "bankje"),
			"block":    f.mod.Block(ctx, who, author.ParticipantID, f.now.Add(24*time.Hour), "Schelden."),
			"lift":     f.mod.Lift(ctx, who, 1),
			"settings": f.mod.UpdateSettings(ctx, who, moderation.Settings{Threshold: 3}),
		}
		_, acts["next"] = f.mod.Next(ctx, who, moderation.Filter{})
		_, acts["template"] = f.mod.SaveTemplate(ctx, who, 0, moderation.TemplateDraft{Title: "Scheldwoord", Body: "Niet zo.", Active: true})
		for name, err := range acts {
			if apperror.CodeOf(err) != apperror.Forbidden {
				t.Errorf("%s by %+v: %v, want Forbidden", name, who, err)
			}
		}
	}
	if got := f.idea(t, i.ID); got.Moderation != idea.Awaiting || got.Title != "Een bankje bij de speeltuin" {
		t.Fatalf("refused moderators changed the idea: %s %q", got.Moderation, got.Title)
	}
	if again := f.item(t, moderation.KindIdea, i.ID); again.ClaimedBy != nil {
		t.Fatalf("refused moderator claimed the item: %+v", again)
	}
	if bs, err := f.mod.Blocks(ctx); err != nil || len(bs) != 0 {
		t.Fatalf("blocks after refusals: %v, %v", bs, err)
	}
	if ts, err := f.mod.Templates(ctx, false); err != nil || len(ts) != 0 {
		t.Fatalf("templates after refusals: %v, %v", ts, err)
	}
	// The moderator may.
	f.mustDecide(t, mod, item.ID, moderation.Decision{Action: moderation.ActApprove})
	if got := f.idea(t, i.ID).Moderation; got != idea.Approved {
		t.Fatalf("after approval: %s", got)
	}
}
