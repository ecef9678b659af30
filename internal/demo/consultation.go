package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
)

// The Marktplein questionnaire: an explanation of the two sketch designs
// (described in full in the project text), then eight questions of every
// type. Its description counts them; a test holds it to that.
const (
	surveyDescription = "Acht korte vragen over de twee schetsontwerpen voor het Marktplein. Het invullen duurt ongeveer vijf minuten."
	surveyExplanation = "Er zijn twee schetsontwerpen. Ontwerp A maakt van het Marktplein een groen plein, met twintig nieuwe bomen en veel plekken om te zitten. " +
		"Ontwerp B houdt het midden van het plein open voor de markt en evenementen, met twaalf nieuwe bomen langs de randen. " +
		"In de tekst van het project leest u wat er in elk ontwerp komt."
)

// Designs the open answers may speak for: a comment about design A only
// goes to someone who chose A.
const (
	forA = iota
	forB
	forAny
	forTrade // a market trader or a shop on the square
)

// surveyComments are the answers to "Wilt u nog iets zeggen over het
// schetsontwerp?": each used once, by someone whose choice it fits.
var surveyComments = []struct {
	fits int
	text string
}{
	{forA, "Ontwerp A is veel mooier. Met al die bomen wordt het plein in de zomer eindelijk een plek waar je graag wilt zijn."},
	{forA, "Ik kies voor veel groen. De markt past er ook prima tussen, als de kramen in twee rijen komen te staan."},
	{forA, "Graag veel groen, maar let op dat de bladeren in de herfst de stenen niet glad maken op marktdag."},
	{forA, "Groen helpt tegen de hitte. Vorige zomer was het op het plein midden op de dag bijna niet uit te houden."},
	{forA, "Zorg bij ontwerp A wel voor genoeg licht in de avond. Onder veel bomen wordt het snel donker."},
	{forA, "Leuk dat er in ontwerp A een speelplek met water bij de kerk komt. Kinderen spelen graag met water en het koelt af."},
	{forA, "Mijn voorkeur is A, maar dan zonder hoge hagen. Je moet over het plein heen kunnen kijken, dan voelt het veiliger."},
	{forA, "Het regenwater blijft nu op het plein staan. Met meer groen kan het in de grond zakken. Daarom kies ik ontwerp A."},
	{forA, "Graag bankjes met een rugleuning en armleuningen. Daar kom je als oudere makkelijker uit."},
	{forA, "Kies bomen die geen plakkerige druppels laten vallen op fietsen en terrassen."},
	{forA, "Ontwerp A geeft meer rust. Bij ontwerp B ben ik bang voor nog meer evenementen met harde muziek tot laat in de avond."},
	{forA, "Plant ook bloemen die lang bloeien, niet alleen gras en struiken. Dan komen er meer bijen en vlinders."},
	{forA, "Ontwerp A lijkt me het veiligst voor kinderen, omdat er minder auto's over het plein rijden."},
	{forA, "Veel groen is mooi, maar regel ook het onderhoud goed. Anders ziet het er na twee jaar slordig uit."},
	{forB, "De kermis en de ijsbaan horen bij ons dorp. In ontwerp A is daar bijna geen plek meer voor."},
	{forB, "Ontwerp B, maar dan met een paar bomen extra aan de randen. Dan heb je het beste van allebei."},
	{forB, "Ik kies B, omdat de weekmarkt dan kan groeien. Nu staan er kramen in de zijstraten en dat is onhandig."},
	{forB, "Een open plein is handig voor de braderie en de markt op Koningsdag. Met veel bomen en plantvakken wordt dat lastig."},
	{forB, "Ontwerp B is beter voor de terrassen. Een terras in de zon trekt mensen naar het centrum."},
	{forB, "Ik vind B beter, maar de stenen worden in de zomer wel heet. Misschien kunnen er grote zeilen of parasols komen?"},
	{forB, "Voor jongeren is er weinig te doen in het centrum. Een plein voor optredens en evenementen helpt daarbij."},
	{forB, "Ontwerp B, als er op marktdag ook een plek is waar je je fiets goed kwijt kunt."},
	{forB, "Voor ouderen die slecht lopen is het fijn dat er in ontwerp B meer parkeerplaatsen blijven, dicht bij de winkels."},
	{forTrade, "Als marktkoopman heb ik ruimte nodig voor de kraam en de bus. Ontwerp B houdt daar beter rekening mee."},
	{forTrade, "Graag stroom- en waterpunten in de grond voor de kramen. Dan liggen er geen kabels meer over de stenen."},
	{forTrade, "Winkels aan het plein moeten bereikbaar blijven voor laden en lossen, ook tijdens de verbouwing."},
	{forAny, "Ik twijfel nog. Kunt u tekeningen laten zien van het plein op een marktdag, voor allebei de ontwerpen?"},
	{forAny, "Denk aan mensen met een rollator of rolstoel: geen losse klinkers en geen hoge stoepranden."},
	{forAny, "Kunnen de fietsenrekken aan de kant van de bibliotheek komen? Daar staan de fietsen nu overal op de stoep."},
	{forAny, "Er moet een openbaar toilet op het plein komen. Nu moet je het in een café vragen."},
	{forAny, "Hoe lang duurt de verbouwing? Het is belangrijk dat de winkels in die tijd goed bereikbaar blijven."},
	{forAny, "Houd de bestrating rustig van kleur. Het plein moet bij de oude huizen eromheen passen."},
	{forAny, "Ik mis in beide ontwerpen een plek om jeu de boules te spelen. Dat brengt mensen bij elkaar."},
	{forAny, "Fijn dat u het ons vraagt. Laat ook zien wat u met de antwoorden doet."},
	{forAny, "Een kraan met drinkwater op het plein zou fijn zijn, voor mensen en voor honden."},
	{forAny, "Let op de oversteek bij de Kerkstraat. Daar rijden auto's nu veel te hard langs het plein."},
	{forAny, "Zet er meer afvalbakken neer, vooral bij de terrassen en bij de ijsbaan in december."},
	{forAny, "Kies verlichting die zuinig is en niet te fel. Nu schijnen de lampen bij sommige huizen de slaapkamer in."},
	{forAny, "Allebei de ontwerpen hebben goede kanten. Misschien kan er een mix van A en B komen?"},
	{forAny, "De bus rijdt maar één keer per uur. Daarom kom ik met de auto naar de markt en heb ik een parkeerplek nodig."},
	{forAny, "Maak de bankjes niet van metaal. Die zijn in de winter koud en in de zomer gloeiend heet."},
	{forAny, "Laat de oude lindeboom bij de kerk staan. Die hoort bij het plein."},
	{forAny, "Het plein moet ook 's avonds veilig voelen. Zorg voor goed licht bij de ingang van de parkeergarage."},
}

// surveyNames are the answers to "Hoe zou u het nieuwe plein noemen?",
// each used once.
var surveyNames = []string{
	"Gewoon het Marktplein, zo noemt iedereen het al", "Lindeplein", "Het Groene Hart", "Dorpsplein", "Marktveld",
	"Plein van Samen", "De Huiskamer", "Zomerplein", "Plein onder de linden", "Het Nieuwe Marktplein", "Ontmoetingsplein",
	"Marktpark", "Kerkplein", "Hart van het dorp", "Groenmarkt", "Het Plein", "Terrasplein", "Lindehof",
	"Waterplein", "Oude Markt", "Marktplein, een nieuwe naam is niet nodig", "Brinkplein", "Het Dorpshart",
}

// seedConsultation adds the questionnaire about the sketch designs to the
// Marktplein project and the responses of the weeks it has been open:
// through a copy of the consultation service whose clock walks through
// those weeks, so the funnel, the submissions per day and the breakdowns
// by wijk and age read as they would after three weeks.
func seedConsultation(ctx context.Context, svc *consultation.Service, people []person, ids map[string]int64, now time.Time) error {
	var at time.Time
	cs := svc.WithClock(func() time.Time { return at })
	rng := rand.New(rand.NewPCG(16, 3))

	q := func(k consultation.Kind, text, help string, required bool, opts ...string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text, Help: help, Required: required}, Options: opts}
	}
	scale := q(consultation.Scale, "Hoe tevreden bent u nu over het Marktplein?", "", true)
	scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, "heel ontevreden", "heel tevreden"
	visits := q(consultation.Number, "Hoe vaak per week komt u op het Marktplein?", "Vul een getal in, bijvoorbeeld 2.", false)
	zero, fourteen := 0.0, 14.0
	visits.NumberMin, visits.NumberMax = &zero, &fourteen
	miss := q(consultation.Multiple, "Wat mist u nu het meest op het plein?", "Kies er één of twee.", false,
		"Schaduw en bomen", "Plekken om te zitten", "Een speelplek", "Fietsenrekken", "Toiletten")
	miss.MaxChoices = 2
	comment := q(consultation.LongText, "Wilt u nog iets zeggen over het schetsontwerp?", "Schrijf geen namen, telefoonnummers of andere persoonsgegevens.", false)
	comment.MaxLength = 1000

	at = day(now, -21).Add(11 * time.Hour).UTC()
	opens := day(now, -20)
	c, err := cs.Create(ctx, seedActor, consultation.Draft{
		ProjectID: ids["herinrichting-marktplein"], Slug: "vragenlijst-schetsontwerp", Title: "Vragenlijst over het schetsontwerp",
		Description: surveyDescription, Published: true,
		Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: closesAt(now, 25), AllowChange: true},
		Questions: []consultation.QuestionDraft{
			q(consultation.Explanation, surveyExplanation, "", false),
			q(consultation.Single, "Welk schetsontwerp vindt u het beste?", "", true, "Ontwerp A: veel groen", "Ontwerp B: ruimte voor markt en evenementen", "Ik weet het niet"),
			scale, visits, miss,
			q(consultation.Ranking, "Wat is voor u het belangrijkst?", "Zet de onderwerpen op volgorde.", false, "Groen", "Parkeren", "Evenementen", "Veilig fietsen"),
			q(consultation.Single, "Voor ondernemers: wanneer moet u met een bus of auto bij uw zaak of kraam kunnen?",
				"Heeft u geen winkel of marktkraam aan het plein? Sla deze vraag dan over.", false,
				"Alleen vroeg in de ochtend, tot 10 uur", "Ook overdag, om te laden en te lossen", "Ik heb geen laadplek nodig"),
			q(consultation.ShortText, "Hoe zou u het nieuwe plein noemen?", "", false),
			comment,
		},
	})
	if err != nil {
		return fmt.Errorf("demo: consultation: %w", err)
	}
	qs := c.Questions
	design, satisfied, perWeek, missing, rank, trade, name, remark := qs[1], qs[2], qs[3], qs[4], qs[5], qs[6], qs[7], qs[8]

	// Who answered: most people from the Centrum, where the square is,
	// fewer from further away; every business on the square. Some more
	// started and stopped halfway, and others only opened it.
	var respondents, started []person
	for _, p := range people {
		chance := 0.78
		switch {
		case p.business() || p.Wijk == "Centrum":
			chance = 1
		case p.Wijk == "Buitengebied":
			chance = 0.65
		}
		switch r := rng.Float64(); {
		case r < chance:
			respondents = append(respondents, p)
		case r < chance+0.3:
			started = append(started, p)
		}
	}
	rng.Shuffle(len(respondents), func(i, j int) { respondents[i], respondents[j] = respondents[j], respondents[i] })
	times := spread(rng, len(respondents), 20, 1, 9, now)

	used := make([]bool, len(surveyComments))
	nextComment := func(fits int) string {
		for i, cm := range surveyComments {
			if !used[i] && cm.fits == fits {
				used[i] = true
				return cm.text
			}
		}
		return ""
	}
	names, traders, residentTraders, tradeAnswers := 0, 0, 0, []int{0, 1, 1, 0, 2, 1, 0}
	num := func(v float64) *float64 { return &v }
	for i, p := range respondents {
		old := p.AgeBand == "65-74" || p.AgeBand == "75+"
		young := p.AgeBand == "16-17" || p.AgeBand == "18-29"
		a := map[int64]consultation.Answer{}

		w := []float64{48, 32, 20}
		switch {
		case p.business():
			w = []float64{10, 80, 10}
		case p.Wijk == "Centrum":
			w = []float64{40, 46, 14}
		}
		if young {
			w[1] += 14
		}
		if old {
			w[0] += 12
		}
		choice := weighted(rng, w)
		a[design.ID] = consultation.Answer{Options: []int64{design.Options[choice].ID}}

		sw := []float64{14, 30, 30, 20, 6}
		if p.Wijk == "Centrum" || p.business() {
			sw = []float64{22, 34, 26, 14, 4}
		}
		a[satisfied.ID] = consultation.Answer{Number: num(float64(1 + weighted(rng, sw)))}

		if rng.Float64() < 0.88 {
			var vs []float64
			switch {
			case p.business():
				vs = []float64{5, 6, 6}
			case p.Wijk == "Centrum":
				vs = []float64{1, 2, 2, 3, 3, 4, 5, 7}
			case p.Wijk == "Buitengebied":
				vs = []float64{0, 0, 1, 1}
			default:
				vs = []float64{0, 1, 1, 1, 2, 2, 3}
			}
			a[perWeek.ID] = consultation.Answer{Number: num(vs[rng.IntN(len(vs))])}
		}

		if rng.Float64() < 0.9 {
			mw := []float64{36, 26, 12, 18, 7}
			if old {
				mw[1] += 16
				mw[4] += 5
			}
			if p.AgeBand == "30-44" {
				mw[2] += 18
			}
			if young {
				mw[3] += 8
			}
			first := weighted(rng, mw)
			opts := []int64{missing.Options[first].ID}
			if rng.Float64() < 0.6 {
				mw[first] = 0
				opts = append(opts, missing.Options[weighted(rng, mw)].ID)
			}
			a[missing.ID] = consultation.Answer{Options: opts}
		}

		if rng.Float64() < 0.65 {
			score := []float64{2.6, 1.5, 1.5, 2} // Groen, Parkeren, Evenementen, Veilig fietsen
			if choice == 0 {
				score[0]++
			}
			if choice == 1 || young {
				score[2] += 1.5
			}
			if old || p.business() || p.Wijk == "Buitengebied" {
				score[1] += 1.5
			}
			if p.AgeBand == "30-44" {
				score[3]++
			}
			for j := range score {
				score[j] += rng.Float64() * 2.5
			}
			order := []int{0, 1, 2, 3}
			slices.SortStableFunc(order, func(x, y int) int {
				switch {
				case score[x] > score[y]:
					return -1
				case score[x] < score[y]:
					return 1
				}
				return 0
			})
			var opts []int64
			for _, j := range order {
				opts = append(opts, rank.Options[j].ID)
			}
			a[rank.ID] = consultation.Answer{Options: opts}
		}

		// The businesses and two market traders who live in the
		// Centrum answer the question for them.
		trader := p.business() || (p.Wijk == "Centrum" && p.AgeBand == "45-64" && residentTraders < 2)
		if trader && traders < len(tradeAnswers) {
			a[trade.ID] = consultation.Answer{Options: []int64{trade.Options[tradeAnswers[traders]].ID}}
			traders++
			if !p.business() {
				residentTraders++
			}
		}

		if names < len(surveyNames) && rng.Float64() < 0.24 {
			a[name.ID] = consultation.Answer{Text: surveyNames[names]}
			names++
		}

		if rng.Float64() < 0.42 || p.business() {
			fits := forAny
			switch {
			case trader:
				fits = forTrade
			case choice == 0 && rng.Float64() < 0.7:
				fits = forA
			case choice == 1 && rng.Float64() < 0.7:
				fits = forB
			}
			text := nextComment(fits)
			if text == "" && fits != forAny {
				text = nextComment(forAny)
			}
			if text != "" {
				a[remark.ID] = consultation.Answer{Text: text}
			}
		}

		// Opened a few minutes before sending; the opening is kept to
		// the day only.
		at = times[i].Add(-time.Duration(4+rng.IntN(9)) * time.Minute)
		if err := cs.Opened(ctx, c.InstrumentID, p.Subject); err != nil {
			return fmt.Errorf("demo: opened: %w", err)
		}
		at = times[i]
		who := consultation.Respondent{ParticipantID: p.ID, Subject: p.Subject, Person: p.respondent()}
		if _, err := cs.Save(ctx, c.InstrumentID, who, a, true); err != nil {
			return fmt.Errorf("demo: response: %w", err)
		}
	}

	// Unfinished: saved a draft and stopped after some questions.
	for i, at0 := range spread(rng, len(started), 20, 1, 9, now) {
		p := started[i]
		at = at0
		if err := cs.Opened(ctx, c.InstrumentID, p.Subject); err != nil {
			return fmt.Errorf("demo: opened: %w", err)
		}
		if i%3 == 2 {
			continue // opened it and went away
		}
		a := map[int64]consultation.Answer{design.ID: {Options: []int64{design.Options[rng.IntN(3)].ID}}}
		if i%3 == 1 {
			a[satisfied.ID] = consultation.Answer{Number: num(float64(1 + rng.IntN(5)))}
			a[perWeek.ID] = consultation.Answer{Number: num(float64(rng.IntN(4)))}
		}
		who := consultation.Respondent{ParticipantID: p.ID, Subject: p.Subject, Person: p.respondent()}
		if _, err := cs.Save(ctx, c.InstrumentID, who, a, false); err != nil {
			return fmt.Errorf("demo: draft: %w", err)
		}
	}
	return nil
}
