package project_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var editor = identity.Actor{StaffID: 7, Roles: []identity.Role{identity.RoleEditor}}

// breakAuditLog makes every audit write fail for real, as a full disk or
// a lost grant would: the table is no longer there.
func breakAuditLog(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
}

// auditFailed says err is the failed audit write (SQLite: "no such table:
// audit_log", PostgreSQL: relation "audit_log" does not exist).
func auditFailed(err error) bool { return err != nil && strings.Contains(err.Error(), "audit_log") }

func TestStaffActionsAreOnRecordInTheirTransaction(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	svc := project.NewService(db)
	ctx := context.Background()
	p, err := svc.Create(ctx, editor, draft("speeltuin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Move(ctx, editor, p.ID, project.StatusPublished); err != nil {
		t.Fatal(err)
	}
	var got []audit.Entry
	if err := db.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "project.create" || got[1].Action != "project.status" ||
		got[1].Actor != "staff:7" || got[1].ActorKind != audit.ActorStaff || got[1].Target != "project:"+itoa(p.ID) ||
		got[1].Detail != `{"to":"published"}` {
		t.Fatalf("audit log = %+v", got)
	}

	// Without a record, no change.
	breakAuditLog(t, db)
	if err := svc.Move(ctx, editor, p.ID, project.StatusClosed); !auditFailed(err) {
		t.Fatalf("status change without an audit record: %v", err)
	}
	d := draft("speeltuin")
	d.Title = "Andere titel"
	if _, err := svc.Update(ctx, editor, p.ID, d); !auditFailed(err) {
		t.Fatalf("update without an audit record: %v", err)
	}
	if _, err := svc.Create(ctx, editor, draft("bankjes")); !auditFailed(err) {
		t.Fatalf("create without an audit record: %v", err)
	}
	now, err := svc.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.Status != project.StatusPublished || now.ClosedAt != nil || now.Title != p.Title {
		t.Errorf("project changed without its audit record: status %s, title %q", now.Status, now.Title)
	}
	var n int64
	if err := db.Model(&project.Project{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d projects, want 1: one was created without its audit record", n)
	}
}

func TestOnlyEditorsChangeProjects(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	svc := project.NewService(db)
	ctx := context.Background()
	p, err := svc.Create(ctx, editor, draft("speeltuin"))
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []identity.Actor{
		{}, // nobody
		{StaffID: 8, Roles: []identity.Role{identity.RoleAnalyst, identity.RoleModerator}},
		{StaffID: 0, Roles: []identity.Role{identity.RoleEditor}}, // roles without a member
	} {
		if _, err := svc.Create(ctx, who, draft("bankjes")); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("%+v create: %v, want Forbidden", who, err)
		}
		if _, err := svc.Update(ctx, who, p.ID, draft("speeltuin")); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("%+v update: %v, want Forbidden", who, err)
		}
		if err := svc.Move(ctx, who, p.ID, project.StatusPublished); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("%+v move: %v, want Forbidden", who, err)
		}
	}
	got, err := svc.Get(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.Model(&project.Project{}).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if got.Status != project.StatusDraft || n != 1 {
		t.Errorf("refused actors changed something: status %s, %d projects", got.Status, n)
	}
	// An administrator holds the editor's permission.
	if err := svc.Move(ctx, identity.Actor{StaffID: 9, Roles: []identity.Role{identity.RoleAdmin}}, p.ID, project.StatusPublished); err != nil {
		t.Errorf("admin: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
