// Package consultation owns questionnaires (vragenlijsten): ordered
// questions of several types, one response per participant that stays a
// draft on the server until it is submitted, and the rules for each answer.
package consultation

import "time"

// Kind is the type of a question.
type Kind string

// Question kinds.
const (
	ShortText   Kind = "short_text"
	LongText    Kind = "long_text"
	Single      Kind = "single"
	Multiple    Kind = "multiple"
	Scale       Kind = "scale"
	Ranking     Kind = "ranking"
	Number      Kind = "number"
	Explanation Kind = "explanation"
)

// Kinds lists every kind, in the order editors see them.
var Kinds = []Kind{ShortText, LongText, Single, Multiple, Scale, Ranking, Number, Explanation}

// HasOptions reports whether answers choose from options.
func (k Kind) HasOptions() bool { return k == Single || k == Multiple || k == Ranking }

// Consultation is a row of consultations.
type Consultation struct {
	InstrumentID int64 `gorm:"primaryKey;autoIncrement:false"`
	OnePerScreen bool  `gorm:"not null"`

	Questions []Question `gorm:"foreignKey:InstrumentID;references:InstrumentID"`
}

// TableName fixes the table name.
func (Consultation) TableName() string { return "consultations" }

// Question is one question of a consultation.
type Question struct {
	ID            int64  `gorm:"primaryKey"`
	InstrumentID  int64  `gorm:"not null;uniqueIndex:questions_instrument_position_key,priority:1"`
	Position      int    `gorm:"not null;uniqueIndex:questions_instrument_position_key,priority:2"`
	Kind          Kind   `gorm:"not null"`
	Text          string `gorm:"not null"`
	Help          string `gorm:"not null"`
	Required      bool   `gorm:"not null"`
	MaxLength     int    `gorm:"not null"`
	MaxChoices    int    `gorm:"not null"`
	ScaleMin      int    `gorm:"not null"`
	ScaleMax      int    `gorm:"not null"`
	ScaleMinLabel string `gorm:"not null"`
	ScaleMaxLabel string `gorm:"not null"`
	NumberMin     *float64
	NumberMax     *float64

	Options []QuestionOption `gorm:"foreignKey:QuestionID"`
}

// TableName fixes the table name.
func (Question) TableName() string { return "questions" }

// TextLimit is the longest text answer accepted.
func (q Question) TextLimit() int {
	if q.MaxLength > 0 {
		return q.MaxLength
	}
	if q.Kind == ShortText {
		return 200
	}
	return 5000
}

// ScalePoints lists the values of a scale question.
func (q Question) ScalePoints() []int {
	var out []int
	for v := q.ScaleMin; v <= q.ScaleMax; v++ {
		out = append(out, v)
	}
	return out
}

// QuestionOption is a choice of a single, multiple or ranking question.
type QuestionOption struct {
	ID         int64  `gorm:"primaryKey"`
	QuestionID int64  `gorm:"not null;uniqueIndex:question_options_question_position_key,priority:1"`
	Position   int    `gorm:"not null;uniqueIndex:question_options_question_position_key,priority:2"`
	Label      string `gorm:"not null"`
}

// TableName fixes the table name.
func (QuestionOption) TableName() string { return "question_options" }

// Response statuses.
const (
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
)

// Response is one participant's response to one consultation.
type Response struct {
	ID           int64 `gorm:"primaryKey"`
	InstrumentID int64 `gorm:"not null;uniqueIndex:responses_instrument_participant_key,priority:1"`
	// ParticipantID is the response's only link to its respondent, removed
	// on erasure; that someone submitted is kept in the voter register
	// (package participation), apart from what they answered.
	ParticipantID *int64    `gorm:"uniqueIndex:responses_instrument_participant_key,priority:2"`
	Status        string    `gorm:"not null"`
	Reference     string    `gorm:"not null"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
	SubmittedAt   *time.Time
	// LastQuestionID is the answered question that comes last in the
	// questionnaire (nil: nothing answered): where an unfinished response
	// got to, for the funnel.
	LastQuestionID *int64
}

// TableName fixes the table name.
func (Response) TableName() string { return "responses" }

// AnswerRow is the stored answer to one question.
type AnswerRow struct {
	ResponseID  int64  `gorm:"primaryKey;autoIncrement:false"`
	QuestionID  int64  `gorm:"primaryKey;autoIncrement:false"`
	TextValue   string `gorm:"not null"`
	NumberValue *float64
}

// TableName fixes the table name.
func (AnswerRow) TableName() string { return "answers" }

// AnswerOption is a chosen (or ranked) option.
type AnswerOption struct {
	ResponseID int64 `gorm:"primaryKey;autoIncrement:false"`
	QuestionID int64 `gorm:"primaryKey;autoIncrement:false"`
	OptionID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Rank       int   `gorm:"not null"`
}

// TableName fixes the table name.
func (AnswerOption) TableName() string { return "answer_options" }

// Models lists the row structs this package owns.
func Models() []any {
	return []any{&Consultation{}, &Question{}, &QuestionOption{}, &Response{}, &AnswerRow{}, &AnswerOption{}, &Open{}, &Tally{}}
}

// Answer is one answer as the participant gives it.
type Answer struct {
	Text    string
	Number  *float64
	Options []int64 // chosen options; for ranking, in ranked order
}

// Empty reports whether nothing was answered.
func (a Answer) Empty() bool { return a.Text == "" && a.Number == nil && len(a.Options) == 0 }

// Open is a row of consultation_opens: someone opened the questionnaire
// while logged in.
type Open struct {
	InstrumentID int64     `gorm:"primaryKey;autoIncrement:false"`
	Opener       string    `gorm:"primaryKey"`
	CreatedAt    time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Open) TableName() string { return "consultation_opens" }
