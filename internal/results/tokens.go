package results

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
)

// Token is a row of api_tokens. Only the SHA-256 of the token is stored;
// the token itself is shown once, when it is made.
type Token struct {
	ID         int64     `gorm:"primaryKey"`
	StaffID    int64     `gorm:"not null"`
	Name       string    `gorm:"not null"`
	Hash       string    `gorm:"not null;uniqueIndex:api_tokens_hash_key"`
	CreatedAt  time.Time `gorm:"not null"`
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName fixes the table name.
func (Token) TableName() string { return "api_tokens" }

// TokenLifetime is how long a token works: a key that leaked, or whose
// owner left without revoking it, stops by itself.
const TokenLifetime = 90 * 24 * time.Hour

// ExpiresAt is when the token stops working.
func (t Token) ExpiresAt() time.Time { return t.CreatedAt.Add(TokenLifetime) }

// Expired says whether the token has stopped working by itself.
func (t Token) Expired(now time.Time) bool { return !now.Before(t.ExpiresAt()) }

// tokenPrefix marks Inspraak tokens, so a leaked one is recognisable.
const tokenPrefix = "insp_"

// MaxTokens is how many live tokens one person may have.
const MaxTokens = 10

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// NewToken makes a token for a staff member and returns it (the only time
// it is seen).
func (s *Service) NewToken(ctx context.Context, staffID int64, name string) (string, error) {
	name = strings.Join(strings.Fields(name), " ")
	if n := utf8.RuneCountInString(name); n == 0 || n > 80 {
		return "", apperror.Invalid.WithFields(map[string]string{"naam": "results.error.token_name"})
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var live int64
		if err := tx.Model(&Token{}).Where("staff_id = ? AND revoked_at IS NULL AND created_at > ?", staffID, time.Now().UTC().Add(-TokenLifetime)).Count(&live).Error; err != nil {
			return err
		}
		if live >= MaxTokens {
			return apperror.Invalid.WithFields(map[string]string{"naam": "results.error.too_many_tokens"})
		}
		return tx.Create(&Token{StaffID: staffID, Name: name, Hash: hashToken(tok), CreatedAt: time.Now().UTC()}).Error
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// Tokens lists a staff member's tokens, newest first.
func (s *Service) Tokens(ctx context.Context, staffID int64) ([]Token, error) {
	var ts []Token
	return ts, s.db.WithContext(ctx).Where("staff_id = ?", staffID).Order("created_at DESC, id DESC").Find(&ts).Error
}

// RevokeToken ends one of a staff member's tokens.
func (s *Service) RevokeToken(ctx context.Context, staffID, id int64) error {
	res := s.db.WithContext(ctx).Model(&Token{}).Where("id = ? AND staff_id = ? AND revoked_at IS NULL", id, staffID).
		Update("revoked_at", time.Now().UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "")
	}
	return res.Error
}

// ErrToken is returned for a token that is unknown, revoked, expired, or
// whose owner may no longer read results.
var ErrToken = errors.New("results: token not valid")

// ErrRolesUnconfirmed is returned for a live token whose owner's roles
// were last confirmed longer than RoleConfirmation ago.
var ErrRolesUnconfirmed = errors.New("results: the token owner's roles are not confirmed recently")

// RoleConfirmation is how long a login confirms the owner's roles for
// their tokens. Roles come from the staff identity provider at each
// login; an analyst demoted there is only seen at their next login. So a
// key works only while its owner logged in within this period: a demoted
// analyst's key stops at their next login or, if they never log in again,
// this long after the last one (not the key's 90 days).
const RoleConfirmation = 30 * 24 * time.Hour

// TokenOwner checks a token at every call and returns its owner, who must
// hold, now, a role that may read results, confirmed by a login within
// RoleConfirmation.
func (s *Service) TokenOwner(ctx context.Context, tok string) (*identity.StaffMember, error) {
	if !strings.HasPrefix(tok, tokenPrefix) || len(tok) > 100 {
		return nil, ErrToken
	}
	db := s.db.WithContext(ctx)
	var t Token
	if err := db.Where("hash = ? AND revoked_at IS NULL", hashToken(tok)).Take(&t).Error; err != nil {
		return nil, ErrToken
	}
	if t.Expired(time.Now().UTC()) {
		return nil, ErrToken
	}
	var m identity.StaffMember
	if err := db.Where("id = ?", t.StaffID).Take(&m).Error; err != nil {
		return nil, ErrToken
	}
	if !identity.Can(m.RoleList(), identity.PermAnalyse) {
		return nil, ErrToken
	}
	if time.Now().UTC().Sub(m.LastLoginAt) > RoleConfirmation {
		return nil, ErrRolesUnconfirmed
	}
	db.Model(&Token{}).Where("id = ?", t.ID).Update("last_used_at", time.Now().UTC())
	return &m, nil
}

// OwnedToken is a live token with its owner's name, for administrators.
type OwnedToken struct {
	Token
	Owner string
}

// LiveTokens lists every token that still works (not revoked, not
// expired), newest first, with its owner.
func (s *Service) LiveTokens(ctx context.Context) ([]OwnedToken, error) {
	var out []OwnedToken
	err := s.db.WithContext(ctx).Table("api_tokens t").Select("t.*, m.name AS owner").
		Joins("JOIN staff_members m ON m.id = t.staff_id").
		Where("t.revoked_at IS NULL AND t.created_at > ?", time.Now().UTC().Add(-TokenLifetime)).
		Order("t.created_at DESC, t.id DESC").Scan(&out).Error
	return out, err
}

// RevokeAnyToken ends a token whoever owns it (administrators).
func (s *Service) RevokeAnyToken(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Model(&Token{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", time.Now().UTC())
	if res.Error == nil && res.RowsAffected == 0 {
		return apperror.New(apperror.NotFound, "")
	}
	return res.Error
}
