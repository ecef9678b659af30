package moderation

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/identity"
	"inspraak/internal/setting"
)

// keyDigestAt holds when the last digest went out (RFC 3339).
const keyDigestAt = "moderation.digest_at"

// DigestMailer queues one digest mail inside the transaction that claims
// the digest.
type DigestMailer func(tx *gorm.DB, to, name string, waiting int64, oldest time.Time) error

// Digest tells every moderator with an e-mail address how much work waits,
// at most once per interval and only when something entered the queue
// since the last digest. Several instances may call it: the one whose
// conditional update of the last-digest time succeeds sends; the others
// see that it was claimed. It returns how many mails were queued.
func (s *Service) Digest(ctx context.Context, mail DigestMailer) (int, error) {
	every, err := s.DigestEvery(ctx)
	if err != nil || every == 0 {
		return 0, err
	}
	now := s.now()
	last, had, err := s.setting(ctx, keyDigestAt)
	if err != nil {
		return 0, err
	}
	var since time.Time
	if had {
		if since, err = time.Parse(time.RFC3339Nano, last); err != nil {
			since = time.Time{}
		}
		if now.Sub(since) < every {
			return 0, nil
		}
	}
	sent := 0
	err = s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Item{}).Where("waiting").Count(&n).Error; err != nil || n == 0 {
			return err
		}
		// Read as rows, not aggregates: SQLite returns min() of a
		// DATETIME column as text.
		var oldest, newest []Item
		if err := tx.Select("queued_at").Where("waiting").Order("queued_at ASC").Limit(1).Find(&oldest).Error; err != nil {
			return err
		}
		if err := tx.Select("queued_at").Where("waiting").Order("queued_at DESC").Limit(1).Find(&newest).Error; err != nil {
			return err
		}
		if len(oldest) == 0 || oldest[0].QueuedAt == nil || newest[0].QueuedAt == nil || (had && !newest[0].QueuedAt.After(since)) {
			return nil // nothing new since the last digest
		}
		// Claim this round: only one instance moves the time forward.
		stamp := now.UTC().Format(time.RFC3339Nano)
		if had {
			res := tx.Model(&setting.Setting{}).Where("key = ? AND value = ?", keyDigestAt, last).
				Updates(map[string]any{"value": stamp, "updated_at": now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
		} else {
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&setting.Setting{Key: keyDigestAt, Value: stamp, UpdatedAt: now})
			if res.Error != nil || res.RowsAffected == 0 {
				return res.Error
			}
		}
		var staff []identity.StaffMember
		if err := tx.Where("email <> ''").Find(&staff).Error; err != nil {
			return err
		}
		for _, m := range staff {
			if !identity.Can(m.RoleList(), identity.PermModerate) {
				continue
			}
			if err := mail(tx, m.Email, m.Name, n, *oldest[0].QueuedAt); err != nil {
				return err
			}
			sent++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return sent, nil
}
