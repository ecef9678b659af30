// Package moderation keeps public contributions clean: the queue of items
// waiting for a moderator (pre-moderation, automatic screening, reports,
// second looks), claims so that two moderators never work on the same
// item, decisions with reasons the author sees, blocks of participants who
// keep abusing, and the figures of the dashboard. The contributions
// themselves belong to other packages (ideas and comments to package idea),
// which implement Target; their own moderation column stays the one source
// of what is public.
package moderation

import (
	"context"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/moderation/screen"
)

// Kind is the kind of contribution an item is.
type Kind string

// The kinds.
const (
	KindIdea    Kind = "idea"
	KindComment Kind = "comment"
)

// Kinds lists every kind.
var Kinds = []Kind{KindIdea, KindComment}

// Visibility states of a contribution (the values of its moderation
// column).
const (
	Awaiting = "awaiting" // not public; its author sees "wacht op beoordeling"
	Approved = "approved" // public
	Rejected = "rejected" // not public; its author sees the reason
	Hidden   = "hidden"   // hidden after being public; its author sees the reason
)

// Board moderation modes.
const (
	PreModeration  = "pre"
	PostModeration = "post"
)

// Report reasons.
const (
	ReasonSpam         = "spam"
	ReasonOffensive    = "offensive"
	ReasonPersonalData = "personal_data"
	ReasonOffTopic     = "off_topic"
	ReasonOther        = "other"
)

// ReportReasons lists the reasons in the order the report form shows them.
var ReportReasons = []string{ReasonSpam, ReasonOffensive, ReasonPersonalData, ReasonOffTopic, ReasonOther}

// Decisions (and the other actions in an item's history).
const (
	ActApprove    = "approve"
	ActReject     = "reject"
	ActHide       = "hide"
	ActRestore    = "restore"
	ActRedact     = "redact"
	ActQueued     = "queued"
	ActReported   = "reported"
	ActClaim      = "claim"
	ActRelease    = "release"
	ActSecondLook = "second_look"
)

// Limits.
const (
	ClaimFor      = 15 * time.Minute
	MaxNote       = 2000
	MaxReason     = 2000
	MaxTemplate   = 2000
	MaxTitle      = 120
	MaxFragment   = 500
	MinThreshold  = 1
	MaxThreshold  = 100
	DefaultThresh = 3
	// Redacted replaces a fragment a moderator edited out.
	Redacted = "[verwijderd]"
	// PageSize is the number of queue rows per page.
	PageSize = 50
)

// Content is a contribution as the moderator sees it.
type Content struct {
	Kind         Kind
	ID           int64
	InstrumentID int64
	AuthorID     *int64
	AuthorName   string
	// Heading names the contribution: an idea's title, or the title of
	// the idea a comment is on.
	Heading string
	Fields  []screen.Field
	State   string
	Mode    string // the board's moderation mode
	Link    string // public address
	Place   string // project and instrument title
	// Gone means the author deleted or withdrew it: there is nothing
	// left to decide on.
	Gone bool
	// ImagePath is the contribution's image, if it has one (an address
	// from the media package), ImageAlt its text: the moderator sees it.
	ImagePath string
	ImageAlt  string
}

// Ref identifies a stored contribution.
type Ref struct {
	Kind         Kind
	ID           int64
	InstrumentID int64
	AuthorID     *int64
}

// Target is what a package that owns contributions gives moderation.
type Target interface {
	// Contents loads contributions by id; missing ids are left out.
	Contents(ctx context.Context, tx *gorm.DB, ids []int64) (map[int64]*Content, error)
	// SetState moves a contribution to a visibility state, keeping the
	// owner's counters right, and returns the state it had.
	SetState(ctx context.Context, tx *gorm.DB, id int64, state string) (string, error)
	// Redact replaces every occurrence of fragment in the named field by
	// Redacted and returns how many there were.
	Redact(ctx context.Context, tx *gorm.DB, id int64, field, fragment string) (int, error)
}

// Item is a row of moderation_items.
type Item struct {
	ID             int64  `gorm:"primaryKey"`
	Kind           Kind   `gorm:"not null;uniqueIndex:moderation_items_target_key,priority:1"`
	TargetID       int64  `gorm:"not null;uniqueIndex:moderation_items_target_key,priority:2"`
	InstrumentID   int64  `gorm:"not null"`
	AuthorID       *int64 //
	Waiting        bool   `gorm:"not null"`
	Pre            bool   `gorm:"not null"`
	Screened       bool   `gorm:"not null"`
	Reported       bool   `gorm:"not null"`
	SecondLook     bool   `gorm:"not null"`
	Hits           string `gorm:"not null"` // JSON array of screen.Hit
	OpenReports    int    `gorm:"not null"`
	QueuedAt       *time.Time
	ClaimedBy      *int64
	ClaimedUntil   *time.Time
	NotBy          *int64
	Decision       string `gorm:"not null"`
	DecidedBy      *int64
	DecidedAt      *time.Time
	Reason         string    `gorm:"not null"`
	SecondLookUsed bool      `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Item) TableName() string { return "moderation_items" }

// ClaimedByOther says whether another moderator holds a live claim.
func (i *Item) ClaimedByOther(staffID int64, now time.Time) bool {
	return i.ClaimedBy != nil && *i.ClaimedBy != staffID && i.ClaimedUntil != nil && now.Before(*i.ClaimedUntil)
}

// ClaimedBySelf says whether staffID holds a live claim.
func (i *Item) ClaimedBySelf(staffID int64, now time.Time) bool {
	return i.ClaimedBy != nil && *i.ClaimedBy == staffID && i.ClaimedUntil != nil && now.Before(*i.ClaimedUntil)
}

// Report is a row of moderation_reports.
type Report struct {
	ID     int64 `gorm:"primaryKey"`
	ItemID int64 `gorm:"not null;uniqueIndex:moderation_reports_item_participant_key,priority:1"`
	// ParticipantID is the report's only link to the reporter, removed on
	// erasure; one report per person per item is the voter register's key
	// (package participation).
	ParticipantID *int64    `gorm:"uniqueIndex:moderation_reports_item_participant_key,priority:2"`
	Reason        string    `gorm:"not null"`
	Note          string    `gorm:"not null"`
	CreatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Report) TableName() string { return "moderation_reports" }

// Template is a row of moderation_templates: a reason a moderator picks.
type Template struct {
	ID        int64     `gorm:"primaryKey"`
	Title     string    `gorm:"not null"`
	Body      string    `gorm:"not null"`
	Position  int       `gorm:"not null"`
	Active    bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Template) TableName() string { return "moderation_templates" }

// Event is a row of moderation_events: one step in an item's history.
type Event struct {
	ID            int64  `gorm:"primaryKey"`
	ItemID        int64  `gorm:"not null"`
	Action        string `gorm:"not null"`
	StaffID       *int64
	TemplateID    *int64
	Note          string `gorm:"not null"`
	WaitedSeconds *int64
	CreatedAt     time.Time `gorm:"not null"`

	StaffName string `gorm:"-"`
}

// TableName fixes the table name.
func (Event) TableName() string { return "moderation_events" }

// Block is a row of participation_blocks.
type Block struct {
	ID            int64     `gorm:"primaryKey"`
	ParticipantID int64     `gorm:"not null"`
	Reason        string    `gorm:"not null"`
	Until         time.Time `gorm:"not null"`
	CreatedBy     *int64
	CreatedAt     time.Time `gorm:"not null"`
	LiftedAt      *time.Time
	LiftedBy      *int64

	ParticipantName string `gorm:"-"`
}

// TableName fixes the table name.
func (Block) TableName() string { return "participation_blocks" }

// KeptBlock is a block that outlives the erasure of the participant it
// was on (a row of erased_blocks): only until when and why, under an id
// derived from the pseudonym for this purpose alone, so that the same
// person logging in again is still blocked until it ends. It names no
// participant and points at nothing they wrote.
type KeptBlock struct {
	Holder string    `gorm:"primaryKey"`
	Reason string    `gorm:"not null"`
	Until  time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (KeptBlock) TableName() string { return "erased_blocks" }

// Models lists the row structs this package owns.
func Models() []any {
	return []any{&Item{}, &Report{}, &Template{}, &Event{}, &Block{}, &KeptBlock{}}
}
