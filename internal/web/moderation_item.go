package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/moderation"
	"inspraak/internal/moderation/screen"
)

type modItemData struct {
	D          *moderation.Detail
	Templates  []moderation.Template
	Now        time.Time
	Me         int64
	Errors     map[string]string
	Form       modDecisionForm
	Fragment   string
	Field      string
	BlockDays  string
	BlockNote  string
	BlockSteps []int
}

type modDecisionForm struct {
	Action          string
	TemplateID      int64
	Note            string
	NotPersonalData bool
}

// Mine says whether the viewing moderator holds the claim.
func (d modItemData) Mine() bool { return d.D.ClaimedBySelf(d.Me, d.Now) }

// Other says whether another moderator holds the claim.
func (d modItemData) Other() bool { return d.D.ClaimedByOther(d.Me, d.Now) }

// NotForMe says whether this is a second look the viewer may not take.
func (d modItemData) NotForMe() bool { return d.D.NotBy != nil && *d.D.NotBy == d.Me && d.D.Waiting }

// CanDecide says whether the decision form is live.
func (d modItemData) CanDecide() bool { return d.D.Waiting && d.Mine() }

// PersonalData says whether screening marked personal data in the
// contribution that is still there (not redacted), or the last decision
// was refused for it. The form then has no default decision and asks for
// the "not personal data" confirmation.
func (d modItemData) PersonalData() bool {
	if _, ok := d.Errors["geen_persoonsgegevens"]; ok {
		return true
	}
	for _, h := range d.D.Hits {
		if h.Kind.PersonalData() {
			return true
		}
	}
	return false
}

// URL is the item page.
func (d modItemData) URL() string { return "/beheer/moderatie/" + strconv.FormatInt(d.D.ID, 10) }

// Segments splits a field's text around the screening hits.
func (d modItemData) Segments(f screen.Field) []screen.Segment {
	return screen.Highlight(f.Name, f.Text, d.D.Hits)
}

func (s *Server) loadModItem(c *gin.Context) (*moderation.Detail, bool) {
	id, err := strconv.ParseInt(c.Param("item"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	d, err := s.moderation.Detail(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return d, true
}

func (s *Server) modItem(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	s.renderModItem(c, http.StatusOK, modItemData{D: d})
}

func (s *Server) renderModItem(c *gin.Context, status int, data modItemData) {
	ts, err := s.moderation.Templates(c.Request.Context(), true)
	if err != nil {
		s.fail(c, err)
		return
	}
	data.Templates, data.Now, data.Me = ts, s.clock(), staffOf(c).Staff.ID
	data.BlockSteps = []int{7, 30, 90}
	title := "moderation.item.title." + string(data.D.Kind)
	s.html(c, status, "mod_item", s.staffPage(c, title, data, "staff-moderation"))
}

// modRefused re-shows the item with the message of a refused action.
func (s *Server) modRefused(c *gin.Context, data modItemData, err error) {
	s.refusedAt(c, err, "item", func(status int, fields map[string]string) {
		// The item as it is now: the refusal may be someone else's claim
		// or decision.
		if d, derr := s.moderation.Detail(c.Request.Context(), data.D.ID); derr == nil {
			data.D = d
		}
		data.Errors = fields
		s.renderModItem(c, status, data)
	})
}

func (s *Server) modClaim(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	if err := s.moderation.Claim(c.Request.Context(), modStaff(c), d.ID); err != nil {
		s.modRefused(c, modItemData{D: d}, err)
		return
	}
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}

func (s *Server) modRelease(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	if err := s.moderation.Release(c.Request.Context(), modStaff(c), d.ID); err != nil {
		s.fail(c, err)
		return
	}
	s.setFlash(c, "claim_released")
	c.Redirect(http.StatusSeeOther, "/beheer/moderatie")
}
