// Package media owns uploaded images: it accepts only real JPEG, PNG and
// WebP files of a bounded size, re-encodes JPEG and PNG so camera metadata
// (such as GPS positions) never reaches the public site, and stores them
// by content hash in the database so every instance can serve them.
package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"net/http"
	"strings"
	"time"

	"golang.org/x/image/webp"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/store"
)

// Limits.
const (
	MaxBytes  = 5 << 20
	MaxPixels = 4000 * 4000
)

// Image is a row of images.
type Image struct {
	SHA256      string    `gorm:"column:sha256;primaryKey"`
	ContentType string    `gorm:"not null"`
	Width       int       `gorm:"not null"`
	Height      int       `gorm:"not null"`
	Data        []byte    `gorm:"not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Image) TableName() string { return "images" }

// Models lists the row structs this package owns.
func Models() []any { return []any{&Image{}} }

// Service stores and reads images.
type Service struct{ db *store.DB }

// NewService returns a media service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Ext returns the file extension for a content type.
func Ext(ct string) string {
	switch ct {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	}
	return ""
}

// Store checks, cleans and stores an image, and returns its public path.
func (s *Service) Store(ctx context.Context, data []byte) (string, error) {
	img, err := Prepare(data)
	if err != nil {
		return "", err
	}
	if err := Put(s.db.WithContext(ctx), img); err != nil {
		return "", err
	}
	return img.Path(), nil
}

// Path is the image's public address.
func (img *Image) Path() string { return "/afbeeldingen/" + img.SHA256 + Ext(img.ContentType) }

// Prepare checks and cleans an image without storing it, so that a
// caller can store it in the same transaction as the row that shows it
// (and store nothing when that row is refused). Refusals are Invalid
// with the field "image".
func Prepare(data []byte) (*Image, error) {
	if len(data) == 0 {
		return nil, apperror.Invalid.WithFields(map[string]string{"image": "media.error.empty"})
	}
	if len(data) > MaxBytes {
		return nil, apperror.Invalid.WithFields(map[string]string{"image": "media.error.too_large"})
	}
	ct := http.DetectContentType(data)
	var cfg image.Config
	var err error
	switch ct {
	case "image/jpeg":
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	case "image/png":
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	case "image/webp":
		cfg, err = webp.DecodeConfig(bytes.NewReader(data))
	default:
		return nil, apperror.Invalid.WithFields(map[string]string{"image": "media.error.type"})
	}
	if err != nil {
		return nil, apperror.Wrap(err, apperror.Invalid, "media.error.broken").WithField("image", "media.error.broken")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, apperror.Invalid.WithFields(map[string]string{"image": "media.error.dimensions"})
	}
	clean, err := reencode(ct, data)
	if err != nil {
		return nil, apperror.Wrap(err, apperror.Invalid, "media.error.broken").WithField("image", "media.error.broken")
	}
	sum := sha256.Sum256(clean)
	return &Image{SHA256: hex.EncodeToString(sum[:]), ContentType: ct, Width: cfg.Width, Height: cfg.Height, Data: clean, CreatedAt: time.Now().UTC()}, nil
}

// Put stores a prepared image in tx. The same content is stored once;
// storing it again touches its row, which (on PostgreSQL) waits for a
// Release of the same image in another transaction to finish, so an
// image is never deleted under a row that has just come to show it.
func Put(tx *gorm.DB, img *Image) error {
	return tx.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "sha256"}},
		DoUpdates: clause.Assignments(map[string]any{"created_at": gorm.Expr("images.created_at")})}).Create(img).Error
}

// Release deletes the image at path (an address from Path) in tx when no
// row shows it any more: no idea, no budget plan and no project (as its
// image or in its text). Images are stored by content, so two rows may share one.
func Release(tx *gorm.DB, path string) error {
	sha, ok := shaOf(path)
	if !ok {
		return nil
	}
	var img Image
	q := tx.Select("sha256").Where("sha256 = ?", sha)
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.Take(&img).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil
		}
		return err
	}
	var used int64
	like := "%" + sha + "%"
	if err := tx.Raw("SELECT (SELECT COUNT(*) FROM ideas WHERE image_path = ?) + "+
		"(SELECT COUNT(*) FROM budget_plans WHERE image_path = ?) + "+
		"(SELECT COUNT(*) FROM projects WHERE image_path = ? OR body LIKE ?)", path, path, path, like).Scan(&used).Error; err != nil {
		return err
	}
	if used > 0 {
		return nil
	}
	return tx.Where("sha256 = ?", sha).Delete(&Image{}).Error
}

// shaOf returns the content hash an image address names.
func shaOf(path string) (string, bool) {
	name, ok := strings.CutPrefix(path, "/afbeeldingen/")
	if !ok {
		return "", false
	}
	sha, _, _ := strings.Cut(name, ".")
	return sha, len(sha) == 64
}

// reencode decodes and encodes JPEG and PNG again, which drops EXIF and
// text chunks. WebP has no encoder in the standard library; it is kept
// as uploaded after its header was checked.
func reencode(ct string, data []byte) ([]byte, error) {
	var buf bytes.Buffer
	switch ct {
	case "image/jpeg":
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
			return nil, err
		}
	case "image/png":
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
			return nil, err
		}
	default:
		if _, err := webp.Decode(bytes.NewReader(data)); err != nil {
			return nil, err
		}
		return data, nil
	}
	return buf.Bytes(), nil
}

// Get returns an image by its hash.
func (s *Service) Get(ctx context.Context, sha string) (*Image, error) {
	if len(sha) != 64 {
		return nil, apperror.New(apperror.NotFound, "")
	}
	var img Image
	if err := s.db.WithContext(ctx).Where("sha256 = ?", sha).Take(&img).Error; err != nil {
		return nil, store.MapError(err)
	}
	return &img, nil
}
