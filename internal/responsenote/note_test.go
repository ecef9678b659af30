package responsenote_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/project"
	"inspraak/internal/responsenote"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

func questionnaire(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	c, err := consultation.NewService(db, []byte("key-0123456789-0123456789-012345")).Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true,
		Questions: []consultation.QuestionDraft{{Question: consultation.Question{Kind: consultation.LongText, Text: "Wat vindt u?"}}}})
	if err != nil {
		t.Fatal(err)
	}
	return c.InstrumentID
}

func actions(t *testing.T, db *store.DB) []string {
	t.Helper()
	var out []string
	// The fixture's project and questionnaire are on record too; only the
	// note's own entries count here.
	if err := db.Table("audit_log").Where("action LIKE ?", "results.note.%").Order("id").Pluck("action", &out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

// Every change to a response note is on the audit record, written in the
// change's own transaction: when the record cannot be written, the
// change is not made either.
func TestNoteChangesAreOnRecordWithTheChange(t *testing.T) {
	ctx := context.Background()
	db := testdb.Open(t)
	in := questionnaire(t, db)
	notes := responsenote.NewService(db, audit.New(db), nil)
	analyst := &identity.StaffMember{ID: 7, Name: "Ana List"}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

	if err := notes.PublishNote(ctx, analyst, in, now); apperror.CodeOf(err) != apperror.Conflict {
		t.Fatalf("an empty note published: %v", err)
	}
	if err := notes.SaveIntro(ctx, analyst, in, "Dank voor uw reacties."); err != nil {
		t.Fatal(err)
	}
	if err := notes.SaveSection(ctx, analyst, in, 0, responsenote.SectionDraft{Title: "Bomen", Body: "Er komen meer bomen."}); err != nil {
		t.Fatal(err)
	}
	if err := notes.SaveSection(ctx, analyst, in, 0, responsenote.SectionDraft{Title: "Weg", Body: "Weg ermee."}); err != nil {
		t.Fatal(err)
	}
	n, err := notes.Note(ctx, in)
	if err != nil || len(n.Sections) != 2 {
		t.Fatalf("note: %+v %v", n, err)
	}
	if err := notes.DeleteSection(ctx, analyst, in, n.Sections[1].ID); err != nil {
		t.Fatal(err)
	}
	if err := notes.PublishNote(ctx, analyst, in, now); err != nil {
		t.Fatal(err)
	}
	want := []string{"results.note.intro", "results.note.section", "results.note.section", "results.note.section_delete", "results.note.publish"}
	if got := actions(t, db); len(got) != len(want) || got[0] != want[0] || got[4] != want[4] {
		t.Fatalf("audit record %v, want %v", got, want)
	}
	var actor string
	if err := db.Table("audit_log").Where("action = ?", "results.note.publish").Pluck("actor", &actor).Error; err != nil || actor != analyst.Actor() {
		t.Fatalf("published by %q (%v), want %q", actor, err, analyst.Actor())
	}

	// The audit log fails: nothing changes.
	if err := db.Callback().Create().Before("gorm:create").Register("test:fail_audit", func(tx *gorm.DB) {
		if tx.Statement.Table == "audit_log" {
			_ = tx.AddError(errors.New("audit log unavailable"))
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := notes.SaveIntro(ctx, analyst, in, "Zonder verslag."); err == nil {
		t.Fatal("the introduction changed without its record")
	}
	if err := notes.SaveSection(ctx, analyst, in, 0, responsenote.SectionDraft{Title: "Nieuw", Body: "Zonder verslag."}); err == nil {
		t.Fatal("a section was added without its record")
	}
	if err := notes.PublishNote(ctx, analyst, in, now.Add(time.Hour)); err == nil {
		t.Fatal("the note was published again without its record")
	}
	n, err = notes.Note(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if n.Intro != "Dank voor uw reacties." || len(n.Sections) != 1 || !n.PublishedAt.Equal(now) {
		t.Fatalf("changed without a record: intro %q, %d sections, published %v", n.Intro, len(n.Sections), n.PublishedAt)
	}
}
