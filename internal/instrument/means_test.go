package instrument_test

import (
	"slices"
	"testing"
	"time"

	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// The login buttons a page offers are Means: for every combination of
// rules, a means is offered exactly when someone logged in with it (at
// the highest level, a verified adult resident) may take part.
func TestMeansAreTheLoginsEligibleAccepts(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	yes := true
	best := func(m identity.Means) instrument.Person {
		lv := identity.Levels(m)
		return instrument.Person{LoggedIn: true, Means: m, LoA: lv[len(lv)-1], Resident: &yes, AgeBand: "30-44"}
	}
	for _, who := range []string{instrument.WhoAny, instrument.WhoDigiD, instrument.WhoEHerkenning} {
		for _, residents := range []bool{false, true} {
			for _, age := range []int{0, 16} {
				in := instrument.Instrument{Who: who, ResidentsOnly: residents, MinAge: age}
				got := in.Means()
				for _, m := range []identity.Means{identity.DigiD, identity.EHerkenning} {
					ok := instrument.Eligible(&in, project.StatusPublished, best(m), now).OK
					if ok != slices.Contains(got, m) {
						t.Errorf("who %s, residents only %v, min age %d: Means %v, but %s may take part: %v", who, residents, age, got, m, ok)
					}
				}
			}
		}
	}
	anyone := instrument.Instrument{Who: instrument.WhoAny}
	if got := anyone.Means(); !slices.Equal(got, []identity.Means{identity.DigiD, identity.EHerkenning}) {
		t.Errorf("anyone: %v, want DigiD then eHerkenning", got)
	}
}
