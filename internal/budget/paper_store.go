package budget

import (
	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/participation"
)

// storePaper registers the paper's voter and stores the ballot uncounted
// in the batch, in the caller's transaction, through StoreBallot (which
// judges the lines with Check, as for every channel). The area is the
// register's wijk's (or the only one); with a declared wijk the paper
// names it (c.AreaID).
func (s *Service) storePaper(tx *gorm.DB, batch *Batch, v Voter, c Choice) (*Receipt, error) {
	b, err := load(tx, batch.InstrumentID)
	if err != nil {
		return nil, err
	}
	area, wijk, err := areaFor(b, v.Wijk, c.AreaID)
	if err != nil {
		return nil, err
	}
	lines := Normalize(b.Method, c.Lines)
	if err := Check(b, area, lines); err != nil {
		return nil, err
	}
	fresh, err := participation.Register(tx, participation.Ballot, batch.InstrumentID, batch.InstrumentID, v.Token)
	if err != nil {
		return nil, err
	}
	if !fresh {
		return nil, apperror.New(apperror.Conflict, "budget.error.already_voted")
	}
	now := s.now()
	batchID := batch.ID
	bl, err := StoreBallot(tx, b, NewBallot{Area: area, Channel: ChannelPaper, Wijk: wijk, Lines: lines, Counted: false, BatchID: &batchID, At: now})
	if err != nil {
		return nil, err
	}
	return receipt(b, bl.ID, area.ID, ChannelPaper, lines, false, now), nil
}

// replacePaperLines puts new lines on an uncounted paper ballot, judged
// as a new one would be, in its own area.
func (s *Service) replacePaperLines(tx *gorm.DB, batch *Batch, ballot *Ballot, c Choice) error {
	b, err := load(tx, batch.InstrumentID)
	if err != nil {
		return err
	}
	area := b.Area(ballot.AreaID)
	if c.AreaID != 0 && c.AreaID != ballot.AreaID {
		if area, _, err = areaFor(b, ballot.Wijk, c.AreaID); err != nil {
			return err
		}
	}
	if area == nil {
		return apperror.New(apperror.Invalid, "budget.error.not_ready")
	}
	lines := Normalize(b.Method, c.Lines)
	if err := Check(b, area, lines); err != nil {
		return err
	}
	if err := tx.Where("ballot_id = ?", ballot.ID).Delete(&BallotPlan{}).Error; err != nil {
		return err
	}
	if err := storeLines(tx, ballot.ID, ChannelPaper, lines, false); err != nil {
		return err
	}
	return tx.Model(&Ballot{}).Where("id = ?", ballot.ID).Updates(map[string]any{"area_id": area.ID, "updated_at": s.now()}).Error
}
