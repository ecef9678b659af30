package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/demo"
	"inspraak/internal/identity"
	"inspraak/internal/testdb"
)

// Several instances of Inspraak on one database, as behind a load
// balancer: they start at once on an empty database, and the same people
// log in through all of them at once. On PostgreSQL
// (INSPRAAK_TEST_DATABASE_URL) this is the real thing; on SQLite the
// instances share one file in one process.

// sharedSessionKey is every instance's INSPRAAK_SESSION_KEY: instances
// behind one load balancer share their keys.
const sharedSessionKey = "Hq3Zt8Wn1Rk6Pv4Lx9Cm2Jb7Fs5Dg0Ya-instances"

// startInstances starts n instances at the same moment on one new, empty
// database with demo content on, each on its own address with its own
// built-in login provider. Every start must succeed.
func startInstances(t *testing.T, n int) []*testSite {
	t.Helper()
	return startSites(t, n, map[string]string{
		"INSPRAAK_DATABASE_URL":  testdb.URL(t),
		"INSPRAAK_SEED_DEMO":     "true",
		"INSPRAAK_SESSION_KEY":   sharedSessionKey,
		"INSPRAAK_PSEUDONYM_KEY": testPseudonymKey,
	})
}

// startSites starts n sites at the same moment with the settings env,
// each on its own address.
func startSites(t *testing.T, n int, env map[string]string) []*testSite {
	t.Helper()
	servers := make([]*httptest.Server, n)
	cfgs := make([]*config.Config, n)
	for i := range n {
		servers[i] = httptest.NewUnstartedServer(nil)
		vals := maps.Clone(env)
		vals["INSPRAAK_BASE_URL"] = "http://" + servers[i].Listener.Addr().String()
		cfg, err := config.Load(func(k string) string { return vals[k] })
		if err != nil {
			t.Fatal(err)
		}
		cfgs[i] = cfg
	}
	apps := make([]*app.App, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			apps[i], errs[i] = app.New(context.Background(), cfgs[i], slog.New(slog.DiscardHandler))
		})
	}
	close(start)
	wg.Wait()
	sites := make([]*testSite, n)
	for i := range n {
		if errs[i] != nil {
			t.Errorf("instance %d of %d did not start: %v", i+1, n, errs[i])
			servers[i].Listener.Close()
			continue
		}
		t.Cleanup(func() { _ = apps[i].Close() })
		servers[i].Config.Handler = apps[i].Handler()
		servers[i].Start()
		t.Cleanup(servers[i].Close)
		sites[i] = &testSite{Server: servers[i], App: apps[i], Logs: &syncBuffer{}}
	}
	if t.Failed() {
		t.FailNow()
	}
	return sites
}

// Four instances starting at once on an empty database all come up; the
// schema, the moderation reasons and the demo content are there once.
func TestInstancesStartingAtOnceOnAnEmptyDatabase(t *testing.T) {
	t.Parallel()
	sites := startInstances(t, 4)
	db := sites[0].App.DB

	want := demo.Projects(time.Now())
	var slugs []string
	if err := db.Table("projects").Order("slug").Pluck("slug", &slugs).Error; err != nil {
		t.Fatal(err)
	}
	if len(slugs) != len(want) {
		t.Fatalf("%d demo projects, want %d once each: %v", len(slugs), len(want), slugs)
	}
	count := func(sql string) int64 {
		t.Helper()
		var n int64
		if err := db.Raw(sql).Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("SELECT COUNT(*) FROM settings WHERE key = '" + demo.SeededKey + "'"); n != 1 {
		t.Fatalf("demo seeded %d times", n)
	}
	if n := count("SELECT COUNT(*) FROM (SELECT title FROM moderation_templates GROUP BY title HAVING COUNT(*) > 1) d"); n != 0 {
		t.Fatalf("%d moderation reasons added twice", n)
	}
	ms, err := db.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if n := count("SELECT COUNT(*) FROM schema_migrations"); n != int64(len(ms)) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
	for _, s := range sites {
		wantContains(t, s.get(t, "/projecten/"+want[0].Draft.Slug), want[0].Draft.Title)
	}
}

// The same people log in for the first time through both instances at
// once (and in two tabs on one of them): every login succeeds, and each
// person is one participant, whichever instance they came through.
func TestSamePeopleLoggingInThroughTwoInstancesAtOnce(t *testing.T) {
	t.Parallel()
	sites := startInstances(t, 2)
	db := sites[0].App.DB
	var before int64
	if err := db.Table("participants").Count(&before).Error; err != nil {
		t.Fatal(err)
	}
	bsns := testBSNs(12)
	for _, bsn := range bsns {
		// Two tabs on the first instance, one on the second, each with
		// the provider's answer in hand.
		tabs := []*browser{newBrowser(t, sites[0]), newBrowser(t, sites[0]), newBrowser(t, sites[1])}
		backs := make([]string, len(tabs))
		for i, b := range tabs {
			back := b.atProvider(b.startLogin("digid", "/mijn-inspraak", ""), url.Values{"bsn": {bsn}, "loa": {loaMid}})
			loc, err := back.Location()
			if err != nil || !strings.Contains(loc.Path, "/inloggen/digid/terug") {
				t.Fatalf("the provider did not send the browser back: %d %v", back.StatusCode, err)
			}
			backs[i] = loc.String()
		}
		// All come back at the same moment.
		codes := make([]int, len(tabs))
		places := make([]string, len(tabs))
		fails := make([]error, len(tabs))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i, b := range tabs {
			wg.Go(func() {
				<-start
				resp, err := b.c.Get(backs[i])
				if err != nil {
					fails[i] = err
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes[i], places[i] = resp.StatusCode, resp.Header.Get("Location")
			})
		}
		close(start)
		wg.Wait()
		for i := range tabs {
			if fails[i] != nil || codes[i] != http.StatusSeeOther || !strings.HasPrefix(places[i], "/inloggen/naam") {
				t.Fatalf("tab %d of a first login at once: %v, status %d to %q; want 303 to the name question", i+1, fails[i], codes[i], places[i])
			}
		}
		// Each tab is logged in as the same one person.
		var ids []string
		for _, b := range tabs {
			ids = append(ids, b.cookie("inspraak_sessie"))
			wantStatus(t, b.get("/mijn-inspraak"), http.StatusOK)
		}
		if ids[0] == "" || ids[2] == "" {
			t.Fatal("a tab has no session")
		}
	}
	var after int64
	if err := db.Table("participants").Count(&after).Error; err != nil {
		t.Fatal(err)
	}
	if after-before != int64(len(bsns)) {
		t.Fatalf("%d participants added for %d people", after-before, len(bsns))
	}
	var failed int64
	if err := db.Table("audit_log").Where("action = ?", "login.failed").Count(&failed).Error; err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		t.Fatalf("%d failed logins on record", failed)
	}
}

// testBSNs returns n numbers in the test range that pass the 11-test.
func testBSNs(n int) []string {
	var out []string
	for x := 999990000; len(out) < n; x++ {
		s := strconv.Itoa(x)
		if identity.ValidBSN(s) {
			out = append(out, s)
		}
	}
	if len(out) != n {
		panic(fmt.Sprint("testBSNs: ", len(out)))
	}
	return out
}
