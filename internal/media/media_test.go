package media_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
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

// blankPNG is a complete, valid w×h PNG: black, one bit per pixel,
// written by hand. image/png takes half a minute under -race to encode
// 4001×4001 RGBA pixels; this deflates 2 MB of zeros.
func blankPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		_ = binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		_ = binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8] = 1 // bit depth; colour type 0 (greyscale), deflate, filter 0, no interlace
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	zw, err := zlib.NewWriterLevel(&idat, zlib.BestSpeed) // 4 s under -race at the default level, 0.1 s so
	if err != nil {
		t.Fatal(err)
	}
	row := make([]byte, 1+(w+7)/8) // filter type 0, then the pixels
	for range h {
		_, _ = zw.Write(row)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

func TestBlankPNGIsAValidImage(t *testing.T) {
	img, err := png.Decode(bytes.NewReader(blankPNG(t, 13, 7)))
	if err != nil || img.Bounds() != image.Rect(0, 0, 13, 7) {
		t.Fatalf("blankPNG(13, 7) decodes to %v, %v", img, err)
	}
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
		"media.error.dimensions": blankPNG(t, 4001, 4001),
	}
	for want, data := range cases {
		if _, err := svc.Store(ctx, data); code(err) != want {
			t.Errorf("want %s, got %v", want, err)
		}
	}
}
