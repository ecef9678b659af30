package consultation

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"gorm.io/gorm"

	"inspraak/internal/store"
)

// Tally kinds (answer_tallies.kind).
const (
	TallyOption   = 1 // an option chosen or ranked
	TallyAnswered = 2 // a text or number question answered
	TallyValue    = 3 // a number or scale answered with a value
)

// tallyShards spreads each total over this many rows, by response id, so
// that responses submitted at the same moment rarely wait for each
// other's row lock.
const tallyShards = 8

// Tally is a row of answer_tallies: one running total of submitted
// answers. Save keeps them in the transaction that submits or changes a
// response; package results reads them instead of every answer.
type Tally struct {
	InstrumentID int64   `gorm:"not null"`
	QuestionID   int64   `gorm:"primaryKey;autoIncrement:false"`
	Kind         int     `gorm:"primaryKey;autoIncrement:false"`
	OptionID     int64   `gorm:"primaryKey;autoIncrement:false"`
	Value        float64 `gorm:"primaryKey"`
	Shard        int     `gorm:"primaryKey;autoIncrement:false"`
	N            int64   `gorm:"not null"`
	RankSum      int64   `gorm:"not null"`
	FirstPlace   int64   `gorm:"not null"`
}

// TableName fixes the table name.
func (Tally) TableName() string { return "answer_tallies" }

type tallyKey struct {
	question int64
	kind     int
	option   int64
	value    float64
}

type tallyDelta struct{ n, rankSum, firstPlace int64 }

// tallies are the changes one response makes to the totals.
type tallies map[tallyKey]tallyDelta

// add counts (sign 1) or uncounts (sign −1) a response's answers.
func (t tallies) add(answers map[int64]Answer, sign int64) {
	for qid, a := range answers {
		if a.Empty() {
			continue
		}
		if a.Text != "" || a.Number != nil {
			t.bump(tallyKey{question: qid, kind: TallyAnswered}, tallyDelta{n: sign})
		}
		if a.Number != nil {
			t.bump(tallyKey{question: qid, kind: TallyValue, value: *a.Number}, tallyDelta{n: sign})
		}
		for i, o := range a.Options {
			d := tallyDelta{n: sign, rankSum: sign * int64(i+1)}
			if i == 0 {
				d.firstPlace = sign
			}
			t.bump(tallyKey{question: qid, kind: TallyOption, option: o}, d)
		}
	}
}

func (t tallies) bump(k tallyKey, d tallyDelta) {
	c := t[k]
	c.n += d.n
	c.rankSum += d.rankSum
	c.firstPlace += d.firstPlace
	if c == (tallyDelta{}) {
		delete(t, k) // counted and uncounted: nothing to write
		return
	}
	t[k] = c
}

// write adds the changes to the totals in one statement. Rows go in key
// order, so two transactions that touch the same rows lock them in the
// same order and cannot deadlock.
func (t tallies) write(tx *gorm.DB, instrumentID, responseID int64) error {
	if len(t) == 0 {
		return nil
	}
	keys := make([]tallyKey, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b tallyKey) int {
		return cmp.Or(cmp.Compare(a.question, b.question), cmp.Compare(a.kind, b.kind),
			cmp.Compare(a.option, b.option), cmp.Compare(a.value, b.value))
	})
	shard := int(responseID % tallyShards)
	var sb strings.Builder
	sb.WriteString("INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n, rank_sum, first_place) VALUES ")
	args := make([]any, 0, len(keys)*9)
	for i, k := range keys {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		d := t[k]
		args = append(args, instrumentID, k.question, k.kind, k.option, k.value, shard, d.n, d.rankSum, d.firstPlace)
	}
	sb.WriteString(` ON CONFLICT (question_id, kind, option_id, value, shard) DO UPDATE SET
  n = answer_tallies.n + excluded.n,
  rank_sum = answer_tallies.rank_sum + excluded.rank_sum,
  first_place = answer_tallies.first_place + excluded.first_place`)
	return tx.Exec(sb.String(), args...).Error
}

// storedAnswers reads a response's answers back as given.
func storedAnswers(tx *gorm.DB, responseID int64) (map[int64]Answer, error) {
	var rows []AnswerRow
	if err := tx.Where("response_id = ?", responseID).Find(&rows).Error; err != nil {
		return nil, err
	}
	var opts []AnswerOption
	if err := tx.Where("response_id = ?", responseID).Order("question_id, rank").Find(&opts).Error; err != nil {
		return nil, err
	}
	out := map[int64]Answer{}
	for _, r := range rows {
		out[r.QuestionID] = Answer{Text: r.TextValue, Number: r.NumberValue}
	}
	for _, o := range opts {
		a := out[o.QuestionID]
		a.Options = append(a.Options, o.OptionID)
		out[o.QuestionID] = a
	}
	return out, nil
}

// RecountTallies rebuilds a consultation's totals from its submitted
// answers, inside the caller's transaction: for data loaded around Save
// (bulk imports, benchmarks), and to check the running totals.
func RecountTallies(tx *gorm.DB, instrumentID int64) error {
	for _, q := range []string{
		`DELETE FROM answer_tallies WHERE instrument_id = ?`,
		`INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n, rank_sum, first_place)
SELECT r.instrument_id, ao.question_id, 1, ao.option_id, 0, 0, count(*), sum(ao.rank), sum(CASE WHEN ao.rank = 1 THEN 1 ELSE 0 END)
FROM answer_options ao JOIN responses r ON r.id = ao.response_id AND r.status = 'submitted' AND r.instrument_id = ?
GROUP BY r.instrument_id, ao.question_id, ao.option_id`,
		`INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n)
SELECT r.instrument_id, a.question_id, 2, 0, 0, 0, count(*)
FROM answers a JOIN responses r ON r.id = a.response_id AND r.status = 'submitted' AND r.instrument_id = ?
WHERE a.text_value <> '' OR a.number_value IS NOT NULL GROUP BY r.instrument_id, a.question_id`,
		`INSERT INTO answer_tallies (instrument_id, question_id, kind, option_id, value, shard, n)
SELECT r.instrument_id, a.question_id, 3, 0, a.number_value, 0, count(*)
FROM answers a JOIN responses r ON r.id = a.response_id AND r.status = 'submitted' AND r.instrument_id = ?
WHERE a.number_value IS NOT NULL GROUP BY r.instrument_id, a.question_id, a.number_value`,
	} {
		if err := tx.Exec(q, instrumentID).Error; err != nil {
			return err
		}
	}
	return nil
}

// Totals reads a consultation's running totals with the shards added up
// (Shard is 0) and totals that went back to zero left out, ordered by
// question, kind, option and value.
func Totals(db *gorm.DB, instrumentID int64) ([]Tally, error) {
	var out []Tally
	err := db.Raw(`SELECT instrument_id, question_id, kind, option_id, value, 0 AS shard,
  sum(n) AS n, sum(rank_sum) AS rank_sum, sum(first_place) AS first_place
FROM answer_tallies WHERE instrument_id = ? GROUP BY instrument_id, question_id, kind, option_id, value HAVING sum(n) <> 0
ORDER BY question_id, kind, option_id, value`, instrumentID).Scan(&out).Error
	return out, err
}

// TallyCheck is what CheckTallies found for one consultation.
type TallyCheck struct {
	InstrumentID int64
	Agree        bool // the running totals equal a recount
	Repaired     bool
}

// CheckTallies recounts every consultation's totals from the stored
// answers and compares them with the running ones; with repair, totals
// that disagree are replaced by the recount. Each consultation is checked
// in its own transaction that first takes the writers' lock on the totals
// (on PostgreSQL the table lock that submissions queue behind; on SQLite
// the single writer's lock), so no submission lands halfway.
func CheckTallies(ctx context.Context, db *store.DB, repair bool) ([]TallyCheck, error) {
	var ids []int64
	if err := db.WithContext(ctx).Model(&Consultation{}).Order("instrument_id").Pluck("instrument_id", &ids).Error; err != nil {
		return nil, err
	}
	errCheckOnly := errors.New("check only")
	var out []TallyCheck
	for _, id := range ids {
		chk := TallyCheck{InstrumentID: id}
		err := db.WithTx(ctx, func(tx *gorm.DB) error {
			lock := `UPDATE answer_tallies SET n = n WHERE 1 = 0`
			if db.Dialect == store.Postgres {
				lock = `LOCK TABLE answer_tallies IN EXCLUSIVE MODE`
			}
			if err := tx.Exec(lock).Error; err != nil {
				return err
			}
			running, err := Totals(tx, id)
			if err != nil {
				return err
			}
			if err := RecountTallies(tx, id); err != nil {
				return err
			}
			recount, err := Totals(tx, id)
			if err != nil {
				return err
			}
			chk.Agree = slices.Equal(running, recount)
			if !repair {
				return errCheckOnly // leave the running totals as they were
			}
			chk.Repaired = !chk.Agree
			return nil
		})
		if err != nil && !errors.Is(err, errCheckOnly) {
			return out, err
		}
		out = append(out, chk)
	}
	return out, nil
}

// RecountProgress works out again, from the stored answers, where every
// response of a consultation got to (Response.LastQuestionID), for data
// loaded around Save.
func RecountProgress(tx *gorm.DB, instrumentID int64) error {
	return tx.Exec(`UPDATE responses SET last_question_id = (
    SELECT q.id FROM questions q
    WHERE q.id IN (SELECT a.question_id FROM answers a WHERE a.response_id = responses.id
                   UNION SELECT ao.question_id FROM answer_options ao WHERE ao.response_id = responses.id)
    ORDER BY q.position DESC LIMIT 1)
WHERE instrument_id = ?`, instrumentID).Error
}
