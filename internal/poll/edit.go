package poll

import (
	"context"
	"errors"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/store"
)

// Editing a poll once it exists. Wording may always be fixed (the caller
// audits the old and new text), options may be added, and nothing that
// would change what an existing ballot means is allowed once there are
// ballots: an option someone chose stays, single or multiple choice stays,
// and the maximum number of choices only goes up.
//
// Every edit runs in one transaction that starts with instrument.Touch:
// it locks the instrument's row, so edits of one poll take turns, and it
// moves instruments.updated_at, by which the vote path recognises a poll
// definition it has cached. Only editors may edit, and every edit writes
// its audit record in that transaction: no record, no edit.

// Editing is what the editor's screen shows of a poll.
type Editing struct {
	Poll    *Poll
	Ballots int64
	// Votes counts the ballots that chose each option, from the ballots
	// themselves: the same count that decides whether an option may go.
	Votes map[int64]int64
}

// ForEditor returns a poll with its ballot count and votes per option.
func (s *Service) ForEditor(ctx context.Context, instrumentID int64) (*Editing, error) {
	p, err := s.Get(ctx, instrumentID)
	if err != nil {
		return nil, err
	}
	e := &Editing{Poll: p}
	if err := s.db.WithContext(ctx).Model(&Ballot{}).Where("instrument_id = ?", instrumentID).Count(&e.Ballots).Error; err != nil {
		return nil, err
	}
	if e.Votes, err = s.Recount(ctx, instrumentID); err != nil {
		return nil, err
	}
	return e, nil
}

// Edited is one wording before and after an edit, for the audit log.
type Edited struct {
	From string
	To   string
}

// edit runs fn in a transaction after touching the poll's instrument row,
// and records action with the detail fn returns in the same transaction.
func (s *Service) edit(ctx context.Context, a identity.Actor, instrumentID int64, action string, fn func(tx *gorm.DB) (map[string]any, error)) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Touch(tx, instrumentID, s.now())
		if err != nil {
			return err
		}
		if in.Kind != instrument.KindPoll {
			return apperror.New(apperror.NotFound, "")
		}
		detail, err := fn(tx)
		if err != nil {
			return err
		}
		return a.Record(tx, action, instrument.Target(instrumentID), detail)
	})
}

// ballots counts a poll's ballots inside tx, for the audit log.
func ballots(tx *gorm.DB, instrumentID int64) (int64, error) {
	var n int64
	err := tx.Model(&Ballot{}).Where("instrument_id = ?", instrumentID).Count(&n).Error
	return n, err
}

func cleanQuestion(q string) (string, error) {
	q = strings.TrimSpace(q)
	switch {
	case q == "":
		return "", apperror.Invalid.WithFields(map[string]string{"question": "poll.error.question_required"})
	case utf8.RuneCountInString(q) > MaxQuestion:
		return "", apperror.Invalid.WithFields(map[string]string{"question": "poll.error.question_too_long"})
	}
	return q, nil
}

func cleanLabel(l string) (string, error) {
	l = strings.TrimSpace(l)
	switch {
	case l == "":
		return "", apperror.Invalid.WithFields(map[string]string{"label": "poll.error.option_required"})
	case utf8.RuneCountInString(l) > MaxOptionLabel:
		return "", apperror.Invalid.WithFields(map[string]string{"label": "poll.error.option_too_long"})
	}
	return l, nil
}

// Reword changes the question's wording. It is always allowed: meant for
// fixing words, not meaning, and the audit log keeps the old and new text.
func (s *Service) Reword(ctx context.Context, a identity.Actor, instrumentID int64, question string) (Edited, error) {
	q, err := cleanQuestion(question)
	if err != nil {
		return Edited{}, err
	}
	var ch Edited
	err = s.edit(ctx, a, instrumentID, "poll.question_reword", func(tx *gorm.DB) (map[string]any, error) {
		var p Poll
		if err := tx.Where("instrument_id = ?", instrumentID).Take(&p).Error; err != nil {
			return nil, store.MapError(err)
		}
		ch = Edited{From: p.Question, To: q}
		if err := tx.Model(&Poll{}).Where("instrument_id = ?", instrumentID).Update("question", q).Error; err != nil {
			return nil, err
		}
		n, err := ballots(tx, instrumentID)
		return map[string]any{"from": ch.From, "to": ch.To, "ballots": n}, err
	})
	return ch, err
}

// RelabelOption changes an option's wording; always allowed, like Reword.
// The votes stay with the option, so the audit record says how many.
func (s *Service) RelabelOption(ctx context.Context, a identity.Actor, instrumentID, optionID int64, label string) (Edited, error) {
	l, err := cleanLabel(label)
	if err != nil {
		return Edited{}, err
	}
	var ch Edited
	err = s.edit(ctx, a, instrumentID, "poll.option_relabel", func(tx *gorm.DB) (map[string]any, error) {
		var o Option
		if err := tx.Where("id = ? AND instrument_id = ?", optionID, instrumentID).Take(&o).Error; err != nil {
			return nil, store.MapError(err)
		}
		ch = Edited{From: o.Label, To: l}
		if err := tx.Model(&Option{}).Where("id = ?", optionID).Update("label", l).Error; err != nil {
			return nil, err
		}
		var votes int64
		err := tx.Model(&Choice{}).Where("option_id = ?", optionID).Count(&votes).Error
		return map[string]any{"option": optionID, "from": ch.From, "to": ch.To, "votes": votes}, err
	})
	return ch, err
}

// AddOption adds an option after the last one. Existing ballots keep
// their meaning, so this is allowed at any time.
func (s *Service) AddOption(ctx context.Context, a identity.Actor, instrumentID int64, label string) (*Option, error) {
	l, err := cleanLabel(label)
	if err != nil {
		return nil, err
	}
	var o *Option
	err = s.edit(ctx, a, instrumentID, "poll.option_add", func(tx *gorm.DB) (map[string]any, error) {
		var n int64
		var last int
		if err := tx.Model(&Option{}).Where("instrument_id = ?", instrumentID).Count(&n).Error; err != nil {
			return nil, err
		}
		if n >= MaxOptions {
			return nil, apperror.Invalid.WithFields(map[string]string{"label": "poll.error.too_many_options"})
		}
		if err := tx.Model(&Option{}).Where("instrument_id = ?", instrumentID).Select("COALESCE(MAX(position), 0)").Row().Scan(&last); err != nil {
			return nil, err
		}
		o = &Option{InstrumentID: instrumentID, Position: last + 1, Label: l}
		if err := tx.Create(o).Error; err != nil {
			return nil, err
		}
		b, err := ballots(tx, instrumentID)
		return map[string]any{"option": o.ID, "label": o.Label, "ballots": b}, err
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// RemoveOption deletes an option nobody chose. Votes are never lost by an
// edit: an option with ballots stays, and the foreign key from
// ballot_choices (ON DELETE RESTRICT) backs that up when a vote for it
// commits while this transaction runs. A poll keeps at least two options.
// It returns the removed option, for the audit log.
func (s *Service) RemoveOption(ctx context.Context, a identity.Actor, instrumentID, optionID int64) (*Option, error) {
	var o Option
	err := s.edit(ctx, a, instrumentID, "poll.option_remove", func(tx *gorm.DB) (map[string]any, error) {
		if err := tx.Where("id = ? AND instrument_id = ?", optionID, instrumentID).Take(&o).Error; err != nil {
			return nil, store.MapError(err)
		}
		var chosen, left int64
		if err := tx.Model(&Choice{}).Where("option_id = ?", optionID).Count(&chosen).Error; err != nil {
			return nil, err
		}
		if chosen > 0 {
			return nil, apperror.New(apperror.Conflict, "poll.error.option_has_votes")
		}
		if err := tx.Model(&Option{}).Where("instrument_id = ?", instrumentID).Count(&left).Error; err != nil {
			return nil, err
		}
		if left <= 2 {
			return nil, apperror.New(apperror.Conflict, "poll.error.keep_two_options")
		}
		// Tallies go with the option (ON DELETE CASCADE); a ballot that
		// chose it meanwhile makes the delete fail instead.
		if err := tx.Delete(&Option{}, optionID).Error; err != nil {
			return nil, err
		}
		// "As many as there are" cannot exceed what is left. No ballot
		// chose the removed option, so none holds more choices than that.
		left--
		if err := tx.Model(&Poll{}).Where("instrument_id = ? AND max_choices > ?", instrumentID, left).Update("max_choices", left).Error; err != nil {
			return nil, err
		}
		return map[string]any{"option": o.ID, "label": o.Label}, nil
	})
	if errors.Is(err, gorm.ErrForeignKeyViolated) {
		return nil, apperror.Wrap(err, apperror.Conflict, "poll.error.option_has_votes")
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// ChoiceSettings say how many options a voter picks and when results show.
type ChoiceSettings struct {
	Multiple bool
	// MaxChoices is ignored for single choice; 0 (or more than there are
	// options) means as many as there are.
	MaxChoices        int
	ResultsVisibility string
}

// ChoiceChange is a poll's choice settings before and after an edit.
type ChoiceChange struct {
	From ChoiceSettings
	To   ChoiceSettings
}

// SetChoice changes single or multiple choice, the maximum number of
// choices and when results are shown. Once there are ballots, switching
// between single and multiple choice or lowering the maximum is refused:
// existing ballots would no longer fit the poll. Results visibility may
// always change.
func (s *Service) SetChoice(ctx context.Context, a identity.Actor, instrumentID int64, cs ChoiceSettings) (ChoiceChange, error) {
	switch cs.ResultsVisibility {
	case ShowAfterVote, ShowAfterClose, ShowNever:
	default:
		return ChoiceChange{}, apperror.Invalid.WithFields(map[string]string{"results_visibility": "poll.error.visibility"})
	}
	var ch ChoiceChange
	err := s.edit(ctx, a, instrumentID, "poll.choice", func(tx *gorm.DB) (map[string]any, error) {
		var p Poll
		q := tx.Where("instrument_id = ?", instrumentID)
		if s.db.Dialect == store.Postgres {
			// FOR UPDATE conflicts with the key-share lock a ballot
			// insert holds on this row until it commits: the count
			// below waits for votes in flight and sees them.
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		if err := q.Take(&p).Error; err != nil {
			return nil, store.MapError(err)
		}
		var options int64
		if err := tx.Model(&Option{}).Where("instrument_id = ?", instrumentID).Count(&options).Error; err != nil {
			return nil, err
		}
		next := cs
		if !next.Multiple {
			next.MaxChoices = 1
		} else if next.MaxChoices < 1 || int64(next.MaxChoices) > options {
			next.MaxChoices = int(options)
		}
		ch = ChoiceChange{From: ChoiceSettings{Multiple: p.Multiple, MaxChoices: p.MaxChoices, ResultsVisibility: p.ResultsVisibility}, To: next}
		// Counted before the change is allowed: under FOR UPDATE on
		// PostgreSQL it waits for votes in flight.
		cast, err := ballots(tx, instrumentID)
		if err != nil {
			return nil, err
		}
		if cast > 0 && (next.Multiple != p.Multiple || next.MaxChoices < p.MaxChoices) {
			f := map[string]string{}
			if next.Multiple != p.Multiple {
				f["multiple"] = "poll.error.retype_has_votes"
			} else if next.MaxChoices < p.MaxChoices {
				f["max_choices"] = "poll.error.max_lowered_has_votes"
			}
			e := apperror.Conflict.WithFields(f)
			e.Key = "poll.error.has_votes"
			return nil, e
		}
		err = tx.Model(&Poll{}).Where("instrument_id = ?", instrumentID).Updates(map[string]any{
			"multiple": next.Multiple, "max_choices": next.MaxChoices, "results_visibility": next.ResultsVisibility,
		}).Error
		view := func(cs ChoiceSettings) map[string]any {
			return map[string]any{"multiple": cs.Multiple, "max_choices": cs.MaxChoices, "results_visibility": cs.ResultsVisibility}
		}
		return map[string]any{"from": view(ch.From), "to": view(ch.To), "ballots": cast}, err
	})
	return ch, err
}
