package instrument

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Service reads instruments and changes what all kinds share.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns an instrument service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

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

// SetPublished publishes or withdraws an instrument. Only editors may;
// the audit record is written in the same transaction.
func (s *Service) SetPublished(ctx context.Context, a identity.Actor, projectID, id int64, published bool) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Instrument{}).Where("id = ? AND project_id = ?", id, projectID).
			Updates(map[string]any{"published": published, "updated_at": time.Now().UTC()})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperror.New(apperror.NotFound, "")
		}
		return a.Record(tx, "instrument.publish", Target(id), map[string]any{"published": published})
	})
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
// more of the project than that it is public), with its project's status,
// which decides with the instrument's dates whether it is open (StateIn).
func (s *Service) GetPublishedBySlugs(ctx context.Context, projectSlug, slug string) (*Instrument, project.Status, error) {
	if len(slug) > 80 || !slugPattern.MatchString(slug) || len(projectSlug) > 80 || !slugPattern.MatchString(projectSlug) {
		return nil, "", apperror.New(apperror.NotFound, "")
	}
	// Every resident request on an instrument starts here, so the query is
	// written out and scanned by hand rather than built by gorm.
	return scanWithStatus(s.db.WithContext(ctx).Raw(bySlugsSQL, projectSlug, slug).Row())
}

// ForRules reads an instrument with its project's status in one query,
// inside the transaction of a service that is about to store someone's
// participation and must apply Eligible to both. With lock, on
// PostgreSQL, the instrument row is held FOR KEY SHARE until the
// transaction ends, so an editor's change (Touch holds FOR UPDATE) lands
// wholly before or after the participation it is checked against.
func ForRules(tx *gorm.DB, id int64, lock bool) (*Instrument, project.Status, error) {
	q := byIDSQL
	if lock && tx.Dialector.Name() == store.Postgres {
		q += " FOR KEY SHARE OF i"
	}
	return scanWithStatus(tx.Raw(q, id).Row())
}

// scanWithStatus scans a row of withStatusSQL.
func scanWithStatus(row *sql.Row) (*Instrument, project.Status, error) {
	var (
		in            Instrument
		status        project.Status
		opens, closes sql.NullTime
	)
	err := row.Scan(
		&in.ID, &in.ProjectID, &in.Kind, &in.Slug, &in.Title, &in.Description, &in.Position,
		&in.Published, &in.Who, &in.MinLoADigiD, &in.MinLoAEH, &in.ResidentsOnly, &in.MinAge,
		&opens, &closes, &in.AllowChange, &in.CreatedAt, &in.UpdatedAt, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", apperror.New(apperror.NotFound, "")
	}
	if err != nil {
		return nil, "", err
	}
	if opens.Valid {
		t := opens.Time
		in.OpensAt = &t
	}
	if closes.Valid {
		t := closes.Time
		in.ClosesAt = &t
	}
	return &in, status, nil
}

// withStatusSQL reads an instrument and its project's status.
const withStatusSQL = `SELECT i.id, i.project_id, i.kind, i.slug, i.title, i.description, i.position,
  i.published, i.who, i.min_loa_digid, i.min_loa_eh, i.residents_only, i.min_age,
  i.opens_at, i.closes_at, i.allow_change, i.created_at, i.updated_at, p.status
FROM instruments i JOIN projects p ON p.id = i.project_id`

const bySlugsSQL = withStatusSQL + `
WHERE p.slug = ? AND p.status IN ('published', 'closed', 'archived') AND i.slug = ? AND i.published`

const byIDSQL = withStatusSQL + `
WHERE i.id = ?`

// Touch locks an instrument's row until the transaction ends and moves
// its updated_at forward. Whatever caches an instrument's definition (the
// vote path does) keys it by updated_at, so every edit of an instrument,
// of its rules or of its kind's own rows, calls Touch in the transaction
// that makes the edit. The new time is now, or just past the old one when
// the clock has not moved beyond it (two edits in one microsecond, or an
// instance whose clock runs behind), so the key always changes. Touch
// returns the row as it was before.
func Touch(tx *gorm.DB, id int64, now time.Time) (*Instrument, error) {
	var in Instrument
	q := tx.Where("id = ?", id)
	if tx.Dialector.Name() == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&in).Error; err != nil {
		return nil, store.MapError(err)
	}
	at := now.UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	if !at.After(in.UpdatedAt) {
		at = in.UpdatedAt.UTC().Truncate(time.Microsecond).Add(time.Microsecond)
	}
	if err := tx.Model(&Instrument{}).Where("id = ?", id).Update("updated_at", at).Error; err != nil {
		return nil, err
	}
	return &in, nil
}

// Settings is what an editor may change of any instrument once it exists:
// its title, its description and its participation rules. The kind and
// the address (slug) never change here: the address may be on a poster.
type Settings struct {
	Title       string
	Description string
	// Rules carries Who, MinLoADigiD, MinLoAEH, ResidentsOnly, MinAge,
	// OpensAt, ClosesAt and AllowChange; its other fields are ignored.
	Rules Instrument
}

// MaxMinAge is the highest minimum age an editor can set.
const MaxMinAge = 120

// Problems returns a message key per setting that cannot be stored, so a
// form can show them all at once. UpdateSettings refuses the same.
func (st Settings) Problems() map[string]string {
	f := map[string]string{}
	if strings.TrimSpace(st.Title) == "" {
		f["title"] = "poll.error.title_required"
	}
	r := st.Rules
	switch r.Who {
	case WhoAny, WhoDigiD, WhoEHerkenning:
	default:
		f["who"] = "editor.error.who"
	}
	if r.MinLoADigiD != "" && identity.LoARank(identity.DigiD, r.MinLoADigiD) == 0 {
		f["min_loa_digid"] = "editor.error.loa"
	}
	if r.MinLoAEH != "" && identity.LoARank(identity.EHerkenning, r.MinLoAEH) == 0 {
		f["min_loa_eh"] = "editor.error.loa"
	}
	if r.MinAge < 0 || r.MinAge > MaxMinAge {
		f["min_age"] = "instrument.error.min_age"
	}
	if r.OpensAt != nil && r.ClosesAt != nil && !r.ClosesAt.After(*r.OpensAt) {
		f["closes_at"] = "instrument.error.closes_before_opens"
	}
	return f
}

// Change is one setting's value before and after an edit, for the audit
// log.
type Change struct {
	From any `json:"from"`
	To   any `json:"to"`
}

// Changes maps a setting's name to how it changed.
type Changes map[string]Change

// settingValues names the settings of an instrument as the audit log
// shows them.
func settingValues(in *Instrument) map[string]any {
	at := func(t *time.Time) any {
		if t == nil {
			return nil
		}
		return t.UTC().Format(time.RFC3339)
	}
	return map[string]any{"title": in.Title, "description": in.Description, "who": in.Who,
		"min_loa_digid": in.MinLoADigiD, "min_loa_eh": in.MinLoAEH, "residents_only": in.ResidentsOnly,
		"min_age": in.MinAge, "opens_at": at(in.OpensAt), "closes_at": at(in.ClosesAt), "allow_change": in.AllowChange}
}

// UpdateSettings changes an instrument's title, description and
// participation rules, and moves its updated_at (Touch), all in one
// transaction, with the audit record listing each changed setting with
// its old and new value. Nothing changes when a setting is refused. Only
// editors may. It returns what changed.
func (s *Service) UpdateSettings(ctx context.Context, a identity.Actor, projectID, id int64, st Settings) (Changes, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	if f := st.Problems(); len(f) > 0 {
		return nil, apperror.Invalid.WithFields(f)
	}
	st.Title, st.Description = strings.TrimSpace(st.Title), strings.TrimSpace(st.Description)
	r := st.Rules
	var changes Changes
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		old, err := Touch(tx, id, s.now())
		if err != nil {
			return err
		}
		if old.ProjectID != projectID {
			return apperror.New(apperror.NotFound, "")
		}
		next := *old
		next.Title, next.Description = st.Title, st.Description
		next.Who, next.MinLoADigiD, next.MinLoAEH = r.Who, r.MinLoADigiD, r.MinLoAEH
		next.ResidentsOnly, next.MinAge, next.OpensAt, next.ClosesAt, next.AllowChange = r.ResidentsOnly, r.MinAge, r.OpensAt, r.ClosesAt, r.AllowChange
		// A map, so that false, 0 and NULL are written too; UpdateColumns,
		// so gorm does not replace Touch's updated_at with its own clock.
		err = tx.Model(&Instrument{}).Where("id = ?", id).UpdateColumns(map[string]any{
			"title": next.Title, "description": next.Description, "who": next.Who,
			"min_loa_digid": next.MinLoADigiD, "min_loa_eh": next.MinLoAEH, "residents_only": next.ResidentsOnly,
			"min_age": next.MinAge, "opens_at": next.OpensAt, "closes_at": next.ClosesAt, "allow_change": next.AllowChange,
		}).Error
		if err != nil {
			return err
		}
		before, after := settingValues(old), settingValues(&next)
		changes = Changes{}
		for k, v := range after {
			if before[k] != v {
				changes[k] = Change{From: before[k], To: v}
			}
		}
		return a.Record(tx, "instrument.settings", Target(id), map[string]any{"project": projectID, "kind": old.Kind, "changes": changes})
	})
	if err != nil {
		return nil, err
	}
	return changes, nil
}

// FreeSlug returns base when nothing in the project has that address, or
// else the first of base-2, base-3, … that is free (see project.FirstFree).
func (s *Service) FreeSlug(ctx context.Context, projectID int64, base string) (string, error) {
	var taken []string
	if err := s.db.WithContext(ctx).Model(&Instrument{}).Where("project_id = ? AND (slug = ? OR slug LIKE ?)", projectID, base, base+"-%").
		Pluck("slug", &taken).Error; err != nil {
		return "", err
	}
	return project.FirstFree(base, taken), nil
}
