package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

const schoolPoll = "/projecten/veilig-naar-school/welke-plek-eerst"

var optionValue = regexp.MustCompile(`name="keuze" value="(\d+)"`)

func optionIDs(t *testing.T, body string) []string {
	t.Helper()
	var ids []string
	for _, m := range optionValue.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	if len(ids) < 2 {
		t.Fatalf("no options on the page:\n%s", body)
	}
	return ids
}

func TestResidentVotesSeesResultAndChangesVote(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	project := s.get(t, "/projecten/veilig-naar-school")
	wantContains(t, project, "Doe mee", "Welke plek pakken we als eerste aan?", "Inwoners doen mee met DigiD.", `href="`+schoolPoll+`"`)

	anon := s.get(t, schoolPoll)
	wantStatus(t, anon, 200)
	wantContains(t, anon, "Log in om mee te doen.", "Inloggen met DigiD", "U ziet de uitslag als u heeft gestemd")
	wantNotContains(t, anon, `name="keuze"`)

	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, schoolPoll)
	page := b.follow(b.post("/inloggen/naam", url.Values{"naam": {"Fietser"}, "terug": {schoolPoll}}))
	wantStatus(t, page, 200)
	ids := optionIDs(t, page.Body)

	// Bad input: nothing chosen, a made-up option, not a number.
	for _, form := range []url.Values{{}, {"keuze": {"999999"}}, {"keuze": {"een"}}, {"keuze": {ids[0], ids[1]}}} {
		r := b.post(schoolPoll+"/stem", form)
		wantStatus(t, r, 422)
		wantContains(t, r, "Er is iets niet goed ingevuld", `href="#keuze"`)
	}
	var n int64
	testdb.NoError(t, s.App.DB.Table("ballots").Where("participant_id IS NOT NULL").Count(&n).Error)
	before := n

	voted := b.follow(b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[1]}}))
	wantContains(t, voted, "Uw stem is opgeslagen", "U koos:", "Rotonde bij de sporthal.", "25 stemmen", "Stem veranderen")

	changed := b.follow(b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[3]}}))
	wantContains(t, changed, "Uw stem is veranderd", "Fietspad langs de Molenbeek.", "25 stemmen")
	testdb.NoError(t, s.App.DB.Table("ballots").Where("participant_id IS NOT NULL").Count(&n).Error)
	if n != before+1 {
		t.Fatalf("ballots %d → %d, want one more", before, n)
	}
}

func TestPollRefusesWithReasonsNotBareErrors(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	// A business on a DigiD-only poll.
	b := newBrowser(t, s)
	auth := b.startLogin("eherkenning", "/", "")
	b.follow(b.atProvider(auth, url.Values{"kvk": {testKVK}, "loa": {loaEH3}}))
	r := b.get(schoolPoll)
	wantStatus(t, r, 200)
	wantContains(t, r, "Hieraan doen alleen inwoners mee, met DigiD.", "Inloggen met DigiD")
	wantNotContains(t, r, `name="keuze"`)
	// Posting anyway is refused with the same reason, and nothing is stored.
	vote := b.post(schoolPoll+"/stem", url.Values{"keuze": {"1"}})
	wantStatus(t, vote, 403)
	wantContains(t, vote, "Hieraan doen alleen inwoners mee, met DigiD.")

	// Not logged in: posting sends you to log in first.
	anon := s.get(t, schoolPoll)
	_ = anon
	req := newBrowser(t, s).post(schoolPoll+"/stem", url.Values{"keuze": {"1"}})
	if req.StatusCode != 303 || !strings.HasPrefix(req.Header.Get("Location"), "/inloggen?terug=") {
		t.Fatalf("anonymous vote: %d %v", req.StatusCode, req.Header)
	}

	// Results after closing only: not shown while open, even after voting.
	market := "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein"
	res := s.get(t, market)
	wantContains(t, res, "De uitslag komt hier als de peiling gesloten is.", "Wat vindt u het belangrijkst op het nieuwe Marktplein?")
	wantStatus(t, s.get(t, "/projecten/herinrichting-marktplein/bestaat-niet"), 404)
	wantStatus(t, s.get(t, "/projecten/omgevingsvisie-2040/welke-plek-eerst"), 404)
}

// Whatever a client posts to the vote form, the answer is a page with a
// message (4xx) or a redirect after a valid vote, never a server error.
func FuzzPollVoteForm(f *testing.F) {
	for _, seed := range []string{"keuze=1", "keuze=", "keuze=-1&keuze=2", "keuze=99999999999999999999", "keuze=%00", strings.Repeat("keuze=1&", 100), "a=b", "%zz", "keuze=1;keuze=2"} {
		f.Add(seed)
	}
	s := newSite(f, fuzzSettings)
	b := newBrowser(f, s)
	b.loginDigiD(testBSN, loaMid, "/")
	cookie := b.cookie("inspraak_sessie")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, body string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+schoolPoll+"/stem", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "inspraak_sessie", Value: cookie})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			t.Fatalf("body %q gave %d", body, resp.StatusCode)
		}
	})
}

// Closing a project closes its instruments at once, whatever their own
// closing time: the server refuses a vote and an answer, and the pages
// stop offering the forms.
func TestClosedProjectRefusesVotesAndAnswers(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	ids := optionIDs(t, b.get(schoolPoll).Body)
	for _, slug := range []string{"veilig-naar-school", "herinrichting-marktplein"} {
		if err := s.App.DB.Table("projects").Where("slug = ?", slug).Update("status", "closed").Error; err != nil {
			t.Fatal(err)
		}
	}
	var before, after int64
	testdb.NoError(t, s.App.DB.Table("ballots").Count(&before).Error)
	r := b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[0]}})
	wantStatus(t, r, 409)
	wantContains(t, r, "Meedoen kan niet meer: dit is gesloten.")
	testdb.NoError(t, s.App.DB.Table("ballots").Count(&after).Error)
	if after != before {
		t.Fatalf("ballots %d → %d on a closed project", before, after)
	}

	testdb.NoError(t, s.App.DB.Table("responses").Count(&before).Error)
	a := b.post(survey+"/antwoorden", url.Values{"actie": {"opslaan"}})
	wantStatus(t, a, 409)
	wantContains(t, a, "Meedoen kan niet meer: dit is gesloten.")
	testdb.NoError(t, s.App.DB.Table("responses").Count(&after).Error)
	if after != before {
		t.Fatalf("responses %d → %d on a closed project", before, after)
	}
}
