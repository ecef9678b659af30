package consultation

import (
	"context"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/account"
)

// MyResponse is one consultation a participant answered (or started),
// for "Mijn inspraak".
type MyResponse struct {
	InstrumentID    int64
	ProjectSlug     string
	ProjectTitle    string
	InstrumentSlug  string
	InstrumentTitle string
	Status          string
	Reference       string
	UpdatedAt       time.Time
	SubmittedAt     *time.Time
}

// ResponsesOf returns a participant's responses and drafts, newest first.
func (s *Service) ResponsesOf(ctx context.Context, participantID int64) ([]MyResponse, error) {
	var out []MyResponse
	err := s.db.WithContext(ctx).Model(&Response{}).Select("instruments.id AS instrument_id, projects.slug AS project_slug, projects.title AS project_title, "+
		"instruments.slug AS instrument_slug, instruments.title AS instrument_title, responses.status, responses.reference, "+
		"responses.updated_at, responses.submitted_at").
		Joins("JOIN instruments ON instruments.id = responses.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("responses.participant_id = ?", participantID).Order("responses.updated_at DESC, responses.id DESC").Scan(&out).Error
	return out, err
}

// Erase removes a participant's drafts and unlinks their submitted
// responses inside the caller's transaction: what they submitted stays in
// the results, without a link to them. The voter register keeps only that
// they submitted, so they cannot answer again. A response keeps only the
// day it was started, changed and submitted (the results count submissions
// per day), not the moments a login would link back to the person, and is
// not stamped with the erasure's moment.
func Erase(tx *gorm.DB, participantID int64) error {
	if err := tx.Where("participant_id = ? AND status = ?", participantID, StatusDraft).Delete(&Response{}).Error; err != nil {
		return err
	}
	return account.Unlink(tx, "responses", []string{"id"}, []string{"created_at", "updated_at", "submitted_at"},
		map[string]any{"participant_id": nil}, "participant_id = ?", participantID)
}
