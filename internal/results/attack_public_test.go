package results_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/demo"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/poll"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/results/suppress/attack"
	"inspraak/internal/setting"
	"inspraak/internal/testdb"
)

// The attack harness on whole pages: a reader with the code, every
// figure a page publishes and a linear-programming solver (package
// attack) computes the interval of every hidden count. A page fails when
// an interval is narrower than k, when the truth lies outside it, when a
// shown figure is not the real count, or when a line whose total is
// hidden or below k shows that all of it gave one answer. The reader
// reads "x" as "some count ≥ 0", a number as itself, "<n" (what older
// versions showed) as 1 to n−1, and "." as not published.

// page is what a reader knows, with the truth behind it to check against.
type page struct {
	r      attack.Reader
	k      int
	hidden []hiddenCount
	lines  []pageLine
	errs   []string
}

type hiddenCount struct {
	e     attack.Expr
	truth int64
	name  string
}

type pageLine struct {
	total       attack.Expr
	totalHidden bool
	truth       int64
	parts       []attack.Expr
	anyHidden   bool
	name        string
}

// read turns a published text into what the reader knows; checked says
// whether the count must be protected (false: not published, only known
// to exist).
func (p *page) read(s string, truth int64, name string) (attack.Expr, bool) {
	switch {
	case s == ".":
		// Not published (a withheld part): unknown, nothing to protect.
		return attack.V(p.r.Unknown(name)), true
	case s == "x":
		v := attack.V(p.r.Unknown(name))
		p.hidden = append(p.hidden, hiddenCount{v, truth, name})
		return v, true
	case strings.HasPrefix(s, "<"):
		n, err := strconv.Atoi(s[1:])
		if err != nil {
			p.errs = append(p.errs, name+": unreadable "+s)
		}
		v := attack.V(p.r.Unknown(name))
		p.r.AtMost(attack.C(1), v, name)
		p.r.AtMost(v, attack.C(float64(n-1)), name)
		p.hidden = append(p.hidden, hiddenCount{v, truth, name})
		return v, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n != truth {
		p.errs = append(p.errs, fmt.Sprintf("%s shows %q, is %d", name, s, truth))
	}
	return attack.C(float64(n)), false
}

// unpublished is a count the reader knows exists but never sees.
func (p *page) unpublished(name string) attack.Expr { return attack.V(p.r.Unknown(name)) }

func (p *page) line(total attack.Expr, totalHidden bool, truth int64, parts []attack.Expr, partsHidden []bool, name string) {
	l := pageLine{total: total, totalHidden: totalHidden, truth: truth, parts: parts, anyHidden: totalHidden, name: name}
	for _, h := range partsHidden {
		l.anyHidden = l.anyHidden || h
	}
	p.lines = append(p.lines, l)
}

// attack returns every disclosure found.
func (p *page) attack() []string {
	errs := append([]string(nil), p.errs...)
	for _, b := range p.r.Bad {
		errs = append(errs, "published figures contradict each other: "+b)
	}
	for _, h := range p.hidden {
		lo, hi, err := p.r.Range(h.e)
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s: solver: %v", h.name, err))
			continue
		}
		if v := float64(h.truth); v < lo-1e-6 || v > hi+1e-6 {
			errs = append(errs, fmt.Sprintf("%s = %d outside its interval [%g,%g]", h.name, h.truth, lo, hi))
		}
		if hi-lo < float64(p.k)-1e-6 {
			errs = append(errs, fmt.Sprintf("%s = %d: interval [%g,%g] narrower than %d", h.name, h.truth, lo, hi, p.k))
		}
	}
	for _, l := range p.lines {
		if l.truth == 0 || !l.anyHidden || !l.totalHidden && l.truth >= int64(p.k) || len(l.parts) < 2 {
			continue
		}
		for j, part := range l.parts {
			_, hi, err := p.r.Range(l.total.Minus(part))
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: solver: %v", l.name, err))
				continue
			}
			if hi < 0.5 {
				errs = append(errs, fmt.Sprintf("%s: all of a group of %d gave answer %d", l.name, l.truth, j+1))
			}
		}
	}
	return errs
}

// readPublic builds the reader of a public page (its open data and API
// carry the same figures): the number who filled in the questionnaire,
// and per question who answered and the counts.
func readPublic(o *results.Overview, submitted string, qs []results.PublicQuestion, k int) *page {
	p := &page{k: k}
	all, _ := p.read(submitted, o.Submitted, "ingevuld")
	if len(qs) > 0 && len(qs) != len(o.Questions) {
		p.errs = append(p.errs, fmt.Sprintf("%d questions published of %d", len(qs), len(o.Questions)))
		return p
	}
	for n, pq := range qs {
		q := o.Questions[n]
		var truth []int64
		switch {
		case q.Kind == consultation.Ranking:
			for _, op := range q.Options {
				truth = append(truth, op.FirstPlace)
			}
		case len(q.Options) > 0:
			for _, op := range q.Options {
				truth = append(truth, op.Count)
			}
		case q.Kind == consultation.Scale:
			for _, v := range q.Values {
				truth = append(truth, v.Count)
			}
		}
		if len(truth) != len(pq.Counts) {
			p.errs = append(p.errs, fmt.Sprintf("question %d: %d counts published, %d real", n+1, len(pq.Counts), len(truth)))
			continue
		}
		name := fmt.Sprintf("v%d", n+1)
		base, baseHidden := p.read(pq.Base, q.Base, name+" beantwoord")
		p.r.AtMost(base, all, name+": answered at most all")
		var cells []attack.Expr
		var hid []bool
		for j, s := range pq.Counts {
			e, h := p.read(s, truth[j], fmt.Sprintf("%s keuze %d", name, j+1))
			cells, hid = append(cells, e), append(hid, h)
		}
		switch {
		case len(cells) == 0:
		case q.Kind == consultation.Multiple:
			for j, c := range cells {
				p.r.AtMost(c, base, fmt.Sprintf("%s keuze %d at most answered", name, j+1))
			}
			p.r.AtMost(base, attack.Sum(cells...), name+": everyone chose one")
			p.line(base, baseHidden, q.Base, cells, hid, name)
		default:
			p.r.Equal(attack.Sum(cells...), base, name+": counts add up")
			p.line(base, baseHidden, q.Base, cells, hid, name)
		}
	}
	return p
}

// randomSurvey draws respondents and their answers to random questions
// of every kind the public page shows; small counts, zeros and questions
// everyone answered are common.
func randomSurvey(rng *rand.Rand) *results.Overview {
	o := &results.Overview{Submitted: int64(rng.IntN(40))}
	if rng.IntN(4) == 0 {
		o.Submitted = int64(rng.IntN(8))
	}
	kinds := []consultation.Kind{consultation.Single, consultation.Multiple, consultation.Ranking, consultation.Scale, consultation.ShortText}
	for n := range 1 + rng.IntN(4) {
		kind := kinds[rng.IntN(len(kinds))]
		q := results.Question{Question: consultation.Question{ID: int64(n + 1), Kind: kind}}
		answered := o.Submitted
		if rng.IntN(2) == 0 {
			answered = rng.Int64N(o.Submitted + 1)
		}
		q.Base = answered
		nopt := 2 + rng.IntN(3)
		// A skewed distribution: some options rare.
		weights := make([]int, nopt)
		for j := range weights {
			weights[j] = []int{0, 1, 1, 3, 8}[rng.IntN(5)]
		}
		weights[rng.IntN(nopt)] += 2
		switch kind {
		case consultation.Single, consultation.Ranking:
			q.Options = make([]results.Option, nopt)
			for range answered {
				j := weightedPick(rng, weights)
				q.Options[j].Count++
				q.Options[j].FirstPlace++
			}
			if kind == consultation.Ranking {
				for j := range q.Options {
					q.Options[j].Count = answered
				}
			}
		case consultation.Multiple:
			q.Options = make([]results.Option, nopt)
			for range answered {
				chosen := map[int]bool{weightedPick(rng, weights): true}
				for range rng.IntN(nopt) {
					chosen[weightedPick(rng, weights)] = true
				}
				for j := range chosen {
					q.Options[j].Count++
				}
			}
		case consultation.Scale:
			q.Values = make([]results.Value, nopt)
			for j := range q.Values {
				q.Values[j].Value = float64(j + 1)
			}
			for range answered {
				q.Values[weightedPick(rng, weights)].Count++
			}
		}
		for j := range q.Options {
			q.Options[j].Label = fmt.Sprintf("optie %d", j+1)
		}
		o.Questions = append(o.Questions, q)
	}
	return o
}

// Thousands of random public pages (with `go test -short` fewer; more
// with INSPRAAK_ATTACK_ROUNDS): every hidden count ranges at least k wide
// given everything the page shows, and no line gives a group away.
func TestPublicPagesResistTheAttack(t *testing.T) {
	t.Parallel() // each test has its own database
	rng := rand.New(rand.NewPCG(13, 0xa77ac))
	n := attack.Rounds(1000)
	hidden, tooFew := 0, 0
	for i := range n {
		o := randomSurvey(rng)
		k := 5
		if i%5 == 0 {
			k = 2 + rng.IntN(8)
		}
		qs, err := results.Public(o, k)
		if err != nil {
			t.Fatal(err)
		}
		submitted := strconv.FormatInt(o.Submitted, 10)
		if o.Submitted > 0 && o.Submitted < int64(max(k, results.MinCell)) {
			// Fewer than k filled it in: the page says only that.
			if len(qs) != 0 {
				t.Fatalf("%d respondents, k=%d: %d questions published", o.Submitted, k, len(qs))
			}
			tooFew++
			continue
		}
		p := readPublic(o, submitted, qs, max(k, results.MinCell))
		hidden += len(p.hidden)
		if errs := p.attack(); len(errs) > 0 {
			t.Fatalf("page %d (k=%d, %d respondents): %s\npublished: %s", i, k, o.Submitted, strings.Join(errs, "; "), describe(qs))
		}
	}
	t.Logf("%d random public pages (%d with too few respondents to show anything), %d hidden counts, all protected", n, tooFew, hidden)
	if hidden == 0 {
		t.Fatal("nothing hidden: the attack did not run")
	}
}

func describe(qs []results.PublicQuestion) string {
	var b strings.Builder
	for _, q := range qs {
		fmt.Fprintf(&b, "[%s base %s: %s] ", q.Kind, q.Base, strings.Join(q.Counts, " "))
	}
	return b.String()
}

// The demo's published questionnaire, as its public page, open data and
// API show it, resists the attack; before this model its first question
// (13 answered, one option 5 and the other two "<5") gave both away as 4.
func TestDemoPublicResultsResistTheAttack(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	key := []byte("demo-test-key-0123456789-abcdefgh")
	ideas := idea.NewService(db, key)
	mod := moderation.NewService(db, key, audit.New(db), setting.NewService(db))
	ideas.SetModeration(mod)
	cons := consultation.NewService(db, key)
	if _, err := demo.Seed(ctx, db, project.NewService(db), poll.NewService(db, key), cons, ideas, budget.NewService(db, key), mod, setting.NewService(db),
		"http://localhost:8080/dev/idp", time.Now()); err != nil {
		t.Fatal(err)
	}
	var ins []instrument.Instrument
	if err := db.Where("kind = ?", instrument.KindConsultation).Find(&ins).Error; err != nil || len(ins) == 0 {
		t.Fatalf("demo consultations: %d, %v", len(ins), err)
	}
	res := results.NewService(db)
	hidden := 0
	for _, in := range ins {
		c, err := cons.Get(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		o, err := res.Consultation(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if o.Submitted == 0 {
			continue
		}
		qs, err := results.Public(o, results.MinCell)
		if err != nil {
			t.Fatal(err)
		}
		p := readPublic(o, strconv.FormatInt(o.Submitted, 10), qs, results.MinCell)
		hidden += len(p.hidden)
		if errs := p.attack(); len(errs) > 0 {
			t.Fatalf("%s: %s\npublished: %s", in.Title, strings.Join(errs, "; "), describe(qs))
		}
		t.Logf("%s: %d respondents, published %s", in.Title, o.Submitted, describe(qs))
	}
	if hidden == 0 {
		t.Fatal("the demo hides nothing: the attack did not run")
	}
}

// weightedPick draws an index with probability proportional to its weight.
func weightedPick(rng *rand.Rand, weights []int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	x := rng.IntN(sum)
	for j, w := range weights {
		if x < w {
			return j
		}
		x -= w
	}
	return 0
}
