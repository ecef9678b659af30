package bench

import (
	"cmp"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"inspraak/bench/internal/ideadata"
	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/store"
)

// BenchmarkIdeaBoard serves the board of bench/ideas (5,000 ideas, 50,000
// supports) through the full handler, and runs the board's list query
// alone, for the five addresses bench/ideas/run.sh loads:
//
//	go test ./bench -run '^$' -bench IdeaBoard -benchtime 200x
//	INSPRAAK_BENCH_DATABASE_URL=postgres://... go test ./bench -run '^$' -bench IdeaBoard -benchtime 200x
//
// On PostgreSQL the database must be empty or hold this board already.
func BenchmarkIdeaBoard(b *testing.B) {
	a, board := ideaBoard(b)
	ctx := context.Background()
	in := board.Instrument
	theme := board.Themes[0].ID
	const seed = 0x9e3779b97f4a7c15
	path := "/projecten/" + ideadata.ProjectSlug + "/" + ideadata.BoardSlug
	cases := []struct {
		name, query string
		q           idea.Query
	}{
		{"random-p1", "", idea.Query{Seed: seed, Page: 1}},
		{"random-p50", "?pagina=50", idea.Query{Seed: seed, Page: 50}},
		{"support-p1", "?sorteer=steun", idea.Query{Sort: idea.SortSupport, Page: 1}},
		{"newest-p100", "?sorteer=nieuw&pagina=100", idea.Query{Sort: idea.SortNewest, Page: 100}},
		{"theme-p1", "?thema=" + strconv.FormatInt(theme, 10), idea.Query{Seed: seed, ThemeID: &theme, Page: 1}},
	}
	h := a.Handler()
	for _, tc := range cases {
		b.Run("page/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, path+tc.query, nil)
				r.Header.Set("Accept-Encoding", "gzip")
				r.Header.Set("Cookie", "inspraak_volgorde="+strconv.FormatUint(seed, 16))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
	for _, tc := range cases {
		b.Run("list/"+tc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := a.Ideas.List(ctx, in.ID, tc.q)
				if err != nil || len(p.Ideas) != idea.PerPage {
					b.Fatalf("%d ideas, %v", len(p.Ideas), err)
				}
			}
		})
	}
}

// ideaBoard wires the application on INSPRAAK_BENCH_DATABASE_URL (or a
// fresh SQLite file) and returns the bench/ideas board, seeding it when it
// is not there yet.
func ideaBoard(b *testing.B) (*app.App, *idea.Board) {
	b.Helper()
	dbURL := os.Getenv("INSPRAAK_BENCH_DATABASE_URL")
	if dbURL == "" {
		dbURL = "sqlite:" + filepath.Join(b.TempDir(), "ideas.db")
	}
	env := map[string]string{
		"INSPRAAK_DATABASE_URL":  dbURL,
		"INSPRAAK_SEED_DEMO":     "false",
		"INSPRAAK_RATE_LIMITS":   "off",
		"INSPRAAK_LOG_LEVEL":     "warn",
		"INSPRAAK_PSEUDONYM_KEY": "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.Close() })
	var in instrument.Instrument
	err = a.DB.Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("projects.slug = ? AND instruments.slug = ?", ideadata.ProjectSlug, ideadata.BoardSlug).Take(&in).Error
	if err != nil {
		start := time.Now()
		res, err := ideadata.Seed(ctx, a.DB, ideadata.Options{Ideas: 5000, Participants: 1000, Supports: 50000,
			Key: cfg.PseudonymKey, KeyVersion: cfg.PseudonymKeyVersion, Now: time.Now(), Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("seeded %d ideas, %d supports in %s", res.Ideas, res.Supports, time.Since(start).Round(time.Millisecond))
		in.ID = res.InstrumentID
	}
	board, err := a.Ideas.Board(ctx, in.ID)
	if err != nil {
		b.Fatal(err)
	}
	return a, board
}

// BenchmarkExperimentIdeaList puts numbers on a cheaper shape for the
// board's random order (README, "Idea board page"), without changing the
// product: the count and page 50 as idea.Service.List runs them now; page
// 50 sorting ids alone and then loading 20 rows with their authors; and
// all three again with a partial index holding just the public ideas of a
// board, which lets the count and the id sort read the index only; and,
// with that index, one query for all public ids that gives the count and,
// ordered in Go, the page.
//
//	go test ./bench -run '^$' -bench ExperimentIdeaList -benchtime 200x
func BenchmarkExperimentIdeaList(b *testing.B) {
	a, board := ideaBoard(b)
	db := a.DB.WithContext(context.Background())
	id := board.InstrumentID
	const where = "ideas.instrument_id = ? AND ideas.moderation = 'approved' AND ideas.status <> 'withdrawn'"
	// The multiplier and offset randomOrder derives from a seed; any pair
	// costs the same.
	const order = "((ideas.id + 12345) * 987654321) % 2147483647, ideas.id"
	const page = " LIMIT 20 OFFSET 980"
	type row struct {
		idea.Idea
		AuthorName string
	}
	count := func(b *testing.B) {
		var n int64
		if err := db.Raw("SELECT COUNT(*) FROM ideas WHERE "+where, id).Scan(&n).Error; err != nil || n < 4000 {
			b.Fatal(n, err)
		}
	}
	now := func(b *testing.B) {
		var rows []row
		err := db.Raw("SELECT ideas.*, COALESCE(participants.display_name, '') AS author_name FROM ideas "+
			"LEFT JOIN participants ON participants.id = ideas.author_id WHERE "+where+" ORDER BY "+order+page, id).Scan(&rows).Error
		if err != nil || len(rows) != 20 {
			b.Fatal(len(rows), err)
		}
	}
	idsFirst := func(b *testing.B) {
		var ids []int64
		if err := db.Raw("SELECT ideas.id FROM ideas WHERE "+where+" ORDER BY "+order+page, id).Scan(&ids).Error; err != nil {
			b.Fatal(err)
		}
		var rows []row
		err := db.Raw("SELECT ideas.*, COALESCE(participants.display_name, '') AS author_name FROM ideas "+
			"LEFT JOIN participants ON participants.id = ideas.author_id WHERE ideas.id IN ?", ids).Scan(&rows).Error
		if err != nil || len(rows) != 20 {
			b.Fatal(len(rows), err)
		}
	}
	// allInGo reads every public id once (that is the count too), orders
	// them in Go the way the SQL expression does, and loads one page.
	allInGo := func(b *testing.B) {
		var ids []int64
		if err := db.Raw("SELECT ideas.id FROM ideas WHERE "+where, id).Scan(&ids).Error; err != nil || len(ids) < 4000 {
			b.Fatal(len(ids), err)
		}
		key := func(x int64) int64 { return ((x + 12345) * 987654321) % 2147483647 }
		slices.SortFunc(ids, func(x, y int64) int { return cmp.Or(cmp.Compare(key(x), key(y)), cmp.Compare(x, y)) })
		var rows []row
		err := db.Raw("SELECT ideas.*, COALESCE(participants.display_name, '') AS author_name FROM ideas "+
			"LEFT JOIN participants ON participants.id = ideas.author_id WHERE ideas.id IN ?", ids[980:1000]).Scan(&rows).Error
		if err != nil || len(rows) != 20 {
			b.Fatal(len(rows), err)
		}
	}
	b.Run("count/now", func(b *testing.B) {
		for b.Loop() {
			count(b)
		}
	})
	b.Run("random-p50/now", func(b *testing.B) {
		for b.Loop() {
			now(b)
		}
	})
	b.Run("random-p50/ids-first", func(b *testing.B) {
		for b.Loop() {
			idsFirst(b)
		}
	})

	// moderation and status are columns of the index as well as its
	// condition: SQLite reads an index alone only when it holds every
	// column the query names.
	const index = "bench_ideas_public_idx"
	if err := db.Exec("CREATE INDEX " + index + " ON ideas (instrument_id, id, moderation, status) " +
		"WHERE moderation = 'approved' AND status <> 'withdrawn'").Error; err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = a.DB.Exec("DROP INDEX " + index).Error })
	if a.DB.Dialect == store.Postgres {
		// PostgreSQL reads an index alone only for pages its visibility
		// map marks all-visible, which VACUUM does (autovacuum would, a
		// little after the bulk insert).
		if err := db.Exec("VACUUM ANALYZE ideas").Error; err != nil {
			b.Fatal(err)
		}
	}
	b.Run("count/partial-index", func(b *testing.B) {
		for b.Loop() {
			count(b)
		}
	})
	b.Run("random-p50/now+partial-index", func(b *testing.B) {
		for b.Loop() {
			now(b)
		}
	})
	b.Run("random-p50/ids-first+partial-index", func(b *testing.B) {
		for b.Loop() {
			idsFirst(b)
		}
	})
	b.Run("count+random-p50/all-ids-in-go+partial-index", func(b *testing.B) {
		for b.Loop() {
			allInGo(b)
		}
	})
}
