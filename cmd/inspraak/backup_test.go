package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// A backup taken while the site runs is the database: every table row for
// row (ballots, tallies, the audit log among them), SQLite's integrity
// check passes, the tallies in the copy agree with a recount, and the copy
// started as a site's database serves it. An existing file is never
// overwritten. On PostgreSQL the command points to pg_dump instead.
func TestBackupIsTheDatabaseRowForRow(t *testing.T) {
	if testdb.Postgres() {
		t.Setenv("INSPRAAK_DATABASE_URL", testdb.URL(t))
		var out, errb bytes.Buffer
		if code := run([]string{"backup", filepath.Join(t.TempDir(), "b.db")}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "pg_dump") {
			t.Fatalf("backup on PostgreSQL: %d %q", code, errb.String())
		}
		return
	}
	dir := t.TempDir()
	src := "sqlite:" + filepath.Join(dir, "inspraak.db")
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"INSPRAAK_DATABASE_URL": src, "INSPRAAK_SEED_DEMO": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	site, err := app.New(ctx, cfg, quiet) // running: it holds the database open
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()

	t.Setenv("INSPRAAK_DATABASE_URL", src)
	dest := filepath.Join(dir, "backup.db")
	var out, errb bytes.Buffer
	if code := run([]string{"backup", dest}, &out, &errb); code != 0 {
		t.Fatalf("backup: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "integrity ok") {
		t.Fatalf("backup report: %q", out.String())
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup file: %v %v, want readable by its owner only", fi, err)
	}

	cp, err := store.Open(ctx, store.Options{URL: "sqlite:" + dest, MaxOpenConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	tables, err := tableCounts(site.DB)
	if err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{"ballots", "audit_log", "poll_tallies", "budget_ballots", "participations"} {
		if _, ok := tables[must]; !ok {
			t.Fatalf("no table %s to compare (tables: %v)", must, tables)
		}
	}
	seeded := 0
	for table := range tables {
		a, b := dumpTable(t, site.DB, table), dumpTable(t, cp, table)
		if a != b {
			t.Errorf("table %s differs in the backup", table)
		}
		seeded += tables[table]
	}
	if tables["ballots"] == 0 || tables["audit_log"] == 0 || seeded < 100 {
		t.Fatalf("the demo is not in the database (%d rows): the comparison proves nothing", seeded)
	}
	_ = cp.Close()

	// Restored: the copy as a site's database, its totals as a recount.
	restored := filepath.Join(t.TempDir(), "inspraak.db")
	data, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restored, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("INSPRAAK_DATABASE_URL", "sqlite:"+restored)
	out.Reset()
	if code := run([]string{"tallies"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "checked, 0 differ") {
		t.Fatalf("tallies in the restored copy: %d %q %q", code, out.String(), errb.String())
	}

	// Never over an existing file.
	t.Setenv("INSPRAAK_DATABASE_URL", src)
	before, _ := os.ReadFile(dest)
	errb.Reset()
	if code := run([]string{"backup", dest}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "exists") {
		t.Fatalf("backup over an existing file: %d %q", code, errb.String())
	}
	if after, _ := os.ReadFile(dest); !bytes.Equal(before, after) {
		t.Fatal("the existing file was changed")
	}
}

// dumpTable is every row of a table, in a fixed order, as text.
func dumpTable(t *testing.T, db *store.DB, table string) string {
	t.Helper()
	rows, err := db.Raw(`SELECT * FROM "` + table + `" ORDER BY 1, 2`).Rows()
	if err != nil {
		// A table of one column.
		rows, err = db.Raw(`SELECT * FROM "` + table + `" ORDER BY 1`).Rows()
	}
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(&b, vals...)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
