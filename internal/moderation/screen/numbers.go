package screen

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file finds BSNs and Dutch phone numbers. Both are read by hand from
// each position where a number can start, so the rules about what may stand
// next to a number (which regular expressions in Go cannot look at) are
// explicit. Every attempt reads a bounded number of bytes, so a field is
// screened in linear time.

// maxRun caps how many digits (or alphanumerics) are read in one run: any
// longer run is too long for every kind anyway.
const maxRun = 36

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// joinsNumbers reports whether c between two digits makes them one number
// ("28-11-2026", "1.500.000", "14:30", "2,50", "12/3").
func joinsNumbers(c byte) bool {
	return c == '-' || c == '.' || c == '/' || c == ':' || c == ','
}

// digitRun returns the number of digits from i, at most maxRun+1.
func digitRun(text string, i int) int {
	n := 0
	for i+n < len(text) && isDigit(text[i+n]) && n <= maxRun {
		n++
	}
	return n
}

// startOK reports whether a number may start at i: not inside a word or a
// longer number.
func startOK(text string, i int) bool {
	if i == 0 {
		return true
	}
	if r, _ := utf8.DecodeLastRuneInString(text[:i]); isWordRune(r) {
		return false
	}
	return !(joinsNumbers(text[i-1]) && i >= 2 && isDigit(text[i-2]))
}

// endOK reports whether a number may end at end: not followed by a letter,
// a digit, or a joining character and a digit.
func endOK(text string, end int) bool {
	if end >= len(text) {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(text[end:]); isWordRune(r) {
		return false
	}
	return !(joinsNumbers(text[end]) && end+1 < len(text) && isDigit(text[end+1]))
}

// findNumbers appends BSN and phone candidates in text to hits.
func findNumbers(text string, hits []Hit) []Hit {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !isDigit(c) && c != '+' && c != '(' {
			continue
		}
		if !startOK(text, i) {
			continue
		}
		if isDigit(c) {
			if end, ok := bsnAt(text, i); ok {
				hits = append(hits, Hit{Kind: BSN, Start: i, End: end})
			}
		}
		if end, ok := phoneAt(text, i); ok {
			hits = append(hits, Hit{Kind: Phone, Start: i, End: end})
		}
	}
	return hits
}

// bsnAt reads a BSN starting at i: nine digits, or grouped 3-3-3 or 4-2-3
// with one kind of separator, a space or a dot ("123 456 782",
// "123.456.782", "1234.56.782").
func bsnAt(text string, i int) (int, bool) {
	n := digitRun(text, i)
	var digits []byte
	end := i + n
	switch n {
	case 9:
		digits = []byte(text[i:end])
	case 3, 4:
		if end >= len(text) || (text[end] != ' ' && text[end] != '.') {
			return 0, false
		}
		sep := text[end]
		digits = append(digits, text[i:end]...)
		for _, want := range [2]int{6 - n, 3} {
			if end >= len(text) || text[end] != sep {
				return 0, false
			}
			if digitRun(text, end+1) != want {
				return 0, false
			}
			digits = append(digits, text[end+1:end+1+want]...)
			end += 1 + want
		}
		// A space-grouped number that goes on ("1 234 567 890") is a larger
		// number written in thousands; a dot is handled by startOK and endOK.
		if sep == ' ' && (i >= 2 && text[i-1] == ' ' && isDigit(text[i-2]) ||
			end+1 < len(text) && text[end] == ' ' && isDigit(text[end+1])) {
			return 0, false
		}
	default:
		return 0, false
	}
	if !endOK(text, end) || !elevenTest(digits) || isAmount(text, i, end) {
		return 0, false
	}
	return end, true
}

// elevenTest reports whether nine digits pass the BSN 11-test and are not
// all zeros.
func elevenTest(d []byte) bool {
	if len(d) != 9 {
		return false
	}
	sum, zero := 0, true
	for i, c := range d {
		v := int(c - '0')
		zero = zero && v == 0
		if i < 8 {
			sum += v * (9 - i)
		} else {
			sum -= v
		}
	}
	return !zero && sum%11 == 0
}

// isAmount reports whether the number text[start:end] is written as an amount
// of money: "€ 111.222.333", "EUR 111222333", "111.222.333 euro",
// "111.222.333,-".
func isAmount(text string, start, end int) bool {
	before := strings.TrimRight(text[:start], " \u00a0")
	if strings.HasSuffix(before, "€") || endsWithWord(before, "eur") || endsWithWord(before, "euro") {
		return true
	}
	if strings.HasPrefix(text[end:], ",-") {
		return true
	}
	after := strings.TrimLeft(text[end:], " \u00a0")
	return strings.HasPrefix(after, "€") || startsWithWord(after, "eur") || startsWithWord(after, "euro")
}

func endsWithWord(s, w string) bool {
	if len(s) < len(w) || !strings.EqualFold(s[len(s)-len(w):], w) {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:len(s)-len(w)])
	return len(s) == len(w) || !isWordRune(r)
}

func startsWithWord(s, w string) bool {
	if len(s) < len(w) || !strings.EqualFold(s[:len(w)], w) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[len(w):])
	return len(s) == len(w) || !isWordRune(r)
}

// phoneAt reads a Dutch phone number starting at i. Accepted shapes, with
// "|" for one separator:
//
//	national:      0AAA|digits...   area group of 2-4 digits ("06", "010", "0575") or all 10 digits
//	               (0AAA) digits... area group in parentheses
//	international: +31 or 0031, optional space or dash, optional "(0)", then
//	               9 digits, or 10 digits starting with 0 ("+31 06 12345678")
//
// After the area group the separator is a space, a dash, a dot or " - ";
// the groups after that are at least 2 digits each, all separated by the
// same single space, dash or dot. Without separators a national number is
// 0 followed by 9 digits, the first of them not 0. Service numbers (0800,
// 0900, 0906, 0909) are not personal data and are refused.
func phoneAt(text string, i int) (int, bool) {
	var digits []byte
	var end int
	switch {
	case strings.HasPrefix(text[i:], "+31"), strings.HasPrefix(text[i:], "0031"):
		digits, end = international(text, i)
	case text[i] == '(' || text[i] == '0':
		digits, end = national(text, i)
	}
	if len(digits) != 10 || digits[0] != '0' || digits[1] == '0' || !endOK(text, end) {
		return 0, false
	}
	for _, p := range []string{"0800", "0900", "0906", "0909"} {
		if string(digits[:4]) == p {
			return 0, false
		}
	}
	return end, true
}

// national reads a number written with the trunk prefix 0 and returns its
// digits and end.
func national(text string, i int) ([]byte, int) {
	j := i
	paren := text[j] == '('
	if paren {
		j++
	}
	n := digitRun(text, j)
	if n == 0 || text[j] != '0' {
		return nil, 0
	}
	k := j + n
	digits := []byte(text[j:k])
	switch {
	case paren:
		if n < 2 || n > 4 || k >= len(text) || text[k] != ')' {
			return nil, 0
		}
		k++
		if k < len(text) && text[k] == ' ' {
			k++
		}
	case n == 10:
		return digits, k
	case n < 2 || n > 4:
		return nil, 0
	case strings.HasPrefix(text[k:], " - "):
		k += 3
	case k < len(text) && (text[k] == ' ' || text[k] == '-' || text[k] == '.'):
		k++
	default:
		return nil, 0
	}
	return groups(text, k, digits, 10)
}

// international reads a number written with +31 or 0031 and returns its
// digits in national form (with the leading 0) and end.
func international(text string, i int) ([]byte, int) {
	j := i + 3
	if text[i] == '0' {
		j = i + 4
	}
	if j < len(text) && (text[j] == ' ' || text[j] == '-') {
		j++
	}
	trunk := strings.HasPrefix(text[j:], "(0)")
	if trunk {
		j += 3
		if j < len(text) && text[j] == ' ' {
			j++
		}
	}
	n := digitRun(text, j)
	if n == 0 {
		return nil, 0
	}
	k := j + n
	want := 9
	if text[j] == '0' {
		if trunk {
			return nil, 0
		}
		want = 10
	}
	digits := []byte(text[j:k])
	if n < want {
		if n > 4 || k >= len(text) || (text[k] != ' ' && text[k] != '-' && text[k] != '.') {
			return nil, 0
		}
		digits, k = groups(text, k+1, digits, want)
	}
	if len(digits) != want {
		return nil, 0
	}
	if want == 9 {
		digits = append([]byte{'0'}, digits...)
	}
	return digits, k
}

// groups appends digit groups read from j to digits: groups of at least two
// digits, separated by one space, dash or dot, the same one throughout. It
// stops before a group that would make digits longer than limit, and returns
// the digits and the end of the last group read.
func groups(text string, j int, digits []byte, limit int) ([]byte, int) {
	end := j
	var sep byte
	for {
		n := digitRun(text, j)
		if n < 2 || len(digits)+n > limit {
			return digits, end
		}
		digits = append(digits, text[j:j+n]...)
		end = j + n
		if len(digits) == limit || end >= len(text) {
			return digits, end
		}
		c := text[end]
		if c != ' ' && c != '-' && c != '.' || sep != 0 && c != sep {
			return digits, end
		}
		sep = c
		j = end + 1
	}
}
