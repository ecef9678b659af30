package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
)

var cardID = regexp.MustCompile(`id="idee-(\d+)"`)

// pageIdeaIDs are the ideas of a board page, in the order shown.
func pageIdeaIDs(body string) []int64 {
	var ids []int64
	for _, m := range cardID.FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, n)
	}
	return ids
}

// seedIdeas submits n ideas by one author straight through the service.
func seedIdeas(t *testing.T, s *testSite, bd *idea.Board, n int) []int64 {
	t.Helper()
	p := identity.Participant{Subject: "veelschrijver", KeyVersion: 1, Means: identity.DigiD, LoA: loaMid, DisplayName: "Veelschrijver",
		CreatedAt: time.Now(), LastLoginAt: time.Now()}
	if err := s.App.DB.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	a := idea.Actor{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loaMid}}
	var ids []int64
	for k := range n {
		th := bd.Themes[k%len(bd.Themes)].ID
		i, err := s.App.Ideas.Submit(context.Background(), bd.InstrumentID, a, idea.Draft{Title: fmt.Sprintf("Bankje bij de speeltuin %d", k),
			Description: "Met een uitleg die lang genoeg is.", ThemeID: &th})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, i.ID)
	}
	return ids
}

// A board page for a visitor without a session is kept a moment
// (INSPRAAK_PAGE_CACHE) — but a logged-in resident never gets a kept
// page, and any write this instance handles (a login, a support) drops
// the kept pages at once, so the support count is right on the next view.
func TestKeptBoardPageIsForAnonymousVisitorsAndGoesWithAnyWrite(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{"INSPRAAK_PAGE_CACHE": "10s"})
	bd := newBoard(t, s, nil)
	ideaPath, id := seedIdea(t, s, bd)
	const seed, cookie = "Cookie", "inspraak_volgorde=9e3779b97f4a7c15"

	first := s.get(t, board, seed, cookie)
	wantContains(t, first, "Een idee van iemand anders", "0 keer gesteund")
	// A change behind this instance's back (another instance's write).
	if err := s.App.DB.Exec("UPDATE ideas SET title = ? WHERE id = ?", "Een bankje onder de boom", id).Error; err != nil {
		t.Fatal(err)
	}
	kept := s.get(t, board, seed, cookie)
	if kept.Body != first.Body {
		t.Fatal("the second anonymous view within the keeping time was rendered again: nothing is kept")
	}
	// Another address, language or order bucket is another page.
	wantContains(t, s.get(t, board+"?sorteer=nieuw", seed, cookie), "Een bankje onder de boom")

	sup := resident(t, s, testBSN, "Steuner") // logging in is a write: the kept pages go
	wantContains(t, sup.get(board), "Een bankje onder de boom")
	wantContains(t, s.get(t, board, seed, cookie), "Een bankje onder de boom", "0 keer gesteund")
	wantStatus(t, sup.post(ideaPath+"/steun", url.Values{"steun": {"ja"}, "terug": {board}}), 303)
	after := s.get(t, board, seed, cookie)
	wantContains(t, after, "1 keer gesteund")
	wantNotContains(t, after, "0 keer gesteund")

	// A pending message (flash) or a session makes the page the visitor's
	// own: never kept, never served from what was kept.
	wantNotContains(t, sup.get(board), "Inloggen met DigiD")
}

// A page kept for a moment shows what another instance wrote once the
// moment has passed.
func TestKeptBoardPageExpires(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{"INSPRAAK_PAGE_CACHE": "100ms"})
	bd := newBoard(t, s, nil)
	_, id := seedIdea(t, s, bd)
	wantContains(t, s.get(t, board+"?sorteer=nieuw"), "Een idee van iemand anders")
	if err := s.App.DB.Exec("UPDATE ideas SET title = ? WHERE id = ?", "Een bankje onder de boom", id).Error; err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	wantContains(t, s.get(t, board+"?sorteer=nieuw"), "Een bankje onder de boom")
}

// Kept pages keep each visitor's own random order: a first visit gets one
// seed cookie and the order of that seed; visitors in other order buckets
// get theirs; compressed and plain answers are the same page.
func TestKeptBoardPagesKeepEachVisitorsOrder(t *testing.T) {
	t.Parallel()
	s := newSite(t, map[string]string{"INSPRAAK_PAGE_CACHE": "10s"})
	bd := newBoard(t, s, nil)
	seedIdeas(t, s, bd, 30)
	order := func(seed uint64) []int64 {
		p, err := s.App.Ideas.List(context.Background(), bd.InstrumentID, idea.Query{Sort: idea.SortRandom, Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, i := range p.Ideas {
			ids = append(ids, i.ID)
		}
		return ids
	}

	// First visits: one cookie each, and the page in that cookie's order,
	// whether the page was rendered or kept.
	for range 3 {
		r := s.get(t, board)
		var seeds []string
		for _, c := range r.Cookies() {
			if c.Name == "inspraak_volgorde" {
				seeds = append(seeds, c.Value)
			}
		}
		if len(seeds) != 1 {
			t.Fatalf("a first visit got %d order cookies, want 1", len(seeds))
		}
		n, _ := strconv.ParseUint(seeds[0], 16, 64)
		if got, want := pageIdeaIDs(r.Body), order(n); !slices.Equal(got, want) {
			t.Fatalf("first visit with seed %x: order %v, want %v", n, got, want)
		}
	}

	// Seeds in different buckets, each asked twice (rendered, then kept).
	buckets := map[int]bool{}
	for seed := uint64(1); len(buckets) < 4; seed += 2 {
		b := idea.RandomBucket(seed)
		if buckets[b] {
			continue
		}
		buckets[b] = true
		cookie := "inspraak_volgorde=" + strconv.FormatUint(seed, 16)
		want := order(seed)
		for round := range 2 {
			if got := pageIdeaIDs(s.get(t, board, "Cookie", cookie).Body); !slices.Equal(got, want) {
				t.Fatalf("seed %d (bucket %d), view %d: order %v, want %v", seed, b, round+1, got, want)
			}
		}
		plain := s.get(t, board, "Cookie", cookie)
		zipped := s.get(t, board, "Cookie", cookie, "Accept-Encoding", "gzip")
		if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Body != plain.Body || plain.Header.Get("Content-Encoding") != "" {
			t.Fatalf("kept page: gzip %q / plain %q, bodies equal %v", zipped.Header.Get("Content-Encoding"), plain.Header.Get("Content-Encoding"), zipped.Body == plain.Body)
		}
	}
	if strings.Count(s.get(t, board+"?sorteer=nieuw").Body, `id="idee-`) != 20 {
		t.Fatal("the newest-first page does not show 20 ideas")
	}
}

// Two instances behind one load balancer: a support and a new idea made
// through one show on the other's board page for visitors without a
// session within a second or two (the kept page's moment), and on the
// instance that took the support at once.
func TestTwoInstancesBoardPagesShowTheOthersWrites(t *testing.T) {
	t.Parallel()
	sites := startInstances(t, 2)
	a, b := sites[0], sites[1]
	bd := newBoard(t, a, nil)
	ideaPath, _ := seedIdea(t, a, bd)
	const seed, cookie = "Cookie", "inspraak_volgorde=9e3779b97f4a7c15"
	wantContains(t, b.get(t, board, seed, cookie), "Een idee van iemand anders", "0 keer gesteund")
	wantContains(t, a.get(t, board, seed, cookie), "0 keer gesteund")

	sup := resident(t, a, testBSN, "Steuner")
	wantStatus(t, sup.post(ideaPath+"/steun", url.Values{"steun": {"ja"}, "terug": {board}}), 303)
	wantContains(t, a.get(t, board, seed, cookie), "1 keer gesteund")
	seedIdeas(t, a, bd, 1)

	deadline := time.Now().Add(3 * time.Second)
	for {
		r := b.get(t, board, seed, cookie)
		if strings.Contains(r.Body, "1 keer gesteund") && strings.Contains(r.Body, "Bankje bij de speeltuin 0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other instance's board still lacks the support or the new idea after 3 s:\n%s", r.Body)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
