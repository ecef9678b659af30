package participation_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/fstest"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
	"inspraak/migrations"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// upTo is the embedded migrations of a dialect up to and including n.
func upTo(t *testing.T, dialect string, n int) fstest.MapFS {
	t.Helper()
	ms, err := store.LoadMigrations(migrations.FS, dialect)
	if err != nil {
		t.Fatal(err)
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.Version <= n {
			out[fmt.Sprintf("%s/%04d_%s.sql", dialect, m.Version, m.Name)] = &fstest.MapFile{Data: []byte(m.SQL)}
		}
	}
	return out
}

func refusedWith(err error, key string) bool {
	var e *apperror.Error
	return errors.As(err, &e) && e.Key == key
}

// Migration 0016 builds the voter register from the per-instrument ids
// that ballots, responses, supports and reports carried, and drops those
// ids from the content. Afterwards a person whose contributions are still
// linked sees and changes them as before, and someone who erased their
// data before the upgrade still cannot vote, answer or support twice.
func TestMigration0016MovesWhoTookPartIntoTheRegister(t *testing.T) {
	ctx := context.Background()
	key := []byte("a-pseudonym-key-for-the-migration-test")
	base := testdb.OpenEmpty(t)
	old := base.WithMigrations(upTo(t, base.Dialect, 15))
	if _, err := old.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := old.WithContext(ctx).Exec(sql, args...).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	now := time.Now().UTC().Add(-time.Hour)
	id := func(purpose string, scope int64, subject string) string {
		return identity.InstrumentID(key, purpose, scope, subject)
	}
	// Anna (participant 101) is still here; Bram erased his data before
	// the upgrade: his contributions have no participant any more.
	exec(`INSERT INTO projects (id, slug, title, summary, status, created_at, updated_at) VALUES (1, 'plein', 'Plein', 'Over het plein.', 'published', ?, ?)`, now, now)
	exec(`INSERT INTO participants (id, subject, key_version, means, loa, display_name, created_at, last_login_at) VALUES (101, 'anna', 1, 'digid', '', 'Anna', ?, ?), (103, 'cees', 1, 'digid', '', 'Cees', ?, ?)`, now, now, now, now)
	exec(`INSERT INTO instruments (id, project_id, kind, slug, title, published, allow_change, created_at, updated_at) VALUES
		(7, 1, 'poll', 'peiling', 'Peiling', TRUE, TRUE, ?, ?), (8, 1, 'consultation', 'vragen', 'Vragen', TRUE, TRUE, ?, ?), (9, 1, 'idea_board', 'ideeen', 'Ideeën', TRUE, FALSE, ?, ?)`,
		now, now, now, now, now, now)
	exec(`INSERT INTO polls (instrument_id, question) VALUES (7, 'Welke?')`)
	exec(`INSERT INTO poll_options (id, instrument_id, position, label) VALUES (71, 7, 1, 'Links'), (72, 7, 2, 'Rechts')`)
	exec(`INSERT INTO ballots (id, instrument_id, voter, participant_id, created_at, updated_at) VALUES (501, 7, ?, 101, ?, ?), (502, 7, ?, NULL, ?, ?)`,
		id("ballot", 7, "anna"), now, now, id("ballot", 7, "bram"), now, now)
	exec(`INSERT INTO ballot_choices (ballot_id, option_id) VALUES (501, 71), (502, 72)`)
	exec(`INSERT INTO poll_tallies (option_id, shard, votes) VALUES (71, 0, 1), (72, 0, 1)`)
	exec(`INSERT INTO consultations (instrument_id) VALUES (8)`)
	exec(`INSERT INTO questions (id, instrument_id, position, kind, text) VALUES (81, 8, 1, 'short_text', 'Wat vindt u?')`)
	exec(`INSERT INTO responses (id, instrument_id, respondent, participant_id, status, reference, created_at, updated_at, submitted_at) VALUES
		(601, 8, ?, 101, 'submitted', 'INS-AAAA-AAAA', ?, ?, ?), (602, 8, ?, NULL, 'submitted', 'INS-BBBB-BBBB', ?, ?, ?)`,
		id("response", 8, "anna"), now, now, now, id("response", 8, "bram"), now, now, now)
	exec(`INSERT INTO answers (response_id, question_id, text_value) VALUES (601, 81, 'Mooi'), (602, 81, 'Lelijk')`)
	exec(`INSERT INTO idea_boards (instrument_id) VALUES (9)`)
	exec(`INSERT INTO ideas (id, instrument_id, author_id, title, description, moderation, status, support_count, created_at, updated_at) VALUES
		(901, 9, 103, 'Bankjes', 'Meer bankjes op het plein.', 'approved', 'new', 2, ?, ?)`, now, now)
	exec(`INSERT INTO idea_supports (idea_id, supporter, participant_id, created_at) VALUES (901, ?, 101, ?), (901, ?, NULL, ?)`,
		id("support", 9, "anna"), now, id("support", 9, "bram"), now)
	exec(`INSERT INTO moderation_items (id, kind, target_id, instrument_id, author_id, open_reports, created_at, updated_at) VALUES (1, 'idea', 901, 9, 103, 1, ?, ?)`, now, now)
	exec(`INSERT INTO moderation_reports (item_id, reporter, participant_id, reason, created_at) VALUES (1, ?, NULL, 'spam', ?)`, id("report-idea", 901, "bram"), now)

	db := base.WithMigrations(migrations.FS)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var register []struct {
		Kind  string
		RefID int64
		Voter string
	}
	if err := db.Raw(`SELECT kind, ref_id, voter FROM participations ORDER BY kind, ref_id, voter`).Scan(&register).Error; err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"ballot/7/" + id("ballot", 7, "anna"): true, "ballot/7/" + id("ballot", 7, "bram"): true,
		"response/8/" + id("response", 8, "anna"): true, "response/8/" + id("response", 8, "bram"): true,
		"support/901/" + id("support", 9, "anna"): true, "support/901/" + id("support", 9, "bram"): true,
		"report/1/" + id("report-idea", 901, "bram"): true,
	}
	for _, r := range register {
		k := fmt.Sprintf("%s/%d/%s", r.Kind, r.RefID, r.Voter)
		if !want[k] {
			t.Errorf("unexpected register row %s", k)
		}
		delete(want, k)
	}
	if len(want) > 0 {
		t.Errorf("register rows missing: %v", want)
	}
	for table, column := range map[string]string{"ballots": "voter", "responses": "respondent", "idea_supports": "supporter", "moderation_reports": "reporter"} {
		if db.Migrator().HasColumn(table, column) {
			t.Errorf("%s.%s is still there", table, column)
		}
	}

	// Bram logs in again: a new participant with the same pseudonym.
	exec(`INSERT INTO participants (id, subject, key_version, means, loa, display_name, created_at, last_login_at) VALUES (102, 'bram', 1, 'digid', '', 'Bram', ?, ?)`, now, now)
	person := instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1]}
	anna := poll.Voter{ParticipantID: 101, Subject: "anna", Person: person}
	bram := poll.Voter{ParticipantID: 102, Subject: "bram", Person: person}
	polls := poll.NewService(db, key)
	if mine, unlinked, err := polls.BallotOf(ctx, 7, anna.ParticipantID, anna.Subject); err != nil || len(mine) != 1 || mine[0] != 71 || unlinked {
		t.Fatalf("Anna's ballot after the upgrade: %v %v %v", mine, unlinked, err)
	}
	if r, err := polls.Vote(ctx, 7, anna, []int64{72}); err != nil || !r.Changed || r.BallotID != 501 {
		t.Fatalf("Anna changes her vote: %+v %v", r, err)
	}
	if mine, unlinked, err := polls.BallotOf(ctx, 7, bram.ParticipantID, bram.Subject); err != nil || mine != nil || !unlinked {
		t.Fatalf("Bram's ballot after the upgrade: %v %v %v", mine, unlinked, err)
	}
	if _, err := polls.Vote(ctx, 7, bram, []int64{71}); !refusedWith(err, "poll.error.took_part_unlinked") {
		t.Fatalf("Bram votes again: %v", err)
	}
	p, _ := polls.Get(ctx, 7)
	if res, _ := polls.Results(ctx, p); res.Ballots != 2 || res.Options[0].Votes != 0 || res.Options[1].Votes != 2 {
		t.Fatalf("results %+v", res)
	}

	consultations := consultation.NewService(db, key)
	if saved, err := consultations.ResponseOf(ctx, 8, 102, "bram"); err != nil || saved.Response != nil || !saved.Unlinked {
		t.Fatalf("Bram's response after the upgrade: %+v %v", saved, err)
	}
	if saved, err := consultations.ResponseOf(ctx, 8, 101, "anna"); err != nil || saved.Response == nil || saved.Answers[81].Text != "Mooi" {
		t.Fatalf("Anna's response after the upgrade: %+v %v", saved, err)
	}
	answers := map[int64]consultation.Answer{81: {Text: "Nog eens"}}
	if _, err := consultations.Save(ctx, 8, consultation.Respondent{ParticipantID: 102, Subject: "bram", Person: person}, answers, true); !refusedWith(err, "consultation.error.took_part_unlinked") {
		t.Fatalf("Bram answers again: %v", err)
	}
	if _, err := consultations.Save(ctx, 8, consultation.Respondent{ParticipantID: 101, Subject: "anna", Person: person}, answers, true); err != nil {
		t.Fatalf("Anna changes her answers: %v", err)
	}

	ideas := idea.NewService(db, key)
	sup, unlinked, err := ideas.Supports(ctx, 9, idea.Actor{ParticipantID: 102, Subject: "bram", Person: person}, []int64{901})
	if err != nil || sup[901] || !unlinked[901] {
		t.Fatalf("Bram's support after the upgrade: %v %v %v", sup, unlinked, err)
	}
	if err := ideas.Support(ctx, 901, idea.Actor{ParticipantID: 102, Subject: "bram", Person: person}); !refusedWith(err, "idea.error.took_part_unlinked") {
		t.Fatalf("Bram supports again: %v", err)
	}
	if err := ideas.Unsupport(ctx, 901, idea.Actor{ParticipantID: 101, Subject: "anna", Person: person}); err != nil {
		t.Fatalf("Anna takes her support back: %v", err)
	}
	if n, _ := ideas.Recount(ctx, 901); n != 1 {
		t.Fatalf("supports after Anna took hers back: %d", n)
	}
	var count int64
	testdb.NoError(t, db.Raw(`SELECT support_count FROM ideas WHERE id = 901`).Scan(&count).Error)
	if count != 1 {
		t.Fatalf("support_count %d", count)
	}
}
