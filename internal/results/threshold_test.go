package results_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/results"
	"inspraak/internal/setting"
	"inspraak/internal/testdb"
)

// A municipality may raise the threshold of small-cell suppression, never
// lower it: a raised threshold hides counts the default would show, in
// public figures and in representativeness; a lower one is refused and
// changes nothing; a value below the default written into the database by
// hand is not used.
func TestThresholdOnlyGoesUp(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	y := newYesNo(t, db)
	// 7 say yes (all from Noord), 30 say no (from Centrum).
	for range 7 {
		y.answer("Noord", 0)
	}
	for range 30 {
		y.answer("Centrum", 1)
	}
	c := y.c
	res := results.NewService(db)
	if err := res.SetPopulation(ctx, identity.SystemActor("test"), []results.PopulationShare{{Dimension: results.ByWijk, Grp: "Centrum", Share: 80}, {Dimension: results.ByWijk, Grp: "Noord", Share: 20}}); err != nil {
		t.Fatal(err)
	}
	figures := func() (string, string, map[string]string) {
		t.Helper()
		pr, err := res.PublicOf(ctx, c, false)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := res.Representativeness(ctx, c.InstrumentID, results.ByWijk)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]string{}
		for _, r := range rep {
			shown[r.Group] = r.Count
		}
		return pr.Questions[0].Counts[0], fmt.Sprint(pr.K), shown
	}
	if yes, k, rep := figures(); yes != "7" || k != "5" || rep["Noord"] != "7" {
		t.Fatalf("default threshold: yes %s, k %s, Noord %s", yes, k, rep["Noord"])
	}
	if err := res.SetThreshold(ctx, identity.SystemActor("test"), 10); err != nil {
		t.Fatal(err)
	}
	// Seven is now small: hidden, and so is whatever would give it away
	// (the base of the single choice is 37, so "Nee" goes too).
	if yes, k, rep := figures(); yes != hid || k != "10" || rep["Noord"] != hid || rep["Centrum"] == "30" {
		t.Fatalf("threshold 10: yes %s, k %s, representativeness %v", yes, k, rep)
	}
	for _, bad := range []int{4, 0, -5, results.MaxThreshold + 1} {
		err := res.SetThreshold(ctx, identity.SystemActor("test"), bad)
		var e *apperror.Error
		if !errors.As(err, &e) || e.Code != apperror.Invalid || e.Fields["drempel"] == "" {
			t.Fatalf("threshold %d: %v", bad, err)
		}
		if k, _ := res.Threshold(ctx); k != 10 {
			t.Fatalf("a refused threshold %d changed it to %d", bad, k)
		}
	}
	if err := setting.NewService(db).Set(ctx, "results.min_cell", "2"); err != nil {
		t.Fatal(err)
	}
	if k, _ := res.Threshold(ctx); k != results.MinCell {
		t.Fatalf("a stored 2 gives threshold %d", k)
	}
}

// Uploading wijk figures replaces the wijk figures only: age figures
// uploaded before stay.
func TestPopulationUploadReplacesOnlyItsKinds(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	res := results.NewService(db)
	if err := res.SetPopulation(ctx, identity.SystemActor("test"), []results.PopulationShare{{Dimension: results.ByWijk, Grp: "Noord", Share: 100}, {Dimension: results.ByAge, Grp: "18-29", Share: 100}}); err != nil {
		t.Fatal(err)
	}
	if err := res.SetPopulation(ctx, identity.SystemActor("test"), []results.PopulationShare{{Dimension: results.ByWijk, Grp: "Zuid", Share: 100}}); err != nil {
		t.Fatal(err)
	}
	ps, err := res.Population(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range ps {
		got[p.Dimension+"/"+p.Grp] = true
	}
	if len(ps) != 2 || !got["wijk/Zuid"] || !got["age/18-29"] {
		t.Fatalf("after uploading wijken only: %+v", ps)
	}
}

// A code is about the text of an open answer: when the resident changes
// that text (the questionnaire allows changes), the code goes; when they
// change something else, it stays.
func TestChangedOpenAnswerLosesItsCodes(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	long := consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.LongText, Text: "Wat wilt u kwijt?", MaxLength: 500}}
	sv := newSurvey(t, db, true, long, choice(consultation.Single, "Ja of nee?", "Ja", "Nee"))
	c := sv.c
	open, yes := c.Questions[0], c.Questions[1]
	who := sv.person("", identity.DigiD)
	save := func(text string, opt int) *consultation.Response {
		t.Helper()
		return sv.submit(who, map[int64]consultation.Answer{open.ID: {Text: text}, yes.ID: {Options: []int64{yes.Options[opt].ID}}})
	}
	r := save("Meer bomen op het plein.", 0)
	res := results.NewService(db)
	code, err := res.AddCode(ctx, identity.SystemActor("test"), c.InstrumentID, "Groen")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Tag(ctx, identity.SystemActor("test"), c.InstrumentID, code.ID, []results.AnswerKey{{ResponseID: r.ID, QuestionID: open.ID}}, false); err != nil {
		t.Fatal(err)
	}
	coded := func() int64 {
		var n int64
		testdb.NoError(t, db.Table("answer_codings").Where("response_id = ?", r.ID).Count(&n).Error)
		return n
	}
	save("Meer bomen op het plein.", 1) // the choice changed, the text did not
	if coded() != 1 {
		t.Fatal("the code went with an unchanged text")
	}
	save("Liever een speeltuin.", 1)
	if coded() != 0 {
		t.Fatal("the code stayed on a text it was not given to")
	}
}
