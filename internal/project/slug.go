package project

import (
	"context"
	"strconv"
	"strings"
)

// fold spells letters with diacritics and ligatures the way a Dutch web
// address does: é → e, ĳ → ij, ß → ss. Letters not listed and not a-z or
// 0-9 become a separator.
var fold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a",
	'ç': "c", 'č': "c",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i",
	'ñ': "n", 'ń': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ý': "y", 'ÿ': "y",
	'š': "s", 'ž': "z", 'ł': "l",
	'ĳ': "ij", 'æ': "ae", 'œ': "oe", 'ß': "ss",
}

// SlugFrom suggests a web address for a title: lower case, diacritics
// folded ("Café" → "cafe", "Ĳssel" → "ijssel"), "&" as "en", apostrophes
// dropped ("Zoë's" → "zoes"), every other run of characters one hyphen,
// at most MaxSlug characters, cut at a hyphen. It returns "" when the
// title has no letters or digits.
func SlugFrom(title string) string {
	var b strings.Builder
	hyphen := false
	sep := func() {
		if b.Len() > 0 {
			hyphen = true
		}
	}
	put := func(s string) {
		if hyphen {
			b.WriteByte('-')
			hyphen = false
		}
		b.WriteString(s)
	}
	for _, r := range strings.ToLower(title) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			put(string(r))
		case r == '\'' || r == '’' || r == '‘' || r == '`' || r == '´':
			// "Zoë's plein" → "zoes-plein"
		case r == '&':
			sep()
			put("en")
			sep()
		default:
			if f, ok := fold[r]; ok {
				put(f)
			} else {
				sep()
			}
		}
	}
	s := b.String()
	if len(s) > MaxSlug {
		s = s[:MaxSlug]
		if i := strings.LastIndexByte(s, '-'); i > MaxSlug/2 {
			s = s[:i]
		}
		s = strings.Trim(s, "-")
	}
	return s
}

// ValidSlug reports whether s may be a web address of a project or an
// instrument.
func ValidSlug(s string) bool { return s != "" && len(s) <= MaxSlug && slugPattern.MatchString(s) }

// FreeSlug returns base when no project has it, or else the first of
// base-2, base-3, … that is free: a suggestion the editor sees before it is
// stored, so a race with another editor ends in the usual "taken" message.
func (s *Service) FreeSlug(ctx context.Context, base string) (string, error) {
	var taken []string
	if err := s.db.WithContext(ctx).Model(&Project{}).Where("slug = ? OR slug LIKE ?", base, base+"-%").
		Pluck("slug", &taken).Error; err != nil {
		return "", err
	}
	return FirstFree(base, taken), nil
}

// FirstFree returns base, or base-2, base-3, … : the first not in taken,
// shortened so it stays within MaxSlug.
func FirstFree(base string, taken []string) string {
	used := make(map[string]bool, len(taken))
	for _, t := range taken {
		used[t] = true
	}
	if !used[base] {
		return base
	}
	for n := 2; ; n++ {
		suffix := "-" + strconv.Itoa(n)
		stem := base
		if len(stem)+len(suffix) > MaxSlug {
			stem = strings.TrimRight(stem[:MaxSlug-len(suffix)], "-")
		}
		if c := stem + suffix; !used[c] {
			return c
		}
	}
}
