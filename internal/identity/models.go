package identity

import (
	"strconv"
	"time"
)

// Participant is a resident or business, known only by pseudonym.
type Participant struct {
	ID          int64  `gorm:"primaryKey"`
	Subject     string `gorm:"not null;uniqueIndex:participants_subject_key"`
	KeyVersion  int    `gorm:"not null"`
	Means       Means  `gorm:"not null"`
	LoA         string `gorm:"column:loa;not null"`
	DisplayName string `gorm:"not null"`
	// Facts from the verification service, if any; nil means unknown.
	Resident    *bool
	AgeBand     string `gorm:"not null"`
	Wijk        string `gorm:"not null"`
	VerifiedAt  *time.Time
	CreatedAt   time.Time `gorm:"not null"`
	LastLoginAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (Participant) TableName() string { return "participants" }

// StaffMember is a municipal employee who logged in through the staff IdP.
type StaffMember struct {
	ID      int64  `gorm:"primaryKey"`
	Issuer  string `gorm:"not null;uniqueIndex:staff_members_issuer_subject_key,priority:1"`
	Subject string `gorm:"not null;uniqueIndex:staff_members_issuer_subject_key,priority:2"`
	Name    string `gorm:"not null"`
	// Email is from the staff provider's email claim, for the moderators'
	// digest; "" when the provider sends none.
	Email       string    `gorm:"not null"`
	Roles       string    `gorm:"not null"`
	CreatedAt   time.Time `gorm:"not null"`
	LastLoginAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (StaffMember) TableName() string { return "staff_members" }

// Actor is how the audit log names a staff member.
func (m StaffMember) Actor() string { return "staff:" + strconv.FormatInt(m.ID, 10) }

// RoleList returns the member's roles.
func (m StaffMember) RoleList() []Role { return SplitRoles(m.Roles) }

// Session kinds: residents and staff never share a session or a cookie.
const (
	KindResident = "resident"
	KindStaff    = "staff"
)

// Session is a server-side login session. ID is the SHA-256 of the cookie
// value, so a copy of the table does not let anyone take over a session.
type Session struct {
	ID            string `gorm:"primaryKey"`
	Kind          string `gorm:"not null"`
	ParticipantID *int64
	StaffID       *int64
	Means         Means  `gorm:"not null"`
	LoA           string `gorm:"column:loa;not null"`
	ProviderSID   string `gorm:"column:provider_sid;not null"`
	// IDToken is kept for staff only, as id_token_hint at logout. A
	// resident's ID token carries the BSN, so it is never stored.
	IDToken    string    `gorm:"column:id_token;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	LastSeenAt time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"`

	Participant *Participant `gorm:"foreignKey:ParticipantID"`
	Staff       *StaffMember `gorm:"foreignKey:StaffID"`
}

// TableName fixes the table name.
func (Session) TableName() string { return "sessions" }

// PendingLogin is a login that went to the provider and has not come back.
type PendingLogin struct {
	State      string    `gorm:"primaryKey"`
	Means      Means     `gorm:"not null"`
	Verifier   string    `gorm:"not null"`
	Nonce      string    `gorm:"not null"`
	ReturnPath string    `gorm:"not null"`
	MinLoA     string    `gorm:"column:min_loa;not null"`
	CreatedAt  time.Time `gorm:"not null"`
	ExpiresAt  time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (PendingLogin) TableName() string { return "pending_logins" }

// LogoutTokenSeen records a back-channel logout token's jti against replay.
type LogoutTokenSeen struct {
	JTI       string    `gorm:"column:jti;primaryKey"`
	ExpiresAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (LogoutTokenSeen) TableName() string { return "logout_tokens_seen" }

// Models lists the row structs this package owns, for the schema test.
func Models() []any {
	return []any{&Participant{}, &StaffMember{}, &Session{}, &PendingLogin{}, &LogoutTokenSeen{}, &APIKey{}}
}
