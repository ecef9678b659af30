package idea

import (
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/media"
)

// MaxImageAlt is the longest alternative text of an idea's image, in
// characters.
const MaxImageAlt = 300

// An idea's image goes through the media package like a project's: type
// sniffed, re-encoded (no camera metadata), size and pixel limits. It is
// checked before the transaction (decoding is slow and needs no lock) and
// stored in the transaction that stores the idea, so a refused idea leaves
// no image behind and a refused image no idea.

// prepareImage checks and cleans the draft's uploaded file, if any. It
// returns the image to store, or the message key for the form.
func (d *Draft) prepareImage() (*media.Image, string) {
	if len(d.Image) == 0 {
		return nil, ""
	}
	img, err := media.Prepare(d.Image)
	if err != nil {
		if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid && e.Fields["image"] != "" {
			return nil, e.Fields["image"]
		}
		return nil, "media.error.broken"
	}
	return img, ""
}

// checkImage adds the image's refusals to f: the file's own (imageErr),
// and alternative text that is missing while the idea will have an image,
// or too long. Without an image the text is dropped.
func (d *Draft) checkImage(hasImage bool, imageErr string, f map[string]string) {
	d.ImageAlt = strings.TrimSpace(d.ImageAlt)
	if imageErr != "" {
		f["afbeelding"] = imageErr
	}
	switch {
	case utf8.RuneCountInString(d.ImageAlt) > MaxImageAlt:
		f["afbeelding_tekst"] = "idea.error.alt_too_long"
	case strings.ContainsRune(d.ImageAlt, 0):
		f["afbeelding_tekst"] = "idea.error.alt_required"
	case (hasImage || imageErr != "") && d.ImageAlt == "":
		f["afbeelding_tekst"] = "idea.error.alt_required"
	case !hasImage && imageErr == "":
		d.ImageAlt = ""
	}
}

// imageColumns are an idea's image columns for img (nil: none).
func imageColumns(img *media.Image, alt string) map[string]any {
	if img == nil {
		return map[string]any{"image_path": "", "image_alt": "", "image_width": 0, "image_height": 0}
	}
	return map[string]any{"image_path": img.Path(), "image_alt": alt, "image_width": img.Width, "image_height": img.Height}
}

// dropImage takes an idea's image off it and deletes the file when no
// other row shows it: for a rejected idea and an erased author's.
func dropImage(tx *gorm.DB, i *Idea) error {
	if i.ImagePath == "" {
		return nil
	}
	if err := tx.Model(&Idea{}).Where("id = ?", i.ID).UpdateColumns(imageColumns(nil, "")).Error; err != nil {
		return err
	}
	return media.Release(tx, i.ImagePath)
}
