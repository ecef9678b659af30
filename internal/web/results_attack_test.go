package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/results/suppress/attack"
)

// The demo's questionnaire with one more response, published and closed:
// the public page never says "too few answered" after saying how many
// did, and a reader who takes the API's figures (the page and open data
// carry the same) and a linear-programming solver cannot narrow any
// hidden count to less than k. Before, the first question showed 13
// respondents, 5 for one option and "<5" for the other two: both 4.
func TestPublicResultsAreConsistentAndResistTheAttack(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}
	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	settings := "/beheer/projecten/" + itoa(in.ProjectID) + "/instrumenten/" + itoa(in.ID)
	wantStatus(t, editor.post(settings+"/resultaten", url.Values{"openbaar": {"ja"}}), 303)
	cons, err := s.App.Consultations.Get(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	demo, err := s.App.Consultations.CountSubmitted(context.Background(), in.ID)
	if err != nil {
		t.Fatal(err)
	}
	newcomer := resident(t, s, thirdBSN, "Nieuw")
	form := url.Values{consultation.FieldName(cons.Questions[1].ID): {itoa(cons.Questions[1].Options[0].ID)},
		consultation.FieldName(cons.Questions[2].ID): {"4"}, "actie": {"versturen"}}
	wantStatus(t, newcomer.post(survey+"/antwoorden", form), 303)
	if err := s.App.DB.Exec("UPDATE instruments SET closes_at = ? WHERE id = ?", time.Now().Add(-time.Minute), in.ID).Error; err != nil {
		t.Fatal(err)
	}

	public := "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/resultaten"
	page := s.get(t, public)
	wantStatus(t, page, 200)
	wantContains(t, page, fmt.Sprintf("%d mensen vulden de vragenlijst in", demo+1), "Daar staat een x")
	wantNotContains(t, page, "Te weinig mensen", "&lt;5")
	// Each question says how many answered (or that it does not say),
	// and where no count shows, that the spread is not shown to protect
	// them: never that too few answered.
	sections := strings.Split(page.Body, `<section class="inspraak-section"`)[1:]
	allHidden := 0
	for _, sec := range sections {
		text := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(sec, " "))
		said := strings.Contains(text, "mensen gaven antwoord op deze vraag") || strings.Contains(text, "Hoeveel mensen deze vraag beantwoordden, tonen we niet")
		if !said {
			t.Errorf("a question says nothing about who answered: %s", text)
		}
		if strings.Contains(text, "tonen we niet hoe de antwoorden verdeeld zijn") {
			allHidden++
		}
	}
	if allHidden == 0 {
		t.Error("no question with every count hidden: the wording is not exercised")
	}

	api := s.get(t, "/api/v1/instruments/"+itoa(in.ID)+"/results")
	wantStatus(t, api, 200)
	var pub struct {
		Submitted string `json:"submitted"`
		MinCell   int    `json:"min_cell"`
		Questions []struct {
			Kind    string `json:"kind"`
			Base    string `json:"base"`
			Answers []struct {
				Label string `json:"label"`
				Count string `json:"count"`
			} `json:"answers"`
		} `json:"questions"`
	}
	if err := json.Unmarshal([]byte(api.Body), &pub); err != nil {
		t.Fatal(err)
	}
	if pub.Submitted != strconv.FormatInt(demo+1, 10) || pub.MinCell != 5 {
		t.Fatalf("submitted %s, min_cell %d", pub.Submitted, pub.MinCell)
	}
	var r attack.Reader
	type hidden struct {
		e    attack.Expr
		name string
	}
	var hid []hidden
	read := func(s, name string) (attack.Expr, bool) {
		if s == "x" {
			e := attack.V(r.Unknown(name))
			hid = append(hid, hidden{e, name})
			return e, true
		}
		if strings.HasPrefix(s, "<") { // "<k" read at its word: 1 to k−1
			n, _ := strconv.Atoi(s[1:])
			e := attack.V(r.Unknown(name))
			r.AtMost(attack.C(1), e, name)
			r.AtMost(e, attack.C(float64(n-1)), name)
			hid = append(hid, hidden{e, name})
			return e, true
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("%s: unreadable %q", name, s)
		}
		return attack.C(float64(n)), false
	}
	all, _ := read(pub.Submitted, "ingevuld")
	type line struct {
		total  attack.Expr
		hidden bool
		parts  []attack.Expr
		name   string
	}
	var lines []line
	for n, q := range pub.Questions {
		name := fmt.Sprintf("vraag %d", n+1)
		base, bh := read(q.Base, name)
		r.AtMost(base, all, name)
		var cells []attack.Expr
		for _, a := range q.Answers {
			e, _ := read(a.Count, name+" "+a.Label)
			cells = append(cells, e)
		}
		switch {
		case len(cells) == 0:
		case q.Kind == string(consultation.Multiple):
			for _, c := range cells {
				r.AtMost(c, base, name)
			}
			r.AtMost(base, attack.Sum(cells...), name)
		default:
			r.Equal(attack.Sum(cells...), base, name)
		}
		if len(cells) > 1 {
			lines = append(lines, line{base, bh, cells, name})
		}
	}
	if len(r.Bad) > 0 {
		t.Fatalf("the figures contradict each other: %v", r.Bad)
	}
	if len(hid) == 0 {
		t.Fatal("nothing hidden: the attack did not run")
	}
	for _, h := range hid {
		lo, hi, err := r.Range(h.e)
		if err != nil {
			t.Fatal(err)
		}
		if hi-lo < float64(pub.MinCell) {
			t.Errorf("%s: between %g and %g, narrower than %d", h.name, lo, hi, pub.MinCell)
		}
	}
	for _, l := range lines {
		for j, p := range l.parts {
			// Where who answered is hidden, no option may be shown to be
			// everyone's.
			if _, hi, err := r.Range(l.total.Minus(p)); err == nil && l.hidden && hi < 0.5 {
				t.Errorf("%s: everyone who answered chose option %d", l.name, j+1)
			}
		}
	}
	// Open data carries the same marks.
	csvFile := s.get(t, public+"/csv")
	wantContains(t, csvFile, ",x\n")
	wantNotContains(t, csvFile, "<5")
}
