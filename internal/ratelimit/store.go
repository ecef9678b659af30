package ratelimit

import (
	"context"
	"strings"
	"sync"

	"gorm.io/gorm"
)

// Row is a counter in the rate_limits table (migration 0017).
type Row struct {
	Bucket      string `gorm:"primaryKey"`
	WindowNo    int64
	Hits        int
	PrevHits    int
	ExpiresUnix int64
}

// TableName is the table of the counters.
func (Row) TableName() string { return "rate_limits" }

// Models lists the package's row structs for the schema test.
func Models() []any { return []any{&Row{}} }

// DBStore keeps counters in the rate_limits table, so every instance on
// the same database counts together.
type DBStore struct{ db *gorm.DB }

// NewDBStore keeps counters in db (PostgreSQL; SQLite works too).
func NewDBStore(db *gorm.DB) *DBStore { return &DBStore{db: db} }

// upsert counts one hit per bucket in one statement. A row of an older
// window moves on: its hits become prev_hits when that window was the one
// just before, and are dropped when it was older still. An instance whose
// clock lags a little counts into the newest window rather than resetting
// it. SET expressions read the row as it was, on both dialects.
const upsert = `ON CONFLICT (bucket) DO UPDATE SET
	prev_hits = CASE WHEN rate_limits.window_no >= excluded.window_no THEN rate_limits.prev_hits
		WHEN rate_limits.window_no = excluded.window_no - 1 THEN rate_limits.hits ELSE 0 END,
	hits = CASE WHEN rate_limits.window_no >= excluded.window_no THEN rate_limits.hits + 1 ELSE 1 END,
	window_no = CASE WHEN rate_limits.window_no > excluded.window_no THEN rate_limits.window_no ELSE excluded.window_no END,
	expires_unix = CASE WHEN rate_limits.expires_unix > excluded.expires_unix THEN rate_limits.expires_unix ELSE excluded.expires_unix END
RETURNING bucket, hits, prev_hits`

// Add counts one hit in each bucket, in one statement.
func (s *DBStore) Add(ctx context.Context, buckets []string, window, expires int64) (map[string]Count, error) {
	var b strings.Builder
	b.WriteString("INSERT INTO rate_limits (bucket, window_no, hits, prev_hits, expires_unix) VALUES ")
	args := make([]any, 0, 3*len(buckets))
	for i, bk := range buckets {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, 1, 0, ?)")
		args = append(args, bk, window, expires)
	}
	b.WriteString(" ")
	b.WriteString(upsert)
	rows, err := s.db.WithContext(ctx).Raw(b.String(), args...).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]Count, len(buckets))
	for rows.Next() {
		var bk string
		var c Count
		if err := rows.Scan(&bk, &c.Current, &c.Previous); err != nil {
			return nil, err
		}
		out[bk] = c
	}
	return out, rows.Err()
}

// Clean removes expired rows.
func (s *DBStore) Clean(ctx context.Context, now int64) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_unix < ?", now).Delete(&Row{})
	return res.RowsAffected, res.Error
}

// MemoryStore keeps counters in this process (one instance on SQLite).
type MemoryStore struct {
	mu   sync.Mutex
	rows map[string]*Row
	adds int
}

// NewMemoryStore makes an empty memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{rows: map[string]*Row{}} }

// sweepEvery is how many hits pass between sweeps of expired counters, so
// memory stays bounded even without the clean-up loop.
const sweepEvery = 4096

// Add counts one hit in each bucket, by the same rule as the table.
func (s *MemoryStore) Add(_ context.Context, buckets []string, window, expires int64) (map[string]Count, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adds++
	if s.adds%sweepEvery == 0 {
		s.sweep(window, expires)
	}
	out := make(map[string]Count, len(buckets))
	for _, bk := range buckets {
		r := s.rows[bk]
		switch {
		case r == nil:
			r = &Row{Bucket: bk, WindowNo: window, Hits: 1, ExpiresUnix: expires}
			s.rows[bk] = r
		case r.WindowNo >= window:
			r.Hits++
		case r.WindowNo == window-1:
			r.PrevHits, r.Hits, r.WindowNo = r.Hits, 1, window
		default:
			r.PrevHits, r.Hits, r.WindowNo = 0, 1, window
		}
		r.ExpiresUnix = max(r.ExpiresUnix, expires)
		out[bk] = Count{Current: r.Hits, Previous: r.PrevHits}
	}
	return out, nil
}

// sweep drops counters that expired; the current time is estimated from
// the window being counted (expires is two windows after its start).
func (s *MemoryStore) sweep(window, expires int64) {
	now := expires - 2*(expires/(window+2))
	for k, r := range s.rows {
		if r.ExpiresUnix < now {
			delete(s.rows, k)
		}
	}
}

// Clean removes expired counters.
func (s *MemoryStore) Clean(_ context.Context, now int64) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, r := range s.rows {
		if r.ExpiresUnix < now {
			delete(s.rows, k)
			n++
		}
	}
	return n, nil
}

// Len is the number of counters held (tests).
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.rows)
}
