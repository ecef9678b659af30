package budget_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"sync/atomic"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var (
	basis  = identity.Levels(identity.DigiD)[0]
	midden = identity.Levels(identity.DigiD)[1]
	editor = identity.Actor{StaffID: 1, Roles: []identity.Role{identity.RoleEditor}}
	system = identity.SystemActor("test")
	key    = []byte("test-key-0123456789-0123456789-01")
)

type fixture struct {
	db      *store.DB
	budgets *budget.Service
	proj    int64
	now     time.Time
	n       atomic.Int64
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Open(t)
	ps := project.NewService(db)
	p, err := ps.Create(context.Background(), system, project.Draft{Slug: "buurt", Title: "Buurtbudget", Summary: "Over de buurt."})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, budgets: budget.NewService(db, key), proj: p.ID, now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	f.budgets.SetClock(func() time.Time { return f.now })
	return f
}

// budget makes a published, open knapsack budget of € 100.000 (one area)
// with three plans of € 40.000, € 35.000 and € 30.000.
func (f *fixture) budget(t *testing.T, edit func(d *budget.Draft)) *budget.Budget {
	t.Helper()
	opens, closes := f.now.Add(-time.Hour), f.now.Add(24*time.Hour)
	d := budget.Draft{ProjectID: f.proj, Slug: fmt.Sprintf("begroting-%d", f.n.Add(1)), Title: "Buurtbudget",
		Published: true, Rules: instrument.Instrument{OpensAt: &opens, ClosesAt: &closes},
		Areas: []budget.AreaInput{{Amount: 100_000_00}}}
	if edit != nil {
		edit(&d)
	}
	b, err := f.budgets.Create(context.Background(), editor, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Areas) == 1 && !b.PerWijk {
		for i, c := range []int64{40_000_00, 35_000_00, 30_000_00} {
			f.plan(t, b, b.Areas[0].ID, fmt.Sprintf("Plan %c", 'A'+i), c)
		}
	}
	return f.get(t, b.InstrumentID)
}

func (f *fixture) plan(t *testing.T, b *budget.Budget, areaID int64, title string, cost int64) *budget.Plan {
	t.Helper()
	p, err := f.budgets.AddPlan(context.Background(), editor, b.InstrumentID, budget.PlanInput{AreaID: areaID, Title: title, Cost: cost})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f *fixture) get(t *testing.T, id int64) *budget.Budget {
	t.Helper()
	b, err := f.budgets.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// online stores a participant and returns them as an online voter of b.
func (f *fixture) online(t *testing.T, b *budget.Budget, loa, wijk string) budget.Voter {
	t.Helper()
	p := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", f.n.Add(1)), KeyVersion: 1, Means: identity.DigiD, LoA: loa,
		CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return budget.Voter{Channel: budget.ChannelOnline, Token: f.budgets.OnlineToken(b.InstrumentID, p.Subject), ParticipantID: p.ID,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loa}, Wijk: wijk}
}

// elector puts a resident on b's uploaded register and returns them as a
// letter-code voter.
func (f *fixture) elector(t *testing.T, b *budget.Budget, wijk string) budget.Voter {
	t.Helper()
	n := f.n.Add(1)
	e := budget.Elector{InstrumentID: b.InstrumentID, Voter: fmt.Sprintf("token-%d", n), Wijk: wijk, CodeLookup: fmt.Sprintf("code-%d", n), LetterNo: int(n)}
	if err := f.db.Create(&e).Error; err != nil {
		t.Fatal(err)
	}
	return budget.Voter{Channel: budget.ChannelCode, Token: e.Voter}
}

// choose is a choice of plans by their place in b's list.
func choose(b *budget.Budget, places ...int) budget.Choice {
	var c budget.Choice
	for _, i := range places {
		c.Lines = append(c.Lines, budget.Line{PlanID: b.Plans[i].ID, Points: 1})
	}
	return c
}

func code(err error) apperror.Code {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

func keyOf(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Key
	}
	return ""
}

func fieldOf(err error, field string) string {
	if e, ok := apperror.As(err); ok {
		return e.Fields[field]
	}
	return ""
}

// ballots counts the budget's ballots and ballot lines.
func (f *fixture) ballots(t *testing.T, id int64) (int64, int64) {
	t.Helper()
	var n, lines int64
	testdb.NoError(t, f.db.Model(&budget.Ballot{}).Where("instrument_id = ?", id).Count(&n).Error)
	testdb.NoError(t, f.db.Model(&budget.BallotPlan{}).Where("ballot_id IN (?)",
		f.db.Model(&budget.Ballot{}).Select("id").Where("instrument_id = ?", id)).Count(&lines).Error)
	return n, lines
}

// registered counts the budget's rows in the voter register.
func (f *fixture) registered(t *testing.T, id int64) int64 {
	t.Helper()
	var n int64
	testdb.NoError(t, f.db.Table("participations").Where("kind = 'ballot' AND ref_id = ?", id).Count(&n).Error)
	return n
}

// checkTally fails unless the kept tally equals a recount of the ballots,
// and returns it.
func (f *fixture) checkTally(t *testing.T, id int64) budget.Counts {
	t.Helper()
	ctx := context.Background()
	kept, err := f.budgets.Tallies(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	re, err := f.budgets.Recount(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(kept) != fmt.Sprint(re) {
		t.Fatalf("tally %v, recount %v", kept, re)
	}
	return kept
}

// audits counts audit records of an action on an instrument.
func (f *fixture) audits(t *testing.T, action string, id int64) int64 {
	t.Helper()
	var n int64
	testdb.NoError(t, f.db.Table("audit_log").Where("action = ? AND target = ?", action, instrument.Target(id)).Count(&n).Error)
	return n
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// board makes an idea board in project proj with ideas of the given titles
// (approved) and returns the ideas.
func (f *fixture) board(t *testing.T, proj int64, titles ...string) []idea.Idea {
	t.Helper()
	ideas := idea.NewService(f.db, key)
	bd, err := ideas.CreateBoard(context.Background(), system, idea.BoardDraft{ProjectID: proj, Slug: fmt.Sprintf("ideeen-%d", f.n.Add(1)),
		Title: "Ideeën", Published: true, Themes: []string{"Groen"}})
	if err != nil {
		t.Fatal(err)
	}
	var themes []idea.Theme
	testdb.NoError(t, f.db.Where("instrument_id = ?", bd.InstrumentID).Find(&themes).Error)
	var out []idea.Idea
	for _, title := range titles {
		i := idea.Idea{InstrumentID: bd.InstrumentID, Title: title, Description: "Eerste alinea over " + title + ".\nMeer tekst.",
			ThemeID: &themes[0].ID, Moderation: idea.Approved, Status: idea.StatusNew, CreatedAt: f.now, UpdatedAt: f.now}
		if err := f.db.Create(&i).Error; err != nil {
			t.Fatal(err)
		}
		out = append(out, i)
	}
	return out
}
