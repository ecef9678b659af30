package web_test

import (
	"net/url"
	"testing"

	"inspraak/internal/testdb"
)

// Turning a published section to another idea is a change like any other:
// until "Wijzigingen publiceren", Mijn inspraak, the idea pages and the
// note still show it with the idea it was published about; after it,
// with the new one (and its people are told).
func TestTurningASectionWaitsForPublication(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	theme := itoa(bd.Themes[0].ID)
	submit := func(b *browser, title string) int64 {
		t.Helper()
		wantStatus(t, b.post(board+"/ideeen", url.Values{"titel": {title}, "beschrijving": {"Zodat kinderen veilig naar school gaan."}, "thema": {theme}}), 303)
		var id int64
		testdb.NoError(t, s.App.DB.Table("ideas").Select("id").Where("instrument_id = ? AND title = ?", bd.InstrumentID, title).Scan(&id).Error)
		return id
	}
	anna := resident(t, s, testBSN, "Anna")
	crossing := submit(anna, "Een zebrapad bij de school")
	cor := resident(t, s, thirdBSN, "Cor")
	racks := submit(cor, "Meer fietsenrekken bij de ingang")

	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	note := "/beheer/resultaten/" + itoa(bd.InstrumentID) + "/reactienota"
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Een zebrapad in de zomer"},
		"tekst": {"In de zomervakantie legt de gemeente een zebrapad aan."}, "idee": {itoa(crossing)}}), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	wantContains(t, anna.get("/mijn-inspraak"), "Een zebrapad in de zomer")

	var sec int64
	testdb.NoError(t, s.App.DB.Table("response_note_sections").Select("id").Where("title = ?", "Een zebrapad in de zomer").Scan(&sec).Error)
	// Not published yet: turned to Cor's idea.
	wantStatus(t, analyst.post(note+"/secties/"+itoa(sec), url.Values{"titel": {"Een zebrapad in de zomer"},
		"tekst": {"In de zomervakantie legt de gemeente een zebrapad aan."}, "idee": {itoa(racks)}}), 303)
	wantContains(t, anna.get("/mijn-inspraak"), "Een zebrapad in de zomer")
	wantNotContains(t, cor.get("/mijn-inspraak"), "Een zebrapad in de zomer")
	wantContains(t, s.get(t, board+"/ideeen/"+itoa(crossing)), "In de reactienota van de gemeente")
	wantNotContains(t, s.get(t, board+"/ideeen/"+itoa(racks)), "In de reactienota van de gemeente")
	wantContains(t, s.get(t, board+"/reactienota"), `href="`+board+`/ideeen/`+itoa(crossing)+`"`)
	wantContains(t, analyst.get(note), "Gewijzigd: nog niet op de site")

	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	wantNotContains(t, anna.get("/mijn-inspraak"), "Een zebrapad in de zomer")
	wantContains(t, cor.get("/mijn-inspraak"), "Een zebrapad in de zomer")
	wantContains(t, s.get(t, board+"/ideeen/"+itoa(racks)), "In de reactienota van de gemeente")
	wantContains(t, s.get(t, board+"/reactienota"), `href="`+board+`/ideeen/`+itoa(racks)+`"`)
}
