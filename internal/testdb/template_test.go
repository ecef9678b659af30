package testdb_test

import (
	"context"
	"os"
	"sync/atomic"
	"testing"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// Every copy starts as the template, which is built once, and what one
// test writes into its copy no other copy sees.
func TestFromTemplateGivesEachTestItsOwnCopy(t *testing.T) {
	var builds atomic.Int32
	build := func(url string) error {
		builds.Add(1)
		db, err := store.Open(context.Background(), store.Options{URL: url, MaxOpenConns: 1})
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.Exec("CREATE TABLE things (name TEXT NOT NULL)").Error; err != nil {
			return err
		}
		return db.Exec("INSERT INTO things (name) VALUES ('from the template')").Error
	}
	open := func(t *testing.T) *store.DB {
		url := testdb.FromTemplate(t, "things", build)
		db, err := store.Open(context.Background(), store.Options{URL: url, MaxOpenConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	count := func(t *testing.T, db *store.DB) int64 {
		var n int64
		if err := db.Table("things").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("writer", func(t *testing.T) {
		db := open(t)
		if n := count(t, db); n != 1 {
			t.Fatalf("copy holds %d rows, want the template's 1", n)
		}
		if err := db.Exec("INSERT INTO things (name) VALUES ('only here')").Error; err != nil {
			t.Fatal(err)
		}
		if n := count(t, db); n != 2 {
			t.Fatalf("copy holds %d rows after an insert, want 2", n)
		}
	})
	t.Run("reader", func(t *testing.T) {
		if n := count(t, open(t)); n != 1 {
			t.Fatalf("copy holds %d rows, want the template's 1: another test's write came through", n)
		}
	})
	if n := builds.Load(); n != 1 {
		t.Errorf("template built %d times, want once", n)
	}
}
