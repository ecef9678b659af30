package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/identity"
)

// staffMembers lists everyone who logged in as staff, with their roles.
type staffMembersData struct {
	Members []identity.StaffMember
	// Tokens are the API keys that still work, for administrators, who
	// may revoke any of them.
	Tokens []identity.OwnedAPIKey
}

func (s *Server) staffMembers(c *gin.Context) {
	list, err := s.identity.StaffList(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	d := staffMembersData{Members: list}
	if staffOf(c).Can(identity.PermSettings) {
		if d.Tokens, err = s.identity.LiveAPIKeys(c.Request.Context()); err != nil {
			s.fail(c, err)
			return
		}
	}
	p := s.page(c, "staff.members.title", d)
	p.StaffArea = true
	p.Nav = "staff-members"
	s.html(c, http.StatusOK, "staff_members", p)
}

// staffTokenRevoke lets an administrator end someone's API key, for
// instance of a person who left.
func (s *Server) staffTokenRevoke(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("tid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.identity.RevokeAnyAPIKey(c.Request.Context(), staffOf(c).Staff, id); err != nil {
		s.fail(c, err)
		return
	}
	// identity wrote the audit record with the revocation.
	s.done(c, "/beheer/medewerkers")
}
