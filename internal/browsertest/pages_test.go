//go:build browser

package browsertest

import (
	"net/http"
	"net/url"

	"inspraak/internal/notify"
)

// field is one form field a page entry fills in before its click.
type field struct{ id, value string }

// tick as a field value ticks the checkbox with that id.
const tick = "[x]"

// pseudonymKey is the app's INSPRAAK_PSEUDONYM_KEY in the browser check,
// fixed so the pages below can carry a valid unsubscribe link.
const pseudonymKey = "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap-browser"

// unsubscribePath is the unsubscribe link of the first demo participant.
func unsubscribePath(scope string) string {
	svc := notify.NewService(notify.Options{BaseURL: &url.URL{Scheme: "http", Host: "localhost"}, Key: []byte(pseudonymKey)})
	return "/afmelden?token=" + url.QueryEscape(svc.UnsubscribeToken(1, scope))
}

// page is one entry of the browser check.
type page struct {
	// name names the subtest and the screenshots (<name>-desktop.png).
	name string
	// login is who the tab logs in as, through the UI, before it opens
	// path (see login_test.go). Empty: the tab stays anonymous.
	login who
	// path is what the browser opens. It may redirect; the checks apply to
	// the page the browser ends on.
	path string
	// click, if set, is the text of a button inside <main> on path. The
	// browser clicks it, and the checks apply to the page the click leads
	// to: for pages that are only reached by a form, such as the login
	// provider's page.
	click string
	// fill, if set, is typed into fields (by id) before click; the value
	// tick ticks a checkbox instead.
	fill []field
	// endsAt, if set, is the path (without query) the browser must end on.
	endsAt string
	// status is the expected HTTP status of the final document.
	status int
	// h1 is the expected text of the page's only h1 (whitespace collapsed).
	h1 string
	// contains lists other texts that must be visible on the page.
	contains []string
	// lang is the expected <html lang>; empty means "nl".
	lang string
}

// pages is every page the browser check visits. ADD NEW PAGES HERE: one
// entry per public page (and per notable state of a page, such as a
// filtered list or a closed project). The demo content of internal/demo is
// in the database, so its slugs and titles can be used.
var pages = []page{
	{name: "home", path: "/", status: http.StatusOK,
		h1: "Denk mee met Gemeente Voorbeeld", contains: []string{"Een nieuw Marktplein"}},
	{name: "projects", path: "/projecten", status: http.StatusOK,
		h1: "Projecten", contains: []string{"Een nieuw Marktplein", "Afval scheiden: hoe kan het makkelijker?"}},
	{name: "projects-closed", path: "/projecten?status=afgerond", status: http.StatusOK,
		h1: "Projecten", contains: []string{"Afval scheiden: hoe kan het makkelijker?"}},
	{name: "project-open", path: "/projecten/herinrichting-marktplein", status: http.StatusOK,
		h1: "Een nieuw Marktplein", contains: []string{"Planning", "Vragenlijst over het schetsontwerp"}},
	{name: "project-closed", path: "/projecten/afval-scheiden", status: http.StatusOK,
		h1: "Afval scheiden: hoe kan het makkelijker?", contains: []string{"Afgerond"}},
	{name: "privacy", path: "/privacy", status: http.StatusOK, h1: "Privacyverklaring"},
	{name: "accessibility", path: "/toegankelijkheid", status: http.StatusOK, h1: "Toegankelijkheid"},
	{name: "not-found", path: "/bestaat-niet", status: http.StatusNotFound, h1: "Deze pagina bestaat niet"},
	{name: "server-error", path: "/test/panic", status: http.StatusInternalServerError, h1: "Er ging iets mis"},
	// The language switch sets a cookie and redirects back to the home page.
	{name: "home-en", path: "/taal/en?terug=/", status: http.StatusOK,
		h1: "Have your say in Gemeente Voorbeeld", lang: "en"},

	// Residents and businesses log in.
	{name: "login", path: "/inloggen", status: http.StatusOK,
		h1: "Inloggen", contains: []string{"Inloggen met DigiD", "Inloggen met eHerkenning"}},
	{name: "login-cancelled", path: "/inloggen?reden=cancelled", status: http.StatusUnauthorized,
		h1: "Inloggen", contains: []string{"Inloggen geannuleerd"}},
	{name: "idp-digid", path: "/inloggen", click: "Inloggen met DigiD", endsAt: "/dev/idp/authorize", status: http.StatusOK,
		h1: "Inloggen met DigiD (test)", contains: []string{"Test-BSN", "Annuleren"}},
	{name: "idp-eherkenning", path: "/inloggen", click: "Inloggen met eHerkenning", endsAt: "/dev/idp/authorize", status: http.StatusOK,
		h1: "Inloggen met eHerkenning (test)", contains: []string{"Test-KVK-nummer", "Annuleren"}},
	{name: "login-name", login: newResident, path: "/inloggen/naam", status: http.StatusOK,
		h1: "Welke naam wilt u laten zien?", contains: []string{"Naam opslaan"}},
	{name: "my", login: resident, path: "/mijn-inspraak", status: http.StatusOK,
		h1: "Mijn inspraak", contains: []string{residentName, "DigiD"}},
	// Notifications: the list and the e-mail form, its errors, the state
	// after giving an address (with the choice of kinds), unsubscribing.
	{name: "notifications", login: resident, path: "/mijn-inspraak/meldingen", status: http.StatusOK,
		h1: "Meldingen", contains: []string{"Uw berichten", "U heeft nog geen berichten.", "Berichten per e-mail"}},
	{name: "notifications-errors", login: resident, path: "/mijn-inspraak/meldingen", click: "E-mailadres opslaan",
		status: http.StatusUnprocessableEntity, h1: "Meldingen", contains: []string{"Er is iets niet goed ingevuld", "Zet een vinkje"}},
	{name: "notifications-address", login: resident, path: "/mijn-inspraak/meldingen", click: "E-mailadres opslaan",
		fill: []field{{"email", "anne@voorbeeld.nl"}, {"toestemming", tick}}, endsAt: "/mijn-inspraak/meldingen", status: http.StatusOK,
		h1: "Meldingen", contains: []string{"Wij hebben u een e-mail gestuurd", "Waarover wilt u e-mail krijgen?", "E-mailadres verwijderen"}},
	{name: "unsubscribe", path: unsubscribePath("reply"), status: http.StatusOK,
		h1: "Afmelden voor e-mail", contains: []string{"Afmelden voor deze e-mail", "Afmelden voor alle e-mail"}},
	{name: "unsubscribe-done", path: unsubscribePath("results"), click: "Afmelden voor deze e-mail", endsAt: "/afmelden", status: http.StatusOK,
		h1: "U bent afgemeld", contains: []string{"U krijgt geen e-mail meer over uitkomsten van een project dat u volgt."}},
	{name: "unsubscribe-invalid", path: "/afmelden?token=1.reply.vervalst", status: http.StatusUnprocessableEntity,
		h1: "Dit lukt niet", contains: []string{"Deze afmeldlink werkt niet"}},
	{name: "project-follow", login: resident, path: "/projecten/herinrichting-marktplein", status: http.StatusOK,
		h1: "Een nieuw Marktplein", contains: []string{"Volg dit project"}},
	{name: "project-following", login: resident, path: "/projecten/herinrichting-marktplein", click: "Volg dit project",
		endsAt: "/projecten/herinrichting-marktplein", status: http.StatusOK,
		h1: "Een nieuw Marktplein", contains: []string{"U volgt dit project.", "Niet meer volgen"}},
	{name: "dev-outbox", path: "/dev/outbox", status: http.StatusOK, h1: "E-mail van de website (test)"},
	{name: "logout", login: resident, path: "/uitloggen", status: http.StatusOK, h1: "Wilt u uitloggen?"},
	// Logging out for real: the local session ends, then the provider's.
	{name: "logged-out", login: resident, path: "/uitloggen", click: "Uitloggen", endsAt: "/uitgelogd", status: http.StatusOK,
		h1: "U bent uitgelogd"},
	{name: "logged-out-direct", path: "/uitgelogd", status: http.StatusOK, h1: "U bent uitgelogd"},

	// Staff log in with their work account.
	{name: "staff-login", path: "/beheer/inloggen", status: http.StatusOK,
		h1: "Inloggen voor medewerkers", contains: []string{"Inloggen met werkaccount"}},
	{name: "idp-staff", path: "/beheer/inloggen", click: "Inloggen met werkaccount", endsAt: "/dev/idp/authorize", status: http.StatusOK,
		h1: "Inloggen met werkaccount (test)", contains: []string{"inspraak-beheerders"}},
	{name: "staff-home", login: admin, path: "/beheer", status: http.StatusOK,
		h1: "Beheer", contains: []string{"Welkom", "Functioneel beheerder", "Medewerkers", "Auditlog"}},
	{name: "staff-members", login: admin, path: "/beheer/medewerkers", status: http.StatusOK,
		h1: "Medewerkers", contains: []string{staffName}},
	{name: "staff-audit", login: admin, path: "/beheer/audit", status: http.StatusOK,
		h1: "Auditlog", contains: []string{"login"}},
	// Polls: what a visitor sees, what a resident sees, and voting itself.
	{name: "poll-anonymous", path: "/projecten/veilig-naar-school/welke-plek-eerst", status: http.StatusOK,
		h1: "Welke plek pakken we als eerste aan?", contains: []string{"Log in om mee te doen."}},
	{name: "poll-resident", login: resident, path: "/projecten/veilig-naar-school/welke-plek-eerst", status: http.StatusOK,
		h1: "Welke plek pakken we als eerste aan?", contains: []string{"Kies één antwoord.", "Stem"}},
	{name: "poll-multiple", login: resident, path: "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein", status: http.StatusOK,
		h1: "Wat wilt u vooral op het plein?", contains: []string{"Kies hoogstens 2 antwoorden."}},
	{name: "poll-error", login: resident, path: "/projecten/veilig-naar-school/welke-plek-eerst", click: "Stem", status: http.StatusUnprocessableEntity,
		h1: "Welke plek pakken we als eerste aan?", contains: []string{"Kies een antwoord."}},
	// Consultations: every question type, the error summary, the receipt.
	{name: "consultation-anonymous", path: "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp", status: http.StatusOK,
		h1: "Vragenlijst over het schetsontwerp", contains: []string{"Dit zijn de vragen"}},
	{name: "consultation-resident", login: resident, path: "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp", status: http.StatusOK,
		h1: "Vragenlijst over het schetsontwerp", contains: []string{"Welk schetsontwerp vindt u het beste?", "Versturen"}},
	{name: "consultation-errors", login: resident, path: "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp", click: "Versturen", status: http.StatusUnprocessableEntity,
		h1: "Vragenlijst over het schetsontwerp", contains: []string{"Er is iets niet goed ingevuld", "Kies een antwoord."}},
	// Participatory budgeting: the letter code page (no login), its
	// refusal of a look-alike, and the stembureau's start page.
	{name: "budget-code", path: "/stemcode", status: http.StatusOK,
		h1: "Stemmen met de code uit uw brief", contains: []string{"Uw code", "Geen code?"}},
	{name: "budget-code-error", path: "/stemcode", click: "Verder met stemmen", fill: []field{{"code", "abcd-efgh-jkl0"}},
		status: http.StatusUnprocessableEntity, h1: "Stemmen met de code uit uw brief",
		contains: []string{"Er is iets niet goed ingevuld", "In een code staan geen 0 (nul), O, 1 (een) of I"}},
	{name: "budget-stand-list", login: admin, path: "/beheer/stembureau", status: http.StatusOK,
		h1: "Stembureau", contains: []string{"Stembureau openen", "Stembiljetten op papier"}},
	// Editors' back office (admin holds the editor permission too).
	{name: "editor-projects", login: admin, path: "/beheer/projecten", status: http.StatusOK,
		h1: "Projecten beheren", contains: []string{"Een nieuw Marktplein"}},
	{name: "editor-project-new", login: admin, path: "/beheer/projecten/nieuw", status: http.StatusOK,
		h1: "Nieuw project", contains: []string{"Webadres", "Planning"}},
	{name: "editor-project-invalid", login: admin, path: "/beheer/projecten/nieuw", click: "Opslaan", status: http.StatusUnprocessableEntity,
		h1: "Nieuw project", contains: []string{"Er is iets niet goed ingevuld"}},
	{name: "editor-project-edit", login: admin, path: "/beheer/projecten/1", status: http.StatusOK,
		h1: "Project bewerken: Een nieuw Marktplein", contains: []string{"Nieuwe peiling"}},
	{name: "editor-consultation-new", login: admin, path: "/beheer/projecten/1/vragenlijsten/nieuw", status: http.StatusOK,
		h1: "Nieuwe vragenlijst", contains: []string{"Eén vraag per scherm"}},
	{name: "editor-consultation-questions", login: admin, path: "/beheer/projecten/1/vragenlijsten/3", status: http.StatusOK,
		h1: "Vragenlijst: Vragenlijst over het schetsontwerp", contains: []string{"Vraag toevoegen", "Ontwerp A: veel groen"}},
	{name: "editor-consultation-preview", login: admin, path: "/beheer/projecten/1/vragenlijsten/3/voorbeeld", status: http.StatusOK,
		h1: "Vragenlijst over het schetsontwerp", contains: []string{"Dit is een voorbeeld"}},
	{name: "editor-poll-new", login: admin, path: "/beheer/projecten/1/peilingen/nieuw", status: http.StatusOK,
		h1: "Nieuwe peiling", contains: []string{"Wie mag meedoen, en wanneer"}},
	// Editing after creating: a poll with votes, its refused form, and
	// the settings every instrument kind shares.
	{name: "editor-poll-edit", login: admin, path: "/beheer/projecten/1/peilingen/2", status: http.StatusOK,
		h1: "Peiling: Wat wilt u vooral op het plein?", contains: []string{"mensen hebben gestemd.", "Kan niet weg: hierop is al gestemd.", "Kiezen en uitslag"}},
	{name: "editor-poll-edit-invalid", login: admin, path: "/beheer/projecten/1/peilingen/2", click: "Antwoord toevoegen", status: http.StatusUnprocessableEntity,
		h1: "Peiling: Wat wilt u vooral op het plein?", contains: []string{"Er is iets niet goed ingevuld", "Vul het antwoord in."}},
	{name: "editor-settings-poll", login: admin, path: "/beheer/projecten/1/instrumenten/2/instellingen", status: http.StatusOK,
		h1: "Instellingen: Wat wilt u vooral op het plein?", contains: []string{"Dit ligt vast.", "Wie mag meedoen, en wanneer"}},
	{name: "editor-settings-consultation", login: admin, path: "/beheer/projecten/1/instrumenten/3/instellingen", status: http.StatusOK,
		h1: "Instellingen: Vragenlijst over het schetsontwerp", contains: []string{"Vragenlijst", "Dit ligt vast."}},
	// Idea boards: the board (random order, filtered), an idea with its
	// status history and comments, the forms, and the editors' side.
	{name: "board-anonymous", path: "/projecten/groen-in-de-wijk/ideeenbord", status: http.StatusOK,
		h1: "Uw ideeën voor meer groen", contains: []string{"15 ideeën", "willekeurige volgorde", "Log in om mee te doen."}},
	{name: "board-filtered", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord?status=accepted&sorteer=steun", status: http.StatusOK,
		h1: "Uw ideeën voor meer groen", contains: []string{"3 ideeën", "Bomen rond het speelveld aan de Lindelaan", "Steun dit idee"}},
	{name: "board-search", path: "/projecten/groen-in-de-wijk/ideeenbord?zoek=bomen", status: http.StatusOK,
		h1: "Uw ideeën voor meer groen", contains: []string{"gevonden voor ‘bomen’", "Bomen rond het speelveld aan de Lindelaan", "Toon weer alle ideeën"}},
	{name: "board-search-none", path: "/projecten/groen-in-de-wijk/ideeenbord?zoek=xyzzy&thema=1", status: http.StatusOK,
		h1: "Uw ideeën voor meer groen", contains: []string{"0 ideeën gevonden voor ‘xyzzy’", "Er zijn geen ideeën met dit woord"}},
	{name: "idea-anonymous", path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2", status: http.StatusOK,
		h1: "Bomen rond het speelveld aan de Lindelaan", contains: []string{"Aangenomen", "Reactie van de gemeente", "Wat er met dit idee gebeurt"}},
	{name: "idea-resident", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2", status: http.StatusOK,
		h1: "Bomen rond het speelveld aan de Lindelaan", contains: []string{"Steun dit idee", "Reageer op dit idee", "Reageer hierop"}},
	{name: "idea-comment-error", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/ideeen/2", click: "Plaats reactie", status: http.StatusUnprocessableEntity,
		h1: "Bomen rond het speelveld aan de Lindelaan", contains: []string{"Er is iets niet goed ingevuld", "Schrijf eerst uw reactie."}},
	{name: "idea-new", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/nieuw-idee", status: http.StatusOK,
		h1: "Stuur een idee in", contains: []string{"Titel", "Beschrijving", "Thema"}},
	{name: "idea-new-errors", login: resident, path: "/projecten/groen-in-de-wijk/ideeenbord/nieuw-idee", click: "Idee insturen", status: http.StatusUnprocessableEntity,
		h1: "Stuur een idee in", contains: []string{"Er is iets niet goed ingevuld", "Geef uw idee een titel."}},
	{name: "my-erase", login: resident, path: "/mijn-inspraak/verwijderen", status: http.StatusOK,
		h1: "Verwijder mijn gegevens", contains: []string{"Uw ideeën blijven staan, zonder uw naam."}},
	{name: "my-erase-unconfirmed", login: resident, path: "/mijn-inspraak/verwijderen", click: "Verwijder mijn gegevens", status: http.StatusUnprocessableEntity,
		h1: "Verwijder mijn gegevens", contains: []string{"Zet een vinkje"}},
	{name: "editor-board-new", login: admin, path: "/beheer/projecten/6/ideeenborden/nieuw", status: http.StatusOK,
		h1: "Nieuw ideeënbord", contains: []string{"Thema's", "Steunen en reageren"}},
	{name: "editor-board-invalid", login: admin, path: "/beheer/projecten/6/ideeenborden/nieuw", click: "Opslaan", status: http.StatusUnprocessableEntity,
		h1: "Nieuw ideeënbord", contains: []string{"Er is iets niet goed ingevuld"}},
	{name: "editor-board-ideas", login: admin, path: "/beheer/projecten/6/ideeenborden/4", status: http.StatusOK,
		h1: "Uw ideeën voor meer groen", contains: []string{"17 ideeën", "Ingetrokken"}},
	{name: "editor-board-settings", login: admin, path: "/beheer/projecten/6/ideeenborden/4/instellingen", status: http.StatusOK,
		h1: "Instellingen ideeënbord: Uw ideeën voor meer groen", contains: []string{"Nieuw thema", "Steunen en reageren"}},
	{name: "editor-idea", login: admin, path: "/beheer/projecten/6/ideeenborden/4/ideeen/10", status: http.StatusOK,
		h1: "Buurtmoestuin op het lege veld achter de sporthal", contains: []string{"Status en reactie van de gemeente"}},
	{name: "editor-idea-invalid", login: admin, path: "/beheer/projecten/6/ideeenborden/4/ideeen/10", click: "Status opslaan", status: http.StatusUnprocessableEntity,
		h1: "Buurtmoestuin op het lege veld achter de sporthal", contains: []string{"Schrijf een reactie van de gemeente."}},
	// A staff member in none of the groups may not see /beheer at all.
	{name: "staff-no-role", login: staffNoRole, path: "/beheer", status: http.StatusForbidden,
		h1: "U mag dit niet doen", contains: []string{"niet de rol"}},
}

// viewport is a screen size every page is checked at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
	scale         float64
}

var viewports = []viewport{
	{name: "desktop", width: 1280, height: 900, scale: 1},
	{name: "phone", width: 375, height: 812, mobile: true, scale: 2},
}
