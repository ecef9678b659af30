package poll

import (
	"context"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/account"
)

// MyVote is one poll a participant voted in, for "Mijn inspraak".
type MyVote struct {
	ProjectSlug     string
	ProjectTitle    string
	InstrumentSlug  string
	InstrumentTitle string
	InstrumentID    int64
	BallotID        int64
	Options         []string `gorm:"-"`
	UpdatedAt       time.Time
}

// VotesOf returns the polls a participant voted in, newest first, with the
// options they chose (two queries, whatever the number of polls).
func (s *Service) VotesOf(ctx context.Context, participantID int64) ([]MyVote, error) {
	var out []MyVote
	db := s.db.WithContext(ctx)
	err := db.Model(&Ballot{}).Select("projects.slug AS project_slug, projects.title AS project_title, instruments.slug AS instrument_slug, "+
		"instruments.title AS instrument_title, ballots.instrument_id, ballots.id AS ballot_id, ballots.updated_at").
		Joins("JOIN instruments ON instruments.id = ballots.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("ballots.participant_id = ?", participantID).Order("ballots.updated_at DESC, ballots.id DESC").Scan(&out).Error
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	at := map[int64]int{}
	for i, v := range out {
		ids[i], at[v.BallotID] = v.BallotID, i
	}
	var rows []struct {
		BallotID int64
		Label    string
	}
	err = db.Model(&Choice{}).Select("ballot_choices.ballot_id, poll_options.label").
		Joins("JOIN poll_options ON poll_options.id = ballot_choices.option_id").
		Where("ballot_choices.ballot_id IN ?", ids).Order("poll_options.position").Scan(&rows).Error
	for _, r := range rows {
		out[at[r.BallotID]].Options = append(out[at[r.BallotID]].Options, r.Label)
	}
	return out, err
}

// Erase unlinks a participant's ballots inside the caller's transaction:
// the votes stay counted, nothing leads from the person to what they
// chose, and the voter register (which holds no link to the ballot) still
// stops a second ballot if the same person logs in again. The ballot keeps
// only the day it was cast and last changed (not the moment, which a login
// at that moment would link back to the person), and is not stamped with
// the erasure's moment.
func Erase(tx *gorm.DB, participantID int64) error {
	return account.Unlink(tx, "ballots", []string{"id"}, []string{"created_at", "updated_at"},
		map[string]any{"participant_id": nil}, "participant_id = ?", participantID)
}
