package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

const (
	board        = "/projecten/veilig-naar-school/ideeen-voor-de-schoolroute"
	supporterBSN = "999990007"
	thirdBSN     = "999990019"
)

// newBoard puts an idea board under the demo school project.
func newBoard(t testing.TB, s *testSite, edit func(d *idea.BoardDraft)) *idea.Board {
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
	b, err := s.App.Ideas.CreateBoard(context.Background(), identity.SystemActor("test"), d)
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
	t.Parallel() // each test has its own site and database
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
	testdb.NoError(t, s.App.DB.Table("ideas").Where("instrument_id = ?", bd.InstrumentID).Count(&n).Error) // the demo has boards of its own
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

// An editor answers an idea with a status and a response; the author sees
// both on the idea and on "Mijn inspraak", with their support and comment.
func TestEditorStatusResponseReachesTheAuthor(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een oversteekplaats bij de bakker"},
		"beschrijving": {"Bij de bakker steken veel kinderen over."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d", sent.StatusCode)
	}
	ideaPath := sent.Header.Get("Location")
	id := ideaPath[strings.LastIndex(ideaPath, "/")+1:]

	editor := newBrowser(t, s)
	editor.loginStaff("Redacteur", "inspraak-redacteuren")
	list := editor.get("/beheer/projecten/" + itoa(bd.Instrument.ProjectID) + "/ideeenborden/" + itoa(bd.InstrumentID))
	wantStatus(t, list, 200)
	wantContains(t, list, "Een oversteekplaats bij de bakker", "Nieuw")
	adminIdea := "/beheer/projecten/" + itoa(bd.Instrument.ProjectID) + "/ideeenborden/" + itoa(bd.InstrumentID) + "/ideeen/" + id
	wantStatus(t, editor.get(adminIdea), 200)
	noText := editor.post(adminIdea+"/status", url.Values{"status": {"accepted"}, "reactie": {""}})
	wantStatus(t, noText, 422)
	wantContains(t, noText, `href="#reactie"`, "Schrijf een reactie van de gemeente.")
	ok := editor.post(adminIdea+"/status", url.Values{"status": {"accepted"}, "reactie": {"We leggen de oversteekplaats in het voorjaar aan."}})
	if ok.StatusCode != 303 {
		t.Fatalf("status: %d\n%s", ok.StatusCode, ok.Body)
	}
	var audited int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "idea.status", "idea:"+id).Count(&audited).Error)
	if audited != 1 {
		t.Fatalf("status change audited %d times", audited)
	}

	page := s.get(t, ideaPath)
	wantContains(t, page, "Aangenomen", "We leggen de oversteekplaats in het voorjaar aan.", "Reactie van de gemeente")
	my := author.get("/mijn-inspraak")
	wantStatus(t, my, 200)
	wantContains(t, my, "Uw ideeën", "Een oversteekplaats bij de bakker", "Aangenomen", "We leggen de oversteekplaats in het voorjaar aan.")

	// A resident cannot reach the editors' screens, nor set a status.
	r := author.post(adminIdea+"/status", url.Values{"status": {"rejected"}, "reactie": {"Nee."}})
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/beheer/inloggen") {
		t.Fatalf("resident sets a status: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	wantContains(t, s.get(t, ideaPath), "Aangenomen")
}

// "Verwijder mijn gegevens": confirmation required; afterwards the person
// is logged out, their idea stays without their name, their comment text
// is gone, their vote still counts and nothing links to them.
func TestEraseMyData(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	other := resident(t, s, supporterBSN, "Buurman")
	sent := other.post(board+"/ideeen", url.Values{"titel": {"Meer fietsenrekken"}, "beschrijving": {"Bij de school is te weinig plek voor fietsen."}, "thema": {itoa(bd.Themes[1].ID)}})
	otherIdea := sent.Header.Get("Location")

	me := resident(t, s, testBSN, "Jansen uit de Dorpsstraat")
	mine := me.post(board+"/ideeen", url.Values{"titel": {"Een klaar-over bij de kruising"}, "beschrijving": {"Een klaar-over helpt kinderen veilig over te steken."}, "thema": {itoa(bd.Themes[0].ID)}})
	myIdea := mine.Header.Get("Location")
	wantStatus(t, me.follow(me.post(otherIdea+"/steun", url.Values{"steun": {"ja"}})), 200)
	wantStatus(t, me.follow(me.post(otherIdea+"/reacties", url.Values{"reactie": {"Ik woon op nummer 12, bel maar aan."}})), 200)
	ids := optionIDs(t, me.get(schoolPoll).Body)
	wantStatus(t, me.follow(me.post(schoolPoll+"/stem", url.Values{"keuze": {ids[0]}})), 200)
	var ballots int64
	testdb.NoError(t, s.App.DB.Table("ballots").Count(&ballots).Error)

	form := me.get("/mijn-inspraak/verwijderen")
	wantStatus(t, form, 200)
	wantContains(t, form, "Uw ideeën blijven staan, zonder uw naam.")
	unconfirmed := me.post("/mijn-inspraak/verwijderen", nil)
	wantStatus(t, unconfirmed, 422)
	wantContains(t, unconfirmed, `href="#bevestig"`)
	var n int64
	testdb.NoError(t, s.App.DB.Table("participants").Where("display_name = ?", "Jansen uit de Dorpsstraat").Count(&n).Error)
	if n != 1 {
		t.Fatal("an unconfirmed erasure removed the participant")
	}

	done := me.post("/mijn-inspraak/verwijderen", url.Values{"bevestig": {"ja"}})
	if done.StatusCode != 303 || done.Header.Get("Location") != "/" {
		t.Fatalf("erase: %d %s", done.StatusCode, done.Header.Get("Location"))
	}
	wantContains(t, me.follow(done), "Uw gegevens zijn verwijderd en u bent uitgelogd.")
	if r := me.get("/mijn-inspraak"); r.StatusCode != 303 {
		t.Fatalf("still logged in after erasure: %d", r.StatusCode)
	}
	testdb.NoError(t, s.App.DB.Table("participants").Where("display_name = ?", "Jansen uit de Dorpsstraat").Count(&n).Error)
	if n != 0 {
		t.Fatal("participant row still there")
	}
	idea := s.get(t, myIdea)
	wantContains(t, idea, "Een klaar-over bij de kruising", "Door Oud-deelnemer")
	wantNotContains(t, idea, "Jansen")
	thread := s.get(t, otherIdea)
	wantContains(t, thread, "Deze reactie is verwijderd.", "1 keer gesteund")
	wantNotContains(t, thread, "nummer 12", "Jansen")
	var after int64
	testdb.NoError(t, s.App.DB.Table("ballots").Count(&after).Error)
	if after != ballots {
		t.Fatalf("ballots %d → %d: votes must stay counted", ballots, after)
	}
	var linked int64
	for _, q := range []string{"SELECT COUNT(*) FROM ballots WHERE participant_id NOT IN (SELECT id FROM participants)",
		"SELECT COUNT(*) FROM idea_supports WHERE participant_id NOT IN (SELECT id FROM participants)",
		"SELECT COUNT(*) FROM ideas WHERE author_id NOT IN (SELECT id FROM participants)"} {
		testdb.NoError(t, s.App.DB.Raw(q).Scan(&linked).Error)
		if linked != 0 {
			t.Fatalf("%s = %d", q, linked)
		}
	}
	var erased int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "participant.erase").Count(&erased).Error)
	if erased != 1 {
		t.Fatalf("erasure audited %d times", erased)
	}
}

// seedIdea stores an idea by a participant nobody logs in as, and returns
// its address and id.
func seedIdea(t testing.TB, s *testSite, bd *idea.Board) (string, int64) {
	t.Helper()
	p := identity.Participant{Subject: "zaaier", KeyVersion: 1, Means: identity.DigiD, LoA: loaMid, DisplayName: "Zaaier",
		CreatedAt: time.Now(), LastLoginAt: time.Now()}
	if err := s.App.DB.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	th := bd.Themes[0].ID
	i, err := s.App.Ideas.Submit(context.Background(), bd.InstrumentID, idea.Actor{ParticipantID: p.ID, Subject: p.Subject,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loaMid}},
		idea.Draft{Title: "Een idee van iemand anders", Description: "Met een uitleg die lang genoeg is.", ThemeID: &th})
	if err != nil {
		t.Fatal(err)
	}
	return board + "/ideeen/" + itoa(i.ID), i.ID
}

// Whatever a client posts to the idea, comment and support forms, the
// answer is a page with a message (4xx) or a redirect, never a server
// error, and never a second idea from one valid post.
func FuzzIdeaForms(f *testing.F) {
	for _, seed := range []string{"titel=Een+goed+idee&beschrijving=Met+een+uitleg+die+lang+genoeg+is.&thema=1",
		"titel=&beschrijving=", "thema=-1", "thema=99999999999999999999", "reactie=%00", "antwoord_op=abc&reactie=hoi",
		"antwoord_op=-5&reactie=x", "steun=nee", "steun=ja&terug=//elders", "terug=%0d%0aSet-Cookie:x", strings.Repeat("titel=x&", 200), "%zz"} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
		f.Add(seed, uint8(2))
	}
	s := newSite(f, fuzzSettings)
	ideaPath, _ := seedIdea(f, s, newBoard(f, s, nil))
	b := newBrowser(f, s)
	b.loginDigiD(testBSN, loaMid, "/")
	cookie := b.cookie("inspraak_sessie")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	targets := []string{board + "/ideeen", ideaPath + "/reacties", ideaPath + "/steun"}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+targets[int(which)%len(targets)], strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "inspraak_sessie", Value: cookie})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("body %q to %s gave %d", body, targets[int(which)%len(targets)], resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" && !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
			t.Fatalf("body %q redirected off the site: %q", body, loc)
		}
	})
}

func TestEditorChangesBoardThemesAndSettings(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	seedIdea(t, s, bd) // uses the first theme
	editor := newBrowser(t, s)
	editor.loginStaff("Redacteur", "inspraak-redacteuren")
	page := "/beheer/projecten/" + itoa(bd.Instrument.ProjectID) + "/ideeenborden/" + itoa(bd.InstrumentID) + "/instellingen"
	form := editor.get(page)
	wantStatus(t, form, 200)
	wantContains(t, form, "Oversteken", "Nieuw thema", "Steunen en reageren")

	base := url.Values{"moderatie": {"post"}, "steun_wie": {"any"}, "steun_minimumleeftijd": {"0"},
		"thema-" + itoa(bd.Themes[0].ID): {"Oversteken"}, "thema-" + itoa(bd.Themes[1].ID): {"Fietsen"}, "thema-" + itoa(bd.Themes[2].ID): {"Lopen"}}
	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad["verwijder"] = []string{itoa(bd.Themes[0].ID)}
	r := editor.post(page, bad)
	wantStatus(t, r, 422)
	wantContains(t, r, "Dit thema kan niet weg", `href="#thema-`+itoa(bd.Themes[0].ID)+`"`)

	good := base
	good["verwijder"] = []string{itoa(bd.Themes[2].ID)}
	good["nieuw_thema"] = []string{"Parkeren"}
	good["moderatie"] = []string{"pre"}
	if r := editor.post(page, good); r.StatusCode != 303 {
		t.Fatalf("save: %d\n%s", r.StatusCode, r.Body)
	}
	board := s.get(t, board)
	wantContains(t, board, "Parkeren", "De gemeente kijkt ideeën en reacties eerst na.")
	wantNotContains(t, board, ">Lopen<")
	var n int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "idea_board.settings").Count(&n).Error)
	if n != 1 {
		t.Fatalf("board settings audited %d times", n)
	}
}
