package results_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var midden = identity.Levels(identity.DigiD)[1]

func f64(v float64) *float64 { return &v }

// given is what one participant did, as the test generated it: the
// recount below works from this, never from the database.
type given struct {
	submitted bool
	answers   map[int64]consultation.Answer
}

// For random response sets, the figures equal a naive recount of what was
// given: per-option counts, the base of every percentage, mean and median;
// single-choice counts add up to the base; completion never exceeds 100 %;
// started = drafts + submitted. The sets are built the way people build
// them: drafts, drafts finished later, submitted answers changed (where
// the questionnaire allows it) and people who erase their data; the
// running totals the figures come from then equal a recount from the
// stored answers.
func TestFiguresEqualANaiveRecount(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	res := results.NewService(db)
	closes := now.Add(48 * time.Hour)
	people := 0
	for round := range 6 {
		rng := rand.New(rand.NewPCG(uint64(round), 42))
		allowChange := round%2 == 0
		q := func(k consultation.Kind, text string, opts ...string) consultation.QuestionDraft {
			return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text}, Options: opts}
		}
		multi := q(consultation.Multiple, "Wat mist u?", "Bomen", "Bankjes", "Speelplek", "Fietsenrekken")
		multi.MaxChoices = 3
		scale := q(consultation.Scale, "Hoe tevreden bent u?")
		scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, "Slecht", "Goed"
		num := q(consultation.Number, "Hoe vaak per week?")
		num.NumberMin, num.NumberMax = f64(0), f64(7)
		c, err := svc.Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: fmt.Sprintf("vragenlijst-%d", round), Title: "Vragen",
			Published: true, Rules: instrument.Instrument{ClosesAt: &closes, AllowChange: allowChange},
			Questions: []consultation.QuestionDraft{
				q(consultation.Explanation, "Uitleg."),
				q(consultation.Single, "Komt u vaak?", "Ja", "Nee", "Soms"),
				multi, scale, num,
				q(consultation.Ranking, "Zet op volgorde", "Groen", "Parkeren", "Evenementen"),
				q(consultation.ShortText, "Iets kwijt?"),
			}})
		if err != nil {
			t.Fatal(err)
		}
		var all []given
		var whos []consultation.Respondent
		n := 3 + rng.IntN(30)
		for range n {
			people++
			part := identity.Participant{Subject: fmt.Sprintf("p-%d", people), KeyVersion: 1, Means: identity.DigiD, LoA: midden, CreatedAt: now, LastLoginAt: now}
			if err := db.Create(&part).Error; err != nil {
				t.Fatal(err)
			}
			who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
			g := given{answers: map[int64]consultation.Answer{}}
			if rng.IntN(5) > 0 { // else opened and left: an empty draft
				g = randomResponse(rng, c)
			}
			if _, err := svc.Save(ctx, c.InstrumentID, who, g.answers, g.submitted); err != nil {
				t.Fatalf("save %+v: %v", g, err)
			}
			all = append(all, g)
			whos = append(whos, who)
		}
		// Second visits: drafts finished or saved again, submitted answers
		// changed where allowed; then some people erase their data.
		for i, who := range whos {
			if rng.IntN(2) == 0 || (all[i].submitted && !allowChange) {
				continue
			}
			g := randomResponse(rng, c)
			g.submitted = g.submitted || all[i].submitted // a submitted response stays submitted
			if _, err := svc.Save(ctx, c.InstrumentID, who, g.answers, g.submitted); err != nil {
				t.Fatalf("second save %+v: %v", g, err)
			}
			all[i] = g
		}
		var kept []given
		for i, who := range whos {
			if rng.IntN(6) == 0 {
				if err := consultation.Erase(db.DB, who.ParticipantID); err != nil {
					t.Fatal(err)
				}
				if !all[i].submitted {
					continue // the draft is gone; submitted answers stay counted
				}
			}
			kept = append(kept, all[i])
		}
		got, err := res.Consultation(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		check(t, round, c, kept, got)
		running := tallyRows(t, db, c.InstrumentID)
		if err := consultation.RecountTallies(db.DB, c.InstrumentID); err != nil {
			t.Fatal(err)
		}
		if recount := tallyRows(t, db, c.InstrumentID); !slices.Equal(running, recount) {
			t.Fatalf("round %d: running totals\n%v\nrecount\n%v", round, running, recount)
		}
	}
	t.Logf("%d random response sets, %d participants", 6, people)
}

// randomResponse answers most questions at random, and submits two
// times out of three.
func randomResponse(rng *rand.Rand, c *consultation.Consultation) given {
	g := given{answers: map[int64]consultation.Answer{}}
	for _, qu := range c.Questions {
		if rng.IntN(4) == 0 {
			continue // skipped
		}
		if a := randomAnswer(rng, qu); !a.Empty() {
			g.answers[qu.ID] = a
		}
	}
	g.submitted = rng.IntN(3) > 0
	return g
}

// tallyRows reads a consultation's running totals, shards added up.
func tallyRows(t *testing.T, db *store.DB, instrumentID int64) []consultation.Tally {
	t.Helper()
	rows, err := consultation.Totals(db.DB, instrumentID)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func randomAnswer(rng *rand.Rand, q consultation.Question) consultation.Answer {
	ids := make([]int64, len(q.Options))
	for i, o := range q.Options {
		ids[i] = o.ID
	}
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	switch q.Kind {
	case consultation.Single:
		return consultation.Answer{Options: ids[:1]}
	case consultation.Multiple:
		return consultation.Answer{Options: ids[:1+rng.IntN(q.MaxChoices)]}
	case consultation.Ranking:
		return consultation.Answer{Options: ids}
	case consultation.Scale:
		return consultation.Answer{Number: f64(float64(q.ScaleMin + rng.IntN(q.ScaleMax-q.ScaleMin+1)))}
	case consultation.Number:
		return consultation.Answer{Number: f64(float64(rng.IntN(8)))}
	case consultation.ShortText:
		return consultation.Answer{Text: "Meer bankjes"}
	}
	return consultation.Answer{}
}

func check(t *testing.T, round int, c *consultation.Consultation, all []given, got *results.Overview) {
	t.Helper()
	var started, submitted, partial int64
	for _, g := range all {
		started++
		if g.submitted {
			submitted++
		} else if len(g.answers) > 0 {
			partial++
		}
	}
	if got.Started != started || got.Submitted != submitted || got.Partial != partial {
		t.Fatalf("round %d: started/submitted/partial %d/%d/%d, recount %d/%d/%d", round,
			got.Started, got.Submitted, got.Partial, started, submitted, partial)
	}
	if got.Completion > 1 || got.Completion < 0 || (started > 0 && math.Abs(got.Completion-float64(submitted)/float64(started)) > 1e-12) {
		t.Fatalf("round %d: completion %v", round, got.Completion)
	}
	for _, qr := range got.Questions {
		var base int64
		counts := map[int64]int64{}
		ranks := map[int64]int64{}
		first := map[int64]int64{}
		var nums []float64
		for _, g := range all {
			a, ok := g.answers[qr.ID]
			if !g.submitted || !ok {
				continue
			}
			base++
			for pos, o := range a.Options {
				counts[o]++
				ranks[o] += int64(pos + 1)
				if pos == 0 {
					first[o]++
				}
			}
			if a.Number != nil {
				nums = append(nums, *a.Number)
			}
		}
		if qr.Base != base || qr.Skipped != submitted-base {
			t.Fatalf("round %d, %s: base %d skipped %d, recount %d/%d", round, qr.Text, qr.Base, qr.Skipped, base, submitted-base)
		}
		var sum int64
		for _, o := range qr.Options {
			sum += o.Count
			if o.Count != counts[o.ID] {
				t.Fatalf("round %d, %s, %s: count %d, recount %d", round, qr.Text, o.Label, o.Count, counts[o.ID])
			}
			if want := float64(counts[o.ID]) * 100 / float64(max(base, 1)); math.Abs(o.Percent-want) > 1e-9 || o.Percent > 100 {
				t.Fatalf("round %d, %s, %s: %v %%, want %v of base %d", round, qr.Text, o.Label, o.Percent, want, base)
			}
			if qr.Kind == consultation.Ranking && o.Count > 0 {
				if want := float64(ranks[o.ID]) / float64(o.Count); math.Abs(o.MeanRank-want) > 1e-9 || o.FirstPlace != first[o.ID] {
					t.Fatalf("round %d, %s: mean rank %v first %d, recount %v/%d", round, o.Label, o.MeanRank, o.FirstPlace, want, first[o.ID])
				}
			}
		}
		if qr.Kind == consultation.Single && sum != base {
			t.Fatalf("round %d: single-choice counts add up to %d, base %d", round, sum, base)
		}
		if len(nums) > 0 {
			slices.Sort(nums)
			var total float64
			for _, v := range nums {
				total += v
			}
			med := nums[len(nums)/2]
			if len(nums)%2 == 0 {
				med = (nums[len(nums)/2-1] + nums[len(nums)/2]) / 2
			}
			if qr.Mean == nil || math.Abs(*qr.Mean-total/float64(len(nums))) > 1e-9 || *qr.Median != med {
				t.Fatalf("round %d, %s: mean/median %v/%v, recount %v/%v", round, qr.Text, qr.Mean, qr.Median, total/float64(len(nums)), med)
			}
			var dist int64
			for _, v := range qr.Values {
				dist += v.Count
			}
			if dist != int64(len(nums)) {
				t.Fatalf("round %d, %s: distribution holds %d answers, recount %d", round, qr.Text, dist, len(nums))
			}
		}
		if qr.Kind == consultation.Scale && len(qr.Values) != qr.ScaleMax-qr.ScaleMin+1 {
			t.Fatalf("round %d: scale shows %d points", round, len(qr.Values))
		}
	}
}

// A breakdown by wijk shows what suppression allows: small counts and the
// cells that would give them away read hid; everything shown is the real
// count; participants without a wijk form the last group.
func TestBreakdownByWijkSuppresses(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	sv := newSurvey(t, db, false, choice(consultation.Single, "Ja of nee?", "Ja", "Nee"), choice(consultation.Single, "Nog een keer?", "Ja", "Nee"))
	c := sv.c
	q, q2 := c.Questions[0], c.Questions[1]
	// wijk → [ja, nee] for the first question; everyone says no to the
	// second.
	want := map[string][2]int{"Centrum": {12, 9}, "Noord": {8, 2}, "Zuid": {7, 11}, "": {6, 5}}
	n := 0
	for wijk, counts := range want {
		for opt, k := range counts {
			sv.choose(wijk, k, opt, 1)
			n += k
		}
	}
	res := results.NewService(db)
	o, err := res.Consultation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// Both questions split in one go: each gets its own answers.
	bs, err := res.Breakdowns(ctx, o.Questions, results.ByWijk, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, second := bs[q.ID], bs[q2.ID]
	for i, g := range second.Groups {
		if got := second.Show(i, 0); got != "0" && got != hid {
			t.Fatalf("second question: %q shows %s for yes, nobody said yes", g, got)
		}
	}
	if second.Show(len(second.Groups), 1) != strconv.Itoa(n) {
		t.Fatalf("second question: %s said no, want %d", second.Show(len(second.Groups), 1), n)
	}
	if strings.Join(b.Groups, ",") != "Centrum,Noord,Zuid," || b.K != 5 {
		t.Fatalf("groups %q, k %d", b.Groups, b.K)
	}
	// Noord / Nee is 2: hidden, and so is at least one more cell in its row
	// and its column.
	if b.Show(1, 1) != hid {
		t.Fatalf("Noord/Nee shows %q", b.Show(1, 1))
	}
	hiddenInRow, hiddenInCol := 0, 0
	for j := 0; j <= 2; j++ {
		if b.Show(1, j) == hid {
			hiddenInRow++
		}
	}
	for i := 0; i <= 4; i++ {
		if b.Show(i, 1) == hid {
			hiddenInCol++
		}
	}
	if hiddenInRow < 2 || hiddenInCol < 2 {
		t.Fatalf("the small cell can be worked out: %d hidden in its row, %d in its column", hiddenInRow, hiddenInCol)
	}
	groups := b.Groups
	for i, g := range groups {
		for j := 0; j < 2; j++ {
			if s := b.Show(i, j); s != hid && s != strconv.Itoa(want[g][j]) {
				t.Fatalf("%q/%d shows %q, want %d", g, j, s, want[g][j])
			}
		}
	}
	if b.Show(4, 2) != strconv.Itoa(n) {
		t.Fatalf("grand total %q, want %d", b.Show(4, 2), n)
	}
	if _, err := res.Breakdowns(ctx, o.Questions, "schoenmaat", 5); err != results.ErrFormat {
		t.Fatalf("unknown dimension: %v, want results.ErrFormat", err)
	}
}

// The funnel narrows from opened to started to submitted, says after
// which question unfinished responses stopped, and the daily series
// counts every submission once, with empty days in between.
func TestFunnelAndDailySeries(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	closes := now.Add(30 * 24 * time.Hour)
	q := func(text string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: consultation.ShortText, Text: text}}
	}
	c, err := svc.Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{q("Een"), q("Twee"), q("Drie")}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	person := func() consultation.Respondent {
		n++
		part := identity.Participant{Subject: fmt.Sprintf("f-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: midden, CreatedAt: now, LastLoginAt: now}
		if err := db.Create(&part).Error; err != nil {
			t.Fatal(err)
		}
		return consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
	}
	answers := func(k int) map[int64]consultation.Answer {
		a := map[int64]consultation.Answer{}
		for _, qu := range c.Questions[:k] {
			a[qu.ID] = consultation.Answer{Text: "antwoord"}
		}
		return a
	}
	// Two only look; one leaves an empty draft; stops after question 1 (2×)
	// and 2 (1×); three submit on day 1, none on day 2, two on day 3.
	for range 2 {
		if err := svc.Opened(ctx, c.InstrumentID, person().Subject); err != nil {
			t.Fatal(err)
		}
	}
	plan := []struct {
		day, answered int
		submit        bool
	}{{0, 0, false}, {0, 1, false}, {0, 1, false}, {0, 2, false}, {0, 3, true}, {0, 1, true}, {0, 2, true}, {2, 3, true}, {2, 3, true}}
	for _, st := range plan {
		now = time.Date(2026, 11, 20+st.day, 10, 0, 0, 0, time.UTC)
		who := person()
		if err := svc.Opened(ctx, c.InstrumentID, who.Subject); err != nil {
			t.Fatal(err)
		}
		if err := svc.Opened(ctx, c.InstrumentID, who.Subject); err != nil { // twice is once
			t.Fatal(err)
		}
		if _, err := svc.Save(ctx, c.InstrumentID, who, answers(st.answered), st.submit); err != nil {
			t.Fatal(err)
		}
	}
	f, days, err := results.NewService(db).Participation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if f.Opened != 11 || f.Started != 9 || f.Submitted != 5 || f.Empty != 1 {
		t.Fatalf("funnel %+v", f)
	}
	if len(f.Stops) != 2 || f.Stops[0].Question.Text != "Een" || f.Stops[0].Drafts != 2 || f.Stops[1].Question.Text != "Twee" || f.Stops[1].Drafts != 1 {
		t.Fatalf("stops %+v", f.Stops)
	}
	if len(days) != 3 || days[0].Submitted != 3 || days[1].Submitted != 0 || days[2].Submitted != 2 {
		t.Fatalf("days %+v", days)
	}
}

// On the public page a small count never shows, and cannot be worked out
// from the base and the other counts that do show.
func TestPublicFiguresHideSmallCounts(t *testing.T) {
	t.Parallel() // each test has its own database
	q := results.Question{Question: consultation.Question{ID: 1, Kind: consultation.Single, Text: "Welke?"}, Base: 52,
		Options: []results.Option{{Label: "A", Count: 2}, {Label: "B", Count: 20}, {Label: "C", Count: 30}}}
	m := results.Question{Question: consultation.Question{ID: 2, Kind: consultation.Multiple, Text: "Welke meer?"}, Base: 40,
		Options: []results.Option{{Label: "X", Count: 3}, {Label: "Y", Count: 35}, {Label: "Z", Count: 12}}}
	r := results.Question{Question: consultation.Question{ID: 3, Kind: consultation.Ranking, Text: "Wat eerst?"}, Base: 52,
		Options: []results.Option{{Label: "A", Count: 52, FirstPlace: 2}, {Label: "B", Count: 52, FirstPlace: 20}, {Label: "C", Count: 52, FirstPlace: 30}}}
	qs := []results.Question{q, m, r}
	pub, err := results.Public(&results.Overview{Questions: qs}, 5)
	if err != nil {
		t.Fatal(err)
	}
	for n, pq := range pub {
		raw := qs[n]
		shown, hidden := int64(0), 0
		for i, c := range pq.Counts {
			if c == hid {
				hidden++
				continue
			}
			n, _ := strconv.ParseInt(c, 10, 64)
			shown += n
			if want := raw.Options[i].Count; pq.Kind == consultation.Ranking && n != raw.Options[i].FirstPlace || pq.Kind != consultation.Ranking && n != want {
				t.Fatalf("%s: %s shows %s, is %d", pq.Text, pq.Labels[i], c, raw.Options[i].Count)
			}
		}
		if pq.Counts[0] != hid {
			t.Fatalf("%s: the small count shows: %v", pq.Text, pq.Counts)
		}
		// With the base shown, one hidden count alone would be base − rest.
		if pq.Kind != consultation.Multiple && pq.Base != hid && hidden < 2 {
			t.Fatalf("%s: one hidden count and the base %s give it away: %v", pq.Text, pq.Base, pq.Counts)
		}
		if pq.Mean != nil {
			t.Fatalf("%s: a mean next to hidden counts", pq.Text)
		}
	}
}

// A population file is read whole or not at all: every wrong line is
// named, in Dutch; shares of each kind are scaled to 100. A file without
// its header line, age groups the platform does not use and kinds that
// add up to nothing are refused, not half read.
func TestParsePopulation(t *testing.T) {
	t.Parallel() // each test has its own database
	good := "\uFEFFsoort;groep;inwoners\nwijk;Centrum;3000\nwijk;Noord;1000\nleeftijd;18-29;27,5%\nleeftijd;30-44;72,5%\n\n"
	ps, errs := results.ParsePopulation(strings.NewReader(good))
	if len(errs) > 0 || len(ps) != 4 || ps[0].Share != 75 || ps[1].Share != 25 || ps[2].Share != 27.5 {
		t.Fatalf("good file: %+v %v", ps, errs)
	}
	bad := "soort,groep,aantal\nstraat,Dorpsstraat,10\nwijk,,5\nwijk,Zuid,veel\nwijk,Zuid,-3\nwijk,Oost\nwijk,West,10\nwijk,west,12\n"
	ps, errs = results.ParsePopulation(strings.NewReader(bad))
	if ps != nil || len(errs) != 6 {
		t.Fatalf("bad file: %+v, %d errors: %v", ps, len(errs), errs)
	}
	for i, want := range []int{2, 3, 4, 5, 6, 8} {
		if errs[i].Line != want || errs[i].Msg == "" {
			t.Fatalf("error %d on line %d (%q), want line %d", i, errs[i].Line, errs[i].Msg, want)
		}
	}
	if _, errs := results.ParsePopulation(strings.NewReader("soort;groep;aantal\n")); len(errs) != 1 {
		t.Fatal("a file without lines was accepted")
	}
	for file, want := range map[string]string{
		"wijk;Noord;6000\nwijk;Zuid;2000\nwijk;Oost;2000\n":   "de eerste regel moet de kop zijn",
		"soort;groep;aantal\nleeftijd;18-34;10\n":             "geen leeftijdsgroep; gebruik 0-15, 16-17, 18-29",
		"soort;groep;aantal\nwijk;Noord;0\nwijk;Zuid;0\n":     "tellen op tot 0",
		"soort;groep;aantal\nwijk;Noord;10\nleeftijd;75+;0\n": "de aantallen voor leeftijd tellen op tot 0",
	} {
		ps, errs := results.ParsePopulation(strings.NewReader(file))
		if ps != nil || len(errs) == 0 || !strings.Contains(errs[0].Msg, want) {
			t.Fatalf("%q: %+v %v, want an error saying %q", file, ps, errs, want)
		}
	}
}

// The results page prints every option's count above the breakdown, and
// the representativeness table prints the respondents per wijk: hidden
// cells of the breakdown must not be recoverable from either. Wijk A
// answered [2 0 8] and wijk B [7 6 0]: with the option counts 9, 6, 8 and
// the wijk counts 10, 13 printed elsewhere, A/X = 2 follows as long as the
// zeros show (B/Y = 6, so B/X = 7 and A/X = 9 − 7): the breakdown is
// either not shown or hides the zeros too. With more answers its hidden
// cells each have another hidden cell in row and column; a wijk hidden in
// the representativeness table stays hidden in the breakdown. (The attack
// harness checks every interval of such pages, see attack_test.go.)
func TestBreakdownKeepsWhatIsPrintedElsewhereInMind(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	sv := newSurvey(t, db, false, choice(consultation.Single, "Welke?", "X", "Y", "Z"))
	c, q := sv.c, sv.c.Questions[0]
	answer := func(wijk string, opt, times int) { sv.choose(wijk, times, opt) }
	answer("A", 0, 2)
	answer("A", 2, 8)
	answer("B", 0, 7)
	answer("B", 1, 6)
	res := results.NewService(db)
	bs := sv.breakdowns(res, results.ByWijk)
	if b := bs[q.ID]; !b.Withheld && (b.Show(0, 0) != hid || b.Show(0, 1) != hid || b.Show(1, 2) != hid) {
		t.Fatalf("A/X can be worked out: %+v", b.Table.Hidden)
	}
	answer("A", 1, 5)
	answer("B", 2, 9)
	bs = sv.breakdowns(res, results.ByWijk)
	b := bs[q.ID]
	if b.Withheld || b.Show(0, 0) != hid {
		t.Fatalf("withheld %v, A/X shows %q", b.Withheld, b.Show(0, 0))
	}
	R, C := len(b.Groups), len(b.Options)
	for j := 0; j <= C; j++ {
		if b.Show(R, j) == hid {
			t.Fatalf("option total %d hidden, but the page prints it above", j)
		}
	}
	// With the column totals known, a hidden cell needs another hidden
	// cell in its column, and in its row (row totals may be hidden).
	for i := 0; i < R; i++ {
		for j := 0; j < C; j++ {
			if b.Show(i, j) != hid {
				continue
			}
			inCol, inRow := 0, 0
			for x := 0; x < R; x++ {
				if b.Show(x, j) == hid {
					inCol++
				}
			}
			for y := 0; y <= C; y++ {
				if b.Show(i, y) == hid {
					inRow++
				}
			}
			if inCol < 2 || inRow < 2 {
				t.Fatalf("hidden %s/%s can be worked out: %d hidden in its column, %d in its row", b.Groups[i], b.Options[j].Label, inCol, inRow)
			}
		}
	}

	// A wijk with few respondents is hidden in the representativeness
	// table; its row total stays hidden in the breakdown too.
	answer("C", 2, 3)
	rep, err := res.Representativeness(ctx, c.InstrumentID, results.ByWijk)
	if err != nil {
		t.Fatal(err)
	}
	hiddenThere := map[string]bool{}
	for _, r := range rep {
		hiddenThere[r.Group] = r.Hidden
	}
	if !hiddenThere["C"] {
		t.Fatalf("a wijk of 3 shown in the representativeness table: %+v", rep)
	}
	b = sv.breakdowns(res, results.ByWijk)[q.ID]
	if b.Withheld {
		return
	}
	for i, g := range b.Groups {
		if hiddenThere[g] && b.Show(i, len(b.Options)) != hid {
			t.Fatalf("wijk %s: hidden in the representativeness table, its total %s shown in the breakdown", g, b.Show(i, len(b.Options)))
		}
		if !hiddenThere[g] && b.Show(i, len(b.Options)) == hid {
			t.Fatalf("wijk %s: shown in the representativeness table, hidden in the breakdown of a question everyone answered", g)
		}
	}
}

// Erasure keeps only the day of a response's times, the day in Dutch
// time: a response submitted just after midnight there (still the day
// before in UTC) and one just before midnight stay on their days in the
// daily series, in summer and in winter time, and the funnel stays as it
// was.
func TestErasureKeepsTheDailySeries(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	closes := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	c, err := svc.Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: "v", Title: "V", Published: true, Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{{Question: consultation.Question{Kind: consultation.ShortText, Text: "Een"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, at := range []time.Time{
		time.Date(2026, 6, 9, 22, 30, 0, 0, time.UTC),   // 10 June, 00:30 summer time
		time.Date(2026, 6, 10, 21, 59, 0, 0, time.UTC),  // 10 June, 23:59
		time.Date(2026, 6, 10, 22, 1, 0, 0, time.UTC),   // 11 June, 00:01
		time.Date(2026, 11, 9, 23, 30, 0, 0, time.UTC),  // 10 November, 00:30 winter time
		time.Date(2026, 11, 10, 22, 59, 0, 0, time.UTC), // 10 November, 23:59
	} {
		now = at
		part := identity.Participant{Subject: fmt.Sprintf("d-%d", i), KeyVersion: 1, Means: identity.DigiD, LoA: midden, CreatedAt: now, LastLoginAt: now}
		if err := db.Create(&part).Error; err != nil {
			t.Fatal(err)
		}
		who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
		if err := svc.Opened(ctx, c.InstrumentID, who.Subject); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Save(ctx, c.InstrumentID, who, map[int64]consultation.Answer{c.Questions[0].ID: {Text: "ja"}}, true); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, part.ID)
	}
	res := results.NewService(db)
	f, days, err := res.Participation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if err := db.WithTx(ctx, func(tx *gorm.DB) error { return consultation.Erase(tx, id) }); err != nil {
			t.Fatal(err)
		}
	}
	var stamps []time.Time
	testdb.NoError(t, db.Raw("SELECT submitted_at FROM responses WHERE submitted_at IS NOT NULL").Scan(&stamps).Error)
	for _, at := range stamps {
		if l := at.In(i18n.Location); l.Hour() != 0 || l.Minute() != 0 {
			t.Fatalf("an erased response keeps its moment: %s", l)
		}
	}
	f2, days2, err := res.Participation(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(f2) != fmt.Sprint(f) || fmt.Sprint(days2) != fmt.Sprint(days) {
		t.Fatalf("erasure moved the figures:\n%+v %v\n%+v %v", f, days, f2, days2)
	}
	if days[0].Submitted != 2 || days[1].Submitted != 1 || days[len(days)-1].Submitted != 2 {
		t.Fatalf("days %+v", days)
	}
}
