package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/idea"
	"inspraak/internal/moderation"
	"inspraak/internal/testdb"
)

// moderatorBrowser logs in a moderator through the built-in provider.
func moderatorBrowser(t *testing.T, s *testSite, name string) *browser {
	t.Helper()
	b := newBrowser(t, s)
	b.loginStaff(name, "inspraak-moderatoren")
	return b
}

// takeNext claims the next item through the queue page's button and
// returns the item page's address.
func takeNext(t *testing.T, mod *browser, form url.Values) string {
	t.Helper()
	r := mod.post("/beheer/moderatie/volgende", form)
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !regexp.MustCompile(`^/beheer/moderatie/\d+$`).MatchString(loc) {
		t.Fatalf("take next: %d %s\n%s", r.StatusCode, loc, r.Body)
	}
	return loc
}

// A resident's idea on a pre-moderated board is invisible to others until
// a moderator approves it; then it is on the board and its author is told.
func TestPreModeratedIdeaJourney(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een bankje bij de bushalte"},
		"beschrijving": {"Oudere buren staan hier lang te wachten op de bus."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	ideaPath := sent.Header.Get("Location")
	wantContains(t, author.follow(sent), "De gemeente kijkt het eerst na", "Wacht op beoordeling")
	wantStatus(t, s.get(t, ideaPath), 404)
	wantNotContains(t, s.get(t, board), "Een bankje bij de bushalte")
	wantContains(t, author.get("/mijn-inspraak"), "Een bankje bij de bushalte", "Wacht op beoordeling")

	mod := moderatorBrowser(t, s, "Mo Derator")
	queue := mod.get("/beheer/moderatie")
	wantStatus(t, queue, 200)
	wantContains(t, queue, "Een bankje bij de bushalte", "Wordt eerst nagekeken")
	// Deciding without a claim is refused with a reason.
	var it moderation.Item
	if err := s.App.DB.Where("kind = ?", "idea").Order("id DESC").Take(&it).Error; err != nil {
		t.Fatal(err)
	}
	item := "/beheer/moderatie/" + itoa(it.ID)
	unclaimed := mod.post(item+"/besluit", url.Values{"besluit": {"approve"}})
	wantStatus(t, unclaimed, 409)
	wantContains(t, unclaimed, "Pak het item eerst op")
	wantStatus(t, mod.follow(mod.post(item+"/claimen", nil)), 200)
	page := mod.get(item)
	wantContains(t, page, "Een bankje bij de bushalte", "U, tot", "Besluit opslaan")
	done := mod.post(item+"/besluit", url.Values{"besluit": {"approve"}})
	if done.StatusCode != 303 {
		t.Fatalf("approve: %d\n%s", done.StatusCode, done.Body)
	}
	wantStatus(t, s.get(t, ideaPath), 200)
	wantContains(t, s.get(t, board), "Een bankje bij de bushalte")
	wantContains(t, author.get("/mijn-inspraak/meldingen"), "is goedgekeurd en staat nu online")
	// The decision is in the audit log with who made it.
	var n int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "moderation.approve", "idea:"+itoa(it.TargetID)).Count(&n).Error)
	if n != 1 {
		t.Fatalf("%d audit entries for the approval", n)
	}
}

// A comment reported by three different residents goes offline until a
// moderator decides; others see a placeholder, not the text.
func TestCommentReportedThreeTimesIsHidden(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	ideaPath, _ := seedIdea(t, s, bd)
	writer := resident(t, s, testBSN, "Schrijver")
	c := writer.post(ideaPath+"/reacties", url.Values{"reactie": {"Wat een onzin, jullie snappen er niks van."}})
	if c.StatusCode != 303 {
		t.Fatalf("comment: %d", c.StatusCode)
	}
	cid := strings.TrimPrefix(c.Header.Get("Location"), ideaPath+"#reactie-")
	reportPath := ideaPath + "/reacties/" + cid + "/melden"

	own := writer.post(reportPath, url.Values{"reden": {"offensive"}})
	wantStatus(t, own, 403)
	wantContains(t, own, "U kunt uw eigen bijdrage niet melden.")

	for n, bsn := range []string{supporterBSN, thirdBSN, "999991607"} {
		r := resident(t, s, bsn, "Buur")
		form := r.get(reportPath)
		wantStatus(t, form, 200)
		wantContains(t, form, "Reactie melden", "Wat een onzin", "Beledigend of kwetsend")
		empty := r.post(reportPath, url.Values{})
		wantStatus(t, empty, 422)
		wantContains(t, empty, `href="#reden"`, "Kies waarom u dit meldt.")
		sent := r.post(reportPath, url.Values{"reden": {"offensive"}})
		if sent.StatusCode != 303 {
			t.Fatalf("report %d: %d\n%s", n, sent.StatusCode, sent.Body)
		}
		wantContains(t, r.follow(sent), "Dank u voor uw melding")
		if n == 0 {
			twice := r.post(reportPath, url.Values{"reden": {"spam"}})
			wantStatus(t, twice, 409)
			wantContains(t, twice, "U heeft dit al gemeld")
		}
		if n < 2 {
			wantContains(t, s.get(t, ideaPath), "Wat een onzin")
		}
	}
	after := s.get(t, ideaPath)
	wantNotContains(t, after, "Wat een onzin")
	wantContains(t, writer.get(ideaPath), "Wat een onzin", "Wacht op beoordeling")
	queue := moderatorBrowser(t, s, "Mo Derator").get("/beheer/moderatie?waarom=reported")
	wantContains(t, queue, "Gemeld", "Beledigend of kwetsend (3)")
}

// A rejection's reason reaches the author on the idea and on "Mijn
// inspraak"; the author asks once for a second look, which goes to
// another moderator; a blocked author is told why they cannot post.
func TestRejectionReasonSecondLookAndBlock(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Koop mijn fietsen"},
		"beschrijving": {"Tweedehands fietsen te koop, bel 06-12345678 voor een afspraak."}, "thema": {itoa(bd.Themes[0].ID)}})
	ideaPath := sent.Header.Get("Location")

	first := moderatorBrowser(t, s, "Eerste Moderator")
	onBoard := url.Values{"instrument": {itoa(bd.InstrumentID)}} // the demo has a waiting idea of its own
	item := takeNext(t, first, onBoard)
	page := first.get(item)
	// The screening hit is marked where it is.
	wantContains(t, page, `<mark class="inspraak-hit"`, "06-12345678", "Telefoonnummer")
	ts, err := s.App.Moderation.Templates(context.Background(), true)
	if err != nil || len(ts) == 0 {
		t.Fatalf("standard reasons: %v, %v", ts, err)
	}
	var spam moderation.Template
	for _, tpl := range ts {
		if tpl.Title == "Reclame of spam" {
			spam = tpl
		}
	}
	noReason := first.post(item+"/besluit", url.Values{"besluit": {"reject"}})
	wantStatus(t, noReason, 422)
	wantContains(t, noReason, "Kies een reden of schrijf een toelichting")
	rej := first.post(item+"/besluit", url.Values{"besluit": {"reject"}, "sjabloon": {itoa(spam.ID)}, "toelichting": {"Verkopen kan op een marktplaats."}})
	if rej.StatusCode != 303 {
		t.Fatalf("reject: %d\n%s", rej.StatusCode, rej.Body)
	}
	mine := author.get(ideaPath)
	wantContains(t, mine, "Een moderator heeft uw idee afgewezen.", spam.Body, "Verkopen kan op een marktplaats.", "Vraag om herbeoordeling")
	wantContains(t, author.get("/mijn-inspraak"), "Een moderator heeft uw idee afgewezen.", "Verkopen kan op een marktplaats.")
	wantStatus(t, s.get(t, ideaPath), 404)

	ask := author.post(ideaPath+"/herbeoordeling", url.Values{"toelichting": {"Het is voor de buurt."}})
	if ask.StatusCode != 303 {
		t.Fatalf("second look: %d\n%s", ask.StatusCode, ask.Body)
	}
	wantContains(t, author.follow(ask), "Een andere moderator kijkt nog een keer")
	again := author.post(ideaPath+"/herbeoordeling", nil)
	wantStatus(t, again, 409)
	// The first moderator does not get it; another one does.
	r := first.post("/beheer/moderatie/volgende", onBoard)
	if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/beheer/moderatie?") {
		t.Fatalf("the first moderator was handed the second look: %s", loc)
	}
	second := moderatorBrowser(t, s, "Tweede Moderator")
	if got := takeNext(t, second, url.Values{"waarom": {"second_look"}, "instrument": {itoa(bd.InstrumentID)}}); got != item {
		t.Fatalf("second moderator got %s, want %s", got, item)
	}
	wantContains(t, second.get(item), "Herbeoordeling gevraagd", "Het is voor de buurt.")
	// The second moderator keeps the rejection and blocks the author.
	keep := second.post(item+"/besluit", url.Values{"besluit": {"reject"}, "sjabloon": {itoa(spam.ID)}})
	if keep.StatusCode != 303 {
		t.Fatalf("second rejection: %d\n%s", keep.StatusCode, keep.Body)
	}
	badBlock := second.post(item+"/blokkeren", url.Values{"duur": {"365"}, "reden": {"x"}})
	wantStatus(t, badBlock, 422)
	blk := second.post(item+"/blokkeren", url.Values{"duur": {"7"}, "reden": {"U plaatst steeds reclame."}})
	if blk.StatusCode != 303 {
		t.Fatalf("block: %d\n%s", blk.StatusCode, blk.Body)
	}
	refused := author.post(board+"/ideeen", url.Values{"titel": {"Nog meer fietsen"},
		"beschrijving": {"Nog meer tweedehands fietsen te koop in de buurt."}, "thema": {itoa(bd.Themes[0].ID)}})
	wantStatus(t, refused, 403)
	wantContains(t, refused, "Een moderator heeft u tijdelijk geblokkeerd")
	wantContains(t, author.get("/mijn-inspraak"), "geen ideeën en reacties plaatsen", "U plaatst steeds reclame.")
	wantContains(t, second.get("/beheer/moderatie/blokkades"), "Indiener", "U plaatst steeds reclame.")
}

// Whatever a client posts to the moderation forms, the answer is a page
// with a message (4xx) or a redirect, never a server error.
func FuzzModerationForms(f *testing.F) {
	for _, seed := range []string{"besluit=approve", "besluit=reject&sjabloon=1&toelichting=x", "besluit=hide&sjabloon=-1",
		"besluit=zzz", "sjabloon=99999999999999999999", "veld=body&fragment=%00", "veld=titel&fragment=x", "duur=7&reden=",
		"duur=abc", "drempel=0&samenvatting=-1&woorden=%40%40", "drempel=3&samenvatting=60&woorden=kut*", "titel=&tekst=",
		"reden=other&toelichting=", "reden=spam", "waarom=xx", "instrument=-3", strings.Repeat("a=b&", 300), "%zz"} {
		for w := uint8(0); w < 8; w++ {
			f.Add(seed, w)
		}
	}
	s := newSite(f, fuzzSettings)
	bd := newBoard(f, s, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	ideaPath, ideaID := seedIdea(f, s, bd)
	if err := s.App.DB.Model(&idea.Idea{}).Where("id = ?", ideaID).Update("moderation", idea.Approved).Error; err != nil {
		f.Fatal(err)
	}
	var it moderation.Item
	if err := s.App.DB.Where("kind = ? AND target_id = ?", "idea", ideaID).Take(&it).Error; err != nil {
		f.Fatal(err)
	}
	item := "/beheer/moderatie/" + itoa(it.ID)
	mod := newBrowser(f, s)
	mod.loginStaff("Mo Derator", "inspraak-moderatoren")
	res := newBrowser(f, s)
	res.loginDigiD(testBSN, loaMid, "/")
	targets := []struct {
		path, cookie string
	}{
		{item + "/besluit", "inspraak_beheer"}, {item + "/fragment", "inspraak_beheer"}, {item + "/blokkeren", "inspraak_beheer"},
		{"/beheer/moderatie/instellingen", "inspraak_beheer"}, {"/beheer/moderatie/sjablonen", "inspraak_beheer"},
		{"/beheer/moderatie/volgende", "inspraak_beheer"}, {ideaPath + "/melden", "inspraak_sessie"}, {ideaPath + "/herbeoordeling", "inspraak_sessie"},
	}
	cookies := map[string]string{"inspraak_beheer": mod.cookie("inspraak_beheer"), "inspraak_sessie": res.cookie("inspraak_sessie")}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		tg := targets[int(which)%len(targets)]
		req, _ := http.NewRequest(http.MethodPost, s.URL+tg.path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: tg.cookie, Value: cookies[tg.cookie]})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("body %q to %s gave %d", body, tg.path, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//")) {
			t.Fatalf("body %q redirected off the site: %q", body, loc)
		}
	})
}

// Only moderators (and administrators) can act on the queue: residents,
// editors and analysts posting to its forms change nothing.
func TestOnlyModeratorsCanModerate(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var it moderation.Item
	if err := s.App.DB.Where("waiting").Order("id").Take(&it).Error; err != nil {
		t.Fatal(err)
	}
	item := "/beheer/moderatie/" + itoa(it.ID)
	editor, analyst := newBrowser(t, s), newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	analyst.loginStaff("Ana List", "inspraak-analisten")
	res := resident(t, s, testBSN, "Bewoner")
	for _, b := range []*browser{editor, analyst, res} {
		for _, path := range []string{"/beheer/moderatie/volgende", item + "/claimen", item + "/besluit", item + "/fragment", item + "/blokkeren",
			"/beheer/moderatie/instellingen", "/beheer/moderatie/sjablonen"} {
			r := b.post(path, url.Values{"besluit": {"approve"}, "drempel": {"1"}, "samenvatting": {"0"}, "titel": {"x"}, "tekst": {"y"}})
			// Staff without the role: 403; a resident: the staff login.
			if b != res && r.StatusCode != 403 || b == res && !(r.StatusCode == 303 && strings.HasPrefix(r.Header.Get("Location"), "/beheer/inloggen")) {
				t.Errorf("POST %s: %d %s", path, r.StatusCode, r.Header.Get("Location"))
			}
		}
	}
	var after moderation.Item
	testdb.NoError(t, s.App.DB.Where("id = ?", it.ID).Take(&after).Error)
	if !after.Waiting || after.ClaimedBy != nil {
		t.Fatalf("the item changed: %+v", after)
	}
	if n, _ := s.App.Moderation.Threshold(context.Background()); n != moderation.DefaultThresh {
		t.Fatalf("threshold changed to %d", n)
	}
}
