package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	t.Logf("SQLite backup of a running site: %d tables, %d rows equal (ballots %d, audit log %d, budget ballots %d)",
		len(tables), seeded, tables["ballots"], tables["audit_log"], tables["budget_ballots"])
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

// dumpTable is every row of a table as text, one line a row, the lines
// sorted (a total order whatever the columns' types).
func dumpTable(t *testing.T, db *store.DB, table string) string {
	t.Helper()
	rows, err := db.Raw(`SELECT * FROM "` + table + `"`).Rows()
	if err != nil {
		t.Fatalf("read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, fmt.Sprintln(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// The PostgreSQL round trip that docs/operations.md gives: pg_dump of a
// running demo site in the custom format, pg_restore into a fresh
// database, and the restored database is the original table for table and
// row for row (ballots, tallies, the audit log among them), its sequences
// carry on where the original's were (a new row after the restore does not
// collide), its tallies agree with a recount, and a site starts on it.
func TestPostgresDumpAndRestoreRoundTrip(t *testing.T) {
	if !testdb.Postgres() {
		t.Skip("pg_dump and pg_restore are PostgreSQL's; the SQLite backup has its own test")
	}
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (Debian: postgresql-client): %v", tool, err)
		}
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	src, dst := testdb.Database(t), testdb.Database(t)
	cfg, err := config.Load(func(k string) string {
		return map[string]string{"INSPRAAK_DATABASE_URL": src, "INSPRAAK_SEED_DEMO": "true"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	site, err := app.New(ctx, cfg, quiet) // running while it is dumped
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()

	dump := filepath.Join(t.TempDir(), "inspraak.dump")
	if out, err := exec.Command("pg_dump", "-Fc", "--no-owner", "-d", src, "-f", dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	if out, err := exec.Command("pg_restore", "--no-owner", "--exit-on-error", "-d", dst, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	restored, err := store.Open(ctx, store.Options{URL: dst, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()

	tables := pgTables(t, site.DB)
	if got := pgTables(t, restored); strings.Join(got, " ") != strings.Join(tables, " ") {
		t.Fatalf("tables after the restore:\n%v\nwant\n%v", got, tables)
	}
	rows := 0
	for _, table := range tables {
		a, b := dumpTable(t, site.DB, table), dumpTable(t, restored, table)
		if a != b {
			t.Errorf("table %s differs after the restore", table)
		}
		rows += strings.Count(a, "\n")
	}
	for _, must := range []string{"ballots", "audit_log", "poll_tallies", "budget_ballots", "responses"} {
		if !slices.Contains(tables, must) || !strings.Contains(dumpTable(t, site.DB, must), "\n") {
			t.Fatalf("table %s is missing or empty: the comparison proves little (tables: %v)", must, tables)
		}
	}
	if rows < 100 {
		t.Fatalf("only %d rows in the demo: the comparison proves little", rows)
	}
	seqs := func(db *store.DB) string {
		var s []string
		if err := db.Raw(`SELECT sequencename || '=' || COALESCE(last_value, 0) FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`).Scan(&s).Error; err != nil {
			t.Fatal(err)
		}
		return strings.Join(s, " ")
	}
	if a, b := seqs(site.DB), seqs(restored); a != b || a == "" {
		t.Fatalf("sequences after the restore:\n%s\nwant\n%s", b, a)
	}

	t.Logf("PostgreSQL pg_dump/pg_restore of a running site: %d tables, %d rows equal, sequences equal", len(tables), rows)
	t.Setenv("INSPRAAK_DATABASE_URL", dst)
	var out, errb bytes.Buffer
	if code := run([]string{"tallies"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "checked, 0 differ") {
		t.Fatalf("tallies in the restored database: %d %q %q", code, out.String(), errb.String())
	}
	cfg2, err := config.Load(func(k string) string { return map[string]string{"INSPRAAK_DATABASE_URL": dst}[k] })
	if err != nil {
		t.Fatal(err)
	}
	again, err := app.New(ctx, cfg2, quiet)
	if err != nil {
		t.Fatalf("a site on the restored database: %v", err)
	}
	_ = again.Close()
	// A new row takes the next number, not one the dump already holds.
	if err := restored.Exec(`INSERT INTO audit_log (at, actor_kind, action) VALUES (now(), 'system', 'test.restore')`).Error; err != nil {
		t.Fatalf("a new audit row after the restore: %v", err)
	}
}

// pgTables lists the tables of the database's current schema.
func pgTables(t *testing.T, db *store.DB) []string {
	t.Helper()
	var tables []string
	if err := db.Raw(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	return tables
}
