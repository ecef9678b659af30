package instrument_test

import (
	"context"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

type fixture struct {
	db   *store.DB
	svc  *instrument.Service
	proj int64
	now  time.Time
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Open(t)
	p, err := project.NewService(db).Create(context.Background(), identity.SystemActor("test"), project.Draft{Slug: "brug", Title: "Brug", Summary: "Over de brug."})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: instrument.NewService(db), proj: p.ID, now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	f.svc.SetClock(func() time.Time { return f.now })
	return f
}

// instrument stores a poll-kind instruments row (the settings do not care
// about the kind) created at the fixture's time.
func (f *fixture) instrument(t *testing.T) *instrument.Instrument {
	t.Helper()
	opens, closes := f.now.Add(-time.Hour), f.now.Add(24*time.Hour)
	in := instrument.NewRow(instrument.Header{ProjectID: f.proj, Kind: instrument.KindConsultation, Slug: "vragen-over-de-brug",
		Title: "Vragen over de brug", Description: "Uitleg."},
		instrument.Instrument{Who: instrument.WhoDigiD, OpensAt: &opens, ClosesAt: &closes, AllowChange: true}, f.now)
	if err := f.db.Create(&in).Error; err != nil {
		t.Fatal(err)
	}
	return &in
}

func (f *fixture) reload(t *testing.T, id int64) *instrument.Instrument {
	t.Helper()
	in, err := f.svc.Get(context.Background(), f.proj, id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func TestSettingsChangeRulesButNeverTheAddress(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	in := f.instrument(t)
	f.now = f.now.Add(time.Hour)
	opens := f.now.Add(24 * time.Hour)
	eh := identity.Levels(identity.EHerkenning)[1]
	changes, err := f.svc.UpdateSettings(ctx, identity.SystemActor("test"), f.proj, in.ID, instrument.Settings{Title: "  Uw mening over de brug ", Description: "",
		Rules: instrument.Instrument{Who: instrument.WhoAny, MinLoAEH: eh, ResidentsOnly: true, MinAge: 16, OpensAt: &opens,
			// Fields that are not settings are ignored.
			Slug: "ander-adres", Kind: instrument.KindPoll, ProjectID: 999, Published: true}})
	if err != nil {
		t.Fatal(err)
	}
	got := f.reload(t, in.ID)
	if got.Title != "Uw mening over de brug" || got.Description != "" || got.Who != instrument.WhoAny || got.MinLoAEH != eh ||
		!got.ResidentsOnly || got.MinAge != 16 || got.OpensAt == nil || !got.OpensAt.Equal(opens) || got.ClosesAt != nil || got.AllowChange {
		t.Fatalf("after update: %+v", got)
	}
	if got.Slug != "vragen-over-de-brug" || got.Kind != instrument.KindConsultation || got.Published || got.ProjectID != f.proj {
		t.Fatalf("identity changed: %+v", got)
	}
	if !got.UpdatedAt.Equal(f.now) || !got.CreatedAt.Equal(in.CreatedAt) {
		t.Fatalf("updated_at %s (want %s), created_at %s", got.UpdatedAt, f.now, got.CreatedAt)
	}
	// What changed, with old and new values, for the audit log.
	if c := changes["title"]; c.From != "Vragen over de brug" || c.To != "Uw mening over de brug" {
		t.Errorf("title change: %+v", c)
	}
	if c, ok := changes["closes_at"]; !ok || c.To != nil {
		t.Errorf("closes_at change: %+v", c)
	}
	if _, ok := changes["min_loa_digid"]; ok {
		t.Errorf("an unchanged setting is listed: %+v", changes)
	}

	// Saving the same settings again still moves updated_at, even when
	// the clock has not moved.
	_, err = f.svc.UpdateSettings(ctx, identity.SystemActor("test"), f.proj, in.ID, instrument.Settings{Title: got.Title, Rules: *got})
	if err != nil {
		t.Fatal(err)
	}
	if again := f.reload(t, in.ID); !again.UpdatedAt.After(got.UpdatedAt) {
		t.Fatalf("updated_at stayed %s", again.UpdatedAt)
	}
}

func TestBadSettingsChangeNothing(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	in := f.instrument(t)
	f.now = f.now.Add(time.Hour)
	early := f.now.Add(-2 * time.Hour)
	good := func() instrument.Settings {
		return instrument.Settings{Title: "Nieuwe titel", Rules: instrument.Instrument{Who: instrument.WhoAny}}
	}
	for field, edit := range map[string]func(*instrument.Settings){
		"title":         func(s *instrument.Settings) { s.Title = "   " },
		"who":           func(s *instrument.Settings) { s.Rules.Who = "iedereen" },
		"min_loa_digid": func(s *instrument.Settings) { s.Rules.MinLoADigiD = "heel-hoog" },
		"min_loa_eh":    func(s *instrument.Settings) { s.Rules.MinLoAEH = identity.Levels(identity.DigiD)[0] },
		"min_age":       func(s *instrument.Settings) { s.Rules.MinAge = 121 },
		"closes_at": func(s *instrument.Settings) {
			opens := f.now
			s.Rules.OpensAt, s.Rules.ClosesAt = &opens, &early
		},
	} {
		st := good()
		edit(&st)
		_, err := f.svc.UpdateSettings(ctx, identity.SystemActor("test"), f.proj, in.ID, st)
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid || e.Fields[field] == "" {
			t.Errorf("%s: %v", field, err)
		}
	}
	// Another project's address does not reach this instrument.
	if _, err := f.svc.UpdateSettings(ctx, identity.SystemActor("test"), f.proj+1, in.ID, good()); apperror.CodeOf(err) != apperror.NotFound {
		t.Errorf("other project: %v", err)
	}
	if _, err := f.svc.UpdateSettings(ctx, identity.SystemActor("test"), f.proj, in.ID+100, good()); apperror.CodeOf(err) != apperror.NotFound {
		t.Errorf("unknown instrument: %v", err)
	}
	got := f.reload(t, in.ID)
	if got.Title != in.Title || got.Who != in.Who || !got.UpdatedAt.Equal(in.UpdatedAt) {
		t.Fatalf("a refused update changed the row: %+v", got)
	}
}
