package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// How many answers one may choose is said once, in one wording, from the
// catalogue: the poll and the questionnaire's multiple-choice question
// both say "Kies hoogstens 2 antwoorden.", in English "Choose at most 2
// answers.".
func TestChoiceLimitIsOneWording(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	market := "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein"
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	b.post("/inloggen/naam", url.Values{"naam": {"Marktbezoeker"}, "terug": {"/"}})
	for _, path := range []string{market, survey} {
		r := b.get(path)
		wantStatus(t, r, 200)
		if n := strings.Count(r.Body, "Kies hoogstens 2 antwoorden."); n != 1 {
			t.Errorf("%s says %d times \"Kies hoogstens 2 antwoorden.\", want once", path, n)
		}
		wantNotContains(t, r, "maximaal", "Maximaal")
	}
	b.get("/taal/en?terug=/")
	for _, path := range []string{market, survey} {
		r := b.get(path)
		if n := strings.Count(r.Body, "Choose at most 2 answers."); n != 1 {
			t.Errorf("%s (English) says %d times \"Choose at most 2 answers.\", want once", path, n)
		}
	}
}
