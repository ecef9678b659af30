// Package account erases a participant's data on their request ("verwijder
// mijn gegevens"). Each domain contributes a step that runs inside one
// transaction: it either all happens or none of it does.
package account

import (
	"context"
	"strconv"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/store"
)

// Step removes or unlinks one domain's data of a participant, inside the
// erasure's transaction.
type Step func(tx *gorm.DB, participantID int64, now time.Time) error

// Eraser runs the steps and then removes the participant.
type Eraser struct {
	db    *store.DB
	audit *audit.Log
	steps []Step
	now   func() time.Time
}

// NewEraser returns an eraser with the domains' steps, in order.
func NewEraser(db *store.DB, log *audit.Log, steps ...Step) *Eraser {
	return &Eraser{db: db, audit: log, steps: steps, now: func() time.Time { return time.Now().UTC() }}
}

// Erase removes everything that links to the participant: their
// contributions are removed or anonymised by the steps, their sessions end
// and their participant row (pseudonym, display name, verified facts) is
// deleted. Their own audit entries (logins, logouts, address changes) keep
// their time but lose the pseudonym; the audit log keeps that an erasure
// happened, under the participant's number only.
func (e *Eraser) Erase(ctx context.Context, participantID int64) error {
	return e.db.WithTx(ctx, func(tx *gorm.DB) error {
		now := e.now()
		var subject []string
		if err := tx.Model(&identity.Participant{}).Where("id = ?", participantID).Pluck("subject", &subject).Error; err != nil {
			return err
		}
		for _, s := range subject {
			if err := e.audit.ForgetTx(tx, s); err != nil {
				return err
			}
		}
		for _, step := range e.steps {
			if err := step(tx, participantID, now); err != nil {
				return err
			}
		}
		if err := tx.Where("participant_id = ?", participantID).Delete(&identity.Session{}).Error; err != nil {
			return err
		}
		res := tx.Where("id = ?", participantID).Delete(&identity.Participant{})
		if res.Error != nil {
			return res.Error
		}
		return e.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorResident, Actor: "participant:" + strconv.FormatInt(participantID, 10),
			Action: "participant.erase", Target: "participant:" + strconv.FormatInt(participantID, 10)})
	})
}
