package screen

// ibanLength holds the full length of IBANs of the countries residents of a
// Dutch municipality are most likely to write. Other countries may have any
// length from 15 to 34.
var ibanLength = map[string]int{
	"NL": 18, "BE": 16, "DE": 22, "LU": 20, "FR": 27, "GB": 22, "IE": 22,
	"ES": 24, "PT": 25, "IT": 27, "AT": 20, "CH": 21, "PL": 28,
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isAlnum(c byte) bool { return isDigit(c) || isASCIILetter(c) }

// alnumRun returns the number of ASCII letters and digits from i, at most
// maxRun+1.
func alnumRun(text string, i int) int {
	n := 0
	for i+n < len(text) && isAlnum(text[i+n]) && n <= maxRun {
		n++
	}
	return n
}

// findIBANs appends IBAN candidates in text to hits. An IBAN is two letters,
// two check digits and 11-30 letters or digits, written without spaces or in
// groups of four separated by single spaces ("NL91 ABNA 0417 1643 00"), in
// any case, with a valid mod-97 checksum.
func findIBANs(text string, hits []Hit) []Hit {
	for i := 0; i+4 <= len(text); i++ {
		if !isASCIILetter(text[i]) || !isASCIILetter(text[i+1]) || !isDigit(text[i+2]) || !isDigit(text[i+3]) {
			continue
		}
		if !startOK(text, i) {
			continue
		}
		if end, ok := ibanAt(text, i); ok {
			hits = append(hits, Hit{Kind: IBAN, Start: i, End: end})
		}
	}
	return hits
}

// ibanAt reads an IBAN starting at i, where a country code and check digits
// stand.
func ibanAt(text string, i int) (int, bool) {
	n := alnumRun(text, i)
	if n != 4 || i+n >= len(text) || text[i+n] != ' ' {
		// Written without spaces: the whole run is the IBAN.
		end := i + n
		return end, endOK(text, end) && validIBAN(text[i:end], "")
	}
	// Grouped: collect groups of four; a shorter group ends the number.
	var ends []int
	compact := text[i : i+4]
	for j := i + 4; j < len(text) && text[j] == ' '; {
		g := alnumRun(text, j+1)
		if g == 0 || g > 4 {
			break
		}
		compact += text[j+1 : j+1+g]
		j += 1 + g
		ends = append(ends, j)
		if g < 4 || len(compact) >= 34 {
			break
		}
	}
	// The longest valid reading wins; for an unknown country a shorter one
	// may be the IBAN followed by another number.
	for k := len(ends) - 1; k >= 0; k-- {
		end := ends[k]
		if endOK(text, end) && validIBAN(text[i:end], " ") {
			return end, true
		}
	}
	return 0, false
}

// validIBAN reports whether s, with the characters in drop removed, is an
// IBAN of a plausible length with a valid mod-97 checksum.
func validIBAN(s, drop string) bool {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if len(drop) > 0 && s[i] == drop[0] {
			continue
		}
		c := s[i]
		if isASCIILetter(c) {
			c &^= 0x20 // upper case
		}
		b = append(b, c)
	}
	if len(b) < 15 || len(b) > 34 {
		return false
	}
	if want, ok := ibanLength[string(b[:2])]; ok && len(b) != want {
		return false
	}
	// Move the first four characters to the end, read letters as 10-35 and
	// take the remainder of the whole number by 97, digit by digit.
	rem := 0
	for k := range b {
		c := b[(k+4)%len(b)]
		if isDigit(c) {
			rem = (rem*10 + int(c-'0')) % 97
		} else {
			rem = (rem*100 + int(c-'A'+10)) % 97
		}
	}
	return rem == 1
}
