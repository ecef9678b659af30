package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gorm.io/gorm"

	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/notify"
	"inspraak/internal/testdb"
)

// residentID is the participant the browser is logged in as.
func residentID(t testing.TB, s *testSite, b *browser) int64 {
	t.Helper()
	cur, err := s.App.Identity.Load(context.Background(), identity.KindResident, b.cookie("inspraak_sessie"))
	if err != nil {
		t.Fatal(err)
	}
	return cur.Participant.ID
}

var confirmLink = regexp.MustCompile(`https?://[^\s]+/mijn-inspraak/email/bevestigen\?token=[A-Za-z0-9_-]+`)

// newestConfirmLink reads the link from the newest confirmation mail.
func newestConfirmLink(t testing.TB, s *testSite) string {
	t.Helper()
	mails, err := s.App.Notify.Outbox(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if m.Kind == "confirm" {
			if l := confirmLink.FindString(m.BodyText); l != "" {
				return l
			}
		}
	}
	t.Fatal("no confirmation mail in the outbox")
	return ""
}

func TestResidentGivesConfirmsAndRemovesAnEmailAddress(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	b.post("/inloggen/naam", url.Values{"naam": {"Jan Jansen"}, "terug": {"/"}})

	page := b.get("/mijn-inspraak/meldingen")
	wantStatus(t, page, 200)
	wantContains(t, page, "<h1 class=\"utrecht-heading-1\">Meldingen</h1>", "U heeft nog geen berichten.", "U krijgt nu geen e-mail van ons")
	wantNotContains(t, page, "Waarover wilt u e-mail krijgen?")

	bad := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {"jan@"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Er is iets niet goed ingevuld", `href="#email"`, `href="#toestemming"`, `aria-invalid="true"`,
		"Vul een e-mailadres in", "Zet een vinkje", `value="jan@"`)

	const addr = "jan.jansen@voorbeeld.nl"
	set := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {addr}, "toestemming": {"ja"}})
	wantStatus(t, set, 303)
	pending := b.follow(set)
	wantContains(t, pending, "Wij hebben u een e-mail gestuurd", "Wij hebben een e-mail gestuurd naar "+addr, "Waarover wilt u e-mail krijgen?")

	// Someone else, logged in, cannot use Jan's link.
	link := newestConfirmLink(t, s)
	other := newBrowser(t, s)
	other.loginDigiD("999990019", loaMid, "/")
	wantStatus(t, other.get(link), 403)
	// Not logged in: to the login page first, and back to the link.
	anon := s.get(t, strings.TrimPrefix(link, s.URL))
	wantStatus(t, anon, 303)
	if loc := anon.Header.Get("Location"); !strings.HasPrefix(loc, "/inloggen?terug="+url.QueryEscape("/mijn-inspraak/email/bevestigen?token=")) {
		t.Errorf("anonymous confirm went to %q", loc)
	}

	confirmed := b.get(link)
	wantStatus(t, confirmed, 303)
	done := b.follow(confirmed)
	wantContains(t, done, "Uw e-mailadres is bevestigd", "Wij sturen uw berichten naar "+addr)
	again := b.get(link)
	wantStatus(t, again, 422)
	wantContains(t, again, "Deze link werkt niet (meer)")

	// A notification appears in the list, and as mail in the dev outbox.
	pid := residentID(t, s, b)
	err := s.App.DB.WithTx(context.Background(), func(tx *gorm.DB) error {
		return s.App.Notify.Notify(context.Background(), tx, pid, notify.Message{Kind: notify.KindIdeaStatus, Key: "notify.msg.idea_status",
			Params: []string{"Meer <bankjes>", "Aangenomen"}, Link: "/projecten/herinrichting-marktplein"})
	})
	if err != nil {
		t.Fatal(err)
	}
	list := b.get("/mijn-inspraak/meldingen")
	wantContains(t, list, "1 nieuw bericht", "Uw idee ‘Meer &lt;bankjes&gt;’ heeft een nieuwe status: Aangenomen",
		`href="/projecten/herinrichting-marktplein"`, "Alles als gelezen markeren")
	outbox := b.get("/dev/outbox")
	wantStatus(t, outbox, 200)
	wantContains(t, outbox, "Bevestig uw e-mailadres", addr, "Wacht op versturen")

	read := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"gelezen"}})
	wantStatus(t, read, 303)
	wantContains(t, b.follow(read), "Alle berichten staan nu op gelezen", "Geen nieuwe berichten")

	prefs := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"voorkeuren"}, "soort": {"reply", "results"}})
	wantStatus(t, prefs, 303)
	if p, _ := s.App.Notify.Preferences(context.Background(), pid); p != (notify.Prefs{Reply: true, Results: true}) {
		t.Errorf("prefs = %+v", p)
	}
	wrong := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"voorkeuren"}, "soort": {"reply", "alles"}})
	wantStatus(t, wrong, 422)
	wantContains(t, wrong, `href="#voorkeuren"`, "Kies alleen uit de keuzes")
	wantStatus(t, b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"iets"}}), 400)

	removed := b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"verwijderen"}})
	wantStatus(t, removed, 303)
	gone := b.follow(removed)
	wantContains(t, gone, "Uw e-mailadres is verwijderd", "U krijgt nu geen e-mail van ons")
	wantNotContains(t, gone, addr)

	// The address is in no log line and no audit entry.
	if strings.Contains(s.Logs.String(), addr) || strings.Contains(s.Logs.String(), "voorbeeld.nl") {
		t.Errorf("the address reached the logs:\n%s", grepLines(s.Logs.String(), "voorbeeld.nl"))
	}
	if strings.Contains(s.Logs.String(), "missing translation") {
		t.Errorf("missing translations:\n%s", grepLines(s.Logs.String(), "missing translation"))
	}
	var entries []audit.Entry
	testdb.NoError(t, s.App.DB.Where("action LIKE 'notify.%'").Order("id").Find(&entries).Error)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(e.Detail+e.Target+e.Actor, "voorbeeld.nl") {
			t.Errorf("audit entry holds the address: %+v", e)
		}
	}
	if strings.Join(actions, ",") != "notify.address_set,notify.address_confirmed,notify.address_removed" {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestEnglishResidentsGetEnglishMail(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	b.get("/taal/en?terug=/")
	page := b.get("/mijn-inspraak/meldingen")
	wantContains(t, page, `<html lang="en"`, "Messages by e-mail", "Save e-mail address")
	wantStatus(t, b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {"jane@example.com"}, "toestemming": {"ja"}}), 303)
	mails, _ := s.App.Notify.Outbox(context.Background(), 1)
	if len(mails) != 1 || mails[0].Lang != "en" || mails[0].Subject != "Confirm your e-mail address" {
		t.Fatalf("confirmation = %+v", mails)
	}
}

func TestOneClickUnsubscribeWorksFromAMailClient(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	pid := residentID(t, s, b)
	ctx := context.Background()
	b.post("/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {"jan@voorbeeld.nl"}, "toestemming": {"ja"}})
	b.get(newestConfirmLink(t, s))
	tok := s.App.Notify.UnsubscribeToken(pid, "reply")

	// The page in the mail body shows a button; opening it changes nothing.
	page := s.get(t, "/afmelden?token="+url.QueryEscape(tok))
	wantStatus(t, page, 200)
	wantContains(t, page, "Wilt u geen e-mail meer krijgen over reacties op wat u schreef?", "Afmelden voor deze e-mail", "Afmelden voor alle e-mail")
	if p, _ := s.App.Notify.Preferences(ctx, pid); !p.Reply {
		t.Fatal("a GET unsubscribed")
	}

	// RFC 8058: the mail provider POSTs from its own origin, without cookies.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/afmelden?token="+url.QueryEscape(tok), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.provider.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	r := s.do(t, req)
	wantStatus(t, r, 200)
	wantContains(t, r, "U bent afgemeld", "U krijgt geen e-mail meer over reacties op wat u schreef.")
	if p, _ := s.App.Notify.Preferences(ctx, pid); p.Reply || !p.IdeaStatus {
		t.Errorf("prefs after one click = %+v", p)
	}

	// Forged or broken tokens get a plain refusal, cross-origin or not.
	for _, bad := range []string{"", "1.reply.AAAA", tok + "x", strings.Replace(tok, ".reply.", ".all.", 1)} {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/afmelden?token="+url.QueryEscape(bad), strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		r := s.do(t, req)
		wantStatus(t, r, 422)
		wantContains(t, r, "Deze afmeldlink werkt niet")
		wantStatus(t, s.get(t, "/afmelden?token="+url.QueryEscape(bad)), 422)
	}
	if a, _ := s.App.Notify.AddressOf(ctx, pid); !a.Confirmed() {
		t.Fatal("a forged token removed the address")
	}

	// The second button: stop all mail, the address goes.
	all := b.post("/afmelden", url.Values{"token": {tok}, "alles": {"ja"}})
	wantStatus(t, all, 200)
	wantContains(t, all, "Wij hebben uw e-mailadres verwijderd")
	if a, _ := s.App.Notify.AddressOf(ctx, pid); a != nil {
		t.Error("address kept after unsubscribing from all mail")
	}
	// Other cross-origin posts are still refused.
	evil, _ := http.NewRequest(http.MethodPost, s.URL+"/mijn-inspraak/meldingen", strings.NewReader("actie=verwijderen"))
	evil.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	evil.Header.Set("Sec-Fetch-Site", "cross-site")
	wantStatus(t, s.do(t, evil), 403)
}

func TestDevOutboxExistsOnlyInDevelopment(t *testing.T) {
	t.Parallel() // each test has its own site and database
	dev := newSite(t, nil)
	r := dev.get(t, "/dev/outbox")
	wantStatus(t, r, 200)
	wantContains(t, r, "Deze pagina bestaat alleen in de testomgeving", "Er is nog geen e-mail.")

	prod := newSite(t, map[string]string{
		"INSPRAAK_ENV":           "production",
		"INSPRAAK_BASE_URL":      "https://inspraak.gemeente.example",
		"INSPRAAK_SESSION_KEY":   "q8Yv2mZr7LkP1xWn4sTe9bHd3cFg6jUa",
		"INSPRAAK_PSEUDONYM_KEY": "Zt5Rw1Qy8Nb3Mx7Vc2Lk9Jh4Gf6Ds0Ap",
		"INSPRAAK_SEED_DEMO":     "false",
		"INSPRAAK_SMTP_URL":      "smtp://mail.gemeente.example",
		"INSPRAAK_MAIL_FROM":     "inspraak@gemeente.example",
		"INSPRAAK_METRICS_TOKEN": "Mt7Kq2Wz9Rb4Xn1Lc8Vp3Hs6Jd0Fg5Ya",
	})
	r = prod.get(t, "/dev/outbox")
	wantStatus(t, r, 404)
	wantAbsent(t, r, 404, "testomgeving")
}

func TestResidentFollowsAndUnfollowsAProject(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	const path = "/projecten/herinrichting-marktplein"
	anon := s.get(t, path)
	wantNotContains(t, anon, "Volg dit project")
	r := s.do(t, mustPost(t, s.URL+path+"/volgen", "volgen=ja"))
	wantStatus(t, r, 303)
	if !strings.HasPrefix(r.Header.Get("Location"), "/inloggen?terug=") {
		t.Errorf("anonymous follow went to %q", r.Header.Get("Location"))
	}

	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	pid := residentID(t, s, b)
	page := b.get(path)
	wantContains(t, page, "Volg dit project", `action="`+path+`/volgen"`)
	for range 2 { // a double click follows once
		wantStatus(t, b.post(path+"/volgen", url.Values{"volgen": {"ja"}}), 303)
	}
	page = b.get(path)
	wantContains(t, page, "U volgt dit project.", "Niet meer volgen")
	var n int64
	testdb.NoError(t, s.App.DB.Model(&notify.ProjectFollow{}).Where("participant_id = ?", pid).Count(&n).Error)
	if n != 1 {
		t.Fatalf("%d follows, want 1", n)
	}
	wantStatus(t, b.post(path+"/volgen", url.Values{"volgen": {"nee"}}), 303)
	wantContains(t, b.get(path), "U volgt dit project niet meer.", "Volg dit project")
	wantStatus(t, b.post("/projecten/omgevingsvisie-2040/volgen", url.Values{"volgen": {"ja"}}), 404) // a draft
	wantStatus(t, b.post("/projecten/bestaat-niet/volgen", url.Values{"volgen": {"ja"}}), 404)
}

func mustPost(t *testing.T, target, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// Whatever a browser posts to the notifications page or the unsubscribe
// address, the answer is a page with a message or a redirect, never a
// server error.
func FuzzNotificationForms(f *testing.F) {
	for _, seed := range []string{
		"actie=adres&email=jan@voorbeeld.nl&toestemming=ja",
		"actie=adres&email=%00@x&toestemming=nee",
		"actie=voorkeuren&soort=reply&soort=results",
		"actie=voorkeuren&soort=spam",
		"actie=voorkeuren&" + strings.Repeat("soort=reply&", 20),
		"actie=verwijderen", "actie=gelezen", "actie=", "%zz", "token=1.all.x&alles=ja",
		"actie=adres&email=" + strings.Repeat("a", 500),
	} {
		f.Add(seed)
	}
	s := newSite(f, fuzzSettings)
	b := newBrowser(f, s)
	b.loginDigiD(testBSN, loaMid, "/")
	cookie := b.cookie("inspraak_sessie")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range []string{"/mijn-inspraak/meldingen", "/afmelden", "/afmelden?" + body} {
			req, err := http.NewRequest(http.MethodPost, s.URL+target, strings.NewReader(body))
			if err != nil {
				continue // body made the query no URL (a control character): no client can send that
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "inspraak_sessie", Value: cookie})
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode >= 500 {
				t.Fatalf("POST %s with %q gave %d", target, body, resp.StatusCode)
			}
		}
	})
}
