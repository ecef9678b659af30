package instrument

import (
	"context"
	"regexp"

	"inspraak/internal/apperror"
	"inspraak/internal/store"
)

// Service reads instruments.
type Service struct{ db *store.DB }

// NewService returns an instrument service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ListPublished returns a project's published instruments in order.
func (s *Service) ListPublished(ctx context.Context, projectID int64) ([]Instrument, error) {
	var out []Instrument
	err := s.db.WithContext(ctx).Where("project_id = ? AND published = ?", projectID, true).
		Order("position").Order("id").Find(&out).Error
	return out, err
}

// GetPublished returns one published instrument of a project by slug.
func (s *Service) GetPublished(ctx context.Context, projectID int64, slug string) (*Instrument, error) {
	if len(slug) > 80 || !slugPattern.MatchString(slug) {
		return nil, apperror.New(apperror.NotFound, "")
	}
	var in Instrument
	err := s.db.WithContext(ctx).Where("project_id = ? AND slug = ? AND published = ?", projectID, slug, true).Take(&in).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &in, nil
}
