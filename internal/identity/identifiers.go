// Package identity turns a login at DigiD, eHerkenning or the
// municipality's own identity provider into a participant or staff member
// of Inspraak, without ever keeping a BSN or KVK number. It owns the OIDC
// relying party, pseudonyms, levels of assurance, sessions and staff roles.
package identity

// ValidBSN applies the format and 11-test ("elfproef") of a Dutch citizen
// service number: nine digits d1..d9 with 9·d1 + 8·d2 + … + 2·d8 − d9
// divisible by 11, and not all zeros.
func ValidBSN(s string) bool {
	if len(s) != 9 {
		return false
	}
	sum := 0
	zero := true
	for i := 0; i < 9; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if d != 0 {
			zero = false
		}
		if i < 8 {
			sum += d * (9 - i)
		} else {
			sum -= d
		}
	}
	return !zero && sum%11 == 0
}

// ValidKVK checks the format of a Chamber of Commerce number: eight digits.
func ValidKVK(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != "00000000"
}
