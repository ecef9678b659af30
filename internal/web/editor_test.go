package web_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

var editLink = regexp.MustCompile(`/beheer/projecten/(\d+)`)

// An editor builds and publishes a project with a poll; a resident votes.
func TestEditorBuildsPublishesAndResidentVotes(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_SEED_DEMO": "false"})
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	home := ed.get("/beheer")
	wantContains(t, home, `href="/beheer/projecten"`)

	form := url.Values{"titel": {"Nieuw zwembad"}, "slug": {"Nieuw Zwembad!"}, "samenvatting": {""}, "tekst": {"## Plan\n\nEen **nieuw** bad."},
		"fase_titel": {"Ideeën", ""}, "fase_begin": {"2026-13-45", ""}, "fase_eind": {"", ""}, "fase_uitleg": {"", ""}}
	bad := ed.post("/beheer/projecten", form)
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Er is iets niet goed ingevuld", `href="#phases"`, "Vul een geldige datum in")
	form.Set("fase_begin", "2026-12-01")
	form["fase_begin"] = []string{"2026-12-01", ""}
	bad = ed.post("/beheer/projecten", form)
	wantStatus(t, bad, 422)
	wantContains(t, bad, `href="#slug"`, `href="#summary"`, `aria-invalid="true"`, "Nieuw zwembad")
	var n int64
	testdb.NoError(t, s.App.DB.Table("projects").Count(&n).Error)
	if n != 0 {
		t.Fatal("invalid project stored")
	}

	form.Set("slug", "nieuw-zwembad")
	form.Set("samenvatting", "Er komt een nieuw zwembad. Denk mee over wat erin komt.")
	created := ed.post("/beheer/projecten", form)
	wantStatus(t, created, 303)
	m := editLink.FindStringSubmatch(created.Header.Get("Location"))
	if m == nil {
		t.Fatalf("created → %v", created.Header)
	}
	edit := "/beheer/projecten/" + m[1]
	page := ed.get(edit)
	wantContains(t, page, "Opgeslagen.", "Concept", `value="2026-12-01"`, "Publiceren")

	// Not public yet.
	wantStatus(t, s.get(t, "/projecten/nieuw-zwembad"), 404)

	poll := url.Values{"titel": {"Welk bad?"}, "slug": {"welk-bad"}, "vraag": {"Wat wilt u in het nieuwe bad?"},
		"antwoorden": {"Wedstrijdbad\r\nRecreatiebad\r\n\r\nPeuterbad"}, "zichtbaarheid": {"after_vote"}, "wie": {"digid"},
		"sluit": {"2099-01-01T17:00"}, "publiceren": {"true"}, "maximum": {"0"}, "minimumleeftijd": {"0"}}
	badPoll := ed.post(edit+"/peilingen", url.Values{"titel": {""}, "slug": {"x"}, "antwoorden": {"een"}, "wie": {"iedereen"}, "sluit": {"morgen"}, "maximum": {"0"}, "minimumleeftijd": {"0"}})
	wantStatus(t, badPoll, 422)
	wantContains(t, badPoll, `href="#wie"`, `href="#sluit"`)
	wantStatus(t, ed.post(edit+"/peilingen", poll), 303)
	// Publishing is confirmed on its own page (editor_publish.go).
	wantStatus(t, ed.post(edit+"/publiceren", nil), 303)
	wantStatus(t, ed.post(edit+"/status", url.Values{"naar": {"verwijderd"}}), 422)

	public := s.get(t, "/projecten/nieuw-zwembad")
	wantStatus(t, public, 200)
	wantContains(t, public, "Welk bad?", "<strong>nieuw</strong>")

	// The address is fixed once published.
	form.Set("slug", "ander-adres")
	moved := ed.post(edit, form)
	wantStatus(t, moved, 422)
	wantContains(t, moved, "kan niet meer veranderen")

	res := newBrowser(t, s)
	res.loginDigiD(testBSN, loaMid, "/")
	res.post("/inloggen/naam", url.Values{"naam": {"Zwemmer"}, "terug": {"/"}})
	pollPage := res.get("/projecten/nieuw-zwembad/welk-bad")
	ids := optionIDs(t, pollPage.Body)
	if len(ids) != 3 {
		t.Fatalf("options: %v", ids)
	}
	voted := res.follow(res.post("/projecten/nieuw-zwembad/welk-bad/stem", url.Values{"keuze": {ids[2]}}))
	wantContains(t, voted, "Uw stem is opgeslagen", "Peuterbad.", "1 stem")

	var actions []string
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("actor_kind = ?", "staff").Order("id").Pluck("action", &actions).Error)
	got := strings.Join(actions, ",")
	for _, want := range []string{"project.create", "poll.create", "project.status"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %s: %s", want, got)
		}
	}
}

var consultationLink = regexp.MustCompile(`/beheer/projecten/(\d+)/vragenlijsten/(\d+)`)
var removeOption = regexp.MustCompile(`action="(/beheer/projecten/\d+/vragenlijsten/\d+/antwoorden/\d+/verwijderen)"`)

func TestEditorBuildsAConsultationQuestionByQuestion(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	// Project 1 is the demo Marktplein project.
	created := ed.post("/beheer/projecten/1/vragenlijsten", url.Values{"titel": {"Parkeren"}, "slug": {"parkeren"}, "wie": {"any"},
		"maximum": {"0"}, "minimumleeftijd": {"0"}, "per_scherm": {"true"}})
	m := consultationLink.FindStringSubmatch(created.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %v %s", created.StatusCode, created.Header, created.Body)
	}
	edit := m[0]
	wantContains(t, ed.get(edit), "Er zijn nog geen vragen.")

	bad := ed.post(edit+"/vragen", url.Values{"soort": {"single"}, "tekst": {"Waar parkeert u?"}, "antwoorden": {"alleen één"},
		"max_keuzes": {"0"}, "max_tekens": {"0"}, "schaal_min": {"1"}, "schaal_max": {"5"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, "Geef 2 tot 50 antwoorden")
	for _, q := range []url.Values{
		{"soort": {"single"}, "tekst": {"Waar parkeert u?"}, "antwoorden": {"Op het plein\nIn de garage\nIk kom niet met de auto"}, "verplicht": {"true"}},
		{"soort": {"scale"}, "tekst": {"Hoe makkelijk vindt u een plek?"}, "label_min": {"heel moeilijk"}, "label_max": {"heel makkelijk"}},
		{"soort": {"number"}, "tekst": {"Hoe lang zoekt u (minuten)?"}, "getal_min": {"0"}, "getal_max": {"120"}},
	} {
		for k, v := range map[string]string{"max_keuzes": "0", "max_tekens": "0", "schaal_min": "1", "schaal_max": "5"} {
			if q.Get(k) == "" {
				q.Set(k, v)
			}
		}
		wantStatus(t, ed.post(edit+"/vragen", q), 303)
	}
	page := ed.get(edit)
	wantContains(t, page, "Waar parkeert u?", "Hoe makkelijk vindt u een plek?", "Hoe lang zoekt u (minuten)?")
	preview := ed.get(edit + "/voorbeeld")
	wantStatus(t, preview, 200)
	wantContains(t, preview, "Dit is een voorbeeld", "Op het plein", "heel makkelijk")

	// Publish, let a resident answer, then try to remove the chosen option.
	wantStatus(t, ed.post("/beheer/projecten/1/instrumenten/"+m[2]+"/publiceren", url.Values{"publiceren": {"ja"}}), 303)
	res := newBrowser(t, s)
	res.loginDigiD(testBSN, loaMid, "/")
	res.post("/inloggen/naam", url.Values{"naam": {"Automobilist"}, "terug": {"/"}})
	survey := "/projecten/herinrichting-marktplein/parkeren"
	first := res.get(survey)
	wantContains(t, first, "Stap 1 van 3")
	radios := radioName.FindAllStringSubmatch(first.Body, -1)
	wantStatus(t, res.post(survey+"/antwoorden", url.Values{"vraag": {"1"}, "actie": {"volgende"}, radios[0][3]: {radios[0][4]}}), 303)
	second := res.get(survey + "?vraag=2")
	wantContains(t, second, "Stap 2 van 3", "Vorige vraag")
	third := res.follow(res.post(survey+"/antwoorden", url.Values{"vraag": {"2"}, "actie": {"volgende"}}))
	wantContains(t, third, "Stap 3 van 3", "Versturen")
	sent := res.post(survey+"/antwoorden", url.Values{"vraag": {"3"}, "actie": {"versturen"}})
	if !strings.HasSuffix(sent.Header.Get("Location"), "/ontvangstbewijs") {
		t.Fatalf("submit: %d %s", sent.StatusCode, sent.Body)
	}
	wantContains(t, res.follow(sent), "Op het plein")

	page = ed.get(edit)
	wantContains(t, page, "1 ingevulde vragenlijst.")
	remove := removeOption.FindAllStringSubmatch(page.Body, -1)
	refused := ed.post(remove[0][1], nil)
	wantStatus(t, refused, 409)
	wantContains(t, refused, "kan daarom niet weg")
	wantStatus(t, ed.post(remove[1][1], nil), 303)
}

var questionAction = regexp.MustCompile(`action="(/beheer/projecten/1/vragenlijsten/3/vragen/\d+)/(tekst|verwijderen)"`)

func TestAnsweredQuestionsCanBeRewordedButNotRemoved(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	var questions, submitted int64
	testdb.NoError(t, s.App.DB.Table("questions").Where("instrument_id = 3").Count(&questions).Error)
	testdb.NoError(t, s.App.DB.Table("responses").Where("instrument_id = 3 AND status = 'submitted'").Count(&submitted).Error)
	page := ed.get("/beheer/projecten/1/vragenlijsten/3")
	wantContains(t, page, fmt.Sprintf("%d ingevulde vragenlijsten.", submitted))
	// Two forms per question (wording, remove), in question order.
	acts := questionAction.FindAllStringSubmatch(page.Body, -1)
	if int64(len(acts)) != 2*questions {
		t.Fatalf("%d question forms, want %d", len(acts), 2*questions)
	}
	question := func(n int) string { return acts[(n-1)*2][1] }
	// Question 2 (the design choice) has answers from the demo responses.
	target := question(2)
	refused := ed.post(target+"/verwijderen", nil)
	wantStatus(t, refused, 409)
	wantContains(t, refused, "kan daarom niet weg")
	wantStatus(t, ed.post(target+"/tekst", url.Values{"tekst": {"Welk schetsontwerp vindt u het mooiste?"}}), 303)
	wantContains(t, ed.get("/beheer/projecten/1/vragenlijsten/3"), "Welk schetsontwerp vindt u het mooiste?")
	var n int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "consultation.question_reword").Count(&n).Error)
	if n != 1 {
		t.Fatalf("reword audited %d times", n)
	}
	// Question 1 (the explanation of the designs) takes no answers: it can go.
	wantStatus(t, ed.post(question(1)+"/verwijderen", nil), 303)
	after := ed.get("/beheer/projecten/1/vragenlijsten/3")
	wantNotContains(t, after, "Er zijn twee schetsontwerpen.")
}

func multipartForm(t *testing.T, fields url.Values, file []byte) (string, *bytes.Buffer) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	if file != nil {
		fw, _ := w.CreateFormFile("afbeelding", "foto.png")
		_, _ = fw.Write(file)
	}
	_ = w.Close()
	return w.FormDataContentType(), &body
}

func TestProjectImageNeedsAltTextAndIsServedCacheable(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	img := image.NewRGBA(image.Rect(0, 0, 20, 10))
	var png1 bytes.Buffer
	_ = png.Encode(&png1, img)
	fields := url.Values{"titel": {"Nieuwe brug"}, "slug": {"nieuwe-brug"}, "samenvatting": {"Er komt een brug over de beek."}}
	post := func(f url.Values, file []byte) response {
		ct, body := multipartForm(t, f, file)
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/beheer/projecten", body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", s.URL)
		return ed.send(req)
	}
	noAlt := post(fields, png1.Bytes())
	wantStatus(t, noAlt, 422)
	wantContains(t, noAlt, "Beschrijf wat er op de afbeelding staat", `href="#image_alt"`)
	notImage := post(fields, []byte("<svg onload=alert(1)>"))
	wantStatus(t, notImage, 422)
	wantContains(t, notImage, "geen JPEG-, PNG- of WebP-afbeelding")

	fields.Set("alt", "Schets van een houten brug over de beek")
	ok := post(fields, png1.Bytes())
	wantStatus(t, ok, 303)
	edit := ed.get(ok.Header.Get("Location"))
	src := regexp.MustCompile(`src="(/afbeeldingen/[0-9a-f]{64}\.png)"`).FindStringSubmatch(edit.Body)
	if src == nil {
		t.Fatalf("no image on the edit page")
	}
	r := s.get(t, src[1])
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != "image/png" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("image headers: %v", r.Header)
	}
	wantStatus(t, s.get(t, strings.Replace(src[1], ".png", ".jpg", 1)), 404)

	// Saving without a new file keeps the image; ticking "remove" drops it
	// together with its text.
	editURL := ok.Header.Get("Location")
	update := func(f url.Values) response {
		ct, body := multipartForm(t, f, nil)
		req, _ := http.NewRequest(http.MethodPost, s.URL+editURL, body)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Origin", s.URL)
		return ed.send(req)
	}
	wantStatus(t, update(fields), 303)
	wantContains(t, ed.get(editURL), src[1])
	fields.Set("geen_afbeelding", "true")
	wantStatus(t, update(fields), 303)
	after := ed.get(editURL)
	wantNotContains(t, after, src[1], "Schets van een houten brug")
	wantStatus(t, s.get(t, "/afbeeldingen/onzin.png"), 404)
}

// Whatever an editor's browser posts to the back-office forms, the answer
// is a page with a message or a redirect, never a server error.
func FuzzEditorForms(f *testing.F) {
	for _, seed := range []string{
		"titel=a&slug=b&samenvatting=c",
		"titel=&slug=--&fase_titel=x&fase_begin=2026-02-30&fase_eind=x",
		"titel=P&slug=p&vraag=v&antwoorden=a%0Ab&wie=digid&sluit=2026-01-01T99:99&maximum=-1",
		"soort=scale&tekst=t&schaal_min=9&schaal_max=1&getal_min=x&max_keuzes=100000",
		"naar=archived", "%zz", strings.Repeat("fase_titel=a&", 60),
		"titel=T&wie=any&minimumleeftijd=-5&opent=2026-12-01T09:00&sluit=2026-12-01T09:00",
		"meerkeuze=true&maximum=99999999999999999999&zichtbaarheid=altijd", "antwoord=" + strings.Repeat("x", 300),
	} {
		f.Add(seed)
	}
	s := newSite(f, nil)
	b := newBrowser(f, s)
	b.loginStaff("Fuzz Redacteur", "inspraak-redacteuren")
	cookie := b.cookie("inspraak_beheer")
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	targets := []string{"/beheer/projecten", "/beheer/projecten/1", "/beheer/projecten/1/peilingen",
		"/beheer/projecten/1/vragenlijsten", "/beheer/projecten/1/vragenlijsten/3/vragen", "/beheer/projecten/1/status",
		"/beheer/projecten/1/instrumenten/3/instellingen", "/beheer/projecten/1/peilingen/2/keuze", "/beheer/projecten/1/peilingen/2/antwoorden"}
	f.Fuzz(func(t *testing.T, body string) {
		for _, target := range targets {
			req, _ := http.NewRequest(http.MethodPost, s.URL+target, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "inspraak_beheer", Value: cookie})
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
