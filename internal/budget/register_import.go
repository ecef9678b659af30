package budget

import (
	"context"
	"errors"
	"io"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
)

// ImportReport says what a register upload did. Read = Added + Present +
// Refused.
type ImportReport struct {
	Read    int // data rows read (blank lines not counted)
	Added   int // new in this budget's register
	Present int // already in it (an earlier upload, or twice in this file)
	Refused int
	// RefusedRows are the first MaxRefusedShown refused rows, in file
	// order (the count is in Refused).
	RefusedRows []RefusedRow
}

// MaxRefusedShown bounds the refused rows a report lists, so a wrong file
// of 50,000 rows does not make a page of 50,000 lines.
const MaxRefusedShown = 200

// importBatch is how many register rows go to the database at once.
const importBatch = 500

// ImportRegister reads the municipality's register file (see
// register_file.go for the columns) and keeps, per resident, only the
// register token (VoterToken: what a DigiD login of the same BSN gives),
// the wijk (from the postcode and the wijk table) and the code's lookup
// value. Good rows are added and bad ones listed with their line and a
// reason; a file without the needed columns changes nothing. Uploading
// the same file again adds nothing; a file with more residents adds them.
// The file is read row by row: memory does not grow with its size.
//
// With per_wijk and wijk_source brp every row needs a wijk that has an
// area: a postcode outside the wijk table, or in a wijk without money, is
// refused (that resident can still vote at a stand after the editor adds
// the wijk's area, or online).
//
// The audit entry (budget.register.import) holds the counts only.
func (s *Service) ImportRegister(ctx context.Context, a identity.Actor, instrumentID int64, r io.Reader) (ImportReport, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return ImportReport{}, err
	}
	var rep ImportReport
	keys, err := identity.NewKeyring(1, s.key, nil)
	if err != nil {
		return rep, err
	}
	codeKey := s.codeKey()
	wijken := s.channels().Wijken
	err = s.ctxDB(ctx).Transaction(func(tx *gorm.DB) error {
		rep = ImportReport{}
		b, err := channelBudget(tx, instrumentID)
		if err != nil {
			return err
		}
		needWijk := b.PerWijk && b.WijkSource == WijkBRP
		if needWijk && wijken == nil {
			return apperror.New(apperror.Invalid, "budget.register.no_wijk_table")
		}
		f, err := openRegister(r)
		if err != nil {
			return err
		}
		refuse := func(ref RefusedRow) {
			rep.Refused++
			if len(rep.RefusedRows) < MaxRefusedShown {
				rep.RefusedRows = append(rep.RefusedRows, ref)
			}
		}
		batch := make([]Elector, 0, importBatch)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&batch)
			if res.Error != nil {
				return res.Error
			}
			rep.Added += int(res.RowsAffected)
			rep.Present += len(batch) - int(res.RowsAffected)
			batch = batch[:0]
			return ctx.Err()
		}
		for {
			row, refused, err := f.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			rep.Read++
			if refused != nil {
				refuse(*refused)
				continue
			}
			wijk := ""
			if wijken != nil {
				wijk = wijken.Lookup(row.Postcode)
			}
			if needWijk {
				switch {
				case wijk == "":
					refuse(RefusedRow{Line: row.Line, Key: "budget.register.no_wijk", Hint: bsnHint(row.BSN), Detail: row.Postcode})
					continue
				case !b.hasArea(wijk):
					refuse(RefusedRow{Line: row.Line, Key: "budget.register.wijk_without_budget", Hint: bsnHint(row.BSN), Detail: wijk})
					continue
				}
			}
			token, err := VoterToken(keys, s.key, instrumentID, row.BSN)
			if err != nil {
				return err
			}
			batch = append(batch, Elector{InstrumentID: instrumentID, Voter: token, Wijk: wijk,
				CodeLookup: CodeLookup(codeKey, LetterCode(codeKey, instrumentID, token)), LetterNo: row.Number})
			if len(batch) == importBatch {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return a.Record(tx, "budget.register.import", budgetTarget(instrumentID), map[string]any{
			"read": rep.Read, "added": rep.Added, "present": rep.Present, "refused": rep.Refused})
	})
	if err != nil {
		return ImportReport{}, err
	}
	return rep, nil
}

// RegisterSize is the number of residents in a budget's uploaded register.
func (s *Service) RegisterSize(ctx context.Context, instrumentID int64) (int64, error) {
	var n int64
	err := s.ctxDB(ctx).Model(&Elector{}).Where("instrument_id = ?", instrumentID).Count(&n).Error
	return n, err
}

// HasRegister reports whether a register was uploaded for the budget: only
// then do letter codes for it exist. One row is enough to know (the
// budget page asks on every view; a count would read the whole register).
func (s *Service) HasRegister(ctx context.Context, instrumentID int64) (bool, error) {
	var ids []int64
	err := s.ctxDB(ctx).Model(&Elector{}).Where("instrument_id = ?", instrumentID).Limit(1).Pluck("instrument_id", &ids).Error
	return len(ids) > 0, err
}
