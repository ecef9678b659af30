// Package benchdata makes the realistic Dutch projects the benchmarks
// seed: project-001, project-002, … with Markdown bodies of a few
// paragraphs and 3–5 phases each.
package benchdata

import (
	"context"
	"fmt"
	"strings"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/project"
)

// Seed creates projects 1..n through svc (Create, then Move to published).
// With skipExisting, a slug that exists already is skipped instead of
// failing. It returns how many it created and skipped.
func Seed(ctx context.Context, svc *project.Service, n int, now time.Time, skipExisting bool) (created, skipped int, err error) {
	for i := 1; i <= n; i++ {
		d := Draft(i, now)
		p, err := svc.Create(ctx, identity.SystemActor("bench"), d)
		if err != nil {
			if skipExisting && apperror.CodeOf(err) == apperror.Conflict {
				skipped++
				continue
			}
			return created, skipped, fmt.Errorf("create %s: %w", d.Slug, err)
		}
		if err := svc.Move(ctx, identity.SystemActor("bench"), p.ID, project.StatusPublished); err != nil {
			return created, skipped, fmt.Errorf("publish %s: %w", d.Slug, err)
		}
		created++
	}
	return created, skipped, nil
}

// theme is a kind of project; %s in its texts is replaced by the place.
type theme struct {
	title   string
	summary string
	intro   string
	fixed   []string
	open    []string
	closing string
	phases  []string
}

var themes = []theme{
	{
		title:   "Herinrichting van %s",
		summary: "Wij richten %s opnieuw in. Er komt meer groen, meer ruimte voor voetgangers en fietsers en minder ruimte voor geparkeerde auto's. Wij horen graag wat u belangrijk vindt voordat het ontwerp klaar is.",
		intro:   "Het gebied rond %s is een van de drukste plekken van de wijk. De bestrating ligt scheef, er is weinig schaduw en bij hevige regen blijft het water op straat staan. De gemeenteraad heeft geld vrijgemaakt om de straat opnieuw in te richten, en wij maken het ontwerp graag samen met de mensen die er wonen, werken en winkelen.",
		fixed:   []string{"Er komen minstens acht nieuwe bomen.", "De stoepen worden breder en zonder drempels.", "Regenwater wordt opgevangen in wadi's en plantvakken."},
		open:    []string{"Hoeveel parkeerplaatsen blijven er?", "Waar komen bankjes, fietsenrekken en speelplekken?", "Hoe houden we de straat bereikbaar voor leveranciers?"},
		closing: "In de planning hiernaast leest u wanneer u kunt meedoen en wanneer de gemeenteraad een besluit neemt. Heeft u vragen? Kom dan langs op het spreekuur in het wijkcentrum.",
		phases:  []string{"Ideeën ophalen", "Schetsontwerp bespreken", "Definitief ontwerp", "Besluit gemeenteraad", "Uitvoering"},
	},
	{
		title:   "Veilig fietsen rond %s",
		summary: "Ouders en kinderen vertellen ons dat fietsen rond %s soms onveilig voelt. Wijs de plekken aan waar het beter kan en kies mee welke maatregelen als eerste worden uitgevoerd.",
		intro:   "Steeds meer kinderen fietsen zelf naar school, en dat willen we zo houden. Rond %s zijn de kruispunten druk en is het zicht op sommige plekken slecht. De gemeente wil dit jaar de gevaarlijkste punten aanpakken.",
		fixed:   []string{"De maximumsnelheid in de schoolzone wordt 30 km per uur.", "Er komen betere oversteekplaatsen bij de scholen."},
		open:    []string{"Welke kruispunten pakken we als eerste aan?", "Zijn er plekken die niet op onze kaart staan?", "Hoe maken we de haal- en brengzone veiliger?"},
		closing: "Met de peiling kiest u welke plekken het eerst aan de beurt zijn. Kent u een plek die niet op de lijst staat? Geef die dan door als idee.",
		phases:  []string{"Peiling: welke plekken eerst?", "Uitwerking van maatregelen", "Aanpassingen aan de weg", "Evaluatie met scholen"},
	},
	{
		title:   "Nieuwe speelplek bij %s",
		summary: "De speeltoestellen bij %s zijn versleten. Kinderen en ouders uit de buurt kiezen mee wat ervoor in de plaats komt, van klimrek tot picknicktafel.",
		intro:   "De speelplek bij %s is meer dan twintig jaar oud en de toestellen voldoen niet meer aan de veiligheidseisen. Samen met de buurt kiezen wij nieuwe toestellen en een nieuwe indeling.",
		fixed:   []string{"De speelplek blijft op dezelfde plek.", "Er komt minstens één toestel dat geschikt is voor kinderen met een beperking."},
		open:    []string{"Welke toestellen wilt u terugzien?", "Is er behoefte aan een moestuin of een picknicktafel?", "Voor welke leeftijden moet de speelplek vooral zijn?"},
		closing: "Kinderen mogen hun ideeën ook tekenen en inleveren bij de basisschool in de buurt. Alle tekeningen hangen tijdens de inloopavond in het wijkcentrum.",
		phases:  []string{"Ideeën uit de buurt", "Keuze van de toestellen", "Aanleg", "Opening"},
	},
	{
		title:   "Meer groen rond %s",
		summary: "De gemeente wil het gebied rond %s groener maken: meer bomen, geveltuinen en plantvakken, en minder tegels. Denk mee over waar het groen moet komen en hoe u zelf kunt helpen.",
		intro:   "Rond %s is weinig groen. In de zomer wordt het er heet en bij zware buien kan het regenwater nergens heen. Met het programma Groene Wijken wil de gemeente dat samen met bewoners veranderen.",
		fixed:   []string{"De gemeente plant dit jaar minstens vijftig bomen in de wijk.", "Bewoners kunnen gratis een geveltuin aanvragen.", "Het onderhoud van nieuw groen blijft bij de gemeente."},
		open:    []string{"Op welke pleinen en stoepen mogen tegels eruit?", "Wilt u samen met uw buren een stuk groen onderhouden?", "Welke plekken moeten vooral schaduw krijgen?"},
		closing: "Doet u mee met een tegelwipactie? Meld u dan aan via de wijkcoördinator; wij zorgen voor de container en de planten.",
		phases:  []string{"Ideeën ophalen", "Groenplan opstellen", "Reactie op het groenplan", "Aanplant"},
	},
	{
		title:   "Toekomst van het buurthuis bij %s",
		summary: "Het buurthuis bij %s moet worden opgeknapt of vervangen. Voordat de gemeente kiest, willen wij weten hoe u het buurthuis gebruikt en wat u mist.",
		intro:   "Het buurthuis bij %s wordt elke week door honderden bewoners gebruikt: voor de kaartclub, de taalles, het spreekuur van de wijkagent en de repetities van het koor. Het gebouw is oud en kost veel energie.",
		fixed:   []string{"Er blijft een ontmoetingsplek in de wijk.", "Het nieuwe of vernieuwde gebouw wordt energieneutraal."},
		open:    []string{"Welke activiteiten moeten zeker een plek krijgen?", "Kiezen we voor verbouwen of voor nieuwbouw?", "Hoe kunnen verenigingen en bewoners het gebouw samen beheren?"},
		closing: "Tijdens de verbouwing zoeken wij samen met de verenigingen naar tijdelijke ruimte, zodat de activiteiten kunnen doorgaan.",
		phases:  []string{"Gesprekken met gebruikers", "Vragenlijst", "Keuze verbouw of nieuwbouw", "Besluit gemeenteraad", "Bouw"},
	},
	{
		title:   "Parkeren rond %s",
		summary: "Bewoners rond %s vinden 's avonds moeilijk een parkeerplek. De gemeente onderzoekt of betaald parkeren of een vergunningensysteem helpt. Wat vindt u?",
		intro:   "Rond %s staan meer auto's dan er parkeerplekken zijn. Bezoekers van het centrum parkeren in de woonstraten, en bewoners moeten 's avonds soms lang zoeken. Tegelijk willen we de straten niet vol zetten met nieuwe parkeervakken.",
		fixed:   []string{"Er komen geen parkeerplaatsen bij ten koste van bomen.", "Mensen met een gehandicaptenparkeerkaart houden een plek dicht bij huis."},
		open:    []string{"Wilt u een parkeervergunning voor bewoners?", "Hoeveel mag een vergunning kosten?", "Welke straten moeten meedoen?"},
		closing: "Na de vragenlijst houden wij een bewonersavond waar wij de uitkomsten bespreken. Pas daarna stelt de gemeente een voorstel op.",
		phases:  []string{"Parkeeronderzoek", "Vragenlijst voor bewoners", "Bewonersavond", "Voorstel aan de gemeenteraad"},
	},
	{
		title:   "Wijkbudget rond %s",
		summary: "Bewoners rond %s bepalen zelf hoe €50.000 aan wijkbudget wordt besteed. Dien een plan in of stem op de plannen van uw buren.",
		intro:   "Met het wijkbudget geeft de gemeente bewoners rond %s zelf de regie over een deel van het geld voor de wijk. Iedereen vanaf 12 jaar die in de wijk woont, mag een plan indienen en stemmen.",
		fixed:   []string{"Een plan kost minstens €500 en hoogstens €15.000.", "Plannen moeten goed zijn voor de hele wijk, niet voor één persoon.", "De gemeente toetst elk plan op haalbaarheid voordat de stemming begint."},
		open:    []string{"Welke plannen dient u in?", "Op welke plannen stemt u?"},
		closing: "De plannen met de meeste stemmen worden uitgevoerd, tot het budget op is. Op deze pagina houden wij u op de hoogte van de voortgang.",
		phases:  []string{"Plannen indienen", "Toetsing door de gemeente", "Stemmen", "Uitvoering van de plannen"},
	},
	{
		title:   "Van het gas af rond %s",
		summary: "De woningen rond %s gaan de komende jaren stap voor stap van het aardgas af. Wij willen met u bespreken welke warmteoplossing past bij de woningen in uw buurt.",
		intro:   "Voor 2050 moeten alle woningen in Nederland van het aardgas af. Voor de woningen rond %s onderzoekt de gemeente of een warmtenet, all-electric of een hybride oplossing het beste past. Dat hangt af van het soort woningen, de kosten en wat bewoners willen.",
		fixed:   []string{"Niemand hoeft van het gas af voordat er een betaalbaar alternatief is.", "Huurders en eigenaren krijgen gratis advies van een energiecoach."},
		open:    []string{"Welke oplossing heeft uw voorkeur?", "Wat heeft u nodig om mee te kunnen doen?", "Wilt u meedoen in een bewonerscollectief?"},
		closing: "Op de informatieavonden vertellen experts over de mogelijkheden en kunt u uw vragen stellen. U kunt ook een afspraak maken met de energiecoach.",
		phases:  []string{"Informatieavonden", "Vragenlijst", "Wijkuitvoeringsplan", "Besluit gemeenteraad"},
	},
}

// places carry their article, as they appear mid-sentence.
var places = []string{
	"de Dorpsstraat", "de Kerkstraat", "de Molenweg", "het Stationsplein", "de Havenkade", "de Julianalaan",
	"het Wilhelminapark", "de Oranjebuurt", "de Vogelwijk", "de Schildersbuurt", "De Brink", "de Noorderhaven",
	"de Bloemenbuurt", "de Lindenlaan", "het Marktplein", "de Beatrixstraat", "de Spoorzone", "het Zuiderpark",
	"de Rivierenwijk", "de Kanaalweg", "de Eikenlaan", "de Burgemeesterswijk", "de Oude Haven", "het Tuindorp",
	"het Prinsenhof", "de Weverstraat",
}

var wijken = []string{"Centrum", "Noord", "Oost", "Zuid", "West", "De Brink", "Hele gemeente"}

var phaseDescriptions = []string{
	"U kunt online reageren of langskomen op de inloopavond in het wijkcentrum.",
	"De gemeente verwerkt alle reacties en laat zien wat zij ermee heeft gedaan.",
	"De gemeenteraad bespreekt het voorstel in een openbare vergadering.",
	"",
	"Wij houden u via deze pagina en de wijkkrant op de hoogte.",
}

// Draft builds project i (1-based). Themes and places rotate independently,
// so titles vary and every slug is unique.
func Draft(i int, now time.Time) project.Draft {
	t := themes[(i-1)%len(themes)]
	place := places[(i-1)/len(themes)%len(places)]
	var b strings.Builder
	fmt.Fprintf(&b, t.intro+"\n\n", place)
	b.WriteString("## Wat staat al vast?\n\n")
	for _, f := range t.fixed {
		b.WriteString("- " + f + "\n")
	}
	b.WriteString("\n## Waar kunt u over meedenken?\n\n")
	for _, o := range t.open {
		b.WriteString("- " + o + "\n")
	}
	b.WriteString("\n" + t.closing + "\n\n")
	b.WriteString("Meer weten? Lees de [veelgestelde vragen](/projecten) of mail naar **inspraak@gemeente.example**.\n")

	// 3–5 phases: the current one began some weeks ago.
	np := 3 + i%3
	np = min(np, len(t.phases))
	first := -7 * (2 + i%6)
	var phases []project.PhaseDraft
	start := first
	for k := 0; k < np; k++ {
		length := 21 + 7*((i+k)%4)
		ph := project.PhaseDraft{
			Title:       t.phases[k],
			Description: phaseDescriptions[(i+k)%len(phaseDescriptions)],
			StartsOn:    day(now, start),
		}
		if k < np-1 {
			ph.EndsOn = endOfDay(now, start+length-1)
		}
		phases = append(phases, ph)
		start += length
	}
	return project.Draft{
		Slug:    fmt.Sprintf("project-%03d", i),
		Title:   fmt.Sprintf(t.title, place),
		Summary: fmt.Sprintf(t.summary, place),
		Body:    b.String(),
		Wijk:    wijken[i%len(wijken)],
		Phases:  phases,
	}
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
