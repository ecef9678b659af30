package idea

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"inspraak/internal/apperror"
	"inspraak/internal/store"
)

// MaxSearch is the longest search term, in characters.
const MaxSearch = 100

// maxSearchWords is how many words of a term are searched for.
const maxSearchWords = 8

// SearchTerm cleans a visitor's search term: spaces trimmed and collapsed.
// A term with no letters or digits searches nothing (""); a term longer
// than MaxSearch is refused with a message.
func SearchTerm(raw string) (string, error) {
	t := strings.Join(strings.Fields(raw), " ")
	if utf8.RuneCountInString(t) > MaxSearch {
		return "", apperror.Invalid.WithFields(map[string]string{"zoek": "idea.search.too_long"})
	}
	if len(searchWords(t)) == 0 {
		return "", nil
	}
	return t, nil
}

// searchWords splits a term into lower-case words of letters and digits.
// Everything else (quotes, FTS operators, '*', '-', ':') only separates
// words, so no term can become query syntax on either database.
func searchWords(term string) []string {
	words := strings.FieldsFunc(strings.ToLower(term), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := words[:0]
	for _, w := range words {
		if utf8.RuneCountInString(w) < 2 || len(out) == maxSearchWords {
			continue
		}
		out = append(out, w)
	}
	return out
}

// search returns the ids of the board's ideas whose title or text holds
// every word, in Dutch word forms. PostgreSQL stems both sides with its
// 'dutch' configuration and matches the query's stems as prefixes
// ("fietsen" → fiets:* | fiet:* finds fiets, fietsen, fietsenstalling;
// "straten" finds straat, "bomen" boom); SQLite's FTS5 has no Dutch
// stemmer, so the query strips a plural or diminutive ending here and
// matches the rest as a prefix ("fietsen" → fiets*, but "straten" →
// strat* does not find straat). Dutch stop words ("de",
// "het") match nothing on PostgreSQL and are prefixes on SQLite.
func (s *Service) search(ctx context.Context, instrumentID int64, words []string, all bool) (*listEntry, error) {
	e := &listEntry{set: map[int64]struct{}{}}
	if len(words) == 0 {
		return e, nil
	}
	db := s.db.WithContext(ctx).Model(&Idea{}).Select("ideas.id").Where("ideas.instrument_id = ?", instrumentID)
	if !all {
		db = db.Where("ideas.moderation = 'approved' AND ideas.status <> 'withdrawn'")
	}
	terms := make([]string, len(words))
	if s.db.Dialect == store.Postgres {
		for i, w := range words {
			// The 'dutch' stemmer maps "fietsen" to fiets but "fiets"
			// to fiet: the word's stripped form as well finds both.
			terms[i] = w + ":*"
			if ds := dutchStem(w); ds != w {
				terms[i] = "(" + w + ":* | " + ds + ":*)"
			}
		}
		db = db.Where("to_tsvector('dutch', ideas.title || ' ' || ideas.description) @@ to_tsquery('dutch', ?)", strings.Join(terms, " & "))
	} else {
		for i, w := range words {
			terms[i] = `"` + dutchStem(w) + `"*`
		}
		db = db.Joins("JOIN ideas_fts ON ideas_fts.rowid = ideas.id").Where("ideas_fts MATCH ?", strings.Join(terms, " "))
	}
	if err := db.Scan(&e.ids).Error; err != nil {
		return nil, err
	}
	for _, id := range e.ids {
		e.set[id] = struct{}{}
	}
	return e, nil
}

// dutchStem strips the commonest Dutch endings of a search word, for
// SQLite's prefix match: plurals in -en and -s, diminutives in -(t)je(s).
// It errs on the short side: a shorter prefix finds more forms.
func dutchStem(w string) string {
	r := []rune(w)
	cut := func(suffix string) bool {
		s := []rune(suffix)
		if len(r)-len(s) >= 4 && string(r[len(r)-len(s):]) == suffix {
			r = r[:len(r)-len(s)]
			return true
		}
		return false
	}
	switch {
	case cut("tjes"), cut("jes"), cut("tje"), cut("je"), cut("en"): // bankjes, boompje, fietsen
	default:
		if n := len(r); n >= 4 && r[n-1] == 's' && strings.ContainsRune("aeiouylnr", r[n-2]) {
			r = r[:n-1] // tafels, kamers
		}
	}
	return string(r)
}
