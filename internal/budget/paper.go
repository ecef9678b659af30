package budget

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
)

// Paper ballots (docs/architecture.md, "Channels: letters, stand, paper").
//
// A paper ballot carries the code of the resident's letter. Staff with
// budget.stand enter paper ballots in batches: OpenBatch, AddPaper per
// paper (the code is redeemed at once: the person is in the voter register
// from that moment, so they cannot also vote online while the batch waits),
// RemovePaper or ChangePaper to fix an entry, SubmitBatch. A second staff
// member counts the papers and checks the batch (CheckBatch): only then do
// its ballots count and the tallies move. The checker can send it back
// with a note (ReturnBatch). A checked batch is changed only through
// CorrectBatch with a reason, which uncounts it and sends it through the
// four eyes again. Every step is audited in its own transaction.
//
// While a batch can still be changed, each entered ballot keeps the
// register token of its code (budget_paper_entries), so removing an entry
// frees exactly that person. The link is deleted when the batch is
// checked: a counted ballot keeps no link to anyone. An entry removed
// after a correction therefore no longer frees its person (their paper
// was handed in; a spoiled paper still means they voted).

// MaxBatchNote bounds a return note or correction reason.
const MaxBatchNote = 1000

func staffID(a identity.Actor) *int64 {
	if a.StaffID == 0 {
		return nil
	}
	id := a.StaffID
	return &id
}

// lockBatch reads a batch, on PostgreSQL holding it until the transaction
// ends, so two staff members acting on one batch take turns.
func lockBatch(tx *gorm.DB, batchID int64) (*Batch, error) {
	var b Batch
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Where("id = ?", batchID).Take(&b).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperror.New(apperror.NotFound, "")
	}
	return &b, err
}

// mine refuses an actor who is not the batch's enterer (entering is one
// person's job until they submit; a program may always).
func mine(b *Batch, a identity.Actor) error {
	if a.System == "" && (b.EnteredBy == nil || *b.EnteredBy != a.StaffID) {
		return apperror.New(apperror.Forbidden, "budget.batch.not_yours")
	}
	return nil
}

func needStatus(b *Batch, status string) error {
	if b.Status != status {
		return apperror.New(apperror.Conflict, "budget.batch.status_"+status)
	}
	return nil
}

func batchDetail(b *Batch, more map[string]any) map[string]any {
	d := map[string]any{"batch": b.ID, "number": b.Number}
	for k, v := range more {
		d[k] = v
	}
	return d
}

// OpenBatch starts a new batch of paper ballots, entered by a. Batches are
// numbered 1, 2, … per budget.
func (s *Service) OpenBatch(ctx context.Context, a identity.Actor, instrumentID int64) (*Batch, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return nil, err
	}
	var out *Batch
	err := s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		var bud Budget
		q := tx
		if tx.Dialector.Name() == "postgres" {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"}) // numbers are given out one at a time
		}
		if err := q.Where("instrument_id = ?", instrumentID).Take(&bud).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return apperror.New(apperror.NotFound, "")
			}
			return err
		}
		var last int
		if err := tx.Model(&Batch{}).Where("instrument_id = ?", instrumentID).Select("COALESCE(MAX(number), 0)").Scan(&last).Error; err != nil {
			return err
		}
		b := &Batch{InstrumentID: instrumentID, Number: last + 1, Status: BatchOpen, EnteredBy: staffID(a), CreatedAt: s.now()}
		if err := tx.Create(b).Error; err != nil {
			return err
		}
		out = b
		return a.Record(tx, "budget.batch.open", budgetTarget(instrumentID), batchDetail(b, nil))
	})
	return out, err
}

// AddPaper enters one paper ballot: the code printed on it and the plans
// marked. The code is redeemed at once (the person is registered as having
// voted); the ballot is stored uncounted until the batch is checked. A
// code that was used already, by any channel or earlier on paper, is
// refused and nothing is stored. Papers are entered after the budget
// closes too (those handed in on time), but not before it opens.
func (s *Service) AddPaper(ctx context.Context, a identity.Actor, batchID int64, code string, c Choice) (*Receipt, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return nil, err
	}
	norm, err := NormaliseCode(code)
	if err != nil {
		return nil, err
	}
	var rec *Receipt
	err = s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := mine(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchOpen); err != nil {
			return err
		}
		in, ps, err := instrument.ForRules(tx, b.InstrumentID, true)
		if err != nil {
			return err
		}
		if !in.Published {
			return apperror.New(apperror.NotFound, "")
		}
		if in.StateIn(ps, s.now()) == instrument.StateUpcoming {
			return apperror.New(apperror.Closed, instrument.ReasonNotOpenYet)
		}
		var e Elector
		err = tx.Where("instrument_id = ? AND code_lookup = ?", b.InstrumentID, CodeLookup(s.codeKey(), norm)).Take(&e).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperror.New(apperror.Invalid, "budget.code.unknown").WithField("code", "budget.code.unknown")
		}
		if err != nil {
			return err
		}
		rec, err = s.storePaper(tx, b, registerVoter(ChannelPaper, e), c)
		if err != nil {
			return err
		}
		if err := tx.Create(&PaperEntry{BallotID: rec.BallotID, Voter: e.Voter}).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.paper.add", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{"ballot": rec.BallotID}))
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// RemovePaper takes an entry out of an open batch, and frees the person of
// its code (they may vote again, by any channel) while the batch keeps
// that link (see PaperEntry).
func (s *Service) RemovePaper(ctx context.Context, a identity.Actor, batchID, ballotID int64) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := mine(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchOpen); err != nil {
			return err
		}
		var ballot Ballot
		err = tx.Where("id = ? AND batch_id = ?", ballotID, batchID).Take(&ballot).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperror.New(apperror.NotFound, "")
		}
		if err != nil {
			return err
		}
		var entries []PaperEntry
		if err := tx.Where("ballot_id = ?", ballotID).Find(&entries).Error; err != nil {
			return err
		}
		freed := false
		for _, e := range entries {
			if err := participation.Unregister(tx, participation.Ballot, b.InstrumentID, e.Voter); err != nil {
				return err
			}
			freed = true
		}
		if err := tx.Where("ballot_id = ?", ballotID).Delete(&PaperEntry{}).Error; err != nil {
			return err
		}
		if err := tx.Where("ballot_id = ?", ballotID).Delete(&BallotPlan{}).Error; err != nil {
			return err
		}
		if err := tx.Delete(&Ballot{}, ballotID).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.paper.remove", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{"ballot": ballotID, "freed": freed}))
	})
}

// ChangePaper replaces the plans of an entry in an open batch (a paper
// entered wrongly); the code and the register are not touched.
func (s *Service) ChangePaper(ctx context.Context, a identity.Actor, batchID, ballotID int64, c Choice) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := mine(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchOpen); err != nil {
			return err
		}
		var ballot Ballot
		err = tx.Where("id = ? AND batch_id = ?", ballotID, batchID).Take(&ballot).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperror.New(apperror.NotFound, "")
		}
		if err != nil {
			return err
		}
		if err := s.replacePaperLines(tx, b, &ballot, c); err != nil {
			return err
		}
		return a.Record(tx, "budget.paper.change", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{"ballot": ballotID}))
	})
}

// SetInvalid records how many papers of an open batch could not be
// counted (no code, unreadable, a code of another budget).
func (s *Service) SetInvalid(ctx context.Context, a identity.Actor, batchID int64, n int) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	if n < 0 || n > 100000 {
		return apperror.New(apperror.Invalid, "budget.batch.bad_invalid_count").WithField("invalid", "budget.batch.bad_invalid_count")
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := mine(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchOpen); err != nil {
			return err
		}
		if err := tx.Model(&Batch{}).Where("id = ?", batchID).Update("invalid_count", n).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.batch.invalid", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{"invalid": n}))
	})
}

// batchCounts are the entered ballots and their lines.
func batchCounts(tx *gorm.DB, batchID int64) (ballots, lines int64, err error) {
	if err = tx.Model(&Ballot{}).Where("batch_id = ?", batchID).Count(&ballots).Error; err != nil {
		return
	}
	err = tx.Model(&BallotPlan{}).Where("ballot_id IN (?)", tx.Model(&Ballot{}).Select("id").Where("batch_id = ?", batchID)).Count(&lines).Error
	return
}

// SubmitBatch hands an open batch to a second staff member.
func (s *Service) SubmitBatch(ctx context.Context, a identity.Actor, batchID int64) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := mine(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchOpen); err != nil {
			return err
		}
		ballots, lines, err := batchCounts(tx, batchID)
		if err != nil {
			return err
		}
		if ballots == 0 && b.InvalidCount == 0 {
			return apperror.New(apperror.Invalid, "budget.batch.empty")
		}
		now := s.now()
		if err := tx.Model(&Batch{}).Where("id = ?", batchID).Updates(map[string]any{"status": BatchSubmitted, "submitted_at": now}).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.batch.submit", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{
			"ballots": ballots, "lines": lines, "invalid": b.InvalidCount}))
	})
}

// checker refuses the batch's enterer as its checker: four eyes.
func checker(b *Batch, a identity.Actor) error {
	if a.System == "" && b.EnteredBy != nil && *b.EnteredBy == a.StaffID {
		return apperror.New(apperror.Forbidden, "budget.batch.same_member")
	}
	return nil
}

// CheckBatch is the second staff member's check of a submitted batch: they
// counted the papers of the pile (papers: valid and invalid together) and
// compared the entries with them. A count that differs from what was
// entered is refused (send it back with ReturnBatch). When it matches,
// the batch counts: its ballots become counted, the tallies move, and the
// links to the register tokens are deleted.
func (s *Service) CheckBatch(ctx context.Context, a identity.Actor, batchID int64, papers int) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := checker(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchSubmitted); err != nil {
			return err
		}
		ballots, lines, err := batchCounts(tx, batchID)
		if err != nil {
			return err
		}
		if int64(papers) != ballots+int64(b.InvalidCount) {
			return apperror.New(apperror.Invalid, "budget.batch.count_differs", papers, ballots+int64(b.InvalidCount)).
				WithField("papers", "budget.batch.count_differs_field")
		}
		if _, err := CountBatch(tx, batchID, true); err != nil {
			return err
		}
		if err := tx.Where("ballot_id IN (?)", tx.Model(&Ballot{}).Select("id").Where("batch_id = ?", batchID)).Delete(&PaperEntry{}).Error; err != nil {
			return err
		}
		now := s.now()
		if err := tx.Model(&Batch{}).Where("id = ?", batchID).Updates(map[string]any{
			"status": BatchChecked, "checked_by": staffID(a), "checked_at": now, "note": ""}).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.batch.check", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{
			"ballots": ballots, "lines": lines, "invalid": b.InvalidCount}))
	})
}

func cleanNote(s string) (string, bool) {
	s = strings.TrimSpace(s)
	return s, s != "" && utf8.RuneCountInString(s) <= MaxBatchNote
}

// ReturnBatch sends a submitted batch back to its enterer with a note
// saying what to fix.
func (s *Service) ReturnBatch(ctx context.Context, a identity.Actor, batchID int64, note string) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	note, ok := cleanNote(note)
	if !ok {
		return apperror.New(apperror.Invalid, "budget.batch.note_required").WithField("note", "budget.batch.note_required")
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := checker(b, a); err != nil {
			return err
		}
		if err := needStatus(b, BatchSubmitted); err != nil {
			return err
		}
		if err := tx.Model(&Batch{}).Where("id = ?", batchID).Updates(map[string]any{
			"status": BatchOpen, "note": note, "submitted_at": nil}).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.batch.return", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{"note": note}))
	})
}

// CorrectBatch reopens a checked batch, only with a reason: its ballots
// stop counting (the tallies go back) until it has been entered, submitted
// and checked again by two staff members, of whom a is now the enterer.
// The audit entry keeps the reason and the batch's ballots and lines
// before; the next check's entry has them after.
func (s *Service) CorrectBatch(ctx context.Context, a identity.Actor, batchID int64, reason string) error {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return err
	}
	reason, ok := cleanNote(reason)
	if !ok {
		return apperror.New(apperror.Invalid, "budget.batch.reason_required").WithField("reason", "budget.batch.reason_required")
	}
	return s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		b, err := lockBatch(tx, batchID)
		if err != nil {
			return err
		}
		if err := needStatus(b, BatchChecked); err != nil {
			return err
		}
		ballots, lines, err := batchCounts(tx, batchID)
		if err != nil {
			return err
		}
		if _, err := CountBatch(tx, batchID, false); err != nil {
			return err
		}
		if err := tx.Model(&Batch{}).Where("id = ?", batchID).Updates(map[string]any{
			"status": BatchOpen, "entered_by": staffID(a), "checked_by": nil, "checked_at": nil, "submitted_at": nil,
			"note": reason}).Error; err != nil {
			return err
		}
		return a.Record(tx, "budget.batch.correct", budgetTarget(b.InstrumentID), batchDetail(b, map[string]any{
			"reason": reason, "ballots_before": ballots, "lines_before": lines, "invalid_before": b.InvalidCount}))
	})
}

// PaperBallot is an entered paper ballot as the batch pages show it.
type PaperBallot struct {
	ID    int64
	Lines []Line
	// Linked: removing it frees its person (the batch has not been
	// checked since it was entered).
	Linked bool
}

// Batches lists a budget's paper batches by number.
func (s *Service) Batches(ctx context.Context, a identity.Actor, instrumentID int64) ([]Batch, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return nil, err
	}
	var out []Batch
	err := s.ctxDB(ctx).Where("instrument_id = ?", instrumentID).Order("number").Find(&out).Error
	return out, err
}

// BatchOf returns a batch with its ballots (in entry order).
func (s *Service) BatchOf(ctx context.Context, a identity.Actor, batchID int64) (*Batch, []PaperBallot, error) {
	if err := a.Require(identity.PermBudgetStand); err != nil {
		return nil, nil, err
	}
	db := s.ctxDB(ctx)
	b, err := lockBatch(db, batchID)
	if err != nil {
		return nil, nil, err
	}
	var ballots []Ballot
	if err := db.Preload("Lines", func(q *gorm.DB) *gorm.DB { return q.Order("plan_id") }).
		Where("batch_id = ?", batchID).Order("id").Find(&ballots).Error; err != nil {
		return nil, nil, err
	}
	var linked []int64
	if err := db.Model(&PaperEntry{}).Where("ballot_id IN (?)", db.Model(&Ballot{}).Select("id").Where("batch_id = ?", batchID)).
		Pluck("ballot_id", &linked).Error; err != nil {
		return nil, nil, err
	}
	out := make([]PaperBallot, len(ballots))
	for i, bl := range ballots {
		out[i] = PaperBallot{ID: bl.ID, Linked: slices.Contains(linked, bl.ID)}
		for _, l := range bl.Lines {
			out[i].Lines = append(out[i].Lines, Line{PlanID: l.PlanID, Points: l.Points})
		}
	}
	return b, out, nil
}
