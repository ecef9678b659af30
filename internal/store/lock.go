package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// startupLockClass is the first half of the startup lock's key; the
// second is a hash of the schema, so that databases (and test schemas)
// that share a PostgreSQL server do not wait for each other.
const startupLockClass = 72_113_600

// lockHeld marks a context whose holder has the startup lock of the
// database with the URL it holds.
type lockHeld struct{}

// sqliteLocks are the startup locks of SQLite files, by URL.
var sqliteLocks sync.Map

// Lock takes the startup lock: on PostgreSQL a session-level advisory lock
// held on a connection of its own, outside the pool, so that instances
// starting at once create the schema (schema_migrations included) and
// seed content one after another, each seeing what the one before it did.
// It returns a context that says the lock is held (Migrate under it does
// not take it again) and a release function that may be called more than
// once. Closing the connection releases the lock too, so a crashed
// instance never leaves it taken. A SQLite file serves one process; the
// lock there is a mutex per file, for instances in one process (tests).
func (db *DB) Lock(ctx context.Context) (context.Context, func(), error) {
	if ctx.Value(lockHeld{}) == db.url {
		return ctx, func() {}, nil
	}
	held := context.WithValue(ctx, lockHeld{}, db.url)
	if db.Dialect != Postgres {
		v, _ := sqliteLocks.LoadOrStore(db.url, &sync.Mutex{})
		mu := v.(*sync.Mutex)
		mu.Lock()
		return held, sync.OnceFunc(mu.Unlock), nil
	}
	conn, err := pgx.Connect(ctx, db.url)
	if err != nil {
		return ctx, nil, fmt.Errorf("store: startup lock: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1, hashtext(coalesce(current_schema(), '')))", startupLockClass); err != nil {
		_ = conn.Close(context.Background())
		return ctx, nil, fmt.Errorf("store: startup lock: %w", err)
	}
	release := sync.OnceFunc(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = conn.Exec(cctx, "SELECT pg_advisory_unlock($1, hashtext(coalesce(current_schema(), '')))", startupLockClass)
		_ = conn.Close(cctx)
	})
	return held, release, nil
}
