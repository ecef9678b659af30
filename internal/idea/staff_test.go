package idea_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
)

func TestOnlyEditorsAnswerIdeasAndSetBoardsAndBothAreOnRecord(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	i := f.submit(t, b, f.person(t, 1), "Meer bomen")
	editor := identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}
	settings := idea.BoardSettings{Moderation: idea.PostModeration, Add: []string{"Water"}}
	for _, who := range []identity.Actor{{}, {StaffID: f.staff, Roles: []identity.Role{identity.RoleAnalyst, identity.RoleModerator}}} {
		if err := f.ideas.SetStatus(ctx, who, i.ID, idea.StatusAccepted, "Goed idee."); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("status by %+v: %v, want Forbidden", who, err)
		}
		if err := f.ideas.UpdateBoard(ctx, who, b.InstrumentID, settings); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("board by %+v: %v, want Forbidden", who, err)
		}
	}
	unchanged := func(when string) {
		t.Helper()
		got, err := f.ideas.Get(ctx, i.ID)
		if err != nil {
			t.Fatal(err)
		}
		board, err := f.ideas.Board(ctx, b.InstrumentID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != i.Status || len(board.Themes) != len(b.Themes) {
			t.Fatalf("%s: status %s, %d themes", when, got.Status, len(board.Themes))
		}
		var n int64
		if err := f.db.Model(&idea.StatusChange{}).Where("idea_id = ?", i.ID).Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%s: %d status changes", when, n)
		}
	}
	unchanged("refused")
	f.mu.Lock()
	told := len(f.sent)
	f.mu.Unlock()
	if err := f.db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.SetStatus(ctx, editor, i.ID, idea.StatusAccepted, "Goed idee."); err == nil || !strings.Contains(err.Error(), "audit_log") {
		t.Errorf("status without an audit record: %v", err)
	}
	if err := f.ideas.UpdateBoard(ctx, editor, b.InstrumentID, settings); err == nil || !strings.Contains(err.Error(), "audit_log") {
		t.Errorf("board without an audit record: %v", err)
	}
	unchanged("without a record")
	f.mu.Lock()
	if len(f.sent) != told {
		t.Errorf("the author was told of a status that was not set: %+v", f.sent[told:])
	}
	f.mu.Unlock()
	if err := f.db.Exec("ALTER TABLE audit_log_away RENAME TO audit_log").Error; err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.SetStatus(ctx, editor, i.ID, idea.StatusAccepted, "Goed idee."); err != nil {
		t.Fatal(err)
	}
	var e audit.Entry
	if err := f.db.Where("action = ?", "idea.status").Take(&e).Error; err != nil {
		t.Fatal(err)
	}
	if e.Actor != editor.Name() || e.Target != "idea:"+strconv.FormatInt(i.ID, 10) || !strings.Contains(e.Detail, `"status":"accepted"`) {
		t.Errorf("entry = %+v", e)
	}
}
