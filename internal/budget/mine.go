package budget

import (
	"context"
	"time"
)

// MyBallot is one budget a participant voted in online, for "Mijn
// inspraak": the plans they chose and what those cost together.
type MyBallot struct {
	ProjectSlug     string
	ProjectTitle    string
	InstrumentSlug  string
	InstrumentTitle string
	InstrumentID    int64
	BallotID        int64
	Plans           []string `gorm:"-"`
	Total           int64    `gorm:"-"` // euro cents
	UpdatedAt       time.Time
}

// BallotsOf returns the budgets a participant voted in online (ballots
// linked to them), newest first, with the plans chosen (two queries,
// whatever the number of budgets). Ballots by letter, at a stand or on
// paper are linked to nobody and never appear here.
func (s *Service) BallotsOf(ctx context.Context, participantID int64) ([]MyBallot, error) {
	var out []MyBallot
	db := s.db.WithContext(ctx)
	err := db.Model(&Ballot{}).Select("projects.slug AS project_slug, projects.title AS project_title, instruments.slug AS instrument_slug, "+
		"instruments.title AS instrument_title, budget_ballots.instrument_id, budget_ballots.id AS ballot_id, budget_ballots.updated_at").
		Joins("JOIN instruments ON instruments.id = budget_ballots.instrument_id").
		Joins("JOIN projects ON projects.id = instruments.project_id").
		Where("budget_ballots.participant_id = ?", participantID).Order("budget_ballots.updated_at DESC, budget_ballots.id DESC").Scan(&out).Error
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]int64, len(out))
	at := map[int64]int{}
	for i, v := range out {
		ids[i], at[v.BallotID] = v.BallotID, i
	}
	var rows []struct {
		BallotID int64
		Title    string
		Cost     int64
	}
	err = db.Model(&BallotPlan{}).Select("budget_ballot_plans.ballot_id, budget_plans.title, budget_plans.cost").
		Joins("JOIN budget_plans ON budget_plans.id = budget_ballot_plans.plan_id").
		Where("budget_ballot_plans.ballot_id IN ?", ids).Order("budget_plans.position").Scan(&rows).Error
	for _, r := range rows {
		m := &out[at[r.BallotID]]
		m.Plans = append(m.Plans, r.Title)
		m.Total += r.Cost
	}
	return out, err
}
