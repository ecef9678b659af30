package web_test

import (
	"testing"

	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/testdb"
)

// The register token the letter upload and the stand compute from a BSN
// (budget.VoterToken) is the token of that person's DigiD session: a real
// login through the provider, and the token derived from the subject it
// stored, are the same. Otherwise someone could vote by letter and again
// online.
func TestBudgetVoterTokenIsTheLoginToken(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	// The participant of the one resident session (the demo's people
	// have none).
	var subjects []string
	testdb.NoError(t, s.App.DB.Table("participants").
		Where("id IN (?)", s.App.DB.Table("sessions").Select("participant_id").Where("participant_id IS NOT NULL")).
		Pluck("subject", &subjects).Error)
	if len(subjects) != 1 {
		t.Fatalf("%d participants with a session after one login", len(subjects))
	}
	cfg := s.App.Config
	keys, err := identity.NewKeyring(cfg.PseudonymKeyVersion, cfg.PseudonymKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{1, 42} {
		tok, err := budget.VoterToken(keys, cfg.PseudonymKey, id, testBSN)
		if err != nil {
			t.Fatal(err)
		}
		if want := s.App.Budgets.OnlineToken(id, subjects[0]); tok != want {
			t.Fatalf("budget %d: token from the BSN %s, from the login %s", id, tok, want)
		}
	}
	// Another BSN gives another token.
	other, err := budget.VoterToken(keys, cfg.PseudonymKey, 1, "999990019")
	if err != nil || other == s.App.Budgets.OnlineToken(1, subjects[0]) {
		t.Fatalf("another BSN: %s, %v", other, err)
	}
}
