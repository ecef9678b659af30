package poll_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
)

func key(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Key
	}
	return ""
}

func field(err error, name string) string {
	if e, ok := apperror.As(err); ok {
		return e.Fields[name]
	}
	return ""
}

func (f *fixture) labels(t *testing.T, id int64) []string {
	t.Helper()
	p, err := f.polls.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range p.Options {
		out = append(out, o.Label)
	}
	return out
}

func (f *fixture) updatedAt(t *testing.T, id int64) time.Time {
	t.Helper()
	var in instrument.Instrument
	if err := f.db.Where("id = ?", id).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	return in.UpdatedAt.UTC()
}

func TestAnOptionSomeoneChoseCannotBeRemoved(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Options = append(d.Options, "Brug over de Maas") })
	o := p.Options
	if _, err := f.polls.Vote(ctx, p.InstrumentID, f.participant(t, 1, midden), []int64{o[0].ID}); err != nil {
		t.Fatal(err)
	}
	_, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, o[0].ID)
	if code(err) != apperror.Conflict || key(err) != "poll.error.option_has_votes" {
		t.Fatalf("remove a chosen option: %v", err)
	}
	if got := f.labels(t, p.InstrumentID); len(got) != 4 {
		t.Fatalf("options after a refused removal: %v", got)
	}
	// Nobody chose the second: it goes, and its tally rows with it.
	removed, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, o[1].ID)
	if err != nil || removed.Label != "Schoolstraat" {
		t.Fatalf("remove an unchosen option: %+v %v", removed, err)
	}
	if got := f.labels(t, p.InstrumentID); !slices.Equal(got, []string{"Kruising Markt", "Rotonde Noord", "Brug over de Maas"}) {
		t.Fatalf("options: %v", got)
	}
	f.checkTally(t, p)
	// An option of another poll is not found through this one.
	other := f.poll(t, nil)
	if _, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, other.Options[0].ID); code(err) != apperror.NotFound {
		t.Fatalf("option of another poll: %v", err)
	}
	// A poll keeps two options.
	if _, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, o[3].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, o[2].ID); key(err) != "poll.error.keep_two_options" {
		t.Fatalf("remove down to one option: %v", err)
	}
}

// A vote for an option that commits while the option is being removed:
// the removal is refused with the same message, whether it saw the vote
// in its count (SQLite: transactions take turns) or only the foreign key
// stopped it (PostgreSQL: the delete waits for the vote, then fails).
func TestRemovalRacingAVoteForTheOptionIsRefused(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	v := f.participant(t, 1, midden)
	target := p.Options[2]

	tx := f.db.Begin()
	b := poll.Ballot{InstrumentID: p.InstrumentID, ParticipantID: &v.ParticipantID, CreatedAt: f.now, UpdatedAt: f.now}
	if err := tx.Create(&b).Error; err != nil {
		t.Fatal(err)
	}
	if err := tx.Create(&poll.Choice{BallotID: b.ID, OptionID: target.ID}).Error; err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, target.ID)
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // let the removal reach its delete
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	err := <-done
	if code(err) != apperror.Conflict || key(err) != "poll.error.option_has_votes" {
		t.Fatalf("removal racing a vote: %v", err)
	}
	if got := f.labels(t, p.InstrumentID); len(got) != 3 {
		t.Fatalf("options: %v", got)
	}
}

func TestSingleOrMultipleIsFixedOnceThereAreBallots(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	// Before any ballot everything may change.
	ch, err := f.polls.SetChoice(ctx, identity.SystemActor("test"), p.InstrumentID, poll.ChoiceSettings{Multiple: true, MaxChoices: 2, ResultsVisibility: poll.ShowAfterVote})
	if err != nil || ch.From.Multiple || !ch.To.Multiple || ch.To.MaxChoices != 2 {
		t.Fatalf("to multiple: %+v %v", ch, err)
	}
	if _, err := f.polls.Vote(ctx, p.InstrumentID, f.participant(t, 1, midden), []int64{p.Options[0].ID, p.Options[1].ID}); err != nil {
		t.Fatal(err)
	}
	for name, cs := range map[string]poll.ChoiceSettings{
		"multiple": {Multiple: false, ResultsVisibility: poll.ShowAfterVote},
		// 1 is lower than 2; so is "all three"? No: 0 means all, which is higher.
		"max_choices": {Multiple: true, MaxChoices: 1, ResultsVisibility: poll.ShowNever},
	} {
		_, err := f.polls.SetChoice(ctx, identity.SystemActor("test"), p.InstrumentID, cs)
		if code(err) != apperror.Conflict || field(err, name) == "" {
			t.Fatalf("%s after a ballot: %v", name, err)
		}
	}
	got, _ := f.polls.Get(ctx, p.InstrumentID)
	if !got.Multiple || got.MaxChoices != 2 || got.ResultsVisibility != poll.ShowAfterVote {
		t.Fatalf("a refused change changed something: %+v", got)
	}
	// A higher maximum and another visibility are fine.
	ch, err = f.polls.SetChoice(ctx, identity.SystemActor("test"), p.InstrumentID, poll.ChoiceSettings{Multiple: true, MaxChoices: 0, ResultsVisibility: poll.ShowAfterClose})
	if err != nil || ch.To.MaxChoices != 3 || ch.From.MaxChoices != 2 {
		t.Fatalf("raise the maximum: %+v %v", ch, err)
	}
	got, _ = f.polls.Get(ctx, p.InstrumentID)
	if got.MaxChoices != 3 || got.ResultsVisibility != poll.ShowAfterClose {
		t.Fatalf("after raising: %+v", got)
	}
	if _, err := f.polls.SetChoice(ctx, identity.SystemActor("test"), p.InstrumentID, poll.ChoiceSettings{Multiple: true, ResultsVisibility: "altijd"}); field(err, "results_visibility") == "" {
		t.Fatalf("unknown visibility: %v", err)
	}
}

func TestWordingMayAlwaysChangeAndSaysWhatItWas(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	v := f.participant(t, 1, midden)
	if _, err := f.polls.Vote(ctx, p.InstrumentID, v, []int64{p.Options[0].ID}); err != nil {
		t.Fatal(err)
	}
	ch, err := f.polls.Reword(ctx, identity.SystemActor("test"), p.InstrumentID, "  Welke plek moet als eerste veiliger worden?  ")
	if err != nil || ch.From != "Welke plek moet als eerste veiliger?" || ch.To != "Welke plek moet als eerste veiliger worden?" {
		t.Fatalf("reword: %+v %v", ch, err)
	}
	lc, err := f.polls.RelabelOption(ctx, identity.SystemActor("test"), p.InstrumentID, p.Options[0].ID, "Kruising bij de Markt")
	if err != nil || lc.From != "Kruising Markt" || lc.To != "Kruising bij de Markt" {
		t.Fatalf("relabel: %+v %v", lc, err)
	}
	got, _ := f.polls.Get(ctx, p.InstrumentID)
	if got.Question != "Welke plek moet als eerste veiliger worden?" || got.Options[0].Label != "Kruising bij de Markt" {
		t.Fatalf("after rewording: %q %q", got.Question, got.Options[0].Label)
	}
	// The vote stays with the option, whatever it is called now.
	if mine, _, _ := f.polls.BallotOf(ctx, p.InstrumentID, v.ParticipantID, v.Subject); !slices.Equal(mine, []int64{p.Options[0].ID}) {
		t.Fatalf("ballot after relabel: %v", mine)
	}
	for _, err := range []error{
		func() error {
			_, err := f.polls.Reword(ctx, identity.SystemActor("test"), p.InstrumentID, "   ")
			return err
		}(),
		func() error {
			_, err := f.polls.RelabelOption(ctx, identity.SystemActor("test"), p.InstrumentID, p.Options[1].ID, "")
			return err
		}(),
		func() error {
			_, err := f.polls.AddOption(ctx, identity.SystemActor("test"), p.InstrumentID, string(make([]byte, 201)))
			return err
		}(),
	} {
		if code(err) != apperror.Invalid {
			t.Errorf("empty or long wording: %v", err)
		}
	}
	other := f.poll(t, nil)
	if _, err := f.polls.RelabelOption(ctx, identity.SystemActor("test"), p.InstrumentID, other.Options[0].ID, "Elders"); code(err) != apperror.NotFound {
		t.Fatalf("relabel another poll's option: %v", err)
	}
}

func TestAddedOptionsGoAtTheEnd(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, nil)
	if _, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), p.InstrumentID, p.Options[2].ID); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"Brug", "Haven"} {
		if _, err := f.polls.AddOption(ctx, identity.SystemActor("test"), p.InstrumentID, l); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.labels(t, p.InstrumentID); !slices.Equal(got, []string{"Kruising Markt", "Schoolstraat", "Brug", "Haven"}) {
		t.Fatalf("options: %v", got)
	}
	// Voting for a new option works and is counted.
	got, _ := f.polls.Get(ctx, p.InstrumentID)
	if _, err := f.polls.Vote(ctx, p.InstrumentID, f.participant(t, 1, midden), []int64{got.Options[3].ID}); err != nil {
		t.Fatal(err)
	}
	f.checkTally(t, got)
	for len(got.Options) < poll.MaxOptions {
		o, err := f.polls.AddOption(ctx, identity.SystemActor("test"), p.InstrumentID, "Nog een plek")
		if err != nil {
			t.Fatal(err)
		}
		got.Options = append(got.Options, *o)
	}
	if _, err := f.polls.AddOption(ctx, identity.SystemActor("test"), p.InstrumentID, "Eén te veel"); field(err, "label") != "poll.error.too_many_options" {
		t.Fatalf("option %d: %v", poll.MaxOptions+1, err)
	}
}

// The vote path caches a poll's definition by instruments.updated_at, so
// an edit that does not move it leaves voters on the old definition. Every
// edit method in edit.go must be in this table (checked by reading the
// file), must move updated_at to the clock's time, and a refused edit must
// leave it alone.
func TestEveryPollEditMovesUpdatedAt(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	p := f.poll(t, func(d *poll.Draft) { d.Options = append(d.Options, "Vierde", "Vijfde") })
	o := p.Options
	id := p.InstrumentID
	removed := 0
	type edit struct {
		ok      func() error
		refused func() error
		field   string // the form field the refusal names ("": none)
		why     string // the message key it gives there (or its own key)
	}
	edits := map[string]edit{
		"Reword": {
			ok: func() error {
				_, err := f.polls.Reword(ctx, identity.SystemActor("test"), id, "Welke plek eerst?")
				return err
			},
			refused: func() error { _, err := f.polls.Reword(ctx, identity.SystemActor("test"), id, ""); return err },
			field:   "question", why: "poll.error.question_required",
		},
		"RelabelOption": {
			ok: func() error {
				_, err := f.polls.RelabelOption(ctx, identity.SystemActor("test"), id, o[1].ID, "Schoolstraat-Zuid")
				return err
			},
			refused: func() error {
				_, err := f.polls.RelabelOption(ctx, identity.SystemActor("test"), id, o[1].ID, " ")
				return err
			},
			field: "label", why: "poll.error.option_required",
		},
		"AddOption": {
			ok: func() error { _, err := f.polls.AddOption(ctx, identity.SystemActor("test"), id, "Zesde"); return err },
			refused: func() error {
				_, err := f.polls.AddOption(ctx, identity.SystemActor("test"), id, string(make([]rune, poll.MaxOptionLabel+1)))
				return err
			},
			field: "label", why: "poll.error.option_too_long",
		},
		"RemoveOption": {
			ok: func() error {
				removed++
				_, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), id, o[5-removed].ID) // the fifth, then the fourth
				return err
			},
			refused: func() error {
				_, err := f.polls.RemoveOption(ctx, identity.SystemActor("test"), id, o[0].ID)
				return err
			}, // chosen below
			why: "poll.error.option_has_votes",
		},
		"SetChoice": {
			ok: func() error {
				_, err := f.polls.SetChoice(ctx, identity.SystemActor("test"), id, poll.ChoiceSettings{Multiple: false, ResultsVisibility: poll.ShowNever})
				return err
			},
			refused: func() error {
				_, err := f.polls.SetChoice(ctx, identity.SystemActor("test"), id, poll.ChoiceSettings{Multiple: true, ResultsVisibility: poll.ShowNever})
				return err
			},
			field: "multiple", why: "poll.error.retype_has_votes",
		},
	}
	readOnly := map[string]bool{"ForEditor": true}
	for _, name := range editMethods(t) {
		if _, ok := edits[name]; !ok && !readOnly[name] {
			t.Errorf("edit.go declares %s, which this test does not check: add it to the table", name)
		}
	}
	if _, err := f.polls.Vote(ctx, id, f.participant(t, 1, midden), []int64{o[0].ID}); err != nil {
		t.Fatal(err)
	}
	for name, e := range edits {
		before := f.updatedAt(t, id)
		f.now = f.now.Add(time.Minute)
		err := e.refused()
		if err == nil {
			t.Fatalf("%s: the refused case was accepted", name)
		}
		why := field(err, e.field)
		if e.field == "" {
			why = key(err)
		}
		if why != e.why {
			t.Fatalf("%s: refused for another reason: %v, want %q", name, err, e.why)
		}
		if got := f.updatedAt(t, id); !got.Equal(before) {
			t.Errorf("%s refused: updated_at moved from %s to %s", name, before, got)
		}
		if err := e.ok(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := f.updatedAt(t, id); !got.Equal(f.now) {
			t.Errorf("%s: updated_at is %s, want %s", name, got, f.now)
		}
		// Again without the clock moving: still a new value.
		mid := f.updatedAt(t, id)
		if err := e.ok(); err != nil {
			t.Fatalf("%s again: %v", name, err)
		}
		if got := f.updatedAt(t, id); !got.After(mid) {
			t.Errorf("%s in the same instant: updated_at stayed %s", name, got)
		}
	}
}

// editMethods lists the exported methods of *Service declared in edit.go.
func editMethods(t *testing.T) []string {
	t.Helper()
	file, err := parser.ParseFile(token.NewFileSet(), "edit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || !fn.Name.IsExported() {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); ok {
			if id, ok := star.X.(*ast.Ident); ok && id.Name == "Service" {
				out = append(out, fn.Name.Name)
			}
		}
	}
	if len(out) < 5 {
		t.Fatalf("found only %v in edit.go", out)
	}
	return out
}
