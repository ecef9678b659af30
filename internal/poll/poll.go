// Package poll owns polls (peilingen): one question, single or multiple
// choice, one ballot per participant, tallies kept in the same transaction
// as the ballot and spread over shards so a popular option does not queue
// its voters behind one row.
package poll

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Shards is how many rows each option's tally is spread over.
const Shards = 8

// Results visibility.
const (
	ShowAfterVote  = "after_vote"
	ShowAfterClose = "after_close"
	ShowNever      = "never"
)

// Poll is a row of polls.
type Poll struct {
	InstrumentID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Question          string `gorm:"not null"`
	Multiple          bool   `gorm:"not null"`
	MaxChoices        int    `gorm:"not null"`
	ResultsVisibility string `gorm:"not null"`

	Options    []Option               `gorm:"foreignKey:InstrumentID;references:InstrumentID"`
	Instrument *instrument.Instrument `gorm:"foreignKey:InstrumentID"`
}

// TableName fixes the table name.
func (Poll) TableName() string { return "polls" }

// Option is an answer to choose.
type Option struct {
	ID           int64  `gorm:"primaryKey"`
	InstrumentID int64  `gorm:"not null;uniqueIndex:poll_options_instrument_position_key,priority:1"`
	Position     int    `gorm:"not null;uniqueIndex:poll_options_instrument_position_key,priority:2"`
	Label        string `gorm:"not null"`
}

// TableName fixes the table name.
func (Option) TableName() string { return "poll_options" }

// Ballot is one participant's vote in one poll.
type Ballot struct {
	ID           int64 `gorm:"primaryKey"`
	InstrumentID int64 `gorm:"not null;uniqueIndex:ballots_instrument_participant_key,priority:1"`
	// ParticipantID is the ballot's only link to its voter, removed on
	// erasure; one ballot per person is the voter register's key
	// (package participation), not this table's.
	ParticipantID *int64    `gorm:"uniqueIndex:ballots_instrument_participant_key,priority:2"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Ballot) TableName() string { return "ballots" }

// Choice is one chosen option of a ballot.
type Choice struct {
	BallotID int64 `gorm:"primaryKey;autoIncrement:false"`
	OptionID int64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName fixes the table name.
func (Choice) TableName() string { return "ballot_choices" }

// Tally is one shard of one option's count.
type Tally struct {
	OptionID int64 `gorm:"primaryKey;autoIncrement:false"`
	Shard    int   `gorm:"primaryKey;autoIncrement:false"`
	Votes    int64 `gorm:"not null"`
}

// TableName fixes the table name.
func (Tally) TableName() string { return "poll_tallies" }

// Models lists the row structs this package owns.
func Models() []any { return []any{&Poll{}, &Option{}, &Ballot{}, &Choice{}, &Tally{}} }

// Service holds the rules of polls.
type Service struct {
	db  *store.DB
	key []byte
	now func() time.Time

	// defs caches each poll's definition (question settings and options)
	// by its instrument's updated_at: every edit of a poll moves that
	// timestamp, so a stale entry is never used (see VoteAt).
	defsMu sync.Mutex
	defs   map[int64]*Poll

	// batch writes first ballots in groups (batch.go).
	batch *store.Groups[*firstReq, int64]
}

// maxCachedDefs bounds the definition cache; past it, it starts over.
const maxCachedDefs = 1024

// NewService returns a poll service. key derives per-poll voter ids.
func NewService(db *store.DB, key []byte) *Service {
	return &Service{db: db, key: key, now: func() time.Time { return time.Now().UTC() }, batch: newBatch(db)}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// WithClock returns a copy of the service that reads the time from now
// (the demo seed votes through it in the past weeks); it shares the
// database and the group writers, not the definition cache.
func (s *Service) WithClock(now func() time.Time) *Service {
	return &Service{db: s.db, key: s.key, now: now, batch: s.batch}
}

// voterID derives the per-poll id under which the voter register
// (package participation) records that a participant voted. Ballots never
// carry it.
func (s *Service) voterID(instrumentID int64, subject string) string {
	return participation.VoterID(s.key, "ballot", instrumentID, subject)
}

// Draft is what an editor supplies for a new poll.
type Draft struct {
	ProjectID         int64
	Slug              string
	Title             string
	Description       string
	Question          string
	Multiple          bool
	MaxChoices        int
	ResultsVisibility string
	Options           []string
	Rules             instrument.Instrument // Who, MinLoA*, ResidentsOnly, MinAge, OpensAt, ClosesAt, AllowChange
	Published         bool
}

// Limits.
const (
	MaxOptions     = 30
	MaxOptionLabel = 200
	MaxQuestion    = 500
)

func (d *Draft) validate() error {
	f := map[string]string{}
	if strings.TrimSpace(d.Title) == "" {
		f["title"] = "poll.error.title_required"
	}
	if q := strings.TrimSpace(d.Question); q == "" {
		f["question"] = "poll.error.question_required"
	} else if utf8.RuneCountInString(q) > MaxQuestion {
		f["question"] = "poll.error.question_too_long"
	}
	var opts []string
	for _, o := range d.Options {
		if o = strings.TrimSpace(o); o != "" {
			opts = append(opts, o)
		}
	}
	d.Options = opts
	switch {
	case len(opts) < 2:
		f["options"] = "poll.error.two_options"
	case len(opts) > MaxOptions:
		f["options"] = "poll.error.too_many_options"
	}
	for _, o := range opts {
		if utf8.RuneCountInString(o) > MaxOptionLabel {
			f["options"] = "poll.error.option_too_long"
		}
	}
	if !d.Multiple {
		d.MaxChoices = 1
	} else if d.MaxChoices < 1 || d.MaxChoices > len(opts) {
		d.MaxChoices = len(opts)
	}
	switch d.ResultsVisibility {
	case ShowAfterVote, ShowAfterClose, ShowNever:
	case "":
		d.ResultsVisibility = ShowAfterVote
	default:
		f["results_visibility"] = "poll.error.visibility"
	}
	if d.Rules.OpensAt != nil && d.Rules.ClosesAt != nil && !d.Rules.ClosesAt.After(*d.Rules.OpensAt) {
		f["closes_at"] = "instrument.error.closes_before_opens"
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// Create stores a new poll with its options, through instrument.Create
// (the editor's permission, the address, the audit record).
func (s *Service) Create(ctx context.Context, a identity.Actor, d Draft) (*Poll, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	p := &Poll{Question: strings.TrimSpace(d.Question), Multiple: d.Multiple, MaxChoices: d.MaxChoices, ResultsVisibility: d.ResultsVisibility}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Create(tx, a, instrument.Header{ProjectID: d.ProjectID, Kind: instrument.KindPoll, Slug: d.Slug, Title: d.Title,
			Description: d.Description, Published: d.Published}, d.Rules, s.now(), func(in *instrument.Instrument) (map[string]any, error) {
			p.InstrumentID = in.ID
			if err := tx.Omit(clause.Associations).Create(p).Error; err != nil {
				return nil, err
			}
			for i, label := range d.Options {
				o := Option{InstrumentID: in.ID, Position: i + 1, Label: label}
				if err := tx.Create(&o).Error; err != nil {
					return nil, err
				}
				p.Options = append(p.Options, o)
			}
			return map[string]any{"published": d.Published, "options": len(p.Options)}, nil
		})
		p.Instrument = in
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Get returns a poll with its instrument and options.
func (s *Service) Get(ctx context.Context, instrumentID int64) (*Poll, error) {
	var p Poll
	err := s.db.WithContext(ctx).Preload("Instrument").
		Preload("Options", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("instrument_id = ?", instrumentID).Take(&p).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &p, nil
}

// definition returns the poll behind in, from the cache when it was
// loaded at the same updated_at.
func (s *Service) definition(ctx context.Context, in *instrument.Instrument) (*Poll, error) {
	s.defsMu.Lock()
	p := s.defs[in.ID]
	s.defsMu.Unlock()
	if p != nil && p.Instrument.UpdatedAt.Equal(in.UpdatedAt) {
		return p, nil
	}
	p, err := s.Get(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	s.defsMu.Lock()
	if s.defs == nil || len(s.defs) >= maxCachedDefs {
		s.defs = map[int64]*Poll{}
	}
	s.defs[in.ID] = p
	s.defsMu.Unlock()
	return p, nil
}

// Voter is the participant casting a ballot, as the session knows them now.
type Voter struct {
	ParticipantID int64
	Subject       string
	Person        instrument.Person
}

// Receipt confirms a stored ballot.
type Receipt struct {
	BallotID int64
	Options  []int64
	Changed  bool
	At       time.Time
}

// Vote stores a ballot, or changes it when the poll allows. The rules are
// checked inside the transaction against the poll as it is now; tallies
// move in the same transaction. A duplicate submit (two tabs, a double
// click) either changes nothing or is refused: never two ballots.
func (s *Service) Vote(ctx context.Context, instrumentID int64, v Voter, optionIDs []int64) (*Receipt, error) {
	var r *Receipt
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		r, err = s.vote(ctx, instrumentID, v, optionIDs)
		// Writers that collided (a deadlock or SQLite's busy lock) go
		// again; the first-ballot insert itself never conflicts (ON
		// CONFLICT DO NOTHING takes the change path instead).
		if !errors.Is(err, gorm.ErrDuplicatedKey) && !store.Collided(err) {
			break
		}
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperror.Wrap(err, apperror.Conflict, "poll.error.already_voted")
	}
	return r, err
}

// VoteAt is Vote for a caller that has just loaded the published
// instrument with its project's status (the vote endpoint, through
// instrument.GetPublishedBySlugs). On PostgreSQL a first ballot is stored
// by one statement that inserts the ballot, its choices and the tally
// together (with the other first ballots that arrived at the same moment,
// batch.go), and only if the instrument row still has the updated_at the
// rules and options were checked against and its project is still
// published; everything else (SQLite, a refusal, a second ballot, an
// instrument or project that changed meanwhile) takes Vote's full
// transaction, which reads both again and words any refusal.
func (s *Service) VoteAt(ctx context.Context, in *instrument.Instrument, ps project.Status, v Voter, optionIDs []int64) (*Receipt, error) {
	now := s.now()
	if s.db.Dialect != store.Postgres || !in.Published || in.Kind != instrument.KindPoll ||
		!instrument.Eligible(in, ps, v.Person, now).OK {
		return s.Vote(ctx, in.ID, v, optionIDs)
	}
	p, err := s.definition(ctx, in)
	if err != nil {
		return nil, err
	}
	chosen, err := validChoice(p, optionIDs)
	if err != nil {
		return nil, err
	}
	id, err := s.firstBallot(ctx, in, v, chosen, now)
	if err != nil && !store.Collided(err) {
		return nil, err
	}
	if id == 0 {
		return s.Vote(ctx, in.ID, v, optionIDs)
	}
	return &Receipt{BallotID: id, Options: chosen, At: now}, nil
}

func (s *Service) vote(ctx context.Context, instrumentID int64, v Voter, optionIDs []int64) (*Receipt, error) {
	now := s.now()
	voter := s.voterID(instrumentID, v.Subject)
	var rec Receipt
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		// Editors change a poll under FOR UPDATE on its instrument row
		// (instrument.Touch); a ballot is stored under FOR KEY SHARE, so
		// it is checked against the poll either before or after an edit,
		// never half-way (SQLite's writers are serial anyway). The same
		// read brings the project's status, which can close the poll.
		in, ps, err := instrument.ForRules(tx, instrumentID, true)
		if err != nil {
			return err
		}
		if !in.Published || in.Kind != instrument.KindPoll {
			return apperror.New(apperror.NotFound, "")
		}
		if err := instrument.Eligible(in, ps, v.Person, now).Err(); err != nil {
			return err
		}
		var p Poll
		if err := tx.Preload("Options").Where("instrument_id = ?", instrumentID).Take(&p).Error; err != nil {
			return store.MapError(err)
		}
		p.Instrument = in
		chosen, err := validChoice(&p, optionIDs)
		if err != nil {
			return err
		}
		// Most ballots are first ballots: try the register straight away;
		// only someone already registered needs their ballot read (and
		// locked). A register row without a ballot linked to this
		// participant is someone who voted and then erased their data.
		pid := v.ParticipantID
		b := Ballot{InstrumentID: instrumentID, ParticipantID: &pid, CreatedAt: now, UpdatedAt: now}
		first, err := participation.Register(tx, participation.Ballot, instrumentID, instrumentID, voter)
		if err != nil {
			return err
		}
		if first {
			if err := tx.Create(&b).Error; err != nil {
				return err
			}
		} else {
			b = Ballot{} // a zero key, or gorm would add "AND id = ..." to the lookup
			q := tx.Where("participant_id = ? AND instrument_id = ?", pid, instrumentID)
			if s.db.Dialect == store.Postgres {
				q = q.Clauses(clause.Locking{Strength: "UPDATE"})
			}
			err := q.Take(&b).Error
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperror.New(apperror.Conflict, "poll.error.took_part_unlinked")
			}
			if err != nil {
				return err
			}
			var old []int64
			if err := tx.Model(&Choice{}).Where("ballot_id = ?", b.ID).Order("option_id").Pluck("option_id", &old).Error; err != nil {
				return err
			}
			if slices.Equal(old, chosen) {
				rec = Receipt{BallotID: b.ID, Options: chosen, At: b.UpdatedAt}
				return nil // the same ballot again: nothing changes
			}
			if !p.Instrument.AllowChange {
				return apperror.New(apperror.Conflict, "poll.error.already_voted")
			}
			if err := tx.Where("ballot_id = ?", b.ID).Delete(&Choice{}).Error; err != nil {
				return err
			}
			for _, o := range old {
				if err := bump(tx, o, -1); err != nil {
					return err
				}
			}
			rec.Changed = true
			if err := tx.Model(&Ballot{}).Where("id = ?", b.ID).Update("updated_at", now).Error; err != nil {
				return err
			}
		}
		for _, o := range chosen {
			if err := tx.Create(&Choice{BallotID: b.ID, OptionID: o}).Error; err != nil {
				return err
			}
			if err := bump(tx, o, 1); err != nil {
				return err
			}
		}
		rec.BallotID, rec.Options, rec.At = b.ID, chosen, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &rec, nil
}

// bump adds delta to a random shard of an option's tally.
func bump(tx *gorm.DB, optionID int64, delta int64) error {
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "option_id"}, {Name: "shard"}},
		DoUpdates: clause.Assignments(map[string]any{"votes": gorm.Expr("poll_tallies.votes + ?", delta)}),
	}).Create(&Tally{OptionID: optionID, Shard: rand.IntN(Shards), Votes: delta}).Error
}

// validChoice checks the chosen options against the poll and returns them
// sorted and without duplicates.
func validChoice(p *Poll, optionIDs []int64) ([]int64, error) {
	if len(optionIDs) == 0 {
		return nil, apperror.Invalid.WithFields(map[string]string{"choice": "poll.error.choose_one"})
	}
	known := map[int64]bool{}
	for _, o := range p.Options {
		known[o.ID] = true
	}
	seen := map[int64]bool{}
	var out []int64
	for _, id := range optionIDs {
		if !known[id] {
			return nil, apperror.Invalid.WithFields(map[string]string{"choice": "poll.error.unknown_option"})
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	if !p.Multiple && len(out) > 1 {
		return nil, apperror.Invalid.WithFields(map[string]string{"choice": "poll.error.only_one"})
	}
	if len(out) > p.MaxChoices {
		return nil, apperror.Invalid.WithFields(map[string]string{"choice": "poll.error.too_many"})
	}
	slices.Sort(out)
	return out, nil
}

// BallotOf returns the options a participant chose, or nil. When they
// have no ballot linked to them, unlinked says whether the register still
// knows they voted (they erased their data since): then they cannot vote
// again, and what they chose is no longer theirs to see.
func (s *Service) BallotOf(ctx context.Context, instrumentID, participantID int64, subject string) (options []int64, unlinked bool, err error) {
	db := s.db.WithContext(ctx)
	err = db.Model(&Choice{}).
		Joins("JOIN ballots ON ballots.id = ballot_choices.ballot_id").
		Where("ballots.participant_id = ? AND ballots.instrument_id = ?", participantID, instrumentID).
		Order("option_id").Pluck("option_id", &options).Error
	if err != nil || len(options) > 0 {
		return options, false, err
	}
	unlinked, err = participation.Registered(db, participation.Ballot, instrumentID, s.voterID(instrumentID, subject))
	return nil, unlinked, err
}

// OptionResult is one line of the results.
type OptionResult struct {
	OptionID int64
	Label    string
	Votes    int64
	// Percent of ballots that chose this option (multiple choice: the
	// percentages may add up to more than 100, never any single one).
	Percent float64
}

// Results are a poll's current counts.
type Results struct {
	Ballots int64
	Options []OptionResult
}

// Results sums the tally shards per option.
func (s *Service) Results(ctx context.Context, p *Poll) (Results, error) {
	var r Results
	if err := s.db.WithContext(ctx).Model(&Ballot{}).Where("instrument_id = ?", p.InstrumentID).Count(&r.Ballots).Error; err != nil {
		return r, err
	}
	type row struct {
		OptionID int64
		Votes    int64
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&Tally{}).Select("option_id, SUM(votes) AS votes").
		Where("option_id IN (?)", s.db.Model(&Option{}).Select("id").Where("instrument_id = ?", p.InstrumentID)).
		Group("option_id").Scan(&rows).Error
	if err != nil {
		return r, err
	}
	votes := map[int64]int64{}
	for _, x := range rows {
		votes[x.OptionID] = x.Votes
	}
	for _, o := range p.Options {
		or := OptionResult{OptionID: o.ID, Label: o.Label, Votes: votes[o.ID]}
		if r.Ballots > 0 {
			or.Percent = float64(or.Votes) * 100 / float64(r.Ballots)
		}
		r.Options = append(r.Options, or)
	}
	return r, nil
}

// Recount counts the ballots themselves, for checking the tally.
func (s *Service) Recount(ctx context.Context, instrumentID int64) (map[int64]int64, error) {
	type row struct {
		OptionID int64
		N        int64
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&Choice{}).Select("ballot_choices.option_id, COUNT(*) AS n").
		Joins("JOIN ballots ON ballots.id = ballot_choices.ballot_id").
		Where("ballots.instrument_id = ?", instrumentID).Group("ballot_choices.option_id").Scan(&rows).Error
	out := map[int64]int64{}
	for _, x := range rows {
		out[x.OptionID] = x.N
	}
	return out, err
}

// ResultsVisible says whether results may be shown to this visitor now.
func ResultsVisible(p *Poll, hasVoted bool, now time.Time) bool {
	closed := p.Instrument.StateAt(now) == instrument.StateClosed
	switch p.ResultsVisibility {
	case ShowAfterVote:
		return hasVoted || closed
	case ShowAfterClose:
		return closed
	}
	return false
}
