// Package instrument owns what all participation instruments under a
// project share: their identity (kind, slug, title), their state in time
// (not yet open, open, closed) and their participation rules. One function,
// Eligible, decides whether someone may take part, and every instrument
// asks it both when showing the page and inside the transaction that
// stores an answer. It also holds the one rule that ties an instrument to
// its project: only a published project's instruments can be open
// (StateIn).
package instrument

import (
	"strings"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/project"
)

// Kind is the sort of instrument.
type Kind string

// Kinds.
const (
	KindConsultation Kind = "consultation"
	KindPoll         Kind = "poll"
	KindIdeaBoard    Kind = "idea_board"
	KindBudget       Kind = "budget" // participatory budgeting (package budget)
)

// Who may take part.
const (
	WhoAny         = "any"
	WhoDigiD       = "digid"
	WhoEHerkenning = "eherkenning"
)

// Instrument is a row of the instruments table.
type Instrument struct {
	ID            int64  `gorm:"primaryKey"`
	ProjectID     int64  `gorm:"not null;uniqueIndex:instruments_project_slug_key,priority:1"`
	Kind          Kind   `gorm:"not null"`
	Slug          string `gorm:"not null;uniqueIndex:instruments_project_slug_key,priority:2"`
	Title         string `gorm:"not null"`
	Description   string `gorm:"not null"`
	Position      int    `gorm:"not null"`
	Published     bool   `gorm:"not null"`
	Who           string `gorm:"not null"`
	MinLoADigiD   string `gorm:"column:min_loa_digid;not null"`
	MinLoAEH      string `gorm:"column:min_loa_eh;not null"`
	ResidentsOnly bool   `gorm:"not null"`
	MinAge        int    `gorm:"not null"`
	OpensAt       *time.Time
	ClosesAt      *time.Time
	AllowChange   bool      `gorm:"not null"`
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Instrument) TableName() string { return "instruments" }

// Models lists the row structs this package owns.
func Models() []any { return []any{&Instrument{}} }

// State is where an instrument is in time.
type State string

// States.
const (
	StateUpcoming State = "upcoming"
	StateOpen     State = "open"
	StateClosed   State = "closed"
)

// StateAt places the instrument relative to now. The closing time is
// exclusive: at 17:00:00 an instrument closing at 17:00 is closed.
func (in *Instrument) StateAt(now time.Time) State {
	if in.OpensAt != nil && now.Before(*in.OpensAt) {
		return StateUpcoming
	}
	if in.ClosesAt != nil && !now.Before(*in.ClosesAt) {
		return StateClosed
	}
	return StateOpen
}

// StateIn places the instrument in time within its project. A project
// that is not published (closed, archived, or taken back to draft) closes
// its instruments at once, whatever their own dates: this is the one
// place that rule lives.
func (in *Instrument) StateIn(ps project.Status, now time.Time) State {
	if ps != project.StatusPublished {
		return StateClosed
	}
	return in.StateAt(now)
}

// Open reports whether people can still take part, now or once it opens:
// while it is, published figures are not final. It is what the API's
// "open" and the editor's results settings show.
func (in *Instrument) Open(ps project.Status, now time.Time) bool {
	return in.StateIn(ps, now) != StateClosed
}

// Person is what eligibility looks at: how someone is logged in now, and
// the facts the verification service gave at that login.
type Person struct {
	LoggedIn bool
	Means    identity.Means
	LoA      string
	// Resident is nil when no verification service answered.
	Resident *bool
	AgeBand  string
}

// PersonOf describes a logged-in resident or business (nil: anonymous).
func PersonOf(c *identity.Current) Person {
	if c == nil || c.Participant == nil {
		return Person{}
	}
	p := Person{LoggedIn: true, Means: c.Session.Means, LoA: c.Session.LoA}
	if c.Participant.VerifiedAt != nil {
		p.Resident = c.Participant.Resident
		p.AgeBand = c.Participant.AgeBand
	}
	return p
}

// Verdict says whether someone may take part and, if not, why, as a
// message key that also says what to do.
type Verdict struct {
	OK     bool
	Reason string
	// NeedLoA is the level to log in with again when Reason is about LoA.
	NeedLoA string
	// NeedMeans is the means to log in with when the rules name one.
	NeedMeans identity.Means
}

// Reasons for a refusal in time; the others are about the person.
const (
	ReasonNotOpenYet = "rules.not_open_yet"
	ReasonClosed     = "rules.closed"
)

// Err is the refusal as the error every service returns and every page
// and the API show: Closed when it is about time (not open yet, closed,
// or a project that closed), Forbidden when it is about the person; nil
// when the verdict is OK.
func (v Verdict) Err() error {
	if v.OK {
		return nil
	}
	code := apperror.Forbidden
	if v.Reason == ReasonClosed || v.Reason == ReasonNotOpenYet {
		code = apperror.Closed
	}
	return apperror.New(code, v.Reason)
}

// Eligible applies the rules in a fixed order, so the first thing a person
// can do something about is what they are told. ps is the status of the
// instrument's project: see StateIn.
func Eligible(in *Instrument, ps project.Status, p Person, now time.Time) Verdict {
	switch in.StateIn(ps, now) {
	case StateUpcoming:
		return Verdict{Reason: ReasonNotOpenYet}
	case StateClosed:
		return Verdict{Reason: ReasonClosed}
	}
	if !p.LoggedIn {
		return Verdict{Reason: "rules.login_required"}
	}
	switch in.Who {
	case WhoDigiD:
		if p.Means != identity.DigiD {
			return Verdict{Reason: "rules.digid_only", NeedMeans: identity.DigiD}
		}
	case WhoEHerkenning:
		if p.Means != identity.EHerkenning {
			return Verdict{Reason: "rules.eherkenning_only", NeedMeans: identity.EHerkenning}
		}
	}
	min := in.MinLoADigiD
	if p.Means == identity.EHerkenning {
		min = in.MinLoAEH
	}
	if !identity.MeetsLoA(p.Means, p.LoA, min) {
		return Verdict{Reason: "rules.loa_too_low", NeedLoA: min, NeedMeans: p.Means}
	}
	if in.ResidentsOnly || in.MinAge > 0 {
		if p.Means != identity.DigiD {
			return Verdict{Reason: "rules.residents_need_digid", NeedMeans: identity.DigiD}
		}
		if p.Resident == nil {
			return Verdict{Reason: "rules.not_verified"}
		}
		if in.ResidentsOnly && !*p.Resident {
			return Verdict{Reason: "rules.not_resident"}
		}
		if in.MinAge > 0 && !identity.AgeBandAtLeast(p.AgeBand, in.MinAge) {
			return Verdict{Reason: "rules.too_young"}
		}
	}
	return Verdict{OK: true}
}

// Means lists the ways of logging in that these rules let someone take
// part with, in the order a page offers them: DigiD and eHerkenning for
// "anyone", the one the rules name otherwise. Residents only and a
// minimum age need facts only a DigiD login gives (see Eligible), so they
// leave DigiD alone; rules that no login can meet give none.
func (in *Instrument) Means() []identity.Means {
	var ms []identity.Means
	switch in.Who {
	case WhoDigiD:
		ms = []identity.Means{identity.DigiD}
	case WhoEHerkenning:
		ms = []identity.Means{identity.EHerkenning}
	default:
		ms = []identity.Means{identity.DigiD, identity.EHerkenning}
	}
	if in.ResidentsOnly || in.MinAge > 0 {
		out := ms[:0]
		for _, m := range ms {
			if m == identity.DigiD {
				out = append(out, m)
			}
		}
		ms = out
	}
	return ms
}

// Header is what every instrument kind's draft says about itself.
type Header struct {
	ProjectID   int64
	Kind        Kind
	Slug        string
	Title       string
	Description string
	Published   bool
}

// NewRow makes the instruments row for a new instrument: the editor's
// rules with the header's identity, trimmed, and "anyone" as the default
// audience.
func NewRow(h Header, rules Instrument, now time.Time) Instrument {
	in := rules
	in.ID, in.ProjectID, in.Kind = 0, h.ProjectID, h.Kind
	in.Slug, in.Title, in.Description = strings.TrimSpace(h.Slug), strings.TrimSpace(h.Title), strings.TrimSpace(h.Description)
	in.Published, in.CreatedAt, in.UpdatedAt = h.Published, now, now
	if in.Who == "" {
		in.Who = WhoAny
	}
	return in
}
