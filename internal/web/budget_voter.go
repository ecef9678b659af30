package web

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// budgetVoter is who votes on this request, for the budget with this
// instrument id: the one place the budget pages learn it. Every resident
// page (the basket, the confirmation, casting, the receipt) asks here and
// nowhere else, so a voter of any channel sees and does the same.
//
// Online: the logged-in resident or business (Token from the session's
// pseudonym, ParticipantID, Person and the verified wijk). The letter
// code and kiosk sessions (budget_code*.go, budget_stand*.go) extend this
// function: a code or kiosk session for this instrument gives a Voter of
// channel code or stand (its Token from the register, no ParticipantID);
// such a session wins over a resident session in the same browser.
func (s *Server) budgetVoter(c *gin.Context, instrumentID int64) (budget.Voter, bool) {
	if v, ok := s.budgetChannelVoter(c, instrumentID); ok {
		return v, true
	}
	cur := residentOf(c)
	if cur == nil || cur.Participant == nil {
		return budget.Voter{}, false
	}
	return budget.Voter{
		Channel:       budget.ChannelOnline,
		Token:         s.budgets.OnlineToken(instrumentID, cur.Participant.Subject),
		ParticipantID: cur.Participant.ID,
		Person:        instrument.PersonOf(cur),
		Wijk:          cur.Participant.Wijk,
	}, true
}

// budgetChannelVoter is the hook for the code and kiosk sessions: until
// they exist, nobody votes by another channel on these pages.
var budgetChannelVoterHook func(s *Server, c *gin.Context, instrumentID int64) (budget.Voter, bool)

func (s *Server) budgetChannelVoter(c *gin.Context, instrumentID int64) (budget.Voter, bool) {
	if budgetChannelVoterHook == nil {
		return budget.Voter{}, false
	}
	return budgetChannelVoterHook(s, c, instrumentID)
}

// basketKey binds a basket (and a receipt) cookie to its voter: the
// participant online, a hash of the register token otherwise (the token
// itself is not put in a readable cookie).
func basketKey(v budget.Voter) string {
	if v.Channel == budget.ChannelOnline && v.ParticipantID != 0 {
		return "p" + strconv.FormatInt(v.ParticipantID, 10)
	}
	sum := sha256.Sum256([]byte("basket|" + v.Token))
	return string(v.Channel) + hex.EncodeToString(sum[:8])
}

// budgetVerdict is whether this voter may vote now. Online, the
// instrument's participation rules decide, as for polls. A code or kiosk
// voter was found entitled by their channel (the register, the stand's
// check), so only time counts: not open yet, closed.
func (s *Server) budgetVerdict(in *instrument.Instrument, ps project.Status, v budget.Voter, hasVoter bool) instrument.Verdict {
	now := s.now()
	if hasVoter && v.Channel != budget.ChannelOnline {
		switch in.StateIn(ps, now) {
		case instrument.StateUpcoming:
			return instrument.Verdict{Reason: instrument.ReasonNotOpenYet}
		case instrument.StateClosed:
			return instrument.Verdict{Reason: instrument.ReasonClosed}
		}
		return instrument.Verdict{OK: true}
	}
	return instrument.Eligible(in, ps, v.Person, now)
}

// budgetBallot is what the pages know of this voter's ballot.
type budgetBallot struct {
	// voted: the register knows this voter for the budget (any channel).
	voted bool
	// lines and areaID: their own online ballot, when one is linked to
	// their session (empty for a ballot cast another way).
	lines  []budget.Line
	areaID int64
}

// budgetBallotOf asks the budget service about the voter's ballot.
func (s *Server) budgetBallotOf(c *gin.Context, instrumentID int64, v budget.Voter) (budgetBallot, error) {
	m, err := s.budgets.BallotOf(c.Request.Context(), instrumentID, v.ParticipantID, v.Token)
	if err != nil || m == nil {
		return budgetBallot{}, err
	}
	out := budgetBallot{voted: m.TookPart}
	if m.Ballot != nil && v.Channel == budget.ChannelOnline {
		out.areaID = m.Ballot.AreaID
		for _, l := range m.Ballot.Lines {
			out.lines = append(out.lines, budget.Line{PlanID: l.PlanID, Points: l.Points})
		}
	}
	return out, nil
}
