package store_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// Instances migrating at once on an empty database (each with its own
// connection pool, as separate processes have) all succeed, and every
// migration is applied once: the lock is taken before schema_migrations
// is created.
func TestMigrateAtOnceOnAnEmptyDatabase(t *testing.T) {
	url := testdb.URL(t)
	const n = 4
	dbs := make([]*store.DB, n)
	for i := range dbs {
		db, err := store.Open(context.Background(), store.Options{URL: url, MaxOpenConns: 1, MaxIdleConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbs[i] = db
	}
	applied := make([]int, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Go(func() {
			<-start
			ms, err := db.Migrate(context.Background())
			applied[i], errs[i] = len(ms), err
		})
	}
	close(start)
	wg.Wait()
	total := 0
	for i := range dbs {
		if errs[i] != nil {
			t.Errorf("instance %d: %v", i+1, errs[i])
		}
		total += applied[i]
	}
	st, err := dbs[0].Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !st.UpToDate() || total != st.Latest {
		t.Fatalf("applied %d migrations in all, want each of %d once (status %+v)", total, st.Latest, st)
	}
}

// The startup lock is held across Migrate (which does not wait for
// itself) and what the holder does next, until released, even with a
// pool of one connection; another holder waits for the release.
func TestStartupLockIsHeldUntilReleased(t *testing.T) {
	url := testdb.URL(t)
	open := func() *store.DB {
		db, err := store.Open(context.Background(), store.Options{URL: url, MaxOpenConns: 1, MaxIdleConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	a, b := open(), open()
	ctx, release, err := a.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		_, rel, err := b.Lock(context.Background())
		if err == nil {
			rel()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Fatal("a second holder got the lock while the first held it")
	default:
	}
	release()
	release() // twice is harmless
	<-got
}

// Instances opening a new SQLite file at the same moment all get it:
// SQLite answers one of two connections switching a new file to WAL
// "database is locked" without waiting, and Open tries again. (This
// failed two-instance tests about one run in thirty before.)
func TestSQLiteOpenedAtOnceByManyInstances(t *testing.T) {
	for round := range 20 {
		url := "sqlite:" + filepath.Join(t.TempDir(), "inspraak.db")
		const n = 6
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				db, err := store.Open(context.Background(), store.Options{URL: url})
				if err == nil {
					err = db.Ping(context.Background())
					_ = db.Close()
				}
				errs[i] = err
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d, instance %d of %d: %v", round+1, i+1, n, err)
			}
		}
	}
}
