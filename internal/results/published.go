package results

import "context"

// PublishedAmong says which of the given consultations have their results
// on the site, in one query (a list of instruments asks once, not once
// per instrument).
func (s *Service) PublishedAmong(ctx context.Context, instrumentIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(instrumentIDs) == 0 {
		return out, nil
	}
	var ids []int64
	if err := s.db.WithContext(ctx).Model(&Publication{}).Where("instrument_id IN ? AND withdrawn_at IS NULL", instrumentIDs).
		Pluck("instrument_id", &ids).Error; err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}
