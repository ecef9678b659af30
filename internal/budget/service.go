package budget

import (
	"context"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/participation"
	"inspraak/internal/store"
)

// Service holds the rules of budgets.
type Service struct {
	db  *store.DB
	key []byte
	now func() time.Time
	// counter counts results (package budget/count; see countadapter.go).
	counter Counter
	// ch holds the letter, stand and paper settings (SetChannels).
	ch *ChannelOptions
	// threshold is the configured small-count threshold (SetThreshold).
	threshold func(context.Context) (int, error)
	// defs keeps each budget's definition by its instrument's updated_at
	// (definition.go); shared with WithClock's copies.
	defs *definitions
	// groups writes first online ballots in groups on PostgreSQL
	// (group.go); shared with WithClock's copies.
	groups *store.Groups[*castReq, int64]
}

// NewService returns a budget service. key is the pseudonym key, which
// derives the register tokens (as for polls).
func NewService(db *store.DB, key []byte) *Service {
	s := &Service{db: db, key: key, now: func() time.Time { return time.Now().UTC() }, counter: CountByRule, defs: &definitions{}}
	s.groups = newGroups(s)
	return s
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// WithClock returns a copy of the service that reads the time from now
// (the demo seed votes in the past weeks).
func (s *Service) WithClock(now func() time.Time) *Service {
	// A copy of every field, so none is lost when one is added.
	c := *s
	c.now = now
	return &c
}

// SetThreshold gives the service the configured small-count threshold
// (the results settings: results.Service.Threshold), which the per-wijk
// and per-channel breakdowns are protected for. Without it they use
// suppress.DefaultK.
func (s *Service) SetThreshold(k func(context.Context) (int, error)) { s.threshold = k }

// OnlineToken is the register token of a logged-in participant (by their
// pseudonym, the session's Participant.Subject) for one budget: the same
// id a poll ballot registers under.
func (s *Service) OnlineToken(instrumentID int64, subject string) string {
	return participation.VoterID(s.key, participation.Ballot, instrumentID, subject)
}

// VoterToken computes from a BSN the register token a DigiD login of the
// same person would give for this budget: the pseudonym under the current
// key of keys (as identity's login derives Participant.Subject), then the
// per-instrument id under key (the pseudonym key, as OnlineToken). The
// letter-register upload and the stand's lookup keep only this, never the
// BSN. A BSN that fails the 11-test is refused.
func VoterToken(keys *identity.Keyring, key []byte, instrumentID int64, bsn string) (string, error) {
	if !identity.ValidBSN(bsn) {
		return "", apperror.New(apperror.Invalid, "budget.error.bsn_invalid")
	}
	pseudo := keys.Current(identity.KindBSN, bsn)
	return participation.VoterID(key, participation.Ballot, instrumentID, pseudo.Value), nil
}
