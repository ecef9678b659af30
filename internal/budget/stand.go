package budget

import (
	"context"
	"errors"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
)

// StandTicket is the stand's lookup: a member of the stembureau has seen
// the person's identity document and types their BSN. The BSN is checked
// with the 11-test, turned into the register token a DigiD login of the
// same person would give, and dropped: it is never stored or logged, not
// even in the audit entry (budget.stand.ticket names the budget and
// whether a register decided, nothing of the person).
//
// Who may vote: when a register was uploaded for this budget, the people
// on it (the wijk is the register's); otherwise the BRP verification says
// whether the person lives in the municipality, their age band and wijk,
// and the budget's participation rules decide. Someone in the voter
// register already (by any channel) is refused at once, without saying
// how they voted.
//
// The ticket does not register the person: Cast does, in the ballot's
// transaction, as on every channel. So someone who walks away from the
// kiosk can still vote later, and two tickets for one person give one
// ballot.
func (s *Service) StandTicket(ctx context.Context, a identity.Actor, instrumentID int64, bsn string) (Voter, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return Voter{}, err
	}
	bsn = CleanBSN(bsn)
	if !identity.ValidBSN(bsn) {
		return Voter{}, apperror.New(apperror.Invalid, "budget.stand.bad_bsn").WithField("bsn", "budget.stand.bad_bsn")
	}
	token, err := s.bsnToken(instrumentID, bsn)
	if err != nil {
		return Voter{}, err
	}
	db := s.ctxDB(ctx)
	in, ps, err := instrument.ForRules(db, instrumentID, false)
	if err != nil {
		return Voter{}, err
	}
	if in.Kind != instrument.KindBudget || !in.Published {
		return Voter{}, apperror.New(apperror.NotFound, "")
	}
	now := s.now()
	switch in.StateIn(ps, now) {
	case instrument.StateUpcoming:
		return Voter{}, apperror.New(apperror.Closed, instrument.ReasonNotOpenYet)
	case instrument.StateClosed:
		return Voter{}, apperror.New(apperror.Closed, instrument.ReasonClosed)
	}
	b, err := channelBudget(db, instrumentID)
	if err != nil {
		return Voter{}, err
	}
	voted, err := participation.Registered(db, participation.Ballot, instrumentID, token)
	if err != nil {
		return Voter{}, err
	}
	if voted {
		return Voter{}, apperror.New(apperror.Conflict, "budget.error.already_voted")
	}
	n, err := s.RegisterSize(ctx, instrumentID)
	if err != nil {
		return Voter{}, err
	}
	var v Voter
	if n > 0 {
		var e Elector
		err := db.Where("instrument_id = ? AND voter = ?", instrumentID, token).Take(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return Voter{}, apperror.New(apperror.Forbidden, "budget.stand.not_on_register")
		}
		if err != nil {
			return Voter{}, err
		}
		v = registerVoter(ChannelStand, e)
	} else {
		facts, err := s.channels().Verifier.Verify(ctx, bsn)
		if err != nil {
			// The verifier's errors never hold the BSN (identity.BRP).
			return Voter{}, apperror.Wrap(err, apperror.Unavailable, "budget.stand.lookup_failed")
		}
		needWijk := b.PerWijk && b.WijkSource == WijkBRP
		if facts == nil {
			if in.ResidentsOnly || in.MinAge > 0 || needWijk {
				return Voter{}, apperror.New(apperror.Forbidden, "budget.stand.cannot_check")
			}
			facts = &identity.Facts{}
		}
		p := instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: highestDigiD(), AgeBand: facts.AgeBand}
		if in.ResidentsOnly || in.MinAge > 0 || facts.Resident {
			resident := facts.Resident
			p.Resident = &resident
		}
		if verdict := instrument.Eligible(in, ps, p, now); !verdict.OK {
			return Voter{}, verdict.Err()
		}
		if needWijk && (facts.Wijk == "" || !b.hasArea(facts.Wijk)) {
			return Voter{}, apperror.New(apperror.Forbidden, "budget.stand.no_wijk")
		}
		v = Voter{Channel: ChannelStand, Token: token, Wijk: facts.Wijk, Person: p}
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		return a.Record(tx, "budget.stand.ticket", budgetTarget(instrumentID), map[string]any{"register": n > 0})
	})
	if err != nil {
		return Voter{}, err
	}
	return v, nil
}
