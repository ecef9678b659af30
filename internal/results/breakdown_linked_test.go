package results_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// Two single-choice questions everyone answered, split by login means,
// have the same row totals (respondents per means): a total one table
// hides must not be printed by the other (digid A = [3 20], B = [12 11]:
// with A's 3 and 23 hidden and B printing 23, the 3 is 23 − 20).
func TestBreakdownRowTotalsAgreeAcrossQuestions(t *testing.T) {
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	closes := now.Add(time.Hour)
	c, err := svc.Create(ctx, consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{
			{Question: consultation.Question{Kind: consultation.Single, Text: "A?", Required: true}, Options: []string{"a", "b"}},
			{Question: consultation.Question{Kind: consultation.Single, Text: "B?", Required: true}, Options: []string{"a", "b"}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	qa, qb := c.Questions[0], c.Questions[1]
	n := 0
	answer := func(means identity.Means, a, b int) {
		n++
		part := identity.Participant{Subject: fmt.Sprintf("m-%d", n), KeyVersion: 1, Means: means, LoA: midden, CreatedAt: now, LastLoginAt: now}
		if err := db.Create(&part).Error; err != nil {
			t.Fatal(err)
		}
		who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
		if _, err := svc.Save(ctx, c.InstrumentID, who, map[int64]consultation.Answer{
			qa.ID: {Options: []int64{qa.Options[a].ID}}, qb.ID: {Options: []int64{qb.Options[b].ID}}}, true); err != nil {
			t.Fatal(err)
		}
	}
	// digid (23): A = 3 a, 20 b; B = 12 a, 11 b.
	for i := range 23 {
		answer(identity.DigiD, map[bool]int{true: 0, false: 1}[i < 3], map[bool]int{true: 0, false: 1}[i < 12])
	}
	// eherkenning (10): A all a; B 5/5. erased (10): A all b; B 5/5.
	for i := range 10 {
		answer(identity.EHerkenning, 0, map[bool]int{true: 0, false: 1}[i < 5])
		answer(identity.DigiD, 1, map[bool]int{true: 0, false: 1}[i < 5])
		// erased afterwards: the "unknown" group
		if err := db.Exec("UPDATE responses SET participant_id = NULL WHERE respondent = (SELECT respondent FROM responses ORDER BY id DESC LIMIT 1)").Error; err != nil {
			t.Fatal(err)
		}
	}
	res := results.NewService(db)
	o, err := res.Consultation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := res.Breakdowns(ctx, o.Questions, results.ByMeans, 5)
	if err != nil {
		t.Fatal(err)
	}
	A, B := bs[qa.ID], bs[qb.ID]
	total := func(b *results.Breakdown, g string) (int64, bool, bool) {
		for i, x := range b.Groups {
			if x == g {
				return b.Table.Cell(i, len(b.Options)), b.Table.Hidden[i][len(b.Options)], true
			}
		}
		return 0, false, false
	}
	for _, pair := range [][2]*results.Breakdown{{A, B}, {B, A}} {
		x, y := pair[0], pair[1]
		if x.Withheld || y.Withheld {
			continue
		}
		for _, g := range x.Groups {
			nx, hx, _ := total(x, g)
			ny, hy, ok := total(y, g)
			if ok && nx == ny && hx && !hy {
				t.Fatalf("group %q: total %d hidden in one table, printed in the other", g, nx)
			}
		}
	}
	if A.Withheld && B.Withheld {
		t.Fatal("both withheld: the test shows nothing")
	}
}

// Wijken that differ only in case are one wijk, in the breakdown as in the
// representativeness table: "Noord" (3) and "noord" (8) make 11, shown
// once, and no total below the threshold is printed.
func TestBreakdownGroupsIgnoreCase(t *testing.T) {
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	closes := now.Add(time.Hour)
	c, err := svc.Create(ctx, consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{{Question: consultation.Question{Kind: consultation.Single, Text: "A?", Required: true}, Options: []string{"a", "b"}}}})
	if err != nil {
		t.Fatal(err)
	}
	q := c.Questions[0]
	n := 0
	answer := func(wijk string, opt, times int) {
		for range times {
			n++
			part := identity.Participant{Subject: fmt.Sprintf("w-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: midden, Wijk: wijk, CreatedAt: now, LastLoginAt: now}
			if err := db.Create(&part).Error; err != nil {
				t.Fatal(err)
			}
			who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
			if _, err := svc.Save(ctx, c.InstrumentID, who, map[int64]consultation.Answer{q.ID: {Options: []int64{q.Options[opt].ID}}}, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	answer("Noord", 0, 2)
	answer("Noord", 1, 1)
	answer("noord", 0, 4)
	answer("noord", 1, 4)
	answer("Zuid", 0, 5)
	answer("Zuid", 1, 5)
	res := results.NewService(db)
	o, err := res.Consultation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	bs, err := res.Breakdowns(ctx, o.Questions, results.ByWijk, 5)
	if err != nil {
		t.Fatal(err)
	}
	b := bs[q.ID]
	if b.Withheld {
		t.Fatal("withheld")
	}
	if len(b.Groups) != 2 {
		t.Fatalf("groups %q, want Noord and Zuid", b.Groups)
	}
	for i, g := range b.Groups {
		tot := b.Show(i, len(b.Options))
		if v, err := strconv.Atoi(tot); err == nil && v > 0 && v < 5 {
			t.Errorf("wijk %q: total %d shown, below the threshold", g, v)
		}
	}
	if n := b.Table.Cell(0, len(b.Options)); n != 11 {
		t.Fatalf("Noord and noord together: %d, want 11", n)
	}
}
