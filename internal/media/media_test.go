package media_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/media"
	"inspraak/internal/testdb"
)

func pngBytes(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

func jpegWithExif() []byte {
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil)
	b := buf.Bytes()
	// Insert an APP1 (EXIF) segment carrying a fake GPS note after SOI.
	payload := []byte("Exif\x00\x00GPS 51.7N 5.9E geheim")
	seg := append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
	return append(append([]byte{b[0], b[1]}, seg...), b[2:]...)
}

func code(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Fields["image"]
	}
	return ""
}

func TestOnlyRealImagesAreStoredAndMetadataIsRemoved(t *testing.T) {
	svc := media.NewService(testdb.Open(t))
	ctx := context.Background()
	path, err := svc.Store(ctx, pngBytes(10, 5))
	if err != nil || !strings.HasPrefix(path, "/afbeeldingen/") || !strings.HasSuffix(path, ".png") {
		t.Fatalf("png: %q %v", path, err)
	}
	again, _ := svc.Store(ctx, pngBytes(10, 5))
	if again != path {
		t.Error("the same image must get the same address")
	}
	withExif := jpegWithExif()
	if !bytes.Contains(withExif, []byte("geheim")) {
		t.Fatal("test image lacks its EXIF")
	}
	jp, err := svc.Store(ctx, withExif)
	if err != nil {
		t.Fatal(err)
	}
	img, err := svc.Get(ctx, strings.TrimSuffix(strings.TrimPrefix(jp, "/afbeeldingen/"), ".jpg"))
	if err != nil || bytes.Contains(img.Data, []byte("geheim")) || img.ContentType != "image/jpeg" {
		t.Fatalf("stored jpeg still carries metadata or is wrong: %v", err)
	}
	cases := map[string][]byte{
		"media.error.empty":      nil,
		"media.error.type":       []byte("<svg onload=alert(1)></svg>"),
		"media.error.broken":     append([]byte("\x89PNG\r\n\x1a\n"), []byte("no more png here")...),
		"media.error.too_large":  bytes.Repeat([]byte{0}, media.MaxBytes+1),
		"media.error.dimensions": pngBytes(4001, 4001),
	}
	for want, data := range cases {
		if _, err := svc.Store(ctx, data); code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
}
