package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
)

const backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"

// BackChannelLogout ends the staff sessions a provider's logout token
// names. The token is verified like an ID token (signature, iss, aud,
// exp), and further: it must carry iat, a jti not seen before, the
// back-channel event, no nonce, and a sid or sub.
func (s *Service) BackChannelLogout(ctx context.Context, raw string) (int64, error) {
	rp, ok := s.rps[Staff]
	if !ok {
		return 0, apperror.New(apperror.NotFound, "")
	}
	v, err := rp.verifierFor(ctx)
	if err != nil {
		return 0, err
	}
	tok, err := v.Verify(ctx, raw)
	if err != nil {
		return 0, apperror.Wrap(err, apperror.Invalid, "")
	}
	var c struct {
		JTI    string         `json:"jti"`
		IAT    int64          `json:"iat"`
		SID    string         `json:"sid"`
		Nonce  *string        `json:"nonce"`
		Events map[string]any `json:"events"`
	}
	if err := tok.Claims(&c); err != nil {
		return 0, apperror.Wrap(err, apperror.Invalid, "")
	}
	now := s.now().UTC()
	switch {
	case c.Nonce != nil:
		return 0, apperror.Wrap(errors.New("logout token with nonce"), apperror.Invalid, "")
	case c.Events == nil || c.Events[backchannelEvent] == nil:
		return 0, apperror.Wrap(errors.New("logout token without back-channel event"), apperror.Invalid, "")
	case c.JTI == "":
		return 0, apperror.Wrap(errors.New("logout token without jti"), apperror.Invalid, "")
	case c.IAT == 0 || time.Unix(c.IAT, 0).After(now.Add(2*time.Minute)) || time.Unix(c.IAT, 0).Before(now.Add(-10*time.Minute)):
		return 0, apperror.Wrap(errors.New("logout token iat out of range"), apperror.Invalid, "")
	case c.SID == "" && tok.Subject == "":
		return 0, apperror.Wrap(errors.New("logout token without sid or sub"), apperror.Invalid, "")
	}
	var ended int64
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		// A replayed token hits the primary key and fails here.
		if err := tx.Create(&LogoutTokenSeen{JTI: c.JTI, ExpiresAt: now.Add(time.Hour)}).Error; err != nil {
			return err
		}
		q := tx.Where("kind = ?", KindStaff)
		if c.SID != "" {
			q = q.Where("provider_sid = ?", c.SID)
		} else {
			q = q.Where("staff_id IN (?)", tx.Model(&StaffMember{}).Select("id").Where("issuer = ? AND subject = ?", tok.Issuer, tok.Subject))
		}
		res := q.Delete(&Session{})
		ended = res.RowsAffected
		if res.Error != nil {
			return res.Error
		}
		return s.audit.RecordTx(tx, audit.Event{ActorKind: audit.ActorSystem, Action: "logout.backchannel", Target: string(Staff),
			Detail: map[string]any{"sessions": ended}})
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return 0, apperror.Wrap(fmt.Errorf("logout token replayed"), apperror.Conflict, "")
	}
	return ended, err
}
