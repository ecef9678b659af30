// Package participation is the voter register: who took part, kept apart
// from what they submitted (the ballot box). A row says only "the person
// behind this per-instrument id took part in X" and carries no link to a
// ballot, response, support or report, and no time. Its primary key is the
// database's guarantee of one person, one participation, on both dialects
// and under concurrency.
//
// The content tables link to the person only through their participant_id,
// which erasure sets to NULL. After that the register still stops a second
// vote, response, support or report, but nothing leads from the person to
// what they submitted.
package participation

import (
	"context"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/identity"
	"inspraak/internal/store"
)

// Kinds of participation and what RefID points at.
const (
	Ballot   = "ballot"   // RefID: the poll's instrument
	Response = "response" // RefID: the consultation's instrument (submitted responses only)
	Support  = "support"  // RefID: the idea
	Report   = "report"   // RefID: the moderation item
)

// Participation is a row of participations.
type Participation struct {
	Kind  string `gorm:"primaryKey"`
	RefID int64  `gorm:"primaryKey;autoIncrement:false"`
	// Voter is the HMAC of the participant's pseudonym under the pseudonym
	// key, per instrument (or per item for reports); see VoterID.
	Voter string `gorm:"primaryKey"`
	// InstrumentID is the instrument the participation belongs to, so the
	// rows go when it is deleted.
	InstrumentID int64 `gorm:"not null"`
}

// TableName fixes the table name.
func (Participation) TableName() string { return "participations" }

// Models lists the row structs this package owns.
func Models() []any { return []any{&Participation{}} }

// VoterID derives the register id of a participant (by their pseudonym)
// for one scope. The purposes and scopes are those the ids had before the
// register existed (migration 0016 moved the stored ids over unchanged):
// "ballot"/"response" with the instrument, "support" with the idea board,
// "report-<kind>" with the reported contribution.
func VoterID(key []byte, purpose string, scopeID int64, subject string) string {
	return identity.InstrumentID(key, purpose, scopeID, subject)
}

// Register records a participation inside the caller's transaction. It
// reports whether the row is new; false means the person had already taken
// part (on PostgreSQL a concurrent insert of the same row is waited for).
func Register(tx *gorm.DB, kind string, refID, instrumentID int64, voter string) (bool, error) {
	res := tx.Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Participation{Kind: kind, RefID: refID, Voter: voter, InstrumentID: instrumentID})
	return res.RowsAffected == 1, res.Error
}

// Unregister removes a participation (a support taken back).
func Unregister(tx *gorm.DB, kind string, refID int64, voter string) error {
	return tx.Where("kind = ? AND ref_id = ? AND voter = ?", kind, refID, voter).Delete(&Participation{}).Error
}

// Registered says whether the voter took part in refID.
func Registered(tx *gorm.DB, kind string, refID int64, voter string) (bool, error) {
	var n int64
	err := tx.Model(&Participation{}).Where("kind = ? AND ref_id = ? AND voter = ?", kind, refID, voter).Limit(1).Count(&n).Error
	return n > 0, err
}

// RegisteredIn returns which of refIDs the voter took part in.
func RegisteredIn(ctx context.Context, db *store.DB, kind, voter string, refIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(refIDs) == 0 {
		return out, nil
	}
	var ids []int64
	err := db.WithContext(ctx).Model(&Participation{}).Where("kind = ? AND voter = ? AND ref_id IN ?", kind, voter, refIDs).
		Pluck("ref_id", &ids).Error
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}
