package web_test

import (
	"net/url"
	"strings"
	"testing"

	"inspraak/internal/idea"
	"inspraak/internal/moderation"
	"inspraak/internal/testdb"
)

// Two redactions of one idea, one after the other, give its author one
// notification, not two identical ones.
func TestTwoRedactionsNotifyTheAuthorOnce(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de school"},
		"beschrijving": {"Bel mij op 06-12345678 of mail naar jan@voorbeeld.nl, dan vertel ik waar."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	var it moderation.Item
	testdb.NoError(t, s.App.DB.Where("kind = ?", "idea").Order("id DESC").Take(&it).Error)
	item := "/beheer/moderatie/" + itoa(it.ID)
	mod := moderatorBrowser(t, s, "Mo Derator")
	wantStatus(t, mod.follow(mod.post(item+"/claimen", nil)), 200)
	for _, frag := range []string{"06-12345678", "jan@voorbeeld.nl"} {
		if r := mod.post(item+"/fragment", url.Values{"veld": {"description"}, "fragment": {frag}}); r.StatusCode != 303 {
			t.Fatalf("redact %s: %d\n%s", frag, r.StatusCode, r.Body)
		}
	}
	var n int64
	testdb.NoError(t, s.App.DB.Table("notifications").Where("msg_key = ?", "notify.moderation.redacted.idea").Count(&n).Error)
	if n != 1 {
		t.Fatalf("%d notifications about the redactions, want 1", n)
	}
	list := author.get("/mijn-inspraak/meldingen")
	if c := strings.Count(list.Body, "heeft persoonsgegevens weggehaald"); c != 1 {
		t.Errorf("the author's notifications say %d times that personal data was removed, want once", c)
	}
}
