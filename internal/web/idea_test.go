package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/instrument"
)

const (
	board        = "/projecten/veilig-naar-school/ideeen-voor-de-schoolroute"
	supporterBSN = "999990007"
	thirdBSN     = "999990019"
)

// newBoard puts an idea board under the demo school project.
func newBoard(t *testing.T, s *testSite, edit func(d *idea.BoardDraft)) *idea.Board {
	t.Helper()
	p, err := s.App.Projects.GetPublic(context.Background(), "veilig-naar-school")
	if err != nil {
		t.Fatal(err)
	}
	opens, closes := time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour)
	d := idea.BoardDraft{ProjectID: p.ID, Slug: "ideeen-voor-de-schoolroute", Title: "Ideeën voor de schoolroute", Published: true,
		Rules:  instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
		Themes: []string{"Oversteken", "Fietsen", "Lopen"}}
	if edit != nil {
		edit(&d)
	}
	b, err := s.App.Ideas.CreateBoard(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func resident(t *testing.T, s *testSite, bsn, name string) *browser {
	t.Helper()
	b := newBrowser(t, s)
	b.loginDigiD(bsn, loaMid, "/")
	wantStatus(t, b.follow(b.post("/inloggen/naam", url.Values{"naam": {name}, "terug": {"/"}})), 200)
	return b
}

func TestIdeaJourneySubmitSupportCommentReply(t *testing.T) {
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	theme := bd.Themes[1].ID

	anon := s.get(t, board)
	wantStatus(t, anon, 200)
	wantContains(t, anon, "Ideeën voor de schoolroute", "0 ideeën", "Er zijn nog geen ideeën", "Inloggen met DigiD")
	if r := newBrowser(t, s).get(board + "/nieuw-idee"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/inloggen?terug=") {
		t.Fatalf("anonymous new idea: %d %s", r.StatusCode, r.Header.Get("Location"))
	}

	author := resident(t, s, testBSN, "Indiener")
	form := author.get(board + "/nieuw-idee")
	wantStatus(t, form, 200)
	wantContains(t, form, "Stuur een idee in", `name="titel"`, "Fietsen")

	bad := author.post(board+"/ideeen", url.Values{"titel": {"Fie"}, "beschrijving": {"kort"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Er is iets niet goed ingevuld", `href="#titel"`, "De titel is te kort", `href="#beschrijving"`, `href="#thema"`, `value="Fie"`)
	var n int64
	s.App.DB.Table("ideas").Count(&n)
	if n != 0 {
		t.Fatalf("%d ideas stored from a bad form", n)
	}

	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de Lindenlaan"},
		"beschrijving": {"Kinderen steken hier over zonder zebrapad.\nDat is gevaarlijk in de ochtend."},
		"thema":        {itoa(theme)}, "plek": {"Lindenlaan bij de school"}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	ideaPath := sent.Header.Get("Location")
	page := author.follow(sent)
	wantContains(t, page, "Uw idee is ingestuurd", "Een zebrapad bij de Lindenlaan", "Door Indiener", "Nieuw", "Fietsen",
		"Lindenlaan bij de school", "Idee aanpassen", "Dit is uw eigen idee.")

	listed := s.get(t, board)
	wantContains(t, listed, "1 idee", "Een zebrapad bij de Lindenlaan", "0 keer gesteund", "0 reacties")

	// Another resident supports it from the board, and comes back there.
	sup := resident(t, s, supporterBSN, "Buurvrouw")
	onBoard := sup.get(board + "?sorteer=steun")
	wantContains(t, onBoard, "Steun dit idee")
	back := sup.post(ideaPath+"/steun", url.Values{"steun": {"ja"}, "terug": {board + "?sorteer=steun"}})
	if back.StatusCode != 303 || !strings.HasPrefix(back.Header.Get("Location"), board+"?sorteer=steun#idee-") {
		t.Fatalf("support redirect: %d %s", back.StatusCode, back.Header.Get("Location"))
	}
	wantContains(t, sup.follow(back), "U steunt dit idee", "1 keer gesteund")
	// Twice is once; a foreign return address is not followed.
	again := sup.post(ideaPath+"/steun", url.Values{"steun": {"ja"}, "terug": {"https://elders.example/"}})
	if loc := again.Header.Get("Location"); !strings.HasPrefix(loc, ideaPath+"#") {
		t.Fatalf("support with a foreign return: %s", loc)
	}
	wantContains(t, s.get(t, ideaPath), "1 keer gesteund")

	// The author cannot support their own idea, and can no longer edit it.
	own := author.post(ideaPath+"/steun", url.Values{"steun": {"ja"}})
	wantStatus(t, own, 409)
	wantContains(t, own, "U kunt uw eigen idee niet steunen.")
	locked := author.get(ideaPath + "/bewerken")
	wantStatus(t, locked, 409)
	wantContains(t, locked, "Aanpassen kan niet meer")
	edit := author.post(ideaPath+"/bewerken", url.Values{"titel": {"Iets anders"}, "beschrijving": {"Een heel andere uitleg dan eerst."}, "thema": {itoa(theme)}})
	wantStatus(t, edit, 409)
	wantContains(t, s.get(t, ideaPath), "Een zebrapad bij de Lindenlaan")

	// Comment, reply, and a reply to the reply: one level of nesting.
	empty := sup.post(ideaPath+"/reacties", url.Values{"reactie": {"  "}})
	wantStatus(t, empty, 422)
	wantContains(t, empty, `href="#reactie"`, "Schrijf eerst uw reactie.")
	c1 := sup.post(ideaPath+"/reacties", url.Values{"reactie": {"Goed plan, mijn kinderen lopen hier ook."}})
	if c1.StatusCode != 303 {
		t.Fatalf("comment: %d\n%s", c1.StatusCode, c1.Body)
	}
	top := strings.TrimPrefix(c1.Header.Get("Location"), ideaPath+"#reactie-")
	r1 := author.post(ideaPath+"/reacties", url.Values{"reactie": {"Dank u! Steunt u het ook?"}, "antwoord_op": {top}})
	wantStatus(t, author.follow(r1), 200)
	thread := s.get(t, ideaPath)
	wantContains(t, thread, "2 reacties", "Goed plan, mijn kinderen lopen hier ook.", "Dank u! Steunt u het ook?", "inspraak-comments--replies", "Door Indiener")

	// The commenter deletes their comment: a placeholder keeps the reply readable.
	del := sup.post(ideaPath+"/reacties/"+top+"/verwijderen", nil)
	wantStatus(t, sup.follow(del), 200)
	after := s.get(t, ideaPath)
	wantContains(t, after, "Deze reactie is verwijderd.", "Dank u! Steunt u het ook?", "1 reactie")
	wantNotContains(t, after, "Goed plan, mijn kinderen")
	// Someone else's comment cannot be deleted.
	other := resident(t, s, thirdBSN, "Derde")
	for _, m := range regexp.MustCompile(`id="reactie-(\d+)"`).FindAllStringSubmatch(after.Body, -1) {
		if m[1] == top {
			continue
		}
		r := other.post(ideaPath+"/reacties/"+m[1]+"/verwijderen", nil)
		wantStatus(t, r, 403)
	}
	wantContains(t, s.get(t, ideaPath), "Dank u! Steunt u het ook?")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
