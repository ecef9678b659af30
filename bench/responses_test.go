package bench

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// BenchmarkProjectPageWithResponses compares a project page whose
// questionnaire has no responses with one that has 10,000: the page must
// not get slower as participation grows.
//
//	go test ./bench -run '^$' -bench ProjectPageWithResponses -benchtime 2000x
func BenchmarkProjectPageWithResponses(b *testing.B) {
	a := newApp(b)
	ctx := context.Background()
	h := a.Handler()
	now := time.Now()
	mk := func(slug string) *consultation.Consultation {
		p, err := a.Projects.Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: slug, Title: "Vragenlijst " + slug, Summary: "Een project om te meten."})
		if err != nil {
			b.Fatal(err)
		}
		if err := a.Projects.Move(ctx, identity.SystemActor("bench"), p.ID, project.StatusPublished); err != nil {
			b.Fatal(err)
		}
		closes := now.Add(24 * time.Hour)
		c, err := a.Consultations.Create(ctx, identity.SystemActor("bench"), consultation.Draft{ProjectID: p.ID, Slug: "vragen", Title: "Vragen", Published: true,
			Rules: instrument.Instrument{ClosesAt: &closes},
			Questions: []consultation.QuestionDraft{{Question: consultation.Question{Kind: consultation.Single, Text: "Ja of nee?", Required: true},
				Options: []string{"Ja", "Nee"}}}})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	mk("leeg")
	full := mk("vol")
	const n = 10000
	q := full.Questions[0]
	err := a.DB.Transaction(func(tx *gorm.DB) error {
		for i := 0; i < n; i++ {
			p := identity.Participant{Subject: fmt.Sprintf("bench-%d", i), KeyVersion: 1, Means: identity.DigiD, LoA: "x", CreatedAt: now, LastLoginAt: now}
			if err := tx.Create(&p).Error; err != nil {
				return err
			}
			pid := p.ID
			r := consultation.Response{InstrumentID: full.InstrumentID, ParticipantID: &pid,
				Status: consultation.StatusSubmitted, Reference: fmt.Sprintf("INS-%08d", i), CreatedAt: now, UpdatedAt: now, SubmittedAt: &now}
			if err := tx.Create(&r).Error; err != nil {
				return err
			}
			if err := tx.Create(&consultation.AnswerOption{ResponseID: r.ID, QuestionID: q.ID, OptionID: q.Options[i%2].ID, Rank: 1}).Error; err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, slug := range []string{"leeg", "vol"} {
		b.Run(slug, func(b *testing.B) {
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, "/projecten/"+slug, nil)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
