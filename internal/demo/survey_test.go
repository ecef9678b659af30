package demo_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/instrument"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/results/suppress"
	"inspraak/internal/testdb"
)

// dutchNumbers are the number words a description may start with.
var dutchNumbers = []string{"nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf"}

// The demo questionnaire is the first thing a municipality looks at, so it
// must read as real: its description counts its questions right, the
// designs it speaks of are described in the project text, its open
// answers are each different, its responses came in over weeks from
// residents with a wijk and an age band, and the analyst's breakdown by
// wijk shows real figures with the small cells hidden.
func TestDemoQuestionnaireIsBelievable(t *testing.T) {
	db, _, now := seed(t)
	ctx := context.Background()
	var in instrument.Instrument
	testdb.NoError(t, db.Where("slug = ? AND kind = ?", "vragenlijst-schetsontwerp", instrument.KindConsultation).Take(&in).Error)
	c, err := consultation.NewService(db, []byte("demo-test-key-0123456789-abcdefgh")).Get(ctx, in.ID)
	testdb.NoError(t, err)

	// "Acht korte vragen": as many as there are questions to answer.
	questions := 0
	var explanation string
	var open []int64
	for _, q := range c.Questions {
		switch q.Kind {
		case consultation.Explanation:
			explanation += q.Text
			continue
		case consultation.ShortText, consultation.LongText:
			open = append(open, q.ID)
		}
		questions++
	}
	first, _, _ := strings.Cut(strings.ToLower(in.Description), " ")
	said := -1
	for n, w := range dutchNumbers {
		if first == w {
			said = n
		}
	}
	if said != questions {
		t.Errorf("the description says %q, the questionnaire has %d questions", in.Description, questions)
	}

	// The designs the explanation names are described in the project text.
	var p project.Project
	testdb.NoError(t, db.Where("id = ?", in.ProjectID).Take(&p).Error)
	for _, d := range []string{"Ontwerp A", "Ontwerp B"} {
		if !strings.Contains(explanation, d) || !strings.Contains(p.Body, "### "+d) {
			t.Errorf("%s: named in the explanation %v, described in the project text %v", d, strings.Contains(explanation, d), strings.Contains(p.Body, "### "+d))
		}
	}

	// Open answers: plenty, none twice.
	var texts []string
	testdb.NoError(t, db.Model(&consultation.AnswerRow{}).Where("question_id IN ? AND text_value <> ''", open).Pluck("text_value", &texts).Error)
	seen := map[string]bool{}
	for _, s := range texts {
		key := strings.ToLower(strings.TrimSpace(s))
		if seen[key] {
			t.Errorf("the open answer %q is given more than once", s)
		}
		seen[key] = true
	}
	if len(texts) < 30 {
		t.Errorf("%d open answers, want at least 30", len(texts))
	}

	// Responses: between 60 and 150, over at least two weeks, none in the
	// future, from residents with a wijk and an age band (the businesses
	// have neither: the BRP knows only people).
	var rs []struct {
		SubmittedAt time.Time
		Means       string
		Wijk        string
		AgeBand     string
	}
	testdb.NoError(t, db.Raw(`SELECT r.submitted_at, p.means, p.wijk, p.age_band FROM responses r JOIN participants p ON p.id = r.participant_id
WHERE r.instrument_id = ? AND r.status = 'submitted'`, in.ID).Scan(&rs).Error)
	if len(rs) < 60 || len(rs) > 150 {
		t.Fatalf("%d submitted responses, want 60 to 150", len(rs))
	}
	oldest, newest := now, time.Time{}
	days := map[string]bool{}
	for _, r := range rs {
		if r.SubmittedAt.Before(oldest) {
			oldest = r.SubmittedAt
		}
		if r.SubmittedAt.After(newest) {
			newest = r.SubmittedAt
		}
		days[r.SubmittedAt.Format("2006-01-02")] = true
		if r.Means == "digid" && (r.Wijk == "" || r.AgeBand == "") {
			t.Errorf("a resident's response without wijk (%q) or age band (%q)", r.Wijk, r.AgeBand)
		}
	}
	if newest.Sub(oldest) < 14*24*time.Hour || len(days) < 10 || newest.After(now) {
		t.Errorf("responses from %v to %v on %d days (now %v): want at least two weeks, none later than now", oldest, newest, len(days), now)
	}

	// The analyst's page: every choice question split by wijk. The design
	// question shows real figures, and some cells are hidden.
	res := results.NewService(db)
	o, err := res.Consultation(ctx, c)
	testdb.NoError(t, err)
	k, err := res.Threshold(ctx)
	testdb.NoError(t, err)
	var choice []results.Question
	for _, q := range o.Questions {
		if q.Kind == consultation.Single || q.Kind == consultation.Multiple {
			choice = append(choice, q)
		}
	}
	bs, err := res.Breakdowns(ctx, choice, results.ByWijk, k)
	testdb.NoError(t, err)
	design := c.Questions[1]
	b := bs[design.ID]
	if design.Kind != consultation.Single || b == nil || b.Withheld {
		t.Fatalf("%q (%s): breakdown %+v", design.Text, design.Kind, b)
	}
	shown, hidden := 0, 0
	var table []string
	for i, g := range b.Groups {
		row := []string{g}
		for j := range b.Options {
			v := b.Show(i, j)
			row = append(row, v)
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				shown++
			} else if v == suppress.Mark {
				hidden++
			}
		}
		table = append(table, strings.Join(row, " "))
	}
	if len(b.Groups) < 5 || shown < 6 || hidden == 0 {
		t.Errorf("breakdown by wijk of %q: %d groups, %d figures shown, %d hidden; want at least 5 groups, 6 figures and a hidden cell:\n%s",
			design.Text, len(b.Groups), shown, hidden, strings.Join(table, "\n"))
	}
	t.Logf("%d responses; %q by wijk:\n%s", len(rs), design.Text, strings.Join(table, "\n"))
}

// The polls were voted on over the days they were open, by many people.
func TestDemoPollsSpreadOverDays(t *testing.T) {
	db, _, now := seed(t)
	for _, slug := range []string{"welke-plek-eerst", "wat-wilt-u-op-het-plein"} {
		var in instrument.Instrument
		testdb.NoError(t, db.Where("slug = ? AND kind = ?", slug, instrument.KindPoll).Take(&in).Error)
		var ballots []poll.Ballot
		testdb.NoError(t, db.Where("instrument_id = ?", in.ID).Order("created_at").Find(&ballots).Error)
		if len(ballots) < 40 {
			t.Fatalf("%s: %d ballots, want at least 40", slug, len(ballots))
		}
		days := map[string]bool{}
		for _, b := range ballots {
			days[b.CreatedAt.Format("2006-01-02")] = true
			if b.CreatedAt.After(now) || (in.OpensAt != nil && b.CreatedAt.Before(*in.OpensAt)) {
				t.Errorf("%s: a ballot at %v, open from %v, now %v", slug, b.CreatedAt, in.OpensAt, now)
			}
		}
		if len(days) < 5 {
			t.Errorf("%s: ballots on %d days, want at least 5", slug, len(days))
		}
	}
}
