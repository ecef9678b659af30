package web

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/moderation"
)

// modBlock bars the item's author from contributing for a while.
func (s *Server) modBlock(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	days, note := c.PostForm("duur"), c.PostForm("reden")
	data := modItemData{D: d, BlockDays: days, BlockNote: note}
	if d.AuthorID == nil {
		s.modRefused(c, data, apperror.New(apperror.Conflict, "moderation.error.no_author"))
		return
	}
	if len(note) > 4*moderation.MaxReason+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	n, err := strconv.Atoi(days)
	if err != nil || !slices.Contains([]int{7, 30, 90}, n) {
		s.modRefused(c, data, apperror.Invalid.WithFields(map[string]string{"duur": "moderation.error.block_period"}))
		return
	}
	until := s.clock().AddDate(0, 0, n)
	if err := s.moderation.Block(c.Request.Context(), modStaff(c), *d.AuthorID, until, note); err != nil {
		s.modRefused(c, data, err)
		return
	}
	s.setFlash(c, "blocked")
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}

func (s *Server) modBlocks(c *gin.Context) {
	bs, err := s.moderation.Blocks(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "mod_blocks", s.staffPage(c, "moderation.blocks.title", bs, "staff-moderation"))
}

func (s *Server) modLift(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("bid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	if err := s.moderation.Lift(c.Request.Context(), modStaff(c), id); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "block_lifted")
	c.Redirect(http.StatusSeeOther, "/beheer/moderatie/blokkades")
}
