package idea_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"gorm.io/gorm"

	"inspraak/internal/idea"
	"inspraak/internal/media"
	"inspraak/internal/testdb"
)

// picture is a small valid PNG; shade makes different content.
func picture(shade uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 30, 20))
	img.Set(2, 2, color.RGBA{shade, 10, 10, 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// headerOnlyPNG is a PNG signature and header of w×h pixels: enough for
// the size check, which reads the header before any pixel.
func headerOnlyPNG(w, h int) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 2
	_ = binary.Write(&out, binary.BigEndian, uint32(len(ihdr)))
	crc := crc32.NewIEEE()
	crc.Write([]byte("IHDR"))
	crc.Write(ihdr)
	out.WriteString("IHDR")
	out.Write(ihdr)
	_ = binary.Write(&out, binary.BigEndian, crc.Sum32())
	return out.Bytes()
}

func (f *fixture) imageCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	testdb.NoError(t, f.db.Model(&media.Image{}).Count(&n).Error)
	return n
}

func (f *fixture) hasImage(t *testing.T, path string) bool {
	t.Helper()
	var n int64
	sha := strings.TrimSuffix(strings.TrimPrefix(path, "/afbeeldingen/"), ".png")
	testdb.NoError(t, f.db.Model(&media.Image{}).Where("sha256 = ?", sha).Count(&n).Error)
	return n == 1
}

func (f *fixture) withImage(t *testing.T, b *idea.Board, a idea.Actor, title string, pic []byte) *idea.Idea {
	t.Helper()
	th := b.Themes[0].ID
	i, err := f.ideas.Submit(context.Background(), b.InstrumentID, a, idea.Draft{Title: title,
		Description: "Een wat langere uitleg over dit idee voor de buurt.", ThemeID: &th, Image: pic, ImageAlt: "Een foto van de plek"})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// A bad image, or an image without (or with too long) alternative text,
// refuses the whole idea with a message for the field; neither the idea
// nor the image is stored, and a good image on an otherwise refused idea
// is not stored either.
func TestIdeaImageRefusedForBadInputStoresNothing(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	b := f.board(t, nil)
	a := f.person(t, 1)
	th := b.Themes[0].ID
	good := func(pic []byte, alt string) idea.Draft {
		return idea.Draft{Title: "Meer bomen", Description: "Een wat langere uitleg over dit idee.", ThemeID: &th, Image: pic, ImageAlt: alt}
	}
	noTitle := good(picture(1), "Bomen")
	noTitle.Title = ""
	cases := []struct {
		name  string
		d     idea.Draft
		field string
		key   string
	}{
		{"not an image", good([]byte("<svg onload=alert(1)></svg>"), "Een tekening"), "afbeelding", "media.error.type"},
		{"broken", good(picture(1)[:60], "Een foto"), "afbeelding", "media.error.broken"},
		{"too large", good(append(picture(1), make([]byte, media.MaxBytes)...), "Een foto"), "afbeelding", "media.error.too_large"},
		{"too many pixels", good(headerOnlyPNG(4001, 4000), "Een foto"), "afbeelding", "media.error.dimensions"},
		{"no alt text", good(picture(1), "  "), "afbeelding_tekst", "idea.error.alt_required"},
		{"alt text too long", good(picture(1), strings.Repeat("a", idea.MaxImageAlt+1)), "afbeelding_tekst", "idea.error.alt_too_long"},
		{"good image, bad title", noTitle, "titel", "idea.error.title_required"},
	}
	for _, c := range cases {
		_, err := f.ideas.Submit(context.Background(), b.InstrumentID, a, c.d)
		if got := fields(err)[c.field]; got != c.key {
			t.Errorf("%s: field %s = %q, want %q (%v)", c.name, c.field, got, c.key, err)
		}
	}
	var n int64
	testdb.NoError(t, f.db.Model(&idea.Idea{}).Count(&n).Error)
	if n != 0 || f.imageCount(t) != 0 {
		t.Fatalf("%d ideas and %d images stored from bad input", n, f.imageCount(t))
	}
}

// An idea's image is stored cleaned with its size; its author may change
// the text, replace it or remove it, and a file two ideas share stays
// while one of them still shows it.
func TestIdeaImageEditReplaceRemoveAndSharedFiles(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, other := f.person(t, 1), f.person(t, 2)
	i := f.withImage(t, b, a, "Bomen aan de gracht", picture(1))
	if !strings.HasPrefix(i.ImagePath, "/afbeeldingen/") || i.ImageAlt != "Een foto van de plek" || i.ImageWidth != 30 || i.ImageHeight != 20 {
		t.Fatalf("stored idea image: %q %q %dx%d", i.ImagePath, i.ImageAlt, i.ImageWidth, i.ImageHeight)
	}
	j := f.withImage(t, b, other, "Ook bomen aan de gracht", picture(1))
	if j.ImagePath != i.ImagePath || f.imageCount(t) != 1 {
		t.Fatalf("the same picture twice: %q and %q, %d files", i.ImagePath, j.ImagePath, f.imageCount(t))
	}
	th := b.Themes[0].ID
	draft := func(pic []byte, alt string, remove bool) idea.Draft {
		return idea.Draft{Title: "Bomen aan de gracht", Description: "Een wat langere uitleg over dit idee voor de buurt.", ThemeID: &th,
			Image: pic, ImageAlt: alt, RemoveImage: remove}
	}
	// Keeping the image needs its text too.
	if err := f.ideas.Edit(ctx, i.ID, a, draft(nil, "", false)); fields(err)["afbeelding_tekst"] != "idea.error.alt_required" {
		t.Fatalf("keeping the image without text: %v", err)
	}
	if err := f.ideas.Edit(ctx, i.ID, a, draft(nil, "Bomen langs het water", false)); err != nil {
		t.Fatal(err)
	}
	got, err := f.ideas.Get(ctx, i.ID)
	if err != nil || got.ImagePath != i.ImagePath || got.ImageAlt != "Bomen langs het water" {
		t.Fatalf("after changing the text: %+v, %v", got, err)
	}
	// Removing it from one idea keeps the file the other still shows.
	if err := f.ideas.Edit(ctx, i.ID, a, draft(nil, "", true)); err != nil {
		t.Fatal(err)
	}
	got, err = f.ideas.Get(ctx, i.ID)
	if err != nil || got.ImagePath != "" || got.ImageAlt != "" || got.ImageWidth != 0 {
		t.Fatalf("after removing: %+v, %v", got, err)
	}
	if !f.hasImage(t, j.ImagePath) {
		t.Fatal("a file another idea shows was deleted")
	}
	// Replacing the last idea's image deletes the old file.
	if err := f.ideas.Edit(ctx, j.ID, other, draft(picture(2), "Een andere foto", false)); err != nil {
		t.Fatal(err)
	}
	got, err = f.ideas.Get(ctx, j.ID)
	if err != nil || got.ImagePath == j.ImagePath || !f.hasImage(t, got.ImagePath) {
		t.Fatalf("after replacing: %+v, %v", got, err)
	}
	if f.hasImage(t, j.ImagePath) || f.imageCount(t) != 1 {
		t.Fatalf("the replaced file is still stored (%d files)", f.imageCount(t))
	}
	// A refused replacement leaves the idea and its image as they were.
	if err := f.ideas.Edit(ctx, j.ID, other, draft([]byte("geen afbeelding"), "Tekst", false)); fields(err)["afbeelding"] != "media.error.type" {
		t.Fatalf("replacing by a text file: %v", err)
	}
	if again, err := f.ideas.Get(ctx, j.ID); err != nil || again.ImagePath != got.ImagePath || !f.hasImage(t, got.ImagePath) {
		t.Fatalf("after a refused replacement: %+v, %v", again, err)
	}
}

// Erasing an author takes their ideas' images (the text stays, without
// a name), keeping a file another idea shows.
func TestErasedAuthorsIdeaImagesGo(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, other := f.person(t, 1), f.person(t, 2)
	own := f.withImage(t, b, a, "Een speeltuin in het park", picture(3))
	shared := f.withImage(t, b, a, "Bomen aan de gracht", picture(1))
	kept := f.withImage(t, b, other, "Ook bomen aan de gracht", picture(1))
	if err := f.db.WithTx(ctx, func(tx *gorm.DB) error { return idea.Erase(tx, a.ParticipantID, f.now) }); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{own.ID, shared.ID} {
		got, err := f.ideas.Get(ctx, id)
		if err != nil || got.ImagePath != "" || got.ImageAlt != "" || got.Title == "" || got.AuthorID != nil {
			t.Fatalf("erased author's idea: %+v, %v", got, err)
		}
	}
	if f.hasImage(t, own.ImagePath) {
		t.Fatal("the erased author's image is still stored")
	}
	got, err := f.ideas.Get(ctx, kept.ID)
	if err != nil || got.ImagePath != kept.ImagePath || !f.hasImage(t, kept.ImagePath) {
		t.Fatalf("another resident's idea lost its image: %+v, %v", got, err)
	}
}

func TestExcerptCutsAtAWordBoundary(t *testing.T) {
	t.Parallel() // each test has its own database
	long := strings.Repeat("Meer bomen in de straat. ", 20)
	for _, c := range []struct{ in, want string }{
		{"Kort idee.\n\nMet een tweede alinea.", "Kort idee. Met een tweede alinea."},
		{long, strings.TrimSuffix(strings.Repeat("Meer bomen in de straat. ", 8), ". ") + "…"},
		{strings.Repeat("é", 250), strings.Repeat("é", idea.ExcerptLength) + "…"},
	} {
		i := idea.Idea{Description: c.in}
		if got := i.Excerpt(); got != c.want {
			t.Errorf("Excerpt(%.30q…) = %q, want %q", c.in, got, c.want)
		}
	}
}
