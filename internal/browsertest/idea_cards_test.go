//go:build browser

package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"inspraak/internal/app"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
)

// cardsSeed is what the idea-card seed made: a board of its own (so the
// demo board's counts stay as other checks expect), an idea on it with an
// image, and a moderation item of an idea with an image.
var cardsSeed struct {
	board   string
	idea    string
	modItem int64
}

const cardsBoardTitle = "Ideeën met foto's"

func init() { seeds = append(seeds, seedIdeaCards) }

// scene draws a landscape: sky, grass and a sun whose place and colour
// differ by n, so every idea has its own image.
func scene(n int) []byte {
	const w, h = 900, 600
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	sunX, sunY := 150+n*220, 140
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(120 + y/8), uint8(170 + y/12), 235, 255}
			if y > 380+(x%180)/12 {
				c = color.RGBA{uint8(40 + n*30), uint8(130 + (y-380)/4), 60, 255}
			}
			if dx, dy := x-sunX, y-sunY; dx*dx+dy*dy < 60*60 {
				c = color.RGBA{250, uint8(200 - n*30), 60, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func seedIdeaCards(ctx context.Context, a *app.App) error {
	p, err := a.Projects.GetPublic(ctx, "groen-in-de-wijk")
	if err != nil {
		return err
	}
	opens, closes := time.Now().Add(-time.Hour), time.Now().Add(30*24*time.Hour)
	board := func(slug, mode string) (*idea.Board, error) {
		return a.Ideas.CreateBoard(ctx, identity.SystemActor("browsertest"), idea.BoardDraft{ProjectID: p.ID, Slug: slug, Title: cardsBoardTitle,
			Published: true, Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
			Board: idea.Board{Moderation: mode}, Themes: []string{"Bomen en planten", "Spelen"}})
	}
	b, err := board("fotobord", idea.PostModeration)
	if err != nil {
		return err
	}
	pre, err := board("fotobord-vooraf", idea.PreModeration)
	if err != nil {
		return err
	}
	author := func(n int) (idea.Actor, error) {
		pt := identity.Participant{Subject: fmt.Sprintf("kaarten-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1],
			DisplayName: fmt.Sprintf("Buurtbewoner %d", n), CreatedAt: time.Now(), LastLoginAt: time.Now()}
		if err := a.DB.WithContext(ctx).Create(&pt).Error; err != nil {
			return idea.Actor{}, err
		}
		return idea.Actor{ParticipantID: pt.ID, Subject: pt.Subject,
			Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: pt.LoA}}, nil
	}
	ideas := []struct {
		title, text, wijk, alt string
		pic                    int // -1: no image
	}{
		{"Een pluktuin op het braakliggende stuk aan de Beukenlaan", "Op het lege stuk grond naast de flat kan een pluktuin komen met fruitbomen, bessen en kruiden. " +
			"Buurtbewoners zorgen er samen voor en iedereen mag plukken. Zo leren kinderen waar hun eten vandaan komt, en ontmoeten buren elkaar vaker. " +
			"De gemeente hoeft alleen de grond te geven en een keer per jaar te snoeien.", "Beukenbuurt", "Een grasveld onder een blauwe lucht met links een gele zon", 0},
		{"Speelheuvel in het Wilhelminapark", "Een heuvel met een glijbaan en boomstammen om op te klimmen, voor kinderen tot tien jaar.", "Centrum",
			"Een glooiend groen veld met in het midden een oranje zon", 1},
		{"Meer bankjes langs de singel", "Oudere buurtbewoners lopen graag langs de singel, maar er is nergens een plek om even uit te rusten. Om de tweehonderd meter een bankje zou al veel helpen.",
			"", "", -1},
		{"Geveltuintjes in de hele straat", "Tegels eruit, planten erin: als de gemeente de tegels ophaalt, doen wij de rest. " + strings.Repeat("Meer groen, minder hitte. ", 10),
			"Oost", "Een donkergroen veld met rechts een rode zon", 2},
	}
	for n, d := range ideas {
		a1, err := author(n)
		if err != nil {
			return err
		}
		th := b.Themes[n%2].ID
		dr := idea.Draft{Title: d.title, Description: d.text, Wijk: d.wijk, ThemeID: &th}
		if d.pic >= 0 {
			dr.Image, dr.ImageAlt = scene(d.pic), d.alt
		}
		i, err := a.Ideas.Submit(ctx, b.InstrumentID, a1, dr)
		if err != nil {
			return fmt.Errorf("idea %q: %w", d.title, err)
		}
		if n == 0 {
			cardsSeed.idea = "/projecten/groen-in-de-wijk/fotobord/ideeen/" + fmt.Sprint(i.ID)
		}
	}
	cardsSeed.board = "/projecten/groen-in-de-wijk/fotobord"

	a1, err := author(len(ideas))
	if err != nil {
		return err
	}
	th := pre.Themes[0].ID
	held, err := a.Ideas.Submit(ctx, pre.InstrumentID, a1, idea.Draft{Title: "Een muurschildering op de garageboxen",
		Description: "De grijze muur van de garageboxen kan een schildering van de buurt krijgen.", ThemeID: &th,
		Image: scene(1), ImageAlt: "Een groen veld met een oranje zon"})
	if err != nil {
		return err
	}
	return a.DB.WithContext(ctx).Table("moderation_items").Select("id").Where("kind = 'idea' AND target_id = ?", held.ID).Scan(&cardsSeed.modItem).Error
}

// TestIdeaCards checks the board as cards with images, an idea with its
// image and the moderator's view of one, at both sizes (the moderator's on
// a desktop), with axe-core and screenshots; and that a card's support
// button is still its own control under the card-wide link.
func TestIdeaCards(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	axeSource := readAxe(t)
	ps := []page{
		{name: "board-cards", path: cardsSeed.board, status: http.StatusOK, h1: cardsBoardTitle,
			contains: []string{"4 ideeën", "Een pluktuin op het braakliggende stuk aan de Beukenlaan", "Beukenbuurt", "Bomen en planten", "0 keer gesteund", "…"}},
		{name: "board-cards-resident", login: resident, path: cardsSeed.board + "?sorteer=nieuw", status: http.StatusOK, h1: cardsBoardTitle,
			contains: []string{"Steun dit idee", "Meer bankjes langs de singel"}},
		{name: "idea-image", path: cardsSeed.idea, status: http.StatusOK, h1: "Een pluktuin op het braakliggende stuk aan de Beukenlaan",
			contains: []string{"Beukenbuurt"}},
		{name: "mod-item-image", login: admin, path: fmt.Sprintf("/beheer/moderatie/%d", cardsSeed.modItem), status: http.StatusOK,
			h1: "Idee beoordelen", contains: []string{"Een muurschildering op de garageboxen", "Beschrijving van de afbeelding Een groen veld met een oranje zon"}},
	}
	for _, p := range ps {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			pt := s.newPageTab(t)
			for _, vp := range p.viewports() {
				t.Run(vp.name, func(t *testing.T) {
					s.checkPage(t, pt, p, vp, axeSource)
					if !strings.HasPrefix(p.name, "board-cards") {
						return
					}
					// Every card image reserves its space and loads lazily,
					// and no card is wider than the screen.
					bad, err := chromedp.Run(pt.tab, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".inspraak-idea-card"), c => {
  const img = c.querySelector("img");
  const r = c.getBoundingClientRect();
  if (r.right > document.documentElement.clientWidth + 1) return "card wider than the screen: " + c.id;
  if (img && !(img.alt && img.getAttribute("width") && img.getAttribute("height") && img.loading === "lazy")) return "image without alt, size or lazy loading: " + c.id;
  return "";
}).filter(Boolean)`))
					if err != nil {
						t.Fatal(err)
					}
					for _, b := range bad {
						t.Error(b)
					}
				})
			}
		})
	}

	// The support button inside a card is reached and pressed at 375 px;
	// the card-wide title link does not swallow it.
	t.Run("support-in-card", func(t *testing.T) {
		t.Parallel()
		pt := s.newPageTab(t)
		if err := chromedp.Do(pt.tab, emulate(viewports[1])); err != nil {
			t.Fatal(err)
		}
		s.logInByRequests(t, pt.tab, resident)
		if err := chromedp.Do(pt.tab, chromedp.Navigate(s.base+cardsSeed.board+"?sorteer=nieuw"), chromedp.WaitReady(chromedp.CSS("body"))); err != nil {
			t.Fatal(err)
		}
		// The board comes back at the card (#idee-N; the address may also
		// pin the walk through the pages, &tot=N): a fragment that
		// runThrough does not match, so wait for the count instead.
		if err := chromedp.Do(pt.tab, chromedp.Click(buttonInMain("Steun dit idee: Geveltuintjes in de hele straat"))); err != nil {
			t.Fatal(err)
		}
		var text, at string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			text, _ = chromedp.Run(pt.tab, chromedp.Evaluate[string](`document.readyState === "complete" ? document.querySelector("main").innerText : ""`))
			if strings.Contains(text, "U steunt dit idee") {
				break
			}
		}
		at, _ = chromedp.Run(pt.tab, chromedp.Location())
		if !strings.Contains(text, "U steunt dit idee") || !strings.Contains(text, "1 keer gesteund") || !strings.Contains(at, cardsSeed.board+"?sorteer=nieuw") || !strings.Contains(at, "#idee-") {
			t.Errorf("the support button in a card did not support the idea (at %s): %.600s", at, text)
		}
		s.fullShot(t, pt.tab, "support-in-card-phone.jpg")
		for _, msg := range pt.pr.take() {
			t.Errorf("%s", msg)
		}
	})
}
