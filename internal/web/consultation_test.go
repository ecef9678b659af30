package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

const survey = "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp"

var (
	radioName = regexp.MustCompile(`type="radio" id="q-(\d+)-(\d+)" name="(q\d+)" value="(\d+)"`)
	rankName  = regexp.MustCompile(`name="(q\d+_\d+)"`)
	textName  = regexp.MustCompile(`<input class="utrecht-textbox utrecht-textbox--html-input" id="q-\d+" name="(q\d+)"`)
	areaName  = regexp.MustCompile(`<textarea [^>]*name="(q\d+)"`)
	boxName   = regexp.MustCompile(`type="checkbox" id="q-\d+-\d+" name="(q\d+)" value="(\d+)"`)
)

func TestResidentAnswersConsultationWithDraftReceiptAndChange(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	var demoSubmitted int64
	testdb.NoError(t, s.App.DB.Table("responses").Where("participant_id IS NOT NULL AND status = 'submitted'").Count(&demoSubmitted).Error)
	project := s.get(t, "/projecten/herinrichting-marktplein")
	wantContains(t, project, "Vragenlijst over het schetsontwerp", "Vragenlijst")
	anon := s.get(t, survey)
	wantContains(t, anon, "Log in om mee te doen.", "Dit zijn de vragen", "Welk schetsontwerp vindt u het beste?")

	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, survey)
	page := b.follow(b.post("/inloggen/naam", url.Values{"naam": {"Marktbezoeker"}, "terug": {survey}}))
	wantStatus(t, page, 200)
	wantContains(t, page, "Welk schetsontwerp vindt u het beste?", "1 = heel ontevreden", "Plek 4", "niet verplicht")

	radios := radioName.FindAllStringSubmatch(page.Body, -1)
	design, scale := radios[0][3], "" // first radio group: the design question
	designOpt := radios[0][4]
	for _, r := range radios {
		if r[3] != design {
			scale = r[3]
			break
		}
	}
	ranks := rankName.FindAllStringSubmatch(page.Body, -1)
	texts := textName.FindAllStringSubmatch(page.Body, -1)
	areas := areaName.FindAllStringSubmatch(page.Body, -1)
	boxes := boxName.FindAllStringSubmatch(page.Body, -1)
	if scale == "" || len(ranks) != 4 || len(texts) != 2 || len(areas) != 1 || len(boxes) != 5 {
		t.Fatalf("form fields: scale %q ranks %d texts %d areas %d boxes %d", scale, len(ranks), len(texts), len(areas), len(boxes))
	}
	number, short := texts[0][1], texts[1][1]

	// A draft with a half-done ranking and a word for a number: refused,
	// with messages linked to the questions, and the typed text kept.
	bad := url.Values{"actie": {"opslaan"}, short: {"Het Dorpshart"}, number: {"vaak"},
		ranks[0][1]: {"1"}, ranks[1][1]: {"1"}}
	r := b.post(survey+"/antwoorden", bad)
	wantStatus(t, r, 422)
	wantContains(t, r, "Er is iets niet goed ingevuld", "Vul een getal in", "Geef elk onderwerp een eigen plek", `value="Het Dorpshart"`)

	// A proper draft is kept on the server.
	draft := url.Values{"actie": {"opslaan"}, short: {"Het Dorpshart"}, number: {"2,5"}}
	wantStatus(t, b.post(survey+"/antwoorden", draft), 303)
	again := b.get(survey)
	wantContains(t, again, "Uw antwoorden zijn bewaard", `value="Het Dorpshart"`, `value="2.5"`)

	// Submitting without the required answers names them.
	r = b.post(survey+"/antwoorden", url.Values{"actie": {"versturen"}, short: {"Het Dorpshart"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "Kies een antwoord.", "Kies een getal op de schaal.")

	full := url.Values{"actie": {"versturen"}, design: {designOpt}, scale: {"4"}, number: {"3"}, short: {"Het Dorpshart"},
		boxes[0][1]: {boxes[0][2], boxes[2][2]}, areas[0][1]: {"Meer schaduw graag."},
		ranks[0][1]: {"2"}, ranks[1][1]: {"4"}, ranks[2][1]: {"1"}, ranks[3][1]: {"3"}}
	r = b.post(survey+"/antwoorden", full)
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "/ontvangstbewijs") {
		t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
	}
	receipt := b.follow(r)
	wantContains(t, receipt, "Uw antwoorden zijn verstuurd", "Kenmerk", "INS-", "Ontwerp A: veel groen", "1. Evenementen", "4. Parkeren",
		"Schaduw en bomen", "Een speelplek", "Meer schaduw graag.", "Antwoorden veranderen")
	// The receipt thanks once (its heading), not again in a message on top.
	if n := strings.Count(receipt.Body, "Bedankt") + strings.Count(receipt.Body, "Dank u"); n != 1 {
		t.Errorf("the receipt thanks %d times, want once", n)
	}
	ref := regexp.MustCompile(`INS-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(receipt.Body)

	// Change until closing: the reference stays, the answer moves.
	full.Set(scale, "2")
	b.follow(b.post(survey+"/antwoorden", full))
	again = b.get(survey + "/ontvangstbewijs")
	wantContains(t, again, ref)
	var n int64
	testdb.NoError(t, s.App.DB.Table("responses").Where("participant_id IS NOT NULL AND status = 'submitted'").Count(&n).Error)
	if n != demoSubmitted+1 { // the demo's responses and this one
		t.Fatalf("%d submitted responses, want %d", n, demoSubmitted+1)
	}
}

func TestReceiptNeedsASubmittedResponse(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	r := b.get(survey + "/ontvangstbewijs")
	if r.StatusCode != 303 || r.Header.Get("Location") != survey {
		t.Fatalf("receipt without response: %d %v", r.StatusCode, r.Header)
	}
	anon := s.get(t, survey+"/ontvangstbewijs")
	if anon.StatusCode != 303 || !strings.HasPrefix(anon.Header.Get("Location"), "/inloggen") {
		t.Fatalf("anonymous receipt: %d", anon.StatusCode)
	}
}
