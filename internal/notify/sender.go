package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/mail"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/store"
)

// SenderConfig tunes a Sender; zero values take the defaults.
type SenderConfig struct {
	From *mail.Address
	Log  *slog.Logger
	Now  func() time.Time
	// Batch is how many mails one claim takes (default 10).
	Batch int
	// SendTimeout bounds one mail (default DefaultSMTPTimeout).
	SendTimeout time.Duration
	// Lease is how long a claim keeps others off (default: the whole batch
	// at SendTimeout each, plus a minute). After a crash the lease runs
	// out and another instance sends the mail.
	Lease time.Duration
	// MaxAttempts before a mail is marked failed (default 12).
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff (default 1 minute, 2 hours:
	// twelve attempts span eight to ten hours).
	BaseDelay, MaxDelay time.Duration
	// Interval is how often Run looks for due mail (default 5 seconds).
	Interval time.Duration
	// KeepSent is how long sent mail stays in the outbox (default 30
	// days); failed mail stays until someone deals with it.
	KeepSent time.Duration
}

// Sender empties the outbox. Every server instance may run one: claims
// never overlap, so no mail goes out twice.
type Sender struct {
	db  *store.DB
	t   Transport
	id  string
	cfg SenderConfig
	log *slog.Logger
	now func() time.Time
}

// NewSender returns a sender that claims mail as instanceID.
func NewSender(db *store.DB, t Transport, instanceID string, cfg SenderConfig) *Sender {
	if cfg.Batch <= 0 {
		cfg.Batch = 10
	}
	if cfg.SendTimeout <= 0 {
		cfg.SendTimeout = DefaultSMTPTimeout
	}
	if cfg.Lease <= 0 {
		cfg.Lease = time.Duration(cfg.Batch)*cfg.SendTimeout + time.Minute
	}
	// A mail is only started with SendTimeout of lease left; a shorter
	// lease would never send anything.
	cfg.Lease = max(cfg.Lease, 2*cfg.SendTimeout)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.BaseDelay <= 0 {
		cfg.BaseDelay = time.Minute
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 2 * time.Hour
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.KeepSent <= 0 {
		cfg.KeepSent = 30 * 24 * time.Hour
	}
	if cfg.From == nil {
		cfg.From = &mail.Address{Address: "inspraak@localhost"}
	}
	s := &Sender{db: db, t: t, id: instanceID, cfg: cfg, log: cfg.Log, now: cfg.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Run sends due mail every Interval until ctx ends, and once an hour
// removes sent mail older than KeepSent.
func (s *Sender) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Interval)
	defer t.Stop()
	var pruned time.Time
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sending mail failed", "error", err)
		}
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if n, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("pruning sent mail failed", "error", err)
			} else if n > 0 {
				s.log.Debug("sent mail removed from the outbox", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SendDue sends everything due now, claim by claim, and returns how many
// mails went out. A mail that fails waits for its next attempt, so one
// pass ends even while the mail server is down.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		batch, err := s.claim(ctx)
		if err != nil {
			return sent, err
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			if ctx.Err() != nil || !s.now().Before(batch[i].LockedUntil.Add(-s.cfg.SendTimeout)) {
				// Shutting down, or too close to the end of the lease to
				// finish safely: hand the rest back untouched.
				s.release(batch[i:])
				break
			}
			if s.send(ctx, &batch[i]) {
				sent++
			}
		}
	}
	return sent, ctx.Err()
}

// claimSQL takes up to Batch due mails that nobody holds. On PostgreSQL
// FOR UPDATE SKIP LOCKED lets instances claim side by side without
// waiting for each other; SQLite has no row locks, but every transaction
// there is BEGIN IMMEDIATE (see store), so claims simply take turns.
const claimSQL = `UPDATE mail_outbox SET locked_by = ?, locked_until = ?, attempts = attempts + 1
WHERE id IN (SELECT id FROM mail_outbox
  WHERE status = 'pending' AND next_attempt_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
  ORDER BY next_attempt_at, id LIMIT ?%s)
RETURNING id`

func (s *Sender) claim(ctx context.Context) ([]Mail, error) {
	now := s.now().UTC()
	until := now.Add(s.cfg.Lease)
	lock := ""
	if s.db.Dialect == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	var ids []int64
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		return tx.Raw(fmt.Sprintf(claimSQL, lock), s.id, until, now, now, s.cfg.Batch).Scan(&ids).Error
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	var batch []Mail
	err = s.db.WithContext(ctx).Where("id IN ? AND locked_by = ?", ids, s.id).Order("next_attempt_at, id").Find(&batch).Error
	return batch, err
}

// send delivers one claimed mail and records the outcome. It reports
// whether the mail went out.
func (s *Sender) send(ctx context.Context, m *Mail) bool {
	msg, err := buildMessage(s.cfg.From, m, s.now())
	if err == nil {
		// A mail under way is finished even when shutdown has begun
		// (SendTimeout bounds it): cut off, it may already be with the
		// mail server while the outbox records a failure, and go out
		// again after a backoff. SendDue hands back the ones not begun.
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.SendTimeout)
		err = s.t.Send(sctx, s.cfg.From.Address, []string{m.ToAddress}, msg)
		cancel()
	}
	// Record the outcome even when shutdown has begun: the mail went out
	// or it did not, and the outbox must say which.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	db := s.db.WithContext(rctx).Model(&Mail{}).Where("id = ? AND locked_by = ?", m.ID, s.id)
	now := s.now().UTC()
	if err == nil {
		res := db.Updates(map[string]any{"status": StatusSent, "sent_at": now, "locked_by": nil, "locked_until": nil, "last_error": ""})
		if res.Error != nil {
			s.log.Error("mail sent but not marked sent; it may go out again", "mail", m.ID, "error", res.Error)
		} else if res.RowsAffected == 0 {
			// Erased meanwhile, or our lease ran out and another instance
			// holds it: the message id stays the same either way.
			s.log.Warn("mail sent after its claim was lost", "mail", m.ID)
		}
		return true
	}
	reason := redactAddresses(err.Error())
	if len(reason) > 500 {
		reason = reason[:500]
	}
	if errors.Is(err, ErrPermanent) || m.Attempts >= s.cfg.MaxAttempts {
		s.log.Error("mail failed for good; it stays in the outbox", "mail", m.ID, "kind", m.Kind, "attempts", m.Attempts, "error", reason)
		db.Updates(map[string]any{"status": StatusFailed, "locked_by": nil, "locked_until": nil, "last_error": reason})
		return false
	}
	next := now.Add(Backoff(m.Attempts, s.cfg.BaseDelay, s.cfg.MaxDelay, rand.Float64))
	s.log.Warn("mail not sent; trying again later", "mail", m.ID, "kind", m.Kind, "attempts", m.Attempts, "next", next, "error", reason)
	db.Updates(map[string]any{"next_attempt_at": next, "locked_by": nil, "locked_until": nil, "last_error": reason})
	return false
}

// release hands claimed mails back without counting the attempt.
func (s *Sender) release(ms []Mail) {
	if len(ms) == 0 {
		return
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.db.WithContext(ctx).Model(&Mail{}).Where("id IN ? AND locked_by = ?", ids, s.id).
		Updates(map[string]any{"locked_by": nil, "locked_until": nil, "attempts": gorm.Expr("attempts - 1")}).Error; err != nil {
		s.log.Warn("could not hand back claimed mail; its lease will run out", "error", err)
	}
}

// Prune removes sent mail older than KeepSent (it holds addresses).
func (s *Sender) Prune(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("status = ? AND sent_at < ?", StatusSent, s.now().UTC().Add(-s.cfg.KeepSent)).Delete(&Mail{})
	return res.RowsAffected, res.Error
}

// Backoff is the wait after the n-th failed attempt: BaseDelay doubled per
// attempt, capped at MaxDelay, and then a random point in its upper half
// ("equal jitter"), so instances and mails that failed together do not
// all come back at the same moment.
func Backoff(attempt int, base, maxDelay time.Duration, random func() float64) time.Duration {
	d := maxDelay
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 30 {
		if x := base << (attempt - 1); x > 0 && x < maxDelay {
			d = x
		}
	}
	half := d / 2
	return half + time.Duration(random()*float64(d-half))
}
