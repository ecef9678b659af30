package results_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/results/resultstest"
	"inspraak/internal/testdb"
)

// Every question on the breakdown view says what it shows or why not.
// Choice, ranking (first places), scale (points, with their end labels)
// and number (values or ranges) questions are split by wijk and by age
// group, with small cells suppressed; an open question says it is not
// split. Before issue 16 a scale or number question made the whole
// breakdown fail (results.ErrFormat), and the page left them blank.
func TestBreakdownSplitsEveryKindAndSaysWhy(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	cons := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	sv, err := resultstest.Seed(ctx, db.DB, project.NewService(db), cons, "analyse", 120)
	if err != nil {
		t.Fatal(err)
	}
	res := results.NewService(db)
	o, err := res.Consultation(ctx, sv.Consultation)
	if err != nil {
		t.Fatal(err)
	}
	byText := map[string]results.Question{}
	for _, q := range o.Questions {
		byText[q.Text] = q
	}
	for _, by := range []string{results.ByWijk, results.ByAge} {
		bs, err := res.Breakdowns(ctx, o.Questions, by, 0)
		if err != nil {
			t.Fatalf("%s: %v", by, err)
		}
		if len(bs) != len(o.Questions) {
			t.Fatalf("%s: %d of %d questions have a breakdown", by, len(bs), len(o.Questions))
		}
		for _, q := range o.Questions {
			b := bs[q.ID]
			want := results.SplitShown
			if q.Kind == consultation.LongText {
				want = results.SplitOpen
			}
			if b.Status != want || b.K != results.MinCell {
				t.Errorf("%s, %q: status %q (k %d), want %q", by, q.Text, b.Status, b.K, want)
				continue
			}
			if want != results.SplitShown {
				continue
			}
			// The table's totals row repeats what the page prints above it.
			R := len(b.Groups)
			var sum int64
			for j := range b.Options {
				got := b.Show(R, j)
				if got != strconv.FormatInt(b.Options[j].Count, 10) {
					t.Errorf("%s, %q: column %q totals %s, the page prints %d", by, q.Text, b.Options[j].Label, got, b.Options[j].Count)
				}
				sum += b.Options[j].Count
			}
			if q.Kind != consultation.Multiple && (sum != q.Base || b.Show(R, len(b.Options)) != strconv.FormatInt(q.Base, 10)) {
				t.Errorf("%s, %q: columns add up to %d, grand total %s, base %d", by, q.Text, sum, b.Show(R, len(b.Options)), q.Base)
			}
			// Known groups first, "unknown" last, and some real figures.
			if b.Groups[R-1] != "" {
				t.Errorf("%s, %q: groups %q, want unknown last", by, q.Text, b.Groups)
			}
			shown := 0
			for i := range R {
				for j := range b.Options {
					if c := b.Show(i, j); c != "x" && c != "." && c != "0" {
						shown++
					}
				}
			}
			if shown == 0 {
				t.Errorf("%s, %q: every cell hidden; 120 respondents should show some", by, q.Text)
			}
		}
		scale := bs[byText[resultstest.TextScale].ID]
		if scale.Shows != "scale" || len(scale.Options) != 5 || scale.Options[0].Label != "1 ("+resultstest.ScaleMin+")" ||
			scale.Options[4].Label != "5 ("+resultstest.ScaleMax+")" {
			t.Errorf("%s: scale columns %+v", by, scale.Options)
		}
		number := bs[byText[resultstest.TextNumber].ID]
		var labels []string
		for _, op := range number.Options {
			labels = append(labels, op.Label)
		}
		// 2 to 41 minutes: ranges of 10 from 0.
		if number.Shows != "number" || strings.Join(labels, " ") != "0–9 10–19 20–29 30–39 40–49" {
			t.Errorf("%s: number columns %q", by, labels)
		}
		ranking := bs[byText[resultstest.TextRanking].ID]
		for j, op := range ranking.Options {
			if op.Count != byText[resultstest.TextRanking].Options[j].FirstPlace {
				t.Errorf("%s: ranking column %q counts %d, first places %d", by, op.Label, op.Count, byText[resultstest.TextRanking].Options[j].FirstPlace)
			}
		}
	}
	// The small wijk Oost hides its small counts.
	bs, err := res.Breakdowns(ctx, o.Questions, results.ByWijk, 0)
	if err != nil {
		t.Fatal(err)
	}
	single := bs[byText[resultstest.TextSingle].ID]
	if strings.Join(single.Groups, ",") != "Centrum,Noord,Oost," {
		t.Fatalf("groups %q", single.Groups)
	}
	for j := range single.Options {
		if c := single.Show(2, j); c != "x" && c != "." {
			if n, _ := strconv.Atoi(c); n > 0 && n < results.MinCell {
				t.Errorf("Oost shows a small count %d", n)
			}
		}
	}
}

// Why a question has no table: nobody's wijk is known; fewer than k
// answered it; nobody answered it yet.
func TestBreakdownSaysWhyThereIsNoTable(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	scale := consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.Scale, Text: "Hoe tevreden?", ScaleMin: 1, ScaleMax: 5}}
	sv := newSurvey(t, db, false, choice(consultation.Single, "Ja of nee?", "Ja", "Nee"), scale,
		choice(consultation.Single, "Nog iets?", "Ja", "Nee"), choice(consultation.Multiple, "Wat nog?", "A", "B"))
	q0, q1, q2, q3 := sv.c.Questions[0], sv.c.Questions[1], sv.c.Questions[2], sv.c.Questions[3]
	four := 4.0
	for i := range 12 {
		answers := map[int64]consultation.Answer{q0.ID: {Options: []int64{q0.Options[i%2].ID}}, q1.ID: {Number: &four}}
		if i < 3 {
			answers[q2.ID] = consultation.Answer{Options: []int64{q2.Options[0].ID}}
		}
		sv.submit(sv.person("", identity.DigiD), answers)
	}
	res := results.NewService(db)
	o, err := res.Consultation(ctx, sv.c)
	if err != nil {
		t.Fatal(err)
	}
	status := func(by string) map[int64]string {
		t.Helper()
		bs, err := res.Breakdowns(ctx, o.Questions, by, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]string{}
		for id, b := range bs {
			out[id] = b.Status
		}
		return out
	}
	got := status(results.ByWijk)
	want := map[int64]string{q0.ID: results.SplitNoData, q1.ID: results.SplitNoData, q2.ID: results.SplitTooFew, q3.ID: results.SplitNoAnswers}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("by wijk, question %d: %q, want %q", id, got[id], w)
		}
	}
	// Everyone logged in with DigiD: one group, but a known one; the
	// tables show it (nobody is hidden by being the only group: the
	// totals above say the same).
	if got := status(results.ByMeans); got[q0.ID] != results.SplitShown && got[q0.ID] != results.SplitWithheld {
		t.Errorf("by means: %q", got[q0.ID])
	}
}
