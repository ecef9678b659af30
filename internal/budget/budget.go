// Package budget owns participatory budgeting (issue 17): residents divide
// a budget over plans. A budget is an instrument (kind "budget") with the
// shared participation rules; its ballots come through four channels —
// online (a DigiD or eHerkenning session), a letter code, a stand (kiosk)
// and paper — into one tally, and one voter register (package
// participation, kind "ballot", ref_id = the instrument) keeps one person
// to one ballot across all of them.
//
// The tables are budgets, budget_areas (the money, per wijk or one),
// budget_plans, budget_ballots with budget_ballot_plans (the ballot box,
// no voter token on it), budget_tallies (sharded, counted ballots only),
// budget_voters (the uploaded register of residents entitled to vote by
// letter, paper or at a stand: tokens, never BSNs) and budget_batches
// (paper ballots, four eyes). See docs/architecture.md, "Participatory
// budgeting".
package budget

import (
	"time"

	"inspraak/internal/instrument"
)

// Voting methods.
const (
	// MethodKnapsack: choose plans whose costs fit the area's amount,
	// optionally spending at least MinSpendPct per cent of it.
	MethodKnapsack = "knapsack"
	// MethodApproval: choose between MinPlans and MaxPlans plans.
	MethodApproval = "approval"
	// MethodPoints: divide exactly PointsTotal points over the plans.
	MethodPoints = "points"
)

// Counting rules: which count decides the result.
const (
	RuleGreedy = "greedy" // most votes first, skip what no longer fits
	RuleMES    = "mes"    // the Method of Equal Shares, with completion
)

// Where a voter's wijk comes from when the budget is divided per wijk.
const (
	// WijkBRP: the wijk the verification service (BRP) gave at login, the
	// register upload's wijk, or the stand's lookup.
	WijkBRP = "brp"
	// WijkDeclared: the resident chooses their wijk (only where the
	// municipality allows it; the page says so).
	WijkDeclared = "declared"
)

// Channel is the way a ballot came in.
type Channel string

// Channels.
const (
	ChannelOnline Channel = "online" // a DigiD or eHerkenning session
	ChannelCode   Channel = "code"   // a letter code, redeemed without DigiD
	ChannelStand  Channel = "stand"  // a kiosk ballot after a stand lookup
	ChannelPaper  Channel = "paper"  // entered by staff in a batch
)

// Channels lists the channels in the order results show them.
var Channels = []Channel{ChannelOnline, ChannelCode, ChannelStand, ChannelPaper}

// Valid reports whether c is one of the four channels.
func (c Channel) Valid() bool {
	switch c {
	case ChannelOnline, ChannelCode, ChannelStand, ChannelPaper:
		return true
	}
	return false
}

// Batch statuses.
const (
	BatchOpen      = "open"      // being entered
	BatchSubmitted = "submitted" // waiting for a second staff member
	BatchChecked   = "checked"   // counted
)

// Shards is how many rows each plan's tally per channel is spread over.
const Shards = 8

// Budget is a row of budgets, with its instrument, areas and plans when
// loaded by Get.
type Budget struct {
	InstrumentID int64  `gorm:"primaryKey;autoIncrement:false"`
	Method       string `gorm:"not null"`
	Rule         string `gorm:"not null"`
	// MinSpendPct is the share of the area's amount a knapsack ballot must
	// at least spend (0: no minimum).
	MinSpendPct int `gorm:"not null"`
	// MinPlans and MaxPlans bound the number of plans on a ballot (0: no
	// bound); approval ballots use both, the others MaxPlans if set.
	MinPlans int `gorm:"not null"`
	MaxPlans int `gorm:"not null"`
	// PointsTotal is what a points ballot divides, exactly.
	PointsTotal       int    `gorm:"not null"`
	PerWijk           bool   `gorm:"not null"`
	WijkSource        string `gorm:"not null"`
	ResultPublishedAt *time.Time

	Instrument *instrument.Instrument `gorm:"foreignKey:InstrumentID"`
	Areas      []Area                 `gorm:"foreignKey:InstrumentID;references:InstrumentID"`
	Plans      []Plan                 `gorm:"foreignKey:InstrumentID;references:InstrumentID"`
}

// TableName fixes the table name.
func (Budget) TableName() string { return "budgets" }

// Area is the money of one wijk (or of the whole budget, with Wijk ""),
// in euro cents.
type Area struct {
	ID           int64  `gorm:"primaryKey"`
	InstrumentID int64  `gorm:"not null;uniqueIndex:budget_areas_instrument_wijk_key,priority:1"`
	Wijk         string `gorm:"not null;uniqueIndex:budget_areas_instrument_wijk_key,priority:2"`
	Amount       int64  `gorm:"not null"`
}

// TableName fixes the table name.
func (Area) TableName() string { return "budget_areas" }

// Plan is something to spend money on, in one area.
type Plan struct {
	ID           int64  `gorm:"primaryKey"`
	InstrumentID int64  `gorm:"not null;uniqueIndex:budget_plans_instrument_position_key,priority:1"`
	AreaID       int64  `gorm:"not null"`
	Title        string `gorm:"not null"`
	Summary      string `gorm:"not null"`
	Description  string `gorm:"not null"`
	// Cost is in euro cents.
	Cost        int64  `gorm:"not null"`
	Theme       string `gorm:"not null"`
	ImagePath   string `gorm:"not null"`
	ImageAlt    string `gorm:"not null"`
	ImageWidth  int    `gorm:"not null"`
	ImageHeight int    `gorm:"not null"`
	// IdeaID is the idea the plan came from, if any (NULL when that idea
	// is deleted).
	IdeaID   *int64
	Position int `gorm:"not null;uniqueIndex:budget_plans_instrument_position_key,priority:2"`
}

// TableName fixes the table name.
func (Plan) TableName() string { return "budget_plans" }

// Ballot is one ballot in the box. It carries no voter token, code or
// staff id; ParticipantID (online ballots only) is the removable link that
// lets a resident see and change their ballot, NULL after erasure.
type Ballot struct {
	ID            int64   `gorm:"primaryKey"`
	InstrumentID  int64   `gorm:"not null;uniqueIndex:budget_ballots_instrument_participant_key,priority:1"`
	AreaID        int64   `gorm:"not null"`
	Channel       Channel `gorm:"not null"`
	ParticipantID *int64  `gorm:"uniqueIndex:budget_ballots_instrument_participant_key,priority:2"`
	BatchID       *int64
	// Wijk is the voter's wijk when they voted, for the per-wijk
	// breakdown.
	Wijk string `gorm:"not null"`
	// Counted is false only for paper ballots whose batch has not been
	// checked yet.
	Counted   bool      `gorm:"not null"`
	CreatedAt time.Time `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`

	Lines []BallotPlan `gorm:"foreignKey:BallotID"`
}

// TableName fixes the table name.
func (Ballot) TableName() string { return "budget_ballots" }

// BallotPlan is one chosen plan of a ballot (Points is 1 unless the
// method is points).
type BallotPlan struct {
	BallotID int64 `gorm:"primaryKey;autoIncrement:false"`
	PlanID   int64 `gorm:"primaryKey;autoIncrement:false"`
	Points   int   `gorm:"not null"`
}

// TableName fixes the table name.
func (BallotPlan) TableName() string { return "budget_ballot_plans" }

// Tally is one shard of one plan's count in one channel: the number of
// counted ballots choosing it and the points they gave it.
type Tally struct {
	PlanID  int64   `gorm:"primaryKey;autoIncrement:false"`
	Channel Channel `gorm:"primaryKey"`
	Shard   int     `gorm:"primaryKey;autoIncrement:false"`
	Votes   int64   `gorm:"not null"`
	Points  int64   `gorm:"not null"`
}

// TableName fixes the table name.
func (Tally) TableName() string { return "budget_tallies" }

// Elector is a row of the uploaded register of residents entitled to vote
// by letter, on paper or at a stand (budget_voters). Voter is the register
// token (VoterToken), never the BSN; CodeLookup is HMAC(code key,
// normalised code), so a typed code finds its row and the table alone
// cannot produce codes; LetterNo is the row's number in the upload.
type Elector struct {
	InstrumentID int64  `gorm:"primaryKey;autoIncrement:false;uniqueIndex:budget_voters_instrument_code_key,priority:1"`
	Voter        string `gorm:"primaryKey"`
	Wijk         string `gorm:"not null"`
	CodeLookup   string `gorm:"not null;uniqueIndex:budget_voters_instrument_code_key,priority:2"`
	LetterNo     int    `gorm:"not null"`
}

// TableName fixes the table name.
func (Elector) TableName() string { return "budget_voters" }

// Batch is a batch of paper ballots: entered by one staff member, checked
// by another before it counts.
type Batch struct {
	ID           int64     `gorm:"primaryKey"`
	InstrumentID int64     `gorm:"not null;uniqueIndex:budget_batches_instrument_number_key,priority:1"`
	Number       int       `gorm:"not null;uniqueIndex:budget_batches_instrument_number_key,priority:2"`
	Status       string    `gorm:"not null"`
	EnteredBy    *int64    // staff member who entered it
	CheckedBy    *int64    // staff member who checked it; never EnteredBy
	InvalidCount int       `gorm:"not null"` // paper ballots that could not be counted
	Note         string    `gorm:"not null"`
	CreatedAt    time.Time `gorm:"not null"`
	SubmittedAt  *time.Time
	CheckedAt    *time.Time
}

// TableName fixes the table name.
func (Batch) TableName() string { return "budget_batches" }

// Models lists the row structs this package owns.
func Models() []any {
	return []any{&Budget{}, &Area{}, &Plan{}, &Ballot{}, &BallotPlan{}, &Tally{}, &Elector{}, &Batch{}, &PaperEntry{}}
}

// Settings is how a budget votes and counts. Method, Rule and the limits
// are fixed once the first ballot exists.
type Settings struct {
	Method      string
	Rule        string
	MinSpendPct int
	MinPlans    int
	MaxPlans    int
	PointsTotal int
	PerWijk     bool
	WijkSource  string
}

// SettingsOf returns the settings of b.
func SettingsOf(b *Budget) Settings {
	return Settings{Method: b.Method, Rule: b.Rule, MinSpendPct: b.MinSpendPct, MinPlans: b.MinPlans,
		MaxPlans: b.MaxPlans, PointsTotal: b.PointsTotal, PerWijk: b.PerWijk, WijkSource: b.WijkSource}
}

// Line is one chosen plan on a ballot being cast. Points counts only for
// the points method (a line with 0 points is no choice); the other methods
// store 1.
type Line struct {
	PlanID int64
	Points int
}

// Choice is a ballot as a voter fills it in. AreaID names the area voted
// in: 0 means the voter's own (the only area without per_wijk, the area of
// the voter's wijk with per_wijk); with a declared wijk the voter names
// it.
type Choice struct {
	AreaID int64
	Lines  []Line
}

// Voter is who casts a ballot through Cast.
type Voter struct {
	Channel Channel
	// Token is the voter's register id: participation.VoterID of their
	// pseudonym for this budget (Service.OnlineToken for a session,
	// VoterToken from a BSN, budget_voters.voter for a letter code).
	Token string
	// ParticipantID is the session's participant (online only): the
	// removable link that lets them see and change their ballot.
	ParticipantID int64
	// Person is what instrument.Eligible looks at (online); for a stand
	// voter not on an uploaded register, the facts of the stand's BRP
	// lookup (Resident, AgeBand).
	Person instrument.Person
	// Wijk is the voter's wijk as the channel knows it (the verification
	// service at login, the register, the stand's lookup).
	Wijk string
}

// Receipt confirms a stored ballot.
type Receipt struct {
	BallotID int64
	AreaID   int64
	Channel  Channel
	Lines    []Line
	// Total is the cost of the chosen plans, in euro cents.
	Total   int64
	Changed bool
	At      time.Time
}
