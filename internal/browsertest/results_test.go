//go:build browser

package browsertest

import "net/http"

// The analysts' results pages on the demo questionnaire (instrument 3 in
// the demo seed), as an administrator sees them.
func init() {
	pages = append(pages,
		page{name: "results-list", login: admin, path: "/beheer/resultaten", status: http.StatusOK,
			h1: "Resultaten", contains: []string{"Vragenlijst over het schetsontwerp"}},
		page{name: "results", login: admin, path: "/beheer/resultaten/3", status: http.StatusOK,
			h1: "Resultaten: Vragenlijst over het schetsontwerp", contains: []string{"mensen gaven antwoord", "Antwoorden per keuze", "Downloaden"}},
		page{name: "results-wijk", login: admin, path: "/beheer/resultaten/3?uitsplitsen=wijk", status: http.StatusOK,
			h1: "Resultaten: Vragenlijst over het schetsontwerp", contains: []string{"Antwoorden per wijk", "<5"}},
	)
}
