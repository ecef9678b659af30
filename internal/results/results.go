// Package results turns the submitted responses of a consultation into the
// figures policy makers read: per question the counts and percentages per
// option (for multiple choice per option, with the base stated), mean,
// median and distribution of scales and numbers, mean rank and first
// places of rankings, and response, partial and completion figures that
// add up. Breakdowns by group go through package suppress before anything
// is shown.
package results

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/store"
)

// Overview is the result of one consultation.
type Overview struct {
	// Started counts every response (drafts and submitted); Partial the
	// drafts with at least one answer; Submitted the submitted ones.
	// Completion is Submitted / Started, so never above 1.
	Started, Partial, Submitted int64
	Completion                  float64
	Questions                   []Question
}

// Question is the result of one question over the submitted responses.
type Question struct {
	consultation.Question
	// Number is the question's number as residents saw it: its place among
	// the questions, explanations not counted (see Numbers). Every page,
	// export and report calls it "Vraag <Number>".
	Number int
	// Base is the number of submitted responses that answered this
	// question: every percentage of the question is of this base.
	Base int64
	// Skipped is the number of submitted responses that did not.
	Skipped int64
	// Options: choices (single, multiple) and rankings, in the question's
	// order. For multiple choice the percentages may add up past 100: one
	// person may choose several.
	Options []Option
	// Values is the distribution of a scale (every point, also unchosen)
	// or of a number (each distinct value), ascending.
	Values []Value
	// Mean, Median, Min, Max of scale and number answers (nil: no answers).
	Mean, Median, Min, Max *float64
	// Codes of an open question: how many of its answers carry each code
	// analysts made, most used first.
	Codes []CodeCount
}

// CodeCount is how many answers to a question carry a code.
type CodeCount struct {
	Code    string
	Count   int64
	Percent float64 // of the question's base
}

// Option is one option's figures.
type Option struct {
	ID      int64
	Label   string
	Count   int64   // chosen (or ranked) by this many
	Percent float64 // Count / Base × 100
	// MeanRank and FirstPlace are for rankings: the average position
	// given (1 is best) and how often it came first.
	MeanRank   float64
	FirstPlace int64
}

// Value is one point of a distribution.
type Value struct {
	Value   float64
	Count   int64
	Percent float64
}

// Service computes results.
type Service struct {
	db  *store.DB
	now func() time.Time
	// public keeps the public figures of each consultation for a short
	// while: anyone may load them, so they must not cost a full count
	// per visitor.
	public publicCache
	// notifier tells followers of a first publication (SetNotifier).
	notifier Notifier
}

// NewService returns a results service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: time.Now, public: publicCache{entries: map[int64]*publicEntry{}}}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Consultation computes the overview of a consultation. The answer
// figures come from the running totals (answer_tallies) that submitting
// keeps, so the work does not grow with the number of responses; the
// response states from the (instrument, status) index.
func (s *Service) Consultation(ctx context.Context, c *consultation.Consultation) (*Overview, error) {
	db := s.db.WithContext(ctx)
	o := &Overview{}
	var (
		states []struct {
			Status string
			N      int64
		}
		totals []consultation.Tally
		coded  []struct {
			QuestionID int64
			Name       string
			N          int64
		}
	)
	// The reads are independent: they run at once, so the page waits for
	// the slowest, not for their sum.
	err := parallel(
		func() error {
			if err := db.Model(&consultation.Response{}).Select("status, count(*) AS n").
				Where("instrument_id = ?", c.InstrumentID).Group("status").Scan(&states).Error; err != nil {
				return err
			}
			return db.Model(&consultation.Response{}).Where("instrument_id = ? AND status = ? AND last_question_id IS NOT NULL",
				c.InstrumentID, consultation.StatusDraft).Count(&o.Partial).Error
		},
		func() (err error) {
			totals, err = consultation.Totals(db, c.InstrumentID)
			return err
		},
		func() error {
			return db.Raw(`SELECT ac.question_id, c.name, count(*) AS n FROM answer_codings ac
JOIN answer_codes c ON c.id = ac.code_id AND c.instrument_id = ?
JOIN responses r ON r.id = ac.response_id AND r.status = 'submitted'
GROUP BY ac.question_id, c.name ORDER BY n DESC, c.name`, c.InstrumentID).Scan(&coded).Error
		},
	)
	if err != nil {
		return nil, err
	}
	for _, st := range states {
		o.Started += st.N
		if st.Status == consultation.StatusSubmitted {
			o.Submitted = st.N
		}
	}
	if o.Started > 0 {
		o.Completion = float64(o.Submitted) / float64(o.Started)
	}
	// The base of a question is the number of submitted responses that
	// answered it: text and number answers are counted as such; a choice
	// or ranking answer has exactly one option at place 1 (Save numbers
	// the chosen options from 1), so its base is the sum of first places.
	base := map[int64]int64{}
	type optAgg struct{ n, rankSum, first int64 }
	byOption := map[int64]optAgg{}
	numbers := map[int64][]Value{}
	for _, t := range totals {
		switch t.Kind {
		case consultation.TallyOption:
			byOption[t.OptionID] = optAgg{t.N, t.RankSum, t.FirstPlace}
		case consultation.TallyAnswered:
			base[t.QuestionID] += t.N
		case consultation.TallyValue:
			numbers[t.QuestionID] = append(numbers[t.QuestionID], Value{Value: t.Value, Count: t.N})
		}
	}
	for _, q := range c.Questions {
		for _, o := range q.Options {
			base[q.ID] += byOption[o.ID].first
		}
	}

	numbered := Numbers(c.Questions)
	for _, q := range c.Questions {
		if q.Kind == consultation.Explanation {
			continue
		}
		r := Question{Question: q, Number: numbered[q.ID], Base: base[q.ID]}
		r.Skipped = o.Submitted - r.Base
		for _, opt := range q.Options {
			a := byOption[opt.ID]
			op := Option{ID: opt.ID, Label: opt.Label, Count: a.n, Percent: percent(a.n, r.Base)}
			if q.Kind == consultation.Ranking && a.n > 0 {
				op.MeanRank = float64(a.rankSum) / float64(a.n)
				op.FirstPlace = a.first
			}
			r.Options = append(r.Options, op)
		}
		if q.Kind == consultation.Scale || q.Kind == consultation.Number {
			vs := numbers[q.ID]
			for i := range vs {
				vs[i].Percent = percent(vs[i].Count, r.Base)
			}
			r.Values = vs
			if q.Kind == consultation.Scale {
				r.Values = scalePoints(q, vs, r.Base)
			}
			if len(vs) > 0 {
				mean, median := meanMedian(vs)
				lo, hi := vs[0].Value, vs[len(vs)-1].Value
				r.Mean, r.Median, r.Min, r.Max = &mean, &median, &lo, &hi
			}
		}
		for _, cd := range coded {
			if cd.QuestionID == q.ID {
				r.Codes = append(r.Codes, CodeCount{Code: cd.Name, Count: cd.N, Percent: percent(cd.N, r.Base)})
			}
		}
		o.Questions = append(o.Questions, r)
	}
	return o, nil
}

// Numbers numbers the questions of a consultation as residents see them:
// 1, 2, 3 … in order, explanations (text between the questions, which
// residents do not answer) not counted. The results page, the PDF report
// and every export use these numbers, so "Vraag 3" is the same question
// everywhere.
func Numbers(qs []consultation.Question) map[int64]int {
	out := make(map[int64]int, len(qs))
	n := 0
	for _, q := range qs {
		if q.Kind == consultation.Explanation {
			continue
		}
		n++
		out[q.ID] = n
	}
	return out
}

func percent(n, base int64) float64 {
	if base == 0 {
		return 0
	}
	return float64(n) * 100 / float64(base)
}

// scalePoints gives every point of the scale a row, also those nobody
// chose, so the distribution reads as the scale.
func scalePoints(q consultation.Question, got []Value, base int64) []Value {
	have := map[float64]Value{}
	for _, v := range got {
		have[v.Value] = v
	}
	var out []Value
	for _, p := range q.ScalePoints() {
		v, ok := have[float64(p)]
		if !ok {
			v = Value{Value: float64(p)}
		}
		out = append(out, v)
		delete(have, float64(p))
	}
	// Values outside the scale (it changed after answers came in) still count.
	for _, v := range have {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// meanMedian of a non-empty distribution (ascending values with counts).
// The sum is compensated (Kahan), so many answers add up to the same mean
// in any order; the median is read from the cumulative counts.
func meanMedian(vs []Value) (float64, float64) {
	var sum, comp float64
	var n int64
	for _, v := range vs {
		y := v.Value*float64(v.Count) - comp
		t := sum + y
		comp = (t - sum) - y
		sum = t
		n += v.Count
	}
	mean := sum / float64(n)
	at := func(k int64) float64 { // the k-th value (0-based) in order
		for _, v := range vs {
			if k < v.Count {
				return v.Value
			}
			k -= v.Count
		}
		return vs[len(vs)-1].Value
	}
	median := at(n / 2)
	if n%2 == 0 {
		median = (at(n/2-1) + at(n/2)) / 2
	}
	if math.IsNaN(mean) {
		mean = 0
	}
	return mean, median
}

// parallel runs fns at once and returns the first error.
func parallel(fns ...func() error) error {
	errs := make(chan error, len(fns))
	for _, fn := range fns {
		go func() { errs <- fn() }()
	}
	var first error
	for range fns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Listed is a consultation on the analysts' list.
type Listed struct {
	InstrumentID  int64
	Title         string
	ProjectTitle  string
	ProjectStatus string
	Submitted     int64
}

// List returns every consultation with its number of submitted
// responses, newest project first.
func (s *Service) List(ctx context.Context) ([]Listed, error) {
	var out []Listed
	err := s.db.WithContext(ctx).Raw(`SELECT i.id AS instrument_id, i.title, p.title AS project_title, p.status AS project_status,
  (SELECT count(*) FROM responses r WHERE r.instrument_id = i.id AND r.status = 'submitted') AS submitted
FROM instruments i JOIN projects p ON p.id = i.project_id
WHERE i.kind = 'consultation' ORDER BY p.created_at DESC, i.position, i.id`).Scan(&out).Error
	return out, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func formatValue(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
