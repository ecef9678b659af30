package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/notify"
	"inspraak/internal/ratelimit"
)

// notificationSave handles the four forms of the notifications page:
// set the address, remove it, choose kinds, mark everything read.
func (s *Server) notificationSave(c *gin.Context) {
	var f notificationForm
	if !s.bindForm(c, &f) {
		return
	}
	ctx := c.Request.Context()
	pid := residentOf(c).Participant.ID
	var err error
	var flash string
	switch f.Action {
	case "adres":
		// A confirmation mail goes out: at most so many per participant,
		// whatever the address.
		if f.Consent == "ja" && s.limited(c, ratelimit.Email, retryEmailFields...) {
			return
		}
		flash = "email_set"
		err = s.notify.SetAddress(ctx, pid, f.Email, langOf(c), f.Consent == "ja")
	case "verwijderen":
		flash = "email_removed"
		err = s.notify.RemoveAddress(ctx, pid)
	case "voorkeuren":
		prefs, perr := notify.ParsePrefs(f.Kinds)
		if perr != nil {
			s.renderNotifications(c, http.StatusUnprocessableEntity, f, map[string]string{"voorkeuren": "notifications.error.kinds"})
			return
		}
		flash = "saved"
		err = s.notify.SetPreferences(ctx, pid, prefs)
	case "gelezen":
		flash = "marked_read"
		err = s.notify.MarkAllRead(ctx, pid)
	default:
		s.renderStatus(c, http.StatusBadRequest, "")
		return
	}
	if e, ok := apperror.As(err); ok && (e.Code == apperror.Invalid || e.Code == apperror.Conflict) {
		errs := e.Fields
		if len(errs) == 0 {
			errs = map[string]string{"email": e.Key}
		}
		s.renderNotifications(c, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, flash)
	c.Redirect(http.StatusSeeOther, "/mijn-inspraak/meldingen")
}
