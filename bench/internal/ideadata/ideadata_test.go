package ideadata_test

import (
	"context"
	"testing"
	"time"

	"inspraak/bench/internal/ideadata"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// The bulk rows must be what the idea service would have written: the
// service recognises each participant's supports (same supporter ids) and
// its counters stay right when it changes them.
func TestSeedWritesWhatTheServiceReads(t *testing.T) {
	db := testdb.Open(t)
	ctx := context.Background()
	key := []byte("bench-test-key-0123456789-abcdefg")
	res, err := ideadata.Seed(ctx, db, ideadata.Options{Ideas: 300, Participants: 60, Supports: 2000, Key: key, KeyVersion: 1, Now: time.Now(), Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if err := ideadata.Check(ctx, db, res.InstrumentID); err != nil {
		t.Fatal(err)
	}
	if res.Supports != 2000 || res.NoSupports == 0 || res.MaxSupports < 20 || res.Public >= res.Ideas {
		t.Fatalf("unexpected spread: %+v", res)
	}

	// A participant with supports sees them through the service.
	var row struct {
		ParticipantID int64
		N             int64
	}
	if err := db.Raw(`SELECT participant_id, COUNT(*) AS n FROM idea_supports GROUP BY participant_id ORDER BY n DESC LIMIT 1`).Scan(&row).Error; err != nil {
		t.Fatal(err)
	}
	var p identity.Participant
	if err := db.Take(&p, row.ParticipantID).Error; err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := db.Model(&idea.Support{}).Where("participant_id = ?", p.ID).Pluck("idea_id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	svc := idea.NewService(db, key)
	got, _, err := svc.Supports(ctx, res.InstrumentID, idea.Actor{ParticipantID: p.ID, Subject: p.Subject}, ids)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != row.N || row.N == 0 {
		t.Fatalf("service finds %d of the participant's %d supports", len(got), row.N)
	}

	// Taking one back through the service keeps the count equal to the rows.
	var target idea.Idea
	for _, id := range ids {
		if err := db.Take(&target, id).Error; err != nil {
			t.Fatal(err)
		}
		if target.Public() {
			break
		}
	}
	a := idea.Actor{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: p.Means, LoA: p.LoA}}
	if err := svc.Unsupport(ctx, target.ID, a); err != nil {
		t.Fatal(err)
	}
	after, err := svc.Get(ctx, target.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.SupportCount != target.SupportCount-1 {
		t.Fatalf("support_count %d after taking back one of %d", after.SupportCount, target.SupportCount)
	}
	if err := ideadata.Check(ctx, db, res.InstrumentID); err != nil {
		t.Fatal(err)
	}

	// Check notices a counter that lies.
	if err := db.Exec("UPDATE ideas SET support_count = support_count + 1 WHERE id = ?", target.ID).Error; err != nil {
		t.Fatal(err)
	}
	if ideadata.Check(ctx, db, res.InstrumentID) == nil {
		t.Fatal("Check missed a wrong support_count")
	}
}
