package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

var renderedComment = regexp.MustCompile(`<li class="inspraak-comment" id="reactie-(\d+)"`)

// seedThread gives an idea n top-level comments, one a minute ("Reactie
// nummer 000" is the oldest), and returns their ids oldest first.
func seedThread(t testing.TB, s *testSite, ideaID int64, n int) []int64 {
	t.Helper()
	i, err := s.App.Ideas.Get(context.Background(), ideaID)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Duration(n+60) * time.Minute).UTC()
	cs := make([]idea.Comment, n)
	for k := range cs {
		cs[k] = idea.Comment{IdeaID: ideaID, AuthorID: i.AuthorID, Body: fmt.Sprintf("Reactie nummer %03d", k),
			Moderation: idea.Approved, CreatedAt: start.Add(time.Duration(k) * time.Minute)}
	}
	testdb.NoError(t, s.App.DB.CreateInBatches(&cs, 100).Error)
	testdb.NoError(t, s.App.DB.Model(&idea.Idea{}).Where("id = ?", ideaID).Update("comment_count", n).Error)
	ids := make([]int64, n)
	for k := range cs {
		ids[k] = cs[k].ID
	}
	return ids
}

// seedIdeaBy has resident n submit an idea and returns its address.
func seedIdeaBy(t testing.TB, s *testSite, bd *idea.Board, n int) (string, int64) {
	t.Helper()
	p := identity.Participant{Subject: fmt.Sprintf("indiener-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: loaMid,
		DisplayName: fmt.Sprintf("Indiener %d", n), CreatedAt: time.Now(), LastLoginAt: time.Now()}
	testdb.NoError(t, s.App.DB.Create(&p).Error)
	th := bd.Themes[0].ID
	i, err := s.App.Ideas.Submit(context.Background(), bd.InstrumentID, idea.Actor{ParticipantID: p.ID, Subject: p.Subject,
		Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loaMid}},
		idea.Draft{Title: fmt.Sprintf("Idee nummer %d van een bewoner", n), Description: "Met een uitleg die lang genoeg is.", ThemeID: &th})
	if err != nil {
		t.Fatal(err)
	}
	return board + "/ideeen/" + itoa(i.ID), i.ID
}

// A thread of 500 comments shows 50 of them a page, oldest or newest
// first as the address says; a comment or a reply posted lands on the
// page where it appears; a refused reply comes back on its page.
func TestLongThreadPagesInBothOrders(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	path, id := seedIdea(t, s, bd)
	ids := seedThread(t, s, id, 500)

	first := s.get(t, path)
	wantStatus(t, first, 200)
	if got := renderedComment.FindAllStringSubmatch(first.Body, -1); len(got) != 50 || got[0][1] != itoa(ids[0]) || got[49][1] != itoa(ids[49]) {
		t.Fatalf("first page renders %d comments, want the 50 oldest", len(got))
	}
	wantContains(t, first, "500 reacties", "Pagina 1 van 10", "Reactie nummer 049", `href="`+path+`?pagina=2#reacties" rel="next">Nieuwere reacties`,
		`href="`+path+`?reacties=nieuw#reacties">Nieuwste eerst`)
	wantNotContains(t, first, "Reactie nummer 050", "Oudere reacties")

	newest := s.get(t, path+"?reacties=nieuw")
	if got := renderedComment.FindAllStringSubmatch(newest.Body, -1); len(got) != 50 || got[0][1] != itoa(ids[499]) || got[49][1] != itoa(ids[450]) {
		t.Fatalf("newest first renders %d comments, want the 50 newest", len(got))
	}
	wantContains(t, newest, `href="`+path+`?pagina=2&amp;reacties=nieuw#reacties" rel="next">Oudere reacties`, `<strong aria-current="true">Nieuwste eerst`)
	last := s.get(t, path+"?reacties=nieuw&pagina=10")
	if got := renderedComment.FindAllStringSubmatch(last.Body, -1); len(got) != 50 || got[49][1] != itoa(ids[0]) {
		t.Fatalf("last page newest first renders %d comments, want ending with the oldest", len(got))
	}

	// A new comment is the 501st: the last page oldest first, the first
	// newest first.
	r := resident(t, s, supporterBSN, "Buurvrouw")
	posted := r.post(path+"/reacties", url.Values{"reactie": {"Ik ben de nieuwste."}})
	mine := regexp.MustCompile(`#reactie-(\d+)$`).FindStringSubmatch(posted.Header.Get("Location"))
	if posted.StatusCode != 303 || mine == nil || !strings.HasPrefix(posted.Header.Get("Location"), path+"?pagina=11#") {
		t.Fatalf("comment posted oldest first: %d %s", posted.StatusCode, posted.Header.Get("Location"))
	}
	wantContains(t, r.follow(posted), `id="reactie-`+mine[1]+`"`, "Ik ben de nieuwste.")
	again := r.post(path+"/reacties?reacties=nieuw", url.Values{"reactie": {"En nog een."}})
	if loc := again.Header.Get("Location"); again.StatusCode != 303 || !strings.HasPrefix(loc, path+"?reacties=nieuw#reactie-") {
		t.Fatalf("comment posted newest first: %d %s", again.StatusCode, loc)
	}

	// A reply to comment 120 (page 3) is on page 3, under it.
	third := r.get(path + "?pagina=3")
	wantContains(t, third, "Reactie nummer 120", `action="`+path+`/reacties?pagina=3"`)
	reply := r.post(path+"/reacties?pagina=3", url.Values{"reactie": {"Antwoord op 120."}, "antwoord_op": {itoa(ids[120])}})
	if loc := reply.Header.Get("Location"); reply.StatusCode != 303 || !strings.HasPrefix(loc, path+"?pagina=3#reactie-") {
		t.Fatalf("reply: %d %s", reply.StatusCode, loc)
	}
	page3 := r.follow(reply)
	if got := renderedComment.FindAllStringSubmatch(page3.Body, -1); len(got) != 51 {
		t.Fatalf("page 3 with a reply renders %d comments, want 51", len(got))
	}
	wantContains(t, page3, "Antwoord op 120.")
	// Newest first, comment 120 is the 381st of 502: page 8.
	if loc := r.post(path+"/reacties?reacties=nieuw", url.Values{"reactie": {"Nog een antwoord."}, "antwoord_op": {itoa(ids[120])}}).Header.Get("Location"); !strings.HasPrefix(loc, path+"?pagina=8&reacties=nieuw#reactie-") {
		t.Fatalf("reply newest first: %s", loc)
	}
	empty := r.post(path+"/reacties?pagina=3", url.Values{"reactie": {" "}, "antwoord_op": {itoa(ids[120])}})
	wantStatus(t, empty, 422)
	wantContains(t, empty, "Reactie nummer 120", "Schrijf eerst uw reactie.")
	if !regexp.MustCompile(`<details class="inspraak-reply" open>\s*<summary>[^<]*<span[^>]*>[^<]*</span></summary>\s*<form method="post" action="[^"]*\?pagina=3"[^>]*>\s*<input type="hidden" name="antwoord_op" value="` + itoa(ids[120]) + `">`).MatchString(empty.Body) {
		t.Fatalf("the refused reply's form is not open under its comment")
	}
}

// Ideas the municipality did not accept or has carried out offer no
// support form, on the idea and on the board, but a line that says why;
// the rejection and its reason are in the idea's history.
func TestClosedIdeasOfferNoSupportAndShowWhy(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	openPath, _ := seedIdeaBy(t, s, bd, 1)
	rejectedPath, rejected := seedIdeaBy(t, s, bd, 2)
	donePath, done := seedIdeaBy(t, s, bd, 3)
	staff := identity.StaffMember{Issuer: "http://idp", Subject: "redacteur", Name: "Redacteur", CreatedAt: time.Now(), LastLoginAt: time.Now()}
	testdb.NoError(t, s.App.DB.Create(&staff).Error)
	editor := identity.Actor{StaffID: staff.ID, Roles: []identity.Role{identity.RoleEditor}}
	ctx := context.Background()
	for _, st := range []struct {
		id       int64
		status   idea.Status
		response string
	}{
		{rejected, idea.StatusUnderConsideration, "Wij bekijken of het kan."},
		{rejected, idea.StatusRejected, "Er is op die plek geen ruimte voor een zebrapad."},
		{done, idea.StatusDone, "Het is klaar."},
	} {
		if err := s.App.Ideas.SetStatus(ctx, editor, st.id, st.status, st.response); err != nil {
			t.Fatal(err)
		}
	}

	r := resident(t, s, supporterBSN, "Buurvrouw")
	wantContains(t, r.get(openPath), "Steun dit idee", `action="`+openPath+`/steun"`)
	page := r.get(rejectedPath)
	wantContains(t, page, "De gemeente heeft dit idee niet aangenomen. Daarom kunt u het niet meer steunen.", `href="#status">Lees waarom.`)
	wantNotContains(t, page, "Steun dit idee", `action="`+rejectedPath+`/steun"`)
	history := regexp.MustCompile(`(?s)<ol class="inspraak-history">(.*?)</ol>`).FindStringSubmatch(page.Body)
	if history == nil {
		t.Fatal("no history on the page")
	}
	steps := regexp.MustCompile(`<strong>([^<]+)</strong> · <time datetime="[^"]+">`).FindAllStringSubmatch(history[1], -1)
	var names []string
	for _, s := range steps {
		names = append(names, s[1])
	}
	if strings.Join(names, ", ") != "Ingestuurd, Wordt bekeken, Niet aangenomen" {
		t.Fatalf("history steps: %v", names)
	}
	if !strings.Contains(history[1][strings.Index(history[1], "Niet aangenomen"):], "Er is op die plek geen ruimte voor een zebrapad.") {
		t.Fatal("the rejection's reason is not with it in the history")
	}
	donePage := r.get(donePath)
	wantContains(t, donePage, "Dit idee is al uitgevoerd. Daarom kunt u het niet meer steunen.", "Het is klaar.")
	wantNotContains(t, donePage, "Steun dit idee")
	// Not logged in: no login prompt to support what cannot be supported.
	wantContains(t, s.get(t, openPath), "inspraak-verdict")
	wantNotContains(t, s.get(t, rejectedPath), "Steun dit idee", "inspraak-verdict")

	board := r.get(board)
	wantContains(t, board, "De gemeente heeft dit idee niet aangenomen.", "Dit idee is al uitgevoerd.")
	if n := strings.Count(board.Body, "Steun dit idee"); n != 1 {
		t.Fatalf("the board offers %d support buttons, want 1 (the open idea)", n)
	}
}
