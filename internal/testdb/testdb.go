// Package testdb gives each test a fresh, migrated database: a SQLite file
// in the test's temporary folder by default, or, when
// INSPRAAK_TEST_DATABASE_URL is set, a new PostgreSQL schema that is
// dropped afterwards. FromTemplate gives each test a copy of contents that
// are made once per test binary instead. A configured PostgreSQL that
// cannot be reached fails the test; it never silently falls back to SQLite.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"inspraak/internal/store"
)

// EnvVar switches the suite to PostgreSQL.
const EnvVar = "INSPRAAK_TEST_DATABASE_URL"

// Postgres reports whether this run targets PostgreSQL.
func Postgres() bool { return os.Getenv(EnvVar) != "" }

// URL returns a database URL for a fresh, empty database (not migrated),
// removed when the test ends. On PostgreSQL it creates a schema just for
// this test.
func URL(t testing.TB) string {
	t.Helper()
	u, drop, err := NewURL()
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	return u
}

// NewURL is URL for a database that is no one test's (a whole test
// binary's, say): drop removes it once every connection to it is closed.
func NewURL() (dbURL string, drop func() error, err error) {
	base := os.Getenv(EnvVar)
	if base == "" {
		dir, err := os.MkdirTemp("", "inspraak-test-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "test.db"), func() error { return os.RemoveAll(dir) }, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", EnvVar, err)
	}
	admin, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 2})
	if err != nil {
		return "", nil, fmt.Errorf("%s is set but PostgreSQL cannot be reached: %w", EnvVar, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec(`CREATE SCHEMA "` + schema + `"`).Error; err != nil {
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop = func() error {
		cleanup, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 1})
		if err != nil {
			return fmt.Errorf("drop schema: %w", err)
		}
		defer cleanup.Close()
		if err := cleanup.Exec(`DROP SCHEMA "` + schema + `" CASCADE`).Error; err != nil {
			return fmt.Errorf("drop schema: %w", err)
		}
		return nil
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

// Open returns a fresh database with every migration applied, closed when
// the test ends.
func Open(t testing.TB) *store.DB {
	t.Helper()
	db := OpenEmpty(t)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("testdb: migrate: %v", err)
	}
	return db
}

// OpenEmpty returns a fresh database without migrations.
func OpenEmpty(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), store.Options{URL: URL(t), MaxOpenConns: 8, MaxIdleConns: 4})
	if err != nil {
		t.Fatalf("testdb: open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// NoError stops the test when a database call failed: a failed Count
// leaves 0 and a failed Scan leaves the zero value, which an assertion
// would otherwise take for the answer. Use it as
// testdb.NoError(t, db.Table("ideas").Count(&n).Error).
func NoError(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("database: %v", err)
	}
}

// SetProjectStatusOf moves the project of an instrument to status
// directly, as an editor's status switch would (tests of what a closed
// project refuses).
func SetProjectStatusOf(t testing.TB, db *store.DB, instrumentID int64, status string) {
	t.Helper()
	NoError(t, db.Exec("UPDATE projects SET status = ? WHERE id = (SELECT project_id FROM instruments WHERE id = ?)", status, instrumentID).Error)
}
