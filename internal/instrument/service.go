package instrument

import (
	"context"
	"regexp"
	"time"

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

// ListAll returns all instruments of a project, published or not (staff).
func (s *Service) ListAll(ctx context.Context, projectID int64) ([]Instrument, error) {
	var out []Instrument
	err := s.db.WithContext(ctx).Where("project_id = ?", projectID).Order("position").Order("id").Find(&out).Error
	return out, err
}

// SetPublished publishes or withdraws an instrument.
func (s *Service) SetPublished(ctx context.Context, projectID, id int64, published bool) error {
	res := s.db.WithContext(ctx).Model(&Instrument{}).Where("id = ? AND project_id = ?", id, projectID).
		Updates(map[string]any{"published": published, "updated_at": time.Now().UTC()})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "")
	}
	return nil
}

// Get returns any instrument of a project by id (staff).
func (s *Service) Get(ctx context.Context, projectID, id int64) (*Instrument, error) {
	var in Instrument
	err := s.db.WithContext(ctx).Where("id = ? AND project_id = ?", id, projectID).Take(&in).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &in, nil
}

// GetPublishedBySlugs finds a published instrument by its project's and
// its own address in one query (the vote and answer endpoints need no
// more of the project than that it is public), and says whether the
// project is still open: a closed or archived project closes its
// instruments, whatever their own closing time.
func (s *Service) GetPublishedBySlugs(ctx context.Context, projectSlug, slug string) (*Instrument, bool, error) {
	if len(slug) > 80 || !slugPattern.MatchString(slug) || len(projectSlug) > 80 || !slugPattern.MatchString(projectSlug) {
		return nil, false, apperror.New(apperror.NotFound, "")
	}
	var row struct {
		Instrument
		ProjectStatus string
	}
	err := s.db.WithContext(ctx).Model(&Instrument{}).Select("instruments.*, projects.status AS project_status").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("projects.slug = ? AND projects.status IN ? AND instruments.slug = ? AND instruments.published = ?",
			projectSlug, []string{"published", "closed", "archived"}, slug, true).
		Take(&row).Error
	if err != nil {
		return nil, false, store.MapError(err)
	}
	return &row.Instrument, row.ProjectStatus == "published", nil
}
