package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

// A draft project can be seen as residents will see it, by editors only:
// the resident page with a banner that says it is a preview of a draft,
// not indexed; its public address stays a 404 for everyone else.
func TestEditorPreviewsADraftProjectResidentsCannotSee(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	const draft = "/beheer/projecten/5" // the demo's draft "Omgevingsvisie 2040 (concept)"

	edit := ed.get(draft)
	wantContains(t, edit, `href="/beheer/projecten/5/voorbeeld"`, "Bekijk zoals inwoners het zien")
	preview := ed.get(draft + "/voorbeeld")
	wantStatus(t, preview, 200)
	wantContains(t, preview, "Omgevingsvisie 2040 (concept)", "Dit project is nog in voorbereiding",
		"Voorbeeld:", "dit project is nog een concept. Inwoners kunnen deze pagina niet zien.",
		`<meta name="robots" content="noindex, nofollow">`, `href="/beheer/projecten/5"`)
	if got := preview.Header.Get("X-Robots-Tag"); got != "noindex, nofollow" {
		t.Errorf("preview X-Robots-Tag %q", got)
	}
	// The resident frame (as residents see it), not the staff menu.
	wantContains(t, preview, `href="/projecten"`)

	// Residents and anonymous visitors: the draft does not exist, and the
	// preview sends them to the staff login.
	res := newBrowser(t, s)
	res.loginDigiD(testBSN, loaMid, "/")
	for name, b := range map[string]*browser{"anonymous": newBrowser(t, s), "resident": res} {
		r := b.get("/projecten/omgevingsvisie-2040")
		wantAbsent(t, r, 404, "Dit project is nog in voorbereiding")
		p := b.get(draft + "/voorbeeld")
		if p.StatusCode != 303 || !strings.HasPrefix(p.Header.Get("Location"), "/beheer/inloggen") {
			t.Errorf("%s GET the preview: %d → %q", name, p.StatusCode, p.Header.Get("Location"))
		}
		wantAbsent(t, p, 303, "Dit project is nog in voorbereiding")
	}
	// An analyst is staff, but no editor.
	an := newBrowser(t, s)
	an.loginStaff("Ana List", "inspraak-analisten")
	wantStatus(t, an.get(draft+"/voorbeeld"), 403)
}

var slugValue = regexp.MustCompile(`id="slug" name="slug" value="([^"]*)"`)

// An empty web address is made from the title (diacritics folded, "&" as
// "en"); when that address is taken, the form comes back with a free one
// filled in and says so, and saving again uses it. The same for a poll.
func TestEmptyAddressIsSuggestedFromTheTitle(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, map[string]string{"INSPRAAK_SEED_DEMO": "false"})
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	form := url.Values{"titel": {"Café ‘De Brug’ & Ĳsbaan Zuid"}, "slug": {""}, "samenvatting": {"Een nieuwe plek aan het water."}}

	first := ed.post("/beheer/projecten", form)
	wantStatus(t, first, 303)
	var slugs []string
	testdb.NoError(t, s.App.DB.Table("projects").Order("id").Pluck("slug", &slugs).Error)
	if len(slugs) != 1 || slugs[0] != "cafe-de-brug-en-ijsbaan-zuid" {
		t.Fatalf("slug from the title: %q", slugs)
	}

	again := ed.post("/beheer/projecten", form)
	wantStatus(t, again, 422)
	wantContains(t, again, "Wij vulden een vrij webadres in", `href="#slug"`)
	m := slugValue.FindStringSubmatch(again.Body)
	if m == nil || m[1] != "cafe-de-brug-en-ijsbaan-zuid-2" {
		t.Fatalf("suggested address: %v", m)
	}
	testdb.NoError(t, s.App.DB.Table("projects").Order("id").Pluck("slug", &slugs).Error)
	if len(slugs) != 1 {
		t.Fatalf("a project was stored before the editor saw the suggestion: %q", slugs)
	}
	form.Set("slug", m[1])
	saved := ed.post("/beheer/projecten", form)
	wantStatus(t, saved, 303)

	// A typed address that is taken gets a free one offered too.
	form.Set("slug", "cafe-de-brug-en-ijsbaan-zuid")
	taken := ed.post("/beheer/projecten", form)
	wantStatus(t, taken, 422)
	if m := slugValue.FindStringSubmatch(taken.Body); m == nil || m[1] != "cafe-de-brug-en-ijsbaan-zuid-3" {
		t.Fatalf("offered address: %v", m)
	}
	wantContains(t, taken, "Dit webadres is al in gebruik. Wij vulden een vrij webadres in.")

	// Polls (and every instrument) within their project.
	proj := editLink.FindString(first.Header.Get("Location"))
	poll := url.Values{"titel": {"Wat kiest ú?"}, "slug": {""}, "vraag": {"Wat kiest u?"}, "antwoorden": {"Dit\nDat"},
		"zichtbaarheid": {"after_vote"}, "wie": {"any"}, "maximum": {"0"}, "minimumleeftijd": {"0"}}
	wantStatus(t, ed.post(proj+"/peilingen", poll), 303)
	second := ed.post(proj+"/peilingen", poll)
	wantStatus(t, second, 422)
	if m := slugValue.FindStringSubmatch(second.Body); m == nil || m[1] != "wat-kiest-u-2" {
		t.Fatalf("suggested poll address: %v", m)
	}
	var pollSlugs []string
	testdb.NoError(t, s.App.DB.Table("instruments").Order("id").Pluck("slug", &pollSlugs).Error)
	if strings.Join(pollSlugs, ",") != "wat-kiest-u" {
		t.Fatalf("instrument slugs: %q", pollSlugs)
	}
	// The form tells the script which field to follow.
	wantContains(t, ed.get("/beheer/projecten/nieuw"), `data-slug-from="title"`, "/static/js/editor.")
}

var moveForm = regexp.MustCompile(`action="(/beheer/projecten/\d+/vragenlijsten/\d+/vragen/(\d+)/verplaatsen)"`)

// Questions move up and down with form posts; the order is stored and
// audited, the redirect names the moved question's button, and the page
// says where it is now. With responses the order is fixed.
func TestEditorReordersQuestionsWithoutJavaScript(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	created := ed.post("/beheer/projecten/1/vragenlijsten", url.Values{"titel": {"Volgorde"}, "slug": {"volgorde"}, "wie": {"any"},
		"maximum": {"0"}, "minimumleeftijd": {"0"}})
	m := consultationLink.FindStringSubmatch(created.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %s", created.StatusCode, created.Body)
	}
	edit := m[0]
	for _, text := range []string{"Eerste vraag", "Tweede vraag", "Derde vraag"} {
		wantStatus(t, ed.post(edit+"/vragen", url.Values{"soort": {"short_text"}, "tekst": {text}}), 303)
	}
	page := ed.get(edit)
	forms := moveForm.FindAllStringSubmatch(page.Body, -1)
	if len(forms) != 3 {
		t.Fatalf("%d move forms, want 3", len(forms))
	}
	// The first has only "Omlaag", the last only "Omhoog".
	wantContains(t, page, `id="omlaag-`+forms[0][2]+`"`, `id="omhoog-`+forms[2][2]+`"`)
	wantNotContains(t, page, `id="omhoog-`+forms[0][2]+`"`, `id="omlaag-`+forms[2][2]+`"`)

	order := func() string {
		var texts []string
		testdb.NoError(t, s.App.DB.Table("questions").Where("instrument_id = ?", m[2]).Order("position").Pluck("text", &texts).Error)
		return strings.Join(texts, " | ")
	}
	down := ed.post(forms[0][1], url.Values{"richting": {"omlaag"}})
	wantStatus(t, down, 303)
	if loc := down.Header.Get("Location"); loc != edit+"?verplaatst="+forms[0][2]+"#omlaag-"+forms[0][2] {
		t.Errorf("after moving down: %q", loc)
	}
	if got := order(); got != "Tweede vraag | Eerste vraag | Derde vraag" {
		t.Fatalf("order after moving down: %s", got)
	}
	moved := ed.get(down.Header.Get("Location"))
	wantContains(t, moved, "‘Eerste vraag’ is nu vraag 2 van 3.", `role="status" id="verplaatst-melding"`,
		`id="omlaag-`+forms[0][2]+`" class="utrecht-button utrecht-button--secondary-action inspraak-move" aria-describedby="verplaatst-melding"`)
	// Down again to the end: the focus goes to its "Omhoog", the only one left.
	last := ed.post(forms[0][1], url.Values{"richting": {"omlaag"}})
	if loc := last.Header.Get("Location"); !strings.HasSuffix(loc, "#omhoog-"+forms[0][2]) {
		t.Errorf("after moving to the end: %q", loc)
	}
	if got := order(); got != "Tweede vraag | Derde vraag | Eerste vraag" {
		t.Fatalf("order after moving down twice: %s", got)
	}
	refused := ed.post(forms[0][1], url.Values{"richting": {"omlaag"}})
	wantStatus(t, refused, 409)
	wantContains(t, refused, "Deze vraag kan niet verder die kant op.")
	wantStatus(t, ed.post(forms[0][1], url.Values{"richting": {"opzij"}}), 422)
	up := ed.post(forms[2][1], url.Values{"richting": {"omhoog"}})
	wantStatus(t, up, 303)
	if got := order(); got != "Derde vraag | Tweede vraag | Eerste vraag" {
		t.Fatalf("order after moving up: %s", got)
	}
	var audited int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND detail LIKE ?", "consultation.question_move", "%Derde vraag%").Count(&audited).Error)
	if audited != 1 {
		t.Errorf("moving up audited %d times, want 1", audited)
	}
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ?", "consultation.question_move").Count(&audited).Error)
	if audited != 3 {
		t.Errorf("%d moves audited, want 3", audited)
	}

	// The demo questionnaire has responses: no buttons, and a post is
	// refused with the reason, changing nothing.
	demo := ed.get("/beheer/projecten/1/vragenlijsten/3")
	wantContains(t, demo, "De volgorde ligt vast, want er zijn al antwoorden.")
	wantNotContains(t, demo, "/verplaatsen")
	var ids []int64
	testdb.NoError(t, s.App.DB.Table("questions").Where("instrument_id = 3").Order("position").Pluck("id", &ids).Error)
	first := itoa(ids[0])
	fixed := ed.post("/beheer/projecten/1/vragenlijsten/3/vragen/"+first+"/verplaatsen", url.Values{"richting": {"omlaag"}})
	wantStatus(t, fixed, 409)
	wantContains(t, fixed, "De volgorde kan niet meer veranderen: er zijn al antwoorden.")
	var after []int64
	testdb.NoError(t, s.App.DB.Table("questions").Where("instrument_id = 3").Order("position").Pluck("id", &after).Error)
	if after[0] != ids[0] {
		t.Errorf("a refused move changed the order: %v → %v", ids, after)
	}
}

// "Vraag toevoegen" asks for the kind first, then shows only the fields
// of that kind; an unknown kind is asked again.
func TestAddingAQuestionChoosesTheKindFirst(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	const edit = "/beheer/projecten/1/vragenlijsten/3"
	step1 := ed.get(edit)
	wantContains(t, step1, "Stap 1 van 2", `type="radio" id="soort-scale" name="soort" value="scale"`, `method="get"`, "Verder")
	wantNotContains(t, step1, `name="schaal_min"`, `name="antwoorden"`, `name="getal_min"`, `name="max_tekens"`)

	scale := ed.get(edit + "?soort=scale")
	wantStatus(t, scale, 200)
	wantContains(t, scale, "Stap 2 van 2: Schaal.", `name="schaal_min"`, `name="label_max"`, `type="hidden" name="soort" value="scale"`, "Andere soort kiezen")
	wantNotContains(t, scale, `name="antwoorden"`, `name="getal_min"`, `name="max_tekens"`, `name="max_keuzes"`)

	single := ed.get(edit + "?soort=single")
	wantContains(t, single, `name="antwoorden"`, `name="verplicht"`)
	wantNotContains(t, single, `name="schaal_min"`, `name="max_keuzes"`, `name="getal_min"`)
	multiple := ed.get(edit + "?soort=multiple")
	wantContains(t, multiple, `name="antwoorden"`, `name="max_keuzes"`)
	explanation := ed.get(edit + "?soort=explanation")
	wantNotContains(t, explanation, `name="verplicht"`, `name="antwoorden"`, `name="schaal_min"`)

	none := ed.get(edit + "?stap=1")
	wantStatus(t, none, 422)
	wantContains(t, none, "Kies eerst wat voor vraag het wordt.", `href="#soort"`)
	wantStatus(t, ed.get(edit+"?soort=raadsel"), 422)

	// A refused step 2 stays on the same kind's fields.
	bad := ed.post(edit+"/vragen", url.Values{"soort": {"scale"}, "tekst": {"Hoe tevreden bent u?"}, "schaal_min": {"5"}, "schaal_max": {"1"}})
	wantStatus(t, bad, 422)
	wantContains(t, bad, `name="schaal_min"`, "Hoe tevreden bent u?")
	wantAbsent(t, bad, 422, `name="antwoorden"`)
	wantStatus(t, ed.post(edit+"/vragen", url.Values{"soort": {"scale"}, "tekst": {"Hoe tevreden bent u?"}, "schaal_min": {"1"}, "schaal_max": {"5"}}), 303)
	wantContains(t, ed.get(edit), "Hoe tevreden bent u?")
}

// Publishing goes through a confirmation page that lists what blocks it
// and what to look at; the old one-click post publishes nothing, and the
// confirmation post publishes only when nothing blocks.
func TestPublishingIsConfirmedAfterACheck(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	ed := newBrowser(t, s)
	ed.loginStaff("Eddy Tor", "inspraak-redacteuren")
	const draft = "/beheer/projecten/5" // no phases, no instruments
	status := func() string {
		var st string
		testdb.NoError(t, s.App.DB.Table("projects").Select("status").Where("id = 5").Scan(&st).Error)
		return st
	}
	wantContains(t, ed.get(draft), `href="/beheer/projecten/5/publiceren"`)
	oneClick := ed.post(draft+"/status", url.Values{"naar": {"published"}})
	wantStatus(t, oneClick, 303)
	if loc := oneClick.Header.Get("Location"); loc != draft+"/publiceren" {
		t.Errorf("one-click publish went to %q", loc)
	}
	if st := status(); st != "draft" {
		t.Fatalf("published without confirmation: %s", st)
	}

	// A visible questionnaire without questions blocks.
	created := ed.post(draft+"/vragenlijsten", url.Values{"titel": {"Uw mening"}, "slug": {"uw-mening"}, "wie": {"any"},
		"maximum": {"0"}, "minimumleeftijd": {"0"}})
	m := consultationLink.FindStringSubmatch(created.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create: %d %s", created.StatusCode, created.Body)
	}
	wantStatus(t, ed.post(draft+"/instrumenten/"+m[2]+"/publiceren", url.Values{"publiceren": {"ja"}}), 303)
	check := ed.get(draft + "/publiceren")
	wantStatus(t, check, 200)
	wantContains(t, check, "Publiceren: Omgevingsvisie 2040 (concept)", "1 ding moet eerst beter",
		"De vragenlijst ‘Uw mening’ is zichtbaar, maar heeft nog geen vragen.", "Publiceren kan pas als dit is opgelost.",
		"Er is geen planning.", "‘Uw mening’ heeft geen openings- en sluitingstijd.", `href="`+m[0]+`"`)
	wantNotContains(t, check, "Toch publiceren")
	refused := ed.post(draft+"/publiceren", nil)
	wantStatus(t, refused, 422)
	wantContains(t, refused, "Het project is niet gepubliceerd. Los eerst op wat hieronder staat.")
	if st := status(); st != "draft" {
		t.Fatalf("published despite a blocking problem: %s", st)
	}

	// With a question it only warns; the editor goes on.
	wantStatus(t, ed.post(m[0]+"/vragen", url.Values{"soort": {"long_text"}, "tekst": {"Wat vindt u van de visie?"}}), 303)
	check = ed.get(draft + "/publiceren")
	wantNotContains(t, check, "moet eerst beter", "heeft nog geen vragen")
	wantContains(t, check, "Kijk naar 2 dingen", "Toch publiceren", "U kunt toch publiceren.")
	done := ed.post(draft+"/publiceren", nil)
	wantStatus(t, done, 303)
	if st := status(); st != "published" {
		t.Fatalf("not published after the confirmation: %s", st)
	}
	wantStatus(t, s.get(t, "/projecten/omgevingsvisie-2040"), 200)
	var n int64
	testdb.NoError(t, s.App.DB.Table("audit_log").Where("action = ? AND target = ?", "project.status", "project:5").Count(&n).Error)
	if n != 1 {
		t.Errorf("publishing audited %d times", n)
	}
	// Published: nothing to confirm any more.
	wantStatus(t, ed.get(draft+"/publiceren"), 409)
}
