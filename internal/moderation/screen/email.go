package screen

import "regexp"

// emailRE matches local@domain.tld: a local part of the usual characters,
// domain labels that do not start or end with a dash, and a top-level domain
// of at least two letters. Trailing punctuation ("jan@example.nl.") is not
// part of the match because a label cannot be empty. Go's regexp package
// runs in linear time.
var emailRE = regexp.MustCompile(`(?i)[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}\b`)

// findEmails appends e-mail candidates in text to hits.
func findEmails(text string, hits []Hit) []Hit {
	for _, m := range emailRE.FindAllStringIndex(text, -1) {
		start := m[0]
		for text[start] == '.' { // "...jan@example.nl": the dots are not the address
			start++
		}
		if text[start] == '@' {
			continue
		}
		hits = append(hits, Hit{Kind: Email, Start: start, End: m[1]})
	}
	return hits
}
