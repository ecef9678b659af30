package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// projectFollow follows or stops following a project. The form says which
// (volgen=ja or nee), so a double click does not undo itself.
func (s *Server) projectFollow(c *gin.Context) {
	ctx := c.Request.Context()
	p, err := s.projects.GetPublic(ctx, c.Param("slug"))
	if err != nil {
		s.fail(c, err)
		return
	}
	pid := residentOf(c).Participant.ID
	if c.PostForm("volgen") == "nee" {
		err = s.notify.Unfollow(ctx, pid, p.ID)
		s.setFlash(c, "unfollowed")
	} else {
		err = s.notify.Follow(ctx, pid, p.ID)
		s.setFlash(c, "following")
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/projecten/"+p.Slug)
}
