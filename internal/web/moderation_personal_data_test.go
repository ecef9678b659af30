package web_test

import (
	"net/url"
	"strings"
	"testing"

	"inspraak/internal/moderation"
	"inspraak/internal/testdb"
)

// An idea flagged for a BSN and a phone number: the decision form has no
// default, a plain "Goedkeuren" is refused with a Dutch message and
// publishes nothing, and approving with the "geen persoonsgegevens"
// confirmation publishes it with the confirmation in the audit log.
func TestPersonalDataIsNeverOneDefaultClickFromPublication(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	author := resident(t, s, testBSN, "Indiener")
	sent := author.post(board+"/ideeen", url.Values{"titel": {"Buurtfeest op het plein"},
		"beschrijving": {"Wie helpt? Mijn BSN is 999993653 en bel mij op 06-12345678."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("submit: %d\n%s", sent.StatusCode, sent.Body)
	}
	ideaPath := sent.Header.Get("Location")
	wantStatus(t, s.get(t, ideaPath), 404) // held back for the personal data

	var it moderation.Item
	if err := s.App.DB.Where("kind = ?", "idea").Order("id DESC").Take(&it).Error; err != nil {
		t.Fatal(err)
	}
	item := "/beheer/moderatie/" + itoa(it.ID)
	mod := moderatorBrowser(t, s, "Mo Derator")
	wantStatus(t, mod.follow(mod.post(item+"/claimen", nil)), 200)
	page := mod.get(item)
	wantStatus(t, page, 200)
	wantContains(t, page, "Mogelijk burgerservicenummer", "De gemarkeerde gegevens zijn geen persoonsgegevens")
	if checkedRadio(page.Body) != "" {
		t.Fatalf("the decision form has a default (%s) while personal data is marked", checkedRadio(page.Body))
	}

	// The form sent as it comes: no decision chosen.
	none := mod.post(item+"/besluit", url.Values{"daarna": {"volgende"}})
	wantStatus(t, none, 422)
	wantContains(t, none, "Kies een besluit.", `href="#besluit"`)

	plain := mod.post(item+"/besluit", url.Values{"besluit": {"approve"}})
	wantStatus(t, plain, 422)
	wantContains(t, plain, "Er staan nog persoonsgegevens in deze bijdrage.", `href="#geen_persoonsgegevens"`)
	if checkedRadio(plain.Body) != "approve" {
		t.Fatalf("the refused choice is not kept: %q", checkedRadio(plain.Body))
	}
	wantStatus(t, s.get(t, ideaPath), 404)
	var n int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "moderation.approve", "idea:"+itoa(it.TargetID)).Count(&n).Error)
	if n != 0 {
		t.Fatalf("%d approvals on record after a refusal", n)
	}

	ok := mod.post(item+"/besluit", url.Values{"besluit": {"approve"}, "geen_persoonsgegevens": {"ja"}})
	if ok.StatusCode != 303 {
		t.Fatalf("approve with confirmation: %d\n%s", ok.StatusCode, ok.Body)
	}
	wantStatus(t, s.get(t, ideaPath), 200)
	var detail string
	if err := s.App.DB.Table("audit_log").Select("detail").Where("action = ? AND target = ?", "moderation.approve", "idea:"+itoa(it.TargetID)).
		Scan(&detail).Error; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, `"confirmed_not_personal_data":["bsn","phone"]`) {
		t.Fatalf("audit detail: %s", detail)
	}
}

// checkedRadio returns the value of the checked decision radio button.
func checkedRadio(body string) string {
	for _, v := range moderation.Decisions {
		if strings.Contains(body, `value="`+v+`" id="besluit-`+v+`" checked`) {
			return v
		}
	}
	return ""
}
