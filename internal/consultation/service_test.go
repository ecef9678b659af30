package consultation_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var midden = identity.Levels(identity.DigiD)[1]

type fixture struct {
	db  *store.DB
	svc *consultation.Service
	c   *consultation.Consultation
	now time.Time
	q   map[consultation.Kind]consultation.Question
}

func f64(v float64) *float64 { return &v }

func setup(t *testing.T, edit func(d *consultation.Draft)) *fixture {
	t.Helper()
	db := testdb.Open(t)
	p, err := project.NewService(db).Create(context.Background(), identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: consultation.NewService(db, []byte("key-0123456789-0123456789-012345")), now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	f.svc.SetClock(func() time.Time { return f.now })
	closes := f.now.Add(48 * time.Hour)
	q := func(k consultation.Kind, text string, req bool, opts ...string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text, Required: req}, Options: opts}
	}
	scale := q(consultation.Scale, "Hoe tevreden bent u?", true)
	scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, "Heel ontevreden", "Heel tevreden"
	num := q(consultation.Number, "Hoe vaak per week komt u er?", false)
	num.NumberMin, num.NumberMax = f64(0), f64(7)
	multi := q(consultation.Multiple, "Wat mist u?", false, "Bomen", "Bankjes", "Speelplek", "Fietsenrekken")
	multi.MaxChoices = 2
	long := q(consultation.LongText, "Wat wilt u nog zeggen?", false)
	long.MaxLength = 50
	d := consultation.Draft{ProjectID: p.ID, Slug: "vragenlijst", Title: "Vragenlijst over het plein", Published: true,
		Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{
			q(consultation.Explanation, "Deze vragen gaan over het plein.", false),
			q(consultation.ShortText, "Wat is uw naam voor het plein?", false),
			long,
			q(consultation.Single, "Komt u vaak op het plein?", true, "Ja", "Nee"),
			multi, scale,
			q(consultation.Ranking, "Zet op volgorde", false, "Groen", "Parkeren", "Evenementen"),
			num,
		}}
	if edit != nil {
		edit(&d)
	}
	c, err := f.svc.Create(context.Background(), identity.SystemActor("test"), d)
	if err != nil {
		t.Fatal(err)
	}
	f.c = c
	f.q = map[consultation.Kind]consultation.Question{}
	for _, q := range c.Questions {
		f.q[q.Kind] = q
	}
	return f
}

func (f *fixture) person(t *testing.T, n int) consultation.Respondent {
	t.Helper()
	p := identity.Participant{Subject: fmt.Sprintf("p-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: midden, CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return consultation.Respondent{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
}

func (f *fixture) complete() map[int64]consultation.Answer {
	num := 3.0
	return map[int64]consultation.Answer{
		f.q[consultation.Single].ID: {Options: []int64{f.q[consultation.Single].Options[0].ID}},
		f.q[consultation.Scale].ID:  {Number: &num},
	}
}

func fields(err error) map[string]string {
	if e, ok := apperror.As(err); ok {
		return e.Fields
	}
	return nil
}

func TestEveryQuestionTypeValidates(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	qid := func(k consultation.Kind) int64 { return f.q[k].ID }
	opt := func(k consultation.Kind, i int) int64 { return f.q[k].Options[i].ID }
	missing := int64(1_000_000) // an option of no question here
	cases := []struct {
		name string
		k    consultation.Kind
		a    consultation.Answer
		want string
	}{
		{"short text too long", consultation.ShortText, consultation.Answer{Text: strings.Repeat("a", 201)}, "consultation.error.too_long"},
		{"long text over its limit", consultation.LongText, consultation.Answer{Text: strings.Repeat("é", 51)}, "consultation.error.too_long"},
		{"text with NUL", consultation.ShortText, consultation.Answer{Text: "a\x00b"}, "consultation.error.text_invalid"},
		{"single with two", consultation.Single, consultation.Answer{Options: []int64{opt(consultation.Single, 0), opt(consultation.Single, 1)}}, "consultation.error.choose_one"},
		{"single from elsewhere", consultation.Single, consultation.Answer{Options: []int64{missing}}, "consultation.error.choose_one"},
		{"multiple over max", consultation.Multiple, consultation.Answer{Options: []int64{opt(consultation.Multiple, 0), opt(consultation.Multiple, 1), opt(consultation.Multiple, 2)}}, "consultation.error.too_many"},
		{"multiple duplicate", consultation.Multiple, consultation.Answer{Options: []int64{opt(consultation.Multiple, 0), opt(consultation.Multiple, 0)}}, "consultation.error.unknown_option"},
		{"scale out of range", consultation.Scale, consultation.Answer{Number: f64(6)}, "consultation.error.scale_value"},
		{"scale fraction", consultation.Scale, consultation.Answer{Number: f64(2.5)}, "consultation.error.scale_value"},
		{"ranking incomplete", consultation.Ranking, consultation.Answer{Options: []int64{opt(consultation.Ranking, 0)}}, "consultation.error.ranking"},
		{"ranking repeats", consultation.Ranking, consultation.Answer{Options: []int64{opt(consultation.Ranking, 0), opt(consultation.Ranking, 0), opt(consultation.Ranking, 1)}}, "consultation.error.ranking"},
		{"number above max", consultation.Number, consultation.Answer{Number: f64(8)}, "consultation.error.number_range"},
		{"number NaN", consultation.Number, consultation.Answer{Number: f64(math.NaN())}, "consultation.error.number"},
		{"explanation answered", consultation.Explanation, consultation.Answer{Text: "hoi"}, "consultation.error.no_answer_expected"},
	}
	for _, c := range cases {
		errs := consultation.Validate(f.c, map[int64]consultation.Answer{qid(c.k): c.a}, false)
		if got := errs[fmt.Sprintf("q-%d", qid(c.k))]; got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
	good := map[int64]consultation.Answer{
		qid(consultation.ShortText): {Text: "Dorpshart"},
		qid(consultation.Multiple):  {Options: []int64{opt(consultation.Multiple, 3), opt(consultation.Multiple, 1)}},
		qid(consultation.Ranking):   {Options: []int64{opt(consultation.Ranking, 2), opt(consultation.Ranking, 0), opt(consultation.Ranking, 1)}},
		qid(consultation.Number):    {Number: f64(0)},
	}
	if errs := consultation.Validate(f.c, good, false); len(errs) != 0 {
		t.Errorf("good answers refused: %v", errs)
	}
	if errs := consultation.Validate(f.c, good, true); len(errs) != 2 {
		t.Errorf("submit without the two required answers: %v", errs)
	}
	if errs := consultation.Validate(f.c, map[int64]consultation.Answer{999999: {Text: "x"}}, false); errs["form"] == "" {
		t.Error("an answer to an unknown question was accepted")
	}
}

func TestDraftThenSubmitWithReceipt(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	ctx := context.Background()
	who := f.person(t, 1)
	partial := map[int64]consultation.Answer{f.q[consultation.ShortText].ID: {Text: "Dorpshart"}}
	r, err := f.svc.Save(ctx, f.c.InstrumentID, who, partial, false)
	if err != nil || r.Status != consultation.StatusDraft || r.Reference != "" {
		t.Fatalf("draft: %+v %v", r, err)
	}
	saved, _ := f.svc.ResponseOf(ctx, f.c.InstrumentID, who.ParticipantID, who.Subject)
	if saved.Answers[f.q[consultation.ShortText].ID].Text != "Dorpshart" {
		t.Fatalf("draft not kept: %+v", saved)
	}
	// Submitting the incomplete draft is refused and changes nothing.
	if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, partial, true); len(fields(err)) != 2 {
		t.Fatalf("incomplete submit: %v", err)
	}
	answers := f.complete()
	answers[f.q[consultation.ShortText].ID] = consultation.Answer{Text: "Dorpshart"}
	ranked := f.q[consultation.Ranking]
	answers[ranked.ID] = consultation.Answer{Options: []int64{ranked.Options[2].ID, ranked.Options[0].ID, ranked.Options[1].ID}}
	r, err = f.svc.Save(ctx, f.c.InstrumentID, who, answers, true)
	if err != nil || r.Status != consultation.StatusSubmitted || !strings.HasPrefix(r.Reference, "INS-") || r.SubmittedAt == nil {
		t.Fatalf("submit: %+v %v", r, err)
	}
	saved, _ = f.svc.ResponseOf(ctx, f.c.InstrumentID, who.ParticipantID, who.Subject)
	if got := saved.Answers[ranked.ID].Options; len(got) != 3 || got[0] != ranked.Options[2].ID {
		t.Fatalf("ranking order lost: %v", got)
	}
	// Not allowed to change: a second submit is refused, and so is a draft.
	if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, answers, true); apperror.CodeOf(err) != apperror.Conflict {
		t.Fatalf("second submit: %v", err)
	}
	if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, partial, false); apperror.CodeOf(err) != apperror.Conflict {
		t.Fatalf("draft over a submitted response: %v", err)
	}
	if n, _ := f.svc.CountSubmitted(ctx, f.c.InstrumentID); n != 1 {
		t.Fatalf("submitted = %d", n)
	}
}

func TestChangeUntilClosingWhenAllowed(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, func(d *consultation.Draft) { d.Rules.AllowChange = true })
	ctx := context.Background()
	who := f.person(t, 1)
	first, err := f.svc.Save(ctx, f.c.InstrumentID, who, f.complete(), true)
	if err != nil {
		t.Fatal(err)
	}
	changed := f.complete()
	five := 5.0
	changed[f.q[consultation.Scale].ID] = consultation.Answer{Number: &five}
	second, err := f.svc.Save(ctx, f.c.InstrumentID, who, changed, true)
	if err != nil || second.Reference != first.Reference {
		t.Fatalf("change: %+v %v", second, err)
	}
	saved, _ := f.svc.ResponseOf(ctx, f.c.InstrumentID, who.ParticipantID, who.Subject)
	if *saved.Answers[f.q[consultation.Scale].ID].Number != 5 {
		t.Fatal("change not stored")
	}
	// After closing: refused by the server, whatever the page showed.
	f.now = f.now.Add(72 * time.Hour)
	if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, f.complete(), true); apperror.CodeOf(err) != apperror.Closed {
		t.Fatalf("after closing: %v", err)
	}
}

func TestRulesAtSubmitTime(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, func(d *consultation.Draft) { d.Rules.MinLoADigiD = identity.Levels(identity.DigiD)[2] })
	who := f.person(t, 1)
	_, err := f.svc.Save(context.Background(), f.c.InstrumentID, who, f.complete(), true)
	if e, ok := apperror.As(err); !ok || e.Key != "rules.loa_too_low" {
		t.Fatalf("low LoA: %v", err)
	}
}

func TestEditsNeverLoseAnswers(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	ctx := context.Background()
	who := f.person(t, 1)
	if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, f.complete(), true); err != nil {
		t.Fatal(err)
	}
	single := f.q[consultation.Single]
	if err := f.svc.RemoveOption(ctx, identity.SystemActor("test"), f.c.InstrumentID, single.Options[0].ID); apperror.CodeOf(err) != apperror.Conflict {
		t.Fatalf("removing an answered option: %v", err)
	}
	if err := f.svc.RemoveOption(ctx, identity.SystemActor("test"), f.c.InstrumentID, single.Options[1].ID); err != nil {
		t.Fatalf("removing an unanswered option: %v", err)
	}
	if err := f.svc.RetypeQuestion(ctx, single.ID, consultation.Multiple); apperror.CodeOf(err) != apperror.Conflict {
		t.Fatalf("retyping an answered question: %v", err)
	}
	if err := f.svc.RetypeQuestion(ctx, f.q[consultation.ShortText].ID, consultation.LongText); err != nil {
		t.Fatalf("retyping an unanswered question: %v", err)
	}
	if err := f.svc.Reword(ctx, identity.SystemActor("test"), single.ID, "Komt u vaak op het Marktplein?", ""); err != nil {
		t.Fatalf("rewording: %v", err)
	}
}

func TestConcurrentSubmitsGiveOneResponseEach(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, nil)
	ctx := context.Background()
	people := 30
	if testdb.Postgres() {
		people = 200
	}
	whos := make([]consultation.Respondent, people)
	for i := range whos {
		whos[i] = f.person(t, i)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, conflicts := 0, 0
	for _, who := range whos {
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Save(ctx, f.c.InstrumentID, who, f.complete(), true)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case apperror.CodeOf(err) == apperror.Conflict:
					conflicts++
				default:
					t.Errorf("save: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	if ok != people || conflicts != people*4 {
		t.Fatalf("ok %d conflicts %d for %d people", ok, conflicts, people)
	}
	var n int64
	testdb.NoError(t, f.db.Model(&consultation.Response{}).Count(&n).Error)
	if n != int64(people) {
		t.Fatalf("%d responses for %d people", n, people)
	}
}

// Many people submitting and changing their answers at the same moment
// leave running totals that equal a recount of the stored answers, and
// no submission fails on a lock (on PostgreSQL the totals' rows are
// locked in one order by every transaction).
func TestConcurrentChangesKeepTotalsRight(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t, func(d *consultation.Draft) { d.Rules.AllowChange = true })
	ctx := context.Background()
	people := 20
	if testdb.Postgres() {
		people = 100
	}
	single, multi, rank := f.q[consultation.Single], f.q[consultation.Multiple], f.q[consultation.Ranking]
	answers := func(i int) map[int64]consultation.Answer {
		a := f.complete()
		a[single.ID] = consultation.Answer{Options: []int64{single.Options[i%2].ID}}
		a[multi.ID] = consultation.Answer{Options: []int64{multi.Options[i%4].ID, multi.Options[(i+1)%4].ID}}
		a[rank.ID] = consultation.Answer{Options: []int64{rank.Options[i%3].ID, rank.Options[(i+1)%3].ID, rank.Options[(i+2)%3].ID}}
		n := float64(i % 8)
		a[f.q[consultation.Number].ID] = consultation.Answer{Number: &n}
		return a
	}
	var wg sync.WaitGroup
	for p := range people {
		who := f.person(t, p)
		for v := range 4 {
			wg.Go(func() {
				if _, err := f.svc.Save(ctx, f.c.InstrumentID, who, answers(p+v), v != 3); err != nil && apperror.CodeOf(err) != apperror.Conflict {
					t.Errorf("save: %v", err)
				}
			})
		}
	}
	wg.Wait()
	running, err := consultation.Totals(f.db.DB, f.c.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if err := consultation.RecountTallies(f.db.DB, f.c.InstrumentID); err != nil {
		t.Fatal(err)
	}
	recount, err := consultation.Totals(f.db.DB, f.c.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(running) != fmt.Sprint(recount) {
		t.Fatalf("running totals\n%v\nrecount\n%v", running, recount)
	}
	var submitted int64
	testdb.NoError(t, f.db.Model(&consultation.Response{}).Where("status = ?", consultation.StatusSubmitted).Count(&submitted).Error)
	var chosen int64
	for _, r := range recount {
		if r.QuestionID == single.ID && r.Kind == consultation.TallyOption {
			chosen += r.N
		}
	}
	if submitted == 0 || chosen != submitted {
		t.Fatalf("%d submitted responses, single choice counted %d times", submitted, chosen)
	}
}
