package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/notify"
)

// notificationForm is what the notifications page posts. One page holds
// four small forms; actie says which one was sent.
type notificationForm struct {
	Action  string   `form:"actie" binding:"max=20"`
	Email   string   `form:"email" binding:"max=400"`
	Consent string   `form:"toestemming" binding:"max=10"`
	Kinds   []string `form:"soort" binding:"max=10,dive,max=40"`
}

// notificationItem is one in-app notification, its title already in the
// reader's language.
type notificationItem struct {
	notify.Item
	Title string
}

type kindChoice struct {
	Kind    notify.Kind
	Checked bool
}

type notificationsData struct {
	Items   []notificationItem
	Unread  int64
	Address *notify.Address
	Kinds   []kindChoice
	Form    notificationForm
	Errors  map[string]string
}

// notificationListLimit is how many notifications the page shows.
const notificationListLimit = 50

// notificationList is "Meldingen" on Mijn inspraak: the in-app list, the
// e-mail address and what to get by e-mail.
func (s *Server) notificationList(c *gin.Context) {
	s.renderNotifications(c, http.StatusOK, notificationForm{}, nil)
}

func (s *Server) renderNotifications(c *gin.Context, status int, form notificationForm, errs map[string]string) {
	ctx := c.Request.Context()
	pid := residentOf(c).Participant.ID
	items, err := s.notify.List(ctx, pid, notificationListLimit)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := notificationsData{Form: form, Errors: errs}
	lang := langOf(c)
	for _, it := range items {
		d.Items = append(d.Items, notificationItem{Item: it, Title: s.cat.T(lang, it.Key, it.Args()...)})
		if !it.Read {
			d.Unread++
		}
	}
	if d.Address, err = s.notify.AddressOf(ctx, pid); err != nil {
		s.fail(c, err)
		return
	}
	prefs, err := s.notify.Preferences(ctx, pid)
	if err != nil {
		s.fail(c, err)
		return
	}
	if errs != nil && errs["voorkeuren"] != "" {
		prefs, _ = notify.ParsePrefs(form.Kinds)
	}
	for _, k := range notify.Kinds {
		d.Kinds = append(d.Kinds, kindChoice{Kind: k, Checked: prefs.Wants(k)})
	}
	if d.Form.Email == "" && d.Address != nil {
		d.Form.Email = d.Address.Email
	}
	p := s.page(c, "notifications.title", d)
	p.Nav = "my"
	s.html(c, status, "notifications", p)
}
