package budget

import (
	"errors"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/participation"
)

// paperBudget loads what judging a paper ballot needs: the budget with
// its areas and plans.
func paperBudget(tx *gorm.DB, instrumentID int64) (*Budget, error) {
	var b Budget
	err := tx.Preload("Areas").Preload("Plans").Where("instrument_id = ?", instrumentID).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperror.New(apperror.NotFound, "")
	}
	return &b, err
}

// paperArea is the area a paper ballot counts in: the one area, or with
// per_wijk the voter's (a declared wijk is named on the paper: c.AreaID).
func paperArea(b *Budget, v Voter, c Choice) (*Area, error) {
	for i := range b.Areas {
		a := &b.Areas[i]
		switch {
		case c.AreaID != 0 && a.ID == c.AreaID:
			if b.PerWijk && b.WijkSource == WijkBRP && a.Wijk != v.Wijk {
				return nil, apperror.New(apperror.Invalid, "budget.error.wrong_wijk")
			}
			return a, nil
		case c.AreaID == 0 && (!b.PerWijk || a.Wijk == v.Wijk):
			return a, nil
		}
	}
	return nil, apperror.New(apperror.Invalid, "budget.error.wrong_wijk")
}

// storePaper registers the paper's voter and stores the ballot uncounted
// in the batch, in the caller's transaction.
func (s *Service) storePaper(tx *gorm.DB, batch *Batch, v Voter, c Choice) (*Receipt, error) {
	b, err := paperBudget(tx, batch.InstrumentID)
	if err != nil {
		return nil, err
	}
	area, err := paperArea(b, v, c)
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
	ballot := Ballot{InstrumentID: batch.InstrumentID, AreaID: area.ID, Channel: ChannelPaper, BatchID: &batchID,
		Wijk: v.Wijk, Counted: false, CreatedAt: now, UpdatedAt: now}
	if err := tx.Create(&ballot).Error; err != nil {
		return nil, err
	}
	var total int64
	rows := make([]BallotPlan, len(lines))
	for i, l := range lines {
		rows[i] = BallotPlan{BallotID: ballot.ID, PlanID: l.PlanID, Points: l.Points}
		for _, p := range b.Plans {
			if p.ID == l.PlanID {
				total += p.Cost
			}
		}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return nil, err
	}
	return &Receipt{BallotID: ballot.ID, AreaID: area.ID, Channel: ChannelPaper, Lines: lines, Total: total, At: now}, nil
}

// replacePaperLines puts new lines on an uncounted paper ballot.
func (s *Service) replacePaperLines(tx *gorm.DB, batch *Batch, ballot *Ballot, c Choice) error {
	b, err := paperBudget(tx, batch.InstrumentID)
	if err != nil {
		return err
	}
	area, err := paperArea(b, Voter{Wijk: ballot.Wijk}, c)
	if err != nil {
		return err
	}
	lines := Normalize(b.Method, c.Lines)
	if err := Check(b, area, lines); err != nil {
		return err
	}
	if err := tx.Where("ballot_id = ?", ballot.ID).Delete(&BallotPlan{}).Error; err != nil {
		return err
	}
	rows := make([]BallotPlan, len(lines))
	for i, l := range lines {
		rows[i] = BallotPlan{BallotID: ballot.ID, PlanID: l.PlanID, Points: l.Points}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return err
	}
	return tx.Model(&Ballot{}).Where("id = ?", ballot.ID).Updates(map[string]any{"area_id": area.ID, "updated_at": s.now()}).Error
}
