package results_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"inspraak/internal/identity"
	"inspraak/internal/notify"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// followers records what results told a project's followers.
type followers struct {
	told []notify.Message
	fail bool
}

func (f *followers) NotifyFollowers(_ context.Context, _ *gorm.DB, _ int64, m notify.Message) error {
	if f.fail {
		return errors.New("notifications unavailable")
	}
	f.told = append(f.told, m)
	return nil
}

// The first publication of results tells the project's followers, with a
// link to the results, in the publishing transaction: if they cannot be
// told, nothing is published. Publishing again tells nobody again.
func TestFirstPublicationTellsTheFollowers(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	y := newYesNo(t, db)
	editor := identity.StaffMember{Issuer: "https://idp.example", Subject: "redacteur", Name: "Eddy", CreatedAt: y.now, LastLoginAt: y.now}
	if err := db.Create(&editor).Error; err != nil {
		t.Fatal(err)
	}
	res := results.NewService(db)
	f := &followers{fail: true}
	res.SetNotifier(f)
	if err := res.Publish(ctx, identity.Actor{StaffID: editor.ID, Roles: []identity.Role{identity.RoleEditor}}, y.c, y.now); err == nil {
		t.Fatal("published although the followers could not be told")
	}
	if at, err := res.Published(ctx, y.c.InstrumentID); err != nil || at != nil {
		t.Fatalf("published at %v (%v) after the failed announcement", at, err)
	}
	f.fail = false
	for range 2 {
		if err := res.Publish(ctx, identity.Actor{StaffID: editor.ID, Roles: []identity.Role{identity.RoleEditor}}, y.c, y.now); err != nil {
			t.Fatal(err)
		}
	}
	if len(f.told) != 1 {
		t.Fatalf("followers told %d times, want once", len(f.told))
	}
	if m := f.told[0]; m.Kind != notify.KindResults || m.Link != "/projecten/plein/v/resultaten" || len(m.Params) != 1 || m.Params[0] != "V" {
		t.Fatalf("told %+v", m)
	}
}
