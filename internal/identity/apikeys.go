package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
)

// API keys belong to staff identities: an analyst makes one on their
// profile page for the JSON API's exports. A key works only while its
// owner may still analyse, as confirmed by a recent login.

// APIKey is a row of api_tokens. Only the SHA-256 of the key is stored;
// the key itself is shown once, when it is made.
type APIKey struct {
	ID         int64     `gorm:"primaryKey"`
	StaffID    int64     `gorm:"not null"`
	Name       string    `gorm:"not null"`
	Hash       string    `gorm:"not null;uniqueIndex:api_tokens_hash_key"`
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName fixes the table name.
func (APIKey) TableName() string { return "api_tokens" }

// APIKeyLifetime is how long a key works: a key that leaked, or whose
// owner left without revoking it, stops by itself.
const APIKeyLifetime = 90 * 24 * time.Hour

// ExpiresAt is when the key stops working.
func (t APIKey) ExpiresAt() time.Time { return t.CreatedAt.Add(APIKeyLifetime) }

// Expired says whether the key has stopped working by itself.
func (t APIKey) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt()) }

// apiKeyPrefix marks Inspraak keys, so a leaked one is recognisable.
const apiKeyPrefix = "insp_"

// MaxAPIKeys is how many live keys one person may have.
const MaxAPIKeys = 10

func hashAPIKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// recordStaff writes a staff member's action to the audit log inside tx.
func (s *Service) recordStaff(tx *gorm.DB, actor *StaffMember, action, target string, detail map[string]any) error {
	if s.audit == nil {
		return nil
	}
	return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorStaff, Actor: actor.Actor(), Action: action, Target: target, Detail: detail})
}

// NewAPIKey makes a key for a staff member who may analyse and returns it
// (the only time it is seen). The audit record is written in the same
// transaction: no key exists that the log does not show.
func (s *Service) NewAPIKey(ctx context.Context, owner *StaffMember, name string) (string, error) {
	if owner == nil || !Can(owner.RoleList(), PermAnalyse) {
		return "", apperror.New(apperror.Forbidden, "")
	}
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n == 0 || n > 80 {
		return "", apperror.Invalid.WithFields(map[string]string{"naam": "results.error.token_name"})
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := apiKeyPrefix + base64.RawURLEncoding.EncodeToString(raw)
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var live int64
		if err := tx.Model(&APIKey{}).Where("staff_id = ? AND revoked_at IS NULL AND created_at > ?", owner.ID, time.Now().UTC().Add(-APIKeyLifetime)).Count(&live).Error; err != nil {
			return err
		}
		if live >= MaxAPIKeys {
			return apperror.Invalid.WithFields(map[string]string{"naam": "results.error.too_many_tokens"})
		}
		if err := tx.Create(&APIKey{StaffID: owner.ID, Name: name, Hash: hashAPIKey(tok), CreatedAt: time.Now().UTC()}).Error; err != nil {
			return err
		}
		return s.recordStaff(tx, owner, "api.token.create", owner.Actor(), map[string]any{"name": name})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// APIKeys lists a staff member's keys, newest first.
func (s *Service) APIKeys(ctx context.Context, staffID int64) ([]APIKey, error) {
	var ts []APIKey
	return ts, s.db.WithContext(ctx).Where("staff_id = ?", staffID).Order("created_at DESC, id DESC").Find(&ts).Error
}

// RevokeAPIKey ends one of the actor's own keys, on record.
func (s *Service) RevokeAPIKey(ctx context.Context, actor *StaffMember, id int64) error {
	return s.revokeAPIKey(ctx, actor, id, true)
}

// RevokeAnyAPIKey ends a key whoever owns it; only administrators (who
// may change settings) may.
func (s *Service) RevokeAnyAPIKey(ctx context.Context, actor *StaffMember, id int64) error {
	if actor == nil || !Can(actor.RoleList(), PermSettings) {
		return apperror.New(apperror.Forbidden, "")
	}
	return s.revokeAPIKey(ctx, actor, id, false)
}

func (s *Service) revokeAPIKey(ctx context.Context, actor *StaffMember, id int64, own bool) error {
	if actor == nil {
		return apperror.New(apperror.Forbidden, "")
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		q := tx.Model(&APIKey{}).Where("id = ? AND revoked_at IS NULL", id)
		if own {
			q = q.Where("staff_id = ?", actor.ID)
		}
		res := q.Update("revoked_at", time.Now().UTC())
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperror.New(apperror.NotFound, "")
		}
		return s.recordStaff(tx, actor, "api.token.revoke", "token:"+strconv.FormatInt(id, 10), nil)
	})
}

// ErrAPIKey is returned for a key that is unknown, revoked, expired, or
// whose owner may no longer read results.
var ErrAPIKey = errors.New("identity: API key not valid")

// ErrRolesUnconfirmed is returned for a live key whose owner's roles
// were last confirmed longer than RoleConfirmation ago.
var ErrRolesUnconfirmed = errors.New("identity: the API key owner's roles are not confirmed recently")

// RoleConfirmation is how long a login confirms the owner's roles for
// their keys. Roles come from the staff identity provider at each login;
// an analyst demoted there is only seen at their next login. So a key
// works only while its owner logged in within this period: a demoted
// analyst's key stops at their next login or, if they never log in again,
// this long after the last one (not the key's 90 days).
const RoleConfirmation = 30 * 24 * time.Hour

// APIKeyOwner checks a key at every call and returns its owner, who must
// hold, now, a role that may read results, confirmed by a login within
// RoleConfirmation.
func (s *Service) APIKeyOwner(ctx context.Context, tok string) (*StaffMember, error) {
	if !strings.HasPrefix(tok, apiKeyPrefix) || len(tok) > 100 {
		return nil, ErrAPIKey
	}
	db := s.db.WithContext(ctx)
	var t APIKey
	if err := db.Where("hash = ? AND revoked_at IS NULL", hashAPIKey(tok)).Take(&t).Error; err != nil {
		return nil, ErrAPIKey
	}
	if t.Expired(time.Now().UTC()) {
		return nil, ErrAPIKey
	}
	var m StaffMember
	if err := db.Where("id = ?", t.StaffID).Take(&m).Error; err != nil {
		return nil, ErrAPIKey
	}
	if !Can(m.RoleList(), PermAnalyse) {
		return nil, ErrAPIKey
	}
	if time.Now().UTC().Sub(m.LastLoginAt) > RoleConfirmation {
		return nil, ErrRolesUnconfirmed
	}
	db.Model(&APIKey{}).Where("id = ?", t.ID).Update("last_used_at", time.Now().UTC())
	return &m, nil
}

// OwnedAPIKey is a live key with its owner's name, for administrators.
type OwnedAPIKey struct {
	APIKey
	Owner string
}

// LiveAPIKeys lists every key that still works (not revoked, not
// expired), newest first, with its owner.
func (s *Service) LiveAPIKeys(ctx context.Context) ([]OwnedAPIKey, error) {
	var out []OwnedAPIKey
	err := s.db.WithContext(ctx).Table("api_tokens t").Select("t.*, m.name AS owner").
		Joins("JOIN staff_members m ON m.id = t.staff_id").
		Where("t.revoked_at IS NULL AND t.created_at > ?", time.Now().UTC().Add(-APIKeyLifetime)).
		Order("t.created_at DESC, t.id DESC").Scan(&out).Error
	return out, err
}
