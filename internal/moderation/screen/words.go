package screen

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a word list.
const (
	MaxWordLen = 60   // characters in one entry, including a trailing *
	MaxWords   = 2000 // entries in a list
)

// DefaultWords is a short default list of common Dutch curses and abusive
// words: a starting point that admins edit. An entry ending in * matches
// every word that starts with it. Some entries are written out instead of
// using a prefix to avoid common words: "hoer*" would match "hoera",
// "klere*" would match "kleren". "kanker*" also matches the disease; a hit
// only puts the item in the moderation queue, so that is left to the
// moderator.
var DefaultWords = []string{
	"kanker*",
	"kkr",
	"tering*",
	"tyfus*",
	"pleuris*",
	"klere",
	"klerelijer*",
	"kolere*",
	"godverdomme",
	"godverdomse",
	"klootzak*",
	"kut*",
	"lul",
	"hoer",
	"hoeren*",
	"hoertje",
	"slet",
	"trut",
	"neuk*",
	"rotzak*",
	"zakkenwasser*",
	"mongool*",
	"downie*",
	"debiel*",
	"achterlijk*",
	"flikker",
	"flikkers",
	"vuile rat",
}

// ListError is the error ParseWordList returns. Error gives a message in
// plain Dutch that can be shown to the admin as it is.
type ListError struct {
	Line int    // 1-based line number of the entry
	Msg  string // what is wrong, in Dutch, without the line number
}

func (e *ListError) Error() string { return fmt.Sprintf("Regel %d: %s", e.Line, e.Msg) }

// ParseWordList reads a word list as an admin types it: one entry per line;
// blank lines and lines starting with # are ignored; surrounding white space
// is trimmed, white space inside an entry (also a tab) becomes one space, and
// the entry is lower-cased.
// An entry ending in * matches as a prefix (kanker* matches "kankerlijer");
// otherwise it matches whole words only. An entry may be several words
// ("vuile rat"). Entries that appear twice are kept once.
//
// It returns a *ListError for an entry that is longer than MaxWordLen
// characters, that does not start with a letter or digit, or that contains
// other characters than letters, digits, spaces, dashes, apostrophes and a
// trailing '*', and for a list of more than MaxWords entries.
func ParseWordList(s string) ([]string, error) {
	var words []string
	seen := make(map[string]bool)
	for n, line := range strings.Split(s, "\n") {
		lineNo := n + 1
		e := strings.TrimSpace(line)
		if e == "" || strings.HasPrefix(e, "#") {
			continue
		}
		e = strings.ToLower(strings.Join(strings.Fields(e), " "))
		if utf8.RuneCountInString(e) > MaxWordLen {
			return nil, &ListError{Line: lineNo, Msg: fmt.Sprintf("dit woord is te lang. Een woord mag niet meer dan %d tekens hebben.", MaxWordLen)}
		}
		body := strings.TrimSuffix(e, "*")
		if body == "" {
			return nil, &ListError{Line: lineNo, Msg: "alleen een * is geen woord. Zet de * achter een woord, zoals kanker*."}
		}
		for _, r := range body {
			if isWordRune(r) || r == ' ' || r == '-' || r == '\'' {
				continue
			}
			switch {
			case r == '*':
				return nil, &ListError{Line: lineNo, Msg: "een * mag alleen aan het eind van een woord staan."}
			case r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r):
				return nil, &ListError{Line: lineNo, Msg: "in dit woord staat een teken dat u niet ziet. Haal het weg en gebruik alleen letters, cijfers, spaties, - en '."}
			default:
				return nil, &ListError{Line: lineNo, Msg: fmt.Sprintf("het teken %q mag niet in een woord. Gebruik alleen letters, cijfers, spaties, - en '.", string(r))}
			}
		}
		if r, _ := utf8.DecodeRuneInString(body); !isWordRune(r) {
			return nil, &ListError{Line: lineNo, Msg: "een woord moet beginnen met een letter of een cijfer."}
		}
		if seen[e] {
			continue
		}
		if len(words) == MaxWords {
			return nil, &ListError{Line: lineNo, Msg: fmt.Sprintf("de lijst is te lang. Er mogen niet meer dan %d woorden in staan.", MaxWords)}
		}
		seen[e] = true
		words = append(words, e)
	}
	return words, nil
}

// entry is one word-list entry in folded form.
type entry struct {
	text   string // folded, without the trailing *
	prefix bool   // the entry ended in *: match any word that starts with it
}

// wordIndex finds word-list entries in text. Matching happens on a folded
// copy of the text (lower case, accents removed, runs of white space as one
// space) and is reported in offsets of the original.
type wordIndex struct {
	// byFirst holds the entries, except single-word prefix entries, by their
	// first word: they can only match where a word of the text equals it.
	byFirst map[string][]entry
	// byStem holds single-word prefix entries ("kut*") by their text: they
	// match where a word of the text starts with it.
	byStem  map[string][]entry
	maxStem int
}

func newWordIndex(words []string) *wordIndex {
	ix := &wordIndex{byFirst: map[string][]entry{}, byStem: map[string][]entry{}}
	for _, w := range words {
		w = strings.TrimSpace(w)
		e := entry{prefix: strings.HasSuffix(w, "*")}
		e.text = fold(strings.TrimSuffix(w, "*")).s
		first := firstWord(e.text)
		if first == "" || !strings.HasPrefix(e.text, first) {
			continue // empty, or starts with something that cannot start a word
		}
		if e.prefix && first == e.text {
			ix.byStem[e.text] = append(ix.byStem[e.text], e)
			ix.maxStem = max(ix.maxStem, len(e.text))
		} else {
			ix.byFirst[first] = append(ix.byFirst[first], e)
		}
	}
	if len(ix.byFirst) == 0 && len(ix.byStem) == 0 {
		return nil
	}
	return ix
}

// firstWord returns the leading run of letters and digits of s.
func firstWord(s string) string {
	for i, r := range s {
		if !isWordRune(r) {
			return s[:i]
		}
	}
	return s
}

// find appends the Word candidates in text to hits.
func (ix *wordIndex) find(text string, hits []Hit) []Hit {
	f := fold(text)
	s := f.s
	prevWord := false
	for p := 0; p < len(s); {
		r, size := utf8.DecodeRuneInString(s[p:])
		isWord := isWordRune(r)
		if !isWord || prevWord {
			prevWord = isWord
			p += size
			continue
		}
		prevWord = true
		word := firstWord(s[p:])
		wordEnd := p + len(word)
		add := func(end int) {
			hits = append(hits, Hit{Kind: Word, Start: f.start[p], End: f.end[end-1]})
		}
		for _, e := range ix.byFirst[word] {
			if !strings.HasPrefix(s[p:], e.text) {
				continue
			}
			end := p + len(e.text)
			if e.prefix {
				end += len(firstWord(s[end:]))
			} else if r, _ := utf8.DecodeRuneInString(s[end:]); end < len(s) && isWordRune(r) {
				continue
			}
			add(end)
		}
		for l := 1; l <= len(word) && l <= ix.maxStem; l++ {
			if len(ix.byStem[word[:l]]) > 0 {
				add(wordEnd)
				break // every stem of this word gives the same match
			}
		}
		p += size
	}
	return hits
}

// folded is text in the form words are matched in, with for each byte of s
// the span of the original text it came from.
type folded struct {
	s          string
	start, end []int // s[i] came from text[start[i]:end[i]]
}

// fold lower-cases text, removes accents and invisible characters (soft
// hyphens, zero-width spaces, combining marks) and turns every run of white
// space into one space. Invalid UTF-8 becomes U+FFFD.
func fold(text string) folded {
	var b strings.Builder
	b.Grow(len(text))
	f := folded{start: make([]int, 0, len(text)), end: make([]int, 0, len(text))}
	last := -1 // index in s where the output of the last kept rune starts
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		j := i + size
		var out string
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			if r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' {
				r = ' '
			}
			out = string(r)
		case unicode.IsSpace(r):
			out = " "
		case unicode.Is(unicode.Mn, r):
			// A combining accent belongs to the letter before it.
			for k := last; k >= 0 && k < len(f.end); k++ {
				f.end[k] = j
			}
			i = j
			continue
		case invisible(r):
			i = j
			continue
		default:
			r = unicode.ToLower(r)
			if a, ok := accents[r]; ok {
				out = a
			} else {
				out = string(r) // U+FFFD for invalid UTF-8
			}
		}
		if out == " " && b.Len() > 0 && b.String()[b.Len()-1] == ' ' {
			i = j
			continue // one space for a run of white space
		}
		last = b.Len()
		b.WriteString(out)
		for range len(out) {
			f.start = append(f.start, i)
			f.end = append(f.end, j)
		}
		i = j
	}
	f.s = b.String()
	return f
}

// invisible reports whether r is a character that does not show and is used
// to split a word without it looking split.
func invisible(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return false
}

// accents maps lower-case letters with accents and ligatures to plain
// letters.
var accents = func() map[rune]string {
	m := map[rune]string{
		'ß': "ss", 'æ': "ae", 'œ': "oe", 'ĳ': "ij", 'þ': "th", 'ð': "d",
	}
	for plain, marked := range map[string]string{
		"a": "àáâãäåāăą",
		"c": "çćĉċč",
		"d": "ďđ",
		"e": "èéêëēĕėęě",
		"g": "ĝğġģ",
		"h": "ĥħ",
		"i": "ìíîïĩīĭįı",
		"j": "ĵ",
		"k": "ķ",
		"l": "ĺļľŀł",
		"n": "ñńņňŉ",
		"o": "òóôõöøōŏő",
		"r": "ŕŗř",
		"s": "śŝşš",
		"t": "ţťŧ",
		"u": "ùúûüũūŭůűų",
		"w": "ŵ",
		"y": "ýÿŷ",
		"z": "źżž",
	} {
		for _, r := range marked {
			m[r] = plain
		}
	}
	return m
}()
