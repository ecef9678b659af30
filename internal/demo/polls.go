package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
)

// hourWeights is when people take part, by hour of the day: a little in
// the morning, at lunch, and most in the evening.
var hourWeights = []float64{1, 0.3, 0, 0, 0, 0, 0.5, 2, 4, 4, 4, 4, 6, 5, 4, 4, 5, 5, 5, 8, 10, 9, 5, 2}

// spread returns n moments between fromDays and toDays days ago (toDays
// at least 1, so never later than last night), oldest first: many in the
// first days after the start, then fewer, with a second wave around
// waveDays ago (a letter or a newspaper article) when waveDays > 0.
func spread(rng *rand.Rand, n, fromDays, toDays, waveDays int, now time.Time) []time.Time {
	var w []float64
	for d := fromDays; d >= toDays; d-- {
		since := float64(fromDays - d)
		x := 1.0 + 6.0/(1+since)
		if waveDays > 0 && d <= waveDays && d > waveDays-4 {
			x += 4.0 / float64(1+waveDays-d)
		}
		w = append(w, x)
	}
	out := make([]time.Time, n)
	for i := range out {
		d := fromDays - weighted(rng, w)
		h := weighted(rng, hourWeights)
		out[i] = day(now, -d).Add(time.Duration(h)*time.Hour + time.Duration(rng.IntN(3600))*time.Second).UTC()
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// seedPolls adds a poll to two projects, voted on by the demo people over
// the days each was open, through a copy of the poll service whose clock
// walks through those days.
func seedPolls(ctx context.Context, polls *poll.Service, people []person, ids map[string]int64, now time.Time) error {
	var at time.Time
	svc := polls.WithClock(func() time.Time { return at })
	rng := rand.New(rand.NewPCG(16, 2))

	at = day(now, -8).Add(14 * time.Hour)
	opened := day(now, -7)
	school, err := svc.Create(ctx, seedActor, poll.Draft{
		ProjectID: ids["veilig-naar-school"], Slug: "welke-plek-eerst", Title: "Welke plek pakken we als eerste aan?",
		Description: "Kies de plek waar u zich op de fiets het minst veilig voelt.",
		Question:    "Welke plek moet als eerste veiliger worden?",
		Options:     []string{"Kruising Schoolstraat en Kerkweg", "Rotonde bij de sporthal", "Oversteek bij de supermarkt", "Fietspad langs de Molenbeek"},
		Published:   true, ResultsVisibility: poll.ShowAfterVote,
		Rules: instrument.Instrument{Who: instrument.WhoDigiD, OpensAt: &opened, ClosesAt: closesAt(now, 21), AllowChange: true,
			MinLoADigiD: identity.Levels(identity.DigiD)[0]},
	})
	if err != nil {
		return fmt.Errorf("demo: poll: %w", err)
	}
	at = day(now, -21).Add(15 * time.Hour)
	marketOpens := day(now, -20)
	market, err := svc.Create(ctx, seedActor, poll.Draft{
		ProjectID: ids["herinrichting-marktplein"], Slug: "wat-wilt-u-op-het-plein", Title: "Wat wilt u vooral op het plein?",
		Question: "Wat vindt u het belangrijkst op het nieuwe Marktplein?",
		Options:  []string{"Meer bomen en groen", "Meer plekken om te zitten", "Ruimte voor evenementen", "Parkeerplaatsen", "Een speelplek"},
		Multiple: true, MaxChoices: 2, Published: true, ResultsVisibility: poll.ShowAfterClose,
		Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &marketOpens, ClosesAt: closesAt(now, 25)},
	})
	if err != nil {
		return fmt.Errorf("demo: poll: %w", err)
	}

	// Parents of school children vote most on the school routes; people
	// from Zuid know the path along the Molenbeek, people from Noord the
	// crossing by the school.
	turnout := map[string]float64{"16-17": 0.9, "18-29": 0.35, "30-44": 0.8, "45-64": 0.5, "65-74": 0.3, "75+": 0.2}
	var voters []person
	for _, p := range people {
		if !p.business() && rng.Float64() < turnout[p.AgeBand] {
			voters = append(voters, p)
		}
	}
	rng.Shuffle(len(voters), func(i, j int) { voters[i], voters[j] = voters[j], voters[i] })
	for i, at0 := range spread(rng, len(voters), 7, 1, 0, now) {
		p := voters[i]
		w := []float64{34, 26, 24, 14}
		switch p.Wijk {
		case "Noord":
			w[0] += 14
		case "Zuid":
			w[3] += 18
		}
		at = at0
		choice := []int64{school.Options[weighted(rng, w)].ID}
		if _, err := svc.Vote(ctx, school.InstrumentID, poll.Voter{ParticipantID: p.ID, Subject: p.Subject, Person: p.respondent()}, choice); err != nil {
			return fmt.Errorf("demo: vote: %w", err)
		}
	}

	// The Marktplein poll: anyone logged in, one or two choices.
	voters = voters[:0]
	for _, p := range people {
		if rng.Float64() < 0.62 {
			voters = append(voters, p)
		}
	}
	rng.Shuffle(len(voters), func(i, j int) { voters[i], voters[j] = voters[j], voters[i] })
	for i, at0 := range spread(rng, len(voters), 20, 1, 10, now) {
		p := voters[i]
		w := []float64{38, 28, 18, 14, 12}
		switch {
		case p.business():
			w = []float64{10, 12, 30, 40, 4}
		case p.AgeBand == "65-74" || p.AgeBand == "75+":
			w[1] += 20
			w[3] += 8
		case p.AgeBand == "30-44":
			w[4] += 16
		case p.AgeBand == "18-29" || p.AgeBand == "16-17":
			w[2] += 16
		}
		first := weighted(rng, w)
		choice := []int64{market.Options[first].ID}
		if rng.Float64() < 0.7 {
			w[first] = 0
			choice = append(choice, market.Options[weighted(rng, w)].ID)
		}
		at = at0
		if _, err := svc.Vote(ctx, market.InstrumentID, poll.Voter{ParticipantID: p.ID, Subject: p.Subject, Person: p.respondent()}, choice); err != nil {
			return fmt.Errorf("demo: vote: %w", err)
		}
	}
	return nil
}

// closesAt is 23:59 local time n days from now: "open tot 19 december
// 23:59" reads better than a midnight that belongs to the next day.
func closesAt(now time.Time, n int) *time.Time {
	t := day(now, n).Add(23*time.Hour + 59*time.Minute)
	return &t
}
