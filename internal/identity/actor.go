package identity

import (
	"strconv"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
)

// Actor is the staff member doing a staff action, as the domain services
// see it: who, for the audit log, and which roles, for the second wall
// behind the route groups. Web builds it from the session (StaffMember.AsActor);
// tests build it by hand.
type Actor struct {
	StaffID int64
	Roles   []Role
	// System names a program acting on its own (the demo seed, a
	// benchmark's fixture): it may do everything and is logged as such.
	System string
}

// SystemActor is a program acting on its own, named name in the log.
func SystemActor(name string) Actor { return Actor{System: name} }

// AsActor is the member as an Actor.
func (m StaffMember) AsActor() Actor { return Actor{StaffID: m.ID, Roles: m.RoleList()} }

// Name is how the audit log names the actor (as StaffMember.Actor).
func (a Actor) Name() string {
	if a.System != "" {
		return a.System
	}
	return "staff:" + strconv.FormatInt(a.StaffID, 10)
}

// May reports whether the actor holds p.
func (a Actor) May(p Permission) bool { return a.System != "" || a.StaffID > 0 && Can(a.Roles, p) }

// Require refuses (Forbidden) an actor who does not hold p. Services call
// it first, before they read or change anything.
func (a Actor) Require(p Permission) error {
	if !a.May(p) {
		return apperror.New(apperror.Forbidden, "error.403.no_role")
	}
	return nil
}

// Record writes the actor's audit event inside tx, the transaction of the
// change it records: if the record cannot be written, the change is
// rolled back with it.
func (a Actor) Record(tx *gorm.DB, action, target string, detail map[string]any) error {
	kind := audit.ActorStaff
	if a.System != "" {
		kind = audit.ActorSystem
	}
	return audit.Write(tx, audit.Event{ActorKind: kind, Actor: a.Name(), Action: action, Target: target, Detail: detail})
}
