package budget

import (
	"context"
	"errors"
	"strings"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
)

// The channels without a DigiD session: letter codes, the stand and paper
// (docs/architecture.md, "Channels: letters, stand, paper"). They share
// the voter register with online voting: each computes the register token
// a DigiD login of the same person would give (VoterToken), so whichever
// channel a person uses first, every other one finds them registered.

// ChannelOptions are what the channels need besides the database and the
// pseudonym key.
type ChannelOptions struct {
	// Verifier answers the stand's lookup when no register was uploaded
	// (identity.BRP where INSPRAAK_VERIFICATION=brp).
	Verifier identity.Verifier
	// Wijken maps a register row's postcode to its wijk (the table of
	// INSPRAAK_WIJK_TABLE); nil when none is configured.
	Wijken *identity.WijkTable
	// Municipality signs the letters.
	Municipality string
	// CodeURL is where letters send residents to type their code.
	CodeURL string
}

// CodePath is the page where a letter's code is typed (no DigiD needed).
const CodePath = "/stemcode"

// SetChannels configures the letter, stand and paper channels.
func (s *Service) SetChannels(o ChannelOptions) {
	if o.Verifier == nil {
		o.Verifier = identity.NoVerification{}
	}
	s.ch = &o
}

func (s *Service) channels() *ChannelOptions {
	if s.ch != nil {
		return s.ch
	}
	return &ChannelOptions{Verifier: identity.NoVerification{}}
}

// codeKey is the key of this site's letter codes.
func (s *Service) codeKey() []byte { return CodeKey(s.key) }

// bsnToken is the register token of a BSN for one budget: what a DigiD
// login of the same person gives (Participant.Subject is the pseudonym
// under the current key, which is s.key; the keyring's version number
// plays no part in the value).
func (s *Service) bsnToken(instrumentID int64, bsn string) (string, error) {
	keys, err := identity.NewKeyring(1, s.key, nil)
	if err != nil {
		return "", err
	}
	return VoterToken(keys, s.key, instrumentID, bsn)
}

// CleanBSN takes the spaces, dots and dashes out of a typed BSN.
func CleanBSN(s string) string {
	return strings.NewReplacer(" ", "", ".", "", "-", "", "\u00a0", "").Replace(strings.TrimSpace(s))
}

// channelBudget loads a budget with its instrument and areas (not its
// plans) for the channels; NotFound when there is none.
func channelBudget(tx *gorm.DB, instrumentID int64) (*Budget, error) {
	var b Budget
	err := tx.Preload("Instrument").Preload("Areas").Where("instrument_id = ?", instrumentID).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperror.New(apperror.NotFound, "")
	}
	return &b, err
}

// hasArea reports whether the budget has an area for wijk.
func (b *Budget) hasArea(wijk string) bool {
	for _, a := range b.Areas {
		if a.Wijk == wijk {
			return true
		}
	}
	return false
}

// standTarget is how audit entries of a budget name it.
func budgetTarget(id int64) string { return instrument.Target(id) }

// ctxDB is the database under ctx.
func (s *Service) ctxDB(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// BudgetRef names a budget for the stembureau's list.
type BudgetRef struct {
	InstrumentID int64
	Title        string
	ProjectTitle string
	ClosesAt     *time.Time
}

// StandBudgets lists the published budgets, newest first, for the
// stembureau's start page (permission budget.stand).
func (s *Service) StandBudgets(ctx context.Context, a identity.Actor) ([]BudgetRef, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return nil, err
	}
	var out []BudgetRef
	err := s.ctxDB(ctx).Table("budgets b").
		Select("i.id AS instrument_id, i.title, p.title AS project_title, i.closes_at").
		Joins("JOIN instruments i ON i.id = b.instrument_id").Joins("JOIN projects p ON p.id = i.project_id").
		Where("i.published").Order("i.id DESC").Limit(100).Scan(&out).Error
	return out, err
}
