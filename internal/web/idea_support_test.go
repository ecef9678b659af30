package web_test

import (
	"context"
	"net/url"
	"testing"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/testdb"
)

// A support through the endpoint on an idea the municipality did not
// accept is refused on the idea's page with the reason, and nothing is
// stored; an idea asked for under another board's address is not found.
func TestSupportRefusedOnAnIdeaThatWasNotAccepted(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de Lindenlaan"},
		"beschrijving": {"Kinderen steken hier over zonder zebrapad."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	ideaPath := sent.Header.Get("Location")
	var id int64
	testdb.NoError(t, s.App.DB.Table("ideas").Where("instrument_id = ?", bd.InstrumentID).Select("id").Scan(&id).Error)
	editor := identity.Actor{System: "test-redacteur"}
	if err := s.App.Ideas.SetStatus(context.Background(), editor, id, idea.StatusRejected, "Hier is geen ruimte voor."); err != nil {
		t.Fatal(err)
	}

	sup := resident(t, s, supporterBSN, "Buurvrouw")
	refused := sup.post(ideaPath+"/steun", url.Values{"steun": {"ja"}, "terug": {board}})
	wantStatus(t, refused, 409)
	wantContains(t, refused, "De gemeente heeft dit idee niet aangenomen. Steunen kan daarom niet meer")
	var n int64
	testdb.NoError(t, s.App.DB.Table("idea_supports").Where("idea_id = ?", id).Count(&n).Error)
	if n != 0 {
		t.Fatalf("%d supports stored for a refused support", n)
	}
	wrong := sup.post("/projecten/veilig-naar-school/welke-plek-eerst/ideeen/"+itoa(id)+"/steun", url.Values{"steun": {"ja"}})
	wantStatus(t, wrong, 404)
}
