package project

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/richtext"
	"inspraak/internal/store"
)

// Service holds the rules and queries for projects.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// NewService returns a project service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Draft is what an editor supplies to create a project.
type Draft struct {
	Slug    string
	Title   string
	Summary string
	Body    string
	Wijk    string
	Phases  []PhaseDraft
	// ImagePath is an address from the media package; ImageAlt its text
	// alternative, required with an image.
	ImagePath string
	ImageAlt  string
}

// PhaseDraft is one phase of a Draft.
type PhaseDraft struct {
	Title       string
	Description string
	StartsOn    time.Time
	EndsOn      *time.Time
}

var slugPattern = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Limits on project texts.
const (
	MaxTitle   = 150
	MaxSummary = 600
	MaxBody    = 50_000
	MaxSlug    = 80
	MaxPhases  = 20
)

// validate checks a draft and reports every problem per field, with
// message keys from the catalogues.
func (d *Draft) validate() error {
	fields := map[string]string{}
	d.Slug = strings.TrimSpace(d.Slug)
	d.Title = strings.TrimSpace(d.Title)
	d.Summary = strings.TrimSpace(d.Summary)
	switch {
	case d.Slug == "":
		fields["slug"] = "project.error.slug_required"
	case len(d.Slug) > MaxSlug || !slugPattern.MatchString(d.Slug):
		fields["slug"] = "project.error.slug_format"
	}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		fields["title"] = "project.error.title_required"
	case n > MaxTitle:
		fields["title"] = "project.error.title_too_long"
	}
	switch n := utf8.RuneCountInString(d.Summary); {
	case n == 0:
		fields["summary"] = "project.error.summary_required"
	case n > MaxSummary:
		fields["summary"] = "project.error.summary_too_long"
	}
	d.ImageAlt = strings.TrimSpace(d.ImageAlt)
	if d.ImagePath != "" && d.ImageAlt == "" {
		fields["image_alt"] = "project.error.alt_required"
	}
	if utf8.RuneCountInString(d.ImageAlt) > 300 {
		fields["image_alt"] = "project.error.alt_too_long"
	}
	if utf8.RuneCountInString(d.Body) > MaxBody {
		fields["body"] = "project.error.body_too_long"
	}
	if len(d.Phases) > MaxPhases {
		fields["phases"] = "project.error.too_many_phases"
	}
	for i, ph := range d.Phases {
		if strings.TrimSpace(ph.Title) == "" || ph.StartsOn.IsZero() {
			fields["phases"] = "project.error.phase_incomplete"
			break
		}
		if ph.EndsOn != nil && ph.EndsOn.Before(ph.StartsOn) {
			fields["phases"] = "project.error.phase_ends_before_start"
			break
		}
		if i > 0 && ph.StartsOn.Before(d.Phases[i-1].StartsOn) {
			fields["phases"] = "project.error.phase_order"
			break
		}
	}
	if len(fields) > 0 {
		return apperror.Invalid.WithFields(fields)
	}
	return nil
}

// Create stores a new draft project with its phases, and its record in
// the audit log. Only editors may.
func (s *Service) Create(ctx context.Context, a identity.Actor, d Draft) (*Project, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	html, err := richtext.Render(d.Body)
	if err != nil {
		return nil, apperror.Wrap(err, apperror.Invalid, "project.error.body_invalid")
	}
	now := s.now()
	p := &Project{
		Slug: d.Slug, Title: d.Title, Summary: d.Summary, Body: d.Body, BodyHTML: string(html),
		Wijk: strings.TrimSpace(d.Wijk), ImagePath: d.ImagePath, ImageAlt: d.ImageAlt, Status: StatusDraft, CreatedAt: now, UpdatedAt: now,
	}
	for i, ph := range d.Phases {
		p.Phases = append(p.Phases, Phase{
			Position: i + 1, Title: strings.TrimSpace(ph.Title), Description: strings.TrimSpace(ph.Description),
			StartsOn: ph.StartsOn.UTC(), EndsOn: utcPtr(ph.EndsOn),
		})
	}
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(p).Error; err != nil {
			return err
		}
		return a.Record(tx, "project.create", target(p.ID), map[string]any{"slug": p.Slug})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperror.Wrap(err, apperror.Conflict, "project.error.slug_taken").WithField("slug", "project.error.slug_taken")
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Move changes a project's status if the life cycle allows it. Only
// editors may.
func (s *Service) Move(ctx context.Context, a identity.Actor, id int64, to Status) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var p Project
		if err := tx.Select("id", "status", "published_at").Where("id = ?", id).Take(&p).Error; err != nil {
			return store.MapError(err)
		}
		if !CanMove(p.Status, to) {
			return apperror.New(apperror.Conflict, "project.error.transition_not_allowed")
		}
		now := s.now()
		updates := map[string]any{"status": to, "updated_at": now}
		switch to {
		case StatusPublished:
			if p.PublishedAt == nil {
				updates["published_at"] = now
			}
			updates["closed_at"] = nil
		case StatusClosed:
			updates["closed_at"] = now
		}
		// The status in the WHERE clause makes a concurrent move lose
		// cleanly instead of both succeeding.
		res := tx.Model(&Project{}).Where("id = ? AND status = ?", id, p.Status).Updates(updates)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperror.New(apperror.Conflict, "project.error.changed_meanwhile")
		}
		return a.Record(tx, "project.status", target(id), map[string]any{"to": string(to)})
	})
}

// target is how the audit log names a project.
func target(id int64) string { return "project:" + strconv.FormatInt(id, 10) }

var summaryColumns = []string{"id", "slug", "title", "summary", "wijk", "image_path", "image_alt", "status", "published_at"}

// ListOpen returns published projects, newest first, at most limit.
func (s *Service) ListOpen(ctx context.Context, limit int) ([]Summary, error) {
	var out []Summary
	err := s.db.WithContext(ctx).Model(&Project{}).Select(summaryColumns).
		Where("status = ?", StatusPublished).
		Order("published_at DESC").Order("id DESC").Limit(limit).
		Find(&out).Error
	return out, err
}

// PageSize is how many projects one page of the list shows.
const PageSize = 12

// ListResult is one page of the public project list.
type ListResult struct {
	Items   []Summary
	Total   int64
	Page    int
	Pages   int
	Status  Status // the filter applied; empty for all public ones
	PerPage int
}

// ListPublic lists published and closed projects (archived ones stay
// readable by their address but leave the list), optionally one status.
func (s *Service) ListPublic(ctx context.Context, status Status, page int) (ListResult, error) {
	res := ListResult{Page: max(page, 1), Status: status, PerPage: PageSize}
	q := s.db.WithContext(ctx).Model(&Project{})
	switch status {
	case StatusPublished, StatusClosed:
		q = q.Where("status = ?", status)
	case "":
		q = q.Where("status IN ?", []Status{StatusPublished, StatusClosed})
	default:
		return res, apperror.New(apperror.Invalid, "project.error.unknown_filter")
	}
	if err := q.Session(&gorm.Session{}).Count(&res.Total).Error; err != nil {
		return res, err
	}
	res.Pages = int((res.Total + PageSize - 1) / PageSize)
	if res.Pages == 0 {
		res.Pages = 1
	}
	if res.Page > res.Pages {
		return res, apperror.New(apperror.NotFound, "project.error.page_not_found")
	}
	// Open projects first, then the most recently published.
	err := q.Select(summaryColumns).
		Order("CASE WHEN status = 'published' THEN 0 ELSE 1 END").
		Order("published_at DESC").Order("id DESC").
		Limit(PageSize).Offset((res.Page - 1) * PageSize).
		Find(&res.Items).Error
	return res, err
}

// GetPublic returns a project visitors may read, with its phases in order.
// Drafts do not exist as far as visitors can tell.
func (s *Service) GetPublic(ctx context.Context, slug string) (*Project, error) {
	if slug == "" || len(slug) > MaxSlug || !slugPattern.MatchString(slug) {
		return nil, apperror.New(apperror.NotFound, "")
	}
	var p Project
	// The Markdown source is not shown to visitors; its rendering is.
	err := s.db.WithContext(ctx).Omit("body").
		Preload("Phases", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("slug = ? AND status IN ?", slug, []Status{StatusPublished, StatusClosed, StatusArchived}).
		Take(&p).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &p, nil
}

// CountAll returns the number of projects in any status.
func (s *Service) CountAll(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Project{}).Count(&n).Error
	return n, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// Get returns any project by id with its phases, for staff.
func (s *Service) Get(ctx context.Context, id int64) (*Project, error) {
	var p Project
	err := s.db.WithContext(ctx).
		Preload("Phases", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("id = ?", id).Take(&p).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &p, nil
}

// ListAll returns every project for the back office, newest first.
func (s *Service) ListAll(ctx context.Context) ([]Summary, error) {
	var out []Summary
	err := s.db.WithContext(ctx).Model(&Project{}).Select(summaryColumns).
		Order("CASE status WHEN 'draft' THEN 0 WHEN 'published' THEN 1 WHEN 'closed' THEN 2 ELSE 3 END").
		Order("id DESC").Find(&out).Error
	return out, err
}

// Update saves an editor's changes. The address (slug) can change only
// while the project is a draft: once published it is on posters.
func (s *Service) Update(ctx context.Context, a identity.Actor, id int64, d Draft) (*Project, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	html, err := richtext.Render(d.Body)
	if err != nil {
		return nil, apperror.Wrap(err, apperror.Invalid, "project.error.body_invalid")
	}
	var p Project
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ?", id).Take(&p).Error; err != nil {
			return store.MapError(err)
		}
		if p.Slug != d.Slug && p.Status != StatusDraft {
			return apperror.New(apperror.Conflict, "project.error.slug_fixed").WithField("slug", "project.error.slug_fixed")
		}
		p.Slug, p.Title, p.Summary, p.Body, p.BodyHTML, p.Wijk = d.Slug, d.Title, d.Summary, d.Body, string(html), strings.TrimSpace(d.Wijk)
		p.ImagePath, p.ImageAlt = d.ImagePath, d.ImageAlt
		p.UpdatedAt = s.now()
		if err := tx.Omit("Phases").Save(&p).Error; err != nil {
			return err
		}
		if err := tx.Where("project_id = ?", id).Delete(&Phase{}).Error; err != nil {
			return err
		}
		p.Phases = nil
		for i, ph := range d.Phases {
			row := Phase{ProjectID: id, Position: i + 1, Title: strings.TrimSpace(ph.Title), Description: strings.TrimSpace(ph.Description),
				StartsOn: ph.StartsOn.UTC(), EndsOn: utcPtr(ph.EndsOn)}
			if err := tx.Create(&row).Error; err != nil {
				return err
			}
			p.Phases = append(p.Phases, row)
		}
		return a.Record(tx, "project.update", target(id), map[string]any{"slug": d.Slug})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperror.Wrap(err, apperror.Conflict, "project.error.slug_taken").WithField("slug", "project.error.slug_taken")
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}
