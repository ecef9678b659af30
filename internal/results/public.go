package results

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/results/suppress"
)

// Publication is a row of result_publications.
type Publication struct {
	InstrumentID int64     `gorm:"primaryKey;autoIncrement:false"`
	PublishedAt  time.Time `gorm:"not null"`
	PublishedBy  *int64
	// Figures are the public figures as counted at the last publication
	// (JSON of PublicResults): what the public sees while the
	// questionnaire is still open.
	Figures string `gorm:"not null"`
	// WithdrawnAt is set while the results are off the site again.
	WithdrawnAt *time.Time
}

// TableName fixes the table name.
func (Publication) TableName() string { return "result_publications" }

// Models lists the row structs this package owns.
func Models() []any {
	return []any{&Publication{}, &Code{}, &Coding{}, &PopulationShare{}}
}

// Publish makes a consultation's results public, with the figures as
// they are now (what the public sees while the questionnaire is open).
// The first publication is announced to the project's followers;
// publishing again (also after taking them off) only counts the figures
// again. Only editors and analysts may (identity.PermPublishResults); the
// audit record is written in the publishing transaction.
func (s *Service) Publish(ctx context.Context, a identity.Actor, c *consultation.Consultation, now time.Time) error {
	if err := a.Require(identity.PermPublishResults); err != nil {
		return err
	}
	k, err := s.Threshold(ctx)
	if err != nil {
		return err
	}
	pr, err := s.count(ctx, c, k)
	if err != nil {
		return err
	}
	figures, err := json.Marshal(pr)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var sid *int64
		if a.StaffID > 0 {
			sid = &a.StaffID
		}
		if err := a.Record(tx, "results.publish", target(c.InstrumentID), nil); err != nil {
			return err
		}
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&Publication{InstrumentID: c.InstrumentID, PublishedAt: now.UTC(), PublishedBy: sid, Figures: string(figures)})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			up := map[string]any{"figures": string(figures), "withdrawn_at": nil}
			// Back on the site after being taken off: since now.
			if err := tx.Model(&Publication{}).Where("instrument_id = ? AND withdrawn_at IS NOT NULL", c.InstrumentID).
				Update("published_at", now.UTC()).Error; err != nil {
				return err
			}
			return tx.Model(&Publication{}).Where("instrument_id = ?", c.InstrumentID).Updates(up).Error
		}
		return s.announce(ctx, tx, c.InstrumentID)
	})
}

// Unpublish takes results off the site. Only editors and analysts may;
// the audit record is written in the same transaction.
func (s *Service) Unpublish(ctx context.Context, a identity.Actor, instrumentID int64) error {
	if err := a.Require(identity.PermPublishResults); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&Publication{}).Where("instrument_id = ? AND withdrawn_at IS NULL", instrumentID).
			Update("withdrawn_at", time.Now().UTC()).Error; err != nil {
			return err
		}
		return a.Record(tx, "results.unpublish", target(instrumentID), nil)
	})
}

// target is how the audit log names an instrument (as instrument.Target).
func target(id int64) string { return "instrument:" + strconv.FormatInt(id, 10) }

// Published returns when a consultation's results were made public, or nil.
func (s *Service) Published(ctx context.Context, instrumentID int64) (*time.Time, error) {
	var p Publication
	err := s.db.WithContext(ctx).Where("instrument_id = ? AND withdrawn_at IS NULL", instrumentID).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &p.PublishedAt, nil
}

// PublicQuestion is a question's figures as the public sees them: every
// count small enough to point at someone, and whatever would give it
// away, reads suppress.Mark ("x").
type PublicQuestion struct {
	Question
	Counts []string // per option (for rankings: first places), or per value for scales
	Labels []string
	Base   string
	Hidden bool // some figure is hidden
	// BaseHidden: how many answered is not shown.
	BaseHidden bool
}

// Public suppresses an overview for publication: the figures of all its
// questions, the number who filled in the questionnaire and the relations
// between them are protected together (see package suppress). Each
// question's counts per option (first places for a ranking, points for a
// scale) add up to the number who answered it (for multiple choice: each
// is at most that number, and together at least), which is at most the
// number who filled in the questionnaire. That number is always shown;
// when it is below k nothing else is: Public returns no questions. Means
// and medians are shown only when nothing of the question is hidden. The
// raw counts are left out of what it returns.
func Public(o *Overview, k int) ([]PublicQuestion, error) {
	k = max(k, MinCell)
	submitted := o.Submitted
	for _, q := range o.Questions {
		submitted = max(submitted, q.Base)
	}
	out := []PublicQuestion{}
	if submitted > 0 && submitted < int64(k) {
		return out, nil
	}
	var p suppress.Problem
	all := p.Add(suppress.Var{Value: submitted, Known: true, Margin: true, Unit: suppress.NoUnit})
	type vars struct{ base, cells []int }
	qv := make([]vars, len(o.Questions))
	for n, q := range o.Questions {
		pq := PublicQuestion{Question: q}
		var row []int64
		switch {
		case len(q.Options) > 0 && q.Kind != consultation.Ranking:
			for _, op := range q.Options {
				row = append(row, op.Count)
				pq.Labels = append(pq.Labels, op.Label)
			}
		case q.Kind == consultation.Ranking:
			// How often each option came first: every answer has exactly
			// one first place, so these add up to the base.
			for _, op := range q.Options {
				row = append(row, op.FirstPlace)
				pq.Labels = append(pq.Labels, op.Label)
			}
		case q.Kind == consultation.Scale:
			for _, v := range q.Values {
				row = append(row, v.Count)
				pq.Labels = append(pq.Labels, formatValue(v.Value))
			}
		}
		base := q.Base
		multiple := q.Kind == consultation.Multiple && len(row) > 0
		if len(row) > 0 && !multiple {
			// Every answer is counted once: the counts add up to who
			// answered.
			base = 0
			for _, v := range row {
				base += v
			}
		}
		b := p.Add(suppress.Var{Value: base, Margin: true, Unit: 2*n + 1})
		p.AtMost(b, all)
		cells := make([]int, len(row))
		for j, v := range row {
			cells[j] = p.Add(suppress.Var{Value: v, Unit: 2 * n})
		}
		switch {
		case multiple:
			p.Covers(b, cells...)
		case len(row) > 0:
			p.Sum(b, cells...)
		}
		qv[n] = vars{[]int{b}, cells}
		out = append(out, pq)
	}
	sol, err := suppress.Protect(&p, k)
	if err != nil {
		return nil, err
	}
	for n := range out {
		pq := &out[n]
		for _, c := range qv[n].cells {
			pq.Counts = append(pq.Counts, sol.Show(c))
			pq.Hidden = pq.Hidden || sol.Hidden[c]
		}
		pq.Base = sol.Show(qv[n].base[0])
		pq.BaseHidden = sol.Hidden[qv[n].base[0]]
		pq.Hidden = pq.Hidden || pq.BaseHidden
		if pq.Hidden {
			pq.Mean, pq.Median, pq.Min, pq.Max = nil, nil, nil, nil
		}
		// Only what is published travels on.
		pq.Question.Base, pq.Skipped, pq.Values, pq.Codes = 0, 0, nil, nil
		pq.Question.Options = nil
	}
	return out, nil
}

// AllHidden says whether every count of the question is hidden: there is
// nothing to draw or tabulate.
func (q PublicQuestion) AllHidden() bool {
	if len(q.Counts) == 0 {
		return false
	}
	for _, c := range q.Counts {
		if c != suppress.Mark {
			return false
		}
	}
	return true
}

// formatCount writes the number of respondents: "<k" when below k (then
// nothing else is published).
func formatCount(n int64, k int) string {
	if n > 0 && n < int64(k) {
		return "<" + itoa(int64(k))
	}
	return itoa(n)
}

// publicModel numbers the way public figures are protected: figures
// stored at publication under an older model are counted again.
const publicModel = 2

// Published figures of a consultation, as the public page, its open data
// and the API give them.
type PublicResults struct {
	Questions []PublicQuestion
	// Submitted is the number of submitted responses, "<k" when small:
	// then TooFew is set and no question has figures.
	Submitted string
	TooFew    bool
	K         int
	// Model is the protection model the figures were counted under.
	Model int
	// At is when the figures were counted: they may be up to PublicTTL
	// old.
	At time.Time
}

// PublicTTL is how long public figures are kept before they are counted
// again.
const PublicTTL = time.Minute

// PublicOf gives the public figures of a consultation with the threshold
// in force. While the questionnaire is open they are the figures counted
// at its last publication (counted again only when the threshold or the
// way figures are protected changed), so they do not move with each
// response. Once it is closed they are counted at most once per PublicTTL
// per consultation (and threshold), however many people ask at once: the first asks the
// database, the others wait for its answer.
func (s *Service) PublicOf(ctx context.Context, c *consultation.Consultation, open bool) (*PublicResults, error) {
	k, err := s.Threshold(ctx)
	if err != nil {
		return nil, err
	}
	if open {
		return s.frozen(ctx, c, k)
	}
	return s.public.get(ctx, c.InstrumentID, k, s.now, func(ctx context.Context) (*PublicResults, error) {
		return s.count(ctx, c, k)
	})
}

// count computes the public figures now.
func (s *Service) count(ctx context.Context, c *consultation.Consultation, k int) (*PublicResults, error) {
	o, err := s.Consultation(ctx, c)
	if err != nil {
		return nil, err
	}
	qs, err := Public(o, k)
	if err != nil {
		return nil, err
	}
	tooFew := o.Submitted > 0 && o.Submitted < int64(k)
	if tooFew {
		qs = []PublicQuestion{}
	}
	return &PublicResults{Questions: qs, Submitted: formatCount(o.Submitted, k), TooFew: tooFew, K: k, Model: publicModel, At: s.now()}, nil
}

// frozen returns the figures stored at publication, counting and storing
// them again when there are none yet or the threshold changed since.
func (s *Service) frozen(ctx context.Context, c *consultation.Consultation, k int) (*PublicResults, error) {
	var p Publication
	if err := s.db.WithContext(ctx).Where("instrument_id = ?", c.InstrumentID).Take(&p).Error; err != nil {
		return nil, err
	}
	var pr PublicResults
	if p.Figures != "" && json.Unmarshal([]byte(p.Figures), &pr) == nil && pr.K == k && pr.Model == publicModel {
		return &pr, nil
	}
	fresh, err := s.count(ctx, c, k)
	if err != nil {
		return nil, err
	}
	figures, err := json.Marshal(fresh)
	if err != nil {
		return nil, err
	}
	err = s.db.WithContext(ctx).Model(&Publication{}).Where("instrument_id = ?", c.InstrumentID).Update("figures", string(figures)).Error
	return fresh, err
}

type publicCache struct {
	mu      sync.Mutex
	entries map[int64]*publicEntry
}

type publicEntry struct {
	k     int
	ready chan struct{} // closed once v or err is set
	v     *PublicResults
	err   error
}

func (pc *publicCache) get(ctx context.Context, id int64, k int, now func() time.Time, count func(context.Context) (*PublicResults, error)) (*PublicResults, error) {
	pc.mu.Lock()
	e := pc.entries[id]
	fresh := false
	if e != nil && e.k == k {
		select {
		case <-e.ready:
			fresh = e.err == nil && now().Sub(e.v.At) < PublicTTL
		default:
			fresh = true // being counted: wait for it
		}
	}
	if !fresh {
		e = &publicEntry{k: k, ready: make(chan struct{})}
		pc.entries[id] = e
		pc.mu.Unlock()
		// The count goes on when the asker leaves: others may be waiting.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		e.v, e.err = count(cctx)
		cancel()
		close(e.ready)
		if e.err != nil {
			pc.mu.Lock()
			if pc.entries[id] == e {
				delete(pc.entries, id)
			}
			pc.mu.Unlock()
		}
		return e.v, e.err
	}
	pc.mu.Unlock()
	select {
	case <-e.ready:
		return e.v, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Outcomes says, of each instrument, whether its results are published
// (consultations) and whether its response note is: what the project
// page links to.
func (s *Service) Outcomes(ctx context.Context, instrumentIDs []int64) (results, notes map[int64]bool, err error) {
	results, notes = map[int64]bool{}, map[int64]bool{}
	if len(instrumentIDs) == 0 {
		return results, notes, nil
	}
	var rows []struct {
		InstrumentID int64
		What         string
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT instrument_id, 'results' AS what FROM result_publications WHERE instrument_id IN @ids AND withdrawn_at IS NULL
UNION ALL SELECT instrument_id, 'note' AS what FROM response_notes WHERE instrument_id IN @ids AND published_at IS NOT NULL`,
		sql.Named("ids", instrumentIDs)).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		if r.What == "results" {
			results[r.InstrumentID] = true
		} else {
			notes[r.InstrumentID] = true
		}
	}
	return results, notes, nil
}
