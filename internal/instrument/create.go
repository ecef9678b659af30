package instrument

import (
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
)

// Target is how the audit log names an instrument.
func Target(id int64) string { return "instrument:" + strconv.FormatInt(id, 10) }

// Create is how every kind (poll, consultation, idea board) comes to
// exist, inside the kind's transaction tx: it refuses an actor who may
// not edit, stores the instruments row built from h and rules, lets rows
// store the kind's own rows (which returns what the audit log tells of
// them), and records "<kind>.create" with the project's id. A taken
// address is the one field error "slug", whichever kind is made.
func Create(tx *gorm.DB, a identity.Actor, h Header, rules Instrument, now time.Time,
	rows func(in *Instrument) (map[string]any, error)) (*Instrument, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	in := NewRow(h, rules, now)
	if err := tx.Create(&in).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, apperror.Wrap(err, apperror.Conflict, "instrument.error.slug_taken").WithField("slug", "instrument.error.slug_taken")
		}
		return nil, err
	}
	detail, err := rows(&in)
	if err != nil {
		return nil, err
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["project"] = h.ProjectID
	if err := a.Record(tx, string(h.Kind)+".create", Target(in.ID), detail); err != nil {
		return nil, err
	}
	return &in, nil
}
