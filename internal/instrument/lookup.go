package instrument

import (
	"context"

	"inspraak/internal/apperror"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// GetOfKind returns any instrument by id (staff), if it is of one of the
// kinds given; anything else is not found.
func (s *Service) GetOfKind(ctx context.Context, id int64, kinds ...Kind) (*Instrument, error) {
	if id < 1 || len(kinds) == 0 {
		return nil, apperror.New(apperror.NotFound, "")
	}
	var in Instrument
	err := s.db.WithContext(ctx).Where("id = ? AND kind IN ?", id, kinds).Take(&in).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &in, nil
}

// GetPublicByID finds a published instrument of a kind on a public
// project (published, closed or archived) by id, in one query, with the
// project's status (for Open: a closed or archived project closes its
// instruments). Drafts do not exist as far as the public can tell.
func (s *Service) GetPublicByID(ctx context.Context, id int64, kind Kind) (*Instrument, project.Status, error) {
	if id < 1 {
		return nil, "", apperror.New(apperror.NotFound, "")
	}
	var row struct {
		Instrument
		ProjectStatus string
	}
	err := s.db.WithContext(ctx).Table("instruments").Select("instruments.*, projects.status AS project_status").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("instruments.id = ? AND instruments.kind = ? AND instruments.published AND projects.status IN ?", id,
			kind, []string{"published", "closed", "archived"}).Take(&row).Error
	if err != nil {
		return nil, "", store.MapError(err)
	}
	in := row.Instrument
	return &in, project.Status(row.ProjectStatus), nil
}

// ListPublishedIn returns the published instruments of several projects
// in one query, by project and in order: a list of projects with their
// instruments costs one query, not one per project.
func (s *Service) ListPublishedIn(ctx context.Context, projectIDs []int64) (map[int64][]Instrument, error) {
	out := map[int64][]Instrument{}
	if len(projectIDs) == 0 {
		return out, nil
	}
	var all []Instrument
	if err := s.db.WithContext(ctx).Where("project_id IN ? AND published = ?", projectIDs, true).
		Order("project_id").Order("position").Order("id").Find(&all).Error; err != nil {
		return nil, err
	}
	for _, in := range all {
		out[in.ProjectID] = append(out[in.ProjectID], in)
	}
	return out, nil
}
