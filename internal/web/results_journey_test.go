package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"net/url"

	"inspraak/internal/instrument"
	"inspraak/internal/notify/mailtest"
)

// The journey this platform exists for: a resident answers the
// questionnaire; an analyst codes the open answer, downloads the results
// and publishes a response note with a section about that code; the
// resident reads "what we did with your input" on Mijn inspraak and gets
// the mail.
func TestResponseNoteReachesTheResident(t *testing.T) {
	t.Parallel() // each test has its own site and database
	smtp := mailtest.New(t)
	s := newSite(t, map[string]string{"INSPRAAK_SMTP_URL": "smtp://" + smtp.Addr, "INSPRAAK_MAIL_FROM": "Gemeente Voorbeeld <inspraak@voorbeeld.nl>"})
	ctx := context.Background()
	var in instrument.Instrument
	if err := s.App.DB.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error; err != nil {
		t.Fatal(err)
	}

	// The resident asks for mail and answers the questionnaire.
	res := resident(t, s, testBSN, "Marktbezoeker")
	const addr = "marktbezoeker@voorbeeld.nl"
	wantStatus(t, res.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {addr}, "toestemming": {"ja"}}), 303)
	if _, err := s.App.Mailer.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	_, body := mailText(t, smtp.Messages()[0].Data)
	wantStatus(t, res.get(confirmURL.FindString(strings.ReplaceAll(body, "=\r\n", ""))), 303)
	page := res.get(survey)
	radios := radioName.FindAllStringSubmatch(page.Body, -1)
	form := url.Values{"actie": {"versturen"}}
	for _, r := range radios {
		if form.Get(r[3]) == "" {
			form.Set(r[3], r[4]) // the first option of every radio group
		}
	}
	area := areaName.FindStringSubmatch(page.Body)
	form.Set(area[1], "Zet er meer bomen neer, dan is het plein koel in de zomer.")
	if r := res.post(survey+"/antwoorden", form); r.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", r.StatusCode, r.Body)
	}

	// The analyst codes the answer, downloads, writes and publishes.
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	base := "/beheer/resultaten/" + itoa(in.ID)
	wantStatus(t, analyst.post(base+"/codes", url.Values{"code": {"Bomen en schaduw"}}), 303)
	open := analyst.get(base + "/open-antwoorden?zoek=" + url.QueryEscape("meer bomen"))
	keys := regexp.MustCompile(`name="antwoord" value="(\d+-\d+)"`).FindAllStringSubmatch(open.Body, -1)
	codeID := regexp.MustCompile(`<option value="(\d+)">Bomen en schaduw</option>`).FindStringSubmatch(open.Body)
	if len(keys) != 1 || codeID == nil {
		t.Fatalf("search found %d answers, code %v", len(keys), codeID)
	}
	wantStatus(t, analyst.post(base+"/coderen", url.Values{"antwoord": {keys[0][1]}, "code": {codeID[1]}, "actie": {"koppel"}}), 303)
	if dl := analyst.get(base + "/export?formaat=csv"); !strings.Contains(dl.Body, "Bomen en schaduw") {
		t.Fatal("the download does not carry the code")
	}
	note := base + "/reactienota"
	empty := analyst.post(note+"/publiceren", nil)
	wantStatus(t, empty, 409)
	wantContains(t, empty, "een lege reactienota kan niet op de site")
	wantStatus(t, analyst.post(note, url.Values{"inleiding": {"Dank aan iedereen die meedeed."}}), 303)
	bad := analyst.post(note+"/secties", url.Values{"titel": {""}, "tekst": {""}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#titel"`, "Vul een kop in.")
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Meer bomen"}, "code": {codeID[1]},
		"tekst": {"Aan de zuidkant van het plein komen acht lindebomen. Zo is er in de zomer schaduw."}}), 303)
	wantStatus(t, analyst.post(note+"/secties", url.Values{"titel": {"Wat er nu gebeurt"}, "tekst": {"De gemeenteraad besluit in maart."}}), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303)
	wantStatus(t, analyst.post(note+"/publiceren", nil), 303) // again: no second mail

	// The resident sees it, and the mail goes out once.
	my := res.get("/mijn-inspraak")
	wantContains(t, my, "Dit hebben we met uw inbreng gedaan", "Meer bomen", "acht lindebomen",
		`href="`+survey+`/reactienota">Lees wat de gemeente met de inbreng doet`)
	wantNotContains(t, my, "De gemeenteraad besluit in maart.") // not about their answers
	public := s.get(t, survey+"/reactienota")
	wantStatus(t, public, 200)
	wantContains(t, public, "Dank aan iedereen die meedeed.", "acht lindebomen", "De gemeenteraad besluit in maart.", "reactienota.pdf")
	// The project page and the questionnaire lead to it.
	project := survey[:strings.LastIndex(survey, "/")]
	for _, page := range []string{project, survey} {
		wantContains(t, s.get(t, page), `href="`+survey+`/reactienota"`, "Lees wat de gemeente met de inbreng doet")
	}
	pdf := s.get(t, survey+"/reactienota.pdf")
	if pdf.StatusCode != 200 || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Fatalf("note as PDF: %d %.10q", pdf.StatusCode, pdf.Body)
	}
	for range 2 {
		if _, err := s.App.Mailer.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var found int
	for _, m := range smtp.Messages() {
		subject, _ := mailText(t, m.Data)
		if strings.Contains(subject, "Dit hebben we gedaan met uw inbreng") {
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d response-note mails, want 1", found)
	}
	editor := newBrowser(t, s)
	editor.loginStaff("Eddy Tor", "inspraak-redacteuren")
	wantStatus(t, editor.get(note), 403)
}
