package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/testdb"
)

const tookPart = "U heeft hieraan meegedaan; uw antwoorden zijn niet meer aan u gekoppeld."

// supportedUnlinked is what an idea one supported says after erasure.
const supportedUnlinked = "U heeft dit idee gesteund; uw steun is niet meer aan u gekoppeld."

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
	testdb.NoError(t, db.Raw("SELECT COUNT(*) FROM ballots WHERE instrument_id = (SELECT id FROM instruments WHERE slug = 'welke-plek-eerst')").Scan(&c.Ballots).Error)
	testdb.NoError(t, db.Raw("SELECT COALESCE(SUM(votes), 0) FROM poll_tallies WHERE option_id IN (SELECT o.id FROM poll_options o JOIN instruments i ON i.id = o.instrument_id WHERE i.slug = 'welke-plek-eerst')").Scan(&c.PollVotes).Error)
	testdb.NoError(t, db.Raw("SELECT COUNT(*) FROM responses WHERE status = 'submitted'").Scan(&c.Responses).Error)
	testdb.NoError(t, db.Raw("SELECT support_count FROM ideas WHERE id = ?", ideaID).Scan(&c.Supports).Error)
	testdb.NoError(t, db.Raw("SELECT COUNT(*) FROM idea_supports WHERE idea_id = ?", ideaID).Scan(&c.SupportRows).Error)
	testdb.NoError(t, db.Raw("SELECT comment_count FROM ideas WHERE id = ?", ideaID).Scan(&c.Comments).Error)
	testdb.NoError(t, db.Raw("SELECT COUNT(*) FROM moderation_reports").Scan(&c.Reports).Error)
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
	// An idea of their own: it stays on the board without their name.
	mine := me.post(board+"/ideeen", url.Values{"titel": {"Meer bankjes op het plein"},
		"beschrijving": {"Op het plein kan niemand even zitten; een paar bankjes zou fijn zijn."}, "thema": {itoa(bd.Themes[0].ID)}})
	if mine.StatusCode != 303 {
		t.Fatalf("own idea: %d\n%s", mine.StatusCode, mine.Body)
	}
	before := countAll(t, s, ideaID)
	if before.Supports != 1 || before.Comments != 1 {
		t.Fatalf("before erasure: %+v", before)
	}
	theirs := rowsOf(t, s, p.ID)
	var moments []time.Time // the person's logins and logouts
	testdb.NoError(t, s.App.DB.Raw("SELECT at FROM audit_log WHERE actor = ?", p.Subject).Scan(&moments).Error)
	if len(moments) == 0 {
		t.Fatal("no login of the person in the audit log")
	}

	// The erase page says what will happen, in plain words.
	form := me.get("/mijn-inspraak/verwijderen")
	wantContains(t, form, "Wij bewaren alleen dat u meedeed", "Niet wat u koos of antwoordde",
		"U heeft hieraan meegedaan; uw antwoorden zijn niet meer aan u gekoppeld.")
	erasing := time.Now()
	done := me.post("/mijn-inspraak/verwijderen", url.Values{"bevestig": {"ja"}})
	if done.StatusCode != 303 {
		t.Fatalf("erase: %d", done.StatusCode)
	}
	erased := time.Now()
	var erasure struct {
		ID int64
		At time.Time
	}
	testdb.NoError(t, s.App.DB.Raw("SELECT id, at FROM audit_log WHERE action = 'participant.erase'").Scan(&erasure).Error)
	if erasure.ID == 0 {
		t.Fatal("no erasure in the audit log")
	}
	// Nor through time: nothing is stamped with the moment of the
	// erasure, and what was theirs keeps only the day of each of its
	// times, not a moment that matches one of their logins.
	if hits := stampedBetween(t, s, erasing, erased); len(hits) > 0 {
		t.Errorf("erasure stamped rows with its moment:\n%s", strings.Join(hits, "\n"))
	}
	if hits := finerThanADay(t, s, theirs, append(moments, erasure.At)); len(hits) > 0 {
		t.Errorf("what the person gave still carries moments that link it to them:\n%s", strings.Join(hits, "\n"))
	}
	// The log lost the pseudonym, not the entries; and forgetting who is
	// the only change the database allows to history.
	var forgotten int64
	testdb.NoError(t, s.App.DB.Raw("SELECT COUNT(*) FROM audit_log WHERE actor = 'gewist' AND action = 'login'").Scan(&forgotten).Error)
	if forgotten == 0 {
		t.Error("the person's logins are gone from the audit log or still carry their pseudonym")
	}
	for _, q := range []string{"UPDATE audit_log SET actor = 'iemand' WHERE actor = 'gewist'",
		"UPDATE audit_log SET action = 'logout' WHERE actor = 'gewist'", "UPDATE audit_log SET actor = 'gewist' WHERE actor_kind <> 'resident'",
		"DELETE FROM audit_log WHERE actor = 'gewist'"} {
		if err := s.App.DB.Exec(q).Error; err == nil {
			t.Errorf("the audit log allowed: %s", q)
		}
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
	if hits := personTraces(t, s, p.Subject, p.ID, 0, erasure.ID); len(hits) > 0 {
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
	wantContains(t, page, supportedUnlinked)
	wantNotContains(t, page, "U steunt dit idee.", `name="steun"`)
	wantContains(t, back.get(board), supportedUnlinked)
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
	testdb.NoError(t, s.App.DB.Raw("SELECT COUNT(*) FROM responses WHERE participant_id = ?", q.ID).Scan(&drafts).Error)
	if drafts != 0 {
		t.Fatalf("a refused answer left %d responses", drafts)
	}

	// Still nothing in the database leads from the person to what they
	// gave, apart from their new account itself.
	if hits := personTraces(t, s, p.Subject, p.ID, q.ID, erasure.ID); len(hits) > 0 {
		t.Fatalf("after erasure the person is still linked to content:\n%s", strings.Join(hits, "\n"))
	}
}

// personTraces lists every place in the database where a value derivable
// from the pseudonym (the pseudonym itself and every per-instrument id
// the code derives from it, for every instrument, idea and comment) or the
// erased participant number still sits in a row that holds or points at
// something the person submitted. Allowed are the voter register
// (participations: "took part in X", no link, no time), the questionnaire
// opens (only "opened X", to the day), the audit log's erasure entry and
// the login and logout entries made after it (erasure replaces the
// pseudonym in the earlier ones), and the account of the person's new
// login (current, if not 0).
func personTraces(t *testing.T, s *testSite, subject string, participantID, current, erasure int64) []string {
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
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
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
				if what == "" || allowedTrace(table, row, current, erasure) {
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
func allowedTrace(table string, row map[string]string, current, erasure int64) bool {
	cur := strconv.FormatInt(current, 10)
	switch table {
	case "participants":
		return current != 0 && row["id"] == cur
	case "sessions":
		return current != 0 && row["participant_id"] == cur
	case "participations", "consultation_opens":
		return true
	case "audit_log":
		if row["action"] == "participant.erase" {
			return true
		}
		id, _ := strconv.ParseInt(row["id"], 10, 64)
		if id < erasure {
			return false
		}
		switch row["action"] {
		case "login", "logout":
			return true
		}
		return strings.HasPrefix(row["action"], "notify.address")
	}
	return false
}

// rowRef is one row of a table, by id, and the time columns that must
// keep only their day (all if none are named).
type rowRef struct {
	table string
	id    int64
	only  string
}

// rowsOf lists the rows that hold or record something a participant did:
// their ballots, responses, supports, comments, ideas, reports, the
// moderation items of their ideas and comments and of what they reported,
// and those items' steps that were not a moderator's.
func rowsOf(t *testing.T, s *testSite, participantID int64) []rowRef {
	t.Helper()
	var out []rowRef
	for table, where := range map[string]string{
		"ballots":             "participant_id = ?",
		"responses":           "participant_id = ?",
		"idea_supports":       "participant_id = ?",
		"idea_comments":       "author_id = ?",
		"ideas":               "author_id = ?",
		"moderation_reports":  "participant_id = ?",
		"moderation_items":    "author_id = ? OR id IN (SELECT item_id FROM moderation_reports WHERE participant_id = ?)",
		"moderation_events":   "staff_id IS NULL AND item_id IN (SELECT id FROM moderation_items WHERE author_id = ? OR id IN (SELECT item_id FROM moderation_reports WHERE participant_id = ?))",
		"idea_status_changes": "staff_id IS NULL AND idea_id IN (SELECT id FROM ideas WHERE author_id = ?)",
	} {
		args := make([]any, strings.Count(where, "?"))
		for i := range args {
			args[i] = participantID
		}
		var ids []int64
		if err := s.App.DB.Table(table).Where(where, args...).Pluck("id", &ids).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			out = append(out, rowRef{table, id, ""})
		}
		if len(ids) == 0 && table != "idea_status_changes" {
			t.Fatalf("the person has no %s", table)
		}
	}
	// Someone else's idea they supported, commented on or reported: its
	// last change was theirs.
	var others []int64
	testdb.NoError(t, s.App.DB.Raw("SELECT id FROM ideas WHERE id IN (SELECT idea_id FROM idea_supports WHERE participant_id = ?) OR id IN (SELECT idea_id FROM idea_comments WHERE author_id = ?)",
		participantID, participantID).Scan(&others).Error)
	if len(others) == 0 {
		t.Fatal("the person supported no idea")
	}
	for _, id := range others {
		out = append(out, rowRef{"ideas", id, "updated_at"})
	}
	return out
}

// timesIn returns the time values of one row by column (NULLs left out).
func timesIn(cols []string, vals []any) map[string]time.Time {
	out := map[string]time.Time{}
	for i, v := range vals {
		switch x := v.(type) {
		case time.Time:
			out[cols[i]] = x
		case string, []byte:
			str := fmt.Sprint(x)
			if b, ok := x.([]byte); ok {
				str = string(b)
			}
			for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
				if tm, err := time.Parse(layout, str); err == nil {
					out[cols[i]] = tm
					break
				}
			}
		}
	}
	return out
}

// eachRow calls f with every row of a table (optionally only one id).
func eachRow(t *testing.T, s *testSite, table string, id int64, f func(cols []string, vals []any)) {
	t.Helper()
	q := s.App.DB.DB.Table(table)
	if id != 0 {
		q = q.Where("id = ?", id)
	}
	rows, err := q.Rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
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
		f(cols, vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// stampedBetween lists every time in the database (outside the audit log
// and the rate limiter's counters) that lies between from and to.
func stampedBetween(t *testing.T, s *testSite, from, to time.Time) []string {
	t.Helper()
	tables, err := s.App.DB.DB.Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	var hits []string
	for _, table := range tables {
		if table == "audit_log" || table == "rate_limits" || table == "schema_migrations" {
			continue
		}
		eachRow(t, s, table, 0, func(cols []string, vals []any) {
			for col, tm := range timesIn(cols, vals) {
				if !tm.Before(from) && !tm.After(to) {
					hits = append(hits, fmt.Sprintf("%s.%s = %s (row %v)", table, col, tm.Format(time.RFC3339Nano), vals))
				}
			}
		})
	}
	return hits
}

// finerThanADay lists every time of the given rows that is not the start
// of a day in Dutch time, saying when it lies within two seconds of one of
// the given moments (the person's logins, logouts and erasure).
func finerThanADay(t *testing.T, s *testSite, refs []rowRef, moments []time.Time) []string {
	t.Helper()
	var hits []string
	for _, r := range refs {
		eachRow(t, s, r.table, r.id, func(cols []string, vals []any) {
			for col, tm := range timesIn(cols, vals) {
				if r.only != "" && col != r.only {
					continue
				}
				local := tm.In(i18n.Location)
				if local.Hour() == 0 && local.Minute() == 0 && local.Second() == 0 && local.Nanosecond() == 0 {
					continue
				}
				near := ""
				for _, m := range moments {
					if d := tm.Sub(m); d > -2*time.Second && d < 2*time.Second {
						near = fmt.Sprintf(", %s from a login, logout or the erasure", d)
					}
				}
				hits = append(hits, fmt.Sprintf("%s.%s of row %d = %s%s", r.table, col, r.id, tm.Format(time.RFC3339Nano), near))
			}
		})
	}
	return hits
}

// Erasing one's data does not lift a moderator's block: the same person
// logging in again is still blocked, and told why and until when, while
// everyone else can still post.
func TestErasureDoesNotLiftABlock(t *testing.T) {
	t.Parallel() // each test has its own site and database
	s := newSite(t, nil)
	bd := newBoard(t, s, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	author := resident(t, s, testBSN, "Indiener")
	post := func(b *browser, title string) response {
		return b.post(board+"/ideeen", url.Values{"titel": {title},
			"beschrijving": {"Tweedehands fietsen te koop, bel 06-12345678 voor een afspraak."}, "thema": {itoa(bd.Themes[0].ID)}})
	}
	if r := post(author, "Koop mijn fietsen"); r.StatusCode != 303 {
		t.Fatalf("idea: %d\n%s", r.StatusCode, r.Body)
	}
	mod := moderatorBrowser(t, s, "Mo Derator")
	item := takeNext(t, mod, url.Values{"instrument": {itoa(bd.InstrumentID)}})
	if r := mod.post(item+"/blokkeren", url.Values{"duur": {"7"}, "reden": {"U plaatst steeds reclame."}}); r.StatusCode != 303 {
		t.Fatalf("block: %d\n%s", r.StatusCode, r.Body)
	}
	refused := post(author, "Nog meer fietsen")
	wantStatus(t, refused, 403)

	if r := author.post("/mijn-inspraak/verwijderen", url.Values{"bevestig": {"ja"}}); r.StatusCode != 303 {
		t.Fatalf("erase: %d", r.StatusCode)
	}
	back := resident(t, s, testBSN, "Weer terug")
	again := post(back, "Fietsen, derde keer")
	wantStatus(t, again, 403)
	wantContains(t, again, "Een moderator heeft u tijdelijk geblokkeerd")
	wantContains(t, back.get("/mijn-inspraak"), "geen ideeën en reacties plaatsen", "U plaatst steeds reclame.")
	// The block is the person's, not everyone's.
	other := resident(t, s, supporterBSN, "Buurvrouw")
	if r := other.post(board+"/ideeen", url.Values{"titel": {"Een zebrapad bij de bakker"},
		"beschrijving": {"Bij de bakker steken veel kinderen over zonder zebrapad."}, "thema": {itoa(bd.Themes[0].ID)}}); r.StatusCode != 303 {
		t.Fatalf("someone else is blocked too: %d\n%s", r.StatusCode, r.Body)
	}
	// What is kept names nobody: no participant, only an id derived for
	// this purpose, the end and the reason.
	var kept []map[string]any
	testdb.NoError(t, s.App.DB.Raw("SELECT * FROM erased_blocks").Scan(&kept).Error)
	if len(kept) != 1 || len(kept[0]) != 3 {
		t.Fatalf("kept blocks: %v", kept)
	}
}
