package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"

	"inspraak/migrations"
)

// Migration is one embedded SQL file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// SchemaStatus compares the database with the migrations this binary knows.
type SchemaStatus struct {
	Current int // highest applied version, 0 for an empty database
	Latest  int // highest version this binary knows
	Pending []Migration
	// Ahead counts the migrations a newer release applied that this binary
	// does not know but may run beside (CheckSchema sets it): during a
	// rolling update the old release keeps serving on the expanded schema.
	Ahead int
}

// UpToDate reports whether the schema is exactly what this binary expects.
func (s SchemaStatus) UpToDate() bool { return s.Current == s.Latest && len(s.Pending) == 0 }

// Serves reports whether this binary can serve on the schema: it is up to
// date, or ahead by migrations CheckSchema found this release may run beside.
func (s SchemaStatus) Serves() bool {
	return len(s.Pending) == 0 && (s.Current == s.Latest || s.Ahead > 0)
}

// ErrSchemaTooNew means the database was migrated by a newer binary with a
// migration that drops or renames what this release may still use; running
// it could lose or corrupt data, so it refuses.
var ErrSchemaTooNew = errors.New("database schema is newer than this version of Inspraak knows")

var migrationFile = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// LoadMigrations reads the migrations of a dialect from fsys, in order.
func LoadMigrations(fsys fs.FS, dialect string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrations for %s: %w", dialect, err)
	}
	var ms []Migration
	seen := map[int]string{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("store: migration file %s/%s is not named NNNN_name.sql", dialect, e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("store: migrations %s and %s share version %d", other, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, path.Join(dialect, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: m[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: migrations for %s must be numbered 1, 2, 3…; found %04d at position %d", dialect, m.Version, i+1)
		}
	}
	return ms, nil
}

// Migrations returns the embedded migrations for this database's dialect.
func (db *DB) Migrations() ([]Migration, error) {
	if db.migrationsFS != nil {
		return LoadMigrations(db.migrationsFS, db.Dialect)
	}
	return LoadMigrations(migrations.FS, db.Dialect)
}

type schemaMigration struct {
	Version   int       `gorm:"primaryKey;autoIncrement:false"`
	Name      string    `gorm:"not null"`
	AppliedAt time.Time `gorm:"not null"`
	// OldestRelease is the oldest release whose code runs on the schema
	// with this migration applied ("" for one that only adds): what an
	// older binary reads to know whether it may run beside a newer one.
	OldestRelease string `gorm:"not null;default:''"`
}

func (schemaMigration) TableName() string { return "schema_migrations" }

func (db *DB) ensureMigrationTable(ctx context.Context) error {
	ddl := `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMP NOT NULL
)`
	if db.Dialect == Postgres {
		ddl = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	applied_at TIMESTAMPTZ NOT NULL
)`
	}
	if err := db.WithContext(ctx).Exec(ddl).Error; err != nil {
		return err
	}
	// Added to the bookkeeping table later: databases made before have
	// their migrations without it ("" — they contract nothing new).
	if !db.WithContext(ctx).Migrator().HasColumn(&schemaMigration{}, "oldest_release") {
		return db.WithContext(ctx).Exec(`ALTER TABLE schema_migrations ADD COLUMN oldest_release TEXT NOT NULL DEFAULT ''`).Error
	}
	return nil
}

func appliedVersions(tx *gorm.DB) (map[int]bool, int, error) {
	var rows []schemaMigration
	if err := tx.Order("version").Find(&rows).Error; err != nil {
		return nil, 0, err
	}
	applied := map[int]bool{}
	current := 0
	for _, r := range rows {
		applied[r.Version] = true
		current = max(current, r.Version)
	}
	return applied, current, nil
}

// Status reports the schema version against the embedded migrations.
func (db *DB) Status(ctx context.Context) (SchemaStatus, error) {
	ms, err := db.Migrations()
	if err != nil {
		return SchemaStatus{}, err
	}
	st := SchemaStatus{Latest: len(ms)}
	if !db.WithContext(ctx).Migrator().HasTable("schema_migrations") {
		st.Pending = ms
		return st, nil
	}
	applied, current, err := appliedVersions(db.WithContext(ctx))
	if err != nil {
		return st, err
	}
	st.Current = current
	for _, m := range ms {
		if !applied[m.Version] {
			st.Pending = append(st.Pending, m)
		}
	}
	return st, nil
}

// CheckSchema returns ErrSchemaTooNew when the database is ahead of the
// binary by a migration this release may not run beside: one that drops or
// renames something (its contract note) that code of this release may still
// use, or any such migration when this binary has no release number (a
// development build cannot tell). Migrations that only add are run beside:
// during a rolling update the old release keeps serving while the new one
// has expanded the schema (st.Ahead counts them).
func (db *DB) CheckSchema(ctx context.Context) (SchemaStatus, error) {
	st, err := db.Status(ctx)
	if err != nil || st.Current <= st.Latest {
		return st, err
	}
	var newer []schemaMigration
	if err := db.WithContext(ctx).Where("version > ?", st.Latest).Order("version").Find(&newer).Error; err != nil {
		return st, err
	}
	for _, m := range newer {
		if m.OldestRelease == "" {
			continue
		}
		if c, ok := migrations.CompareReleases(m.OldestRelease, db.release); !ok || c > 0 {
			return st, fmt.Errorf("%w: database is at version %d, this binary (release %s) knows up to %d, and migration %04d_%s removed what code before release %s uses; run release %s or newer",
				ErrSchemaTooNew, st.Current, db.release, st.Latest, m.Version, m.Name, m.OldestRelease, m.OldestRelease)
		}
	}
	if len(newer) != st.Current-st.Latest {
		return st, fmt.Errorf("%w: database is at version %d but records %d migrations after %d", ErrSchemaTooNew, st.Current, len(newer), st.Latest)
	}
	st.Ahead = len(newer)
	return st, nil
}

// Migrate applies every pending migration, each in its own transaction
// together with its record in schema_migrations, and returns what it
// applied. Several instances may start at once: on PostgreSQL they take
// turns under the startup lock (see Lock), taken before anything is
// created, schema_migrations included, unless the caller already holds it.
func (db *DB) Migrate(ctx context.Context) ([]Migration, error) {
	ctx, release, err := db.Lock(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := db.ensureMigrationTable(ctx); err != nil {
		return nil, fmt.Errorf("store: create schema_migrations: %w", err)
	}
	st, err := db.CheckSchema(ctx)
	if err != nil {
		return nil, err
	}
	var done []Migration
	for _, m := range st.Pending {
		applied := false
		err := db.WithTx(ctx, func(tx *gorm.DB) error {
			var n int64
			if err := tx.Model(&schemaMigration{}).Where("version = ?", m.Version).Count(&n).Error; err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if err := tx.Exec(m.SQL).Error; err != nil {
				return err
			}
			applied = true
			return tx.Create(&schemaMigration{Version: m.Version, Name: m.Name, AppliedAt: time.Now().UTC(), OldestRelease: migrations.OldestRelease(m.SQL)}).Error
		})
		if err != nil {
			return done, fmt.Errorf("store: migration %04d_%s failed and was rolled back: %w", m.Version, m.Name, err)
		}
		if applied {
			done = append(done, m)
		}
	}
	return done, nil
}
