package consultation_test

import (
	"context"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
)

var editor = identity.Actor{StaffID: 7, Roles: []identity.Role{identity.RoleEditor}}

func TestOnlyEditorsEditQuestionnairesAndEveryEditIsOnRecord(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	ctx := context.Background()
	id := f.c.InstrumentID
	multi := f.q[consultation.Multiple]
	edits := map[string]func(a identity.Actor) error{
		"add": func(a identity.Actor) error {
			return f.svc.AddQuestion(ctx, a, id, consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.ShortText, Text: "Nog iets?"}})
		},
		"remove option": func(a identity.Actor) error { return f.svc.RemoveOption(ctx, a, id, multi.Options[3].ID) },
		"reword":        func(a identity.Actor) error { return f.svc.Reword(ctx, a, multi.ID, "Wat mist u het meest?", "") },
		"remove":        func(a identity.Actor) error { return f.svc.RemoveQuestion(ctx, a, id, multi.ID) },
		"move": func(a identity.Actor) error {
			_, err := f.svc.MoveQuestion(ctx, a, id, multi.ID, 1)
			return err
		},
	}
	unchanged := func(when string) {
		t.Helper()
		c, err := f.svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Questions) != len(f.c.Questions) {
			t.Fatalf("%s: %d questions, want %d", when, len(c.Questions), len(f.c.Questions))
		}
		for _, q := range c.Questions {
			if q.ID == multi.ID && (q.Text != multi.Text || len(q.Options) != len(multi.Options) || q.Position != multi.Position) {
				t.Fatalf("%s: question changed: %+v", when, q)
			}
		}
	}
	for name, edit := range edits {
		for _, who := range []identity.Actor{{}, {StaffID: 8, Roles: []identity.Role{identity.RoleAnalyst, identity.RoleModerator}}} {
			if err := edit(who); apperror.CodeOf(err) != apperror.Forbidden {
				t.Errorf("%s by %+v: %v, want Forbidden", name, who, err)
			}
		}
	}
	unchanged("refused")
	if err := f.db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
	for name, edit := range edits {
		if err := edit(editor); err == nil || !strings.Contains(err.Error(), "audit_log") {
			t.Errorf("%s without an audit record: %v", name, err)
		}
	}
	unchanged("without a record")
	// An option of another questionnaire is not this one's to remove.
	if err := f.db.Exec("ALTER TABLE audit_log_away RENAME TO audit_log").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RemoveOption(ctx, editor, id+1, multi.Options[3].ID); apperror.CodeOf(err) != apperror.NotFound {
		t.Errorf("option removed through another questionnaire: %v", err)
	}
}

// The order changes while nobody has responded; once anyone has, even a
// draft, it is fixed (see MoveQuestion for why), and a refused move
// changes nothing.
func TestQuestionOrderIsFixedOnceAnyoneResponded(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	ctx := context.Background()
	id := f.c.InstrumentID
	order := func() []int64 {
		t.Helper()
		c, err := f.svc.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, q := range c.Questions {
			ids = append(ids, q.ID)
		}
		return ids
	}
	before := order()
	first, last := before[0], before[len(before)-1]
	if _, err := f.svc.MoveQuestion(ctx, editor, id, first, -1); apperror.CodeOf(err) != apperror.Conflict {
		t.Errorf("the first question moved up: %v", err)
	}
	if _, err := f.svc.MoveQuestion(ctx, editor, id, last, 1); apperror.CodeOf(err) != apperror.Conflict {
		t.Errorf("the last question moved down: %v", err)
	}
	if _, err := f.svc.MoveQuestion(ctx, editor, id+1, first, 1); apperror.CodeOf(err) != apperror.NotFound {
		t.Errorf("moved through another questionnaire: %v", err)
	}
	moved, err := f.svc.MoveQuestion(ctx, editor, id, first, 1)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Position != 2 || moved.Of != len(before) {
		t.Errorf("moved to %+v", moved)
	}
	after := order()
	if after[0] != before[1] || after[1] != before[0] {
		t.Fatalf("order %v after moving %d down, was %v", after, first, before)
	}
	if _, err := f.svc.Save(ctx, id, f.person(t, 1), f.complete(), false); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.MoveQuestion(ctx, editor, id, first, -1)
	if e, ok := apperror.As(err); !ok || e.Code != apperror.Conflict || e.Key != "consultation.error.order_fixed" {
		t.Errorf("moved with a draft response: %v", err)
	}
	if got := order(); got[0] != after[0] || got[1] != after[1] {
		t.Errorf("a refused move changed the order: %v", got)
	}
}
