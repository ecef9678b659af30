package poll

import (
	"time"

	"inspraak/internal/instrument"
)

// FirstBallot exposes the group writer's path to the tests.
var FirstBallot = (*Service).firstBallot

// GroupBallot is one ballot of a group written by StoreGroup.
type GroupBallot struct {
	In      *instrument.Instrument
	Voter   Voter
	Choices []int64
}

// StoreGroup writes ballots as one group, as a group writer would, and
// returns the id each got (0: not stored by the group).
func (s *Service) StoreGroup(group []GroupBallot, at time.Time) ([]int64, error) {
	reqs := make([]*firstReq, len(group))
	for i, g := range group {
		reqs[i] = &firstReq{instrumentID: g.In.ID, expected: g.In.UpdatedAt, voter: s.voterID(g.In.ID, g.Voter.Subject),
			participant: g.Voter.ParticipantID, choices: g.Choices, at: at}
	}
	return storeBallots(s.db, reqs, 0)
}
