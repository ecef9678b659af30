// Package screen is the automatic screening that runs when a resident submits
// or edits an idea or comment. It finds likely personal data (BSN, Dutch phone
// numbers, e-mail addresses, IBANs) and words from the configurable abuse word
// list, so the item can be put in the moderation queue and the moderator can
// see what matched and where. A hit never rejects anything.
//
// Detection is tuned to prefer a few missed hits over flagging ordinary
// numbers (years, amounts, dates, postcodes): see the tests for the exact
// formats that are and are not recognised.
package screen

import (
	"sort"
)

// Kind is the kind of a hit.
type Kind string

// The kinds of hit the screener reports.
const (
	BSN   Kind = "bsn"   // 9-digit number passing the BSN 11-test
	Phone Kind = "phone" // Dutch phone number
	Email Kind = "email"
	IBAN  Kind = "iban" // IBAN with valid mod-97 checksum
	Word  Kind = "word" // entry of the configurable abuse word list
)

// PersonalData reports whether a hit of this kind is personal data (all but
// Word). An unknown kind is not.
func (k Kind) PersonalData() bool {
	switch k {
	case BSN, Phone, Email, IBAN:
		return true
	}
	return false
}

// rank orders kinds for the overlap rule; lower wins when two overlapping
// hits have the same length.
func (k Kind) rank() int {
	switch k {
	case IBAN:
		return 0
	case BSN:
		return 1
	case Phone:
		return 2
	case Email:
		return 3
	}
	return 4
}

// Field is one piece of text of an item, for example {"title", ...} or
// {"body", ...}.
type Field struct{ Name, Text string }

// Hit is one match in a field.
type Hit struct {
	Kind       Kind
	Field      string // Field.Name
	Start, End int    // byte offsets into that field's Text; Text[Start:End] is the match
	Match      string // the matched text
}

// Screener finds hits in text. It is immutable after New and safe for
// concurrent use.
type Screener struct {
	words *wordIndex
}

// New returns a Screener for the given abuse word list, as returned by
// ParseWordList (DefaultWords is a valid list). Entries that cannot match
// anything (empty, or not starting with a letter or digit) are ignored.
func New(words []string) *Screener {
	return &Screener{words: newWordIndex(words)}
}

// Screen returns the hits in the fields, ordered by field order and then by
// Start. Hits within a field never overlap: where candidates overlap,
// personal-data kinds win over Word, then the longer match wins.
// A nil Screener screens for personal data only.
func (s *Screener) Screen(fields ...Field) []Hit {
	var hits []Hit
	for _, f := range fields {
		var cands []Hit
		cands = findNumbers(f.Text, cands)
		cands = findIBANs(f.Text, cands)
		cands = findEmails(f.Text, cands)
		if s != nil && s.words != nil {
			cands = s.words.find(f.Text, cands)
		}
		for _, h := range resolve(cands, len(f.Text)) {
			h.Field = f.Name
			h.Match = f.Text[h.Start:h.End]
			hits = append(hits, h)
		}
	}
	return hits
}

// resolve drops candidates that overlap a preferred one and returns the rest
// ordered by Start.
func resolve(cands []Hit, n int) []Hit {
	if len(cands) < 2 {
		return cands
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if pa, pb := a.Kind.PersonalData(), b.Kind.PersonalData(); pa != pb {
			return pa
		}
		if la, lb := a.End-a.Start, b.End-b.Start; la != lb {
			return la > lb
		}
		if ra, rb := a.Kind.rank(), b.Kind.rank(); ra != rb {
			return ra < rb
		}
		return a.Start < b.Start
	})
	taken := make([]bool, n)
	kept := cands[:0]
next:
	for _, h := range cands {
		for i := h.Start; i < h.End; i++ {
			if taken[i] {
				continue next
			}
		}
		for i := h.Start; i < h.End; i++ {
			taken[i] = true
		}
		kept = append(kept, h)
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	return kept
}

// AnyPersonalData reports whether any of the hits is personal data.
func AnyPersonalData(hits []Hit) bool {
	for _, h := range hits {
		if h.Kind.PersonalData() {
			return true
		}
	}
	return false
}

// Segment is a piece of a field's text for templates: plain text when Hit is
// nil, otherwise the text of that hit.
type Segment struct {
	Text string
	Hit  *Hit
}

// Highlight splits text into segments so a template can mark the hits of the
// named field. Hits of other fields are ignored, and so are hits that do not
// fit the text or overlap an earlier one. Concatenating the Text of the
// segments gives text back exactly.
func Highlight(field string, text string, hits []Hit) []Segment {
	var mine []Hit
	for _, h := range hits {
		if h.Field == field && 0 <= h.Start && h.Start < h.End && h.End <= len(text) {
			mine = append(mine, h)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].Start < mine[j].Start })
	var segs []Segment
	pos := 0
	for i := range mine {
		h := &mine[i]
		if h.Start < pos {
			continue
		}
		if h.Start > pos {
			segs = append(segs, Segment{Text: text[pos:h.Start]})
		}
		segs = append(segs, Segment{Text: text[h.Start:h.End], Hit: h})
		pos = h.End
	}
	if pos < len(text) {
		segs = append(segs, Segment{Text: text[pos:]})
	}
	return segs
}
