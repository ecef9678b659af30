// Package notify owns what Inspraak tells participants afterwards: in-app
// notifications on "Mijn inspraak", an optional e-mail address (given with
// consent, used only once confirmed by a link), per-kind e-mail
// preferences, followed projects, and the mail outbox.
//
// Mail follows the transactional-outbox pattern: Notify writes the in-app
// row and, where wanted, a fully rendered mail into mail_outbox inside the
// caller's transaction. It never talks to SMTP. A Sender (one per server
// instance) claims due rows with a lease, sends them, and retries failures
// with exponential backoff, so a mail server that is down delays mail but
// loses none and never slows a request.
package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/i18n"
	"inspraak/internal/store"
)

// Kind is what a notification is about. Each kind can be switched off for
// e-mail separately; in-app notifications always appear.
type Kind string

// The kinds.
const (
	KindIdeaStatus   Kind = "idea_status"
	KindReply        Kind = "reply"
	KindProjectPhase Kind = "project_phase"
	KindResults      Kind = "results"
)

// Kinds lists every kind, in the order the preferences form shows them.
var Kinds = []Kind{KindIdeaStatus, KindReply, KindProjectPhase, KindResults}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// kindConfirm marks the confirmation mail in the outbox; it is not a
// notification kind and cannot be switched off.
const kindConfirm = "confirm"

// Message is what a caller wants to tell a participant.
type Message struct {
	Kind Kind
	// Key is the catalogue key of the one-line title, with a %s per param.
	Key    string
	Params []string
	// Link is a site-relative path ("/projecten/marktplein/ideeen/12").
	Link string
	// NoRepeat sends nothing, in the app or by mail, when the newest
	// message the participant has about Link already is this one (the same
	// Key): a second redaction of one idea is no news the first did not
	// tell. Something else said about Link in between makes it news again.
	NoRepeat bool
}

// Limits that keep one message small.
const (
	maxParams     = 5
	maxParamRunes = 200
	maxLinkLength = 500
)

// Notification is a row of notifications: one in-app message.
type Notification struct {
	ID            int64  `gorm:"primaryKey"`
	ParticipantID int64  `gorm:"not null"`
	Kind          Kind   `gorm:"not null"`
	MsgKey        string `gorm:"column:msg_key;not null"`
	// Params is a JSON array of strings.
	Params    string    `gorm:"not null"`
	Link      string    `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	ReadAt    *time.Time
}

// TableName fixes the table name.
func (Notification) TableName() string { return "notifications" }

// Address is a row of notification_addresses. ConfirmHash is the SHA-256
// of the token mailed out; the token itself is never stored.
type Address struct {
	ParticipantID    int64     `gorm:"primaryKey;autoIncrement:false"`
	Email            string    `gorm:"not null"`
	Lang             string    `gorm:"not null"`
	ConsentAt        time.Time `gorm:"not null"`
	ConfirmedAt      *time.Time
	ConfirmHash      *string `gorm:"uniqueIndex:notification_addresses_confirm_hash_key"`
	ConfirmExpiresAt *time.Time
}

// TableName fixes the table name.
func (Address) TableName() string { return "notification_addresses" }

// Confirmed reports whether the address may receive mail.
func (a *Address) Confirmed() bool { return a != nil && a.ConfirmedAt != nil }

// PrefsRow is a row of notification_preferences; no row means every kind.
type PrefsRow struct {
	ParticipantID int64     `gorm:"primaryKey;autoIncrement:false"`
	IdeaStatus    bool      `gorm:"not null"`
	Reply         bool      `gorm:"not null"`
	ProjectPhase  bool      `gorm:"not null"`
	Results       bool      `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (PrefsRow) TableName() string { return "notification_preferences" }

// ProjectFollow is a row of project_follows.
type ProjectFollow struct {
	ParticipantID int64     `gorm:"primaryKey;autoIncrement:false"`
	ProjectID     int64     `gorm:"primaryKey;autoIncrement:false"`
	CreatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (ProjectFollow) TableName() string { return "project_follows" }

// Mail statuses in the outbox.
const (
	StatusPending = "pending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Mail is a row of mail_outbox: a mail rendered when it was queued.
type Mail struct {
	ID             int64 `gorm:"primaryKey"`
	ParticipantID  *int64
	Kind           string    `gorm:"not null"`
	ToAddress      string    `gorm:"column:to_address;not null"`
	Lang           string    `gorm:"not null"`
	Subject        string    `gorm:"not null"`
	BodyText       string    `gorm:"column:body_text;not null"`
	BodyHTML       string    `gorm:"column:body_html;not null"`
	UnsubscribeURL string    `gorm:"column:unsubscribe_url;not null"`
	MessageID      string    `gorm:"column:message_id;not null;uniqueIndex:mail_outbox_message_id_key"`
	Status         string    `gorm:"not null"`
	Attempts       int       `gorm:"not null"`
	NextAttemptAt  time.Time `gorm:"not null"`
	LockedBy       *string
	LockedUntil    *time.Time
	LastError      string    `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
	SentAt         *time.Time
}

// TableName fixes the table name.
func (Mail) TableName() string { return "mail_outbox" }

// Models lists the row structs this package owns, for the schema test.
func Models() []any {
	return []any{&Notification{}, &Address{}, &PrefsRow{}, &ProjectFollow{}, &Mail{}}
}

// Options configure a Service.
type Options struct {
	DB      *store.DB
	Catalog *i18n.Catalog
	// BaseURL makes the absolute links in mails.
	BaseURL *url.URL
	// Key signs unsubscribe links; a purpose-bound key is derived from it.
	Key []byte
	// Municipality signs the mails.
	Municipality string
	Audit        *audit.Log
	Log          *slog.Logger
	Now          func() time.Time
}

// Service holds the rules of notifications.
type Service struct {
	db      *store.DB
	cat     *i18n.Catalog
	base    *url.URL
	unsubK  []byte
	muni    string
	audit   *audit.Log
	log     *slog.Logger
	now     func() time.Time
	msgHost string
}

// NewService returns a notification service.
func NewService(o Options) *Service {
	s := &Service{db: o.DB, cat: o.Catalog, base: o.BaseURL, muni: o.Municipality, audit: o.Audit, log: o.Log, now: o.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	// A key of its own for unsubscribe links, so a signature made here can
	// never be mistaken for any other use of the configured key.
	m := hmac.New(sha256.New, o.Key)
	m.Write([]byte("inspraak/notify/unsubscribe/v1"))
	s.unsubK = m.Sum(nil)
	s.msgHost = o.BaseURL.Hostname()
	if s.msgHost == "" {
		s.msgHost = "inspraak.invalid"
	}
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) utcNow() time.Time { return s.now().UTC() }

// ErrBadMessage means a caller built a Message that cannot be shown: an
// unknown kind or key, a wrong number of params, or a link off the site.
var ErrBadMessage = errors.New("notify: bad message")

// check guards against programming mistakes in callers; they surface in
// their tests, not in a participant's inbox.
func (s *Service) check(m *Message) error {
	if !m.Kind.Valid() {
		return fmt.Errorf("%w: unknown kind %q", ErrBadMessage, m.Kind)
	}
	for _, lang := range i18n.Languages {
		if !s.cat.Has(lang, m.Key) {
			return fmt.Errorf("%w: key %q missing in %s", ErrBadMessage, m.Key, lang)
		}
		if n := strings.Count(s.cat.T(lang, m.Key), "%s"); n != len(m.Params) {
			return fmt.Errorf("%w: key %q takes %d params in %s, got %d", ErrBadMessage, m.Key, n, lang, len(m.Params))
		}
	}
	if len(m.Params) > maxParams {
		return fmt.Errorf("%w: too many params", ErrBadMessage)
	}
	if m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//") ||
		strings.ContainsAny(m.Link, "\\\r\n\t ") || len(m.Link) > maxLinkLength) {
		return fmt.Errorf("%w: link %q is not a path on this site", ErrBadMessage, m.Link)
	}
	params := make([]string, len(m.Params))
	for i, p := range m.Params {
		params[i] = oneLine(p, maxParamRunes)
	}
	m.Params = params
	return nil
}

// oneLine makes user text safe for a title and a mail subject: control
// characters (CR, LF: header injection) become spaces, and it is cut to n
// runes.
func oneLine(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029 {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// Notify tells one participant something, inside the caller's transaction:
// the in-app notification always, and a mail in the outbox when the
// participant has a confirmed address and wants this kind by e-mail. It
// costs a few statements and never waits for a mail server.
func (s *Service) Notify(ctx context.Context, tx *gorm.DB, participantID int64, m Message) error {
	if err := s.check(&m); err != nil {
		return err
	}
	tx = tx.WithContext(ctx)
	if m.NoRepeat && m.Link != "" {
		var last []string
		if err := tx.Model(&Notification{}).Where("participant_id = ? AND link = ?", participantID, m.Link).
			Order("id DESC").Limit(1).Pluck("msg_key", &last).Error; err != nil {
			return err
		}
		if len(last) == 1 && last[0] == m.Key {
			return nil
		}
	}
	now := s.utcNow()
	params, err := json.Marshal(m.Params)
	if err != nil {
		return err
	}
	n := Notification{ParticipantID: participantID, Kind: m.Kind, MsgKey: m.Key, Params: string(params), Link: m.Link, CreatedAt: now}
	if err := tx.Create(&n).Error; err != nil {
		return err
	}
	var rs []recipient
	if err := s.recipients(tx, m.Kind).Where("a.participant_id = ?", participantID).Scan(&rs).Error; err != nil {
		return err
	}
	return s.queue(tx, m, rs, now)
}

// NotifyFollowers tells everyone who follows a project, inside the
// caller's transaction: one INSERT … SELECT for the in-app rows, one query
// for the addresses that want this kind, and the mails in batches.
func (s *Service) NotifyFollowers(ctx context.Context, tx *gorm.DB, projectID int64, m Message) error {
	if err := s.check(&m); err != nil {
		return err
	}
	tx = tx.WithContext(ctx)
	now := s.utcNow()
	params, err := json.Marshal(m.Params)
	if err != nil {
		return err
	}
	if err := tx.Exec(`INSERT INTO notifications (participant_id, kind, msg_key, params, link, created_at)
SELECT participant_id, ?, ?, ?, ?, ? FROM project_follows WHERE project_id = ?`,
		string(m.Kind), m.Key, string(params), m.Link, now, projectID).Error; err != nil {
		return err
	}
	var rs []recipient
	if err := s.recipients(tx, m.Kind).
		Joins("JOIN project_follows f ON f.participant_id = a.participant_id AND f.project_id = ?", projectID).
		Order("a.participant_id").Scan(&rs).Error; err != nil {
		return err
	}
	return s.queue(tx, m, rs, now)
}

// recipient is a participant whose address is confirmed and who wants
// the kind at hand by mail.
type recipient struct {
	ParticipantID int64
	Email         string
	Lang          string
	DisplayName   string
}

// prefColumn maps a kind to its preferences column (never user input).
var prefColumn = map[Kind]string{
	KindIdeaStatus:   "idea_status",
	KindReply:        "reply",
	KindProjectPhase: "project_phase",
	KindResults:      "results",
}

func (s *Service) recipients(tx *gorm.DB, k Kind) *gorm.DB {
	return tx.Table("notification_addresses a").
		Select("a.participant_id, a.email, a.lang, p.display_name").
		Joins("JOIN participants p ON p.id = a.participant_id").
		Joins("LEFT JOIN notification_preferences np ON np.participant_id = a.participant_id").
		Where("a.confirmed_at IS NOT NULL").
		Where("(np.participant_id IS NULL OR np."+prefColumn[k]+" = ?)", true)
}

// queue renders and stores one mail per recipient.
func (s *Service) queue(tx *gorm.DB, m Message, rs []recipient, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	mails := make([]Mail, 0, len(rs))
	for _, r := range rs {
		mail, err := s.renderNotification(m, r, now)
		if err != nil {
			return err
		}
		mails = append(mails, mail)
	}
	return tx.CreateInBatches(&mails, 200).Error
}

// Item is one in-app notification as pages show it.
type Item struct {
	ID        int64
	Kind      Kind
	Key       string
	Params    []string
	Link      string
	CreatedAt time.Time
	Read      bool
}

// Args returns the params as values for a translation function.
func (it Item) Args() []any {
	out := make([]any, len(it.Params))
	for i, p := range it.Params {
		out[i] = p
	}
	return out
}

// List returns a participant's newest in-app notifications first.
func (s *Service) List(ctx context.Context, participantID int64, limit int) ([]Item, error) {
	limit = min(max(limit, 1), 200)
	var rows []Notification
	if err := s.db.WithContext(ctx).Where("participant_id = ?", participantID).
		Order("id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, err
	}
	items := make([]Item, 0, len(rows))
	for _, r := range rows {
		it := Item{ID: r.ID, Kind: r.Kind, Key: r.MsgKey, Link: r.Link, CreatedAt: r.CreatedAt, Read: r.ReadAt != nil}
		if err := json.Unmarshal([]byte(r.Params), &it.Params); err != nil {
			return nil, fmt.Errorf("notify: params of notification %d: %w", r.ID, err)
		}
		items = append(items, it)
	}
	return items, nil
}

// UnreadCount counts a participant's unread in-app notifications.
func (s *Service) UnreadCount(ctx context.Context, participantID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Notification{}).Where("participant_id = ? AND read_at IS NULL", participantID).Count(&n).Error
	return n, err
}

// MarkAllRead marks every notification of a participant read.
func (s *Service) MarkAllRead(ctx context.Context, participantID int64) error {
	return s.db.WithContext(ctx).Model(&Notification{}).Where("participant_id = ? AND read_at IS NULL", participantID).
		Update("read_at", s.utcNow()).Error
}

// Outbox returns the newest outbox mails, for the development outbox page.
func (s *Service) Outbox(ctx context.Context, limit int) ([]Mail, error) {
	var ms []Mail
	err := s.db.WithContext(ctx).Order("id DESC").Limit(min(max(limit, 1), 500)).Find(&ms).Error
	return ms, err
}

// Erase removes everything this package keeps about a participant: the
// address, preferences, in-app notifications, follows and every outbox
// mail (sent ones too: they hold the address). It runs in the caller's
// transaction, the "erase my data" flow.
func (s *Service) Erase(ctx context.Context, tx *gorm.DB, participantID int64) error {
	tx = tx.WithContext(ctx)
	for _, m := range []any{&Notification{}, &Address{}, &PrefsRow{}, &ProjectFollow{}, &Mail{}} {
		if err := tx.Where("participant_id = ?", participantID).Delete(m).Error; err != nil {
			return err
		}
	}
	return nil
}

// invalid is a form error on one field.
func invalid(field, key string) error {
	return apperror.Invalid.WithFields(map[string]string{field: key})
}
