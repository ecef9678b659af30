package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// Migration 0022 widens the kind constraint of instruments to admit
// budgets: on SQLite by editing the stored CREATE TABLE text, since the
// table cannot be rebuilt under its cascading foreign keys. Existing
// instruments and their rows survive, every pooled connection (including
// ones opened before the migration) accepts a budget, and an unknown kind
// is still refused.
func TestMigration0022AdmitsBudgets(t *testing.T) {
	ctx := context.Background()
	base, old, exec := before(t, 21)
	exec(old, `INSERT INTO instruments (id, project_id, kind, slug, title, created_at, updated_at) VALUES (8, 1, 'poll', 'p', 'P', ?, ?)`, time.Now(), time.Now())
	exec(old, `INSERT INTO polls (instrument_id, question) VALUES (8, 'Wat?')`)
	// Connections that are open (and have read the old schema) before
	// the migration runs.
	sqlDB, err := base.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	var conns []*sql.Conn
	for range 4 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM instruments").Scan(&n); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		_ = c.Close() // back to the pool, with their cached schema
	}
	if _, err := base.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	conns = conns[:0]
	for range 6 {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	now := time.Now().UTC()
	q := func(sql string) string { // the driver's own placeholders
		if base.Dialect != store.Postgres {
			return sql
		}
		for i := 1; strings.Contains(sql, "?"); i++ {
			sql = strings.Replace(sql, "?", "$"+string(rune('0'+i)), 1)
		}
		return sql
	}
	for i, c := range conns {
		if _, err := c.ExecContext(ctx, q(`INSERT INTO instruments (id, project_id, kind, slug, title, created_at, updated_at) VALUES (?, 1, 'budget', ?, 'B', ?, ?)`),
			100+i, "b-"+string(rune('a'+i)), now, now); err != nil {
			t.Fatalf("connection %d: a budget instrument is refused: %v", i, err)
		}
		if _, err := c.ExecContext(ctx, q(`INSERT INTO instruments (id, project_id, kind, slug, title, created_at, updated_at) VALUES (?, 1, 'survey', ?, 'S', ?, ?)`),
			200+i, "s-"+string(rune('a'+i)), now, now); err == nil {
			t.Fatalf("connection %d: an unknown kind was stored", i)
		}
	}
	for _, c := range conns {
		_ = c.Close()
	}
	var kinds []string
	testdb.NoError(t, base.Raw("SELECT kind FROM instruments ORDER BY id").Scan(&kinds).Error)
	if len(kinds) != 8 || kinds[0] != "consultation" || kinds[1] != "poll" || kinds[7] != "budget" {
		t.Fatalf("instruments after 0022 = %v", kinds)
	}
	var polls int64
	testdb.NoError(t, base.Table("polls").Count(&polls).Error)
	if polls != 1 {
		t.Fatalf("polls after 0022 = %d, want 1", polls)
	}
	if base.Dialect == store.SQLite {
		var check string
		testdb.NoError(t, base.Raw("PRAGMA integrity_check").Scan(&check).Error)
		if check != "ok" {
			t.Fatalf("integrity_check = %q", check)
		}
	}
}

// Should the stored text of instruments ever differ from what 0003 wrote,
// the SQLite migration fails instead of silently leaving budgets refused.
func TestMigration0022FailsWhenTheConstraintIsNotFound(t *testing.T) {
	if testdb.Postgres() {
		t.Skip("the text edit is SQLite's; PostgreSQL drops the constraint by name")
	}
	ctx := context.Background()
	base, _, exec := before(t, 21)
	// Change the stored text (as an instance with another history might
	// have it), the same way the migration does.
	exec(base, `PRAGMA writable_schema = ON`)
	exec(base, `UPDATE sqlite_master SET sql = replace(sql, '''poll'', ''idea_board''', '''idea_board'', ''poll''') WHERE type = 'table' AND name = 'instruments'`)
	exec(base, `PRAGMA writable_schema = RESET`)
	_, err := base.WithMigrations(upTo(t, base.Dialect, 22)).Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "0022_budgets failed") {
		t.Fatalf("migrate = %v, want 0022 to fail", err)
	}
}
