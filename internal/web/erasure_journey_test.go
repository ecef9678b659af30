package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"inspraak/internal/identity"
)

const tookPart = "U heeft hieraan meegedaan; uw antwoorden zijn niet meer aan u gekoppeld."

// fullSurvey fills in every question of the demo questionnaire from its
// form, ready to submit.
func fullSurvey(t *testing.T, body string, openAnswer string) url.Values {
	t.Helper()
	radios := radioName.FindAllStringSubmatch(body, -1)
	ranks := rankName.FindAllStringSubmatch(body, -1)
	texts := textName.FindAllStringSubmatch(body, -1)
	areas := areaName.FindAllStringSubmatch(body, -1)
	boxes := boxName.FindAllStringSubmatch(body, -1)
	if len(radios) == 0 || len(ranks) != 4 || len(texts) != 2 || len(areas) != 1 || len(boxes) != 5 {
		t.Fatalf("questionnaire form not as expected:\n%s", body)
	}
	design, designOpt, scale := radios[0][3], radios[0][4], ""
	for _, r := range radios {
		if r[3] != design {
			scale = r[3]
			break
		}
	}
	return url.Values{"actie": {"versturen"}, design: {designOpt}, scale: {"4"}, texts[0][1]: {"3"}, texts[1][1]: {"Het Dorpshart"},
		boxes[0][1]: {boxes[0][2], boxes[2][2]}, areas[0][1]: {openAnswer},
		ranks[0][1]: {"2"}, ranks[1][1]: {"4"}, ranks[2][1]: {"1"}, ranks[3][1]: {"3"}}
}

// counts are the figures erasure and a refused second attempt must leave
// as they are.
type counts struct {
	Ballots, PollVotes, Responses, Supports, SupportRows, Comments, Reports int64
}

func countAll(t *testing.T, s *testSite, ideaID int64) counts {
	t.Helper()
	var c counts
	db := s.App.DB
	db.Raw("SELECT COUNT(*) FROM ballots WHERE instrument_id = (SELECT id FROM instruments WHERE slug = 'welke-plek-eerst')").Scan(&c.Ballots)
	db.Raw("SELECT COALESCE(SUM(votes), 0) FROM poll_tallies WHERE option_id IN (SELECT o.id FROM poll_options o JOIN instruments i ON i.id = o.instrument_id WHERE i.slug = 'welke-plek-eerst')").Scan(&c.PollVotes)
	db.Raw("SELECT COUNT(*) FROM responses WHERE status = 'submitted'").Scan(&c.Responses)
	db.Raw("SELECT support_count FROM ideas WHERE id = ?", ideaID).Scan(&c.Supports)
	db.Raw("SELECT COUNT(*) FROM idea_supports WHERE idea_id = ?", ideaID).Scan(&c.SupportRows)
	db.Raw("SELECT comment_count FROM ideas WHERE id = ?", ideaID).Scan(&c.Comments)
	db.Raw("SELECT COUNT(*) FROM moderation_reports").Scan(&c.Reports)
	return c
}

// "Verwijder mijn gegevens" keeps the promise it makes: the person's vote,
// questionnaire answers, support, comment and report stay counted, but
// when they log in again with the same BSN nothing of it is shown or can
// be changed; they are told they took part, and cannot vote, answer,
// support or report again. Afterwards no value that can be derived from
// their pseudonym, and no reference to their old participant number,
// points at anything they submitted.
func TestErasureUnlinksContentAndOnePersonKeepsOneVote(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, nil)
	other := resident(t, s, supporterBSN, "Buurvrouw")
	sent := other.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de bakker"},
		"beschrijving": {"Bij de bakker steken veel kinderen over zonder zebrapad."}, "thema": {itoa(bd.Themes[0].ID)}})
	if sent.StatusCode != 303 {
		t.Fatalf("idea: %d\n%s", sent.StatusCode, sent.Body)
	}
	otherIdea := sent.Header.Get("Location")
	ideaID, _ := strconv.ParseInt(otherIdea[strings.LastIndex(otherIdea, "/")+1:], 10, 64)

	me := resident(t, s, testBSN, "Marktbezoeker")
	var p identity.Participant
	if err := s.App.DB.Where("display_name = ?", "Marktbezoeker").Take(&p).Error; err != nil {
		t.Fatal(err)
	}

	// Taking part: a vote, a questionnaire, a support, a comment, a report.
	opts := optionIDs(t, me.get(schoolPoll).Body)
	wantStatus(t, me.follow(me.post(schoolPoll+"/stem", url.Values{"keuze": {opts[1]}})), 200)
	wantContains(t, me.get(schoolPoll), "U koos:")
	const secret = "Mijn buurman Piet parkeert altijd op de stoep."
	r := me.post(survey+"/antwoorden", fullSurvey(t, me.get(survey).Body, secret))
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "/ontvangstbewijs") {
		t.Fatalf("submit: %d\n%s", r.StatusCode, r.Body)
	}
	reference := regexp.MustCompile(`INS-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(me.follow(r).Body)
	if reference == "" {
		t.Fatal("no reference on the receipt")
	}
	wantContains(t, me.follow(me.post(otherIdea+"/steun", url.Values{"steun": {"ja"}})), "U steunt dit idee.")
	wantStatus(t, me.follow(me.post(otherIdea+"/reacties", url.Values{"reactie": {"Goed plan, ik steek daar elke dag over."}})), 200)
	if rep := me.post(otherIdea+"/melden", url.Values{"reden": {"off_topic"}}); rep.StatusCode != 303 {
		t.Fatalf("report: %d\n%s", rep.StatusCode, rep.Body)
	}
	before := countAll(t, s, ideaID)
	if before.Supports != 1 || before.Comments != 1 {
		t.Fatalf("before erasure: %+v", before)
	}

	// The erase page says what will happen, in plain words.
	form := me.get("/mijn-inspraak/verwijderen")
	wantContains(t, form, "Wij bewaren alleen dat u meedeed", "Niet wat u koos of antwoordde",
		"U heeft hieraan meegedaan; uw antwoorden zijn niet meer aan u gekoppeld.")
	done := me.post("/mijn-inspraak/verwijderen", url.Values{"bevestig": {"ja"}})
	if done.StatusCode != 303 {
		t.Fatalf("erase: %d", done.StatusCode)
	}
	// Votes, answers, supports and reports stay counted; the comment's
	// text goes (a placeholder stays), so it no longer counts.
	after := countAll(t, s, ideaID)
	if after.Comments != before.Comments-1 {
		t.Fatalf("erased comment still counted: %+v → %+v", before, after)
	}
	after.Comments = before.Comments
	if after != before {
		t.Fatalf("erasure changed the counts: %+v → %+v", before, after)
	}
	if hits := personTraces(t, s, p.Subject, p.ID, 0); len(hits) > 0 {
		t.Fatalf("after erasure the person is still linked to content:\n%s", strings.Join(hits, "\n"))
	}

	// The same person logs in again: a new participant, the same pseudonym.
	back := resident(t, s, testBSN, "Weer terug")
	var q identity.Participant
	if err := s.App.DB.Where("display_name = ?", "Weer terug").Take(&q).Error; err != nil {
		t.Fatal(err)
	}
	if q.Subject != p.Subject || q.ID == p.ID {
		t.Fatalf("re-login: subject equal %v, id %d → %d", q.Subject == p.Subject, p.ID, q.ID)
	}
	page := back.get(schoolPoll)
	wantStatus(t, page, 200)
	wantContains(t, page, tookPart)
	wantNotContains(t, page, "U koos:", "checked", `action="/projecten/veilig-naar-school/welke-plek-eerst/stem"`)
	page = back.get(survey)
	wantContains(t, page, tookPart)
	wantNotContains(t, page, secret, reference, "Het Dorpshart", `/antwoorden"`)
	if rc := back.get(survey + "/ontvangstbewijs"); rc.StatusCode != 303 {
		t.Fatalf("the old receipt is shown again: %d\n%s", rc.StatusCode, rc.Body)
	}
	page = back.get(otherIdea)
	wantContains(t, page, tookPart)
	wantNotContains(t, page, "U steunt dit idee.", `name="steun"`)
	wantContains(t, back.get(board), tookPart)
	my := back.get("/mijn-inspraak")
	wantNotContains(t, my, reference, "Welke plek", "Vragenlijst over het schetsontwerp", "Een zebrapad bij de bakker")

	// Nothing can be added again, and each refusal says why in Dutch.
	vote := back.post(schoolPoll+"/stem", url.Values{"keuze": {opts[0]}})
	wantStatus(t, vote, 409)
	wantContains(t, vote, "U heeft al gestemd in deze peiling.")
	// The erased person's page rightly has no form: the fields are read
	// from the page of someone who may still answer.
	survey1 := fullSurvey(t, other.get(survey).Body, "Nog een keer")
	answer := back.post(survey+"/antwoorden", survey1)
	wantStatus(t, answer, 409)
	wantContains(t, answer, "U heeft deze vragenlijst al ingevuld.")
	survey1.Set("actie", "opslaan")
	wantStatus(t, back.post(survey+"/antwoorden", survey1), 409)
	support := back.post(otherIdea+"/steun", url.Values{"steun": {"ja"}})
	wantStatus(t, support, 409)
	wantContains(t, support, "U heeft dit idee al gesteund.")
	wantStatus(t, back.post(otherIdea+"/steun", url.Values{"steun": {"nee"}}), 409)
	report := back.post(otherIdea+"/melden", url.Values{"reden": {"off_topic"}})
	wantStatus(t, report, 409)
	if after := countAll(t, s, ideaID); after.Ballots != before.Ballots || after.PollVotes != before.PollVotes ||
		after.Responses != before.Responses || after.Supports != before.Supports || after.SupportRows != before.SupportRows ||
		after.Reports != before.Reports {
		t.Fatalf("a refused attempt changed the counts: %+v → %+v", before, after)
	}
	var drafts int64
	s.App.DB.Raw("SELECT COUNT(*) FROM responses WHERE participant_id = ?", q.ID).Scan(&drafts)
	if drafts != 0 {
		t.Fatalf("a refused answer left %d responses", drafts)
	}

	// Still nothing in the database leads from the person to what they
	// gave, apart from their new account itself.
	if hits := personTraces(t, s, p.Subject, p.ID, q.ID); len(hits) > 0 {
		t.Fatalf("after erasure the person is still linked to content:\n%s", strings.Join(hits, "\n"))
	}
}

// personTraces lists every place in the database where a value derivable
// from the pseudonym (the pseudonym itself and every per-instrument id
// the code derives from it, for every instrument, idea and comment) or the
// erased participant number still sits in a row that holds or points at
// something the person submitted. Allowed are the voter register
// (participations: "took part in X", no link, no time), the questionnaire
// opens (only "opened X"), the audit log's login and logout entries, and
// the account of the person's new login (current, if not 0).
func personTraces(t *testing.T, s *testSite, subject string, participantID, current int64) []string {
	t.Helper()
	db := s.App.DB.DB
	key := s.App.Config.PseudonymKey
	derived := map[string]string{subject: "pseudonym"}
	ids := func(q string) []int64 {
		var out []int64
		if err := db.Raw(q).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, id := range ids("SELECT id FROM instruments") {
		for _, purpose := range []string{"ballot", "response", "open", "support"} {
			derived[identity.InstrumentID(key, purpose, id, subject)] = fmt.Sprintf("%s id in instrument %d", purpose, id)
		}
	}
	for _, id := range ids("SELECT id FROM ideas") {
		derived[identity.InstrumentID(key, "report-idea", id, subject)] = fmt.Sprintf("reporter id of idea %d", id)
	}
	for _, id := range ids("SELECT id FROM idea_comments") {
		derived[identity.InstrumentID(key, "report-comment", id, subject)] = fmt.Sprintf("reporter id of comment %d", id)
	}
	personColumn := regexp.MustCompile(`participant|author|voter|respondent|supporter|reporter|opener`)
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) < 30 {
		t.Fatalf("only %d tables found: %v", len(tables), tables)
	}
	var hits []string
	for _, table := range tables {
		rows, err := db.Table(table).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				t.Fatal(err)
			}
			row := map[string]string{}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row[cols[i]] = fmt.Sprint(v)
			}
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				var what string
				switch x := v.(type) {
				case string:
					if d, ok := derived[x]; ok {
						what = d
					} else if x == "participant:"+strconv.FormatInt(participantID, 10) {
						what = "the erased participant number"
					}
				case int64:
					if x == participantID && personColumn.MatchString(cols[i]) {
						what = "the erased participant number"
					}
				}
				if what == "" || allowedTrace(table, row, current) {
					continue
				}
				hits = append(hits, fmt.Sprintf("%s.%s holds %s (row %v)", table, cols[i], what, row))
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return hits
}

// allowedTrace says whether a row may keep a value derivable from the
// person: it names nothing they submitted.
func allowedTrace(table string, row map[string]string, current int64) bool {
	cur := strconv.FormatInt(current, 10)
	switch table {
	case "participants":
		return current != 0 && row["id"] == cur
	case "sessions":
		return current != 0 && row["participant_id"] == cur
	case "participations", "consultation_opens":
		return true
	case "audit_log":
		switch row["action"] {
		case "login", "logout", "participant.erase":
			return true
		}
		return strings.HasPrefix(row["action"], "notify.address")
	}
	return false
}
