package consultation

import (
	"context"
	"crypto/rand"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
	"inspraak/internal/store"
)

// Service holds the rules of consultations.
type Service struct {
	db  *store.DB
	key []byte
	now func() time.Time
}

// NewService returns a consultation service; key derives respondent ids.
func NewService(db *store.DB, key []byte) *Service {
	return &Service{db: db, key: key, now: func() time.Time { return time.Now().UTC() }}
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// WithClock returns a copy of the service that reads the time from now:
// the demo seed answers through it in the past weeks, while the service
// the pages use keeps the real clock.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// respondentID is the per-consultation id under which the voter register
// records that a participant submitted; responses never carry it.
func (s *Service) respondentID(instrumentID int64, subject string) string {
	return participation.VoterID(s.key, "response", instrumentID, subject)
}

// QuestionDraft is one question as an editor writes it.
type QuestionDraft struct {
	Question
	Options []string
}

// Draft is a new consultation.
type Draft struct {
	ProjectID    int64
	Slug         string
	Title        string
	Description  string
	OnePerScreen bool
	Published    bool
	Rules        instrument.Instrument
	Questions    []QuestionDraft
}

// Limits.
const (
	MaxQuestions = 100
	MaxOptions   = 50
)

func (d *Draft) validate() error {
	return d.validateWith(true)
}

func (d *Draft) validateWith(needQuestions bool) error {
	f := map[string]string{}
	if strings.TrimSpace(d.Title) == "" {
		f["title"] = "poll.error.title_required"
	}
	if needQuestions && len(d.Questions) == 0 {
		f["questions"] = "consultation.error.no_questions"
	}
	if len(d.Questions) > MaxQuestions {
		f["questions"] = "consultation.error.too_many_questions"
	}
	for i, q := range d.Questions {
		field := "question-" + strconv.Itoa(i+1)
		if !slices.Contains(Kinds, q.Kind) {
			f[field] = "consultation.error.kind"
			continue
		}
		if strings.TrimSpace(q.Text) == "" {
			f[field] = "consultation.error.question_text"
		}
		if q.Kind.HasOptions() && (len(q.Options) < 2 || len(q.Options) > MaxOptions) {
			f[field] = "consultation.error.options"
		}
		if q.Kind == Scale && (q.ScaleMax <= q.ScaleMin || q.ScaleMax-q.ScaleMin > 10) {
			f[field] = "consultation.error.scale"
		}
		if q.Kind == Number && q.NumberMin != nil && q.NumberMax != nil && *q.NumberMax < *q.NumberMin {
			f[field] = "consultation.error.number_bounds"
		}
	}
	if len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return nil
}

// Create stores a new consultation with its questions.
func (s *Service) Create(ctx context.Context, a identity.Actor, d Draft) (*Consultation, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	return s.create(ctx, a, d)
}

// CreateEmpty stores a consultation that gets its questions one by one;
// it is never published by this call.
func (s *Service) CreateEmpty(ctx context.Context, a identity.Actor, d Draft) (*Consultation, error) {
	d.Published, d.Questions = false, nil
	if err := d.validateWith(false); err != nil {
		return nil, err
	}
	return s.create(ctx, a, d)
}

// AddQuestion adds a question at the end of a consultation. Only editors
// may; the audit record is written in the same transaction, as for every
// edit below.
func (s *Service) AddQuestion(ctx context.Context, a identity.Actor, instrumentID int64, q QuestionDraft) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	d := Draft{Title: "x", Questions: []QuestionDraft{q}}
	if err := d.validate(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var pos int
		if err := tx.Model(&Question{}).Where("instrument_id = ?", instrumentID).Select("COALESCE(MAX(position), 0)").Scan(&pos).Error; err != nil {
			return err
		}
		row := q.Question
		row.ID, row.InstrumentID, row.Position, row.Options = 0, instrumentID, pos+1, nil
		row.Text, row.Help = strings.TrimSpace(row.Text), strings.TrimSpace(row.Help)
		if err := tx.Omit(clause.Associations).Create(&row).Error; err != nil {
			return err
		}
		for j, label := range q.Options {
			if err := tx.Create(&QuestionOption{QuestionID: row.ID, Position: j + 1, Label: strings.TrimSpace(label)}).Error; err != nil {
				return err
			}
		}
		return a.Record(tx, "consultation.question_add", instrument.Target(instrumentID), map[string]any{"kind": string(q.Kind)})
	})
}

// create stores a consultation through instrument.Create (the editor's
// permission, the address, the audit record).
func (s *Service) create(ctx context.Context, a identity.Actor, d Draft) (*Consultation, error) {
	c := &Consultation{OnePerScreen: d.OnePerScreen}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		_, err := instrument.Create(tx, a, instrument.Header{ProjectID: d.ProjectID, Kind: instrument.KindConsultation, Slug: d.Slug, Title: d.Title,
			Description: d.Description, Published: d.Published}, d.Rules, s.now(), func(in *instrument.Instrument) (map[string]any, error) {
			c.InstrumentID = in.ID
			if err := tx.Omit(clause.Associations).Create(c).Error; err != nil {
				return nil, err
			}
			for i, qd := range d.Questions {
				q := qd.Question
				q.ID, q.InstrumentID, q.Position, q.Options = 0, in.ID, i+1, nil
				q.Text, q.Help = strings.TrimSpace(q.Text), strings.TrimSpace(q.Help)
				if err := tx.Omit(clause.Associations).Create(&q).Error; err != nil {
					return nil, err
				}
				for j, label := range qd.Options {
					o := QuestionOption{QuestionID: q.ID, Position: j + 1, Label: strings.TrimSpace(label)}
					if err := tx.Create(&o).Error; err != nil {
						return nil, err
					}
					q.Options = append(q.Options, o)
				}
				c.Questions = append(c.Questions, q)
			}
			return nil, nil
		})
		return err
	})
	return c, err
}

// Get returns a consultation with its questions and options in order.
func (s *Service) Get(ctx context.Context, instrumentID int64) (*Consultation, error) {
	var c Consultation
	err := s.db.WithContext(ctx).
		Preload("Questions", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Preload("Questions.Options", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("instrument_id = ?", instrumentID).Take(&c).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &c, nil
}

// Opened records that a participant opened the questionnaire (once per
// participant; the funnel on the results page counts them). The row names
// no response, and its time is kept to the day only, so it cannot be
// matched by time to the response of someone who erased their data.
func (s *Service) Opened(ctx context.Context, instrumentID int64, subject string) error {
	return s.db.WithContext(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&Open{InstrumentID: instrumentID, Opener: identity.InstrumentID(s.key, "open", instrumentID, subject),
			CreatedAt: s.now().Truncate(24 * time.Hour)}).Error
}

// Respondent is the participant answering, as the session knows them now.
type Respondent struct {
	ParticipantID int64
	Subject       string
	Person        instrument.Person
}

// Saved is the state of a participant's response.
type Saved struct {
	Response *Response
	Answers  map[int64]Answer
	// Unlinked: there is no response linked to the participant, but the
	// register knows they submitted one (they erased their data since).
	// They cannot answer again, and their answers are not shown.
	Unlinked bool
}

// ResponseOf returns a participant's response (draft or submitted), or an
// empty Saved when there is none.
func (s *Service) ResponseOf(ctx context.Context, instrumentID, participantID int64, subject string) (Saved, error) {
	out := Saved{Answers: map[int64]Answer{}}
	var r Response
	err := s.db.WithContext(ctx).Where("participant_id = ? AND instrument_id = ?", participantID, instrumentID).Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		out.Unlinked, err = participation.Registered(s.db.WithContext(ctx), participation.Response, instrumentID, s.respondentID(instrumentID, subject))
		return out, err
	}
	if err != nil {
		return out, err
	}
	out.Response = &r
	var rows []AnswerRow
	if err := s.db.WithContext(ctx).Where("response_id = ?", r.ID).Find(&rows).Error; err != nil {
		return out, err
	}
	for _, row := range rows {
		out.Answers[row.QuestionID] = Answer{Text: row.TextValue, Number: row.NumberValue}
	}
	var opts []AnswerOption
	if err := s.db.WithContext(ctx).Where("response_id = ?", r.ID).Order("question_id").Order("rank").Order("option_id").Find(&opts).Error; err != nil {
		return out, err
	}
	for _, o := range opts {
		a := out.Answers[o.QuestionID]
		a.Options = append(a.Options, o.OptionID)
		out.Answers[o.QuestionID] = a
	}
	return out, nil
}

// Validate checks answers against the questions. With final, required
// questions must be answered; a draft may be incomplete but never wrong.
// It returns per-question message keys ("q-<id>").
func Validate(c *Consultation, answers map[int64]Answer, final bool) map[string]string {
	errs := map[string]string{}
	known := map[int64]bool{}
	for _, q := range c.Questions {
		known[q.ID] = true
		a, given := answers[q.ID]
		field := "q-" + strconv.FormatInt(q.ID, 10)
		if !given || a.Empty() {
			if final && q.Required && q.Kind != Explanation {
				errs[field] = "consultation.error.required." + string(q.Kind)
			}
			continue
		}
		if key := validAnswer(q, a); key != "" {
			errs[field] = key
		}
	}
	for id := range answers {
		if !known[id] {
			errs["form"] = "consultation.error.unknown_question"
		}
	}
	return errs
}

func validAnswer(q Question, a Answer) string {
	optionOK := func(id int64) bool {
		for _, o := range q.Options {
			if o.ID == id {
				return true
			}
		}
		return false
	}
	distinct := func(ids []int64) bool {
		seen := map[int64]bool{}
		for _, id := range ids {
			if seen[id] || !optionOK(id) {
				return false
			}
			seen[id] = true
		}
		return true
	}
	switch q.Kind {
	case Explanation:
		return "consultation.error.no_answer_expected"
	case ShortText, LongText:
		if utf8.RuneCountInString(a.Text) > q.TextLimit() {
			return "consultation.error.too_long"
		}
		if !utf8.ValidString(a.Text) || strings.ContainsRune(a.Text, 0) {
			return "consultation.error.text_invalid"
		}
	case Single:
		if len(a.Options) != 1 || !optionOK(a.Options[0]) {
			return "consultation.error.choose_one"
		}
	case Multiple:
		max := q.MaxChoices
		if max <= 0 {
			max = len(q.Options)
		}
		if !distinct(a.Options) {
			return "consultation.error.unknown_option"
		}
		if len(a.Options) > max {
			return "consultation.error.too_many"
		}
	case Ranking:
		if len(a.Options) != len(q.Options) || !distinct(a.Options) {
			return "consultation.error.ranking"
		}
	case Scale:
		if a.Number == nil || *a.Number != math.Trunc(*a.Number) || int(*a.Number) < q.ScaleMin || int(*a.Number) > q.ScaleMax {
			return "consultation.error.scale_value"
		}
	case Number:
		if a.Number == nil || math.IsNaN(*a.Number) || math.IsInf(*a.Number, 0) {
			return "consultation.error.number"
		}
		if (q.NumberMin != nil && *a.Number < *q.NumberMin) || (q.NumberMax != nil && *a.Number > *q.NumberMax) {
			return "consultation.error.number_range"
		}
	}
	return ""
}

// Save stores the participant's answers: as a draft, or submitted when
// submit is true. The rules are checked inside the transaction. Once
// submitted, a response changes only while the instrument allows changes
// and is open; a draft never overwrites a submitted response.
func (s *Service) Save(ctx context.Context, instrumentID int64, who Respondent, answers map[int64]Answer, submit bool) (*Response, error) {
	var r *Response
	var err error
	// A parallel first save by the same person can win the unique index;
	// then save again on top of it (a few times at most).
	for attempt := 0; attempt < 4; attempt++ {
		if r, err = s.save(ctx, instrumentID, who, answers, submit); !errors.Is(err, gorm.ErrDuplicatedKey) {
			break
		}
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperror.Wrap(err, apperror.Conflict, "consultation.error.already_submitted")
	}
	return r, err
}

func (s *Service) save(ctx context.Context, instrumentID int64, who Respondent, answers map[int64]Answer, submit bool) (*Response, error) {
	now := s.now()
	respondent := s.respondentID(instrumentID, who.Subject)
	var out Response
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		// One read brings the project's status too: a closed project
		// closes its questionnaires.
		in, ps, err := instrument.ForRules(tx, instrumentID, false)
		if err != nil {
			return err
		}
		if !in.Published || in.Kind != instrument.KindConsultation {
			return apperror.New(apperror.NotFound, "")
		}
		if err := instrument.Eligible(in, ps, who.Person, now).Err(); err != nil {
			return err
		}
		var c Consultation
		if err := tx.Preload("Questions").Preload("Questions.Options").Where("instrument_id = ?", instrumentID).Take(&c).Error; err != nil {
			return store.MapError(err)
		}
		if errs := Validate(&c, answers, submit); len(errs) > 0 {
			return apperror.Invalid.WithFields(errs)
		}
		q := tx.Where("participant_id = ? AND instrument_id = ?", who.ParticipantID, instrumentID)
		if s.db.Dialect == store.Postgres {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		err = q.Take(&out).Error
		switch {
		case errors.Is(err, gorm.ErrRecordNotFound):
			// No response linked to this participant: a first answer, or
			// someone who submitted and then erased their data.
			took, err := participation.Registered(tx, participation.Response, instrumentID, respondent)
			if err != nil {
				return err
			}
			if took {
				return apperror.New(apperror.Conflict, "consultation.error.took_part_unlinked")
			}
			pid := who.ParticipantID
			out = Response{InstrumentID: instrumentID, ParticipantID: &pid, Status: StatusDraft, CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(&out).Error; err != nil {
				return err
			}
		case err != nil:
			return err
		case out.Status == StatusSubmitted && (!in.AllowChange || !submit):
			if !in.AllowChange {
				return apperror.New(apperror.Conflict, "consultation.error.already_submitted")
			}
			return apperror.New(apperror.Conflict, "consultation.error.submitted_change_needs_submit")
		}
		// The running totals lose what this response counted before
		// and gain what it counts now (only submitted answers count).
		change := tallies{}
		if out.Status == StatusSubmitted {
			before, err := storedAnswers(tx, out.ID)
			if err != nil {
				return err
			}
			change.add(before, -1)
			// Codes analysts gave an open answer are about its text: an
			// answer that changed (or went) loses them.
			var changed []int64
			for qid, a := range before {
				if a.Text != "" && answers[qid].Text != a.Text {
					changed = append(changed, qid)
				}
			}
			if len(changed) > 0 {
				if err := tx.Exec("DELETE FROM answer_codings WHERE response_id = ? AND question_id IN ?", out.ID, changed).Error; err != nil {
					return err
				}
			}
		}
		if submit {
			change.add(answers, 1)
			if out.Status != StatusSubmitted {
				// The register's key is what allows one submitted response
				// per person, also past an erasure.
				first, err := participation.Register(tx, participation.Response, instrumentID, instrumentID, respondent)
				if err != nil {
					return err
				}
				if !first {
					return apperror.New(apperror.Conflict, "consultation.error.took_part_unlinked")
				}
			}
		}
		if err := change.write(tx, instrumentID, out.ID); err != nil {
			return err
		}
		if err := tx.Where("response_id = ?", out.ID).Delete(&AnswerRow{}).Error; err != nil {
			return err
		}
		if err := tx.Where("response_id = ?", out.ID).Delete(&AnswerOption{}).Error; err != nil {
			return err
		}
		// All answers in two statements, not one per answer.
		var rows []AnswerRow
		var chosen []AnswerOption
		for qid, a := range answers {
			if a.Empty() {
				continue
			}
			if a.Text != "" || a.Number != nil {
				rows = append(rows, AnswerRow{ResponseID: out.ID, QuestionID: qid, TextValue: a.Text, NumberValue: a.Number})
			}
			for rank, o := range a.Options {
				chosen = append(chosen, AnswerOption{ResponseID: out.ID, QuestionID: qid, OptionID: o, Rank: rank + 1})
			}
		}
		if len(rows) > 0 {
			if err := tx.Create(&rows).Error; err != nil {
				return err
			}
		}
		if len(chosen) > 0 {
			if err := tx.Create(&chosen).Error; err != nil {
				return err
			}
		}
		var last *Question
		for i, q := range c.Questions {
			if a, ok := answers[q.ID]; ok && !a.Empty() && (last == nil || q.Position > last.Position) {
				last = &c.Questions[i]
			}
		}
		updates := map[string]any{"updated_at": now, "last_question_id": nil}
		if last != nil {
			updates["last_question_id"] = last.ID
		}
		if submit {
			updates["status"] = StatusSubmitted
			updates["submitted_at"] = now
			if out.Reference == "" {
				updates["reference"] = newReference()
			}
		}
		if err := tx.Model(&Response{}).Where("id = ?", out.ID).Updates(updates).Error; err != nil {
			return err
		}
		return tx.Where("id = ?", out.ID).Take(&out).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// newReference makes the short code on a receipt ("INS-7K2M-9QXD"), from
// an alphabet without look-alikes.
func newReference() string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	var sb strings.Builder
	sb.WriteString("INS-")
	for i, x := range b {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(alphabet[int(x)%len(alphabet)])
	}
	return sb.String()
}

// CountSubmitted returns the number of submitted responses.
func (s *Service) CountSubmitted(ctx context.Context, instrumentID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Response{}).Where("instrument_id = ? AND status = ?", instrumentID, StatusSubmitted).Count(&n).Error
	return n, err
}

// RemoveOption deletes an option, unless someone chose it: answers are
// never lost by an edit. The option must belong to the consultation.
func (s *Service) RemoveOption(ctx context.Context, a identity.Actor, instrumentID, optionID int64) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&AnswerOption{}).Where("option_id = ?", optionID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperror.New(apperror.Conflict, "consultation.error.option_has_answers")
		}
		// Totals of zero may remain from answers that were changed.
		if err := tx.Where("kind = ? AND option_id = ?", TallyOption, optionID).Delete(&Tally{}).Error; err != nil {
			return err
		}
		res := tx.Where("id = ? AND question_id IN (?)", optionID,
			tx.Model(&Question{}).Select("id").Where("instrument_id = ?", instrumentID)).Delete(&QuestionOption{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperror.New(apperror.NotFound, "")
		}
		return a.Record(tx, "consultation.option_remove", instrument.Target(instrumentID), map[string]any{"option": optionID})
	})
}

// RetypeQuestion changes a question's kind, unless it has answers.
func (s *Service) RetypeQuestion(ctx context.Context, questionID int64, kind Kind) error {
	if !slices.Contains(Kinds, kind) {
		return apperror.New(apperror.Invalid, "consultation.error.kind")
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n, m int64
		if err := tx.Model(&AnswerRow{}).Where("question_id = ?", questionID).Count(&n).Error; err != nil {
			return err
		}
		if err := tx.Model(&AnswerOption{}).Where("question_id = ?", questionID).Count(&m).Error; err != nil {
			return err
		}
		if n+m > 0 {
			return apperror.New(apperror.Conflict, "consultation.error.question_has_answers")
		}
		return tx.Model(&Question{}).Where("id = ?", questionID).Update("kind", kind).Error
	})
}

// Reword fixes the wording of a question; always allowed, and the caller
// logs it in the audit log.
func (s *Service) Reword(ctx context.Context, a identity.Actor, questionID int64, text, help string) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return apperror.Invalid.WithFields(map[string]string{"text": "consultation.error.question_text"})
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var q Question
		if err := tx.Select("id", "instrument_id", "text").Where("id = ?", questionID).Take(&q).Error; err != nil {
			return store.MapError(err)
		}
		if err := tx.Model(&Question{}).Where("id = ?", questionID).Updates(map[string]any{"text": text, "help": strings.TrimSpace(help)}).Error; err != nil {
			return err
		}
		// How many had already answered the old wording.
		var n int64
		if err := tx.Model(&Response{}).Where("instrument_id = ? AND status = ?", q.InstrumentID, StatusSubmitted).Count(&n).Error; err != nil {
			return err
		}
		return a.Record(tx, "consultation.question_reword", "question:"+strconv.FormatInt(questionID, 10),
			map[string]any{"from": q.Text, "to": text, "responses": n})
	})
}

// RemoveQuestion deletes a question, unless it has answers, and closes the
// gap in the positions.
func (s *Service) RemoveQuestion(ctx context.Context, a identity.Actor, instrumentID, questionID int64) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var q Question
		if err := tx.Where("id = ? AND instrument_id = ?", questionID, instrumentID).Take(&q).Error; err != nil {
			return store.MapError(err)
		}
		var n, m int64
		if err := tx.Model(&AnswerRow{}).Where("question_id = ?", questionID).Count(&n).Error; err != nil {
			return err
		}
		if err := tx.Model(&AnswerOption{}).Where("question_id = ?", questionID).Count(&m).Error; err != nil {
			return err
		}
		if n+m > 0 {
			return apperror.New(apperror.Conflict, "consultation.error.question_has_answers_remove")
		}
		if err := tx.Delete(&Question{}, questionID).Error; err != nil {
			return err
		}
		// Shift later questions up one by one, in order, so the unique
		// (instrument, position) index never sees two equal positions.
		var later []Question
		if err := tx.Where("instrument_id = ? AND position > ?", instrumentID, q.Position).Order("position").Find(&later).Error; err != nil {
			return err
		}
		for _, l := range later {
			if err := tx.Model(&Question{}).Where("id = ?", l.ID).Update("position", l.Position-1).Error; err != nil {
				return err
			}
		}
		return a.Record(tx, "consultation.question_remove", "question:"+strconv.FormatInt(questionID, 10), map[string]any{"text": q.Text})
	})
}

// CountResponses returns the number of responses in any state, drafts
// included: once there is one, someone has seen the questions in their
// order.
func (s *Service) CountResponses(ctx context.Context, instrumentID int64) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Response{}).Where("instrument_id = ?", instrumentID).Count(&n).Error
	return n, err
}

// Moved is where a question ended up after MoveQuestion.
type Moved struct {
	Position, Of int
}

// MoveQuestion swaps a question with the one above it (by = -1) or below
// it (by = +1). Only editors may, with an audit record in the same
// transaction. It is refused once the questionnaire has any response,
// draft or submitted: those respondents saw the old order (an answer can
// depend on the question before it), a draft's "where they stopped" (the
// funnel) is the last question in the order it was saved under, and the
// question numbers analysts already used ("Vraag 3" in a downloaded file,
// a report or a response note) would point at another question.
func (s *Service) MoveQuestion(ctx context.Context, a identity.Actor, instrumentID, questionID int64, by int) (Moved, error) {
	var out Moved
	if err := a.Require(identity.PermEdit); err != nil {
		return out, err
	}
	if by != -1 && by != 1 {
		return out, apperror.New(apperror.Invalid, "consultation.error.cannot_move")
	}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&Response{}).Where("instrument_id = ?", instrumentID).Count(&n).Error; err != nil {
			return err
		}
		if n > 0 {
			return apperror.New(apperror.Conflict, "consultation.error.order_fixed")
		}
		var q Question
		if err := tx.Select("id", "position", "text").Where("id = ? AND instrument_id = ?", questionID, instrumentID).Take(&q).Error; err != nil {
			return store.MapError(err)
		}
		var other Question
		err := tx.Select("id", "position").Where("instrument_id = ? AND position = ?", instrumentID, q.Position+by).Take(&other).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return apperror.New(apperror.Conflict, "consultation.error.cannot_move")
		}
		if err != nil {
			return err
		}
		// Three steps, so the unique (instrument, position) index never
		// sees two questions in one place: positions start at 1, so 0 is
		// free.
		for _, step := range []struct {
			id  int64
			pos int
		}{{q.ID, 0}, {other.ID, q.Position}, {q.ID, other.Position}} {
			if err := tx.Model(&Question{}).Where("id = ?", step.id).Update("position", step.pos).Error; err != nil {
				if errors.Is(err, gorm.ErrDuplicatedKey) {
					return apperror.Wrap(err, apperror.Conflict, "project.error.changed_meanwhile")
				}
				return err
			}
		}
		var total int64
		if err := tx.Model(&Question{}).Where("instrument_id = ?", instrumentID).Count(&total).Error; err != nil {
			return err
		}
		out = Moved{Position: other.Position, Of: int(total)}
		return a.Record(tx, "consultation.question_move", "question:"+strconv.FormatInt(questionID, 10),
			map[string]any{"instrument": instrumentID, "from": q.Position, "to": other.Position, "text": q.Text})
	})
	return out, err
}
