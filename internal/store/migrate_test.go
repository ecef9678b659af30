package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

func TestMigrateAppliesEverythingOnceAndRecordsIt(t *testing.T) {
	ctx := context.Background()
	db := testdb.OpenEmpty(t)
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != 0 || len(st.Pending) == 0 || st.UpToDate() {
		t.Fatalf("empty database status = %+v", st)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != st.Latest {
		t.Fatalf("applied %d migrations, want %d", len(applied), st.Latest)
	}
	again, err := db.Migrate(ctx)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %d (%v), want none", len(again), err)
	}
	st, _ = db.Status(ctx)
	if !st.UpToDate() {
		t.Fatalf("status after migrate = %+v", st)
	}
}

func dialectFS(dialect string, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, sql := range files {
		fsys[dialect+"/"+name] = &fstest.MapFile{Data: []byte(sql)}
	}
	return fsys
}

func TestFailedMigrationRollsBackAndIsNotRecorded(t *testing.T) {
	ctx := context.Background()
	base := testdb.OpenEmpty(t)
	db := base.WithMigrations(dialectFS(base.Dialect, map[string]string{
		"0001_good.sql": "CREATE TABLE good_one (id INTEGER PRIMARY KEY);",
		"0002_bad.sql":  "CREATE TABLE half_done (id INTEGER PRIMARY KEY); INSERT INTO no_such_table VALUES (1);",
	}))
	applied, err := db.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0002_bad") {
		t.Fatalf("want failure naming 0002_bad, got %v", err)
	}
	if len(applied) != 1 {
		t.Fatalf("applied = %v, want only the first", applied)
	}
	if db.Migrator().HasTable("half_done") {
		t.Error("the failed migration's table survived: it was not run in a transaction")
	}
	st, _ := db.Status(ctx)
	if st.Current != 1 || len(st.Pending) != 1 {
		t.Errorf("status = %+v, want current 1 with one pending", st)
	}
}

func TestRefusesSchemaNewerThanBinary(t *testing.T) {
	ctx := context.Background()
	base := testdb.OpenEmpty(t)
	newer := base.WithMigrations(dialectFS(base.Dialect, map[string]string{
		"0001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
		"0002_b.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);",
	}))
	if _, err := newer.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	older := base.WithMigrations(dialectFS(base.Dialect, map[string]string{
		"0001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY);",
	}))
	if _, err := older.CheckSchema(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("CheckSchema = %v, want ErrSchemaTooNew", err)
	}
	if _, err := older.Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Migrate = %v, want ErrSchemaTooNew", err)
	}
}

func TestMigrationFilesMustBeWellFormed(t *testing.T) {
	cases := map[string]fstest.MapFS{
		"bad name":  dialectFS("sqlite", map[string]string{"1_init.sql": "SELECT 1;"}),
		"gap":       dialectFS("sqlite", map[string]string{"0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;"}),
		"no folder": {},
	}
	for name, fsys := range cases {
		if _, err := store.LoadMigrations(fsys, "sqlite"); err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
}

func TestEmbeddedDialectsHaveTheSameMigrations(t *testing.T) {
	pg, err := store.LoadMigrations(migrationsFS(), store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := store.LoadMigrations(migrationsFS(), store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	if len(pg) != len(lite) {
		t.Fatalf("postgres has %d migrations, sqlite %d", len(pg), len(lite))
	}
	for i := range pg {
		if pg[i].Version != lite[i].Version || pg[i].Name != lite[i].Name {
			t.Errorf("migration %d: postgres %04d_%s vs sqlite %04d_%s", i, pg[i].Version, pg[i].Name, lite[i].Version, lite[i].Name)
		}
	}
}
