package store_test

import (
	"context"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
	"inspraak/migrations"
)

// upTo is the embedded migrations of a dialect up to and including n.
func upTo(t *testing.T, dialect string, n int) fstest.MapFS {
	t.Helper()
	ms, err := store.LoadMigrations(migrations.FS, dialect)
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.Version > n {
			continue
		}
		out[fmt.Sprintf("%s/%04d_%s.sql", dialect, m.Version, m.Name)] = &fstest.MapFile{Data: []byte(m.SQL)}
	}
	return out
}

// before is an empty database migrated up to and including version n,
// with a project (id 1) and a consultation (instrument 7) in it, and a
// way to run statements that fails the test.
func before(t *testing.T, n int) (*store.DB, *store.DB, func(db *store.DB, sql string, args ...any)) {
	t.Helper()
	ctx := context.Background()
	base := testdb.OpenEmpty(t)
	old := base.WithMigrations(upTo(t, base.Dialect, n))
	if _, err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	exec := func(db *store.DB, sql string, args ...any) {
		t.Helper()
		if err := db.WithContext(ctx).Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	exec(old, `INSERT INTO projects (id, slug, title, summary, created_at, updated_at) VALUES (1, 'plein', 'Plein', 'Over het plein.', ?, ?)`, now, now)
	exec(old, `INSERT INTO instruments (id, project_id, kind, slug, title, created_at, updated_at) VALUES (7, 1, 'consultation', 'v', 'V', ?, ?)`, now, now)
	exec(old, `INSERT INTO consultations (instrument_id) VALUES (7)`)
	return base, old, exec
}

// Migration 0012 rebuilds the response-note tables (on SQLite) to let
// idea boards have notes: a note and its sections written before it are
// all still there afterwards, the sections of a published note count as
// announced, and deleting the instrument still takes the note with it.
func TestNotesSurviveMigration0012(t *testing.T) {
	ctx := context.Background()
	base, old, exec := before(t, 11)
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	exec(old, `INSERT INTO response_notes (instrument_id, intro, published_at, updated_at) VALUES (7, 'Dank u wel.', ?, ?)`, now, now)
	exec(old, `INSERT INTO response_note_sections (instrument_id, position, title, body) VALUES (7, 1, 'Bomen', 'Er komen bomen.'), (7, 2, 'Verder', 'De raad besluit.')`)
	var ids []int64
	if err := old.Raw(`SELECT id FROM response_note_sections ORDER BY position`).Scan(&ids).Error; err != nil || len(ids) != 2 {
		t.Fatalf("section ids %v (%v)", ids, err)
	}

	db := base.WithMigrations(migrations.FS)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var intro string
	if err := db.Raw(`SELECT intro FROM response_notes WHERE instrument_id = 7`).Scan(&intro).Error; err != nil || intro != "Dank u wel." {
		t.Fatalf("note intro %q (%v)", intro, err)
	}
	var sections []struct {
		ID          int64
		Title       string
		AnnouncedAt *time.Time
	}
	if err := db.Raw(`SELECT id, title, announced_at FROM response_note_sections ORDER BY position`).Scan(&sections).Error; err != nil {
		t.Fatal(err)
	}
	if len(sections) != 2 || sections[0].ID != ids[0] || sections[1].ID != ids[1] || sections[1].Title != "Verder" || sections[0].AnnouncedAt == nil {
		t.Fatalf("sections after the migration: %+v", sections)
	}
	// Migration 0015: what was published is the published text.
	var publishedTitles []string
	testdb.NoError(t, db.Raw(`SELECT published_title FROM response_note_sections WHERE published_title IS NOT NULL ORDER BY published_position`).Scan(&publishedTitles).Error)
	var publishedIntro string
	testdb.NoError(t, db.Raw(`SELECT published_intro FROM response_notes WHERE instrument_id = 7`).Scan(&publishedIntro).Error)
	if len(publishedTitles) != 2 || publishedTitles[0] != "Bomen" || publishedIntro != "Dank u wel." {
		t.Fatalf("published texts after 0015: %q, intro %q", publishedTitles, publishedIntro)
	}
	// New sections continue after the old ids.
	exec(db, `INSERT INTO response_note_sections (instrument_id, position, title, body) VALUES (7, 3, 'Nieuw', 'Nog iets.')`)
	var newID int64
	testdb.NoError(t, db.Raw(`SELECT id FROM response_note_sections WHERE title = 'Nieuw'`).Scan(&newID).Error)
	if newID <= ids[1] {
		t.Fatalf("a new section got id %d", newID)
	}
	exec(db, `DELETE FROM instruments WHERE id = 7`)
	var left int64
	testdb.NoError(t, db.Raw(`SELECT count(*) FROM response_note_sections`).Scan(&left).Error)
	if left != 0 {
		t.Fatalf("%d sections outlived their instrument", left)
	}
}

// Migration 0013 works out where every existing response got to: the
// answered question (text, number or chosen option) that comes last in
// the questionnaire, or nothing.
func TestMigration0013FindsWhereResponsesGotTo(t *testing.T) {
	ctx := context.Background()
	base, old, exec := before(t, 12)
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	// Positions on purpose not in id order: question 12 comes first.
	exec(old, `INSERT INTO questions (id, instrument_id, position, kind, text) VALUES (11, 7, 2, 'short_text', 'Twee'), (12, 7, 1, 'single', 'Een'), (13, 7, 3, 'number', 'Drie')`)
	exec(old, `INSERT INTO question_options (id, question_id, position, label) VALUES (21, 12, 1, 'Ja')`)
	exec(old, `INSERT INTO responses (id, instrument_id, respondent, status, created_at, updated_at) VALUES
  (1, 7, 'a', 'draft', ?, ?), (2, 7, 'b', 'draft', ?, ?), (3, 7, 'c', 'draft', ?, ?)`, now, now, now, now, now, now)
	exec(old, `INSERT INTO answer_options (response_id, question_id, option_id, rank) VALUES (1, 12, 21, 1), (2, 12, 21, 1)`)
	exec(old, `INSERT INTO answers (response_id, question_id, text_value) VALUES (2, 11, 'Bankjes')`)

	db := base.WithMigrations(migrations.FS)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID             int64
		LastQuestionID *int64
	}
	if err := db.Raw(`SELECT id, last_question_id FROM responses ORDER BY id`).Scan(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := map[int64]int64{1: 12, 2: 11, 3: 0}
	for _, r := range got {
		var v int64
		if r.LastQuestionID != nil {
			v = *r.LastQuestionID
		}
		if v != want[r.ID] {
			t.Fatalf("response %d got to question %d, want %d", r.ID, v, want[r.ID])
		}
	}
}
