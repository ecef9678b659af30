package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"inspraak/internal/identity"
)

// An analyst's API key follows the owner's roles at every call: demoted at
// the identity provider, the key stops at the owner's next login; and
// since the provider only tells Inspraak at a login, a key whose owner has
// not logged in for identity.RoleConfirmation stops too, with a message
// that says how to get it working again.
func TestAPIKeyFollowsItsOwnersRoles(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {"dashboard"}})
	key := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
	if key == "" {
		t.Fatalf("no key shown: %d", made.StatusCode)
	}
	call := func() (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/api/v1/instruments/3/responses", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var e struct{ Detail string }
		_ = json.Unmarshal(b, &e)
		return resp.StatusCode, e.Detail
	}
	if code, _ := call(); code != http.StatusOK {
		t.Fatalf("the new key: %d", code)
	}

	// Demoted at the identity provider: the next login stores the new
	// roles and the key stops at its next call.
	analyst.loginStaff("Ana List", "inspraak-redacteuren")
	if code, _ := call(); code != http.StatusUnauthorized {
		t.Fatalf("the key of a demoted analyst: %d", code)
	}
	analyst.loginStaff("Ana List", "inspraak-analisten")
	if code, _ := call(); code != http.StatusOK {
		t.Fatalf("the key after the role came back: %d", code)
	}

	// No login for longer than the confirmation period: the provider may
	// have demoted her meanwhile, so the key stops, and says why.
	stale := time.Now().UTC().Add(-identity.RoleConfirmation - time.Hour)
	if err := s.App.DB.Exec("UPDATE staff_members SET last_login_at = ? WHERE name = ?", stale, "Ana List").Error; err != nil {
		t.Fatal(err)
	}
	code, msg := call()
	if code != http.StatusUnauthorized || !strings.Contains(msg, "werkt pas weer als de eigenaar opnieuw inlogt") {
		t.Fatalf("a key whose owner's roles are %s old: %d %q", time.Since(stale).Round(time.Hour), code, msg)
	}
	wantContains(t, analyst.get("/beheer/profiel"), "minstens eens per 30 dagen inlogt")
	// A login confirms the roles again.
	analyst.loginStaff("Ana List", "inspraak-analisten")
	if code, _ := call(); code != http.StatusOK {
		t.Fatalf("the key after a new login: %d", code)
	}
}
