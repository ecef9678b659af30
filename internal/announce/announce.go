// Package announce tells the followers of a project when it enters a new
// phase. Phases change by date, not by an editor's action, so a periodic
// check compares each published project's current phase with the one last
// announced (kept in the settings table) and notifies followers in the same
// transaction that records the new one: once, also with several instances
// checking at the same time.
package announce

import (
	"context"
	"errors"
	"strconv"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/notify"
	"inspraak/internal/project"
	"inspraak/internal/setting"
	"inspraak/internal/store"
)

// Announcer checks projects for phase changes.
type Announcer struct {
	db     *store.DB
	notify *notify.Service
	now    func() time.Time
}

// New returns an announcer.
func New(db *store.DB, n *notify.Service) *Announcer {
	return &Announcer{db: db, notify: n, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (a *Announcer) SetClock(now func() time.Time) { a.now = now }

func key(projectID int64) string { return "announce.phase." + strconv.FormatInt(projectID, 10) }

// current names the phase a project is in now: title and start date, since
// editors' saves recreate phase rows and their ids change. "" for none.
func current(p *project.Project, now time.Time) (string, string) {
	for i := range p.Phases {
		var next *project.Phase
		if i+1 < len(p.Phases) {
			next = &p.Phases[i+1]
		}
		if p.Phases[i].State(now, next) == project.PhaseCurrent {
			return p.Phases[i].Title + "|" + p.Phases[i].StartsOn.Format(time.DateOnly), p.Phases[i].Title
		}
	}
	return "", ""
}

var errTaken = errors.New("announced by another instance")

// Phases checks every published project once and returns how many phase
// changes it announced. The first time it sees a project it only records
// the current phase: followers hear of changes, not of the state of things
// when the check was switched on.
func (a *Announcer) Phases(ctx context.Context) (int, error) {
	var projects []project.Project
	err := a.db.WithContext(ctx).Where("status = ?", project.StatusPublished).
		Preload("Phases", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).Find(&projects).Error
	if err != nil {
		return 0, err
	}
	now := a.now()
	done := 0
	for i := range projects {
		p := &projects[i]
		mark, title := current(p, now)
		announced := false
		err := a.db.WithTx(ctx, func(tx *gorm.DB) error {
			var old setting.Setting
			err := tx.Where("key = ?", key(p.ID)).Take(&old).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return tx.Clauses(clause.OnConflict{DoNothing: true}).
					Create(&setting.Setting{Key: key(p.ID), Value: mark, UpdatedAt: now}).Error
			}
			if err != nil || old.Value == mark {
				return err
			}
			// Claim the change: only the instance whose update still finds
			// the old value announces it.
			res := tx.Model(&setting.Setting{}).Where("key = ? AND value = ?", key(p.ID), old.Value).
				Updates(map[string]any{"value": mark, "updated_at": now})
			if res.Error != nil {
				return res.Error
			}
			if res.RowsAffected == 0 {
				return errTaken
			}
			if title == "" {
				return nil // between phases, or past the last one: nothing to announce
			}
			announced = true
			return a.notify.NotifyFollowers(ctx, tx, p.ID, notify.Message{Kind: notify.KindProjectPhase,
				Key: "notify.msg.project_phase", Params: []string{p.Title, title}, Link: "/projecten/" + p.Slug})
		})
		if err != nil && !errors.Is(err, errTaken) {
			return done, err
		}
		if err == nil && announced {
			done++
		}
	}
	return done, nil
}
