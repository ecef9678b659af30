// Package resultstest makes a questionnaire with submitted responses for
// the tests of the analysts' pages (results, breakdowns, exports, the PDF
// report): every kind of question, explanations between them (so a
// question's place in the list is not its number), and respondents with a
// wijk and an age group, enough of them that a breakdown shows real
// figures next to suppressed ones. Its own project, so it does not depend
// on the demo content.
package resultstest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// Survey is what Seed made.
type Survey struct {
	ProjectID, InstrumentID int64
	// ProjectSlug and Slug address it: /projecten/<ProjectSlug>/<Slug>.
	ProjectSlug, Slug string
	Title             string
	Consultation      *consultation.Consultation
	// Submitted is the number of submitted responses.
	Submitted int
}

// The questions, in order. The numbers residents see skip the two
// explanations: Single is "Vraag 1", Number "Vraag 4", Open "Vraag 6".
const (
	TextSingle   = "Welk ontwerp heeft uw voorkeur?"
	TextMultiple = "Wat mist u nu op het plein?"
	TextScale    = "Hoe tevreden bent u over het plein?"
	TextNumber   = "Hoeveel minuten loopt u naar het plein?"
	TextRanking  = "Zet deze wensen op volgorde"
	TextOpen     = "Wat wilt u ons nog meegeven?"
	ScaleMin     = "heel ontevreden"
	ScaleMax     = "heel tevreden"
)

// Wijken and AgeBands are the groups of the respondents, with "" (not
// known) among them.
var (
	Wijken   = []string{"Centrum", "Noord", "Oost", ""}
	AgeBands = []string{"18-29", "30-44", "45-64", "65-74", ""}
)

// Seed makes the project (published), the questionnaire (open for a
// month) and people submitted responses through the consultation service
// as residents do. The same seed gives the same answers.
func Seed(ctx context.Context, db *gorm.DB, projects *project.Service, cons *consultation.Service, slug string, people int) (*Survey, error) {
	sys := identity.SystemActor("resultstest")
	p, err := projects.Create(ctx, sys, project.Draft{Slug: slug, Title: "Analyse van het plein", Summary: "Een vragenlijst om de uitkomsten te testen."})
	if err != nil {
		return nil, err
	}
	if err := db.WithContext(ctx).Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		return nil, err
	}
	q := func(k consultation.Kind, text string, opts ...string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text}, Options: opts}
	}
	multi := q(consultation.Multiple, TextMultiple, "Bomen", "Bankjes", "Speelplek")
	multi.MaxChoices = 3
	scale := q(consultation.Scale, TextScale)
	scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, ScaleMin, ScaleMax
	num := q(consultation.Number, TextNumber)
	lo, hi := 0.0, 120.0
	num.NumberMin, num.NumberMax = &lo, &hi
	closes := time.Now().Add(30 * 24 * time.Hour)
	title := "Vragenlijst voor de analyse"
	c, err := cons.Create(ctx, sys, consultation.Draft{ProjectID: p.ID, Slug: "analyse", Title: title, Published: true,
		Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{
			q(consultation.Explanation, "Eerst wat uitleg over het plein."),
			q(consultation.Single, TextSingle, "Ontwerp A: veel groen", "Ontwerp B: ruimte voor de markt"),
			multi, scale,
			q(consultation.Explanation, "Nu nog drie vragen."),
			num,
			q(consultation.Ranking, TextRanking, "Groen", "Parkeren", "Evenementen"),
			q(consultation.LongText, TextOpen),
		}})
	if err != nil {
		return nil, err
	}
	qs := c.Questions
	single, multiple, sc, number, ranking, open := qs[1], qs[2], qs[3], qs[5], qs[6], qs[7]
	rng := rand.New(rand.NewPCG(16, uint64(len(slug))))
	loa := identity.Levels(identity.DigiD)[1]
	remarks := []string{"Meer schaduw bij de bankjes, graag.", "Laat de markt op zaterdag blijven.", "Een watertappunt voor kinderen.",
		"Fietsenrekken aan de kant van de kerk.", ""}
	for i := range people {
		// Centrum and Noord are large, Oost smaller, a few not known;
		// ages lean older, as they do in participation.
		wijk := Wijken[pick(rng, []int{6, 5, 3, 1})]
		band := AgeBands[pick(rng, []int{3, 5, 6, 4, 1})]
		part := identity.Participant{Subject: fmt.Sprintf("%s-%d", slug, i), KeyVersion: 1, Means: identity.DigiD, LoA: loa,
			Wijk: wijk, AgeBand: band, CreatedAt: time.Now(), LastLoginAt: time.Now()}
		if err := db.WithContext(ctx).Create(&part).Error; err != nil {
			return nil, err
		}
		who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject,
			Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loa}}
		// Centrum prefers design A, Noord design B: a difference a
		// breakdown should show.
		a := pick(rng, []int{3, 2})
		if wijk == "Noord" {
			a = pick(rng, []int{1, 3})
		}
		answers := map[int64]consultation.Answer{
			single.ID: {Options: []int64{single.Options[a].ID}},
			sc.ID:     {Number: f64(float64(1 + pick(rng, []int{1, 2, 4, 6, 3})))},
		}
		var chosen []int64
		for j, o := range multiple.Options {
			if rng.IntN(3) > 0 || j == 0 && len(chosen) == 0 && rng.IntN(2) == 0 {
				chosen = append(chosen, o.ID)
			}
		}
		if len(chosen) > 0 {
			answers[multiple.ID] = consultation.Answer{Options: chosen}
		}
		if rng.IntN(6) > 0 {
			answers[number.ID] = consultation.Answer{Number: f64(float64(2 + rng.IntN(40)))}
		}
		order := rng.Perm(len(ranking.Options))
		if wijk == "Centrum" && rng.IntN(3) > 0 {
			order = []int{0, 2, 1}
		}
		var ranked []int64
		for _, j := range order {
			ranked = append(ranked, ranking.Options[j].ID)
		}
		answers[ranking.ID] = consultation.Answer{Options: ranked}
		if r := remarks[rng.IntN(len(remarks))]; r != "" {
			answers[open.ID] = consultation.Answer{Text: r}
		}
		if _, err := cons.Save(ctx, c.InstrumentID, who, answers, true); err != nil {
			return nil, fmt.Errorf("respondent %d: %w", i, err)
		}
	}
	return &Survey{ProjectID: p.ID, InstrumentID: c.InstrumentID, ProjectSlug: slug, Slug: "analyse", Title: title,
		Consultation: c, Submitted: people}, nil
}

// pick draws an index with the given weights.
func pick(rng *rand.Rand, weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func f64(f float64) *float64 { return &f }
