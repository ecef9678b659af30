// Package idea owns idea boards (ideeënborden): residents submit ideas
// under themes, others support them (one support per participant per
// idea, counted in the same transaction) and comment with one level of
// replies, and the municipality gives each idea a status with a written
// response. Who may do what, and when, is decided by instrument.Eligible:
// submitting by the board's instrument rules, supporting and commenting by
// the same rules with the board's support settings laid over them.
package idea

import (
	"strings"
	"time"
	"unicode/utf8"

	"inspraak/internal/instrument"
)

// Moderation modes of a board.
const (
	PreModeration  = "pre"  // nothing public until approved
	PostModeration = "post" // public at once; reports can queue it
)

// Moderation states of an idea or comment.
const (
	Awaiting = "awaiting"
	Approved = "approved"
	Rejected = "rejected"
	Hidden   = "hidden"
)

// Status is where the municipality is with an idea.
type Status string

// Statuses. Withdrawn is the author's own; the others are set by editors.
const (
	StatusNew                Status = "new"
	StatusUnderConsideration Status = "under_consideration"
	StatusAccepted           Status = "accepted"
	StatusRejected           Status = "rejected"
	StatusDone               Status = "done"
	StatusWithdrawn          Status = "withdrawn"
)

// EditorStatuses are the statuses an editor may give, in their order.
var EditorStatuses = []Status{StatusNew, StatusUnderConsideration, StatusAccepted, StatusRejected, StatusDone}

// Board is a row of idea_boards: the settings of one idea board.
type Board struct {
	InstrumentID   int64  `gorm:"primaryKey;autoIncrement:false"`
	Moderation     string `gorm:"not null"`
	SubmitClosesAt *time.Time
	SupportOpensAt *time.Time
	// Who may support and comment; the instrument's own rules are who
	// may submit.
	SupportWho           string `gorm:"not null"`
	SupportMinLoADigiD   string `gorm:"column:support_min_loa_digid;not null"`
	SupportMinLoAEH      string `gorm:"column:support_min_loa_eh;not null"`
	SupportResidentsOnly bool   `gorm:"not null"`
	SupportMinAge        int    `gorm:"not null"`
	// ListVersion moves with every write that changes the board's public
	// list (see listcache.go); pages compare it with their kept list.
	ListVersion int64 `gorm:"not null;default:1"`

	Themes     []Theme                `gorm:"foreignKey:InstrumentID;references:InstrumentID"`
	Instrument *instrument.Instrument `gorm:"foreignKey:InstrumentID"`
}

// TableName fixes the table name.
func (Board) TableName() string { return "idea_boards" }

// SubmitRules are the rules for submitting an idea: the instrument's,
// closing early when the board ends submission before the board closes.
func (b *Board) SubmitRules() instrument.Instrument {
	r := *b.Instrument
	if b.SubmitClosesAt != nil && (r.ClosesAt == nil || b.SubmitClosesAt.Before(*r.ClosesAt)) {
		r.ClosesAt = b.SubmitClosesAt
	}
	return r
}

// SupportRules are the rules for supporting and commenting: the
// instrument's period (opening later when the board says so) with the
// board's own who, levels, residency and age.
func (b *Board) SupportRules() instrument.Instrument {
	r := *b.Instrument
	if b.SupportOpensAt != nil && (r.OpensAt == nil || b.SupportOpensAt.After(*r.OpensAt)) {
		r.OpensAt = b.SupportOpensAt
	}
	r.Who, r.MinLoADigiD, r.MinLoAEH = b.SupportWho, b.SupportMinLoADigiD, b.SupportMinLoAEH
	r.ResidentsOnly, r.MinAge = b.SupportResidentsOnly, b.SupportMinAge
	return r
}

// ThemeName returns the name of a theme of this board, or "".
func (b *Board) ThemeName(id *int64) string {
	if id == nil {
		return ""
	}
	for _, t := range b.Themes {
		if t.ID == *id {
			return t.Name
		}
	}
	return ""
}

// Theme is a row of idea_themes.
type Theme struct {
	ID           int64  `gorm:"primaryKey"`
	InstrumentID int64  `gorm:"not null;uniqueIndex:idea_themes_instrument_name_key,priority:1"`
	Position     int    `gorm:"not null"`
	Name         string `gorm:"not null;uniqueIndex:idea_themes_instrument_name_key,priority:2"`
}

// TableName fixes the table name.
func (Theme) TableName() string { return "idea_themes" }

// Idea is a row of ideas.
type Idea struct {
	ID           int64 `gorm:"primaryKey"`
	InstrumentID int64 `gorm:"not null"`
	AuthorID     *int64
	Title        string `gorm:"not null"`
	Description  string `gorm:"not null"`
	ThemeID      *int64
	Wijk         string    `gorm:"not null"`
	Location     string    `gorm:"not null"`
	Moderation   string    `gorm:"not null"`
	Status       Status    `gorm:"not null"`
	SupportCount int64     `gorm:"not null"`
	CommentCount int64     `gorm:"not null"`
	CreatedAt    time.Time `gorm:"not null"`
	UpdatedAt    time.Time `gorm:"not null"`
	EditedAt     *time.Time
	// ImagePath is the idea's image from the media package ("" for
	// none), ImageAlt its text; width and height let a card reserve its
	// space before the image arrives.
	ImagePath   string `gorm:"not null"`
	ImageAlt    string `gorm:"not null"`
	ImageWidth  int    `gorm:"not null"`
	ImageHeight int    `gorm:"not null"`

	// AuthorName is the author's chosen display name, filled by the
	// queries that show ideas ("" once the author erased their data).
	AuthorName string `gorm:"-"`
}

// TableName fixes the table name.
func (Idea) TableName() string { return "ideas" }

// ExcerptLength is about how many characters of an idea's text a card
// shows.
const ExcerptLength = 200

// Excerpt is the start of the idea's text for a card: on one line, cut at
// a word boundary near ExcerptLength characters, with an ellipsis when
// cut.
func (i *Idea) Excerpt() string {
	text := strings.Join(strings.Fields(i.Description), " ")
	if utf8.RuneCountInString(text) <= ExcerptLength {
		return text
	}
	cut, runes := 0, 0
	for n := range text { // n is a byte offset at a rune boundary
		if runes > ExcerptLength {
			break
		}
		if text[n] == ' ' {
			cut = n
		}
		runes++
	}
	if cut == 0 { // one long word: cut inside it
		r := []rune(text)
		return string(r[:ExcerptLength]) + "…"
	}
	return strings.TrimRight(text[:cut], ".,;:!?-–") + "…"
}

// Public says whether everyone may see the idea.
func (i *Idea) Public() bool { return i.Moderation == Approved && i.Status != StatusWithdrawn }

// Support is a row of idea_supports.
//
// The row counts the support; ParticipantID is its only link to the
// supporter and is removed on erasure. That someone supported the idea is
// kept in the voter register (package participation), apart from it.
type Support struct {
	ID            int64     `gorm:"primaryKey"`
	IdeaID        int64     `gorm:"not null;uniqueIndex:idea_supports_idea_participant_key,priority:1"`
	ParticipantID *int64    `gorm:"uniqueIndex:idea_supports_idea_participant_key,priority:2"`
	CreatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Support) TableName() string { return "idea_supports" }

// Comment is a row of idea_comments.
type Comment struct {
	ID       int64 `gorm:"primaryKey"`
	IdeaID   int64 `gorm:"not null"`
	ParentID *int64
	// PendingReplyTo is the comment this reply answers while its author
	// has not yet heard of it (the reply is not public yet).
	PendingReplyTo *int64
	AuthorID       *int64
	Body           string    `gorm:"not null"`
	Moderation     string    `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
	EditedAt       *time.Time
	DeletedAt      *time.Time

	AuthorName string     `gorm:"-"`
	Replies    []*Comment `gorm:"-"`
}

// TableName fixes the table name.
func (Comment) TableName() string { return "idea_comments" }

// Deleted says whether the comment was deleted by its author (a
// placeholder keeps the thread readable).
func (c *Comment) Deleted() bool { return c.DeletedAt != nil }

// StatusChange is a row of idea_status_changes: one step of an idea's
// history, with the municipality's written response.
type StatusChange struct {
	ID        int64  `gorm:"primaryKey"`
	IdeaID    int64  `gorm:"not null"`
	Status    Status `gorm:"not null"`
	Response  string `gorm:"not null"`
	StaffID   *int64
	CreatedAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (StatusChange) TableName() string { return "idea_status_changes" }

// Models lists the row structs this package owns.
func Models() []any {
	return []any{&Board{}, &Theme{}, &Idea{}, &Support{}, &Comment{}, &StatusChange{}}
}
