package testdb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"inspraak/internal/store"
)

// template is one key's database, made once per test binary.
type template struct {
	key    string
	once   sync.Once
	err    error
	file   []byte // SQLite: the database file, write-ahead log folded in
	pgName string // PostgreSQL: the template database
}

// sharedEnv names the environment variable through which a test binary
// tells the processes it starts which PostgreSQL template database holds
// key's contents. Fuzzing runs the target in worker processes started by
// the first (the coordinator, which made the template while setting the
// target up): they use its template instead of each making and migrating
// one, and leave dropping it to the coordinator, which outlives them. A
// worker is stopped with a signal, one second after it is asked to end,
// so a database a worker made for itself could outlive the run.
func sharedEnv(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "INSPRAAK_TESTDB_TEMPLATE_" + hex.EncodeToString(sum[:8])
}

var (
	templatesMu sync.Mutex
	templates   = map[string]*template{}
)

// FromTemplate returns the URL of a fresh database that starts as a copy of
// the template named key, for contents that are expensive to make (demo
// content, say) and the same for many tests. The first call for a key runs
// build on an empty database whose URL it is given; build must close every
// connection it opens. Every call, the first included, gets its own copy:
// on SQLite the template's file written into the test's temporary folder,
// on PostgreSQL a database made with CREATE DATABASE ... TEMPLATE (so the
// user of INSPRAAK_TEST_DATABASE_URL needs the CREATEDB privilege) and
// dropped when the test ends. A package that uses it runs its tests
// through Main, which drops the template databases. A failed build fails
// every test that asks for the key.
func FromTemplate(t testing.TB, key string, build func(url string) error) string {
	t.Helper()
	templatesMu.Lock()
	tpl := templates[key]
	if tpl == nil {
		tpl = &template{key: key}
		templates[key] = tpl
	}
	templatesMu.Unlock()
	tpl.once.Do(func() { tpl.err = tpl.build(build) })
	if tpl.err != nil {
		t.Fatalf("testdb: template %q: %v", key, tpl.err)
	}
	if tpl.pgName != "" {
		return createDatabase(t, tpl.pgName)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	if err := os.WriteFile(path, tpl.file, 0o600); err != nil {
		t.Fatalf("testdb: copy template: %v", err)
	}
	return "sqlite:" + path
}

func (tpl *template) build(build func(url string) error) error {
	base := os.Getenv(EnvVar)
	if base == "" {
		dir, err := os.MkdirTemp("", "inspraak-template-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "template.db")
		if err := build("sqlite:" + path); err != nil {
			return err
		}
		if err := foldWAL(path); err != nil {
			return err
		}
		tpl.file, err = os.ReadFile(path)
		return err
	}
	if name := os.Getenv(sharedEnv(tpl.key)); name != "" {
		tpl.pgName = name // the parent process's, which drops it
		return nil
	}
	name, err := newDatabase(base, "")
	if err != nil {
		return err
	}
	templatesMu.Lock()
	pgTemplates = append(pgTemplates, name)
	templatesMu.Unlock()
	u, err := databaseURL(base, name)
	if err != nil {
		return err
	}
	if err := build(u); err != nil {
		return err
	}
	tpl.pgName = name
	return os.Setenv(sharedEnv(tpl.key), name)
}

// foldWAL moves what the write-ahead log holds into the database file, so
// that the file alone is the whole database.
func foldWAL(path string) error {
	db, err := store.Open(context.Background(), store.Options{URL: "sqlite:" + path, MaxOpenConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, logFrames, checkpointed int
	if err := db.Raw("PRAGMA wal_checkpoint(TRUNCATE)").Row().Scan(&busy, &logFrames, &checkpointed); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if busy != 0 {
		return fmt.Errorf("checkpoint: the template is still in use (a connection was left open)")
	}
	return nil
}

// pgTemplates are the template databases this process made; DropTemplates
// removes them.
var pgTemplates []string

// newDatabase creates an empty database next to the one base names (from
// template, or PostgreSQL's default when template is "") and returns its
// name: the base database's name with a random suffix, so that whoever
// drops the base database can find them.
func newDatabase(base, template string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvVar, err)
	}
	admin, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 1})
	if err != nil {
		return "", fmt.Errorf("%s is set but PostgreSQL cannot be reached: %w", EnvVar, err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	kind := "_t_"
	if template == "" {
		kind = "_tmpl_"
	}
	prefix := strings.TrimPrefix(u.Path, "/")
	if prefix == "" {
		prefix = "inspraak_test"
	}
	name := prefix + kind + hex.EncodeToString(b)
	// A copy is named after its template, so that Main can find a copy
	// that a process stopped before its cleanup left behind.
	if copyName := template + "_" + hex.EncodeToString(b[:4]); template != "" && len(copyName) <= maxIdentifier {
		name = copyName
	}
	sql := `CREATE DATABASE "` + name + `"`
	if template != "" {
		sql += ` TEMPLATE "` + template + `"`
	}
	if err := admin.Exec(sql).Error; err != nil {
		return "", fmt.Errorf("create database (the user needs CREATEDB): %w", err)
	}
	return name, nil
}

// maxIdentifier is PostgreSQL's longest name (longer ones are cut short).
const maxIdentifier = 63

// createDatabase makes a copy of the template database for t and drops it
// when t ends.
func createDatabase(t testing.TB, template string) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	name, err := newDatabase(base, template)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(base, name); err != nil {
			t.Errorf("testdb: %v", err)
		}
	})
	u, err := databaseURL(base, name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return u
}

func dropDatabase(base, name string) error {
	admin, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 1})
	if err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	defer admin.Close()
	if err := admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`).Error; err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// dropCopies drops what is left of the copies of template: those of
// processes (fuzzing workers) stopped before their cleanup ran.
func dropCopies(base, template string) error {
	admin, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 1})
	if err != nil {
		return fmt.Errorf("drop copies of %s: %w", template, err)
	}
	defer admin.Close()
	var left []string
	like := strings.NewReplacer(`\`, `\\`, "_", `\_`, "%", `\%`).Replace(template) + `\_%`
	if err := admin.Raw("SELECT datname FROM pg_database WHERE datname LIKE ?", like).Scan(&left).Error; err != nil {
		return fmt.Errorf("drop copies of %s: %w", template, err)
	}
	for _, name := range left {
		if err := admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`).Error; err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
	}
	return nil
}

// databaseURL is base with its database replaced by name.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", EnvVar, err)
	}
	u.Path = "/" + name
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Main runs the tests of a package that uses FromTemplate and then drops
// the template databases they made:
//
//	func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	templatesMu.Lock()
	names := pgTemplates
	pgTemplates = nil
	templatesMu.Unlock()
	for _, name := range names {
		if err := dropCopies(os.Getenv(EnvVar), name); err != nil {
			fmt.Fprintln(os.Stderr, "testdb:", err)
		}
		if err := dropDatabase(os.Getenv(EnvVar), name); err != nil {
			fmt.Fprintln(os.Stderr, "testdb:", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// Database gives t an empty PostgreSQL database of its own (not a schema:
// for tools such as pg_dump and pg_restore that work on whole databases),
// dropped when t ends. Its URL carries only what libpq itself understands
// beside the host and the database (sslmode), so that command-line tools
// accept it as well as the app.
func Database(t testing.TB) string {
	t.Helper()
	if !Postgres() {
		t.Fatal("testdb.Database needs PostgreSQL (" + EnvVar + ")")
	}
	u, err := url.Parse(createDatabase(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{}
	if s := u.Query().Get("sslmode"); s != "" {
		q.Set("sslmode", s)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
