package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// In development the keys Inspraak makes up are kept beside the SQLite
// database: after a restart the same BSN is the same person (their name
// is known, no second first login), not a new participant who could vote
// again. The database here is a SQLite file whatever the suite runs on:
// PostgreSQL has no place beside it (see docs/operations.md).
func TestDevelopmentRestartKeepsThePerson(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"INSPRAAK_DATABASE_URL": "sqlite:" + filepath.Join(dir, "inspraak.db"), "INSPRAAK_SEED_DEMO": "false"}

	first := startSites(t, 1, env)[0]
	b := newBrowser(t, first)
	landed := b.loginDigiD(testBSN, loaMid, "/mijn-inspraak")
	wantContains(t, landed, "Welke naam wilt u laten zien?")
	wantStatus(t, b.follow(b.post("/inloggen/naam", url.Values{"naam": {"Jan Jansen"}, "terug": {"/mijn-inspraak"}})), http.StatusOK)
	first.Close()
	if err := first.App.Close(); err != nil {
		t.Fatal(err)
	}

	again := startSites(t, 1, env)[0]
	b2 := newBrowser(t, again)
	back := b2.loginDigiD(testBSN, loaMid, "/mijn-inspraak")
	wantStatus(t, back, http.StatusOK)
	wantContains(t, back, "Jan Jansen")
	wantNotContains(t, back, "Welke naam wilt u laten zien?")
	var n int64
	if err := again.App.DB.Table("participants").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d participants for one person after a restart", n)
	}
	st, err := os.Stat(filepath.Join(dir, "inspraak.keys"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("keys file mode %04o, want 0600", st.Mode().Perm())
	}
}
