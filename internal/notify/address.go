package notify

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
)

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 48 * time.Hour

// ResendAfter is how long someone waits before the same address gets a
// new confirmation mail, so the form cannot be used to flood a mailbox.
const ResendAfter = 2 * time.Minute

// maxEmailLength is the longest address SMTP allows in a path.
const maxEmailLength = 254

// normaliseEmail accepts a plain address ("naam@voorbeeld.nl"), nothing
// more: no display name, no comments, no list.
func normaliseEmail(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > maxEmailLength || strings.ContainsAny(raw, " <>\"(),;\\\r\n\t") {
		return "", false
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Name != "" || a.Address != raw {
		return "", false
	}
	at := strings.LastIndexByte(raw, '@')
	local, domain := raw[:at], strings.ToLower(raw[at+1:])
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.HasPrefix(domain, "[") {
		return "", false
	}
	return local + "@" + domain, true
}

// AddressOf returns a participant's address row, or nil when there is none.
func (s *Service) AddressOf(ctx context.Context, participantID int64) (*Address, error) {
	var a Address
	err := s.db.WithContext(ctx).Where("participant_id = ?", participantID).Take(&a).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("notify: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// SetAddress records the address a participant wants mail at, with their
// consent, and queues a confirmation mail in their language. The address
// is not used for notifications until Confirm. Giving the confirmed
// address again only changes the language.
func (s *Service) SetAddress(ctx context.Context, participantID int64, email, lang string, consent bool) error {
	errs := map[string]string{}
	addr, ok := normaliseEmail(email)
	if !ok {
		errs["email"] = "notify.error.email"
	}
	if !consent {
		errs["toestemming"] = "notify.error.consent"
	}
	if len(errs) > 0 {
		return apperror.Invalid.WithFields(errs)
	}
	if !i18n.Supported(lang) {
		lang = i18n.Languages[0]
	}
	now := s.utcNow()
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var p identity.Participant
		if err := tx.Select("id", "subject", "display_name").Where("id = ?", participantID).Take(&p).Error; err != nil {
			return err
		}
		var old Address
		err := tx.Where("participant_id = ?", participantID).Take(&old).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
		case err != nil:
			return err
		case old.Email == addr && old.Confirmed():
			return tx.Model(&Address{}).Where("participant_id = ?", participantID).Update("lang", lang).Error
		case old.Email == addr && old.ConfirmExpiresAt != nil && now.Before(old.ConfirmExpiresAt.Add(-ConfirmTTL+ResendAfter)):
			return apperror.New(apperror.Conflict, "notify.error.wait")
		}
		if old.Email != "" && old.Email != addr {
			// Mail still waiting for the old address must not go out.
			if err := tx.Where("participant_id = ? AND status = ?", participantID, StatusPending).Delete(&Mail{}).Error; err != nil {
				return err
			}
		}
		tok := newToken()
		h := hashToken(tok)
		exp := now.Add(ConfirmTTL)
		a := Address{ParticipantID: participantID, Email: addr, Lang: lang, ConsentAt: now, ConfirmHash: &h, ConfirmExpiresAt: &exp}
		if err := tx.Save(&a).Error; err != nil {
			return err
		}
		m, err := s.renderConfirm(participantID, addr, lang, p.DisplayName, tok, now)
		if err != nil {
			return err
		}
		if err := tx.Create(&m).Error; err != nil {
			return err
		}
		return s.record(tx, p.Subject, "notify.address_set")
	})
}

// record writes an audit entry about a participant's address. It never
// holds the address itself.
func (s *Service) record(tx *gorm.DB, subject, action string) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorResident, Actor: subject, Action: action})
}

func (s *Service) subjectOf(tx *gorm.DB, participantID int64) (string, error) {
	var p identity.Participant
	err := tx.Select("id", "subject").Where("id = ?", participantID).Take(&p).Error
	return p.Subject, err
}

// Confirm uses a confirmation token. The token must belong to the
// participant who is logged in (so a link forwarded to someone else
// cannot attach their mailbox to another account), be unused and younger
// than ConfirmTTL. It works once: the stored hash is cleared.
func (s *Service) Confirm(ctx context.Context, participantID int64, token string) error {
	if token == "" || len(token) > 100 {
		return apperror.New(apperror.Invalid, "notify.confirm.invalid")
	}
	now := s.utcNow()
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var a Address
		err := tx.Where("confirm_hash = ?", hashToken(token)).Take(&a).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperror.New(apperror.Invalid, "notify.confirm.invalid")
		}
		if err != nil {
			return err
		}
		if a.ParticipantID != participantID {
			return apperror.New(apperror.Forbidden, "notify.confirm.other_person")
		}
		if a.ConfirmExpiresAt == nil || !now.Before(*a.ConfirmExpiresAt) {
			return apperror.New(apperror.Closed, "notify.confirm.expired")
		}
		res := tx.Model(&Address{}).Where("participant_id = ? AND confirm_hash = ?", participantID, hashToken(token)).
			Updates(map[string]any{"confirmed_at": now, "confirm_hash": nil, "confirm_expires_at": nil})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return apperror.New(apperror.Invalid, "notify.confirm.invalid")
		}
		subject, err := s.subjectOf(tx, participantID)
		if err != nil {
			return err
		}
		return s.record(tx, subject, "notify.address_confirmed")
	})
}

// RemoveAddress forgets a participant's address and drops mail still
// waiting for it. In-app notifications stay.
func (s *Service) RemoveAddress(ctx context.Context, participantID int64) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		return s.removeAddress(tx, participantID, "notify.address_removed")
	})
}

func (s *Service) removeAddress(tx *gorm.DB, participantID int64, action string) error {
	res := tx.Where("participant_id = ?", participantID).Delete(&Address{})
	if res.Error != nil {
		return res.Error
	}
	if err := tx.Where("participant_id = ? AND status = ?", participantID, StatusPending).Delete(&Mail{}).Error; err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return nil
	}
	subject, err := s.subjectOf(tx, participantID)
	if err != nil {
		return err
	}
	return s.record(tx, subject, action)
}

// Prefs says which kinds a participant wants by e-mail.
type Prefs struct {
	IdeaStatus   bool
	Reply        bool
	ProjectPhase bool
	Results      bool
}

// AllKinds is the default: every kind by e-mail.
var AllKinds = Prefs{IdeaStatus: true, Reply: true, ProjectPhase: true, Results: true}

// Wants reports whether k is switched on.
func (p Prefs) Wants(k Kind) bool {
	switch k {
	case KindIdeaStatus:
		return p.IdeaStatus
	case KindReply:
		return p.Reply
	case KindProjectPhase:
		return p.ProjectPhase
	case KindResults:
		return p.Results
	}
	return false
}

// With returns p with k switched on or off.
func (p Prefs) With(k Kind, on bool) Prefs {
	switch k {
	case KindIdeaStatus:
		p.IdeaStatus = on
	case KindReply:
		p.Reply = on
	case KindProjectPhase:
		p.ProjectPhase = on
	case KindResults:
		p.Results = on
	}
	return p
}

// ErrUnknownKind is returned by ParsePrefs for a value that is not a kind.
var ErrUnknownKind = errors.New("notify: unknown kind")

// ParsePrefs turns the checked boxes of the preferences form (one value
// per wanted kind) into Prefs. Anything but a known kind is refused, and
// repeats are harmless.
func ParsePrefs(values []string) (Prefs, error) {
	var p Prefs
	if len(values) > 2*len(Kinds) {
		return p, ErrUnknownKind
	}
	for _, v := range values {
		k := Kind(v)
		if !k.Valid() {
			return Prefs{}, ErrUnknownKind
		}
		p = p.With(k, true)
	}
	return p, nil
}

// Values is the inverse of ParsePrefs.
func (p Prefs) Values() []string {
	var out []string
	for _, k := range Kinds {
		if p.Wants(k) {
			out = append(out, string(k))
		}
	}
	return out
}

// Preferences returns what a participant wants by e-mail (all kinds when
// they never chose).
func (s *Service) Preferences(ctx context.Context, participantID int64) (Prefs, error) {
	var r PrefsRow
	err := s.db.WithContext(ctx).Where("participant_id = ?", participantID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return AllKinds, nil
	}
	if err != nil {
		return Prefs{}, err
	}
	return Prefs{IdeaStatus: r.IdeaStatus, Reply: r.Reply, ProjectPhase: r.ProjectPhase, Results: r.Results}, nil
}

// SetPreferences stores what a participant wants by e-mail. Mail of a
// kind just switched off that has not gone out yet is dropped.
func (s *Service) SetPreferences(ctx context.Context, participantID int64, p Prefs) error {
	return s.db.WithTx(ctx, func(tx *gorm.DB) error { return s.setPrefs(tx, participantID, p) })
}

func (s *Service) setPrefs(tx *gorm.DB, participantID int64, p Prefs) error {
	r := PrefsRow{ParticipantID: participantID, IdeaStatus: p.IdeaStatus, Reply: p.Reply, ProjectPhase: p.ProjectPhase,
		Results: p.Results, UpdatedAt: s.utcNow()}
	if err := tx.Save(&r).Error; err != nil {
		return err
	}
	var off []string
	for _, k := range Kinds {
		if !p.Wants(k) {
			off = append(off, string(k))
		}
	}
	if len(off) == 0 {
		return nil
	}
	return tx.Where("participant_id = ? AND status = ? AND kind IN ?", participantID, StatusPending, off).Delete(&Mail{}).Error
}

// scopeAll in an unsubscribe token stops all mail.
const scopeAll = "all"

// UnsubscribeToken makes the token of a one-click unsubscribe link:
// participant, scope (a kind or "all") and an HMAC over both. Checking it
// needs no database lookup and no stored secret per participant.
func (s *Service) UnsubscribeToken(participantID int64, scope string) string {
	payload := strconv.FormatInt(participantID, 10) + "." + scope
	return payload + "." + s.sign(payload)
}

func (s *Service) sign(payload string) string {
	m := hmac.New(sha256.New, s.unsubK)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ErrBadToken means an unsubscribe token is malformed or its signature
// does not match.
var ErrBadToken = apperror.New(apperror.Invalid, "notify.unsubscribe.invalid")

// parseUnsubscribe checks a token and returns what it names.
func (s *Service) parseUnsubscribe(token string) (int64, string, error) {
	if len(token) > 200 {
		return 0, "", ErrBadToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return 0, "", ErrBadToken
	}
	want := s.sign(parts[0] + "." + parts[1])
	if !hmac.Equal([]byte(want), []byte(parts[2])) {
		return 0, "", ErrBadToken
	}
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || id < 1 {
		return 0, "", ErrBadToken
	}
	if parts[1] != scopeAll && !Kind(parts[1]).Valid() {
		return 0, "", ErrBadToken
	}
	return id, parts[1], nil
}

// UnsubscribeScope tells what a token would stop, for the page that shows
// the button: the kind, or "" for all mail.
func (s *Service) UnsubscribeScope(token string) (Kind, error) {
	_, scope, err := s.parseUnsubscribe(token)
	if err != nil || scope == scopeAll {
		return "", err
	}
	return Kind(scope), nil
}

// Unsubscribe follows an unsubscribe link. With all false it switches off
// the kind the token names; with all true (or a token for all mail) it
// removes the address, which stops every mail. It returns the kind
// switched off, or "" when all mail stopped. Doing it twice is harmless.
func (s *Service) Unsubscribe(ctx context.Context, token string, all bool) (Kind, error) {
	id, scope, err := s.parseUnsubscribe(token)
	if err != nil {
		return "", err
	}
	if scope == scopeAll {
		all = true
	}
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if _, err := s.subjectOf(tx, id); errors.Is(err, gorm.ErrRecordNotFound) {
			return nil // the participant erased their data meanwhile: nothing to stop
		} else if err != nil {
			return err
		}
		if all {
			return s.removeAddress(tx, id, "notify.unsubscribed")
		}
		// One column only, so two links used at once cannot undo each other.
		r := PrefsRow{ParticipantID: id, IdeaStatus: true, Reply: true, ProjectPhase: true, Results: true, UpdatedAt: s.utcNow()}
		switch Kind(scope) {
		case KindIdeaStatus:
			r.IdeaStatus = false
		case KindReply:
			r.Reply = false
		case KindProjectPhase:
			r.ProjectPhase = false
		case KindResults:
			r.Results = false
		}
		col := prefColumn[Kind(scope)]
		if err := tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "participant_id"}},
			DoUpdates: clause.Assignments(map[string]any{col: false, "updated_at": r.UpdatedAt})}).Create(&r).Error; err != nil {
			return err
		}
		return tx.Where("participant_id = ? AND status = ? AND kind = ?", id, StatusPending, scope).Delete(&Mail{}).Error
	})
	if all {
		return "", err
	}
	return Kind(scope), err
}

// Follow makes a participant follow a project; following twice is one follow.
func (s *Service) Follow(ctx context.Context, participantID, projectID int64) error {
	f := ProjectFollow{ParticipantID: participantID, ProjectID: projectID, CreatedAt: s.utcNow()}
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&f).Error
}

// Unfollow stops following a project.
func (s *Service) Unfollow(ctx context.Context, participantID, projectID int64) error {
	return s.db.WithContext(ctx).Where("participant_id = ? AND project_id = ?", participantID, projectID).Delete(&ProjectFollow{}).Error
}

// Follows reports whether a participant follows a project.
func (s *Service) Follows(ctx context.Context, participantID, projectID int64) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&ProjectFollow{}).Where("participant_id = ? AND project_id = ?", participantID, projectID).Count(&n).Error
	return n > 0, err
}
