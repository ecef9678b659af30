package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/testdb"
)

// Limits on abuse, through HTTP on a test site: a flood gets 429 with
// Retry-After and a page that gives back what was typed; what is counted
// stays bounded.

// wantLimited checks a 429 page: Retry-After in seconds, the Dutch
// explanation, and each typed value back in a form that posts again.
func wantLimited(t *testing.T, r response, action string, typed ...string) {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 {
		t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
	wantContains(t, r, "Even wachten", "opnieuw", `<form method="post" action="`+action+`"`, "Opnieuw versturen")
	for _, v := range typed {
		wantContains(t, r, html.EscapeString(v))
	}
	if k := untranslated.FindString(r.Body); k != "" {
		t.Fatalf("untranslated key on the 429 page: %s", k)
	}
}

// untranslated finds a catalogue key shown as text.
var untranslated = regexp.MustCompile(`>\s*[a-z_]+(\.[a-z_]+)+\s*<`)

func TestCommentFloodGets429WithTheTextBack(t *testing.T) {
	t.Parallel()         // each test has its own site and database
	s := newSite(t, nil) // the real default: 20 comments per 10 minutes
	bd := newBoard(t, s, nil)
	ideaPath, ideaID := seedIdea(t, s, bd)
	b := resident(t, s, testBSN, "Snelle Schrijver")
	// 30 at once, as a script would send them: 20 get through, 10 wait.
	codes := make(chan int, 30)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			req := mustPost(t, s.URL+ideaPath+"/reacties", url.Values{"reactie": {fmt.Sprintf("Reactie nummer %d op dit idee.", i+1)}}.Encode())
			req.Header.Set("Origin", s.URL)
			req.AddCookie(&http.Cookie{Name: "inspraak_sessie", Value: b.cookie("inspraak_sessie")})
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	got := map[int]int{}
	for c := range codes {
		got[c]++
	}
	if got[http.StatusSeeOther] != 20 || got[http.StatusTooManyRequests] != 10 {
		t.Fatalf("30 comments at once: %v, want 20 × 303 and 10 × 429", got)
	}
	const text = "Mijn 21e reactie, met <tekens> & een\ntweede regel die niet verloren mag gaan."
	r := b.post(ideaPath+"/reacties", url.Values{"reactie": {text}, "antwoord_op": {"12345"}})
	wantLimited(t, r, ideaPath+"/reacties", text)
	wantContains(t, r, `name="reactie"`, `name="antwoord_op" value="12345"`, "Uw reactie")
	var n int64
	testdb.NoError(t, s.App.DB.Table("idea_comments").Where("idea_id = ?", ideaID).Count(&n).Error)
	if n != 20 {
		t.Fatalf("%d comments stored, want 20", n)
	}
	// Someone else comments as usual.
	other := resident(t, s, supporterBSN, "Rustige Lezer")
	wantStatus(t, other.post(ideaPath+"/reacties", url.Values{"reactie": {"Een gewone reactie."}}), http.StatusSeeOther)
	// English visitors read it in English.
	b.get("/taal/en")
	en := b.post(ideaPath+"/reacties", url.Values{"reactie": {text}})
	wantStatus(t, en, http.StatusTooManyRequests)
	wantContains(t, en, "Please wait a moment", "Send again")
}

func TestIdeaFloodGets429WithTitleAndDescriptionBack(t *testing.T) {
	t.Parallel()         // each test has its own site and database
	s := newSite(t, nil) // the real default: 10 ideas an hour
	bd := newBoard(t, s, nil)
	b := resident(t, s, testBSN, "Ideeënbus")
	theme := itoa(bd.Themes[0].ID)
	for i := range 10 {
		r := b.post(board+"/ideeen", url.Values{"titel": {fmt.Sprintf("Idee nummer %d voor de route", i+1)},
			"beschrijving": {"Een uitleg die lang genoeg is om te tellen."}, "thema": {theme}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("idea %d: %d\n%s", i+1, r.StatusCode, r.Body)
		}
	}
	title, desc := "Een elfde idee: bloembakken", "Zet bloembakken langs de stoep,\nzodat auto's langzamer rijden."
	r := b.post(board+"/ideeen", url.Values{"titel": {title}, "beschrijving": {desc}, "thema": {theme}, "plek": {"Schoolstraat"}})
	wantLimited(t, r, board+"/ideeen", title, desc, "Schoolstraat")
	wantContains(t, r, `name="titel"`, `name="beschrijving"`, "Titel", `name="thema" value="`+theme+`"`)
	var n int64
	testdb.NoError(t, s.App.DB.Table("ideas").Where("instrument_id = ?", bd.InstrumentID).Count(&n).Error)
	if n != 10 {
		t.Fatalf("%d ideas stored, want 10", n)
	}
}

func TestReportsAndSupportsAreLimited(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_RATE_REPORT": "1/1h", "INSPRAAK_RATE_SUPPORT": "4/10m"})
	bd := newBoard(t, s, nil)
	ideaPath, ideaID := seedIdea(t, s, bd)
	writer := resident(t, s, thirdBSN, "Schrijver")
	c := writer.post(ideaPath+"/reacties", url.Values{"reactie": {"Een reactie om te melden."}})
	wantStatus(t, c, http.StatusSeeOther)
	comment := strings.TrimPrefix(c.Header.Get("Location"), ideaPath+"#reactie-")

	b := resident(t, s, testBSN, "Melder")
	var before int64
	testdb.NoError(t, s.App.DB.Table("moderation_reports").Count(&before).Error) // the demo has reports of its own
	wantStatus(t, b.post(ideaPath+"/melden", url.Values{"reden": {"spam"}, "toelichting": {"Dit is reclame."}}), http.StatusSeeOther)
	note := "Deze reactie noemt een telefoonnummer, zie de tweede zin."
	r := b.post(ideaPath+"/reacties/"+comment+"/melden", url.Values{"reden": {"personal_data"}, "toelichting": {note}})
	wantLimited(t, r, ideaPath+"/reacties/"+comment+"/melden", note)
	wantContains(t, r, `name="reden" value="personal_data"`)
	var reports int64
	testdb.NoError(t, s.App.DB.Table("moderation_reports").Count(&reports).Error)
	if reports-before != 1 {
		t.Fatalf("%d reports stored, want 1", reports-before)
	}

	// Support, take back, support, take back: the fifth click waits.
	for i, v := range []string{"ja", "nee", "ja", "nee"} {
		if r := b.post(ideaPath+"/steun", url.Values{"steun": {v}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("support click %d: %d", i+1, r.StatusCode)
		}
	}
	wantLimited(t, b.post(ideaPath+"/steun", url.Values{"steun": {"ja"}}), ideaPath+"/steun")
	var supports int64
	testdb.NoError(t, s.App.DB.Table("idea_supports").Where("idea_id = ?", ideaID).Count(&supports).Error)
	if supports != 0 {
		t.Fatalf("%d supports after a refused one, want 0", supports)
	}
}

func TestVotesAndAnswersAreLimited(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_RATE_VOTE": "2/10m"})
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, schoolPoll)
	page := b.follow(b.post("/inloggen/naam", url.Values{"naam": {"Stemmer"}, "terug": {schoolPoll}}))
	ids := optionIDs(t, page.Body)
	wantStatus(t, b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[0]}}), http.StatusSeeOther)
	wantStatus(t, b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[1]}}), http.StatusSeeOther)
	r := b.post(schoolPoll+"/stem", url.Values{"keuze": {ids[2]}})
	wantLimited(t, r, schoolPoll+"/stem")
	wantContains(t, r, `name="keuze" value="`+ids[2]+`"`)
	if mine := b.get(schoolPoll); !strings.Contains(mine.Body, "U koos:") {
		t.Fatal("no vote shown")
	}

	// A questionnaire screen counts as well; the written answer comes back.
	form := b.get(survey)
	short := textName.FindAllStringSubmatch(form.Body, -1)[1][1]
	area := areaName.FindStringSubmatch(form.Body)[1]
	const answer = "Meer bankjes in de schaduw, en een plek voor de markt op zaterdag."
	const word = "Mijn eigen korte antwoord"
	r = b.post(survey+"/antwoorden", url.Values{"actie": {"opslaan"}, short: {word}, area: {answer}})
	wantLimited(t, r, survey+"/antwoorden", word, answer)
	if again := b.get(survey); strings.Contains(again.Body, word) {
		t.Fatal("a refused screen was saved")
	}
}

// The login button, pressed from one address again and again, makes no
// more pending logins than the limit; X-Forwarded-For from a client that
// is not a trusted proxy changes nothing. Behind a trusted proxy each
// forwarded client counts on its own.
func TestLoginFloodFromOneAddressIsBounded(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_RATE_LOGIN": "5/10m"})
	var before int64
	testdb.NoError(t, s.App.DB.Table("pending_logins").Count(&before).Error)
	refused := 0
	for i := range 40 {
		req := mustPost(t, s.URL+"/inloggen/digid", "terug=%2F")
		req.Header.Set("Origin", s.URL)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1))
		r := s.do(t, req)
		switch r.StatusCode {
		case http.StatusSeeOther:
		case http.StatusTooManyRequests:
			refused++
			if i == 39 {
				wantLimited(t, r, "/inloggen/digid")
				wantContains(t, r, "vaak geprobeerd in te loggen")
			}
		default:
			t.Fatalf("login start %d: %d", i+1, r.StatusCode)
		}
	}
	var after int64
	testdb.NoError(t, s.App.DB.Table("pending_logins").Count(&after).Error)
	if after-before != 5 || refused != 35 {
		t.Fatalf("%d pending logins made and %d refused, want 5 and 35", after-before, refused)
	}
	// Staff login starts count the same way.
	req := mustPost(t, s.URL+"/beheer/inloggen", "terug=%2Fbeheer")
	req.Header.Set("Origin", s.URL)
	wantStatus(t, s.do(t, req), http.StatusTooManyRequests)

	proxied := newSite(t, map[string]string{"INSPRAAK_RATE_LOGIN": "5/10m", "INSPRAAK_TRUSTED_PROXIES": "127.0.0.1"})
	for i := range 12 {
		req := mustPost(t, proxied.URL+"/inloggen/digid", "terug=%2F")
		req.Header.Set("Origin", proxied.URL)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i%2+1))
		want := http.StatusSeeOther
		if i >= 10 {
			want = http.StatusTooManyRequests
		}
		if r := proxied.do(t, req); r.StatusCode != want {
			t.Fatalf("behind the proxy, start %d: %d, want %d", i+1, r.StatusCode, want)
		}
	}
}

// Giving a new address each time sends no more confirmation mails than the
// limit, whatever the addresses.
func TestConfirmationMailsAreCappedPerParticipant(t *testing.T) {
	t.Parallel()         // each test has its own site and database
	s := newSite(t, nil) // the real default: 5 an hour
	b := resident(t, s, testBSN, "Adreswisselaar")
	var sent int
	for i := range 8 {
		addr := fmt.Sprintf("bewoner%d@voorbeeld.nl", i)
		r := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {addr}, "toestemming": {"ja"}})
		switch r.StatusCode {
		case http.StatusSeeOther:
			sent++
		case http.StatusTooManyRequests:
			wantLimited(t, r, "/mijn-inspraak/meldingen", addr)
			wantContains(t, r, "geen nieuwe bevestigingsmail", "E-mailadres", `name="toestemming" value="ja"`)
		default:
			t.Fatalf("address %d: %d", i+1, r.StatusCode)
		}
	}
	// Each address change replaces the waiting mail; the audit log keeps
	// one entry per confirmation mail made.
	var made int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "notify.address_set").Count(&made).Error)
	if sent != 5 || made != 5 {
		t.Fatalf("%d addresses accepted and %d confirmation mails made, want 5 and 5", sent, made)
	}
}

func TestAPICallsAreLimitedPerKey(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_RATE_API": "3/1m"})
	analyst := newBrowser(t, s)
	analyst.loginStaff("Ana List", "inspraak-analisten")
	key := func(name string) string {
		made := analyst.post("/beheer/profiel/tokens", url.Values{"naam": {name}})
		k := regexp.MustCompile(`insp_[A-Za-z0-9_-]{40,}`).FindString(made.Body)
		if k == "" {
			t.Fatal("no key shown")
		}
		return k
	}
	one, two := key("dashboard"), key("tweede koppeling")
	call := func(k string) response {
		return s.get(t, "/api/v1/instruments/999999/export", "Authorization", "Bearer "+k)
	}
	for range 3 {
		wantStatus(t, call(one), http.StatusNotFound)
	}
	r := loadOpenAPI(t).conforms(t, s, "/api/v1/instruments/{id}/export", "/api/v1/instruments/999999/export", http.StatusTooManyRequests, "Authorization", "Bearer "+one)
	var body struct {
		Status     int    `json:"status"`
		Detail     string `json:"detail"`
		RetryAfter int    `json:"retry_after"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.Status != http.StatusTooManyRequests || body.Detail == "" || body.RetryAfter < 1 ||
		r.Header.Get("Retry-After") != strconv.Itoa(body.RetryAfter) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		t.Fatalf("429: %v %q %s", err, r.Header.Get("Retry-After"), r.Body)
	}
	// Another key from the same address has its own count; so do calls
	// without a key.
	wantStatus(t, call(two), http.StatusNotFound)
	for range 3 {
		wantStatus(t, s.get(t, "/api/v1/projects"), http.StatusOK)
	}
	loadOpenAPI(t).conforms(t, s, "/api/v1/projects", "/api/v1/projects", http.StatusTooManyRequests)
}

// Two instances on one PostgreSQL database share every limit: starts on A
// and B together meet the limit once. On SQLite (one instance) the counters
// stay in memory and the table stays empty.
func TestInstancesShareLimitsOnPostgreSQL(t *testing.T) {
	t.Parallel() // each test has its own site and database
	env := map[string]string{"INSPRAAK_RATE_LOGIN": "4/10m", "INSPRAAK_SESSION_KEY": "Gq7Xv2Lm9Rt4Wz8Kp3Nc6Hb1Jd5Fs0Ya-shared"}
	a := newSite(t, env)
	start := func(s string) int {
		req := mustPost(t, s+"/inloggen/digid", "terug=%2F")
		req.Header.Set("Origin", s)
		return a.do(t, req).StatusCode
	}
	var counters int64
	if !testdb.Postgres() {
		for range 4 {
			if code := start(a.URL); code != http.StatusSeeOther {
				t.Fatalf("start: %d", code)
			}
		}
		if code := start(a.URL); code != http.StatusTooManyRequests {
			t.Fatalf("5th start: %d", code)
		}
		testdb.NoError(t, a.App.DB.Table("rate_limits").Count(&counters).Error)
		if counters != 0 {
			t.Fatalf("%d counters in the table on SQLite, want them in memory", counters)
		}
		return
	}
	b := secondInstance(t, a, env)
	allowed := 0
	for i := range 10 {
		s := a.URL
		if i%2 == 1 {
			s = b.URL
		}
		switch code := start(s); code {
		case http.StatusSeeOther:
			allowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("start %d: %d", i+1, code)
		}
	}
	if allowed != 4 {
		t.Fatalf("%d of 10 login starts over two instances allowed, want the shared limit 4", allowed)
	}
	testdb.NoError(t, a.App.DB.Table("rate_limits").Count(&counters).Error)
	if counters != 1 {
		t.Fatalf("%d counters in the table, want 1", counters)
	}
}

// secondInstance starts another application on the first site's database,
// as a second container behind a load balancer would.
func secondInstance(t *testing.T, first *testSite, env map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	vals := map[string]string{
		"INSPRAAK_BASE_URL":      "http://" + srv.Listener.Addr().String(),
		"INSPRAAK_DATABASE_URL":  first.App.Config.DatabaseURL,
		"INSPRAAK_SEED_DEMO":     "false",
		"INSPRAAK_PSEUDONYM_KEY": testPseudonymKey,
	}
	for k, v := range env {
		vals[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vals[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// fuzzSettings are the settings of the fuzzed sites: without limits, so
// thousands of posts reach the handlers instead of the 429 page, which
// FuzzRefusedFormsComeBackSafely fuzzes on its own.
var fuzzSettings = map[string]string{"INSPRAAK_RATE_LIMITS": "off"}

// Whatever a refused form held, the 429 page shows it back escaped, in a
// form that posts to the same address on this site, and never fails.
func FuzzRefusedFormsComeBackSafely(f *testing.F) {
	for _, seed := range []string{"reactie=hoi", "reactie=%3Cscript%3Ealert(1)%3C%2Fscript%3E&antwoord_op=%22%3E%3Cb%3E",
		"titel=x&beschrijving=y&thema=1&wijk=%00&plek=%ff", "%zz", "a=1&a=2&a=3", strings.Repeat("x=y&", 300), ""} {
		f.Add(seed, uint8(0))
		f.Add(seed, uint8(1))
	}
	s := newSite(f, map[string]string{"INSPRAAK_RATE_COMMENT": "1/24h", "INSPRAAK_RATE_IDEA": "1/24h"})
	ideaPath, _ := seedIdea(f, s, newBoard(f, s, nil))
	b := newBrowser(f, s)
	b.loginDigiD(testBSN, loaMid, "/")
	targets := []string{ideaPath + "/reacties", board + "/ideeen"}
	for _, tg := range targets {
		b.post(tg, url.Values{"reactie": {"De eerste telt."}}) // uses up the limit
	}
	cookie := b.cookie("inspraak_sessie")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, body string, which uint8) {
		target := targets[int(which)%len(targets)]
		req, _ := http.NewRequest(http.MethodPost, s.URL+target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "inspraak_sessie", Value: cookie})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		_, _ = io.Copy(&sb, resp.Body)
		resp.Body.Close()
		page := sb.String()
		if resp.StatusCode == http.StatusBadRequest && unreadableForm(body) {
			return // refused at the edge before any limit: nothing to give back
		}
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("body %q to %s gave %d", body, target, resp.StatusCode)
		}
		if !strings.Contains(page, `<form method="post" action="`+target+`"`) || strings.Contains(page, "<script>alert") || strings.Contains(page, `"><b>`) {
			t.Fatalf("body %q: the page does not give it back safely:\n%s", body, page)
		}
	})
}

// unreadableForm says whether the edge refuses a form body before any
// handler sees it: it does not decode, or holds invalid UTF-8 or a NUL.
func unreadableForm(body string) bool {
	vals, err := url.ParseQuery(body)
	if err != nil {
		return true
	}
	for k, vs := range vals {
		for _, v := range append(vs, k) {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return true
			}
		}
	}
	return false
}
