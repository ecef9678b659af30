package instrument_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/consultation"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/store"
)

var (
	editor  = identity.Actor{StaffID: 7, Roles: []identity.Role{identity.RoleEditor}}
	analyst = identity.Actor{StaffID: 8, Roles: []identity.Role{identity.RoleAnalyst, identity.RoleModerator}}
	key     = []byte("test-key-0123456789-0123456789-01")
)

// kinds creates one instrument of every kind at slug, as actor a.
type kinds struct {
	polls *poll.Service
	cons  *consultation.Service
	ideas *idea.Service
	proj  int64
}

func newKinds(f *fixture) kinds {
	return kinds{polls: poll.NewService(f.db, key), cons: consultation.NewService(f.db, key), ideas: idea.NewService(f.db, key), proj: f.proj}
}

func (k kinds) create(ctx context.Context, a identity.Actor, kind instrument.Kind, slug string) (int64, error) {
	opens := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rules := instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens}
	switch kind {
	case instrument.KindPoll:
		p, err := k.polls.Create(ctx, a, poll.Draft{ProjectID: k.proj, Slug: slug, Title: "Welke plek?", Question: "Welke plek eerst?",
			Options: []string{"Markt", "School"}, Rules: rules})
		if err != nil {
			return 0, err
		}
		return p.InstrumentID, nil
	case instrument.KindConsultation:
		c, err := k.cons.CreateEmpty(ctx, a, consultation.Draft{ProjectID: k.proj, Slug: slug, Title: "Vragen", Rules: rules})
		if err != nil {
			return 0, err
		}
		return c.InstrumentID, nil
	default:
		b, err := k.ideas.CreateBoard(ctx, a, idea.BoardDraft{ProjectID: k.proj, Slug: slug, Title: "Ideeën", Rules: rules,
			Themes: []string{"Bomen", "Bankjes"}})
		if err != nil {
			return 0, err
		}
		return b.InstrumentID, nil
	}
}

var allKinds = []instrument.Kind{instrument.KindPoll, instrument.KindConsultation, instrument.KindIdeaBoard}

func count(t *testing.T, db *store.DB, table string) int64 {
	t.Helper()
	var n int64
	if err := db.Table(table).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func entries(t *testing.T, db *store.DB) []audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := db.Where("action <> ?", "project.create").Order("id").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	return es
}

// breakAuditLog makes every audit write fail for real: the table is gone.
func breakAuditLog(t *testing.T, db *store.DB) {
	t.Helper()
	if err := db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
}

func auditFailed(err error) bool { return err != nil && strings.Contains(err.Error(), "audit_log") }

func TestEveryKindIsCreatedOneWay(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	k := newKinds(f)
	ctx := context.Background()
	ids := map[instrument.Kind]int64{}
	for _, kind := range allKinds {
		id, err := k.create(ctx, editor, kind, "eerst-"+strings.ReplaceAll(string(kind), "_", "-"))
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		ids[kind] = id
	}
	// One address per project, whichever kind holds it, with one message.
	for _, kind := range allKinds {
		_, err := k.create(ctx, editor, kind, "eerst-poll")
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Conflict || e.Fields["slug"] != "instrument.error.slug_taken" {
			t.Errorf("%s on a taken address: %v", kind, err)
		}
	}
	es := entries(t, f.db)
	if len(es) != 3 {
		t.Fatalf("audit log = %+v", es)
	}
	for i, kind := range allKinds {
		e := es[i]
		if e.Action != string(kind)+".create" || e.Actor != "staff:7" || e.Target != "instrument:"+strconv.FormatInt(ids[kind], 10) ||
			!strings.Contains(e.Detail, `"project":`+strconv.FormatInt(f.proj, 10)) {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	if n := count(t, f.db, "instruments"); n != 3 {
		t.Errorf("%d instruments, want 3", n)
	}
}

func TestCreatingNeedsAnEditorAndARecord(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	k := newKinds(f)
	ctx := context.Background()
	for _, kind := range allKinds {
		for _, who := range []identity.Actor{{}, analyst} {
			if _, err := k.create(ctx, who, kind, "mag-niet"); apperror.CodeOf(err) != apperror.Forbidden {
				t.Errorf("%s by %+v: %v, want Forbidden", kind, who, err)
			}
		}
	}
	breakAuditLog(t, f.db)
	for _, kind := range allKinds {
		if _, err := k.create(ctx, editor, kind, "zonder-verslag"); !auditFailed(err) {
			t.Errorf("%s without an audit record: %v", kind, err)
		}
	}
	for _, table := range []string{"instruments", "polls", "poll_options", "consultations", "idea_boards", "idea_themes"} {
		if n := count(t, f.db, table); n != 0 {
			t.Errorf("%d rows in %s, want none", n, table)
		}
	}
}

func TestSettingsAndPublishingNeedAnEditorAndARecord(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	in := f.instrument(t)
	st := instrument.Settings{Title: "Nieuwe titel", Rules: *in}
	for _, who := range []identity.Actor{{}, analyst} {
		if _, err := f.svc.UpdateSettings(ctx, who, f.proj, in.ID, st); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("settings by %+v: %v, want Forbidden", who, err)
		}
		if err := f.svc.SetPublished(ctx, who, f.proj, in.ID, true); apperror.CodeOf(err) != apperror.Forbidden {
			t.Errorf("publish by %+v: %v, want Forbidden", who, err)
		}
	}
	if err := f.svc.SetPublished(ctx, editor, f.proj, in.ID, true); err != nil {
		t.Fatal(err)
	}
	if es := entries(t, f.db); len(es) != 1 || es[0].Action != "instrument.publish" || es[0].Detail != `{"published":true}` {
		t.Fatalf("audit log = %+v", es)
	}
	before := f.reload(t, in.ID)
	breakAuditLog(t, f.db)
	if _, err := f.svc.UpdateSettings(ctx, editor, f.proj, in.ID, st); !auditFailed(err) {
		t.Errorf("settings without an audit record: %v", err)
	}
	if err := f.svc.SetPublished(ctx, editor, f.proj, in.ID, false); !auditFailed(err) {
		t.Errorf("withdrawn without an audit record: %v", err)
	}
	got := f.reload(t, in.ID)
	if got.Title != before.Title || !got.Published || !got.UpdatedAt.Equal(before.UpdatedAt) {
		t.Errorf("changed without an audit record: %+v", got)
	}
}
