package moderation_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"inspraak/internal/idea"
	"inspraak/internal/media"
	"inspraak/internal/moderation"
	"inspraak/internal/testdb"
)

// The moderator sees an idea's image with its text; rejecting the idea
// takes the image off it and deletes the file, unless another idea
// shows the same file.
func TestModeratorSeesIdeaImageAndRejectionRemovesIt(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	st := f.moderator(t, "Moderator A")
	th := b.Themes[0].ID
	pic := func(shade uint8) []byte {
		img := image.NewRGBA(image.Rect(0, 0, 16, 16))
		img.Set(1, 1, color.RGBA{shade, 0, 0, 255})
		var buf bytes.Buffer
		_ = png.Encode(&buf, img)
		return buf.Bytes()
	}
	submit := func(title string, p []byte) *idea.Idea {
		i, err := f.ideas.Submit(ctx, b.InstrumentID, f.person(t), idea.Draft{Title: title, Description: plain, ThemeID: &th,
			Image: p, ImageAlt: "Foto van " + title})
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	files := func(path string) int64 {
		var n int64
		testdb.NoError(t, f.db.Model(&media.Image{}).Where("sha256 = ?", path[len("/afbeeldingen/"):len(path)-len(".png")]).Count(&n).Error)
		return n
	}
	alone, shared, other := submit("Een muurschildering", pic(1)), submit("Bomen aan de gracht", pic(2)), submit("Ook bomen", pic(2))

	item, err := f.mod.Detail(ctx, f.item(t, moderation.KindIdea, alone.ID).ID)
	if err != nil {
		t.Fatal(err)
	}
	if item.Content == nil || item.Content.ImagePath != alone.ImagePath || item.Content.ImageAlt != "Foto van Een muurschildering" {
		t.Fatalf("the moderator does not see the image: %+v", item.Content)
	}

	for _, i := range []*idea.Idea{alone, shared} {
		f.mustDecide(t, st, f.item(t, moderation.KindIdea, i.ID).ID, moderation.Decision{Action: moderation.ActReject, Note: "Niet over groen."})
		if got := f.idea(t, i.ID); got.Moderation != idea.Rejected || got.ImagePath != "" || got.ImageAlt != "" {
			t.Fatalf("rejected idea: %s, image %q %q", got.Moderation, got.ImagePath, got.ImageAlt)
		}
	}
	if files(alone.ImagePath) != 0 {
		t.Fatal("a rejected idea's image is still stored")
	}
	if files(other.ImagePath) != 1 || f.idea(t, other.ID).ImagePath != other.ImagePath {
		t.Fatal("rejecting one idea deleted the image another idea shows")
	}
}

// An image's text is screened like the idea's other texts, and a
// moderator can redact a fragment of it.
func TestIdeaImageTextIsScreenedAndRedactable(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	st := f.moderator(t, "Moderator A")
	th := b.Themes[0].ID
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	i, err := f.ideas.Submit(ctx, b.InstrumentID, f.person(t), idea.Draft{Title: "Een bankje voor mijn deur", Description: plain, ThemeID: &th,
		Image: buf.Bytes(), ImageAlt: "Mijn voordeur, bel 06-12345678"})
	if err != nil {
		t.Fatal(err)
	}
	if i.Moderation != idea.Awaiting {
		t.Fatalf("a phone number in the image text: idea %s, want held back", i.Moderation)
	}
	itemID := f.item(t, moderation.KindIdea, i.ID).ID
	if err := f.mod.Claim(ctx, st, itemID); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.Redact(ctx, st, itemID, "image_alt", "06-12345678"); err != nil {
		t.Fatal(err)
	}
	if got := f.idea(t, i.ID).ImageAlt; got != "Mijn voordeur, bel "+moderation.Redacted {
		t.Fatalf("after redaction the image text is %q", got)
	}
}
