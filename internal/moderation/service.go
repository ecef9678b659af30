package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/account"
	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/moderation/screen"
	"inspraak/internal/participation"
	"inspraak/internal/setting"
	"inspraak/internal/store"
)

// Notice is what the author of a contribution is told about a decision.
type Notice struct {
	Key    string // catalogue key of the one-line title, %s per param
	Params []string
	Link   string
	// NoRepeat: not when the author's newest notice about Link already
	// is this one (see notify.Message).
	NoRepeat bool
}

// Notifier tells a participant about a decision inside the transaction
// that made it.
type Notifier func(ctx context.Context, tx *gorm.DB, participantID int64, n Notice) error

// Staff is the moderator doing something. Roles are the member's roles:
// every staff action here refuses (Forbidden) a member who may not
// moderate, behind the route group that already does.
type Staff struct {
	ID    int64
	Name  string
	Roles []identity.Role
}

// may refuses a staff member who may not moderate.
func (st Staff) may() error {
	if st.ID < 1 || !identity.Can(st.Roles, identity.PermModerate) {
		return apperror.New(apperror.Forbidden, "error.403.no_role")
	}
	return nil
}

// Participant is the resident doing something.
type Participant struct {
	ID      int64
	Subject string
}

// Service holds the rules of moderation.
type Service struct {
	db       *store.DB
	key      []byte
	now      func() time.Time
	audit    *audit.Log
	settings *setting.Service
	notify   Notifier
	targets  map[Kind]Target

	// The screener is built from the word list in the settings table and
	// kept for a short while; SetWords replaces it at once.
	scrMu   sync.Mutex
	scr     *screen.Screener
	scrRead time.Time
}

var forUpdate = clause.Locking{Strength: "UPDATE"}

// screenerTTL is how long an instance keeps the word list before reading
// it again (another instance may have changed it).
const screenerTTL = 30 * time.Second

// Settings keys.
const (
	keyThreshold = "moderation.report_threshold"
	keyWords     = "moderation.words"
	keyDigest    = "moderation.digest_minutes"
)

// NewService returns a moderation service. key derives per-item reporter
// ids.
func NewService(db *store.DB, key []byte, log *audit.Log, settings *setting.Service) *Service {
	return &Service{db: db, key: key, audit: log, settings: settings, now: func() time.Time { return time.Now().UTC() },
		notify:  func(context.Context, *gorm.DB, int64, Notice) error { return nil },
		targets: map[Kind]Target{}}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// WithClock returns a copy that reads the time from now and shares
// everything else (the demo seed writes a past this way).
func (s *Service) WithClock(now func() time.Time) *Service {
	return &Service{db: s.db, key: s.key, now: now, audit: s.audit, settings: s.settings, notify: s.notify, targets: s.targets}
}

// SetNotifier sets who tells authors about decisions.
func (s *Service) SetNotifier(n Notifier) { s.notify = n }

// Register makes a kind of contribution moderatable.
func (s *Service) Register(k Kind, t Target) { s.targets[k] = t }

func (s *Service) target(k Kind) (Target, error) {
	t, ok := s.targets[k]
	if !ok {
		return nil, apperror.New(apperror.NotFound, "")
	}
	return t, nil
}

// ---- screening ----------------------------------------------------------

// Assessment is what screening says of a contribution being submitted or
// edited.
type Assessment struct {
	State    string // the visibility it starts with
	Hits     []screen.Hit
	Pre      bool // the board is pre-moderated
	Screened bool // screening found something
}

// Queue says whether the contribution goes in the queue.
func (a Assessment) Queue() bool { return a.Pre || a.Screened }

func (s *Service) screener(ctx context.Context) *screen.Screener {
	s.scrMu.Lock()
	defer s.scrMu.Unlock()
	if s.scr != nil && s.now().Sub(s.scrRead) < screenerTTL {
		return s.scr
	}
	words, err := s.Words(ctx)
	if err != nil && s.scr != nil {
		return s.scr // keep the last list rather than screen with none
	}
	s.scr, s.scrRead = screen.New(words), s.now()
	return s.scr
}

// Assess screens a contribution on a board with the given moderation mode.
// Pre-moderation and likely personal data keep it from the public until a
// moderator has looked; an abusive word leaves it public but queued. A hit
// never refuses anything.
func (s *Service) Assess(ctx context.Context, mode string, fields ...screen.Field) Assessment {
	hits := s.screener(ctx).Screen(fields...)
	a := Assessment{State: Approved, Hits: hits, Pre: mode == PreModeration, Screened: len(hits) > 0}
	if a.Pre || screen.AnyPersonalData(hits) {
		a.State = Awaiting
	}
	return a
}

// Queued records in tx what Assess said of a contribution just stored (or
// changed): it enters the queue, or stays in it with the new hits.
func (s *Service) Queued(ctx context.Context, tx *gorm.DB, r Ref, a Assessment) error {
	hits := ""
	if len(a.Hits) > 0 {
		b, err := json.Marshal(a.Hits)
		if err != nil {
			return err
		}
		hits = string(b)
	}
	it, err := s.itemFor(tx, r)
	if err != nil {
		return err
	}
	now := s.now()
	if !a.Queue() {
		if it.ID != 0 && it.Hits != hits {
			return tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{"hits": hits, "updated_at": now}).Error
		}
		return nil
	}
	note := "screened"
	if a.Pre {
		note = "pre"
	}
	if it.ID != 0 && it.Waiting {
		if err := tx.Model(&Item{}).Where("id = ?", it.ID).Updates(map[string]any{
			"hits": hits, "pre": it.Pre || a.Pre, "screened": it.Screened || a.Screened, "updated_at": now}).Error; err != nil {
			return err
		}
		return s.event(tx, it.ID, ActQueued, nil, nil, note, nil)
	}
	it.Waiting, it.Pre, it.Screened, it.Reported, it.SecondLook = true, a.Pre, a.Screened, false, false
	it.Hits, it.QueuedAt, it.ClaimedBy, it.ClaimedUntil, it.NotBy, it.UpdatedAt = hits, &now, nil, nil, nil, now
	if err := tx.Save(it).Error; err != nil {
		return err
	}
	return s.event(tx, it.ID, ActQueued, nil, nil, note, nil)
}

// itemFor returns the item of a contribution, or a new unsaved one.
func (s *Service) itemFor(tx *gorm.DB, r Ref) (*Item, error) {
	var it Item
	q := tx.Where("kind = ? AND target_id = ?", r.Kind, r.ID)
	if s.db.Dialect == store.Postgres {
		q = q.Clauses(forUpdate)
	}
	err := q.Take(&it).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		now := s.now()
		return &Item{Kind: r.Kind, TargetID: r.ID, InstrumentID: r.InstrumentID, AuthorID: r.AuthorID, CreatedAt: now, UpdatedAt: now}, nil
	}
	return &it, err
}

func (s *Service) event(tx *gorm.DB, itemID int64, action string, staffID, templateID *int64, note string, waited *int64) error {
	return tx.Create(&Event{ItemID: itemID, Action: action, StaffID: staffID, TemplateID: templateID, Note: note,
		WaitedSeconds: waited, CreatedAt: s.now()}).Error
}

// ---- blocks -------------------------------------------------------------

// Blocked returns the block that stops a participant from contributing
// now, or nil.
func (s *Service) Blocked(ctx context.Context, tx *gorm.DB, participantID int64) (*Block, error) {
	if tx == nil {
		tx = s.db.WithContext(ctx)
	}
	var b Block
	err := tx.Where("participant_id = ? AND lifted_at IS NULL AND until > ?", participantID, s.now()).
		Order("until DESC").Take(&b).Error
	if err == nil {
		return &b, nil
	}
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, err
	}
	// A block kept when this person erased their data earlier.
	var subject []string
	if err := tx.Table("participants").Where("id = ?", participantID).Pluck("subject", &subject).Error; err != nil || len(subject) == 0 {
		return nil, err
	}
	var k KeptBlock
	err = tx.Where("holder = ? AND until > ?", s.blockHolder(subject[0]), s.now()).Take(&k).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &Block{ParticipantID: participantID, Reason: k.Reason, Until: k.Until}, nil
}

// blockHolder is the id under which a block outlives an erasure.
func (s *Service) blockHolder(subject string) string {
	return participation.VoterID(s.key, "block", 0, subject)
}

// CheckNotBlocked refuses a contribution by a blocked participant with
// the end of the block and its reason.
func (s *Service) CheckNotBlocked(ctx context.Context, tx *gorm.DB, participantID int64) error {
	b, err := s.Blocked(ctx, tx, participantID)
	if err != nil {
		return err
	}
	if b != nil {
		return apperror.New(apperror.Forbidden, "moderation.blocked")
	}
	return nil
}

// Block bars a participant from contributing until a time, with a reason
// they see.
func (s *Service) Block(ctx context.Context, st Staff, participantID int64, until time.Time, reason string) error {
	if err := st.may(); err != nil {
		return err
	}
	reason = clean(reason)
	f := map[string]string{}
	if reason == "" {
		f["reden"] = "moderation.error.block_reason_required"
	} else if utf8.RuneCountInString(reason) > MaxReason {
		f["reden"] = "moderation.error.too_long"
	}
	if !until.After(s.now()) || until.After(s.now().AddDate(1, 0, 0)) {
		f["duur"] = "moderation.error.block_period"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Table("participants").Where("id = ?", participantID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			return apperror.New(apperror.NotFound, "")
		}
		sid := st.ID
		b := Block{ParticipantID: participantID, Reason: reason, Until: until.UTC(), CreatedBy: &sid, CreatedAt: s.now()}
		if err := tx.Create(&b).Error; err != nil {
			return err
		}
		if err := s.record(tx, st, "moderation.block", "participant:"+itoa(participantID),
			map[string]any{"until": b.Until.Format(time.RFC3339), "reason": reason}); err != nil {
			return err
		}
		return s.notify(ctx, tx, participantID, Notice{Key: "notify.moderation.blocked", Link: "/mijn-inspraak"})
	})
}

// Lift ends a block early.
func (s *Service) Lift(ctx context.Context, st Staff, blockID int64) error {
	if err := st.may(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		now := s.now()
		sid := st.ID
		res := tx.Model(&Block{}).Where("id = ? AND lifted_at IS NULL", blockID).Updates(map[string]any{"lifted_at": now, "lifted_by": sid})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperror.New(apperror.Conflict, "moderation.error.block_gone")
		}
		return s.record(tx, st, "moderation.unblock", "block:"+itoa(blockID), nil)
	})
}

// Blocks lists blocks that are in force now, newest first.
func (s *Service) Blocks(ctx context.Context) ([]Block, error) {
	var bs []Block
	err := s.db.WithContext(ctx).Where("lifted_at IS NULL AND until > ?", s.now()).Order("created_at DESC").Limit(200).Find(&bs).Error
	if err != nil || len(bs) == 0 {
		return bs, err
	}
	ids := make([]int64, len(bs))
	for i, b := range bs {
		ids[i] = b.ParticipantID
	}
	names := map[int64]string{}
	var rows []struct {
		ID          int64
		DisplayName string
	}
	if err := s.db.WithContext(ctx).Table("participants").Select("id, display_name").Where("id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, err
	}
	for _, r := range rows {
		names[r.ID] = r.DisplayName
	}
	for i := range bs {
		bs[i].ParticipantName = names[bs[i].ParticipantID]
	}
	return bs, nil
}

// ---- settings -----------------------------------------------------------

func (s *Service) setting(ctx context.Context, key string) (string, bool, error) {
	return s.settings.Get(ctx, key)
}

// Threshold is how many open reports from different people hide a
// contribution until a moderator decides.
func (s *Service) Threshold(ctx context.Context) (int, error) {
	v, ok, err := s.setting(ctx, keyThreshold)
	if err != nil || !ok {
		return DefaultThresh, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < MinThreshold || n > MaxThreshold {
		return DefaultThresh, nil
	}
	return n, nil
}

// Words returns the abuse word list.
func (s *Service) Words(ctx context.Context) ([]string, error) {
	v, ok, err := s.setting(ctx, keyWords)
	if err != nil || !ok {
		return screen.DefaultWords, err
	}
	words, err := screen.ParseWordList(v)
	if err != nil {
		return screen.DefaultWords, nil
	}
	return words, nil
}

// DigestEvery is how often moderators get a mail about waiting work
// (0: never).
func (s *Service) DigestEvery(ctx context.Context) (time.Duration, error) {
	v, ok, err := s.setting(ctx, keyDigest)
	if err != nil || !ok {
		return time.Hour, err
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return time.Hour, nil
	}
	return time.Duration(n) * time.Minute, nil
}

// Settings is what the settings screen edits.
type Settings struct {
	Threshold     int
	Words         string // as typed: one entry per line
	DigestMinutes int
}

// CurrentSettings returns the settings as the screen shows them.
func (s *Service) CurrentSettings(ctx context.Context) (Settings, error) {
	var st Settings
	var err error
	if st.Threshold, err = s.Threshold(ctx); err != nil {
		return st, err
	}
	words, err := s.Words(ctx)
	if err != nil {
		return st, err
	}
	st.Words = strings.Join(words, "\n")
	d, err := s.DigestEvery(ctx)
	st.DigestMinutes = int(d / time.Minute)
	return st, err
}

// UpdateSettings checks and stores the settings.
func (s *Service) UpdateSettings(ctx context.Context, st Staff, in Settings) error {
	if err := st.may(); err != nil {
		return err
	}
	f := map[string]string{}
	if in.Threshold < MinThreshold || in.Threshold > MaxThreshold {
		f["drempel"] = "moderation.error.threshold"
	}
	if in.DigestMinutes != 0 && (in.DigestMinutes < 5 || in.DigestMinutes > 7*24*60) {
		f["samenvatting"] = "moderation.error.digest"
	}
	words, err := screen.ParseWordList(in.Words)
	if err != nil {
		f["woorden"] = "moderation.error.words"
	}
	if len(f) > 0 {
		e := apperror.Invalid.WithFields(f)
		if err != nil {
			e.Args = []any{err.Error()}
		}
		return e
	}
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		for k, v := range map[string]string{keyThreshold: itoa(int64(in.Threshold)), keyWords: strings.Join(words, "\n"),
			keyDigest: itoa(int64(in.DigestMinutes))} {
			if err := setting.SetTx(tx, k, v); err != nil {
				return err
			}
		}
		return s.record(tx, st, "moderation.settings", "settings",
			map[string]any{"threshold": in.Threshold, "words": len(words), "digest_minutes": in.DigestMinutes})
	})
	if err == nil {
		s.scrMu.Lock()
		s.scr, s.scrRead = screen.New(words), s.now()
		s.scrMu.Unlock()
	}
	return err
}

// ---- helpers ------------------------------------------------------------

func (s *Service) record(tx *gorm.DB, st Staff, action, target string, detail map[string]any) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.RecordTx(tx, audit.Event{ActorKind: "staff", Actor: itoa(st.ID), Action: action, Target: target, Detail: detail})
}

// reporterID is the per-item id under which the voter register records a
// participant's report; reports never carry it.
func (s *Service) reporterID(it *Item, subject string) string {
	return participation.VoterID(s.key, "report-"+string(it.Kind), it.TargetID, subject)
}

func clean(t string) string { return strings.TrimSpace(strings.ReplaceAll(t, "\r\n", "\n")) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Erase is the moderation step of erasing a participant's data: the
// explanations they wrote (with a report, or asking for a second look) and
// the screening hits quoted from their texts go; their reports stay
// counted, unlinked when the participant row goes (the voter register
// keeps only that they reported the item, so they cannot report it twice).
//
// Every row that was theirs, or that their report changed, keeps only the
// day of its times, not the moments a login would link back to them:
// their reports, the "reported" steps and times of the items they
// reported, and the queue steps of their own contributions (an item's
// place in the queue then counts from the start of that day). Nothing is
// stamped with the erasure's moment.
func Erase(tx *gorm.DB, participantID int64) error {
	const reported = "SELECT item_id FROM moderation_reports WHERE participant_id = ?"
	const own = "SELECT id FROM moderation_items WHERE author_id = ?"
	if err := account.Unlink(tx, "moderation_events", []string{"id"}, []string{"created_at"}, nil,
		"(action = ? AND item_id IN ("+reported+")) OR (staff_id IS NULL AND item_id IN ("+own+"))",
		ActReported, participantID, participantID); err != nil {
		return err
	}
	if err := tx.Model(&Event{}).Where("action = ? AND item_id IN ("+own+")", ActSecondLook, participantID).UpdateColumn("note", "").Error; err != nil {
		return err
	}
	if err := account.Unlink(tx, "moderation_items", []string{"id"}, []string{"created_at", "updated_at", "queued_at"}, nil,
		"id IN ("+reported+")", participantID); err != nil {
		return err
	}
	if err := account.Unlink(tx, "moderation_items", []string{"id"}, []string{"created_at", "updated_at", "queued_at"},
		map[string]any{"hits": "", "author_id": nil}, "author_id = ?", participantID); err != nil {
		return err
	}
	return account.Unlink(tx, "moderation_reports", []string{"id"}, []string{"created_at"},
		map[string]any{"note": "", "participant_id": nil}, "participant_id = ?", participantID)
}

// Erase is Erase with the blocks: a block that has not ended outlives the
// participant row (which takes participation_blocks with it), kept only
// with its end and reason under an id derived from the pseudonym, so that
// erasing one's data does not lift a block. Kept blocks that have ended
// are deleted here.
func (s *Service) Erase(tx *gorm.DB, participantID int64) error {
	if err := Erase(tx, participantID); err != nil {
		return err
	}
	now := s.now()
	if err := tx.Where("until <= ?", now).Delete(&KeptBlock{}).Error; err != nil {
		return err
	}
	var b Block
	err := tx.Where("participant_id = ? AND lifted_at IS NULL AND until > ?", participantID, now).Order("until DESC").Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var subject []string
	if err := tx.Table("participants").Where("id = ?", participantID).Pluck("subject", &subject).Error; err != nil || len(subject) == 0 {
		return err
	}
	k := KeptBlock{Holder: s.blockHolder(subject[0]), Reason: b.Reason, Until: b.Until}
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "holder"}},
		DoUpdates: clause.AssignmentColumns([]string{"reason", "until"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "erased_blocks.until < excluded.until"}}}}).Create(&k).Error
}
