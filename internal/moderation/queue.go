package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation/screen"
	"inspraak/internal/participation"
	"inspraak/internal/store"
)

// ---- reports ------------------------------------------------------------

// Report records a participant's report of a public contribution. The
// first open report puts it in the queue; at the threshold of open
// reports from different people it is taken from the public until a
// moderator decides.
func (s *Service) Report(ctx context.Context, p Participant, kind Kind, id int64, reason, note string) error {
	note = clean(note)
	if !slices.Contains(ReportReasons, reason) {
		return apperror.Invalid.WithFields(map[string]string{"reden": "moderation.error.report_reason"})
	}
	if reason == ReasonOther && note == "" {
		return apperror.Invalid.WithFields(map[string]string{"toelichting": "moderation.error.report_note_required"})
	}
	if utf8.RuneCountInString(note) > MaxNote || strings.ContainsRune(note, 0) {
		return apperror.Invalid.WithFields(map[string]string{"toelichting": "moderation.error.too_long"})
	}
	t, err := s.target(kind)
	if err != nil {
		return err
	}
	threshold, err := s.Threshold(ctx)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		cs, err := t.Contents(ctx, tx, []int64{id})
		if err != nil {
			return err
		}
		c := cs[id]
		if c == nil || c.Gone || c.State != Approved {
			return apperror.New(apperror.NotFound, "")
		}
		if c.AuthorID != nil && *c.AuthorID == p.ID {
			return apperror.New(apperror.Forbidden, "moderation.error.own_content")
		}
		it, err := s.itemFor(tx, Ref{Kind: kind, ID: id, InstrumentID: c.InstrumentID, AuthorID: c.AuthorID})
		if err != nil {
			return err
		}
		if it.ID == 0 {
			if err := tx.Create(it).Error; err != nil {
				return err
			}
		}
		now := s.now()
		pid := p.ID
		first, err := participation.Register(tx, participation.Report, it.ID, it.InstrumentID, s.reporterID(it, p.Subject))
		if err != nil {
			return err
		}
		if !first {
			return apperror.New(apperror.Conflict, "moderation.error.already_reported")
		}
		r := Report{ItemID: it.ID, ParticipantID: &pid, Reason: reason, Note: note, CreatedAt: now}
		if err := tx.Create(&r).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return apperror.New(apperror.Conflict, "moderation.error.already_reported")
			}
			return err
		}
		up := map[string]any{"open_reports": gorm.Expr("open_reports + 1"), "reported": true, "updated_at": now}
		if !it.Waiting {
			up["waiting"], up["queued_at"], up["pre"], up["screened"], up["second_look"] = true, now, false, false, false
			up["claimed_by"], up["claimed_until"], up["not_by"] = nil, nil, nil
		}
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(up).Error; err != nil {
			return err
		}
		if err := s.event(tx, it.ID, ActReported, nil, nil, reason, nil); err != nil {
			return err
		}
		if it.OpenReports+1 >= threshold {
			if _, err := t.SetState(ctx, tx, id, Awaiting); err != nil {
				return err
			}
		}
		return nil
	})
}

// ---- the queue ----------------------------------------------------------

// Filter narrows the queue.
type Filter struct {
	InstrumentID int64
	// Why is "pre", "screened", "reported" or "second_look" ("" = all).
	Why string
	// Reason is a report reason ("" = any).
	Reason string
	Newest bool // newest first instead of oldest first
	Page   int
}

// Whys lists the filter values of Filter.Why.
var Whys = []string{"pre", "screened", "reported", "second_look"}

func (f Filter) apply(q *gorm.DB) *gorm.DB {
	q = q.Where("moderation_items.waiting")
	if f.InstrumentID > 0 {
		q = q.Where("moderation_items.instrument_id = ?", f.InstrumentID)
	}
	switch f.Why {
	case "pre":
		q = q.Where("moderation_items.pre")
	case "screened":
		q = q.Where("moderation_items.screened")
	case "reported":
		q = q.Where("moderation_items.reported")
	case "second_look":
		q = q.Where("moderation_items.second_look")
	}
	if f.Reason != "" {
		q = q.Where("EXISTS (SELECT 1 FROM moderation_reports r WHERE r.item_id = moderation_items.id AND r.reason = ?)", f.Reason)
	}
	return q
}

// Row is one line of the queue.
type Row struct {
	Item
	Content      *Content
	Reasons      map[string]int // report reasons with their counts
	Reports      int
	ClaimerName  string
	ClaimedLive  bool
	WaitingSince time.Time
	HitKinds     []screen.Kind
}

// QueuePage is one page of the queue.
type QueuePage struct {
	Rows  []Row
	Total int64
	Page  int
	Pages int
}

// Queue lists waiting items, oldest first unless asked otherwise.
func (s *Service) Queue(ctx context.Context, f Filter) (QueuePage, error) {
	p := QueuePage{Page: max(f.Page, 1)}
	db := s.db.WithContext(ctx)
	if err := f.apply(db.Model(&Item{})).Count(&p.Total).Error; err != nil {
		return p, err
	}
	p.Pages = max(int((p.Total+PageSize-1)/PageSize), 1)
	order := "moderation_items.queued_at ASC, moderation_items.id ASC"
	if f.Newest {
		order = "moderation_items.queued_at DESC, moderation_items.id DESC"
	}
	var items []Item
	if err := f.apply(db.Model(&Item{})).Order(order).Limit(PageSize).Offset((p.Page - 1) * PageSize).Find(&items).Error; err != nil {
		return p, err
	}
	rows, err := s.rows(ctx, db, items)
	p.Rows = rows
	return p, err
}

// rows fills in content, report reasons and claimers for items.
func (s *Service) rows(ctx context.Context, db *gorm.DB, items []Item) ([]Row, error) {
	if len(items) == 0 {
		return nil, nil
	}
	now := s.now()
	rows := make([]Row, len(items))
	byKind := map[Kind][]int64{}
	ids := make([]int64, len(items))
	staff := map[int64]string{}
	for i, it := range items {
		rows[i] = Row{Item: it, Reasons: map[string]int{}}
		if it.QueuedAt != nil {
			rows[i].WaitingSince = *it.QueuedAt
		}
		rows[i].ClaimedLive = it.ClaimedBy != nil && it.ClaimedUntil != nil && now.Before(*it.ClaimedUntil)
		if it.ClaimedBy != nil {
			staff[*it.ClaimedBy] = ""
		}
		byKind[it.Kind] = append(byKind[it.Kind], it.TargetID)
		ids[i] = it.ID
		var hits []screen.Hit
		if it.Hits != "" && json.Unmarshal([]byte(it.Hits), &hits) == nil {
			for _, h := range hits {
				if !slices.Contains(rows[i].HitKinds, h.Kind) {
					rows[i].HitKinds = append(rows[i].HitKinds, h.Kind)
				}
			}
		}
	}
	contents := map[Kind]map[int64]*Content{}
	for k, tids := range byKind {
		t, err := s.target(k)
		if err != nil {
			return nil, err
		}
		cs, err := t.Contents(ctx, db, tids)
		if err != nil {
			return nil, err
		}
		contents[k] = cs
	}
	var counts []struct {
		ItemID int64
		Reason string
		N      int
	}
	if err := db.Model(&Report{}).Select("item_id, reason, count(*) AS n").Where("item_id IN ?", ids).
		Group("item_id, reason").Scan(&counts).Error; err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, it := range items {
		at[it.ID] = i
	}
	for _, c := range counts {
		r := &rows[at[c.ItemID]]
		r.Reasons[c.Reason] += c.N
		r.Reports += c.N
	}
	if err := s.staffNames(db, staff); err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].Content = contents[rows[i].Kind][rows[i].TargetID]
		if rows[i].ClaimedBy != nil {
			rows[i].ClaimerName = staff[*rows[i].ClaimedBy]
		}
	}
	return rows, nil
}

func (s *Service) staffNames(db *gorm.DB, names map[int64]string) error {
	if len(names) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(names))
	for id := range names {
		ids = append(ids, id)
	}
	var rows []struct {
		ID   int64
		Name string
	}
	if err := db.Table("staff_members").Select("id, name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return err
	}
	for _, r := range rows {
		names[r.ID] = r.Name
	}
	return nil
}

// Waiting counts the items in the queue (the number in the staff header).
func (s *Service) Waiting(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Item{}).Where("waiting").Count(&n).Error
	return n, err
}

// ---- claims -------------------------------------------------------------

// claimSQL hands out one waiting item nobody holds. The inner select picks
// the candidate; the outer WHERE checks the row again, so the claim is
// right even when the candidate was taken in between (SQLite, where the
// locking clause is left out and writers take turns anyway).
const claimSQL = `UPDATE moderation_items SET claimed_by = ?, claimed_until = ?, updated_at = ?
WHERE id = (SELECT id FROM moderation_items
  WHERE waiting AND (claimed_until IS NULL OR claimed_until <= ?) AND (not_by IS NULL OR not_by <> ?)%s
  ORDER BY queued_at, id LIMIT 1%s)
AND waiting AND (claimed_until IS NULL OR claimed_until <= ?) AND (not_by IS NULL OR not_by <> ?)
RETURNING id`

// Next claims the oldest waiting item that nobody holds and that this
// moderator may decide on, and returns its id (0: nothing waits).
func (s *Service) Next(ctx context.Context, st Staff, f Filter) (int64, error) {
	if err := st.may(); err != nil {
		return 0, err
	}
	extra, args := "", []any{}
	if f.InstrumentID > 0 {
		extra += " AND instrument_id = ?"
		args = append(args, f.InstrumentID)
	}
	switch f.Why {
	case "pre", "screened", "reported", "second_look":
		extra += " AND " + f.Why
	}
	lock := ""
	if s.db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := strings.Replace(strings.Replace(claimSQL, "%s", extra, 1), "%s", lock, 1)
	for attempt := 0; ; attempt++ {
		now := s.now()
		until := now.Add(ClaimFor)
		all := append([]any{st.ID, until, now, now, st.ID}, args...)
		all = append(all, now, st.ID)
		var ids []int64
		err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
			if err := tx.Raw(q, all...).Scan(&ids).Error; err != nil {
				return err
			}
			if len(ids) == 0 {
				return nil
			}
			sid := st.ID
			return s.event(tx, ids[0], ActClaim, &sid, nil, "", nil)
		})
		if store.Collided(err) && attempt < 5 {
			continue
		}
		if err != nil || len(ids) == 0 {
			return 0, err
		}
		return ids[0], nil
	}
}

// Claim takes one item for this moderator, or extends their claim.
func (s *Service) Claim(ctx context.Context, st Staff, itemID int64) error {
	if err := st.may(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		it, err := s.lockItem(tx, itemID)
		if err != nil {
			return err
		}
		now := s.now()
		switch {
		case !it.Waiting:
			return apperror.New(apperror.Conflict, "moderation.error.not_waiting")
		case it.NotBy != nil && *it.NotBy == st.ID:
			return apperror.New(apperror.Forbidden, "moderation.error.second_look_other")
		case it.ClaimedByOther(st.ID, now):
			return apperror.New(apperror.Conflict, "moderation.error.claimed")
		}
		if err := tx.Model(&Item{}).Where("id = ?", itemID).Updates(map[string]any{
			"claimed_by": st.ID, "claimed_until": now.Add(ClaimFor), "updated_at": now}).Error; err != nil {
			return err
		}
		sid := st.ID
		return s.event(tx, itemID, ActClaim, &sid, nil, "", nil)
	})
}

// Release gives a claimed item back to the queue.
func (s *Service) Release(ctx context.Context, st Staff, itemID int64) error {
	if err := st.may(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&Item{}).Where("id = ? AND claimed_by = ?", itemID, st.ID).
			Updates(map[string]any{"claimed_by": nil, "claimed_until": nil, "updated_at": s.now()})
		if res.Error != nil || res.RowsAffected == 0 {
			return res.Error
		}
		sid := st.ID
		return s.event(tx, itemID, ActRelease, &sid, nil, "", nil)
	})
}

func (s *Service) lockItem(tx *gorm.DB, itemID int64) (*Item, error) {
	var it Item
	q := tx.Where("id = ?", itemID)
	if s.db.Dialect == store.Postgres {
		q = q.Clauses(forUpdate)
	}
	if err := q.Take(&it).Error; err != nil {
		return nil, store.MapError(err)
	}
	return &it, nil
}

// Place is an instrument with waiting items, for the queue's filter.
type Place struct {
	InstrumentID int64
	Title        string
	ProjectTitle string
	Waiting      int64
}

// Places lists the instruments that have items waiting.
func (s *Service) Places(ctx context.Context) ([]Place, error) {
	var ps []Place
	err := s.db.WithContext(ctx).Table("moderation_items").
		Select("moderation_items.instrument_id, instruments.title, projects.title AS project_title, count(*) AS waiting").
		Joins("JOIN instruments ON instruments.id = moderation_items.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("moderation_items.waiting").
		Group("moderation_items.instrument_id, instruments.title, projects.title").
		Order("projects.title, instruments.title").Scan(&ps).Error
	return ps, err
}
