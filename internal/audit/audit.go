// Package audit owns the append-only audit log: staff actions, logins,
// failed logins and logouts. Entries name people only by pseudonym or
// staff id, never by BSN, KVK number or e-mail. The database refuses
// updates and deletes of this table (a trigger), so history cannot be
// rewritten through the application.
package audit

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/store"
)

// Actor kinds.
const (
	ActorAnonymous = "anonymous"
	ActorResident  = "resident"
	ActorStaff     = "staff"
	ActorSystem    = "system"
)

// Entry is one row of the audit log.
type Entry struct {
	ID        int64     `gorm:"primaryKey"`
	At        time.Time `gorm:"not null"`
	ActorKind string    `gorm:"not null"`
	Actor     string    `gorm:"not null"`
	Action    string    `gorm:"not null"`
	Target    string    `gorm:"not null"`
	Detail    string    `gorm:"not null"`
}

// TableName fixes the table name.
func (Entry) TableName() string { return "audit_log" }

// Models lists the row structs this package owns, for the schema test.
func Models() []any { return []any{&Entry{}} }

// Log writes and reads the audit log.
type Log struct {
	db  *store.DB
	now func() time.Time
}

// New returns an audit log.
func New(db *store.DB) *Log { return &Log{db: db, now: time.Now} }

// Event is what a caller records.
type Event struct {
	ActorKind string
	Actor     string
	Action    string
	Target    string
	Detail    map[string]any
}

// Record appends an event.
func (l *Log) Record(ctx context.Context, e Event) error {
	return l.RecordTx(l.db.WithContext(ctx), e)
}

// RecordTx appends an event inside the caller's transaction, so the action
// and its record commit or fail together.
func (l *Log) RecordTx(tx *gorm.DB, e Event) error { return write(tx, l.now(), e) }

// Write appends an event inside tx, the transaction of the change it
// records, without a Log at hand: the domain services write their staff
// actions this way, so that an action whose record fails is not made.
func Write(tx *gorm.DB, e Event) error { return write(tx, time.Now(), e) }

func write(tx *gorm.DB, at time.Time, e Event) error {
	detail := ""
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	return tx.Create(&Entry{At: at.UTC(), ActorKind: e.ActorKind, Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: detail}).Error
}

// Filter narrows a listing.
type Filter struct {
	Action    string // exact action, or a prefix ending in "."
	ActorKind string
	Actor     string
	Page      int
}

// PageSize is the number of entries per page.
const PageSize = 50

// Page is one page of entries, newest first.
type Page struct {
	Entries []Entry
	Total   int64
	Page    int
	Pages   int
}

// List returns entries matching f, newest first.
func (l *Log) List(ctx context.Context, f Filter) (Page, error) {
	q := l.db.WithContext(ctx).Model(&Entry{})
	if f.Action != "" {
		if f.Action[len(f.Action)-1] == '.' {
			q = q.Where("action LIKE ?", f.Action+"%")
		} else {
			q = q.Where("action = ?", f.Action)
		}
	}
	if f.ActorKind != "" {
		q = q.Where("actor_kind = ?", f.ActorKind)
	}
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	p := Page{Page: max(f.Page, 1)}
	if err := q.Session(&gorm.Session{}).Count(&p.Total).Error; err != nil {
		return p, err
	}
	p.Pages = max(int((p.Total+PageSize-1)/PageSize), 1)
	err := q.Order("at DESC").Order("id DESC").Limit(PageSize).Offset((p.Page - 1) * PageSize).Find(&p.Entries).Error
	return p, err
}

// Actions lists the distinct actions recorded, for the filter menu.
func (l *Log) Actions(ctx context.Context) ([]string, error) {
	var out []string
	err := l.db.WithContext(ctx).Model(&Entry{}).Distinct("action").Order("action").Pluck("action", &out).Error
	return out, err
}

// Erased replaces an erased resident's pseudonym in their entries.
const Erased = "gewist"

// ForgetTx replaces a resident's pseudonym by Erased in every entry that
// names it, inside the caller's (erasure's) transaction. The entries stay,
// with their time and action, so the log still shows that someone logged
// in then; it no longer says who, which the pseudonym would tell to
// anyone who can derive it from a BSN. This is the only change the
// database allows to an entry.
func (l *Log) ForgetTx(tx *gorm.DB, pseudonym string) error {
	if pseudonym == "" {
		return nil
	}
	for _, col := range []string{"actor", "target"} {
		err := tx.Model(&Entry{}).Where("actor_kind = ? AND "+col+" = ?", ActorResident, pseudonym).UpdateColumn(col, Erased).Error
		if err != nil {
			return err
		}
	}
	return nil
}
