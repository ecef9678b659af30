package store_test

import (
	"context"
	"testing"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// A handle opened without saying how many connections to keep idle keeps
// some: statements one after the other outside a transaction run on the
// connection the one before left, instead of each opening a new one (a
// new PostgreSQL backend costs milliseconds of the server's CPU; the
// demo's seeding opened 852 and took 8.1 s instead of 1.5 s).
func TestStatementsOneAfterTheOtherReuseAConnection(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("a SQLite file is opened in this process: there is no server connection to reuse (this test runs in CI's PostgreSQL step)")
	}
	for _, o := range []store.Options{
		{},                                 // neither limit set
		{MaxOpenConns: 2},                  // only the open limit
		{MaxIdleConns: -1},                 // nonsense: the default
		{MaxOpenConns: 1, MaxIdleConns: 9}, // idle above the open limit
	} {
		o.URL = testdb.URL(t)
		db, err := store.Open(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		backends := map[int64]bool{}
		for range 20 {
			var pid int64
			testdb.NoError(t, db.Raw("SELECT pg_backend_pid()").Scan(&pid).Error)
			backends[pid] = true
		}
		_ = db.Close()
		if len(backends) != 1 {
			t.Errorf("with MaxOpenConns %d, MaxIdleConns %d: 20 statements ran on %d connections, want 1",
				o.MaxOpenConns, o.MaxIdleConns, len(backends))
		}
	}
}
