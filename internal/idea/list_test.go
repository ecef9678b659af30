package idea_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// listClock is a settable clock for the kept lists.
type listClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *listClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *listClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func newClock(s *idea.Service) *listClock {
	c := &listClock{t: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	idea.SetListClock(s, c.now)
	return c
}

func walk(t *testing.T, s *idea.Service, b *idea.Board, q idea.Query, between func(page int)) []int64 {
	t.Helper()
	var ids []int64
	for pg := 1; ; pg++ {
		q.Page = pg
		p, err := s.List(context.Background(), b.InstrumentID, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Until = p.Until
		for _, i := range p.Ideas {
			ids = append(ids, i.ID)
		}
		if pg >= p.Pages {
			return ids
		}
		if between != nil {
			between(pg)
		}
	}
}

func page(t *testing.T, s *idea.Service, b *idea.Board, q idea.Query) idea.Page {
	t.Helper()
	p, err := s.List(context.Background(), b.InstrumentID, q)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func idsOf(p idea.Page) []int64 {
	var out []int64
	for _, i := range p.Ideas {
		out = append(out, i.ID)
	}
	return out
}

// A write through one instance shows on the other's next page: the
// board's list_version moved in the write's transaction, and the other
// instance reads it with the board. A support's count shows at once (the
// page's rows are read fresh); its place in the most-supported order
// within a second.
func TestTwoInstancesSeeEachOthersIdeasAndSupports(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	one := f.ideas
	two := idea.NewService(f.db, []byte("test-key-0123456789-0123456789-01"))
	two.SetClock(func() time.Time { return f.now })
	clock := newClock(two)
	b := f.board(t, nil)
	a, x := f.person(t, 1), f.person(t, 2)
	first := f.submit(t, b, a, "Bomen aan de singel")
	f.now = f.now.Add(time.Minute)
	second := f.submit(t, b, a, "Bankjes in het park")

	for _, srt := range []string{idea.SortNewest, idea.SortSupport, idea.SortRandom} {
		if p := page(t, two, b, idea.Query{Sort: srt, Seed: 7}); p.Total != 2 {
			t.Fatalf("%s: %d ideas on the second instance, want 2", srt, p.Total)
		}
	}
	f.now = f.now.Add(time.Minute)
	third := f.submit(t, b, a, "Een moestuin bij school")
	// As the web page asks: with the version read along with the board.
	bd, err := two.Board(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	for _, srt := range []string{idea.SortNewest, idea.SortSupport, idea.SortRandom} {
		p := page(t, two, b, idea.Query{Sort: srt, Seed: 7, Version: bd.ListVersion})
		if p.Total != 3 || !slices.Contains(idsOf(p), third.ID) {
			t.Fatalf("%s: the second instance does not show the new idea: %v", srt, idsOf(p))
		}
	}
	if got := idsOf(page(t, two, b, idea.Query{Sort: idea.SortNewest})); !slices.Equal(got, []int64{third.ID, second.ID, first.ID}) {
		t.Fatalf("newest on the second instance: %v", got)
	}

	if err := one.Support(ctx, first.ID, x); err != nil {
		t.Fatal(err)
	}
	p := page(t, two, b, idea.Query{Sort: idea.SortSupport})
	for _, i := range p.Ideas {
		if i.ID == first.ID && i.SupportCount != 1 {
			t.Fatalf("the second instance shows %d supports, want 1 at once", i.SupportCount)
		}
	}
	clock.add(time.Second)
	if got := idsOf(page(t, two, b, idea.Query{Sort: idea.SortSupport})); got[0] != first.ID {
		t.Fatalf("a second after the support the second instance still orders %v", got)
	}

	// Withdrawing, a status and a moderator's decision move the version too.
	if err := one.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, second.ID, idea.StatusAccepted, "Komt er."); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(page(t, two, b, idea.Query{Sort: idea.SortNewest, Status: idea.StatusAccepted})); !slices.Equal(got, []int64{second.ID}) {
		t.Fatalf("status filter on the second instance: %v", got)
	}
	if err := one.Withdraw(ctx, third.ID, a); err != nil {
		t.Fatal(err)
	}
	if got := idsOf(page(t, two, b, idea.Query{Sort: idea.SortRandom, Seed: 7})); slices.Contains(got, third.ID) || len(got) != 2 {
		t.Fatalf("a withdrawn idea is still listed on the second instance: %v", got)
	}
}

// seedBoard stores n ideas over the board's themes and two statuses,
// some at the same moment, with support counts, straight in the database
// (then moves the list version, as the service's writes do).
func seedBoard(t *testing.T, f *fixture, b *idea.Board, n int) {
	t.Helper()
	for k := range n {
		th := b.Themes[k%3].ID
		st := idea.StatusNew
		if k%4 == 0 {
			st = idea.StatusUnderConsideration
		}
		at := f.now.Add(time.Duration(k/3) * time.Minute) // three at a time
		i := idea.Idea{InstrumentID: b.InstrumentID, Title: fmt.Sprintf("Idee %d", k), Description: "Uitleg bij het idee.",
			ThemeID: &th, Moderation: idea.Approved, Status: st, SupportCount: int64(k % 5), CreatedAt: at, UpdatedAt: at}
		testdb.NoError(t, f.db.Create(&i).Error)
	}
	testdb.NoError(t, f.db.Exec("UPDATE idea_boards SET list_version = list_version + 1 WHERE instrument_id = ?", b.InstrumentID).Error)
	f.now = f.now.Add(time.Hour)
}

// matching are the ids a walk must show: the board's public ideas up to
// the walk's first page's newest, by filter.
func matching(t *testing.T, f *fixture, b *idea.Board, q idea.Query, until int64) []int64 {
	t.Helper()
	db := f.db.Model(&idea.Idea{}).Where("instrument_id = ? AND moderation = 'approved' AND status <> 'withdrawn' AND id <= ?", b.InstrumentID, until)
	if q.ThemeID != nil {
		db = db.Where("theme_id = ?", *q.ThemeID)
	}
	if q.Status != "" {
		db = db.Where("status = ?", q.Status)
	}
	var ids []int64
	testdb.NoError(t, db.Order("id").Pluck("id", &ids).Error)
	return ids
}

// Paging shows every matching idea once, in every order and filter, while
// new ideas arrive and supports are given between the pages: a walk is
// pinned to the ideas of its first page (Until), so new ideas cannot move
// its pages; the most-supported order stays put while its list is younger
// than a second and the version unchanged.
func TestPagingNeverRepeatsOrSkipsWhileIdeasAndSupportsArrive(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	newClock(f.ideas) // the most-supported order is not rebuilt during a walk
	b := f.board(t, nil)
	seedBoard(t, f, b, 3*idea.PerPage+7)
	author := f.person(t, 1)
	supporters := []idea.Actor{f.person(t, 2), f.person(t, 3), f.person(t, 4)}
	th := b.Themes[1].ID
	filters := []idea.Query{{}, {ThemeID: &th}, {Status: idea.StatusUnderConsideration}, {ThemeID: &th, Status: idea.StatusNew}}
	round := 0
	for _, srt := range []string{idea.SortRandom, idea.SortNewest, idea.SortSupport} {
		for fi, filter := range filters {
			q := filter
			q.Sort, q.Seed = srt, uint64(1000+fi)
			first := page(t, f.ideas, b, q)
			want := matching(t, f, b, q, first.Until)
			got := walk(t, f.ideas, b, q, func(pg int) {
				round++
				// A supporter supports an idea on the page just seen and
				// an author submits a new idea in the filter's theme.
				seen := page(t, f.ideas, b, idea.Query{Sort: srt, Seed: q.Seed, ThemeID: q.ThemeID, Status: q.Status, Page: pg, Until: first.Until})
				target := seen.Ideas[round%len(seen.Ideas)].ID
				if err := f.ideas.Support(ctx, target, supporters[round%3]); err != nil {
					t.Fatal(err)
				}
				if srt == idea.SortSupport {
					// A new idea moves the version, and the rebuilt
					// most-supported list has the supports' new order:
					// that walk is stable only between versions.
					return
				}
				d := idea.Draft{Title: fmt.Sprintf("Nieuw idee %d", round), Description: "Tussendoor ingestuurd idee.", ThemeID: q.ThemeID}
				if d.ThemeID == nil {
					d.ThemeID = &th
				}
				if _, err := f.ideas.Submit(ctx, b.InstrumentID, author, d); err != nil {
					t.Fatal(err)
				}
			})
			sorted := slices.Clone(got)
			slices.Sort(sorted)
			if !slices.Equal(sorted, want) {
				t.Fatalf("%s %+v: the walk showed %d ideas (%d distinct), want %d: repeated or skipped", srt, filter, len(got), len(slices.Compact(sorted)), len(want))
			}
		}
	}
	// A walk that begins now shows the new ideas.
	if p := page(t, f.ideas, b, idea.Query{Sort: idea.SortNewest}); !strings.HasPrefix(p.Ideas[0].Title, "Nieuw idee") {
		t.Fatalf("a new walk starts with %q", p.Ideas[0].Title)
	}
}

// The kept lists stay within their budget, however many orders and
// filters are asked for, and pages stay right when lists are dropped.
func TestKeptListsAreBounded(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	b := f.board(t, nil)
	seedBoard(t, f, b, 30)
	idea.SetListBudget(f.ideas, 100)
	want := idsOf(page(t, f.ideas, b, idea.Query{Sort: idea.SortNewest}))
	for seed := range uint64(200) {
		for _, th := range b.Themes {
			p := page(t, f.ideas, b, idea.Query{Sort: idea.SortRandom, Seed: seed, ThemeID: &th.ID})
			if p.Total != 10 {
				t.Fatalf("theme %d: %d ideas, want 10", th.ID, p.Total)
			}
		}
		if lists, ids := idea.ListsHeld(f.ideas); ids > 100 || lists > 100 {
			t.Fatalf("the kept lists hold %d lists of %d ids in all, over the budget of 100", lists, ids)
		}
	}
	if got := idsOf(page(t, f.ideas, b, idea.Query{Sort: idea.SortNewest})); !slices.Equal(got, want) {
		t.Fatalf("newest after evictions %v, want %v", got, want)
	}
}

func TestSearchFindsDutchWordFormsWithinTheFilters(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a := f.person(t, 1)
	add := func(title, text string, theme int) int64 {
		th := b.Themes[theme].ID
		i, err := f.ideas.Submit(ctx, b.InstrumentID, a, idea.Draft{Title: title, Description: text, ThemeID: &th})
		if err != nil {
			t.Fatal(err)
		}
		return i.ID
	}
	stalling := add("Fietsenstalling bij het station", "Er is te weinig plek om te parkeren.", 0)
	route := add("Veilige route naar school", "Een brede strook voor de fiets langs de singel.", 1)
	bankjes := add("Bankjes in het park", "Om even uit te rusten onder de bomen.", 2)
	straat := add("Een groene straat", "Geveltuinen en een boom voor elk huis.", 2)
	for k := range 25 {
		add(fmt.Sprintf("Ander idee %d", k), "Iets heel anders voor de wijk.", k%3)
	}
	found := func(q idea.Query) []int64 {
		t.Helper()
		var out []int64
		for pg := 1; ; pg++ {
			q.Page = pg
			p := page(t, f.ideas, b, q)
			out = append(out, idsOf(p)...)
			if pg >= p.Pages {
				slices.Sort(out)
				return out
			}
		}
	}
	search := func(term string) []int64 { return found(idea.Query{Sort: idea.SortNewest, Search: term}) }
	if got := search("fietsen"); !slices.Equal(got, []int64{stalling, route}) {
		t.Errorf("fietsen finds %v, want the stalling and the route with a fiets (%d, %d)", got, stalling, route)
	}
	if got := search("FIETS"); !slices.Equal(got, []int64{stalling, route}) {
		t.Errorf("FIETS finds %v", got)
	}
	if got := search("bankje"); !slices.Equal(got, []int64{bankjes}) {
		t.Errorf("bankje finds %v, want the bankjes", got)
	}
	if got := search("fiets station"); !slices.Equal(got, []int64{stalling}) {
		t.Errorf("two words find %v, want only the idea with both", got)
	}
	// PostgreSQL's Dutch stemmer knows that straten is straat and bomen
	// boom; the prefix match on SQLite does not.
	if f.db.Dialect == store.Postgres {
		if got := search("straten"); !slices.Equal(got, []int64{straat}) {
			t.Errorf("straten finds %v on PostgreSQL, want the groene straat", got)
		}
		if got := search("bomen"); !slices.Equal(got, []int64{bankjes, straat}) {
			t.Errorf("bomen finds %v on PostgreSQL", got)
		}
	} else if got := search("straten"); len(got) != 0 {
		t.Errorf("straten finds %v on SQLite; the documented difference changed", got)
	}
	// Filters and every order apply to the results, paged.
	t2 := b.Themes[2].ID
	if got := found(idea.Query{Sort: idea.SortRandom, Seed: 3, Search: "idee", ThemeID: &t2}); len(got) != 8 {
		t.Errorf("idee in theme 3 finds %d, want 8", len(got))
	}
	for _, srt := range []string{idea.SortRandom, idea.SortNewest, idea.SortSupport} {
		if p := page(t, f.ideas, b, idea.Query{Sort: srt, Search: "ander idee"}); p.Total != 25 || p.Pages != 2 || len(p.Ideas) != idea.PerPage {
			t.Errorf("%s: %d found on %d pages", srt, p.Total, p.Pages)
		}
	}
	if err := f.ideas.Withdraw(ctx, bankjes, a); err != nil {
		t.Fatal(err)
	}
	if got := search("bankjes"); len(got) != 0 {
		t.Errorf("a withdrawn idea is found: %v", got)
	}
	// Query syntax of either database is only words here.
	for _, term := range []string{`"fiets`, `fiets*`, `fiets NEAR station`, `-fiets`, `fiets OR bank`, `fiets:* | bank`, `'); DROP TABLE ideas; --`, `^fiets`, `fiets AND`, `***`, `""`} {
		if _, err := f.ideas.List(ctx, b.InstrumentID, idea.Query{Search: term}); err != nil {
			t.Errorf("%q: %v", term, err)
		}
	}
	if got := search(`"fiets" NEAR(station)`); len(got) != 0 {
		t.Errorf("NEAR is a word, not an operator: %v", got)
	}
	if got := search(`fiets -station`); !slices.Equal(got, []int64{stalling}) {
		t.Errorf("- is no negation: %v", got)
	}
	var n int64
	testdb.NoError(t, f.db.Model(&idea.Idea{}).Where("instrument_id = ?", b.InstrumentID).Count(&n).Error)
	if n != 29 {
		t.Fatalf("%d ideas left", n)
	}
}

func TestSearchTerm(t *testing.T) {
	t.Parallel() // each test has its own database
	if got, err := idea.SearchTerm("  fiets   route \n"); err != nil || got != "fiets route" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, empty := range []string{"", "   ", `"*-"`, "a"} {
		if got, err := idea.SearchTerm(empty); err != nil || got != "" {
			t.Errorf("%q: got %q, %v; want nothing to search", empty, got, err)
		}
	}
	_, err := idea.SearchTerm(strings.Repeat("fiets ", 20))
	if fields(err)["zoek"] != "idea.search.too_long" {
		t.Errorf("a long term: %v", err)
	}
}

// Pages asked for at once while ideas arrive share the builds of the kept
// lists and each shows a whole, consistent page (run with -race).
func TestConcurrentPagesWhileIdeasArrive(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	seedBoard(t, f, b, 2*idea.PerPage)
	a := f.person(t, 1)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				srt := []string{idea.SortRandom, idea.SortNewest, idea.SortSupport}[(g+k)%3]
				p, err := f.ideas.List(ctx, b.InstrumentID, idea.Query{Sort: srt, Seed: uint64(g*100 + k), Page: 1 + k%2})
				if err != nil {
					errs <- err
					return
				}
				if len(p.Ideas) != idea.PerPage || p.Total < 2*idea.PerPage {
					errs <- fmt.Errorf("%s: %d ideas of %d", srt, len(p.Ideas), p.Total)
					return
				}
			}
		}()
	}
	for k := range 5 {
		f.submit(t, b, a, fmt.Sprintf("Tussendoor %d", k))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if p := page(t, f.ideas, b, idea.Query{Sort: idea.SortNewest}); p.Total != 2*idea.PerPage+5 {
		t.Fatalf("%d ideas after the writes, want %d", p.Total, 2*idea.PerPage+5)
	}
}
