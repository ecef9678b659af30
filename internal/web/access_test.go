package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/app"
	"inspraak/internal/identity"
	"inspraak/internal/moderation"
	"inspraak/internal/testdb"
)

// clock is a test clock that only moves when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const (
	ok       = 200
	login    = 303 // sent to a login page
	denied   = 403
	conflict = 409
	invalid  = 422
)

// The route matrix: who gets which status where. Later issues add rows and
// columns; a route missing here is a route nobody has thought about.
func TestRouteAccessMatrix(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	ideaPath, _ := seedIdea(t, s, bd)
	boardAdmin := "/beheer/projecten/" + itoa(bd.Instrument.ProjectID) + "/ideeenborden/" + itoa(bd.InstrumentID)
	ideaAdmin := boardAdmin + "/ideeen/" + ideaPath[strings.LastIndex(ideaPath, "/")+1:]
	q, err := s.App.Moderation.Queue(context.Background(), moderation.Filter{})
	if err != nil || len(q.Rows) == 0 {
		t.Fatalf("the demo's pre-moderated idea should wait in the queue: %+v, %v", q, err)
	}
	modItem := "/beheer/moderatie/" + itoa(q.Rows[0].ID)
	moderatorsOnly := map[string]int{"anonymous": login, "resident": login, "business": login, "editor": denied, "analyst": denied, "staff without groups": denied}
	editorsOnly := map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}
	residentsOnly := map[string]int{"anonymous": login, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}
	type who struct {
		name  string
		login func(b *browser)
	}
	named := func(b *browser) {
		b.post("/inloggen/naam", url.Values{"naam": {"Deelnemer"}, "terug": {"/"}})
	}
	people := []who{
		{"anonymous", func(*browser) {}},
		{"resident", func(b *browser) { b.loginDigiD(testBSN, loaMid, "/"); named(b) }},
		{"business", func(b *browser) {
			auth := b.startLogin("eherkenning", "/", "")
			b.follow(b.atProvider(auth, url.Values{"kvk": {testKVK}, "loa": {loaEH3}}))
			named(b)
		}},
		{"moderator", func(b *browser) { b.loginStaff("Mo Derator", "inspraak-moderatoren") }},
		{"editor", func(b *browser) { b.loginStaff("Eddy Tor", "inspraak-redacteuren") }},
		{"analyst", func(b *browser) { b.loginStaff("Ana List", "inspraak-analisten") }},
		{"admin", func(b *browser) { b.loginStaff("Ad Min", "inspraak-beheerders") }},
		{"staff without groups", func(b *browser) { b.loginStaff("Zon Der Rol") }},
	}
	matrix := []struct {
		path string
		want map[string]int // missing people: ok
	}{
		{"/", nil},
		{"/projecten", nil},
		{"/projecten/herinrichting-marktplein", nil},
		{"/privacy", nil},
		{"/toegankelijkheid", nil},
		{"/inloggen", nil},
		{"/projecten/veilig-naar-school/welke-plek-eerst", nil},
		{"/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein", nil},
		{"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp", nil},
		{"/beheer/inloggen", map[string]int{"moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		{"/mijn-inspraak", map[string]int{"anonymous": login, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		{"/mijn-inspraak/meldingen", map[string]int{"anonymous": login, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		// Without a valid token the confirmation refuses (422), after login.
		{"/mijn-inspraak/email/bevestigen?token=x", map[string]int{"anonymous": login, "resident": invalid, "business": invalid, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		// Unsubscribe links work for anyone holding a signed token.
		{"/afmelden?token=" + s.App.Notify.UnsubscribeToken(1, "reply"), nil},
		{"/afmelden?token=1.reply.vervalst", map[string]int{"anonymous": invalid, "resident": invalid, "business": invalid, "moderator": invalid, "editor": invalid, "analyst": invalid, "admin": invalid, "staff without groups": invalid}},
		{"/dev/outbox", nil}, // development only; 404 in production (TestDevOutboxExistsOnlyInDevelopment)
		{"/inloggen/naam", map[string]int{"anonymous": login, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		{"/beheer", map[string]int{"anonymous": login, "resident": login, "business": login, "staff without groups": denied}},
		{"/beheer/medewerkers", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten/1/vragenlijsten/nieuw", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten/1/peilingen/2", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten/1/instrumenten/2/instellingen", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten/1/instrumenten/3/instellingen", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/projecten/nieuw", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "analyst": denied, "staff without groups": denied}},
		// The demo's draft (project 5): a 404 for everyone at its public
		// address; its preview and publish check for editors only.
		{"/projecten/omgevingsvisie-2040", map[string]int{"anonymous": 404, "resident": 404, "business": 404, "moderator": 404, "editor": 404, "analyst": 404, "admin": 404, "staff without groups": 404}},
		{"/beheer/projecten/5/voorbeeld", editorsOnly},
		{"/beheer/projecten/5/publiceren", editorsOnly},
		{board, nil},
		{ideaPath, nil},
		{board + "/nieuw-idee", residentsOnly},
		{ideaPath + "/bewerken", map[string]int{"anonymous": login, "resident": conflict, "business": conflict, "moderator": login, "editor": login, "analyst": login, "admin": login, "staff without groups": login}},
		{"/mijn-inspraak/verwijderen", residentsOnly},
		{"/beheer/projecten/1/ideeenborden/nieuw", editorsOnly},
		{boardAdmin, editorsOnly},
		{boardAdmin + "/instellingen", editorsOnly},
		{ideaAdmin, editorsOnly},
		{"/beheer/resultaten", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/beheer/resultaten/3", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/beheer/resultaten/bevolking", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/resultaten/instellingen", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "analyst": denied, "staff without groups": denied}},
		{"/beheer/resultaten/3/export?formaat=csv", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/beheer/resultaten/3/export?formaat=pdf", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		// The API reads no cookie: without a key nobody exports.
		{"/api/v1/instruments/3/export", map[string]int{"anonymous": 401, "resident": 401, "business": 401, "moderator": 401, "editor": 401, "analyst": 401, "admin": 401, "staff without groups": 401}},
		{"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/resultaten/csv", map[string]int{"anonymous": 404, "resident": 404, "business": 404, "moderator": 404, "editor": 404, "analyst": 404, "admin": 404, "staff without groups": 404}},
		{"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/reactienota.pdf", map[string]int{"anonymous": 404, "resident": 404, "business": 404, "moderator": 404, "editor": 404, "analyst": 404, "admin": 404, "staff without groups": 404}},
		{"/beheer/profiel", map[string]int{"anonymous": login, "resident": login, "business": login, "staff without groups": denied}},
		{"/api/v1/projects", nil},
		{"/beheer/resultaten/3/reactienota", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/beheer/resultaten/" + itoa(bd.InstrumentID) + "/reactienota", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/reactienota", map[string]int{"anonymous": 404, "resident": 404, "business": 404, "moderator": 404, "editor": 404, "analyst": 404, "admin": 404, "staff without groups": 404}},
		{"/beheer/resultaten/3/open-antwoorden", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "staff without groups": denied}},
		{"/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp/resultaten", map[string]int{"anonymous": 404, "resident": 404, "business": 404, "moderator": 404, "editor": 404, "analyst": 404, "admin": 404, "staff without groups": 404}},
		{"/beheer/moderatie", moderatorsOnly},
		{"/beheer/moderatie?waarom=reported&volgorde=nieuw", moderatorsOnly},
		{modItem, moderatorsOnly},
		{"/beheer/moderatie/dashboard", moderatorsOnly},
		{"/beheer/moderatie/sjablonen", moderatorsOnly},
		{"/beheer/moderatie/instellingen", moderatorsOnly},
		{"/beheer/moderatie/blokkades", moderatorsOnly},
		{ideaPath + "/melden", residentsOnly},
		{"/beheer/audit", map[string]int{"anonymous": login, "resident": login, "business": login, "moderator": denied, "editor": denied, "analyst": denied, "staff without groups": denied}},
	}
	for _, p := range people {
		b := newBrowser(t, s)
		p.login(b)
		for _, row := range matrix {
			want, set := row.want[p.name]
			if !set {
				want = ok
			}
			r := b.get(row.path)
			if r.StatusCode != want {
				t.Errorf("%s GET %s: %d, want %d", p.name, row.path, r.StatusCode, want)
				continue
			}
			if want == login {
				loc := r.Header.Get("Location")
				if !strings.HasPrefix(loc, "/inloggen?terug=") && !strings.HasPrefix(loc, "/beheer/inloggen?terug=") && loc != "/beheer" {
					t.Errorf("%s GET %s: redirected to %q", p.name, row.path, loc)
				}
			}
			if want == denied {
				wantContains(t, r, "niet de rol")
			}
		}
	}
}

func TestStaffRolesComeFromGroupsAtEveryLogin(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	home := b.loginStaff("Ad Min", "inspraak-beheerders", "inspraak-redacteuren", "onbekende-groep")
	wantStatus(t, home, 200)
	wantContains(t, home, "Welkom, Ad Min.", "Redacteur", "Functioneel beheerder", `href="/beheer/medewerkers"`, `href="/beheer/audit"`)

	members := b.get("/beheer/medewerkers")
	wantContains(t, members, "Ad Min", "Redacteur, Functioneel beheerder")

	// Next login the IdP says: only editor. The admin role is gone at once.
	b.post("/beheer/uitloggen", nil)
	b2 := newBrowser(t, s)
	b2.loginStaff("Ad Min", "inspraak-redacteuren")
	if r := b2.get("/beheer/medewerkers"); r.StatusCode != 403 {
		t.Fatalf("role kept after it was removed: %d", r.StatusCode)
	}
	var changes int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "staff.roles_changed").Count(&changes).Error)
	if changes != 2 {
		t.Errorf("role changes audited: %d, want 2 (first login, then the removal)", changes)
	}
}

func TestStaffAndResidentSessionsNeverMix(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	// A resident's cookie sent as the staff cookie is not a staff session.
	tok := b.cookie("inspraak_sessie")
	r := s.get(t, "/beheer", "Cookie", "inspraak_beheer="+tok)
	if r.StatusCode != 303 {
		t.Fatalf("resident session accepted as staff: %d", r.StatusCode)
	}
	// And a staff cookie is not a resident session.
	st := newBrowser(t, s)
	st.loginStaff("Ad Min", "inspraak-beheerders")
	r = s.get(t, "/mijn-inspraak", "Cookie", "inspraak_sessie="+st.cookie("inspraak_beheer"))
	if r.StatusCode != 303 {
		t.Fatalf("staff session accepted as resident: %d", r.StatusCode)
	}
}

func TestStaffLogoutEndsSessionAndUsesIDTokenHint(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginStaff("Ad Min", "inspraak-beheerders")
	tok := b.cookie("inspraak_beheer")
	loc, done := b.logout("/beheer/uitloggen")
	if loc.Query().Get("id_token_hint") == "" || loc.Query().Get("post_logout_redirect_uri") != s.URL+"/beheer/uitgelogd" {
		t.Fatalf("staff logout went to %s", loc)
	}
	wantContains(t, done, "U bent uitgelogd")
	if r := s.get(t, "/beheer", "Cookie", "inspraak_beheer="+tok); r.StatusCode != 303 {
		t.Fatal("staff session survived logout")
	}
}

func TestBackChannelLogoutEndsStaffSessions(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginStaff("Ad Min", "inspraak-beheerders")
	wantStatus(t, b.get("/beheer"), 200)
	var sid string
	testdb.NoError(t, s.App.DB.Table("sessions").Where("kind = ?", "staff").Select("provider_sid").Scan(&sid).Error)
	if sid == "" {
		t.Fatal("staff session has no provider sid")
	}
	tok, err := s.App.DevIDP.LogoutToken("inspraak-staff", "", sid, nil)
	if err != nil {
		t.Fatal(err)
	}
	post := func(token string) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/beheer/uitloggen/backchannel", strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return s.do(t, req).StatusCode
	}
	if code := post(tok); code != 200 {
		t.Fatalf("back-channel logout: %d", code)
	}
	if r := b.get("/beheer"); r.StatusCode != 303 {
		t.Fatal("session survived back-channel logout")
	}
	if code := post(tok); code != 400 {
		t.Fatalf("replayed logout token: %d, want 400", code)
	}
	bad := map[string]func(map[string]any){
		"with nonce":    func(m map[string]any) { m["nonce"] = "x" },
		"no event":      func(m map[string]any) { delete(m, "events") },
		"no jti":        func(m map[string]any) { delete(m, "jti") },
		"wrong aud":     func(m map[string]any) { m["aud"] = "iemand-anders" },
		"old iat":       func(m map[string]any) { m["iat"] = time.Now().Add(-time.Hour).Unix() },
		"no sid or sub": func(m map[string]any) { delete(m, "sid"); delete(m, "sub") },
	}
	for name, edit := range bad {
		tok, _ := s.App.DevIDP.LogoutToken("inspraak-staff", "", "some-sid", edit)
		if code := post(tok); code != 400 {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}
	if code := post("geen.jwt.token"); code != 400 {
		t.Errorf("garbage token: %d", code)
	}

	// Without a sid, the token's sub ends every session of that person.
	b2 := newBrowser(t, s)
	b2.loginStaff("Ad Min", "inspraak-beheerders")
	b3 := newBrowser(t, s)
	b3.loginStaff("Ad Min", "inspraak-beheerders")
	other := newBrowser(t, s)
	other.loginStaff("Iemand Anders", "inspraak-beheerders")
	var sub string
	testdb.NoError(t, s.App.DB.Table("staff_members").Where("name = ?", "Ad Min").Select("subject").Scan(&sub).Error)
	bySub, err := s.App.DevIDP.LogoutToken("inspraak-staff", sub, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if code := post(bySub); code != 200 {
		t.Fatalf("logout by sub: %d", code)
	}
	for i, br := range []*browser{b2, b3} {
		if r := br.get("/beheer"); r.StatusCode != 303 {
			t.Errorf("session %d of the same person survived a logout by sub", i)
		}
	}
	if r := other.get("/beheer"); r.StatusCode != 200 {
		t.Errorf("someone else's session ended too: %d", r.StatusCode)
	}
}

func TestIdleAndAbsoluteTimeoutsEndSessions(t *testing.T) {
	t.Parallel() // each test has its own site and database
	clk := &clock{now: time.Now()}
	s := newSiteWith(t, nil, app.Options{Now: clk.Now})
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	b.post("/inloggen/naam", url.Values{"naam": {"Jan"}, "terug": {"/"}})
	wantStatus(t, b.get("/mijn-inspraak"), 200)

	// The page tells when the session ends without activity.
	my := b.get("/mijn-inspraak")
	deadline := clk.Now().Add(identity.ResidentIdle)
	wantContains(t, my, deadline.In(mustAmsterdam(t)).Format("15:04"))

	// Active every 14 minutes: still logged in...
	for i := 0; i < 8; i++ {
		clk.Add(14 * time.Minute)
		if r := b.get("/mijn-inspraak"); r.StatusCode != 200 {
			t.Fatalf("logged out after %d active periods", i+1)
		}
	}
	// ...until the absolute maximum of two hours.
	clk.Add(10 * time.Minute)
	if r := b.get("/mijn-inspraak"); r.StatusCode != 303 {
		t.Fatalf("session outlived the absolute maximum: %d", r.StatusCode)
	}

	// Idle: 15 minutes without activity end a fresh session.
	b2 := newBrowser(t, s)
	b2.loginDigiD(testBSN, loaMid, "/")
	clk.Add(identity.ResidentIdle + time.Second)
	if r := b2.get("/mijn-inspraak"); r.StatusCode != 303 {
		t.Fatalf("idle session still works: %d", r.StatusCode)
	}

	// "Blijf ingelogd" keeps a session alive.
	b3 := newBrowser(t, s)
	b3.loginDigiD(testBSN, loaMid, "/")
	clk.Add(13 * time.Minute)
	if r := b3.post("/sessie/verlengen", url.Values{"terug": {"/mijn-inspraak"}}); r.Header.Get("Location") != "/mijn-inspraak" {
		t.Fatalf("extend: %d %v", r.StatusCode, r.Header)
	}
	clk.Add(13 * time.Minute)
	if r := b3.get("/mijn-inspraak"); r.StatusCode != 200 {
		t.Fatalf("extended session ended: %d", r.StatusCode)
	}

	// Expired sessions are removed from the table by the cleaner.
	clk.Add(3 * time.Hour)
	n, err := s.App.Identity.CleanExpired(context.Background())
	if err != nil || n == 0 {
		t.Fatalf("cleaner removed %d (%v)", n, err)
	}
	var left int64
	testdb.NoError(t, s.App.DB.Table("sessions").Count(&left).Error)
	if left != 0 {
		t.Fatalf("%d sessions left after cleaning", left)
	}
}

func mustAmsterdam(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// No BSN or KVK number may be stored anywhere, or logged.
func TestNoIdentifierIsStoredOrLogged(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	for i := 0; i < 2; i++ {
		b := newBrowser(t, s)
		b.loginDigiD(testBSN, loaMid, "/")
		b.post("/inloggen/naam", url.Values{"naam": {"Jan"}, "terug": {"/"}})
		b.post("/uitloggen", nil)
		eh := newBrowser(t, s)
		auth := eh.startLogin("eherkenning", "/", "")
		eh.follow(eh.atProvider(auth, url.Values{"kvk": {testKVK}, "loa": {loaEH3}}))
	}
	// A failed login with an invalid BSN must not leak it either.
	bad := newBrowser(t, s)
	bad.loginDigiD("123456789", loaMid, "/")

	tables := []string{}
	if err := s.App.DB.Raw(tablesQuery(s.App.DB.Dialect)).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if len(tables) < 8 {
		t.Fatalf("found only tables %v", tables)
	}
	checked := 0
	for _, table := range tables {
		rows, err := s.App.DB.Table(table).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				text := fmt.Sprint(v)
				if b, ok := v.([]byte); ok {
					text = string(b)
				}
				checked++
				for _, id := range []string{testBSN, testKVK, "123456789"} {
					if strings.Contains(text, id) {
						t.Errorf("table %s column %s holds an identifier: %q", table, cols[i], text)
					}
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			t.Fatalf("table %s: %v", table, err)
		}
	}
	if checked < 50 {
		t.Fatalf("only %d values checked; the dump is not looking", checked)
	}
	logs := s.Logs.String()
	for _, id := range []string{testBSN, testKVK, "123456789"} {
		if strings.Contains(logs, id) {
			t.Errorf("logs contain %s:\n%s", id, grepLines(logs, id))
		}
	}
}

func tablesQuery(dialect string) string {
	if dialect == "postgres" {
		return "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	}
	return "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
}

func TestAuditLogIsAppendOnlyAndReadableByAdmins(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	b := newBrowser(t, s)
	b.loginStaff("Ad Min", "inspraak-beheerders")
	r := b.get("/beheer/audit?actie=login")
	wantStatus(t, r, 200)
	// The demo editor (internal/demo) is a staff member too: find the id.
	var admin identity.StaffMember
	if err := s.App.DB.Where("name = ?", "Ad Min").Take(&admin).Error; err != nil {
		t.Fatal(err)
	}
	wantContains(t, r, "login", admin.Actor())
	if err := s.App.DB.Exec("UPDATE audit_log SET action = 'nothing'").Error; err == nil {
		t.Error("audit log rows can be updated")
	}
	if err := s.App.DB.Exec("DELETE FROM audit_log").Error; err == nil {
		t.Error("audit log rows can be deleted")
	}
	wantStatus(t, b.get("/beheer/audit?wie=iemand"), 404)
	wantStatus(t, b.get("/beheer/audit?pagina=0"), 404)
}

type stubVerifier struct {
	facts *identity.Facts
	err   error
}

func (v stubVerifier) Verify(context.Context, string) (*identity.Facts, error) { return v.facts, v.err }

func TestVerificationFactsAreKeptAndAFailureIsSaid(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSiteWith(t, nil, app.Options{Verifier: stubVerifier{facts: &identity.Facts{Resident: true, AgeBand: "30-44", Wijk: "Centrum"}}})
	b := newBrowser(t, s)
	b.loginDigiD(testBSN, loaMid, "/")
	b.post("/inloggen/naam", url.Values{"naam": {"Jan"}, "terug": {"/mijn-inspraak"}})
	my := b.get("/mijn-inspraak")
	wantContains(t, my, "Inwoner van de gemeente", "Centrum", "30-44", "Gecontroleerd op", "Uw naam is opgeslagen.")

	down := newSiteWith(t, nil, app.Options{Verifier: stubVerifier{err: fmt.Errorf("BRP timeout")}})
	b2 := newBrowser(t, down)
	landed := b2.loginDigiD(testBSN, loaMid, "/")
	wantContains(t, landed, "Wij konden niet controleren of u in de gemeente woont", "Welke naam wilt u laten zien?")
	named := b2.follow(b2.post("/inloggen/naam", url.Values{"naam": {"Jan"}, "terug": {"/mijn-inspraak"}}))
	wantStatus(t, named, 200)
	wantNotContains(t, named, "Gecontroleerd op")
}

// The results' forms refuse everyone whose role may not use them: staff
// without the role get 403 and nothing changes, residents and the
// anonymous are sent to a login; those with the role get past the check
// and get what the empty form earns: each form's own status, so a form
// that fails (500) for a role that may use it fails the test too.
func TestResultsFormsRefuseOtherRoles(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	analysts := map[string]bool{"analyst": true, "admin": true}
	admins := map[string]bool{"admin": true}
	editors := map[string]bool{"editor": true, "admin": true}
	forms := []struct {
		path string
		may  map[string]bool
		want int // for those who may, with an empty form
	}{
		{"/beheer/resultaten/instellingen", admins, invalid},
		{"/beheer/resultaten/bevolking", admins, invalid},
		{"/beheer/resultaten/3/codes", analysts, invalid},
		{"/beheer/resultaten/3/coderen", analysts, invalid},
		{"/beheer/resultaten/3/reactienota", analysts, 303}, // saved as it was
		{"/beheer/resultaten/3/reactienota/secties", analysts, invalid},
		{"/beheer/resultaten/3/reactienota/publiceren", analysts, conflict}, // nothing to publish yet
		{"/beheer/projecten/1/instrumenten/3/resultaten", editors, 303},
	}
	people := map[string]func(b *browser){
		"anonymous": func(*browser) {},
		"resident":  func(b *browser) { b.loginDigiD(testBSN, loaMid, "/") },
		"moderator": func(b *browser) { b.loginStaff("Mo Derator", "inspraak-moderatoren") },
		"editor":    func(b *browser) { b.loginStaff("Eddy Tor", "inspraak-redacteuren") },
		"analyst":   func(b *browser) { b.loginStaff("Ana List", "inspraak-analisten") },
		"admin":     func(b *browser) { b.loginStaff("Ad Min", "inspraak-beheerders") },
	}
	for name, logIn := range people {
		b := newBrowser(t, s)
		logIn(b)
		for _, f := range forms {
			r := b.post(f.path, url.Values{})
			switch {
			case f.may[name]:
				if r.StatusCode != f.want || r.StatusCode == login && strings.Contains(r.Header.Get("Location"), "inloggen") {
					t.Errorf("%s POST %s: %d %s, want %d: the role may", name, f.path, r.StatusCode, r.Header.Get("Location"), f.want)
				}
			case name == "anonymous" || name == "resident":
				if r.StatusCode != login || !strings.Contains(r.Header.Get("Location"), "inloggen") {
					t.Errorf("%s POST %s: %d %s, want a login", name, f.path, r.StatusCode, r.Header.Get("Location"))
				}
			default:
				wantStatus(t, r, denied)
			}
		}
	}
	var settings, published int64
	testdb.NoError(t, s.App.DB.Table("settings").Where("key = ?", "results.min_cell").Count(&settings).Error)
	testdb.NoError(t, s.App.DB.Table("result_publications").Count(&published).Error)
	if settings != 0 || published != 0 {
		t.Fatalf("refused forms changed something: threshold set %d, publications %d", settings, published)
	}
}
