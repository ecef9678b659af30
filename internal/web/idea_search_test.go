package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
)

// The board's search works from the address alone (?zoek=), without
// JavaScript: the count says what was searched, every page, filter and
// order link keeps the term, and a bad term is a message, not an error.
func TestBoardSearchKeepsTheTermInEveryLink(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	p := identity.Participant{Subject: "zoeker", KeyVersion: 1, Means: identity.DigiD, LoA: loaMid, DisplayName: "Zoeker",
		CreatedAt: time.Now(), LastLoginAt: time.Now()}
	if err := s.App.DB.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	a := idea.Actor{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: loaMid}}
	submit := func(title string, theme int) {
		th := bd.Themes[theme].ID
		if _, err := s.App.Ideas.Submit(context.Background(), bd.InstrumentID, a, idea.Draft{Title: title,
			Description: "Met een uitleg die lang genoeg is.", ThemeID: &th}); err != nil {
			t.Fatal(err)
		}
	}
	for k := range 22 {
		submit(fmt.Sprintf("Fietsenrek bij huisnummer %d", k), k%2)
	}
	for k := range 3 {
		submit(fmt.Sprintf("Zebrapad bij de school %d", k), 2)
	}

	r := s.get(t, board+"?zoek=fietsen")
	wantStatus(t, r, 200)
	wantContains(t, r, "22 ideeën gevonden voor ‘fietsen’", `name="zoek" value="fietsen"`, `role="search"`,
		`type="hidden" name="zoek" value="fietsen"`, "zoek=fietsen", "Toon weer alle ideeën")
	if !strings.Contains(r.Body, "pagina=2") {
		t.Fatal("22 results are not paged")
	}
	for _, link := range strings.Split(r.Body, `href="`)[1:] {
		if l := link[:strings.Index(link, `"`)]; strings.Contains(l, "pagina=") && !strings.Contains(l, "zoek=fietsen") {
			t.Errorf("page link %q loses the search", l)
		}
	}
	wantNotContains(t, r, "Zebrapad")

	th := bd.Themes[1].ID
	r = s.get(t, board+fmt.Sprintf("?zoek=fietsen&thema=%d&sorteer=nieuw", th))
	wantContains(t, r, "11 ideeën gevonden voor ‘fietsen’", `type="hidden" name="sorteer" value="nieuw"`, fmt.Sprintf(`type="hidden" name="thema" value="%d"`, th))

	r = s.get(t, board+"?zoek=xyzzy")
	wantContains(t, r, "0 ideeën gevonden voor ‘xyzzy’", "Er zijn geen ideeën met dit woord")

	r = s.get(t, board+"?zoek="+url.QueryEscape(strings.Repeat("fiets ", 20)))
	wantStatus(t, r, 200)
	wantContains(t, r, "Uw zoekwoorden zijn te lang", `aria-invalid="true"`, "25 ideeën")

	for _, term := range []string{`"fiets*`, `fiets NEAR(zebrapad)`, `-fiets`, `'); DROP TABLE ideas; --`} {
		wantStatus(t, s.get(t, board+"?zoek="+url.QueryEscape(term)), 200)
	}
	wantContains(t, s.get(t, board+"?zoek="+url.QueryEscape(`"zebrapad" OR fiets`)), "0 ideeën gevonden")
}
