// Package demo fills an empty development database with realistic Dutch
// content, so the first run of `go run ./cmd/inspraak` shows a living site.
// It runs once per database: a setting records that it did, so deleting
// the demo projects does not bring them back.
package demo

import (
	"context"
	"fmt"
	"time"

	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/moderation"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/setting"
	"inspraak/internal/store"
)

// seedActor makes the demo content through the staff services, which
// record it in the audit log as the demo's doing.
var seedActor = identity.SystemActor("demo")

// SeededKey is the setting that records the seeding.
const SeededKey = "demo.seeded_at"

// Seed adds the demo projects if the database has never been seeded and
// holds no projects. It reports whether it did anything. staffIssuer is
// the issuer of the staff login provider: the demo editor who answers the
// demo ideas is a staff member of that provider.
func Seed(ctx context.Context, db *store.DB, projects *project.Service, polls *poll.Service, consultations *consultation.Service,
	ideas *idea.Service, budgets *budget.Service, mod *moderation.Service, settings *setting.Service, staffIssuer string, now time.Time) (bool, error) {
	if _, done, err := settings.Get(ctx, SeededKey); err != nil || done {
		return false, err
	}
	if n, err := projects.CountAll(ctx); err != nil || n > 0 {
		return false, err
	}
	ids := map[string]int64{}
	for _, d := range Projects(now) {
		p, err := projects.Create(ctx, seedActor, d.Draft)
		if err != nil {
			return false, fmt.Errorf("demo: %s: %w", d.Draft.Slug, err)
		}
		for _, to := range d.Path {
			if err := projects.Move(ctx, seedActor, p.ID, to); err != nil {
				return false, fmt.Errorf("demo: %s → %s: %w", d.Draft.Slug, to, err)
			}
		}
		ids[d.Draft.Slug] = p.ID
	}
	people, err := seedPeople(ctx, db, now)
	if err != nil {
		return false, err
	}
	if err := seedPolls(ctx, polls, people, ids, now); err != nil {
		return false, err
	}
	if err := seedConsultation(ctx, consultations, people, ids, now); err != nil {
		return false, err
	}
	if err := seedPopulation(ctx, results.NewService(db)); err != nil {
		return false, err
	}
	if err := seedIdeas(ctx, db, ideas, mod, staffIssuer, ids, now); err != nil {
		return false, err
	}
	if err := seedBudget(ctx, db, budgets, people, ids, now); err != nil {
		return false, err
	}
	return true, settings.Set(ctx, SeededKey, now.UTC().Format(time.RFC3339))
}

// Demo is one demo project and the statuses it moves through.
type Demo struct {
	Draft project.Draft
	Path  []project.Status
}

// day returns local midnight n days from now; endOfDay the last second.
func day(now time.Time, n int) time.Time {
	t := now.In(i18n.Location).AddDate(0, 0, n)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, i18n.Location)
}

func endOfDay(now time.Time, n int) *time.Time {
	t := day(now, n+1).Add(-time.Second)
	return &t
}

var (
	published = []project.Status{project.StatusPublished}
	closed    = []project.Status{project.StatusPublished, project.StatusClosed}
)

// Projects returns the demo projects with dates around now.
func Projects(now time.Time) []Demo {
	return []Demo{
		{Path: published, Draft: project.Draft{
			Slug:    "herinrichting-marktplein",
			Title:   "Een nieuw Marktplein",
			Wijk:    "Centrum",
			Summary: "Het Marktplein krijgt een nieuwe inrichting. Er komt meer groen, meer plek om te zitten en minder ruimte voor auto's. Wij willen weten wat u belangrijk vindt voordat het ontwerp klaar is.",
			Body: `Het Marktplein is het hart van ons dorp. Op dinsdag is er markt, in de zomer zijn er terrassen en in december staat er een ijsbaan. Maar het plein is ook oud. De bestrating ligt scheef, er is weinig schaduw en bij hevige regen blijft er water staan.

De gemeenteraad heeft geld vrijgemaakt om het plein opnieuw in te richten. Wij maken het ontwerp graag samen met de mensen die het plein gebruiken.

## Wat staat al vast?

- De weekmarkt blijft op het plein.
- Er komen minstens tien nieuwe bomen.
- Het plein wordt goed toegankelijk voor mensen met een rolstoel of rollator.

## Twee schetsontwerpen

Met de ideeën van bewoners, ondernemers en marktkooplui heeft een ontwerpbureau twee schetsontwerpen gemaakt. In allebei blijft de weekmarkt op het plein en is het plein zonder drempels.

### Ontwerp A: een groen plein

- Twintig nieuwe bomen, vooral aan de zonnige zuidkant.
- Grote plantvakken met bloemen en struiken. Bij hevige regen vangen ze het water op.
- Veertig zitplekken in de schaduw en een speelplek met water bij de kerk.
- Er blijven 15 van de 48 parkeerplaatsen over.
- Op marktdag staan de kramen in twee rijen tussen de bomen. Voor de kermis en de ijsbaan is minder ruimte.

### Ontwerp B: ruimte voor markt en evenementen

- Twaalf nieuwe bomen, in een rij langs de randen van het plein.
- Het midden blijft open en vlak, met stroom en water in de grond voor kramen, de kermis en de ijsbaan.
- Twintig zitplekken onder de bomen en bij de terrassen.
- Er blijven 30 van de 48 parkeerplaatsen over. Op marktdag en bij evenementen zijn ze dicht.
- De weekmarkt kan groeien: er is plek voor tien kramen meer.

## Waar kunt u over meedenken?

- Welk ontwerp vindt u het beste, en wat zou u eraan veranderen?
- Hoeveel parkeerplaatsen blijven er?
- Waar komen bankjes, speelplekken en fietsenrekken?

Vul de vragenlijst in of kies in de peiling wat u het belangrijkst vindt. In de planning leest u wanneer u kunt meedoen en wanneer de gemeenteraad een besluit neemt.`,
			Phases: []project.PhaseDraft{
				{Title: "Ideeën ophalen", Description: "Bewoners, ondernemers en marktkooplui geven hun ideeën.", StartsOn: day(now, -60), EndsOn: endOfDay(now, -21)},
				{Title: "Vragenlijst over het schetsontwerp", Description: "U geeft uw mening over twee schetsontwerpen.", StartsOn: day(now, -20), EndsOn: endOfDay(now, 25)},
				{Title: "Definitief ontwerp", Description: "De gemeente maakt één ontwerp en laat zien wat zij met uw inbreng heeft gedaan.", StartsOn: day(now, 26), EndsOn: endOfDay(now, 90)},
				{Title: "Besluit gemeenteraad", Description: "De gemeenteraad besluit over het ontwerp en het geld.", StartsOn: day(now, 91), EndsOn: endOfDay(now, 120)},
				{Title: "Uitvoering", StartsOn: day(now, 180)},
			},
		}},
		{Path: published, Draft: project.Draft{
			Slug:    "veilig-naar-school",
			Title:   "Veilig fietsen naar school",
			Wijk:    "Noord",
			Summary: "Steeds meer kinderen fietsen naar school. Waar voelt u zich onveilig op de fiets? Stem mee over de plekken die de gemeente als eerste aanpakt.",
			Body: `Ouders, leerkrachten en kinderen vertellen ons dat sommige kruispunten onveilig zijn. De gemeente wil dit jaar drie plekken verbeteren.

Wij hebben een lijst gemaakt van plekken die vaak genoemd worden. Met de peiling kiest u welke plekken het eerst aan de beurt zijn. Kent u een plek die niet op de lijst staat? Geef die dan door als idee.`,
			Phases: []project.PhaseDraft{
				{Title: "Peiling: welke plekken eerst?", StartsOn: day(now, -7), EndsOn: endOfDay(now, 21)},
				{Title: "Uitwerking van maatregelen", StartsOn: day(now, 22), EndsOn: endOfDay(now, 80)},
				{Title: "Aanpassingen aan de weg", StartsOn: day(now, 120)},
			},
		}},
		{Path: published, Draft: project.Draft{
			Slug:    "speeltuin-de-brink",
			Title:   "Speeltuin De Brink opnieuw inrichten",
			Wijk:    "De Brink",
			Summary: "De speeltoestellen in speeltuin De Brink zijn versleten. Kinderen en ouders uit de buurt kiezen mee wat ervoor in de plaats komt.",
			Body:    "De speeltuin is meer dan twintig jaar oud. Samen met de buurt kiezen wij nieuwe toestellen. Er is ook plek voor een moestuin of een picknicktafel, als de buurt dat wil.",
			Phases: []project.PhaseDraft{
				{Title: "Ideeën uit de buurt", StartsOn: day(now, -3), EndsOn: endOfDay(now, 40)},
				{Title: "Keuze van de toestellen", StartsOn: day(now, 41), EndsOn: endOfDay(now, 70)},
				{Title: "Aanleg", StartsOn: day(now, 100)},
			},
		}},
		{Path: closed, Draft: project.Draft{
			Slug:    "afval-scheiden",
			Title:   "Afval scheiden: hoe kan het makkelijker?",
			Wijk:    "Hele gemeente",
			Summary: "Wij vroegen u hoe afval scheiden makkelijker kan. Meer dan duizend inwoners deden mee. Lees hier wat wij met de uitkomsten doen.",
			Body: `Bedankt voor het meedoen! Meer dan duizend inwoners vulden de vragenlijst in. De gemeenteraad heeft over de uitkomsten gesproken.

## Wat u ons vertelde

- Veel mensen vinden de containers voor plastic en papier te ver weg, vooral in de flats.
- Veel mensen weten niet goed wat wel en niet in de groene bak mag.
- Wie geen tuin heeft, mist een plek voor groente- en fruitafval.

## Wat de gemeente doet

- Er komen dertig nieuwe containers voor plastic, blik en drinkpakken, dichter bij de flats.
- Elk huishouden krijgt een kaart met wat in welke bak hoort, met plaatjes, ook in het Engels, Turks en Arabisch.
- Bij de flats aan de Parkweg proberen wij een jaar lang containers voor groente- en fruitafval. Daarna kijken wij samen met de bewoners of het werkt.

Wij houden u op deze pagina op de hoogte. Bent u ingelogd? Dan kunt u het project volgen en krijgt u bericht als er nieuws is.`,
			Phases: []project.PhaseDraft{
				{Title: "Vragenlijst", StartsOn: day(now, -150), EndsOn: endOfDay(now, -100)},
				{Title: "Verwerken van de antwoorden", StartsOn: day(now, -99), EndsOn: endOfDay(now, -40)},
				{Title: "Reactie van de gemeente", StartsOn: day(now, -39)},
			},
		}},
		{Path: nil, Draft: project.Draft{
			Slug:    "omgevingsvisie-2040",
			Title:   "Omgevingsvisie 2040 (concept)",
			Wijk:    "Hele gemeente",
			Summary: "Dit project is nog in voorbereiding en is niet zichtbaar voor bezoekers.",
			Body:    "Concepttekst.",
		}},
		// Last, so that the projects above keep their ids.
		{Path: published, Draft: project.Draft{
			Slug:    "groen-in-de-wijk",
			Title:   "Groen in de wijk",
			Wijk:    "Hele gemeente",
			Summary: "Meer bomen, minder tegels en koele plekken voor warme dagen. Wij zoeken samen met u naar plekken die groener kunnen. Zet uw idee op het ideeënbord of steun de ideeën van anderen.",
			Body: `De zomers worden warmer en het regent vaker hard. Groen helpt daartegen: bomen geven schaduw en planten nemen regenwater op. Groen is ook goed voor bijen en vogels, en het maakt een buurt fijner om in te wonen.

De gemeente heeft voor de komende twee jaar geld voor meer groen in de wijken. Wie weet beter waar dat nodig is dan de mensen die er wonen?

## Hoe werkt het?

- Zet uw idee op het ideeënbord. Kies een thema en vertel waar het om gaat.
- Steun de ideeën die u goed vindt. Zo zien wij wat veel mensen belangrijk vinden.
- De gemeente bekijkt elk idee en schrijft een reactie. Op het ideeënbord ziet u hoe het ermee staat.

## Wat kunnen wij niet?

Wij kunnen niet alles tegelijk doen. Wij kiezen eerst de ideeën die veel mensen helpen en die passen binnen het geld dat er is. Ideeën voor uw eigen tuin kunnen wij niet uitvoeren.`,
			Phases: []project.PhaseDraft{
				{Title: "Ideeën verzamelen", Description: "U zet uw ideeën op het ideeënbord en steunt de ideeën van anderen.", StartsOn: day(now, -42), EndsOn: endOfDay(now, 20)},
				{Title: "Ideeën uitwerken", Description: "De gemeente werkt de ideeën uit die veel steun krijgen en laat weten wat zij kiest.", StartsOn: day(now, 21), EndsOn: endOfDay(now, 60)},
				{Title: "Uitvoering", StartsOn: day(now, 61)},
			},
		}},
	}
}
