// Package project owns participation projects (participatietrajecten): their
// texts, their phases and their life cycle draft → published → closed →
// archived. Instruments (consultations, polls, idea boards) hang under a
// project and live in their own packages.
package project

import (
	"html/template"
	"time"
)

// Status is where a project is in its life cycle.
type Status string

// The statuses, in order.
const (
	StatusDraft     Status = "draft"
	StatusPublished Status = "published"
	StatusClosed    Status = "closed"
	StatusArchived  Status = "archived"
)

// Public reports whether visitors may read a project in this status.
func (s Status) Public() bool {
	return s == StatusPublished || s == StatusClosed || s == StatusArchived
}

// transitions lists the moves an editor may make. Reopening a closed
// project is allowed (a deadline extended); an archived project is final.
var transitions = map[Status][]Status{
	StatusDraft:     {StatusPublished},
	StatusPublished: {StatusClosed, StatusDraft},
	StatusClosed:    {StatusPublished, StatusArchived},
}

// CanMove reports whether a project may go from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Project is a row of the projects table.
type Project struct {
	ID      int64  `gorm:"primaryKey"`
	Slug    string `gorm:"not null;uniqueIndex:projects_slug_key"`
	Title   string `gorm:"not null"`
	Summary string `gorm:"not null"`
	// Body is the editor's Markdown; BodyHTML its sanitised rendering,
	// made when the body is saved so reading a page costs no rendering.
	Body        string `gorm:"not null"`
	BodyHTML    string `gorm:"column:body_html;not null"`
	Wijk        string `gorm:"not null"`
	ImagePath   string `gorm:"not null"`
	ImageAlt    string `gorm:"not null"`
	Status      Status `gorm:"not null"`
	PublishedAt *time.Time
	ClosedAt    *time.Time
	CreatedAt   time.Time `gorm:"not null"`
	UpdatedAt   time.Time `gorm:"not null"`

	Phases []Phase `gorm:"foreignKey:ProjectID"`
}

// TableName fixes the table name.
func (Project) TableName() string { return "projects" }

// SafeBody returns the stored, already sanitised body HTML.
func (p *Project) SafeBody() template.HTML {
	return template.HTML(p.BodyHTML) // #nosec: sanitised by richtext at save time
}

// Phase is one step in a project's timeline.
type Phase struct {
	ID          int64     `gorm:"primaryKey"`
	ProjectID   int64     `gorm:"not null;uniqueIndex:project_phases_project_position_key,priority:1"`
	Position    int       `gorm:"not null;uniqueIndex:project_phases_project_position_key,priority:2"`
	Title       string    `gorm:"not null"`
	Description string    `gorm:"not null"`
	StartsOn    time.Time `gorm:"not null"`
	EndsOn      *time.Time
}

// TableName fixes the table name.
func (Phase) TableName() string { return "project_phases" }

// Models lists the row structs this package owns, for the schema test.
func Models() []any { return []any{&Project{}, &Phase{}} }

// PhaseState says where a phase stands relative to now.
type PhaseState string

// Phase states.
const (
	PhaseDone     PhaseState = "done"
	PhaseCurrent  PhaseState = "current"
	PhaseUpcoming PhaseState = "upcoming"
)

// State places the phase relative to now. A phase without an end lasts
// until the next phase starts (next is nil for the last phase).
func (ph Phase) State(now time.Time, next *Phase) PhaseState {
	if now.Before(ph.StartsOn) {
		return PhaseUpcoming
	}
	end := ph.EndsOn
	if end == nil && next != nil {
		end = &next.StartsOn
	}
	if end != nil && !now.Before(*end) {
		return PhaseDone
	}
	return PhaseCurrent
}

// Summary is what lists show of a project: no body, no phases.
type Summary struct {
	ID          int64
	Slug        string
	Title       string
	Summary     string
	Wijk        string
	ImagePath   string
	ImageAlt    string
	Status      Status
	PublishedAt *time.Time
}
