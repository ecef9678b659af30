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
	"strings"

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
type Service struct{ db *store.DB }

// NewService returns a results service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Consultation computes the overview of a consultation. It reads
// aggregates from the database (one query per kind of figure, whatever
// the number of responses) and the number answers in order, one row at a
// time.
func (s *Service) Consultation(ctx context.Context, c *consultation.Consultation) (*Overview, error) {
	db := s.db.WithContext(ctx)
	o := &Overview{}
	var states []struct {
		Status string
		N      int64
	}
	if err := db.Model(&consultation.Response{}).Select("status, count(*) AS n").
		Where("instrument_id = ?", c.InstrumentID).Group("status").Scan(&states).Error; err != nil {
		return nil, err
	}
	for _, st := range states {
		o.Started += st.N
		if st.Status == consultation.StatusSubmitted {
			o.Submitted = st.N
		}
	}
	if err := db.Model(&consultation.Response{}).Where("instrument_id = ? AND status = ?", c.InstrumentID, consultation.StatusDraft).
		Where("(EXISTS (SELECT 1 FROM answers a WHERE a.response_id = responses.id) OR EXISTS (SELECT 1 FROM answer_options ao WHERE ao.response_id = responses.id))").
		Count(&o.Partial).Error; err != nil {
		return nil, err
	}
	if o.Started > 0 {
		o.Completion = float64(o.Submitted) / float64(o.Started)
	}

	// Bases: responses that answered, per question, from both answer tables.
	var bases []struct {
		QuestionID int64
		N          int64
	}
	if err := db.Raw(`SELECT question_id, count(*) AS n FROM (
  SELECT a.response_id, a.question_id FROM answers a `+on("a")+` WHERE a.text_value <> '' OR a.number_value IS NOT NULL
  UNION
  SELECT ao.response_id, ao.question_id FROM answer_options ao `+on("ao")+`
) x GROUP BY question_id`, c.InstrumentID, c.InstrumentID).Scan(&bases).Error; err != nil {
		return nil, err
	}
	base := map[int64]int64{}
	for _, b := range bases {
		base[b.QuestionID] = b.N
	}
	var counts []struct {
		OptionID   int64
		N          int64
		RankSum    int64
		FirstPlace int64
	}
	if err := db.Raw(`SELECT ao.option_id, count(*) AS n, sum(ao.rank) AS rank_sum,
  sum(CASE WHEN ao.rank = 1 THEN 1 ELSE 0 END) AS first_place
FROM answer_options ao `+on("ao")+` GROUP BY ao.option_id`, c.InstrumentID).Scan(&counts).Error; err != nil {
		return nil, err
	}
	type optAgg struct{ n, rankSum, first int64 }
	byOption := map[int64]optAgg{}
	for _, r := range counts {
		byOption[r.OptionID] = optAgg{r.N, r.RankSum, r.FirstPlace}
	}
	numbers, err := s.numbers(ctx, c.InstrumentID)
	if err != nil {
		return nil, err
	}

	for _, q := range c.Questions {
		if q.Kind == consultation.Explanation {
			continue
		}
		r := Question{Question: q, Base: base[q.ID]}
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
			r.Values = distribution(vs, r.Base)
			if q.Kind == consultation.Scale {
				r.Values = scalePoints(q, r.Values, r.Base)
			}
			if len(vs) > 0 {
				mean, median := meanMedian(vs)
				lo, hi := vs[0], vs[len(vs)-1]
				r.Mean, r.Median, r.Min, r.Max = &mean, &median, &lo, &hi
			}
		}
		o.Questions = append(o.Questions, r)
	}
	return o, nil
}

// numbers reads the number answers of submitted responses per question,
// ascending.
func (s *Service) numbers(ctx context.Context, instrumentID int64) (map[int64][]float64, error) {
	rows, err := s.db.WithContext(ctx).Raw(`SELECT a.question_id, a.number_value FROM answers a
JOIN responses r ON r.id = a.response_id AND r.status = 'submitted' AND r.instrument_id = ?
WHERE a.number_value IS NOT NULL ORDER BY a.question_id, a.number_value`, instrumentID).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]float64{}
	for rows.Next() {
		var q int64
		var v float64
		if err := rows.Scan(&q, &v); err != nil {
			return nil, err
		}
		out[q] = append(out[q], v)
	}
	return out, rows.Err()
}

func percent(n, base int64) float64 {
	if base == 0 {
		return 0
	}
	return float64(n) * 100 / float64(base)
}

// distribution counts each distinct value of sorted vs.
func distribution(vs []float64, base int64) []Value {
	var out []Value
	for i := 0; i < len(vs); {
		j := i
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		out = append(out, Value{Value: vs[i], Count: int64(j - i), Percent: percent(int64(j-i), base)})
		i = j
	}
	return out
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

// meanMedian of sorted, non-empty vs. The sum is compensated (Kahan), so
// 100,000 answers add up to the same mean in any order.
func meanMedian(vs []float64) (float64, float64) {
	var sum, comp float64
	for _, v := range vs {
		y := v - comp
		t := sum + y
		comp = (t - sum) - y
		sum = t
	}
	mean := sum / float64(len(vs))
	n := len(vs)
	median := vs[n/2]
	if n%2 == 0 {
		median = (vs[n/2-1] + vs[n/2]) / 2
	}
	if math.IsNaN(mean) {
		mean = 0
	}
	return mean, median
}

// on joins an answer table (by its alias) to the submitted responses of
// the instrument.
func on(alias string) string {
	return strings.ReplaceAll("JOIN responses r ON r.id = @.response_id AND r.status = 'submitted' AND r.instrument_id = ?", "@", alias)
}
