package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"inspraak/bench/internal/benchdata"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// BenchmarkSubmitResponse times consultation.Save submitting one
// response of 10 answered questions (the export benchmark's
// questionnaire: single and multiple choice, scales, a number, a ranking,
// an open answer), one at a time, each by a new participant: the price
// of a submission, including keeping the results' running totals.
//
//	go test ./bench -run '^$' -bench SubmitResponse -benchtime 2000x -count 3
//	INSPRAAK_BENCH_DATABASE_URL=postgres://… go test ./bench -run '^$' -bench SubmitResponse -benchtime 2000x -count 3
func BenchmarkSubmitResponse(b *testing.B) {
	a := newApp(b)
	ctx := context.Background()
	slug := fmt.Sprintf("indienen-%d", time.Now().UnixNano())
	p, err := a.Projects.Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: slug, Title: "Indienen", Summary: "Een project om te meten."})
	if err != nil {
		b.Fatal(err)
	}
	if err := a.Projects.Move(ctx, identity.SystemActor("bench"), p.ID, project.StatusPublished); err != nil {
		b.Fatal(err)
	}
	closes := time.Now().Add(24 * time.Hour)
	c, err := a.Consultations.Create(ctx, identity.SystemActor("bench"), consultation.Draft{ProjectID: p.ID, Slug: "vragen", Title: "Vragen", Published: true,
		Rules:     instrument.Instrument{ClosesAt: &closes},
		Questions: benchdata.Questionnaire()})
	if err != nil {
		b.Fatal(err)
	}
	answers := func(i int) map[int64]consultation.Answer {
		out := map[int64]consultation.Answer{}
		for _, qu := range c.Questions {
			var a consultation.Answer
			opt := func(j int) int64 { return qu.Options[(i+j)%len(qu.Options)].ID }
			switch qu.Kind {
			case consultation.Single:
				a.Options = []int64{opt(0)}
			case consultation.Multiple:
				a.Options = []int64{opt(0), opt(1)}
			case consultation.Ranking:
				for j := range qu.Options {
					a.Options = append(a.Options, opt(j))
				}
			case consultation.Scale:
				v := float64(qu.ScaleMin + i%(qu.ScaleMax-qu.ScaleMin+1))
				a.Number = &v
			case consultation.Number:
				v := float64(i % 60)
				a.Number = &v
			case consultation.LongText:
				a.Text = "Meer groen en minder verkeer in de straat."
			}
			out[qu.ID] = a
		}
		return out
	}
	whos := make([]consultation.Respondent, b.N)
	now := time.Now()
	for i := range whos {
		part := identity.Participant{Subject: fmt.Sprintf("%s-%d", slug, i), KeyVersion: 1, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1], CreatedAt: now, LastLoginAt: now}
		if err := a.DB.Create(&part).Error; err != nil {
			b.Fatal(err)
		}
		whos[i] = consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject,
			Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1]}}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := a.Consultations.Save(ctx, c.InstrumentID, whos[i], answers(i), true); err != nil {
			b.Fatal(err)
		}
	}
}
