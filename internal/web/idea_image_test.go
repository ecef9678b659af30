package web_test

import (
	"bytes"
	"image"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

// A resident adds an image to an idea through the idea form (a multipart
// form of up to 6 MiB on exactly the idea routes); bad input is refused on
// the form in Dutch with the typed text given back and nothing stored;
// the board shows the idea as a card with its image, text and wijk.
func TestIdeaImageThroughTheForm(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	theme := bd.Themes[0].ID
	author := resident(t, s, testBSN, "Indiener")
	form := author.get(board + "/nieuw-idee")
	wantContains(t, form, `enctype="multipart/form-data"`, `name="afbeelding"`, `name="afbeelding_tekst"`, "Beschrijving van de afbeelding")

	post := func(path string, f url.Values, file []byte) response {
		ct, body := multipartForm(t, f, file)
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", s.URL)
		return author.send(req)
	}
	fields := func(alt string) url.Values {
		return url.Values{"titel": {"Een muurschildering bij de school"}, "thema": {itoa(theme)}, "wijk": {"Lindenbuurt"},
			"beschrijving":     {"De kale muur naast de school kan een vrolijke schildering krijgen. " + strings.Repeat("Kinderen tekenen mee. ", 12)},
			"afbeelding_tekst": {alt}}
	}
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	var small bytes.Buffer
	_ = png.Encode(&small, img)
	// Noise does not compress: over 5 MB of it, still under the 6 MiB
	// upload limit, is refused by the image rules, not as a too large
	// request.
	noise := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 5<<20+1000)
	for i := range big {
		big[i] = byte(noise.UintN(256))
	}
	big = append(small.Bytes(), big...)

	for _, c := range []struct {
		name string
		file []byte
		alt  string
		want string
	}{
		{"not an image", []byte("<svg onload=alert(1)></svg>"), "Een tekening", "Dit bestand is geen JPEG-, PNG- of WebP-afbeelding."},
		{"too large", big, "Een foto", "De afbeelding is groter dan 5 MB."},
		{"no alt text", small.Bytes(), "", "Beschrijf wat er op de afbeelding staat"},
		{"alt text too long", small.Bytes(), strings.Repeat("a", 301), "De beschrijving van de afbeelding is te lang."},
	} {
		r := post(board+"/ideeen", fields(c.alt), c.file)
		wantStatus(t, r, 422)
		wantContains(t, r, c.want, `value="Een muurschildering bij de school"`, "Lindenbuurt", "De kale muur naast de school")
	}
	var ideas, images int64
	testdb.NoError(t, s.App.DB.Table("ideas").Where("instrument_id = ?", bd.InstrumentID).Count(&ideas).Error)
	testdb.NoError(t, s.App.DB.Table("images").Count(&images).Error)
	if ideas != 0 || images != 0 {
		t.Fatalf("%d ideas and %d images stored from bad forms", ideas, images)
	}

	sent := post(board+"/ideeen", fields("Een kale grijze muur naast het schoolplein"), small.Bytes())
	if sent.StatusCode != 303 {
		t.Fatalf("submit with image: %d\n%.2000s", sent.StatusCode, sent.Body)
	}
	ideaPath := sent.Header.Get("Location")
	page := author.follow(sent)
	wantContains(t, page, `alt="Een kale grijze muur naast het schoolplein"`, `width="40" height="30"`)

	card := s.get(t, board)
	wantContains(t, card, `class="inspraak-card inspraak-idea-card"`, `alt="Een kale grijze muur naast het schoolplein"`,
		`loading="lazy"`, `width="40" height="30"`, "De kale muur naast de school kan een vrolijke schildering krijgen.", "…", "Lindenbuurt",
		"0 keer gesteund", "0 reacties")
	wantNotContains(t, card, strings.Repeat("Kinderen tekenen mee. ", 12))

	// The author removes the image again.
	edit := author.get(ideaPath + "/bewerken")
	wantContains(t, edit, "Afbeelding weghalen", `alt="Een kale grijze muur naast het schoolplein"`)
	f := fields("")
	f.Set("geen_afbeelding", "true")
	if r := post(ideaPath+"/bewerken", f, nil); r.StatusCode != 303 {
		t.Fatalf("removing the image: %d\n%.2000s", r.StatusCode, r.Body)
	}
	wantNotContains(t, s.get(t, board), "Een kale grijze muur", "inspraak-idea-card__image")
	testdb.NoError(t, s.App.DB.Table("images").Count(&images).Error)
	if images != 0 {
		t.Fatalf("%d images stored after the only idea showing it removed it", images)
	}
}
