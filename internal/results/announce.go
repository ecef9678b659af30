package results

import (
	"context"

	"gorm.io/gorm"

	"inspraak/internal/notify"
)

// Notifier is what results needs of package notify: telling a project's
// followers inside the caller's transaction, so the news and the change
// it is about commit together.
type Notifier interface {
	NotifyFollowers(ctx context.Context, tx *gorm.DB, projectID int64, m notify.Message) error
}

// SetNotifier sets who tells followers of a first publication; without
// one (tests, the export command) nobody is told.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// announce tells the followers of the instrument's project that its
// results are on the site, with a link to them.
func (s *Service) announce(ctx context.Context, tx *gorm.DB, instrumentID int64) error {
	if s.notifier == nil {
		return nil
	}
	var in struct {
		Title, Slug, ProjectSlug string
		ProjectID                int64
	}
	if err := tx.WithContext(ctx).Table("instruments i").Select("i.title, i.slug, i.project_id, p.slug AS project_slug").
		Joins("JOIN projects p ON p.id = i.project_id").Where("i.id = ?", instrumentID).Take(&in).Error; err != nil {
		return err
	}
	return s.notifier.NotifyFollowers(ctx, tx, in.ProjectID, notify.Message{Kind: notify.KindResults, Key: "notify.results_published",
		Params: []string{in.Title}, Link: "/projecten/" + in.ProjectSlug + "/" + in.Slug + "/resultaten"})
}
