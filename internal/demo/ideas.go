package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/store"
)

// StaffSubject is the subject of the demo editor who answers the demo
// ideas. No login ever has it: the built-in provider's staff subjects are
// opaque hashes.
const StaffSubject = "demo-redacteur"

// Themes of the demo idea board, in their order.
var boardThemes = []string{"Bomen en planten", "Tegels eruit, groen erin", "Spelen en ontmoeten", "Water en hitte"}

const (
	themeTrees = iota
	themeTiles
	themePlay
	themeWater
)

// step is one municipal status change, daysAgo days before the seed.
type step struct {
	daysAgo  int
	status   idea.Status
	response string
}

// demoIdea is one idea of the demo board. author, supporters and
// commenters are indexes of the demo participants.
type demoIdea struct {
	daysAgo, hour int
	author        int
	theme         int
	title, text   string
	wijk, place   string
	supports      int
	steps         []step
	withdrawnAgo  int // days before the seed its author withdrew it; 0: not withdrawn
}

// demoComment is a comment on the demo board's idea number idea (an index
// of boardIdeas); replyTo is the index of the comment it answers, or -1.
type demoComment struct {
	idea, author  int
	daysAgo, hour int
	replyTo       int
	body          string
}

// boardIdeas are the ideas of "Groen in de wijk", oldest first, so that
// ids and submission times tell the same order.
var boardIdeas = []demoIdea{
	{daysAgo: 38, hour: 9, author: 3, theme: themeTiles, wijk: "Vogelbuurt", place: "Merelstraat en de straten eromheen", supports: 14,
		title: "Geveltuintjes in de hele Vogelbuurt",
		text: "In onze straat liggen alleen maar stoeptegels. Veel buren willen graag een smalle geveltuin voor hun huis, met een klimplant of wat bloemen. " +
			"Nu mag dat alleen in een paar straten.\n\nMijn idee: laat iedereen in de Vogelbuurt een geveltuin maken, en help mensen met het weghalen van de tegels.",
		steps: []step{
			{30, idea.StatusUnderConsideration, "Bedankt voor uw idee. Wij kijken eerst of de stoepen in de Vogelbuurt breed genoeg zijn. " +
				"Er moet genoeg ruimte overblijven voor een rolstoel, een rollator en een kinderwagen. Binnen een maand hoort u van ons."},
			{14, idea.StatusAccepted, "Goed nieuws: bijna alle stoepen zijn breed genoeg. Daarom mag u in de hele Vogelbuurt een geveltuin maken van één tegel breed (30 centimeter). " +
				"Alleen in de Spreeuwstraat kan het niet, omdat de stoep daar te smal is."},
			{3, idea.StatusDone, "Het is geregeld. Op de website van de gemeente leest u hoe u een geveltuin aanvraagt. " +
				"Een medewerker van de gemeente haalt de tegels gratis weg en brengt een zak aarde mee. Er hebben zich al 23 huishoudens aangemeld."},
		}},
	{daysAgo: 36, hour: 20, author: 7, theme: themeTrees, wijk: "Noord", place: "Speelveld aan de Lindelaan", supports: 20,
		title: "Bomen rond het speelveld aan de Lindelaan",
		text: "Op het speelveld aan de Lindelaan is in de zomer geen schaduw. Kinderen spelen daar in de volle zon en ouders zitten op een bankje zonder beschutting. " +
			"Een paar grote bomen aan de rand van het veld zouden veel helpen. Tussen het veld en het fietspad is genoeg ruimte.",
		steps: []step{
			{28, idea.StatusUnderConsideration, "Een goed idee, dat ook veel steun krijgt. Wij onderzoeken nu of er kabels of leidingen in de grond liggen op de plekken waar bomen kunnen komen."},
			{10, idea.StatusAccepted, "Er is plek voor zes bomen aan de kant van het fietspad. Wij kiezen lindes: die groeien snel en geven veel schaduw. " +
				"Wij planten ze in het plantseizoen, tussen november en maart, want dan slaan bomen het beste aan. De buren krijgen vooraf een brief."},
		}},
	{daysAgo: 33, hour: 12, author: 11, theme: themeWater, wijk: "De Brink", supports: 6,
		title: "Regentonnen ook voor huurders",
		text: "Als je een koophuis hebt, krijg je subsidie voor een regenton. Maar wij huren, en de verhuurder wil niet meebetalen. " +
			"Ik zou willen dat de gemeente samen met de woningcorporatie regentonnen aanbiedt aan huurders. Dan kan iedereen de tuin water geven met regenwater.",
		steps: []step{
			{20, idea.StatusUnderConsideration, "Bedankt voor dit idee. Wij gaan erover in gesprek met de woningcorporatie. " +
				"Wij kijken daarbij ook naar andere manieren om regenwater op te vangen, zoals groene daken op de schuurtjes. Daarna laten wij hier weten wat er is afgesproken."},
		}},
	{daysAgo: 31, hour: 15, author: 2, theme: themePlay, wijk: "Noord", place: "Losloopgebied naast het speelveld aan de Lindelaan", supports: 2,
		title: "Losloopgebied voor honden verder weg van het speelveld",
		text: "Naast het speelveld aan de Lindelaan is een losloopgebied voor honden. Niet alle baasjes ruimen de poep op, en de honden rennen soms het speelveld op. " +
			"Kan het losloopgebied naar een andere plek, verder van de kinderen af?",
		steps: []step{
			{18, idea.StatusRejected, "Wij begrijpen dat u zich zorgen maakt. Toch verplaatsen wij het losloopgebied niet. " +
				"In Noord is geen andere plek die groot genoeg is en niet vlak bij huizen ligt.\n\n" +
				"Wel zetten wij een laag hek tussen het speelveld en het losloopgebied. Er komen twee extra afvalbakken voor hondenpoep, en de handhavers letten de komende maanden extra op."},
		}},
	{daysAgo: 29, hour: 10, author: 15, theme: themeTrees, wijk: "Hele gemeente", place: "Bermen langs de Rondweg", supports: 9,
		title: "Minder maaien langs de Rondweg",
		text: "De bermen langs de Rondweg worden heel vaak gemaaid. Daardoor is het gras kort en staat er geen bloem in. " +
			"Als de gemeente minder vaak maait, komen er vanzelf meer bloemen. Dat is goed voor bijen en vlinders, het ziet er mooier uit en het scheelt werk.",
		steps: []step{
			{15, idea.StatusAccepted, "Wij gaan dit doen. Vanaf het voorjaar maaien wij de bermen langs de Rondweg nog twee keer per jaar in plaats van zes keer. " +
				"Het gemaaide gras halen wij weg, zodat er meer bloemen gaan groeien. Bij kruispunten en langs fietspaden blijven wij vaker maaien, zodat iedereen goed kan zien."},
		}},
	{daysAgo: 27, hour: 19, author: 20, theme: themeWater, wijk: "Centrum", place: "Stadspark, bij de hoofdingang", supports: 11,
		title: "Een watertappunt in het Stadspark",
		text: "In de zomer wandel en sport ik veel in het park. Er is nergens een plek om je fles bij te vullen. " +
			"Een watertappunt bij de ingang of bij de speeltuin is fijn voor iedereen: voor sporters, voor ouders met kinderen en voor ouderen op hete dagen.",
		steps: []step{
			{12, idea.StatusUnderConsideration, "Bedankt voor uw idee. Wij vragen het waterbedrijf wat een watertappunt kost en waar in het park een waterleiding ligt. " +
				"Als het kan, nemen wij het mee in de begroting voor volgend jaar."},
		}},
	{daysAgo: 25, hour: 8, author: 5, theme: themeTiles, wijk: "De Brink", place: "Schoolplein van de basisschool aan de Schoolstraat", supports: 3,
		title: "Een groen schoolplein",
		text: "Het schoolplein is één grote vlakte van tegels. In de pauze is het er heet, en als het regent staat er water. " +
			"De school en de ouders willen het plein groener maken, met struiken, een heuveltje en een moestuin. Kan de gemeente daarbij helpen?",
		steps: []step{
			{21, idea.StatusAccepted, "De gemeente helpt graag mee. Uit het geld voor groene schoolpleinen betalen wij de helft van de kosten. " +
				"Onze groenadviseur maakt samen met de school en de ouders een plan."},
			{2, idea.StatusDone, "Het plein is klaar! Ouders, leerkrachten en de gemeente hebben samen 200 tegels weggehaald en struiken en een boom geplant. " +
				"De kinderen zorgen zelf voor de moestuin. Bedankt aan iedereen die heeft meegeholpen."},
		}},
	{daysAgo: 23, hour: 14, author: 9, theme: themePlay, wijk: "Centrum", place: "Kerkplein", supports: 4,
		title: "Van parkeerplaats naar groen pleintje aan het Kerkplein",
		text: "Aan het Kerkplein staan bijna altijd auto's, terwijl de parkeergarage om de hoek half leeg is. " +
			"Haal de parkeerplaatsen weg en maak er een groen pleintje van, met bomen en bankjes. Dan hebben we in het centrum eindelijk een plek om even rustig te zitten.",
		steps: []step{
			{9, idea.StatusRejected, "Bedankt voor uw idee. Wij halen de parkeerplaatsen aan het Kerkplein nu niet weg. " +
				"Winkeliers en kerkgangers hebben ze nodig, en voor mensen die slecht ter been zijn is de parkeergarage te ver weg.\n\n" +
				"Wel komen er op het Marktplein, twee minuten lopen verderop, meer bomen en bankjes. Kijk daarvoor bij het project 'Een nieuw Marktplein'."},
		}},
	{daysAgo: 20, hour: 21, author: 13, theme: themePlay, wijk: "Zuid", place: "Wandelpad langs de Molenbeek", supports: 7,
		title: "Bankjes in de schaduw langs de Molenbeek",
		text: "Langs het wandelpad bij de Molenbeek staan bijna geen bankjes. Voor ouderen is het een lange wandeling zonder plek om uit te rusten. " +
			"Zet om de paar honderd meter een bankje, het liefst onder een boom.",
		steps: []step{
			{6, idea.StatusUnderConsideration, "Wij vinden het belangrijk dat ook ouderen fijn kunnen wandelen. " +
				"Wij kijken samen met de ouderenbond waar bankjes het meest nodig zijn. Daarna laten wij weten hoeveel bankjes er komen en waar."},
		}},
	{daysAgo: 18, hour: 11, author: 17, theme: themePlay, wijk: "Zuid", place: "Grasveld achter de sporthal", supports: 5,
		title: "Buurtmoestuin op het lege veld achter de sporthal",
		text: "Achter de sporthal ligt al jaren een leeg grasveld waar niemand komt. Met een paar buren willen wij daar een moestuin beginnen, waar iedereen uit de buurt mee kan doen.\n\n" +
			"Wij zorgen zelf voor het onderhoud. Van de gemeente vragen wij alleen toestemming en een waterkraan."},
	{daysAgo: 16, hour: 16, author: 22, theme: themeWater, wijk: "Centrum", place: "Stadspark, naast de speeltuin", supports: 8,
		title: "Waterspeelplek voor kinderen",
		text: "Op warme dagen is er voor kinderen weinig te doen in de wijk. Een kleine waterspeelplek met fonteintjes in de grond, zoals in andere steden, zou geweldig zijn. " +
			"Kinderen kunnen dan veilig afkoelen, dicht bij huis.",
		steps: []step{
			{11, idea.StatusUnderConsideration, "Leuk idee! Wij zoeken uit of het Stadspark een goede plek is en wat het onderhoud kost."},
			{4, idea.StatusAccepted, "Er komt een waterspeelplek in het Stadspark, naast de speeltuin. Er stroomt schoon drinkwater door, dat elke dag wordt gecontroleerd. " +
				"De aanleg duurt ongeveer drie maanden. Op deze pagina laten wij weten wanneer de waterspeelplek open gaat."},
		}},
	{daysAgo: 12, hour: 10, author: 1, theme: themeTrees, wijk: "Noord", supports: 1,
		title: "Insectenhotels en nestkastjes",
		text: "Er zijn steeds minder bijen en vogels in de wijk. Met een paar insectenhotels en nestkastjes in de parken help je ze op een makkelijke manier. " +
			"Misschien kunnen kinderen van de basisschool ze zelf maken?"},
	{daysAgo: 9, hour: 19, author: 18, theme: themeWater, wijk: "Centrum", place: "Bushokjes aan de Stationsweg",
		title: "Groene daken op de bushokjes",
		text: "In andere gemeenten hebben bushokjes een dak met plantjes erop. Dat houdt regenwater vast, is goed voor bijen en ziet er vrolijk uit. " +
			"Kan dat hier ook? Te beginnen bij de bushokjes aan de Stationsweg."},
	{daysAgo: 7, hour: 13, author: 4, theme: themePlay, wijk: "Noord", place: "Speelveld aan de Lindelaan", supports: 1, withdrawnAgo: 6,
		title: "Een hek rond het speelveld",
		text:  "Honden lopen vaak het speelveld aan de Lindelaan op. Met een hek rond het hele veld kunnen kinderen daar veilig spelen."},
	{daysAgo: 5, hour: 17, author: 10, theme: themeTrees, wijk: "De Brink", place: "Hoek Beukenlaan en Dorpsstraat",
		title: "Een nieuwe boom waar de oude eik stond",
		text: "Bij de storm van vorige maand is de grote eik op de hoek van de Beukenlaan en de Dorpsstraat omgewaaid. De stronk is weg, maar er staat nog niets terug. " +
			"Plant er alstublieft weer een boom, het liefst een die later ook groot wordt."},
	{daysAgo: 3, hour: 8, author: 6, theme: themeTiles, wijk: "Zuid", place: "Parkeerplaats bij het winkelcentrum", supports: 2,
		title: "Bomen op de parkeerplaats bij het winkelcentrum",
		text: "De parkeerplaats bij het winkelcentrum is in de zomer bloedheet. Er staat geen enkele boom. " +
			"Als je om de paar parkeervakken een boom plant, blijft het er koeler en ziet het er veel vriendelijker uit."},
}

var boardComments = []demoComment{
	{idea: 1, author: 12, daysAgo: 35, hour: 8, replyTo: -1, body: "Goed idee! Mijn kinderen spelen daar elke dag. Vorige zomer was het er soms echt te heet om buiten te zijn."},
	{idea: 1, author: 19, daysAgo: 34, hour: 21, replyTo: -1, body: "Let wel op dat de bomen niet te dicht bij de huizen komen. Wij hebben nu al veel blad in de dakgoot."},
	{idea: 1, author: 7, daysAgo: 34, hour: 22, replyTo: 1, body: "Dat begrijp ik. Aan de kant van het fietspad staan geen huizen, daar is volgens mij genoeg ruimte."},
	{idea: 1, author: 0, daysAgo: 9, hour: 12, replyTo: -1, body: "Fijn dat het doorgaat! Komen er ook bankjes onder de bomen?"},
	{idea: 1, author: 21, daysAgo: 8, hour: 9, replyTo: 3, body: "Dat zou mooi zijn. Dan kunnen opa's en oma's ook in de schaduw zitten."},
	{idea: 5, author: 3, daysAgo: 26, hour: 7, replyTo: -1, body: "Ja, graag! Ook handig voor de hond op warme dagen."},
	{idea: 7, author: 14, daysAgo: 22, hour: 10, replyTo: -1, body: "Ik ben het er niet mee eens. Mijn moeder loopt slecht en kan alleen naar de kerk als we vlak bij de deur kunnen parkeren."},
	{idea: 7, author: 9, daysAgo: 22, hour: 18, replyTo: 6, body: "Dat is een goed punt. Een paar plekken voor mensen met een gehandicaptenparkeerkaart kunnen wat mij betreft blijven."},
	{idea: 7, author: 23, daysAgo: 21, hour: 20, replyTo: -1, body: "Ik zou het pleintje heel graag groen zien. Nu rijden er vooral auto's rondjes op zoek naar een plek."},
	{idea: 9, author: 4, daysAgo: 17, hour: 19, replyTo: -1, body: "Ik doe graag mee! Ik heb zelf geen tuin, alleen een balkon."},
	{idea: 9, author: 17, daysAgo: 17, hour: 21, replyTo: 9, body: "Wat leuk! Wij houden binnenkort een eerste buurtavond. Let op de brief in uw brievenbus."},
	{idea: 9, author: 8, daysAgo: 15, hour: 11, replyTo: -1, body: "Is er op dat veld wel genoeg zon? De sporthal staat aan de zuidkant."},
	{idea: 9, author: 16, daysAgo: 10, hour: 14, replyTo: -1, body: "Mooi plan. Misschien kan de basisschool een eigen bak krijgen, zodat kinderen leren hoe groente groeit."},
	{idea: 13, author: 2, daysAgo: 6, hour: 20, replyTo: -1, body: "Bij het idee over het losloopgebied staat dat er al een laag hek tussen het speelveld en de honden komt."},
}

// seedIdeas adds the idea board of "Groen in de wijk", with ideas in every
// status answered by a demo editor, and a small pre-moderated board on the
// playground project with one idea waiting for a moderator. Everything
// goes through the idea service, on a copy whose clock walks through the
// past weeks, so the counters and rules hold as they would have.
func seedIdeas(ctx context.Context, db *store.DB, ideas *idea.Service, mod *moderation.Service, staffIssuer string, ids map[string]int64, now time.Time) error {
	var at time.Time
	clock := func() time.Time { return at }
	svc := ideas.WithClock(clock)
	if mod != nil {
		mod = mod.WithClock(clock)
		svc = svc.WithModeration(mod)
	}
	ago := func(days, hour int) time.Time { return day(now, -days).Add(time.Duration(hour) * time.Hour).UTC() }

	staffID, err := demoEditor(ctx, db, staffIssuer, day(now, -60))
	if err != nil {
		return err
	}
	actors, err := demoActors(ctx, db)
	if err != nil {
		return err
	}

	at = ago(43, 9)
	opens := day(now, -42)
	board, err := svc.CreateBoard(ctx, seedActor, idea.BoardDraft{
		ProjectID: ids["groen-in-de-wijk"], Slug: "ideeenbord", Title: "Uw ideeën voor meer groen",
		Description: "Heeft u een idee om uw straat of wijk groener te maken? Zet het op het ideeënbord. " +
			"Steun de ideeën van anderen en praat mee. De gemeente reageert op elk idee.",
		Published: true, Themes: boardThemes,
		Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: closesAt(now, 20)},
		Board: idea.Board{Moderation: idea.PostModeration},
	})
	if err != nil {
		return fmt.Errorf("demo: idea board: %w", err)
	}
	ideaIDs := make([]int64, len(boardIdeas))
	for n, d := range boardIdeas {
		at = ago(d.daysAgo, d.hour)
		theme := board.Themes[d.theme].ID
		i, err := svc.Submit(ctx, board.InstrumentID, actors[d.author], idea.Draft{Title: d.title, Description: d.text,
			ThemeID: &theme, Wijk: d.wijk, Location: d.place})
		if err != nil {
			return fmt.Errorf("demo: idea %q: %w", d.title, err)
		}
		ideaIDs[n] = i.ID
		// Supports trickle in between submission and today, from the
		// participants after the author (never the author).
		from, until := at, day(now, 0)
		if d.withdrawnAgo > 0 {
			until = ago(d.withdrawnAgo, 0)
		}
		for k := 0; k < d.supports; k++ {
			at = from.Add(until.Sub(from) * time.Duration(k+1) / time.Duration(d.supports+1))
			if err := svc.Support(ctx, i.ID, actors[(d.author+1+k)%len(actors)]); err != nil {
				return fmt.Errorf("demo: support %q: %w", d.title, err)
			}
		}
	}
	// Comments before status changes and withdrawals: a withdrawn idea
	// takes no more comments.
	commentIDs := make([]int64, len(boardComments))
	for n, c := range boardComments {
		at = ago(c.daysAgo, c.hour)
		var parent *int64
		if c.replyTo >= 0 {
			parent = &commentIDs[c.replyTo]
		}
		cm, err := svc.Comment(ctx, ideaIDs[c.idea], parent, actors[c.author], c.body)
		if err != nil {
			return fmt.Errorf("demo: comment %d: %w", n, err)
		}
		commentIDs[n] = cm.ID
	}
	for n, d := range boardIdeas {
		for _, s := range d.steps {
			at = ago(s.daysAgo, 11)
			if err := svc.SetStatus(ctx, identity.Actor{StaffID: staffID, Roles: []identity.Role{identity.RoleEditor}}, ideaIDs[n], s.status, s.response); err != nil {
				return fmt.Errorf("demo: status %q: %w", d.title, err)
			}
		}
		if d.withdrawnAgo > 0 {
			at = ago(d.withdrawnAgo, 22)
			if err := svc.Withdraw(ctx, ideaIDs[n], actors[d.author]); err != nil {
				return fmt.Errorf("demo: withdraw %q: %w", d.title, err)
			}
		}
	}

	// The playground board is pre-moderated: its one idea waits.
	at = ago(37, 9)
	playOpens := day(now, -36)
	play, err := svc.CreateBoard(ctx, seedActor, idea.BoardDraft{
		ProjectID: ids["speeltuin-de-brink"], Slug: "ideeen-speeltuin", Title: "Ideeën voor de speeltuin",
		Description: "Wat wilt u in de nieuwe speeltuin? Een moderator bekijkt elk idee voordat het op het bord komt.",
		Published:   true, Themes: []string{"Speeltoestellen", "Groen en zitten"},
		Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &playOpens, ClosesAt: closesAt(now, 40)},
		Board: idea.Board{Moderation: idea.PreModeration},
	})
	if err != nil {
		return fmt.Errorf("demo: idea board: %w", err)
	}
	at = ago(1, 20)
	theme := play.Themes[0].ID
	if _, err := svc.Submit(ctx, play.InstrumentID, actors[14], idea.Draft{Title: "Een schommel voor kinderen in een rolstoel",
		Description: "Mijn dochter zit in een rolstoel en kan in geen enkele speeltuin in de buurt schommelen. " +
			"Een rolstoelschommel of een grote nestschommel zou voor haar en andere kinderen een groot verschil maken.",
		ThemeID: &theme, Wijk: "De Brink", Location: "Speeltuin De Brink"}); err != nil {
		return fmt.Errorf("demo: idea: %w", err)
	}
	if mod == nil {
		return nil
	}
	return seedModeration(ctx, db, svc, mod, staffIssuer, actors, board, play, ideaIDs, commentIDs, func(t time.Time) { at = t }, ago)
}

// demoEditor returns the demo editor's staff id, adding the row when it
// is not there yet.
func demoEditor(ctx context.Context, db *store.DB, issuer string, since time.Time) (int64, error) {
	var m identity.StaffMember
	err := db.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, StaffSubject).Take(&m).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		m = identity.StaffMember{Issuer: issuer, Subject: StaffSubject, Name: "Redactie (demo)",
			Roles: string(identity.RoleEditor), CreatedAt: since, LastLoginAt: since}
		err = db.WithContext(ctx).Create(&m).Error
	}
	return m.ID, err
}

// demoActors returns the demo participants made by seedPolls, in order.
func demoActors(ctx context.Context, db *store.DB) ([]idea.Actor, error) {
	var ps []identity.Participant
	if err := db.WithContext(ctx).Where("subject LIKE ?", "demo-deelnemer-%").Order("subject").Find(&ps).Error; err != nil {
		return nil, err
	}
	if len(ps) < 24 {
		return nil, fmt.Errorf("demo: %d demo participants, want 24", len(ps))
	}
	out := make([]idea.Actor, len(ps))
	for i, p := range ps {
		out[i] = idea.Actor{ParticipantID: p.ID, Subject: p.Subject,
			Person: instrument.Person{LoggedIn: true, Means: p.Means, LoA: p.LoA}}
	}
	return out, nil
}
