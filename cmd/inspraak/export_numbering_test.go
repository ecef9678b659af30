package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"inspraak/internal/results"
	"inspraak/internal/results/resultstest"
	"inspraak/internal/testdb"
)

// inspraak export heads each question's columns "Vraag n: <text>" with
// the n of the results page (the overview the page prints: explanations
// between the questions are not counted), in CSV, XLSX and JSON alike;
// internal/web's TestExportNumberingMatchesTheResultsPage holds the page
// itself against the downloads. Before issue 16 the columns said V2–V8.
func TestExportCommandNumbersQuestionsAsTheResultsPage(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("INSPRAAK_DATABASE_URL", url)
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	a := newDemoApp(t)
	ctx := context.Background()
	sv, err := resultstest.Seed(ctx, a.DB.DB, a.Projects, a.Consultations, "cli-nummering", 3)
	if err != nil {
		t.Fatal(err)
	}
	o, err := results.NewService(a.DB).Consultation(ctx, sv.Consultation)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, q := range o.Questions {
		want = append(want, fmt.Sprintf("Vraag %d: %s", q.Number, q.Text))
	}
	if len(want) != 6 || want[3] != "Vraag 4: "+resultstest.TextNumber {
		t.Fatalf("the results page numbers %q", want)
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"export", "-project", sv.ProjectSlug, "-instrument", sv.Slug, "-semicolon"}, &out, &errb); code != 0 {
		t.Fatalf("export: %d %s", code, errb.String())
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out.String(), "\uFEFF")))
	r.Comma = ';'
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range header[2:] {
		if i := strings.Index(h, " ["); i > 0 {
			h = h[:i]
		}
		if len(got) == 0 || got[len(got)-1] != h {
			got = append(got, h)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("inspraak export numbers the questions\n%q\nthe results page\n%q", got, want)
	}
}
