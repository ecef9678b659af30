package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/results"
	"inspraak/internal/store"
)

// The demo's participants are made up: their subjects are labels, not
// HMACs of anything, and their names are first names nobody is. The
// residents carry what the BRP check at a DigiD login stores
// (INSPRAAK_VERIFICATION=brp): that they live in the municipality, their
// wijk and their age band. The results page reads exactly those columns
// for its breakdowns, as it would for real participants.

// Wijken of the demo municipality and their share of its inhabitants in
// percent, as an administrator uploads them (/beheer/resultaten/bevolking).
var demoWijken = []struct {
	Name  string
	Share float64
}{{"Centrum", 14}, {"De Brink", 18}, {"Noord", 24}, {"Vogelbuurt", 13}, {"Zuid", 23}, {"Buitengebied", 8}}

// Inhabitants of 16 and over per age band in percent (identity.AgeBands
// without 0-15: younger people cannot log in with DigiD, so they are left
// out of the comparison).
var demoAgeShares = map[string]float64{"16-17": 2.5, "18-29": 17, "30-44": 21, "45-64": 32, "65-74": 15, "75+": 12.5}

// How many demo people there are. The first demoActorCount are the ones
// the idea boards and moderation use, by index.
const (
	demoActorCount = 24
	demoResidents  = 160
	demoBusinesses = 5
)

var firstNames = []string{"Anouk", "Bram", "Fatima", "Henk", "Sanne", "Mohamed", "Ingrid", "Joris", "Esra", "Pieter",
	"Lotte", "Kees", "Yara", "Ruud", "Mirjam", "Daan", "Noor", "Gerrit", "Samira", "Tim", "Els", "Jeroen", "Aylin", "Wim"}

var businessNames = []string{"Bakkerij aan het plein", "Kaashandel (marktkraam)", "Café De Markt", "Bloemenkraam", "Boekhandel Centrum"}

// person is a demo participant and what a login session would know.
type person struct {
	identity.Participant
}

func (p person) respondent() instrument.Person {
	return instrument.Person{LoggedIn: true, Means: p.Means, LoA: p.LoA, Resident: p.Resident, AgeBand: p.AgeBand}
}

func (p person) business() bool { return p.Means == identity.EHerkenning }

// weighted draws an index with probability proportional to its weight.
func weighted(rng *rand.Rand, w []float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	r := rng.Float64() * sum
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}

// seedPeople adds the demo participants in one statement: residents whose
// wijk and age follow who usually takes part (more people of 45 and over,
// more from near the Marktplein than the population figures say), and a
// few businesses logged in with eHerkenning, of whom no wijk or age is
// known. The first demoActorCount keep the subjects the idea boards use.
func seedPeople(ctx context.Context, db *store.DB, now time.Time) ([]person, error) {
	rng := rand.New(rand.NewPCG(16, 1))
	since := day(now, -61).Add(10 * time.Hour)
	yes := true
	// Who takes part leans to the wijk of the project and to older people.
	wijkWeights := []float64{27, 17, 22, 13, 17, 4}
	ageWeights := []float64{0, 2, 13, 22, 35, 17, 11}
	out := make([]person, 0, demoResidents+demoBusinesses)
	for i := 0; i < demoResidents; i++ {
		subject := fmt.Sprintf("demo-inwoner-%03d", i)
		if i < demoActorCount {
			subject = fmt.Sprintf("demo-deelnemer-%02d", i)
		}
		name := firstNames[i%len(firstNames)]
		if i >= len(firstNames) {
			name = fmt.Sprintf("%s %c.", name, 'A'+rune((i*7)%26))
		}
		verified := since
		p := identity.Participant{Subject: subject, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1], DisplayName: name,
			Resident: &yes, Wijk: demoWijken[weighted(rng, wijkWeights)].Name, AgeBand: identity.AgeBands[weighted(rng, ageWeights)],
			VerifiedAt: &verified, CreatedAt: since, LastLoginAt: since}
		out = append(out, person{p})
	}
	for i := 0; i < demoBusinesses; i++ {
		p := identity.Participant{Subject: fmt.Sprintf("demo-ondernemer-%d", i), Means: identity.EHerkenning,
			LoA: identity.Levels(identity.EHerkenning)[2], DisplayName: businessNames[i%len(businessNames)], CreatedAt: since, LastLoginAt: since}
		out = append(out, person{p})
	}
	rows := make([]identity.Participant, len(out))
	for i := range out {
		rows[i] = out[i].Participant
	}
	if err := db.WithContext(ctx).Create(&rows).Error; err != nil {
		return nil, fmt.Errorf("demo: participants: %w", err)
	}
	for i := range out {
		out[i].Participant = rows[i]
	}
	return out, nil
}

// seedPopulation stores the demo municipality's population figures, so the
// results page compares who took part with who lives there.
func seedPopulation(ctx context.Context, res *results.Service) error {
	var shares []results.PopulationShare
	for _, w := range demoWijken {
		shares = append(shares, results.PopulationShare{Dimension: results.ByWijk, Grp: w.Name, Share: w.Share})
	}
	for _, band := range identity.AgeBands {
		if share, ok := demoAgeShares[band]; ok {
			shares = append(shares, results.PopulationShare{Dimension: results.ByAge, Grp: band, Share: share})
		}
	}
	if err := res.SetPopulation(ctx, seedActor, shares); err != nil {
		return fmt.Errorf("demo: population: %w", err)
	}
	return nil
}
