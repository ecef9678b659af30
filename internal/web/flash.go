package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

const flashCookie = "inspraak_melding"

// Flash is a one-time message shown on the next page.
type Flash struct {
	Key     string
	Variant string // ok, info, warning, error (Utrecht alert variants)
}

// flashes are the only messages a flash cookie can name, so a crafted
// cookie cannot put arbitrary catalogue text on the page.
var flashes = map[string]Flash{
	"verification_failed": {Key: "flash.verification_failed", Variant: "warning"},
	"name_saved":          {Key: "flash.name_saved", Variant: "ok"},
	"vote_saved":          {Key: "flash.vote_saved", Variant: "ok"},
	"saved":               {Key: "flash.saved", Variant: "ok"},
	"draft_saved":         {Key: "flash.draft_saved", Variant: "ok"},
	"status_changed":      {Key: "flash.status_changed", Variant: "ok"},
	"vote_changed":        {Key: "flash.vote_changed", Variant: "ok"},
	"idea_submitted":      {Key: "flash.idea_submitted", Variant: "ok"},
	"idea_awaiting":       {Key: "flash.idea_awaiting", Variant: "info"},
	"idea_saved":          {Key: "flash.idea_saved", Variant: "ok"},
	"idea_withdrawn":      {Key: "flash.idea_withdrawn", Variant: "ok"},
	"support_added":       {Key: "flash.support_added", Variant: "ok"},
	"support_removed":     {Key: "flash.support_removed", Variant: "ok"},
	"comment_added":       {Key: "flash.comment_added", Variant: "ok"},
	"comment_awaiting":    {Key: "flash.comment_awaiting", Variant: "info"},
	"comment_saved":       {Key: "flash.comment_saved", Variant: "ok"},
	"comment_deleted":     {Key: "flash.comment_deleted", Variant: "ok"},
	"data_erased":         {Key: "flash.data_erased", Variant: "ok"},
	"email_set":           {Key: "flash.email_set", Variant: "info"},
	"email_confirmed":     {Key: "flash.email_confirmed", Variant: "ok"},
	"email_removed":       {Key: "flash.email_removed", Variant: "ok"},
	"marked_read":         {Key: "flash.marked_read", Variant: "ok"},
	"following":           {Key: "flash.following", Variant: "ok"},
	"unfollowed":          {Key: "flash.unfollowed", Variant: "ok"},
	"reported":            {Key: "flash.reported", Variant: "ok"},
	"second_look":         {Key: "flash.second_look", Variant: "ok"},
	"queue_empty":         {Key: "flash.queue_empty", Variant: "info"},
	"claim_released":      {Key: "flash.claim_released", Variant: "ok"},
	"decided_approve":     {Key: "flash.decided_approve", Variant: "ok"},
	"decided_reject":      {Key: "flash.decided_reject", Variant: "ok"},
	"decided_hide":        {Key: "flash.decided_hide", Variant: "ok"},
	"decided_restore":     {Key: "flash.decided_restore", Variant: "ok"},
	"redacted":            {Key: "flash.redacted", Variant: "ok"},
	"blocked":             {Key: "flash.blocked", Variant: "ok"},
	"block_lifted":        {Key: "flash.block_lifted", Variant: "ok"},
}

func (s *Server) setFlash(c *gin.Context, name string) {
	s.setCookie(c, flashCookie, name, 300)
}

// takeFlash reads and clears the flash of this request.
func (s *Server) takeFlash(c *gin.Context) *Flash {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return nil
	}
	if !c.Writer.Written() {
		http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
			Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
	}
	f, ok := flashes[v]
	if !ok {
		return nil
	}
	return &f
}
