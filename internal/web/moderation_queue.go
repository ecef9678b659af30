package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/moderation"
)

// Moderators work the queue at /beheer/moderatie. Every decision goes
// through moderation.Service, which writes the audit log in the same
// transaction; these handlers read forms and show pages. One file per
// action or small group: queue (this file), item, decide, block,
// templates, settings, and the template helpers in moderation_view.go.

func modStaff(c *gin.Context) moderation.Staff {
	cur := staffOf(c)
	return moderation.Staff{ID: cur.Staff.ID, Name: cur.Staff.Name, Roles: cur.Staff.RoleList()}
}

func (s *Server) staffPage(c *gin.Context, title string, data any, nav string) *Page {
	p := s.page(c, title, data)
	p.StaffArea, p.Nav = true, nav
	return p
}

// queueFilter reads the queue's filters from the query (or a form).
func queueFilter(get func(string) string) (moderation.Filter, bool) {
	f := moderation.Filter{Why: get("waarom"), Reason: get("reden"), Newest: get("volgorde") == "nieuw"}
	if v := get("instrument"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return f, false
		}
		f.InstrumentID = n
	}
	if v := get("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return f, false
		}
		f.Page = n
	}
	if f.Why != "" && !slices.Contains(moderation.Whys, f.Why) {
		return f, false
	}
	if f.Reason != "" && !slices.Contains(moderation.ReportReasons, f.Reason) {
		return f, false
	}
	if v := get("volgorde"); v != "" && v != "nieuw" && v != "oud" {
		return f, false
	}
	return f, true
}

// query is the filter as a query string, for links that keep it.
func filterQuery(f moderation.Filter) string {
	v := url.Values{}
	if f.InstrumentID > 0 {
		v.Set("instrument", strconv.FormatInt(f.InstrumentID, 10))
	}
	if f.Why != "" {
		v.Set("waarom", f.Why)
	}
	if f.Reason != "" {
		v.Set("reden", f.Reason)
	}
	if f.Newest {
		v.Set("volgorde", "nieuw")
	}
	return v.Encode()
}

type queueData struct {
	Queue       moderation.QueuePage
	Filter      moderation.Filter
	Query       string
	Instruments []moderation.Place
	Whys        []string
	Reasons     []string
	Now         time.Time
	Me          int64
}

// Mine says whether the viewing moderator holds the row's claim.
func (d queueData) Mine(r moderation.Row) bool { return r.ClaimedBy != nil && *r.ClaimedBy == d.Me }

// PageURL links to another page of the same filtered queue.
func (d queueData) PageURL(n int) string {
	q := d.Query
	if q != "" {
		q += "&"
	}
	return "/beheer/moderatie?" + q + "pagina=" + strconv.Itoa(n)
}

func (s *Server) modQueue(c *gin.Context) {
	f, ok := queueFilter(c.Query)
	if !ok {
		s.renderStatus(c, http.StatusBadRequest, "moderation.error.filter")
		return
	}
	ctx := c.Request.Context()
	q, err := s.moderation.Queue(ctx, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	places, err := s.moderation.Places(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := queueData{Queue: q, Filter: f, Query: filterQuery(f), Instruments: places, Whys: moderation.Whys,
		Reasons: moderation.ReportReasons, Now: s.clock(), Me: staffOf(c).Staff.ID}
	s.html(c, http.StatusOK, "mod_queue", s.staffPage(c, "moderation.queue.title", d, "staff-moderation"))
}

// modNext claims the oldest free item (within the filter) and opens it.
func (s *Server) modNext(c *gin.Context) {
	f, ok := queueFilter(c.PostForm)
	if !ok {
		s.renderStatus(c, http.StatusBadRequest, "moderation.error.filter")
		return
	}
	id, err := s.moderation.Next(c.Request.Context(), modStaff(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	if id == 0 {
		s.setFlash(c, "queue_empty")
		c.Redirect(http.StatusSeeOther, "/beheer/moderatie?"+filterQuery(f))
		return
	}
	c.Redirect(http.StatusSeeOther, "/beheer/moderatie/"+strconv.FormatInt(id, 10))
}

func (s *Server) modDashboard(c *gin.Context) {
	d, err := s.moderation.Dashboard(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "mod_dashboard", s.staffPage(c, "moderation.dashboard.title", d, "staff-moderation"))
}
