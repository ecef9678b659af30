package moderation

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
)

// Templates lists the reason templates, active ones first, in their order.
func (s *Service) Templates(ctx context.Context, activeOnly bool) ([]Template, error) {
	var ts []Template
	q := s.db.WithContext(ctx).Order("active DESC, position, id")
	if activeOnly {
		q = q.Where("active")
	}
	return ts, q.Find(&ts).Error
}

// TemplateDraft is what a moderator types for a template.
type TemplateDraft struct {
	Title  string
	Body   string
	Active bool
}

func (d *TemplateDraft) validate() error {
	d.Title, d.Body = clean(d.Title), clean(d.Body)
	f := map[string]string{}
	switch n := utf8.RuneCountInString(d.Title); {
	case n == 0:
		f["titel"] = "moderation.error.template_title_required"
	case n > MaxTitle || strings.ContainsRune(d.Title, 0):
		f["titel"] = "moderation.error.too_long"
	}
	switch n := utf8.RuneCountInString(d.Body); {
	case n == 0:
		f["tekst"] = "moderation.error.template_body_required"
	case n > MaxTemplate || strings.ContainsRune(d.Body, 0):
		f["tekst"] = "moderation.error.too_long"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// SaveTemplate adds a template (id 0) or changes one. Templates are never
// deleted, only switched off, so the history keeps its reasons.
func (s *Service) SaveTemplate(ctx context.Context, st Staff, id int64, d TemplateDraft) (int64, error) {
	if err := st.may(); err != nil {
		return 0, err
	}
	if err := d.validate(); err != nil {
		return 0, err
	}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		if id == 0 {
			var maxPos int
			if err := tx.Model(&Template{}).Select("COALESCE(MAX(position), 0)").Scan(&maxPos).Error; err != nil {
				return err
			}
			t := Template{Title: d.Title, Body: d.Body, Active: true, Position: maxPos + 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&t).Error; err != nil {
				return err
			}
			id = t.ID
			return s.record(tx, st, "moderation.template.create", "template:"+itoa(id), map[string]any{"title": d.Title})
		}
		res := tx.Model(&Template{}).Where("id = ?", id).Updates(map[string]any{"title": d.Title, "body": d.Body,
			"active": d.Active, "updated_at": now})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperror.New(apperror.NotFound, "")
		}
		return s.record(tx, st, "moderation.template.update", "template:"+itoa(id), map[string]any{"title": d.Title, "active": d.Active})
	})
	return id, err
}

// SeedTemplates adds the standard reasons when there are none yet (the
// first start of a new installation and the demo).
func (s *Service) SeedTemplates(ctx context.Context, texts [][2]string) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Template{}).Count(&n).Error; err != nil || n > 0 {
			return err
		}
		now := s.now()
		for i, t := range texts {
			if err := tx.Create(&Template{Title: t[0], Body: t[1], Active: true, Position: i + 1, CreatedAt: now, UpdatedAt: now}).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// ---- dashboard ----------------------------------------------------------

// Dashboard is what the moderation dashboard shows.
type Dashboard struct {
	Waiting       int64
	WaitMedian    time.Duration // of the items waiting now
	WaitP90       time.Duration
	Decided30     int64 // decisions in the last 30 days
	DecidedMedian time.Duration
	DecidedP90    time.Duration
	Weeks         []Week // oldest first
	Reasons       []ReasonRow
}

// Week counts decisions in one week.
type Week struct {
	Start  time.Time
	Counts map[string]int // per action
}

// ReasonRow counts rejections and hides with one reason per week.
type ReasonRow struct {
	Reason string // a template title, or "" for the moderator's own words only
	Counts []int  // per week, as Dashboard.Weeks
	Total  int
}

// DashboardWeeks is how many weeks the dashboard looks back.
const DashboardWeeks = 8

// Dashboard computes the figures.
func (s *Service) Dashboard(ctx context.Context) (*Dashboard, error) {
	db := s.db.WithContext(ctx)
	now := s.now()
	d := &Dashboard{}
	var queued []time.Time
	if err := db.Model(&Item{}).Where("waiting").Pluck("queued_at", &queued).Error; err != nil {
		return nil, err
	}
	d.Waiting = int64(len(queued))
	waits := make([]time.Duration, len(queued))
	for i, q := range queued {
		waits[i] = now.Sub(q)
	}
	d.WaitMedian, d.WaitP90 = percentile(waits, 50), percentile(waits, 90)

	var decided []int64
	if err := db.Model(&Event{}).Where("action IN ? AND created_at >= ? AND waited_seconds IS NOT NULL",
		[]string{ActApprove, ActReject, ActHide, ActRestore}, now.AddDate(0, 0, -30)).Pluck("waited_seconds", &decided).Error; err != nil {
		return nil, err
	}
	d.Decided30 = int64(len(decided))
	dw := make([]time.Duration, len(decided))
	for i, w := range decided {
		dw[i] = time.Duration(w) * time.Second
	}
	d.DecidedMedian, d.DecidedP90 = percentile(dw, 50), percentile(dw, 90)

	start := weekStart(now).AddDate(0, 0, -7*(DashboardWeeks-1))
	for i := 0; i < DashboardWeeks; i++ {
		d.Weeks = append(d.Weeks, Week{Start: start.AddDate(0, 0, 7*i), Counts: map[string]int{}})
	}
	var evs []struct {
		Action     string
		TemplateID *int64
		CreatedAt  time.Time
	}
	if err := db.Model(&Event{}).Select("action, template_id, created_at").Where("action IN ? AND created_at >= ?",
		[]string{ActApprove, ActReject, ActHide, ActRestore, ActRedact}, start).Scan(&evs).Error; err != nil {
		return nil, err
	}
	titles := map[int64]string{}
	var ts []Template
	if err := db.Find(&ts).Error; err != nil {
		return nil, err
	}
	for _, t := range ts {
		titles[t.ID] = t.Title
	}
	reasons := map[string]*ReasonRow{}
	for _, e := range evs {
		w := int(e.CreatedAt.Sub(start) / (7 * 24 * time.Hour))
		if w < 0 || w >= DashboardWeeks {
			continue
		}
		d.Weeks[w].Counts[e.Action]++
		if e.Action != ActReject && e.Action != ActHide {
			continue
		}
		title := ""
		if e.TemplateID != nil {
			title = titles[*e.TemplateID]
		}
		r := reasons[title]
		if r == nil {
			r = &ReasonRow{Reason: title, Counts: make([]int, DashboardWeeks)}
			reasons[title] = r
		}
		r.Counts[w]++
		r.Total++
	}
	for _, r := range reasons {
		d.Reasons = append(d.Reasons, *r)
	}
	sort.Slice(d.Reasons, func(i, j int) bool {
		if d.Reasons[i].Total != d.Reasons[j].Total {
			return d.Reasons[i].Total > d.Reasons[j].Total
		}
		return d.Reasons[i].Reason < d.Reasons[j].Reason
	})
	return d, nil
}

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := (p*len(s) + 99) / 100 // ceil(p/100 × n)
	return s[max(rank, 1)-1]
}

// weekStart is the Monday 00:00 UTC of t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	wd := (int(t.Weekday()) + 6) % 7
	return time.Date(t.Year(), t.Month(), t.Day()-wd, 0, 0, 0, 0, time.UTC)
}
