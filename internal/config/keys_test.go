package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const goodMetricsToken = "Mt7Kq2Wz9Rb4Xn1Lc8Vp3Hs6Jd0Fg5Ya"

// TestMain runs the package's tests in a scratch folder: development
// without a database URL keeps its keys in ./inspraak.keys, which must not
// land in the source tree.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "inspraak-config-test-")
	if err != nil {
		panic(err)
	}
	if err := os.Chdir(dir); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// Production refuses to serve /metrics to anyone: the token is required,
// and a guessable one is no better than none.
func TestProductionNeedsAMetricsToken(t *testing.T) {
	for name, v := range map[string]string{"missing": "", "weak": "metrics"} {
		m := safeProduction()
		m["INSPRAAK_METRICS_TOKEN"] = v
		_, err := Load(envMap(m))
		var probs Problems
		if !errors.As(err, &probs) || len(probs) != 1 || !strings.Contains(probs[0], "INSPRAAK_METRICS_TOKEN") {
			t.Errorf("%s token: want exactly one problem about INSPRAAK_METRICS_TOKEN, got %v", name, err)
		}
	}
	// Development keeps serving /metrics openly on the developer's machine.
	if _, err := Load(envMap(map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "x.db")})); err != nil {
		t.Fatalf("development without a metrics token: %v", err)
	}
}

// One leaked value must not both forge sessions and link pseudonyms to
// BSNs: production refuses the same value for both keys.
func TestProductionRefusesOneValueForBothKeys(t *testing.T) {
	m := safeProduction()
	m["INSPRAAK_PSEUDONYM_KEY"] = m["INSPRAAK_SESSION_KEY"]
	_, err := Load(envMap(m))
	var probs Problems
	if !errors.As(err, &probs) || len(probs) != 1 || !strings.Contains(probs[0], "INSPRAAK_SESSION_KEY and INSPRAAK_PSEUDONYM_KEY are the same") {
		t.Fatalf("want exactly one problem about the shared key, got %v", err)
	}
}

// Development keeps the keys it makes up beside the SQLite database, so a
// restart keeps sessions and pseudonyms (the same BSN stays the same
// person and cannot vote again); the file is the owner's alone.
func TestDevelopmentKeepsGeneratedKeysBesideTheDatabase(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "inspraak.db")}
	first, err := Load(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "inspraak.keys")
	if first.KeysFile != file || len(first.GeneratedKeys) != 0 {
		t.Fatalf("keys file %q, generated for this run only %v", first.KeysFile, first.GeneratedKeys)
	}
	st, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode %04o, want 0600", st.Mode().Perm())
	}
	second, err := Load(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	if string(second.SessionKey) != string(first.SessionKey) || string(second.PseudonymKey) != string(first.PseudonymKey) {
		t.Fatal("a second start on the same database got other keys")
	}
	if string(first.SessionKey) == string(first.PseudonymKey) || len(first.PseudonymKey) < MinKeyLength {
		t.Fatal("the generated keys are not two separate strong keys")
	}
	// A key set in the environment wins and is not written down.
	env["INSPRAAK_PSEUDONYM_KEY"] = goodKey2
	third, err := Load(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	if string(third.PseudonymKey) != goodKey2 || string(third.SessionKey) != string(first.SessionKey) {
		t.Fatal("an explicit key must win over the file, the other key still comes from it")
	}
	b, _ := os.ReadFile(file)
	if strings.Contains(string(b), goodKey2) {
		t.Fatal("an explicit key was written to the keys file")
	}
	// A keys file others can read is refused, not used.
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	delete(env, "INSPRAAK_PSEUDONYM_KEY")
	if _, err := Load(envMap(env)); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a keys file readable by others: %v", err)
	}
	// Another database, another file; another dev start makes other keys.
	other, err := Load(envMap(map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "ander.db")}))
	if err != nil {
		t.Fatal(err)
	}
	if other.KeysFile != filepath.Join(dir, "ander.keys") || string(other.PseudonymKey) == string(first.PseudonymKey) {
		t.Fatalf("another database shares the keys (%q)", other.KeysFile)
	}
}

// Production never writes a keys file, whatever happens: its keys are
// set, and a refused start writes nothing either.
func TestProductionNeverWritesAKeysFile(t *testing.T) {
	dir := t.TempDir()
	m := safeProduction()
	m["INSPRAAK_DATABASE_URL"] = "sqlite:" + filepath.Join(dir, "inspraak.db")
	if _, err := Load(envMap(m)); err != nil {
		t.Fatal(err)
	}
	m["INSPRAAK_SESSION_KEY"] = ""
	if _, err := Load(envMap(m)); err == nil {
		t.Fatal("production without a session key must be refused")
	}
	// A refused development start writes nothing either.
	if _, err := Load(envMap(map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "inspraak.db"), "INSPRAAK_LOG_LEVEL": "loud"})); err == nil {
		t.Fatal("want a refusal for the log level")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("files written: %v", entries)
	}
}

// On PostgreSQL there is no place beside the database: development makes
// keys up for the run, as before, and says so (GeneratedKeys); nothing is
// written in the working folder.
func TestDevelopmentOnPostgresMakesKeysForTheRun(t *testing.T) {
	t.Chdir(t.TempDir())
	c, err := Load(envMap(map[string]string{"INSPRAAK_DATABASE_URL": "postgres://inspraak@db/inspraak"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.KeysFile != "" || len(c.GeneratedKeys) != 2 || len(c.SessionKey) < MinKeyLength {
		t.Fatalf("keys file %q, generated %v", c.KeysFile, c.GeneratedKeys)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Fatalf("files written for PostgreSQL: %v", entries)
	}
}

// Development starts at once on a new database (two processes, or tests)
// end up with the same keys: the first file made is the one all use.
func TestDevelopmentStartsAtOnceShareTheKeys(t *testing.T) {
	env := map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "inspraak.db")}
	const n = 8
	keys := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			c, err := Load(envMap(env))
			if err == nil {
				keys[i] = string(c.SessionKey) + "|" + string(c.PseudonymKey)
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	final, err := Load(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i+1, errs[i])
		}
		if keys[i] != string(final.SessionKey)+"|"+string(final.PseudonymKey) {
			t.Fatalf("start %d got other keys than the file keeps", i+1)
		}
	}
}
