package results

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
)

// Code is a row of answer_codes: a label analysts give open answers.
type Code struct {
	ID           int64     `gorm:"primaryKey"`
	InstrumentID int64     `gorm:"not null;uniqueIndex:answer_codes_instrument_name_key,priority:1"`
	Name         string    `gorm:"not null;uniqueIndex:answer_codes_instrument_name_key,priority:2"`
	CreatedAt    time.Time `gorm:"not null"`

	Count int64 `gorm:"-"` // answers that carry it
}

// TableName fixes the table name.
func (Code) TableName() string { return "answer_codes" }

// Coding is a row of answer_codings: one answer carries one code.
type Coding struct {
	CodeID     int64 `gorm:"primaryKey;autoIncrement:false"`
	ResponseID int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID int64 `gorm:"primaryKey;autoIncrement:false"`
}

// TableName fixes the table name.
func (Coding) TableName() string { return "answer_codings" }

// MaxCodeName is the longest code name.
const MaxCodeName = 80

// AnswerKey names one open answer: a response's answer to a question.
type AnswerKey struct{ ResponseID, QuestionID int64 }

// Codes lists a consultation's codes with how many answers carry each.
func (s *Service) Codes(ctx context.Context, instrumentID int64) ([]Code, error) {
	var cs []Code
	db := s.db.WithContext(ctx)
	if err := db.Where("instrument_id = ?", instrumentID).Order("name").Find(&cs).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		CodeID int64
		N      int64
	}
	if err := db.Raw(`SELECT ac.code_id, count(*) AS n FROM answer_codings ac JOIN answer_codes c ON c.id = ac.code_id
JOIN responses r ON r.id = ac.response_id AND r.status = 'submitted'
WHERE c.instrument_id = ? GROUP BY ac.code_id`, instrumentID).Scan(&counts).Error; err != nil {
		return nil, err
	}
	by := map[int64]int64{}
	for _, c := range counts {
		by[c.CodeID] = c.N
	}
	for i := range cs {
		cs[i].Count = by[cs[i].ID]
	}
	return cs, nil
}

// AddCode creates a code. Only analysts may; the audit record is
// written in the same transaction.
func (s *Service) AddCode(ctx context.Context, a identity.Actor, instrumentID int64, name string) (*Code, error) {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return nil, err
	}
	name = strings.Join(strings.Fields(name), " ")
	switch n := utf8.RuneCountInString(name); {
	case n == 0:
		return nil, apperror.Invalid.WithFields(map[string]string{"code": "results.error.code_required"})
	case n > MaxCodeName || strings.ContainsRune(name, 0):
		return nil, apperror.Invalid.WithFields(map[string]string{"code": "results.error.code_too_long"})
	}
	c := Code{InstrumentID: instrumentID, Name: name, CreatedAt: time.Now().UTC()}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Create(&c).Error; err != nil {
			return err
		}
		return a.Record(tx, "results.code.create", target(instrumentID), map[string]any{"code": c.Name})
	})
	if err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return nil, apperror.Invalid.WithFields(map[string]string{"code": "results.error.code_exists"})
		}
		return nil, err
	}
	return &c, nil
}

// Tag gives answers a code (or takes it away). Only answers of this
// consultation's submitted responses to open questions are touched;
// anything else in keys is ignored. It returns how many answers changed.
// Only analysts may; the audit record is written in the same transaction.
func (s *Service) Tag(ctx context.Context, a identity.Actor, instrumentID, codeID int64, keys []AnswerKey, remove bool) (int64, error) {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return 0, err
	}
	var changed int64
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var code Code
		if err := tx.Where("id = ? AND instrument_id = ?", codeID, instrumentID).Take(&code).Error; err != nil {
			return apperror.Invalid.WithFields(map[string]string{"code": "results.error.code_unknown"})
		}
		for _, k := range keys {
			var ok int64
			if err := tx.Model(&consultation.AnswerRow{}).
				Joins("JOIN responses r ON r.id = answers.response_id AND r.status = 'submitted' AND r.instrument_id = ?", instrumentID).
				Joins("JOIN questions q ON q.id = answers.question_id AND q.kind IN ?", []string{string(consultation.ShortText), string(consultation.LongText)}).
				Where("answers.response_id = ? AND answers.question_id = ? AND answers.text_value <> ''", k.ResponseID, k.QuestionID).
				Count(&ok).Error; err != nil {
				return err
			}
			if ok == 0 {
				continue
			}
			row := Coding{CodeID: codeID, ResponseID: k.ResponseID, QuestionID: k.QuestionID}
			var res *gorm.DB
			if remove {
				res = tx.Where("code_id = ? AND response_id = ? AND question_id = ?", codeID, k.ResponseID, k.QuestionID).Delete(&Coding{})
			} else {
				res = tx.Clauses(clause.OnConflict{DoNothing: true}).Create(&row)
			}
			if res.Error != nil {
				return res.Error
			}
			changed += res.RowsAffected
		}
		action := "results.code.tag"
		if remove {
			action = "results.code.untag"
		}
		return a.Record(tx, action, target(instrumentID), map[string]any{"code": codeID, "answers": changed})
	})
	return changed, err
}

// OpenAnswer is one open answer on the coding list.
type OpenAnswer struct {
	ResponseID int64
	QuestionID int64
	Text       string
	Codes      []int64 `gorm:"-"`
}

// OpenFilter narrows the open answers.
type OpenFilter struct {
	QuestionID int64
	CodeID     int64 // -1: answers without any code
	Search     string
	Page       int
}

// OpenPageSize is the number of answers per page.
const OpenPageSize = 50

// OpenAnswers lists the open answers of submitted responses, oldest
// response first, with the codes each carries.
func (s *Service) OpenAnswers(ctx context.Context, c *consultation.Consultation, f OpenFilter) ([]OpenAnswer, int64, error) {
	db := s.db.WithContext(ctx)
	var open []int64
	for _, q := range c.Questions {
		if q.Kind == consultation.ShortText || q.Kind == consultation.LongText {
			open = append(open, q.ID)
		}
	}
	if len(open) == 0 {
		return nil, 0, nil
	}
	q := db.Model(&consultation.AnswerRow{}).
		Joins("JOIN responses r ON r.id = answers.response_id AND r.status = 'submitted' AND r.instrument_id = ?", c.InstrumentID).
		Where("answers.question_id IN ? AND answers.text_value <> ''", open)
	if f.QuestionID > 0 {
		q = q.Where("answers.question_id = ?", f.QuestionID)
	}
	if s := strings.TrimSpace(f.Search); s != "" {
		q = q.Where(`LOWER(answers.text_value) LIKE ? ESCAPE '\'`, "%"+escapeLike(strings.ToLower(s))+"%")
	}
	switch {
	case f.CodeID > 0:
		q = q.Where("EXISTS (SELECT 1 FROM answer_codings ac WHERE ac.response_id = answers.response_id AND ac.question_id = answers.question_id AND ac.code_id = ?)", f.CodeID)
	case f.CodeID == -1:
		q = q.Where("NOT EXISTS (SELECT 1 FROM answer_codings ac WHERE ac.response_id = answers.response_id AND ac.question_id = answers.question_id)")
	}
	var total int64
	if err := q.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, err
	}
	var rows []OpenAnswer
	if err := q.Select("answers.response_id, answers.question_id, answers.text_value AS text").
		Order("answers.response_id, answers.question_id").Limit(OpenPageSize).Offset((max(f.Page, 1) - 1) * OpenPageSize).
		Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	if len(rows) == 0 {
		return rows, total, nil
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ResponseID
	}
	var codings []Coding
	if err := db.Where("response_id IN ?", ids).Find(&codings).Error; err != nil {
		return nil, 0, err
	}
	at := map[AnswerKey]int{}
	for i, r := range rows {
		at[AnswerKey{r.ResponseID, r.QuestionID}] = i
	}
	for _, cd := range codings {
		if i, ok := at[AnswerKey{cd.ResponseID, cd.QuestionID}]; ok {
			rows[i].Codes = append(rows[i].Codes, cd.CodeID)
		}
	}
	return rows, total, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
