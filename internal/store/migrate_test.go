package store_test

import (
	"context"
	"errors"
	"maps"
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

// During a rolling update the old release runs beside the new one on the
// schema the new one migrated. An older binary serves on a schema ahead of
// it by migrations that only add; it refuses one whose migration removed
// what code of its release may still use (the contract note names the
// oldest release that may run), and a development build, which has no
// release number to compare, refuses any such migration. It never applies
// or undoes anything of the newer schema.
func TestOlderReleaseRunsBesideAnExpandedSchemaOnly(t *testing.T) {
	ctx := context.Background()
	base := testdb.OpenEmpty(t)
	v1 := map[string]string{"0001_a.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, old_note TEXT);"}
	v2 := map[string]string{"0002_b.sql": "CREATE TABLE b (id INTEGER PRIMARY KEY);\nALTER TABLE a ADD COLUMN new_note TEXT;"}
	v3 := map[string]string{"0003_c.sql": "-- contract: a.old_note, unused since release 1.5\nALTER TABLE a DROP COLUMN old_note;"}
	fsOf := func(parts ...map[string]string) *store.DB {
		all := map[string]string{}
		for _, p := range parts {
			maps.Copy(all, p)
		}
		return base.WithMigrations(dialectFS(base.Dialect, all))
	}
	if _, err := fsOf(v1, v2).WithRelease("1.5.0").Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, release := range []string{"1.4.2", "dev"} {
		older := fsOf(v1).WithRelease(release)
		st, err := older.CheckSchema(ctx)
		if err != nil || st.Ahead != 1 || !st.Serves() || st.UpToDate() {
			t.Fatalf("release %s beside an expanded schema: %+v %v, want it to serve, one ahead", release, st, err)
		}
		if applied, err := older.Migrate(ctx); err != nil || len(applied) != 0 {
			t.Fatalf("release %s migrating beside an expanded schema: %v %v, want nothing to do", release, applied, err)
		}
	}
	var oldest []string
	if err := base.Raw("SELECT oldest_release FROM schema_migrations ORDER BY version").Scan(&oldest).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(oldest, ",") != "," {
		t.Fatalf("oldest releases recorded for migrations that only add: %q, want none", oldest)
	}

	// Release 1.6 contracts what 1.5 stopped using.
	if _, err := fsOf(v1, v2, v3).WithRelease("1.6.0").Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := base.Raw("SELECT oldest_release FROM schema_migrations ORDER BY version").Scan(&oldest).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(oldest, ",") != ",,1.5" {
		t.Fatalf("oldest releases recorded: %q, want 1.5 for the contract", oldest)
	}
	for release, serves := range map[string]bool{"1.5.0": true, "v1.5.3": true, "1.4.2": false, "dev": false} {
		st, err := fsOf(v1, v2).WithRelease(release).CheckSchema(ctx)
		switch {
		case serves && (err != nil || !st.Serves() || st.Ahead != 1):
			t.Errorf("release %s beside 1.6's schema: %+v %v, want it to serve", release, st, err)
		case !serves && !errors.Is(err, store.ErrSchemaTooNew):
			t.Errorf("release %s beside 1.6's schema: %v, want ErrSchemaTooNew", release, err)
		}
	}
	if _, err := fsOf(v1).WithRelease("1.4.2").Migrate(ctx); !errors.Is(err, store.ErrSchemaTooNew) {
		t.Fatalf("Migrate by a release the schema left behind = %v, want ErrSchemaTooNew", err)
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
