package identity

import (
	"slices"
	"strings"
)

// Role is a staff role.
type Role string

// Staff roles.
const (
	RoleModerator Role = "moderator"
	RoleEditor    Role = "editor"
	RoleAnalyst   Role = "analyst"
	RoleAdmin     Role = "admin"
	// RoleStembureau staffs a budget's stand and enters paper ballots
	// (issue 17): it sees nothing else of the back office.
	RoleStembureau Role = "stembureau"
)

// AllRoles lists the roles in display order.
var AllRoles = []Role{RoleModerator, RoleEditor, RoleAnalyst, RoleStembureau, RoleAdmin}

// Permission is something a staff route or service action needs.
type Permission string

// Permissions. Each later feature adds its own here and in grants.
const (
	PermStaffArea Permission = "staff.area"   // see /beheer at all
	PermModerate  Permission = "moderation"   // work the moderation queue
	PermEdit      Permission = "content.edit" // projects and instruments
	PermAnalyse   Permission = "results.read" // results, exports, response notes
	// PermPublishResults puts a questionnaire's results on the site (and
	// takes them off): editors, who run the project, and analysts, who
	// read the figures and write the response note.
	PermPublishResults Permission = "results.publish"
	PermStaffList      Permission = "staff.list"    // see who has staff access
	PermAuditRead      Permission = "audit.read"    // read the audit log
	PermSettings       Permission = "settings.edit" // site settings
	// PermBudgetStand looks residents up by BSN at a budget's stand and
	// enters and checks paper ballots.
	PermBudgetStand Permission = "budget.stand"
)

// grants says which roles hold a permission. Deny by default: a
// permission missing here is held by nobody.
var grants = map[Permission][]Role{
	PermStaffArea:      {RoleModerator, RoleEditor, RoleAnalyst, RoleStembureau, RoleAdmin},
	PermModerate:       {RoleModerator, RoleAdmin},
	PermEdit:           {RoleEditor, RoleAdmin},
	PermAnalyse:        {RoleAnalyst, RoleAdmin},
	PermPublishResults: {RoleEditor, RoleAnalyst, RoleAdmin},
	PermStaffList:      {RoleAdmin},
	PermAuditRead:      {RoleAdmin},
	PermSettings:       {RoleAdmin},
	PermBudgetStand:    {RoleStembureau, RoleAdmin},
}

// Can reports whether any of roles holds p. Both the web middleware and the
// domain services ask this one function.
func Can(roles []Role, p Permission) bool {
	for _, r := range grants[p] {
		if slices.Contains(roles, r) {
			return true
		}
	}
	return false
}

// RolesFromGroups maps the groups claim to roles through the configured
// table. Unknown groups give nothing; no groups give no roles.
func RolesFromGroups(groups []string, table map[string][]Role) []Role {
	var out []Role
	for _, g := range groups {
		for _, r := range table[g] {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	slices.SortFunc(out, func(a, b Role) int { return slices.Index(AllRoles, a) - slices.Index(AllRoles, b) })
	return out
}

// JoinRoles and SplitRoles store roles as one text column.
func JoinRoles(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// SplitRoles is the inverse of JoinRoles, dropping unknown names.
func SplitRoles(s string) []Role {
	var out []Role
	for _, p := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(p))
		if slices.Contains(AllRoles, r) {
			out = append(out, r)
		}
	}
	return out
}
