package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
)

// The stand (stembureau): a staff member with budget.stand has seen the
// person's identity document, types their BSN and, when the person may
// vote, this device becomes a kiosk for them: a signed cookie for this
// budget and their register token, 15 minutes, in which the ordinary
// voting pages work (budgetChannelVoterHook) and every staff page says
// "Op dit apparaat wordt gestemd" (requireStaff). Casting the ballot ends
// the kiosk (budgetCastDoneHook); a replayed cookie finds its token in
// the voter register and cannot vote again. Stopping the kiosk by hand
// also logs the staff member out on this device, so whoever stands at it
// does not get the staff pages.

// kioskTTL is how long a kiosk ticket lives.
const kioskTTL = 15 * time.Minute

// kioskActive reports whether this browser is a kiosk right now.
func (s *Server) kioskActive(c *gin.Context) bool {
	_, _, ok := s.readChannelSession(c, budget.ChannelStand, 0)
	return ok
}

// renderKioskBusy is every staff page while the device is a kiosk.
func (s *Server) renderKioskBusy(c *gin.Context) {
	id, _, _ := s.readChannelSession(c, budget.ChannelStand, 0)
	p := s.page(c, "budget.kiosk.busy_title", map[string]string{"Vote": s.budgetPathOf(c, id)})
	p.HideAccount = true
	s.html(c, http.StatusForbidden, "budget_stand_busy", p)
}

// kioskStop ends the kiosk and the staff session on this device.
func (s *Server) kioskStop(c *gin.Context) {
	s.clearChannelSession(c, budget.ChannelStand, 0, "/")
	s.staffLogout(c)
}

// standData is the stembureau page's data.
type standData struct {
	B       *budget.Budget
	Budgets []budget.BudgetRef
	Errors  map[string]string
	Error   string
	Done    bool // the last lookup gave a ticket that has been used
}

func (s *Server) standBudget(c *gin.Context) (*budget.Budget, bool) {
	id, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	b, err := s.budgets.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return b, true
}

func (s *Server) standPage(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	s.renderStand(c, http.StatusOK, standData{B: b})
}

func (s *Server) renderStand(c *gin.Context, status int, d standData) {
	s.html(c, status, "budget_stand", s.staffPage(c, "budget.stand.title", d, "staff-stand"))
}

// standList is the stembureau's start: the budgets to work on.
func (s *Server) standList(c *gin.Context) {
	refs, err := s.budgets.StandBudgets(c.Request.Context(), actorOf(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "budget_stand_list", s.staffPage(c, "budget.stand.list_title", standData{Budgets: refs}, "staff-stand"))
}

func (s *Server) standLookup(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	// The BSN is read once, handed to the service and not kept: it is
	// not put back in the form, the page or the log.
	v, err := s.budgets.StandTicket(c.Request.Context(), actorOf(c), b.InstrumentID, c.PostForm("bsn"))
	if err != nil {
		e, ok := apperror.As(err)
		if !ok {
			s.fail(c, err)
			return
		}
		d := standData{B: b}
		status := http.StatusUnprocessableEntity
		if len(e.Fields) > 0 {
			d.Errors = e.Fields
		} else {
			if e.Code == apperror.Conflict || e.Code == apperror.Closed {
				status = http.StatusConflict
			} else if e.Code == apperror.Forbidden {
				status = http.StatusForbidden
			} else if e.Code == apperror.Unavailable {
				status = http.StatusServiceUnavailable
			}
			d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
		}
		s.renderStand(c, status, d)
		return
	}
	cs := channelSession{Channel: budget.ChannelStand, Token: v.Token, Wijk: v.Wijk, Resident: v.Person.Resident, AgeBand: v.Person.AgeBand,
		Expires: s.now().Add(kioskTTL)}
	s.writeChannelSession(c, b.InstrumentID, "/", cs)
	c.Redirect(http.StatusSeeOther, s.budgetPathOf(c, b.InstrumentID))
}
