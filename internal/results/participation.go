package results

import (
	"context"
	"sort"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
)

// Funnel is how far people got with a questionnaire.
type Funnel struct {
	// Opened counts logged-in participants who opened it; responses from
	// before opening was recorded count as opened too, so the funnel never
	// widens. Started counts responses (drafts and submitted); Submitted
	// the submitted ones.
	Opened, Started, Submitted int64
	// Empty counts drafts without a single answer; Stops the other drafts
	// by the last question (in the questionnaire's order) they answered:
	// where people stopped.
	Empty int64
	Stops []Stop
}

// Stop is the number of unfinished responses whose last answer was to a
// question.
type Stop struct {
	Question consultation.Question
	Drafts   int64
}

// Day is the number of responses submitted on one day (Dutch time).
type Day struct {
	Date      time.Time
	Submitted int64
}

// Participation computes the funnel and the daily series of submissions,
// every day from the first submission to the last (days without any
// included, so the series reads as time).
func (s *Service) Participation(ctx context.Context, c *consultation.Consultation) (*Funnel, []Day, error) {
	db := s.db.WithContext(ctx)
	f := &Funnel{}
	var opened int64
	if err := db.Model(&consultation.Open{}).Where("instrument_id = ?", c.InstrumentID).Count(&opened).Error; err != nil {
		return nil, nil, err
	}
	var states []struct {
		Status string
		N      int64
	}
	if err := db.Model(&consultation.Response{}).Select("status, count(*) AS n").Where("instrument_id = ?", c.InstrumentID).
		Group("status").Scan(&states).Error; err != nil {
		return nil, nil, err
	}
	var drafts int64
	for _, st := range states {
		f.Started += st.N
		if st.Status == consultation.StatusSubmitted {
			f.Submitted = st.N
		} else {
			drafts += st.N
		}
	}
	f.Opened = max(opened, f.Started)

	// Unfinished responses by where they got to (kept by every save).
	var last []struct {
		LastQuestionID *int64
		N              int64
	}
	if err := db.Model(&consultation.Response{}).Select("last_question_id, count(*) AS n").
		Where("instrument_id = ? AND status = ?", c.InstrumentID, consultation.StatusDraft).
		Group("last_question_id").Scan(&last).Error; err != nil {
		return nil, nil, err
	}
	at := map[int64]int64{}
	f.Empty = drafts
	for _, l := range last {
		if l.LastQuestionID != nil {
			at[*l.LastQuestionID] += l.N
			f.Empty -= l.N
		}
	}
	for _, q := range c.Questions {
		if n := at[q.ID]; n > 0 {
			f.Stops = append(f.Stops, Stop{Question: q, Drafts: n})
		}
	}

	rows, err := db.Model(&consultation.Response{}).Select("submitted_at").
		Where("instrument_id = ? AND status = ? AND submitted_at IS NOT NULL", c.InstrumentID, consultation.StatusSubmitted).Rows()
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	perDay := map[time.Time]int64{}
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(&t); err != nil {
			return nil, nil, err
		}
		l := t.In(i18n.Location)
		perDay[time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, i18n.Location)]++
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return f, series(perDay), nil
}

// series fills the days between the first and the last with zeros.
func series(perDay map[time.Time]int64) []Day {
	if len(perDay) == 0 {
		return nil
	}
	days := make([]time.Time, 0, len(perDay))
	for d := range perDay {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	var out []Day
	for d := days[0]; !d.After(days[len(days)-1]); d = d.AddDate(0, 0, 1) {
		out = append(out, Day{Date: d, Submitted: perDay[d]})
	}
	return out
}
