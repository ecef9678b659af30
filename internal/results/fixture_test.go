package results_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/results/suppress"
	"inspraak/internal/store"
)

// hid is what a hidden count shows.
const hid = suppress.Mark

// survey is a published questionnaire that participants answer through
// the consultation service, as residents would.
type survey struct {
	t   *testing.T
	db  *store.DB
	svc *consultation.Service
	c   *consultation.Consultation
	now time.Time
	n   int
}

// choice is a choice question for newSurvey.
func choice(kind consultation.Kind, text string, options ...string) consultation.QuestionDraft {
	return consultation.QuestionDraft{Question: consultation.Question{Kind: kind, Text: text}, Options: options}
}

// newSurvey publishes a questionnaire with the questions, open for a day
// (changes to submitted answers allowed when allowChange).
func newSurvey(t *testing.T, db *store.DB, allowChange bool, questions ...consultation.QuestionDraft) *survey {
	t.Helper()
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	s := &survey{t: t, db: db, now: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)}
	s.svc = consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	s.svc.SetClock(func() time.Time { return s.now })
	closes := s.now.Add(24 * time.Hour)
	s.c, err = s.svc.Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true,
		Rules: instrument.Instrument{ClosesAt: &closes, AllowChange: allowChange}, Questions: questions})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// newYesNo is a survey of one question, "Ja of nee?" (option 0 is yes).
func newYesNo(t *testing.T, db *store.DB) *survey {
	return newSurvey(t, db, false, choice(consultation.Single, "Ja of nee?", "Ja", "Nee"))
}

// person is a new participant living in wijk ("": not known) who logged
// in with means.
func (s *survey) person(wijk string, means identity.Means) consultation.Respondent {
	s.t.Helper()
	s.n++
	part := identity.Participant{Subject: fmt.Sprintf("p-%d", s.n), KeyVersion: 1, Means: means, LoA: midden, Wijk: wijk, CreatedAt: s.now, LastLoginAt: s.now}
	if err := s.db.Create(&part).Error; err != nil {
		s.t.Fatal(err)
	}
	return consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
}

// submit saves who's answers as submitted.
func (s *survey) submit(who consultation.Respondent, answers map[int64]consultation.Answer) *consultation.Response {
	s.t.Helper()
	r, err := s.svc.Save(context.Background(), s.c.InstrumentID, who, answers, true)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// choose has times new people from wijk (logged in with DigiD) submit, for
// question i of the survey, option opts[i].
func (s *survey) choose(wijk string, times int, opts ...int) {
	s.t.Helper()
	for range times {
		s.submit(s.person(wijk, identity.DigiD), s.options(opts...))
	}
}

// options is an answer choosing option opts[i] for question i.
func (s *survey) options(opts ...int) map[int64]consultation.Answer {
	answers := map[int64]consultation.Answer{}
	for i, o := range opts {
		q := s.c.Questions[i]
		answers[q.ID] = consultation.Answer{Options: []int64{q.Options[o].ID}}
	}
	return answers
}

// answer is one person from wijk choosing option opt of the first question.
func (s *survey) answer(wijk string, opt int) { s.t.Helper(); s.choose(wijk, 1, opt) }

// breakdowns splits every question of the survey by a dimension, with
// the default threshold, as the results page does.
func (s *survey) breakdowns(res *results.Service, by string) map[int64]*results.Breakdown {
	s.t.Helper()
	ctx := context.Background()
	o, err := res.Consultation(ctx, s.c)
	if err != nil {
		s.t.Fatal(err)
	}
	bs, err := res.Breakdowns(ctx, o.Questions, by, results.MinCell)
	if err != nil {
		s.t.Fatal(err)
	}
	return bs
}
