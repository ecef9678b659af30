package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"inspraak/internal/store"
)

// backup writes a consistent copy of the SQLite database to a new file
// while the server keeps running: VACUUM INTO reads the database in one
// transaction, so the copy is the database at one moment, with what is
// still in the write-ahead log (a plain cp of the file can miss that, or
// catch it mid-write). It then opens the copy and checks it: SQLite's
// integrity check, the schema version, and the row count of every table
// against the database it came from. PostgreSQL has its own tools,
// pg_dump and pg_restore (docs/operations.md, section 6).
func backup(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(stderr, "usage: inspraak backup FILE   (a new file; SQLite only)")
		return 2
	}
	dest, err := filepath.Abs(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "inspraak backup:", err)
		return 2
	}
	if _, err := os.Stat(dest); err == nil {
		fmt.Fprintf(stderr, "inspraak backup: %s exists; a backup goes to a new file, nothing was overwritten\n", dest)
		return 1
	}
	_, ctx, db, done, ok := openStore("backup", stderr)
	if !ok {
		return 1
	}
	defer done()
	if db.Dialect != store.SQLite {
		fmt.Fprintln(stderr, "inspraak backup: the database is PostgreSQL; back it up with its own tools:")
		_, _ = io.WriteString(stderr, "  pg_dump -Fc --no-owner -d \"$INSPRAAK_DATABASE_URL\" -f inspraak-$(date +%F).dump\n")
		fmt.Fprintln(stderr, "(docs/operations.md, section 6: Backups and restores)")
		return 2
	}
	st, err := db.CheckSchema(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak backup:", err)
		return 1
	}
	// The copy may hold personal data: only its owner reads it. VACUUM
	// INTO writes to a file that does not exist yet, so make it first.
	f, err := os.OpenFile(dest, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak backup:", err)
		return 1
	}
	_ = f.Close()
	fail := func(err error) int {
		_ = os.Remove(dest)
		fmt.Fprintln(stderr, "inspraak backup:", err, "(no backup written)")
		return 1
	}
	// VACUUM INTO refuses a file with content only; an empty file is fine.
	if err := db.WithContext(ctx).Exec("VACUUM INTO ?", dest).Error; err != nil {
		return fail(err)
	}
	counts, err := tableCounts(db)
	if err != nil {
		return fail(err)
	}
	cp, err := store.Open(ctx, store.Options{URL: "sqlite:" + dest, MaxOpenConns: 1, MaxIdleConns: 1})
	if err != nil {
		return fail(err)
	}
	defer cp.Close()
	var check string
	if err := cp.WithContext(ctx).Raw("PRAGMA integrity_check").Row().Scan(&check); err != nil || check != "ok" {
		return fail(fmt.Errorf("the copy fails SQLite's integrity check: %q %v", check, err))
	}
	cst, err := cp.CheckSchema(ctx)
	if err != nil || cst.Current != st.Current {
		return fail(fmt.Errorf("the copy is at schema version %d, the database at %d (%v)", cst.Current, st.Current, err))
	}
	copied, err := tableCounts(cp)
	if err != nil {
		return fail(err)
	}
	rows := 0
	for t, n := range counts {
		// Rows written after the copy was taken are in the database but
		// not in the copy; a copy can never hold more.
		if copied[t] > n {
			return fail(fmt.Errorf("table %s: %d rows in the copy, %d in the database", t, copied[t], n))
		}
		rows += copied[t]
	}
	info, err := os.Stat(dest)
	if err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "backup written: %s (%d bytes, %d tables, %d rows, schema version %d, integrity ok)\n",
		dest, info.Size(), len(copied), rows, cst.Current)
	fmt.Fprintln(stdout, "restore: stop inspraak, move inspraak.db and its -wal and -shm files aside, copy the backup to inspraak.db, start inspraak")
	return 0
}

// tableCounts counts the rows of every table of an SQLite database.
func tableCounts(db *store.DB) (map[string]int, error) {
	var tables []string
	if err := db.Raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").Scan(&tables).Error; err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, t := range tables {
		var n int
		if err := db.Raw(`SELECT COUNT(*) FROM "` + strings.ReplaceAll(t, `"`, `""`) + `"`).Row().Scan(&n); err != nil {
			return nil, err
		}
		counts[t] = n
	}
	return counts, nil
}
