package budget

import (
	"context"

	"inspraak/internal/instrument"
)

// TogetherCast is one cast handed to CastTogether.
type TogetherCast struct {
	Voter  Voter
	Choice Choice
}

// CastTogether casts as CastAt does, except that every online cast is
// handed to one group write together, so a test knows which ballots
// share a group, and that no rule is checked before the group: the
// writer has to judge each ballot itself. Each cast the group did not
// store takes the full transaction, as in CastAt. byGroup says which
// casts the group stored.
func (s *Service) CastTogether(ctx context.Context, instrumentID int64, casts []TogetherCast) (rs []*Receipt, errs []error, byGroup []bool) {
	rs, errs, byGroup = make([]*Receipt, len(casts)), make([]error, len(casts)), make([]bool, len(casts))
	in, _, err := instrument.ForRules(s.db.WithContext(ctx), instrumentID, false)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return
	}
	b, err := s.Definition(ctx, in)
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return
	}
	now := s.now()
	var group []*castReq
	var at []int
	for i, c := range casts {
		area, wijk, err := areaFor(b, c.Voter.Wijk, c.Choice.AreaID)
		if err != nil || c.Voter.Channel != ChannelOnline {
			continue
		}
		group = append(group, &castReq{budget: b, expected: in.UpdatedAt, area: area, wijk: wijk, voter: c.Voter.Token,
			participant: c.Voter.ParticipantID, lines: Normalize(b.Method, c.Choice.Lines), at: now})
		at = append(at, i)
	}
	ids, err := storeGroup(s.db, group, 0)
	if err != nil {
		ids = make([]int64, len(group))
	}
	for j, i := range at {
		if ids[j] != 0 {
			r := group[j]
			rs[i], byGroup[i] = receipt(b, ids[j], r.area.ID, ChannelOnline, r.lines, false, now), true
		}
	}
	for i, c := range casts {
		if !byGroup[i] {
			rs[i], errs[i] = s.castFull(ctx, instrumentID, c.Voter, c.Choice)
		}
	}
	return
}
