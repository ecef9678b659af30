package web_test

import (
	"net/url"
	"regexp"
	"testing"

	"inspraak/internal/notify"
	"inspraak/internal/testdb"
)

// An analyst writes a response note for an idea board with a section
// per idea: the idea's author, supporters and commenters are told once
// and find the section on Mijn inspraak, someone else's idea's author is
// not; a section added later is told when the note is published again,
// to its own people only. The board page links to the note.
func TestIdeaBoardResponseNote(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	theme := itoa(bd.Themes[0].ID)
	submit := func(b *browser, title string) int64 {
		t.Helper()
		r := b.post(board+"/ideeen", url.Values{"titel": {title}, "beschrijving": {"Zodat kinderen veilig naar school gaan."}, "thema": {theme}})
		wantStatus(t, r, 303)
		var id int64
		testdb.NoError(t, s.App.DB.Table("ideas").Select("id").Where("instrument_id = ? AND title = ?", bd.InstrumentID, title).Scan(&id).Error)
		if id == 0 {
			t.Fatalf("idea %q not stored", title)
		}
		return id
	}
	anna := resident(t, s, testBSN, "Anna")
	crossing := submit(anna, "Een zebrapad bij de school")
	bert := resident(t, s, supporterBSN, "Bert")
	crossingPath := regexp.MustCompile(`href="(` + board + `/ideeen/` + itoa(crossing) + `[^"]*)"`).FindStringSubmatch(s.get(t, board).Body)
	if crossingPath == nil {
		t.Fatal("the board does not link to the idea")
	}
	wantStatus(t, bert.follow(bert.post(crossingPath[1]+"/steun", url.Values{"steun": {"ja"}})), 200)
	wantStatus(t, bert.follow(bert.post(crossingPath[1]+"/reacties", url.Values{"reactie": {"Goed idee, de oversteek is gevaarlijk."}})), 200)
	cor := resident(t, s, thirdBSN, "Cor")
	racks := submit(cor, "Meer fietsenrekken bij de ingang")

	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	note := "/beheer/resultaten/" + itoa(bd.InstrumentID) + "/reactienota"
	wantContains(t, analyst.get("/beheer/resultaten"), "Ideeënborden", `href="`+note+`"`)
	wantContains(t, analyst.get(note), "Over welk idee", "Een zebrapad bij de school")
	for _, bad := range []url.Values{
		{"titel": {"Zebrapad"}, "tekst": {"Komt er."}, "idee": {"999999"}},
		{"titel": {"Zebrapad"}, "tekst": {"Komt er."}, "idee": {itoa(crossing)}, "code": {"1"}},
		{"titel": {"Zebrapad"}, "tekst": {"Komt er."}, "idee": {"drie"}},
	} {
		r := analyst.post(note+"/secties", bad)
		wantStatus(t, r, 422)
		wantContains(t, r, "Er is iets niet goed ingevuld")
	}
	wantContains(t, analyst.post(note+"/secties", url.Values{"titel": {"Zebrapad"}, "tekst": {"Komt er."}, "idee": {itoa(crossing)}, "code": {"1"}}), "niet allebei")
	wantStatus(t, analyst.post(note, url.Values{"inleiding": {"Dank voor alle ideeën."}}), 303)
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Een zebrapad in de zomer"},
		"tekst": {"In de zomervakantie legt de gemeente een zebrapad aan bij de hoofdingang."}, "idee": {itoa(crossing)}}), 303)
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Verkeerslichten"},
		"tekst": {"Bij het zebrapad komt ook een knop voor voetgangers."}, "idee": {itoa(crossing)}}), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)

	// Two sections about the crossing: its people get one message.
	told := func(b *browser) int64 {
		t.Helper()
		var n int64
		testdb.NoError(t, s.App.DB.Table("notifications").Where("participant_id = ? AND kind = ?", residentID(t, s, b), string(notify.KindResults)).Count(&n).Error)
		return n
	}
	if a, b, c := told(anna), told(bert), told(cor); a != 1 || b != 1 || c != 0 {
		t.Fatalf("told: author %d, supporter and commenter %d, someone else %d; want 1, 1, 0", a, b, c)
	}
	my := bert.get("/mijn-inspraak")
	wantContains(t, my, "Dit hebben we met uw inbreng gedaan", "Een zebrapad in de zomer", "Over een idee waar u aan meedeed")
	wantNotContains(t, cor.get("/mijn-inspraak"), "Een zebrapad in de zomer")

	// A section added later reaches its own people when published again.
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Fietsenrekken"},
		"tekst": {"Er komen twintig extra plekken."}, "idee": {itoa(racks)}}), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	if a, b, c := told(anna), told(bert), told(cor); a != 1 || b != 1 || c != 1 {
		t.Fatalf("after the second publication: %d, %d, %d; want 1, 1, 1", a, b, c)
	}
	// A section turned to another idea is about other people now: they
	// are told at the next publication.
	var racksSection int64
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Select("id").Where("title = ?", "Fietsenrekken").Scan(&racksSection).Error)
	wantStatus(t, analyst.post(note+"/secties/"+itoa(racksSection), url.Values{"titel": {"Fietsenrekken"},
		"tekst": {"Er komen twintig extra plekken, ook bij het zebrapad."}, "idee": {itoa(crossing)}}), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	if a, b, c := told(anna), told(bert), told(cor); a != 2 || b != 2 || c != 1 {
		t.Fatalf("after turning a section to another idea: %d, %d, %d; want 2, 2, 1", a, b, c)
	}
	// After publication, changes wait for "Wijzigingen publiceren": the
	// site keeps the published text until then.
	var crossingSection int64
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Select("id").Where("title = ?", "Een zebrapad in de zomer").Scan(&crossingSection).Error)
	wantStatus(t, analyst.post(note+"/secties/"+itoa(crossingSection), url.Values{"titel": {"Een zebrapad in de herfst"},
		"tekst": {"Het zebrapad komt in de herfstvakantie."}, "idee": {itoa(crossing)}}), 303)
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Nog in de maak"}, "tekst": {"Half af."}}), 303)
	draft := analyst.get(note)
	wantContains(t, draft, "Gewijzigd: nog niet op de site", "Nog niet op de site")
	public := s.get(t, board+"/reactienota")
	wantContains(t, public, "Een zebrapad in de zomer", "In de zomervakantie")
	wantNotContains(t, public, "in de herfst", "Nog in de maak")
	wantContains(t, bert.get("/mijn-inspraak"), "Een zebrapad in de zomer")
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	public = s.get(t, board+"/reactienota")
	wantContains(t, public, "Een zebrapad in de herfst", "Nog in de maak")
	wantNotContains(t, public, "in de zomer")
	wantNotContains(t, analyst.get(note), "nog niet op de site")
	var halfDone int64
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Select("id").Where("title = ?", "Nog in de maak").Scan(&halfDone).Error)
	wantStatus(t, analyst.post(note+"/secties/"+itoa(halfDone)+"/verwijderen", nil), 303)

	// A section can be deleted; the ones after it move up.
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Vergissing"}, "tekst": {"Dit deel hoort er niet in."}}), 303)
	var mistake int64
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Select("id").Where("title = ?", "Vergissing").Scan(&mistake).Error)
	wantStatus(t, analyst.post(note+"/secties/"+itoa(mistake)+"/verwijderen", nil), 303)
	wantNotContains(t, s.get(t, board+"/reactienota"), "Vergissing")
	wantStatus(t, analyst.post(note+"/secties/"+itoa(mistake)+"/verwijderen", nil), 404)
	var positions []int
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Where("instrument_id = ?", bd.InstrumentID).Order("position").Pluck("position", &positions).Error)
	if len(positions) != 3 || positions[0] != 1 || positions[2] != 3 {
		t.Fatalf("positions after deleting: %v", positions)
	}
	wantContains(t, s.get(t, board), `href="`+board+`/reactienota"`)
	wantContains(t, s.get(t, board+"/reactienota"), "Dank voor alle ideeën.", "Een zebrapad in de herfst", "Fietsenrekken",
		"Over het idee:", `href="`+board+`/ideeen/`+itoa(crossing)+`"`)
	wantContains(t, s.get(t, crossingPath[1]), "In de reactienota van de gemeente", "Een zebrapad in de herfst", board+"/reactienota#sectie-")

	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	wantStatus(t, editor.get(note), 403)
}
