package moderation_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"inspraak/internal/idea"
	"inspraak/internal/moderation"
)

// An idea flagged for a BSN and a phone number is never published by a
// plain "approve": the moderator redacts the fragments first or states,
// on the audit record, that they are not personal data. A refusal changes
// nothing.
func TestApprovingPersonalDataNeedsRedactionOrConfirmation(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	st := f.moderator(t, "A")
	audits := func(action string) []map[string]any {
		var rows []struct{ Detail string }
		if err := f.db.Table("audit_log").Select("detail").Where("action = ?", action).Order("id").Scan(&rows).Error; err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, r := range rows {
			m := map[string]any{}
			_ = json.Unmarshal([]byte(r.Detail), &m)
			out = append(out, m)
		}
		return out
	}

	flagged := f.submit(t, b, f.person(t), "Buurtfeest", "Mijn BSN is 999993653, bel mij op 06-12345678.")
	it := f.item(t, moderation.KindIdea, flagged.ID)
	if err := f.mod.Claim(ctx, st, it.ID); err != nil {
		t.Fatal(err)
	}
	err := f.mod.Decide(ctx, st, it.ID, moderation.Decision{Action: moderation.ActApprove})
	if key(err) != "moderation.error.personal_data_unresolved" {
		t.Fatalf("approve with personal data: %v", err)
	}
	if got := f.idea(t, flagged.ID).Moderation; got != idea.Awaiting {
		t.Fatalf("refused approval changed the idea to %q", got)
	}
	if again := f.item(t, moderation.KindIdea, flagged.ID); !again.Waiting || again.Decision != "" {
		t.Fatalf("refused approval changed the item: %+v", again)
	}
	if n := len(audits("moderation.approve")); n != 0 {
		t.Fatalf("%d audit entries for a refused approval", n)
	}
	// Approving with the confirmation publishes and is audited with the
	// kinds confirmed, never the fragments.
	if err := f.mod.Decide(ctx, st, it.ID, moderation.Decision{Action: moderation.ActApprove, NotPersonalData: true}); err != nil {
		t.Fatal(err)
	}
	if got := f.idea(t, flagged.ID).Moderation; got != idea.Approved {
		t.Fatalf("confirmed approval left the idea %q", got)
	}
	a := audits("moderation.approve")
	if len(a) != 1 {
		t.Fatalf("%d audit entries", len(a))
	}
	kinds, _ := a[0]["confirmed_not_personal_data"].([]any)
	if !slices.Equal(kinds, []any{"bsn", "phone"}) {
		t.Fatalf("audit detail %v", a[0])
	}
	raw, _ := json.Marshal(a[0])
	if s := string(raw); slices.ContainsFunc([]string{"999993653", "12345678"}, func(x string) bool { return strings.Contains(s, x) }) {
		t.Fatalf("the audit entry quotes the personal data: %s", s)
	}

	// Hidden later, the same text is not restored without the
	// confirmation either.
	if err := f.mod.Decide(ctx, st, it.ID, moderation.Decision{Action: moderation.ActHide, Note: "Toch even offline."}); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.Decide(ctx, st, it.ID, moderation.Decision{Action: moderation.ActRestore}); key(err) != "moderation.error.personal_data_unresolved" {
		t.Fatalf("restore with personal data: %v", err)
	}
	if got := f.idea(t, flagged.ID).Moderation; got != idea.Hidden {
		t.Fatalf("refused restore left the idea %q", got)
	}

	// Redacted first, the next one is approved without a confirmation and
	// the audit entry claims none.
	second := f.submit(t, b, f.person(t), "Speeltuin", "Bel 06-12345678 of mail via 999993653.")
	it2 := f.item(t, moderation.KindIdea, second.ID)
	if err := f.mod.Claim(ctx, st, it2.ID); err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{"06-12345678", "999993653"} {
		if err := f.mod.Redact(ctx, st, it2.ID, "description", frag); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.mod.Decide(ctx, st, it2.ID, moderation.Decision{Action: moderation.ActApprove}); err != nil {
		t.Fatalf("approve after redaction: %v", err)
	}
	if a := audits("moderation.approve"); len(a) != 2 || a[1]["confirmed_not_personal_data"] != nil {
		t.Fatalf("audit after redaction: %v", a)
	}
}
