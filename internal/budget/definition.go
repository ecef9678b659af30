package budget

import (
	"context"
	"sync"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/instrument"
	"inspraak/internal/store"
)

// A budget's definition — its settings, areas and plans — is what every
// ballot is judged by, and it changes only through the editor's methods
// (edit.go), each of which starts with instrument.Touch: that moves the
// instrument's updated_at, in the same transaction as the change. So the
// definition is kept per instance keyed by that updated_at, as polls keep
// theirs: a request that reads the instrument row (Cast under FOR KEY
// SHARE, the pages through instrument.GetPublished) and finds another
// updated_at than the kept one loads the definition again. An edit made
// by another instance on the same database moves the same column, so it
// is honoured by the next read here too; nothing is announced between
// instances.
//
// Loading a definition reads the budget, the areas and the plans, and
// only then the instrument's updated_at again: the definition is kept
// only when that still equals the updated_at it was asked for. An edit
// that committed between the reads makes them differ (it moved updated_at
// after the plans were read, or before, and then the first read already
// saw it), so a mix of old and new rows is never kept under either key.

// maxDefinitions bounds the cache; past it, it starts over.
const maxDefinitions = 1024

// definitions is the cache, shared by the copies WithClock makes.
type definitions struct {
	mu sync.Mutex
	m  map[int64]*Budget // Instrument set to a copy holding only UpdatedAt
}

func (d *definitions) get(id int64, at time.Time) *Budget {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.m[id]
	if b == nil || !b.Instrument.UpdatedAt.Equal(at) {
		return nil
	}
	return b
}

func (d *definitions) put(b *Budget, at time.Time) {
	kept := *b
	kept.Instrument = &instrument.Instrument{ID: b.InstrumentID, UpdatedAt: at}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDefinitions {
		d.m = map[int64]*Budget{}
	}
	d.m[b.InstrumentID] = &kept
}

// Definition returns the budget behind in (an instrument just read, with
// its updated_at), with its areas and plans, from the cache when it was
// loaded at the same updated_at. The returned Budget's Instrument is in;
// its Areas and Plans are shared with other callers and must not be
// changed.
func (s *Service) Definition(ctx context.Context, in *instrument.Instrument) (*Budget, error) {
	return s.definition(s.db.WithContext(ctx), in)
}

// definition is Definition inside db (Cast's transaction).
func (s *Service) definition(db *gorm.DB, in *instrument.Instrument) (*Budget, error) {
	if b := s.defs.get(in.ID, in.UpdatedAt); b != nil {
		out := *b
		out.Instrument = in
		return &out, nil
	}
	var b Budget
	err := db.Preload("Areas", func(db *gorm.DB) *gorm.DB { return db.Order("wijk") }).
		Preload("Plans", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("instrument_id = ?", in.ID).Take(&b).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	var at time.Time
	if err := db.Raw("SELECT updated_at FROM instruments WHERE id = ?", in.ID).Row().Scan(&at); err != nil {
		return nil, store.MapError(err)
	}
	if at.Equal(in.UpdatedAt) {
		s.defs.put(&b, at)
	}
	b.Instrument = in
	return &b, nil
}
