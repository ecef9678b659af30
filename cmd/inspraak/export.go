package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/results"
)

// export writes a consultation's responses to a file or standard output,
// the same export analysts download, for automation:
//
//	inspraak export -project herinrichting-marktplein -instrument vragenlijst-schetsontwerp -format csv -o antwoorden.csv
func export(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	projectSlug := fs.String("project", "", "the project's address name (slug)")
	instrumentSlug := fs.String("instrument", "", "the consultation's address name (slug)")
	format := fs.String("format", results.CSV, "csv, xlsx or json")
	semicolon := fs.Bool("semicolon", false, "separate CSV fields with ; (Dutch Excel)")
	out := fs.String("o", "-", "file to write; - is standard output")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *projectSlug == "" || *instrumentSlug == "" || !slices.Contains(results.Formats, *format) || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "inspraak export: give -project and -instrument, and -format csv, xlsx or json")
		fs.Usage()
		return 2
	}
	// Ctrl-C or SIGTERM stops the export between batches.
	cfg, ctx, db, done, ok := openStore("export", stderr)
	if !ok {
		return 1
	}
	defer done()
	var id int64
	if err := db.WithContext(ctx).Table("instruments").Select("instruments.id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("projects.slug = ? AND instruments.slug = ? AND instruments.kind = ?", *projectSlug, *instrumentSlug, "consultation").
		Scan(&id).Error; err != nil {
		fmt.Fprintln(stderr, "inspraak export:", err)
		return 1
	}
	if id == 0 {
		fmt.Fprintf(stderr, "inspraak export: no consultation %q in project %q\n", *instrumentSlug, *projectSlug)
		return 1
	}
	c, err := consultation.NewService(db, cfg.PseudonymKey).Get(ctx, id)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak export:", err)
		return 1
	}
	w := stdout
	var file *os.File
	if *out != "-" {
		if file, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err != nil {
			fmt.Fprintln(stderr, "inspraak export:", err)
			return 1
		}
		w = file
	}
	// On record before the first byte, as every export: nothing leaves
	// the building unrecorded.
	n, err := results.NewService(db).ExportFor(ctx, identity.SystemActor("cli"), c, w,
		results.ExportOptions{Format: *format, Semicolon: *semicolon}, map[string]any{"format": *format})
	if file != nil {
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(*out) // no half export left behind
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "inspraak export: stopped")
		} else {
			fmt.Fprintln(stderr, "inspraak export:", err)
		}
		return 1
	}
	fmt.Fprintf(stderr, "exported %d responses\n", n)
	return 0
}
