package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"inspraak/internal/testdb"
)

// The demo's school poll: project 2, instrument 1, single choice, votes
// on every option, results after voting.
const (
	schoolPollEdit = "/beheer/projecten/2/peilingen/1"
	schoolSettings = "/beheer/projecten/2/instrumenten/1/instellingen"
)

var (
	relabelAction = regexp.MustCompile(`action="(/beheer/projecten/2/peilingen/1/antwoorden/(\d+))"`)
	removeAction  = regexp.MustCompile(`action="(/beheer/projecten/2/peilingen/1/antwoorden/\d+/verwijderen)"`)
)

func auditDetails(t *testing.T, s *testSite, action string) []string {
	t.Helper()
	var details []string
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND actor_kind = ?", action, "staff").Order("id").Pluck("detail", &details).Error)
	return details
}

func instrumentUpdatedAt(t *testing.T, s *testSite, id int64) time.Time {
	t.Helper()
	var at time.Time
	if err := s.App.DB.Table("instruments").Where("id = ?", id).Select("updated_at").Row().Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at
}

func TestEditorEditsAPollThatHasVotes(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	wantContains(t, ed.get("/beheer/projecten/2"), `href="`+schoolPollEdit+`"`, `href="`+schoolSettings+`"`)

	var voters int64
	testdb.NoError(t, s.App.DB.Table("ballots").Where("instrument_id = 1").Count(&voters).Error)
	var votes []int64 // per option, in their order
	testdb.NoError(t, s.App.DB.Raw(`SELECT COALESCE(SUM(t.votes), 0) FROM poll_options o LEFT JOIN poll_tallies t ON t.option_id = o.id
WHERE o.instrument_id = 1 GROUP BY o.id, o.position ORDER BY o.position`).Scan(&votes).Error)
	page := ed.get(schoolPollEdit)
	wantStatus(t, page, 200)
	wantContains(t, page, "Peiling: Welke plek pakken we als eerste aan?", fmt.Sprintf("%d mensen hebben gestemd.", voters),
		fmt.Sprintf("%d stemmen", votes[0]), fmt.Sprintf("%d stemmen", votes[3]), "Kan niet weg: hierop is al gestemd.", "Welke plek moet als eerste veiliger worden?")
	options := relabelAction.FindAllStringSubmatch(page.Body, -1)
	if len(options) != 4 {
		t.Fatalf("%d option forms, want 4", len(options))
	}
	// Every option has votes: none offers removal.
	if removes := removeAction.FindAllStringSubmatch(page.Body, -1); len(removes) != 0 {
		t.Fatalf("remove buttons: %v", removes)
	}

	// Rewording the question: refused when empty, audited with both texts.
	before := instrumentUpdatedAt(t, s, 1)
	empty := ed.post(schoolPollEdit+"/vraag", url.Values{"vraag": {"  "}})
	wantStatus(t, empty, 422)
	wantContains(t, empty, "Er is iets niet goed ingevuld", `href="#question"`, "Vul de vraag in.", `aria-invalid="true"`)
	if !instrumentUpdatedAt(t, s, 1).Equal(before) {
		t.Fatal("a refused edit moved updated_at")
	}
	wantStatus(t, ed.post(schoolPollEdit+"/vraag", url.Values{"vraag": {"Welke plek moet als eerste echt veiliger worden?"}}), 303)
	wantContains(t, ed.get(schoolPollEdit), "Opgeslagen.", "Welke plek moet als eerste echt veiliger worden?")
	wantContains(t, s.get(t, schoolPoll), "Welke plek moet als eerste echt veiliger worden?")
	if d := auditDetails(t, s, "poll.question_reword"); len(d) != 1 ||
		!strings.Contains(d[0], `"from":"Welke plek moet als eerste veiliger worden?"`) || !strings.Contains(d[0], `"to":"Welke plek moet als eerste echt veiliger worden?"`) {
		t.Fatalf("reword audit: %v", d)
	}
	if !instrumentUpdatedAt(t, s, 1).After(before) {
		t.Fatal("rewording did not move updated_at")
	}

	// An option's wording may change although it has votes.
	wantStatus(t, ed.post(options[0][1], url.Values{"antwoord": {"Kruising Schoolstraat / Kerkweg"}}), 303)
	if d := auditDetails(t, s, "poll.option_relabel"); len(d) != 1 || !strings.Contains(d[0], `"from":"Kruising Schoolstraat en Kerkweg"`) || !strings.Contains(d[0], fmt.Sprintf(`"votes":%d`, votes[0])) {
		t.Fatalf("relabel audit: %v", d)
	}
	bad := ed.post(options[1][1], url.Values{"antwoord": {""}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#option-`+options[1][2]+`"`, "Vul het antwoord in.")

	// Removing an option people chose is refused, with the reason beside it.
	refused := ed.post(options[0][1]+"/verwijderen", nil)
	wantStatus(t, refused, 422)
	wantContains(t, refused, `href="#option-`+options[0][2]+`"`, "Op dit antwoord is al gestemd. Daarom kan het niet weg.")
	// A new option comes at the end; one nobody chose yet (added by
	// mistake) offers removal, and goes.
	wantStatus(t, ed.post(schoolPollEdit+"/antwoorden", url.Values{"antwoord": {"Zebrapad bij de schol"}}), 303)
	removes := removeAction.FindAllStringSubmatch(ed.get(schoolPollEdit).Body, -1)
	if len(removes) != 1 {
		t.Fatalf("remove buttons after adding an option: %v", removes)
	}
	wantStatus(t, ed.post(removes[0][1], nil), 303)
	wantStatus(t, ed.post(schoolPollEdit+"/antwoorden", url.Values{"antwoord": {"Zebrapad bij de school"}}), 303)
	after := ed.get(schoolPollEdit)
	wantContains(t, after, "Kruising Schoolstraat / Kerkweg", "Fietspad langs de Molenbeek", "Zebrapad bij de school")
	wantNotContains(t, after, "Zebrapad bij de schol\"", "Zebrapad bij de schol<")

	// Single or multiple choice is fixed now; a lower maximum too; the
	// visibility of results may change.
	multi := ed.post(schoolPollEdit+"/keuze", url.Values{"meerkeuze": {"true"}, "maximum": {"2"}, "zichtbaarheid": {"after_vote"}})
	wantStatus(t, multi, 422)
	wantContains(t, multi, `href="#meerkeuze"`, "niet meer wisselen tussen één antwoord en meer antwoorden", `id="meerkeuze-fout"`)
	notNumber := ed.post(schoolPollEdit+"/keuze", url.Values{"maximum": {"twee"}, "zichtbaarheid": {"after_vote"}})
	wantStatus(t, notNumber, 422)
	wantContains(t, notNumber, `href="#maximum"`, "Vul een getal in van 0 tot 30", `value="twee"`)
	wantStatus(t, ed.post(schoolPollEdit+"/keuze", url.Values{"maximum": {"1"}, "zichtbaarheid": {"after_close"}}), 303)

	// A resident sees the new option and can vote for it.
	res := newBrowser(t, s)
	res.loginDigiD(testBSN, loaMid, schoolPoll)
	vote := res.follow(res.post("/inloggen/naam", url.Values{"naam": {"Fietser"}, "terug": {schoolPoll}}))
	wantContains(t, vote, "Zebrapad bij de school", "De uitslag komt hier als de peiling gesloten is.")
	ids := optionIDs(t, vote.Body)
	voted := res.follow(res.post(schoolPoll+"/stem", url.Values{"keuze": {ids[len(ids)-1]}}))
	wantContains(t, voted, "Uw stem is opgeslagen", "Zebrapad bij de school.")
	wantContains(t, ed.get(schoolPollEdit), fmt.Sprintf("%d mensen hebben gestemd.", voters+1), "1 stem")

	for action, want := range map[string]int{"poll.option_remove": 1, "poll.option_add": 2, "poll.choice": 1} {
		if got := len(auditDetails(t, s, action)); got != want {
			t.Errorf("%s audited %d times, want %d", action, got, want)
		}
	}
}

func TestEditorChangesAnInstrumentsSettings(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	const settings = "/beheer/projecten/1/instrumenten/3/instellingen"
	wantContains(t, ed.get("/beheer/projecten/1/vragenlijsten/3"), `href="`+settings+`"`)
	page := ed.get(settings)
	wantStatus(t, page, 200)
	wantContains(t, page, "Instellingen: Vragenlijst over het schetsontwerp", `value="Vragenlijst over het schetsontwerp"`,
		"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp. Dit ligt vast.", "Wie mag meedoen, en wanneer")
	before := instrumentUpdatedAt(t, s, 3)

	form := url.Values{"titel": {""}, "uitleg": {"Wat vindt u van de schetsen?"}, "wie": {"digid"}, "minimumleeftijd": {"achttien"},
		"opent": {"2026-12-01T09:00"}, "sluit": {"2026-11-01T17:00"}}
	bad := ed.post(settings, form)
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#title"`, "Vul een titel in.", `href="#minimumleeftijd"`, "Vul een leeftijd in van 0 tot 120", `value="achttien"`)
	form.Set("titel", "Wat vindt u van het schetsontwerp?")
	form.Set("minimumleeftijd", "16")
	bad = ed.post(settings, form)
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#sluit"`, "De sluitingstijd moet na de openingstijd liggen.", `value="Wat vindt u van het schetsontwerp?"`)
	var title string
	testdb.NoError(t, s.App.DB.Table("instruments").Where("id = 3").Select("title").Scan(&title).Error)
	if title != "Vragenlijst over het schetsontwerp" || !instrumentUpdatedAt(t, s, 3).Equal(before) {
		t.Fatalf("a refused form changed the instrument: %q", title)
	}

	form.Set("opent", "")
	form.Set("sluit", "2099-01-01T17:00")
	saved := ed.post(settings, form)
	wantStatus(t, saved, 303)
	if loc := saved.Header.Get("Location"); loc != "/beheer/projecten/1/vragenlijsten/3" {
		t.Fatalf("saved → %s", loc)
	}
	wantContains(t, ed.get(settings), `value="Wat vindt u van het schetsontwerp?"`, `value="2099-01-01T17:00"`, `value="16"`)
	wantContains(t, s.get(t, "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp"), "Wat vindt u van het schetsontwerp?")
	if !instrumentUpdatedAt(t, s, 3).After(before) {
		t.Fatal("settings saved without moving updated_at")
	}
	d := auditDetails(t, s, "instrument.settings")
	if len(d) != 1 || !strings.Contains(d[0], `"title":{"from":"Vragenlijst over het schetsontwerp","to":"Wat vindt u van het schetsontwerp?"}`) ||
		!strings.Contains(d[0], `"min_age":{"from":0,"to":16}`) {
		t.Fatalf("settings audit: %v", d)
	}

	// A poll's settings lead back to the poll's screen.
	poll := ed.post(schoolSettings, url.Values{"titel": {"Welke plek eerst?"}, "wie": {"digid"}, "niveau_digid": {loaMid}, "wijzigen": {"true"}})
	wantStatus(t, poll, 303)
	if loc := poll.Header.Get("Location"); loc != schoolPollEdit {
		t.Fatalf("poll settings saved → %s", loc)
	}
	// Instruments are found only under their own project, and the poll
	// screen only for polls.
	wantStatus(t, ed.get("/beheer/projecten/2/instrumenten/3/instellingen"), 404)
	wantStatus(t, ed.get("/beheer/projecten/1/peilingen/3"), 404)
	wantStatus(t, ed.get("/beheer/projecten/1/peilingen/999"), 404)
	wantStatus(t, ed.post("/beheer/projecten/2/peilingen/1/antwoorden/999/verwijderen", nil), 404)
}

// Only editors change polls: every new POST refuses the other roles and
// changes nothing.
func TestPollEditsNeedTheEditorRole(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var optionID string
	testdb.NoError(t, s.App.DB.Table("poll_options").Where("instrument_id = 1").Order("position").Limit(1).Select("id").Scan(&optionID).Error)
	posts := map[string]url.Values{
		schoolSettings:                                              {"titel": {"Gekaapt"}, "wie": {"any"}},
		schoolPollEdit + "/vraag":                                   {"vraag": {"Gekaapt?"}},
		schoolPollEdit + "/antwoorden":                              {"antwoord": {"Gekaapt"}},
		schoolPollEdit + "/antwoorden/" + optionID:                  {"antwoord": {"Gekaapt"}},
		schoolPollEdit + "/antwoorden/" + optionID + "/verwijderen": nil,
		schoolPollEdit + "/keuze":                                   {"meerkeuze": {"true"}, "zichtbaarheid": {"never"}},
	}
	for name, login := range map[string]func(*browser){
		"resident":  func(b *browser) { b.loginDigiD(testBSN, loaMid, "/") },
		"moderator": func(b *browser) { b.loginStaff("Mo Derator", "inspraak-moderatoren") },
		"analyst":   func(b *browser) { b.loginStaff("Ana List", "inspraak-analisten") },
	} {
		b := newBrowser(t, s)
		login(b)
		for path, form := range posts {
			r := b.post(path, form)
			if want := map[bool]int{true: 303, false: 403}[name == "resident"]; r.StatusCode != want {
				t.Errorf("%s POST %s: %d, want %d", name, path, r.StatusCode, want)
			} else if want == 303 && !strings.HasPrefix(r.Header.Get("Location"), "/beheer/inloggen?terug=") {
				t.Errorf("%s POST %s: sent to %q, want the staff login", name, path, r.Header.Get("Location"))
			}
		}
	}
	var n int64
	testdb.NoError(t, s.App.DB.Table("poll_options").Where("label = ?", "Gekaapt").Count(&n).Error)
	var q string
	testdb.NoError(t, s.App.DB.Table("polls").Where("instrument_id = 1").Select("question").Scan(&q).Error)
	if n != 0 || q != "Welke plek moet als eerste veiliger worden?" || len(auditDetails(t, s, "poll.option_add")) != 0 {
		t.Fatalf("a refused role changed the poll: %d options, question %q", n, q)
	}
}
