package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"gorm.io/gorm/schema"

	"inspraak/internal/app"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// shape is what the schema test compares: per table, its columns and its
// unique indexes (name → ordered columns).
type shape struct {
	Columns map[string][]string
	Uniques map[string]map[string]string
}

func introspect(t *testing.T, db *store.DB) shape {
	t.Helper()
	s := shape{Columns: map[string][]string{}, Uniques: map[string]map[string]string{}}
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range tables {
		if table == "schema_migrations" || strings.HasPrefix(table, "sqlite_") || strings.HasPrefix(table, "ideas_fts") {
			continue
		}
		cols, err := db.Migrator().ColumnTypes(table)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cols {
			s.Columns[table] = append(s.Columns[table], c.Name())
		}
		sort.Strings(s.Columns[table])
		idx, err := db.Migrator().GetIndexes(table)
		if err != nil {
			t.Fatal(err)
		}
		s.Uniques[table] = map[string]string{}
		for _, ix := range idx {
			if pk, _ := ix.PrimaryKey(); pk || strings.HasPrefix(ix.Name(), "sqlite_autoindex") || strings.HasSuffix(ix.Name(), "_pkey") {
				continue
			}
			if u, _ := ix.Unique(); u {
				s.Uniques[table][ix.Name()] = strings.Join(ix.Columns(), ",")
			}
		}
	}
	return s
}

func modelShape(t *testing.T) shape {
	t.Helper()
	s := shape{Columns: map[string][]string{}, Uniques: map[string]map[string]string{}}
	cache := &sync.Map{}
	for _, m := range app.Models() {
		sch, err := schema.Parse(m, cache, schema.NamingStrategy{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range sch.Fields {
			if f.DBName != "" {
				s.Columns[sch.Table] = append(s.Columns[sch.Table], f.DBName)
			}
		}
		sort.Strings(s.Columns[sch.Table])
		s.Uniques[sch.Table] = map[string]string{}
		for _, ix := range sch.ParseIndexes() {
			if ix.Class != "UNIQUE" {
				continue
			}
			var cols []string
			for _, f := range ix.Fields {
				cols = append(cols, f.DBName)
			}
			s.Uniques[sch.Table][ix.Name] = strings.Join(cols, ",")
		}
	}
	return s
}

func compareShapes(t *testing.T, what string, got, want shape) {
	t.Helper()
	for table, cols := range want.Columns {
		if fmt.Sprint(got.Columns[table]) != fmt.Sprint(cols) {
			t.Errorf("%s: table %s columns = %v, want %v", what, table, got.Columns[table], cols)
		}
		if fmt.Sprint(got.Uniques[table]) != fmt.Sprint(want.Uniques[table]) {
			t.Errorf("%s: table %s unique indexes = %v, want %v", what, table, got.Uniques[table], want.Uniques[table])
		}
	}
	for table := range got.Columns {
		if _, ok := want.Columns[table]; !ok {
			t.Errorf("%s: table %s exists but no gorm model describes it", what, table)
		}
	}
}

// The migrations, not AutoMigrate, make the schema; this proves they make
// what the gorm models expect, on SQLite always and on PostgreSQL when the
// suite runs there, and that both dialects agree with each other.
func TestMigrationsMatchModelsOnBothDialects(t *testing.T) {
	ctx := context.Background()
	want := modelShape(t)

	lite, err := store.Open(ctx, store.Options{URL: "sqlite:" + filepath.Join(t.TempDir(), "schema.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	if _, err := lite.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	liteShape := introspect(t, lite)
	compareShapes(t, "sqlite", liteShape, want)

	if testdb.Postgres() {
		pg := testdb.Open(t)
		pgShape := introspect(t, pg)
		compareShapes(t, "postgres", pgShape, want)
		compareShapes(t, "postgres vs sqlite", pgShape, liteShape)
	} else {
		t.Log("PostgreSQL half runs when INSPRAAK_TEST_DATABASE_URL is set (CI sets it)")
	}
}
