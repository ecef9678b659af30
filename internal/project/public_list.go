package project

import "context"

// ListAllPublic returns every project on the public list (published and
// closed, as ListPublic) in the list's order, in one query: the JSON API
// gives them all at once.
func (s *Service) ListAllPublic(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := s.db.WithContext(ctx).Model(&Project{}).Select(summaryColumns).
		Where("status IN ?", []Status{StatusPublished, StatusClosed}).
		Order("CASE WHEN status = 'published' THEN 0 ELSE 1 END").
		Order("published_at DESC").Order("id DESC").
		Find(&out).Error
	return out, err
}
