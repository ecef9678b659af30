// Command ideas fills a database with one large published idea board for
// the board-page benchmark (bench/ideas/run.sh): by default 10,000 ideas
// from 1,000 participants with 100,000 supports, at
// /projecten/ideeen-bench/ideeenbord.
//
//	INSPRAAK_PSEUDONYM_KEY=... go run ./bench/ideas -db sqlite:/tmp/ideas.db
//	INSPRAAK_PSEUDONYM_KEY=... go run ./bench/ideas -db 'postgres://postgres@127.0.0.1:5432/inspraak_ideas?sslmode=disable'
//
// Participants' subjects and supporter ids are derived with the pseudonym
// key exactly as the server derives them, so the key must be the one the
// server will run with: INSPRAAK_PSEUDONYM_KEY (and
// INSPRAAK_PSEUDONYM_KEY_VERSION), read through the server's own
// configuration. A key the configuration would generate for one run is
// refused, since the server would not know it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"
	_ "time/tzdata"

	"inspraak/bench/internal/ideadata"
	"inspraak/internal/config"
	"inspraak/internal/store"
)

func main() {
	dbURL := flag.String("db", "", "database URL: postgres://... or sqlite:PATH (required)")
	o := ideadata.Options{}
	flag.IntVar(&o.Ideas, "ideas", 10000, "ideas on the board")
	flag.IntVar(&o.Participants, "participants", 1000, "participants who submit and support")
	flag.IntVar(&o.Supports, "supports", 100000, "supports, at most one per participant per idea")
	seed := flag.Uint64("seed", 1, "seed of the generated content")
	flag.Parse()
	if *dbURL == "" || o.Ideas < 1 || o.Participants < 2 {
		fmt.Fprintln(os.Stderr, "usage: INSPRAAK_PSEUDONYM_KEY=... ideas -db URL [-ideas 10000] [-participants 1000] [-supports 100000]")
		os.Exit(2)
	}
	o.Seed = *seed
	if err := run(context.Background(), *dbURL, o); err != nil {
		fmt.Fprintln(os.Stderr, "ideas:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, o ideadata.Options) error {
	cfg, err := config.Load(func(k string) string {
		if k == "INSPRAAK_DATABASE_URL" {
			return dbURL
		}
		return os.Getenv(k)
	})
	if err != nil {
		return err
	}
	for _, k := range cfg.GeneratedKeys {
		if k == "INSPRAAK_PSEUDONYM_KEY" {
			return fmt.Errorf("INSPRAAK_PSEUDONYM_KEY is not set: set it to the key the server will run with")
		}
	}
	o.Key, o.KeyVersion, o.Now = cfg.PseudonymKey, cfg.PseudonymKeyVersion, time.Now()

	db, err := store.Open(ctx, store.Options{URL: dbURL, MaxOpenConns: 4, MaxIdleConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	if applied, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	} else if len(applied) > 0 {
		fmt.Printf("applied %d migration(s)\n", len(applied))
	}
	start := time.Now()
	res, err := ideadata.Seed(ctx, db, o)
	if err != nil {
		return err
	}
	took := time.Since(start)
	if err := ideadata.Check(ctx, db, res.InstrumentID); err != nil {
		return err
	}
	fmt.Printf("seeded on %s in %s: /projecten/%s/%s (instrument %d), %d ideas (%d public), %d participants, %d supports "+
		"(most on one idea: %d; public ideas without support: %d); support counts match their rows\n",
		db.Dialect, took.Round(time.Millisecond), ideadata.ProjectSlug, ideadata.BoardSlug, res.InstrumentID,
		res.Ideas, res.Public, res.Participants, res.Supports, res.MaxSupports, res.NoSupports)
	for _, t := range res.Themes {
		fmt.Printf("theme %d %s\n", t.ID, t.Name)
	}
	return nil
}
