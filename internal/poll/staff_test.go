package poll_test

import (
	"context"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/poll"
)

var (
	editor  = identity.Actor{StaffID: 7, Roles: []identity.Role{identity.RoleEditor}}
	analyst = identity.Actor{StaffID: 8, Roles: []identity.Role{identity.RoleAnalyst, identity.RoleModerator}}
)

// edits are the editor's changes to an existing poll.
func edits(p *poll.Poll) map[string]func(ctx context.Context, s *poll.Service, a identity.Actor) error {
	id := p.InstrumentID
	return map[string]func(ctx context.Context, s *poll.Service, a identity.Actor) error{
		"reword": func(ctx context.Context, s *poll.Service, a identity.Actor) error {
			_, err := s.Reword(ctx, a, id, "Een andere vraag?")
			return err
		},
		"relabel": func(ctx context.Context, s *poll.Service, a identity.Actor) error {
			_, err := s.RelabelOption(ctx, a, id, p.Options[0].ID, "Ander antwoord")
			return err
		},
		"add": func(ctx context.Context, s *poll.Service, a identity.Actor) error {
			_, err := s.AddOption(ctx, a, id, "Nog een antwoord")
			return err
		},
		"remove": func(ctx context.Context, s *poll.Service, a identity.Actor) error {
			_, err := s.RemoveOption(ctx, a, id, p.Options[2].ID)
			return err
		},
		"choice": func(ctx context.Context, s *poll.Service, a identity.Actor) error {
			_, err := s.SetChoice(ctx, a, id, poll.ChoiceSettings{Multiple: true, ResultsVisibility: poll.ShowNever})
			return err
		},
	}
}

func TestOnlyEditorsEditPollsAndEveryEditIsOnRecord(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	before, err := f.polls.Get(ctx, p.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	for name, edit := range edits(p) {
		for _, who := range []identity.Actor{{}, analyst} {
			if err := edit(ctx, f.polls, who); apperror.CodeOf(err) != apperror.Forbidden {
				t.Errorf("%s by %+v: %v, want Forbidden", name, who, err)
			}
		}
	}
	// Nothing changed (updated_at neither: the instrument was not touched).
	after, err := f.polls.Get(ctx, p.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Question != before.Question || len(after.Options) != 3 || after.Options[0].Label != before.Options[0].Label ||
		after.Multiple || !after.Instrument.UpdatedAt.Equal(before.Instrument.UpdatedAt) {
		t.Fatalf("refused edits changed the poll: %+v", after)
	}

	// Without a record, no edit.
	if err := f.db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
	for name, edit := range edits(p) {
		if err := edit(ctx, f.polls, editor); err == nil || !strings.Contains(err.Error(), "audit_log") {
			t.Errorf("%s without an audit record: %v", name, err)
		}
	}
	after, err = f.polls.Get(ctx, p.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Question != before.Question || len(after.Options) != 3 || after.Options[0].Label != before.Options[0].Label ||
		after.Multiple || !after.Instrument.UpdatedAt.Equal(before.Instrument.UpdatedAt) {
		t.Errorf("edits made without their audit record: %+v", after)
	}
	if err := f.db.Exec("ALTER TABLE audit_log_away RENAME TO audit_log").Error; err != nil {
		t.Fatal(err)
	}

	// With one, each edit says what it changed.
	if err := edits(p)["reword"](ctx, f.polls, editor); err != nil {
		t.Fatal(err)
	}
	var e audit.Entry
	if err := f.db.Where("action = ?", "poll.question_reword").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.Actor != "staff:7" || e.Detail != `{"ballots":0,"from":"Welke plek moet als eerste veiliger?","to":"Een andere vraag?"}` {
		t.Errorf("entry = %+v", e)
	}
}
