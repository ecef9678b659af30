// Command export seeds a consultation with many submitted responses on
// PostgreSQL (10 questions, every one answered: responses × 10 answers),
// and unfinished ones that stopped along the way, and times the results
// overview in-process. bench/export/run.sh then times the export command
// and the results page on it.
//
//	go run ./bench/export -db postgres://…/inspraak_export -responses 100000
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"inspraak/bench/internal/benchdata"
	"inspraak/bench/internal/stafflogin"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/store"
)

func main() {
	dbURL := flag.String("db", "", "PostgreSQL URL of an empty database")
	n := flag.Int("responses", 100000, "submitted responses to add")
	drafts := flag.Int("drafts", 10000, "unfinished responses to add besides (each stopped somewhere in the questionnaire)")
	reuse := flag.Bool("reuse", false, "skip seeding: time the overview of the consultation seeded before")
	pageBase := flag.String("page", "", "with -reuse: also time the analysts' results page over HTTP on the server at this loopback base URL")
	pageRuns := flag.Int("page-runs", 20, "measured loads of each results page")
	flag.Parse()
	if !strings.HasPrefix(*dbURL, "postgres") {
		fmt.Fprintln(os.Stderr, "export: -db must be a PostgreSQL URL (the seed uses generate_series)")
		os.Exit(2)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: *dbURL, MaxOpenConns: 4})
	if err != nil {
		fail(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		fail(err)
	}
	if *reuse {
		var id int64
		db.WithContext(ctx).Raw("SELECT i.id FROM instruments i JOIN projects p ON p.id = i.project_id WHERE p.slug = 'meting' AND i.slug = 'vragenlijst'").Scan(&id)
		c, err := consultation.NewService(db, nil).Get(ctx, id)
		if err != nil {
			fail(err)
		}
		overview(ctx, db, c)
		if *pageBase != "" {
			timePage(*pageBase, c.InstrumentID, *pageRuns)
		}
		return
	}
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: "meting", Title: "Meting", Summary: "Een vragenlijst met veel antwoorden."})
	if err != nil {
		fail(err)
	}
	closes := time.Now().Add(24 * time.Hour)
	c, err := consultation.NewService(db, []byte("bench-key-0123456789-0123456789")).Create(ctx, identity.SystemActor("bench"), consultation.Draft{
		ProjectID: p.ID, Slug: "vragenlijst", Title: "Vragenlijst", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: benchdata.Questionnaire()})
	if err != nil {
		fail(err)
	}
	start := time.Now()
	tx := db.WithContext(ctx)
	exec := func(sql string, args ...any) {
		if err := tx.Exec(sql, args...).Error; err != nil {
			fail(fmt.Errorf("%s: %w", sql[:40], err))
		}
	}
	// Unlinked responses (participant_id NULL), as after an erasure; the
	// voter register records the submitted ones.
	exec(`INSERT INTO responses (instrument_id, status, reference, created_at, updated_at, submitted_at)
SELECT ?, 'submitted', 'INS-' || g, now(), now(), now() - (g % 30) * interval '1 day' FROM generate_series(1, ?) g`, c.InstrumentID, *n)
	exec(`INSERT INTO participations (kind, ref_id, voter, instrument_id)
SELECT 'response', ?, 'bench-' || g, ? FROM generate_series(1, ?) g`, c.InstrumentID, c.InstrumentID, *n)
	exec(`INSERT INTO responses (instrument_id, status, reference, created_at, updated_at)
SELECT ?, 'draft', '', now(), now() FROM generate_series(1, ?) g`, c.InstrumentID, *drafts)
	for qi, qu := range c.Questions {
		ids := make([]string, len(qu.Options))
		for i, o := range qu.Options {
			ids[i] = fmt.Sprint(o.ID)
		}
		arr := "ARRAY[" + strings.Join(ids, ",") + "]::bigint[]"
		k := len(ids)
		// A draft answered the questions before the one it stopped at
		// (its id modulo the number of questions; 0: none at all).
		draftHas := fmt.Sprintf("(r.status = 'submitted' OR r.id %% %d > %d)", len(c.Questions), qi)
		sel := "FROM responses r WHERE r.instrument_id = ? AND " + draftHas
		switch qu.Kind {
		case consultation.Single:
			exec(fmt.Sprintf(`INSERT INTO answer_options (response_id, question_id, option_id, rank)
SELECT r.id, ?, (%s)[1 + (r.id * 7 + r.id / 3) %% %d], 1 %s`, arr, k, sel), qu.ID, c.InstrumentID)
		case consultation.Multiple:
			exec(fmt.Sprintf(`INSERT INTO answer_options (response_id, question_id, option_id, rank)
SELECT r.id, ?, (%s)[1 + (r.id + s) %% %d], s + 1 FROM responses r CROSS JOIN LATERAL generate_series(0, 1 + r.id %% 2) s
WHERE r.instrument_id = ? AND %s`, arr, k, draftHas), qu.ID, c.InstrumentID)
		case consultation.Ranking:
			exec(fmt.Sprintf(`INSERT INTO answer_options (response_id, question_id, option_id, rank)
SELECT r.id, ?, (%s)[1 + (r.id + s) %% %d], s + 1 FROM responses r CROSS JOIN LATERAL generate_series(0, %d) s
WHERE r.instrument_id = ? AND %s`, arr, k, k-1, draftHas), qu.ID, c.InstrumentID)
		case consultation.Scale:
			exec(fmt.Sprintf(`INSERT INTO answers (response_id, question_id, number_value)
SELECT r.id, ?, %d + (r.id * 13) %% %d %s`, qu.ScaleMin, qu.ScaleMax-qu.ScaleMin+1, sel), qu.ID, c.InstrumentID)
		case consultation.Number:
			exec(`INSERT INTO answers (response_id, question_id, number_value) SELECT r.id, ?, (r.id * 31) % 60 `+sel, qu.ID, c.InstrumentID)
		case consultation.LongText:
			exec(`INSERT INTO answers (response_id, question_id, text_value)
SELECT r.id, ?, 'Meer groen en minder verkeer in de straat, en een plek waar kinderen veilig kunnen spelen. Antwoord ' || r.id `+sel, qu.ID, c.InstrumentID)
		}
	}
	// Rows inserted around consultation.Save: build the running totals
	// and where each response got to, which the results page reads, as an
	// import would.
	t1 := time.Now()
	if err := consultation.RecountTallies(tx, c.InstrumentID); err != nil {
		fail(err)
	}
	if err := consultation.RecountProgress(tx, c.InstrumentID); err != nil {
		fail(err)
	}
	fmt.Printf("running totals and progress recounted in %s\n", time.Since(t1).Round(time.Millisecond))
	exec("ANALYZE")
	var answers, options int64
	tx.Raw("SELECT count(*) FROM answers").Scan(&answers)
	tx.Raw("SELECT count(*) FROM answer_options").Scan(&options)
	fmt.Printf("seeded %d submitted responses (%d questions answered) and %d unfinished ones: %d answer rows and %d chosen options in all, in %s\n",
		*n, *n*len(c.Questions), *drafts, answers, options, time.Since(start).Round(time.Millisecond))
	overview(ctx, db, c)
	fmt.Printf("EXPORT project=meting instrument=vragenlijst\n")
}

// overview times the results overview three times.
func overview(ctx context.Context, db *store.DB, c *consultation.Consultation) {
	res := results.NewService(db)
	for i := range 3 {
		t0 := time.Now()
		o, err := res.Consultation(ctx, c)
		if err != nil {
			fail(err)
		}
		fmt.Printf("results overview %d: %s (submitted %d, %d questions)\n", i+1, time.Since(t0).Round(time.Millisecond), o.Submitted, len(o.Questions))
	}
	// What the page's funnel will show, to see the seed is what it says.
	f, days, err := res.Participation(ctx, c)
	if err != nil {
		fail(err)
	}
	var stopped int64
	for _, st := range f.Stops {
		stopped += st.Drafts
	}
	fmt.Printf("funnel: %d started, %d submitted, %d unfinished without an answer, %d stopped after one of %d questions; %d days of submissions\n",
		f.Started, f.Submitted, f.Empty, stopped, len(f.Stops), len(days))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "export:", err)
	os.Exit(1)
}

// timePage logs an analyst in and loads the results page of the
// instrument (plain, and split by wijk) runs times each after two
// warm-up loads, one request at a time, and prints the latencies as the
// client sees them: the whole page, every figure, chart and table.
func timePage(base string, instrumentID int64, runs int) {
	u, err := url.Parse(base)
	if err != nil || !stafflogin.Loopback(u.Hostname()) {
		fail(fmt.Errorf("-page must be a loopback URL"))
	}
	c, err := stafflogin.Login(base, "Analist Meting", "inspraak-analisten", "/beheer/resultaten")
	if err != nil {
		fail(fmt.Errorf("login: %w", err))
	}
	for _, path := range []string{"/beheer/resultaten/" + strconv.FormatInt(instrumentID, 10), "/beheer/resultaten/" + strconv.FormatInt(instrumentID, 10) + "?uitsplitsen=wijk"} {
		var took []time.Duration
		size := 0
		for i := range runs + 2 {
			t0 := time.Now()
			resp, err := c.Get(base + path)
			if err != nil {
				fail(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				fail(fmt.Errorf("%s: %s %v", path, resp.Status, err))
			}
			if i >= 2 {
				took = append(took, time.Since(t0))
			}
			size = len(body)
		}
		slices.Sort(took)
		at := func(q float64) time.Duration { return took[int(q*float64(len(took)-1)+0.5)].Round(time.Millisecond) }
		fmt.Printf("RESULTS PAGE %s: %d loads, min %s, median %s, p90 %s, max %s (%d bytes)\n", path, len(took), took[0].Round(time.Millisecond), at(0.5), at(0.9), took[len(took)-1].Round(time.Millisecond), size)
	}
}
