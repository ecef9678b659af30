// Command seed fills a database with N published projects for the
// performance benchmarks: realistic Dutch titles, summaries and Markdown
// bodies of a few paragraphs, and 3–5 phases each, with slugs project-001,
// project-002, … It goes through project.Service (Create, then Move to
// published), so the rows look exactly like an editor's.
//
//	go run ./bench/seed -db sqlite:/tmp/bench.db -n 200
//	go run ./bench/seed -db 'postgres://postgres@127.0.0.1:5432/inspraak_bench?sslmode=disable' -n 200
//
// It refuses a database that already holds projects unless -force is given;
// with -force, slugs that exist already are skipped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"
	_ "time/tzdata"

	"inspraak/bench/internal/benchdata"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

func main() {
	dbURL := flag.String("db", "", "database URL: postgres://... or sqlite:PATH (required)")
	n := flag.Int("n", 200, "number of published projects to create (1–9999)")
	force := flag.Bool("force", false, "seed even when the database already holds projects (existing slugs are skipped)")
	flag.Parse()
	if *dbURL == "" || *n < 1 || *n > 9999 {
		fmt.Fprintln(os.Stderr, "usage: seed -db URL [-n 200] [-force]   (n from 1 to 9999)")
		os.Exit(2)
	}
	if err := run(context.Background(), *dbURL, *n, *force); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dbURL string, n int, force bool) error {
	db, err := store.Open(ctx, store.Options{URL: dbURL, MaxOpenConns: 4, MaxIdleConns: 2})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		fmt.Printf("applied %d migration(s)\n", len(applied))
	}
	svc := project.NewService(db)
	existing, err := svc.CountAll(ctx)
	if err != nil {
		return err
	}
	if existing > 0 && !force {
		return fmt.Errorf("the database already holds %d project(s); refusing to add benchmark projects (use -force to seed anyway)", existing)
	}

	start := time.Now()
	created, skipped, err := benchdata.Seed(ctx, svc, n, start, force)
	if err != nil {
		return err
	}
	if created == 0 && skipped > 0 {
		return errors.New("every slug existed already; nothing was added")
	}
	fmt.Printf("seeded %d published project(s) on %s in %s", created, db.Dialect, time.Since(start).Round(time.Millisecond))
	if skipped > 0 {
		fmt.Printf(" (%d existing slug(s) skipped)", skipped)
	}
	fmt.Println()
	return nil
}
