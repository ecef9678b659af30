// Package store opens the database (PostgreSQL, or embedded pure-Go SQLite),
// applies the embedded migrations and maps driver errors to domain errors.
// Domain packages own their row structs and queries; this package owns the
// connection, the schema version and the dialect differences.
package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"inspraak/internal/apperror"
	"inspraak/internal/buildinfo"
)

// Dialects.
const (
	Postgres = "postgres"
	SQLite   = "sqlite"
)

// DefaultMaxIdleConns is Options.MaxIdleConns when it is not set.
const DefaultMaxIdleConns = 4

// Options configure Open.
type Options struct {
	// URL is postgres://..., postgresql://... or sqlite:PATH.
	URL          string
	MaxOpenConns int
	// MaxIdleConns is how many connections are kept open between uses;
	// 0 means DefaultMaxIdleConns (at most MaxOpenConns). None kept would
	// make every statement outside a transaction open a new connection,
	// and a new PostgreSQL backend costs milliseconds of the server's CPU:
	// seeding the demo opened 852 of them and took 8 s instead of 2.
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// Logger receives slow-query and error logs; nil silences gorm.
	Logger logger.Interface
}

// DB is the application's database handle.
type DB struct {
	*gorm.DB
	Dialect string
	// url is what Open was given: the startup lock opens its own
	// connection with it.
	url string
	// migrationsFS overrides the embedded migrations (tests only).
	migrationsFS fs.FS
	// release is this binary's release number (buildinfo.Version), which
	// CheckSchema compares with a newer schema's contract notes.
	release string
}

// WithRelease returns a handle that checks a newer schema as release r
// would (tests of rolling updates).
func (db *DB) WithRelease(r string) *DB {
	c := *db
	c.release = r
	return &c
}

// WithMigrations returns a handle that migrates from fsys instead of the
// embedded files; tests use it to prove failure and version handling.
func (db *DB) WithMigrations(fsys fs.FS) *DB {
	c := *db
	c.migrationsFS = fsys
	return &c
}

// Open connects to the database the URL names and checks it answers.
func Open(ctx context.Context, o Options) (*DB, error) {
	gcfg := &gorm.Config{
		TranslateError:         true,
		SkipDefaultTransaction: true, // our services open transactions where they need them
		PrepareStmt:            false,
		Logger:                 o.Logger,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	if gcfg.Logger == nil {
		gcfg.Logger = logger.Discard
	}
	var (
		gdb     *gorm.DB
		err     error
		dialect string
	)
	switch {
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		dialect = Postgres
		gdb, err = gorm.Open(postgres.Open(o.URL), gcfg)
	case strings.HasPrefix(o.URL, "sqlite:"):
		dialect = SQLite
		path := strings.TrimPrefix(strings.TrimPrefix(o.URL, "sqlite:"), "//")
		if path == "" {
			return nil, errors.New("store: sqlite: URL has no file path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: sqlite: %w", err)
			}
		}
		gdb, err = openSQLite(ctx, path, gcfg)
	default:
		return nil, fmt.Errorf("store: unsupported database URL (want postgres:// or sqlite:)")
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", dialect, err)
	}
	sqlDB, err := gdb.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// WAL lets readers run beside the single writer; a handful of
		// connections is plenty and keeps writers from starving.
		sqlDB.SetMaxOpenConns(max(o.MaxOpenConns, 4))
		sqlDB.SetMaxIdleConns(max(o.MaxIdleConns, 4))
	} else {
		idle := o.MaxIdleConns
		if idle <= 0 {
			idle = DefaultMaxIdleConns
		}
		if o.MaxOpenConns > 0 {
			idle = min(idle, o.MaxOpenConns)
		}
		sqlDB.SetMaxOpenConns(o.MaxOpenConns)
		sqlDB.SetMaxIdleConns(idle)
		sqlDB.SetConnMaxLifetime(o.ConnMaxLifetime)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("store: %s does not answer: %w", dialect, err)
	}
	return &DB{DB: gdb, Dialect: dialect, url: o.URL, release: buildinfo.Version}, nil
}

// openSQLite opens the file, trying again for up to 30 seconds while
// SQLite reports it busy. Two instances opening a new database at the same
// moment both switch it to WAL; each holds a read lock and wants the
// exclusive one, and SQLite answers one of them "database is locked" at
// once instead of waiting (it would be a deadlock). The moment passes as
// soon as the other has switched, so the open is simply tried again.
func openSQLite(ctx context.Context, path string, gcfg *gorm.Config) (*gorm.DB, error) {
	deadline := time.Now().Add(30 * time.Second)
	wait := 10 * time.Millisecond
	for {
		gdb, err := gorm.Open(sqlite.Open(sqliteDSN(path)), gcfg)
		if err == nil || !Collided(err) || time.Now().After(deadline) {
			return gdb, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// sqliteDSN turns a path into a DSN with the pragmas every connection needs:
// WAL, a busy timeout so writers wait instead of failing, foreign keys, and
// immediate transactions so a reader never has to upgrade to a writer lock
// mid-transaction (which SQLite reports as busy without waiting).
//
// The busy timeout comes first: the pragmas run in order on every new
// connection, and switching to WAL needs a lock, so without a timeout set
// an instance starting while another holds the write lock (seeding the
// demo, migrating) failed at once with SQLITE_BUSY.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(30000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
}

// Close closes the connection pool.
func (db *DB) Close() error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	sqlDB, err := db.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// WithTx runs fn in a transaction: committed when fn returns nil, rolled
// back otherwise (and on panic).
func (db *DB) WithTx(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.DB.WithContext(ctx).Transaction(fn)
}

// MapError turns driver errors into domain errors: a missing row becomes
// NotFound, a unique violation Conflict and a database that cannot be
// reached Unavailable. Other errors pass unchanged.
func MapError(err error) error {
	switch {
	case err == nil:
		return nil
	case Unreachable(err):
		return apperror.Wrap(err, apperror.Unavailable, "error.503.database")
	case errors.Is(err, gorm.ErrRecordNotFound):
		return apperror.Wrap(err, apperror.NotFound, "")
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperror.Wrap(err, apperror.Conflict, "")
	}
	return err
}

// Collided says whether a write failed only because concurrent writers
// met (a PostgreSQL serialisation failure or deadlock, SQLite's busy
// lock), so running the transaction again may succeed.
func Collided(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "40001") || strings.Contains(m, "40P01") ||
		strings.Contains(m, "database is locked") || strings.Contains(m, "SQLITE_BUSY")
}
