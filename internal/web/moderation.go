package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/i18n"
	"inspraak/internal/moderation"
	"inspraak/internal/moderation/screen"
)

// Moderators work the queue at /beheer/moderatie. Every decision goes
// through moderation.Service, which writes the audit log in the same
// transaction; these handlers read forms and show pages.

func modStaff(c *gin.Context) moderation.Staff {
	cur := staffOf(c)
	return moderation.Staff{ID: cur.Staff.ID, Name: cur.Staff.Name}
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
	e, ok := apperror.As(err)
	if !ok {
		s.fail(c, err)
		return
	}
	if d, derr := s.moderation.Detail(c.Request.Context(), data.D.ID); derr == nil {
		data.D = d
	}
	switch e.Code {
	case apperror.Invalid:
		data.Errors = e.Fields
	case apperror.Forbidden, apperror.Conflict:
		data.Errors = map[string]string{"item": e.Key}
	default:
		s.fail(c, err)
		return
	}
	s.renderModItem(c, statusOf[e.Code], data)
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

// modDecide carries out approve, reject, hide or restore.
func (s *Server) modDecide(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	form := modDecisionForm{Action: c.PostForm("besluit"), Note: c.PostForm("toelichting"),
		NotPersonalData: c.PostForm("geen_persoonsgegevens") == "ja"}
	if v := c.PostForm("sjabloon"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.modRefused(c, modItemData{D: d, Form: form}, apperror.Invalid.WithFields(map[string]string{"sjabloon": "moderation.error.template_unknown"}))
			return
		}
		form.TemplateID = n
	}
	if len(form.Note) > 4*moderation.MaxReason+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	err := s.moderation.Decide(c.Request.Context(), modStaff(c), d.ID,
		moderation.Decision{Action: form.Action, TemplateID: form.TemplateID, Note: form.Note, NotPersonalData: form.NotPersonalData})
	if err != nil {
		s.modRefused(c, modItemData{D: d, Form: form}, err)
		return
	}
	s.setFlash(c, "decided_"+form.Action)
	if d.Waiting && c.PostForm("daarna") == "volgende" {
		// Straight on to the next item, keeping the moderator's filter.
		f, _ := queueFilter(c.PostForm)
		if id, err := s.moderation.Next(c.Request.Context(), modStaff(c), f); err == nil && id != 0 {
			c.Redirect(http.StatusSeeOther, "/beheer/moderatie/"+strconv.FormatInt(id, 10))
			return
		}
	}
	if d.Waiting {
		c.Redirect(http.StatusSeeOther, "/beheer/moderatie")
		return
	}
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}

// modRedact edits a fragment out of the contribution.
func (s *Server) modRedact(c *gin.Context) {
	d, ok := s.loadModItem(c)
	if !ok {
		return
	}
	field, fragment := c.PostForm("veld"), c.PostForm("fragment")
	if len(fragment) > 4*moderation.MaxFragment {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if err := s.moderation.Redact(c.Request.Context(), modStaff(c), d.ID, field, fragment); err != nil {
		s.modRefused(c, modItemData{D: d, Fragment: fragment, Field: field}, err)
		return
	}
	s.setFlash(c, "redacted")
	c.Redirect(http.StatusSeeOther, modItemData{D: d}.URL())
}

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

// ---- dashboard, templates, settings, blocks ------------------------------

func (s *Server) modDashboard(c *gin.Context) {
	d, err := s.moderation.Dashboard(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "mod_dashboard", s.staffPage(c, "moderation.dashboard.title", d, "staff-moderation"))
}

type templatesData struct {
	Templates []moderation.Template
	Errors    map[string]string
	EditID    int64
	Form      moderation.TemplateDraft
}

func (s *Server) modTemplates(c *gin.Context) {
	s.renderTemplates(c, http.StatusOK, templatesData{})
}

func (s *Server) renderTemplates(c *gin.Context, status int, d templatesData) {
	ts, err := s.moderation.Templates(c.Request.Context(), false)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Templates = ts
	s.html(c, status, "mod_templates", s.staffPage(c, "moderation.templates.title", d, "staff-moderation"))
}

// modTemplateSave adds a template (no id) or changes one.
func (s *Server) modTemplateSave(c *gin.Context) {
	var id int64
	if v := c.Param("tid"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			s.renderStatus(c, http.StatusNotFound, "")
			return
		}
		id = n
	}
	d := moderation.TemplateDraft{Title: c.PostForm("titel"), Body: c.PostForm("tekst"), Active: c.PostForm("actief") == "ja"}
	if len(d.Title)+len(d.Body) > 4*(moderation.MaxTemplate+moderation.MaxTitle)+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if _, err := s.moderation.SaveTemplate(c.Request.Context(), modStaff(c), id, d); err != nil {
		if fields, ok := fieldErrors(err); ok {
			if id != 0 { // the fields of an existing template carry its id
				renamed := map[string]string{}
				for k, v := range fields {
					renamed[k+"-"+strconv.FormatInt(id, 10)] = v
				}
				fields = renamed
			}
			s.renderTemplates(c, http.StatusUnprocessableEntity, templatesData{Errors: fields, EditID: id, Form: d})
			return
		}
		s.fail(c, err)
		return
	}
	s.setFlash(c, "saved")
	c.Redirect(http.StatusSeeOther, "/beheer/moderatie/sjablonen")
}

type modSettingsData struct {
	Form   moderation.Settings
	Raw    map[string]string
	Errors map[string]string
	Detail string // what is wrong in the word list
}

func (s *Server) modSettings(c *gin.Context) {
	st, err := s.moderation.CurrentSettings(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	raw := map[string]string{"drempel": strconv.Itoa(st.Threshold), "samenvatting": strconv.Itoa(st.DigestMinutes)}
	s.html(c, http.StatusOK, "mod_settings", s.staffPage(c, "moderation.settings.title", modSettingsData{Form: st, Raw: raw}, "staff-moderation"))
}

func (s *Server) modSettingsSave(c *gin.Context) {
	raw := map[string]string{"drempel": c.PostForm("drempel"), "samenvatting": c.PostForm("samenvatting")}
	in := moderation.Settings{Words: c.PostForm("woorden")}
	if len(in.Words) > 200000 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	errs := map[string]string{}
	var err error
	if in.Threshold, err = strconv.Atoi(raw["drempel"]); err != nil {
		errs["drempel"] = "moderation.error.threshold"
	}
	if in.DigestMinutes, err = strconv.Atoi(raw["samenvatting"]); err != nil {
		errs["samenvatting"] = "moderation.error.digest"
	}
	d := modSettingsData{Form: in, Raw: raw}
	if len(errs) == 0 {
		err = s.moderation.UpdateSettings(c.Request.Context(), modStaff(c), in)
		if err == nil {
			s.setFlash(c, "saved")
			c.Redirect(http.StatusSeeOther, "/beheer/moderatie/instellingen")
			return
		}
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid {
			s.fail(c, err)
			return
		}
		errs = e.Fields
		if len(e.Args) > 0 {
			d.Detail, _ = e.Args[0].(string)
		}
	}
	d.Errors = errs
	s.html(c, http.StatusUnprocessableEntity, "mod_settings", s.staffPage(c, "moderation.settings.title", d, "staff-moderation"))
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

// clock is the server's time.
func (s *Server) clock() time.Time { return s.now().UTC() }

// DurationText writes a waiting time as people say it: "3 uur", "2 dagen".
func (p *Page) DurationText(d time.Duration) string {
	switch {
	case d < time.Minute:
		return p.T("duration.less_than_minute")
	case d < time.Hour:
		return p.N("duration.minutes", int64(d/time.Minute))
	case d < 48*time.Hour:
		return p.N("duration.hours", int64(d/time.Hour))
	default:
		return p.N("duration.days", int64(d/(24*time.Hour)))
	}
}

// Since is how long ago t was, as DurationText.
func (p *Page) Since(t time.Time) string { return p.DurationText(p.now.Sub(t)) }

// WeekLabel names a week by its Monday, short: "5 okt".
func (p *Page) WeekLabel(t time.Time) string {
	t = t.In(i18n.Location)
	month := []rune(p.T("month." + strconv.Itoa(int(t.Month()))))
	if len(month) > 3 {
		month = month[:3]
	}
	if p.Lang != "en" {
		return strconv.Itoa(t.Day()) + " " + strings.ToLower(string(month))
	}
	return strconv.Itoa(t.Day()) + " " + string(month)
}

// ModRadioData is one radio button of the decision form.
type ModRadioData struct {
	Name, Value, Label string
	Checked            bool
}

// ModRadio builds a radio button with a translated label.
func (p *Page) ModRadio(name, value, key string, checked bool) ModRadioData {
	return ModRadioData{Name: name, Value: value, Label: p.T(key), Checked: checked}
}

// TextAreaLabelled is TextArea with a label that is already translated.
func (p *Page) TextAreaLabelled(id, name, label, value string, rows int, errs map[string]string) Field {
	f := p.TextLabelled(id, name, label, value, errs)
	f.Multiline, f.Rows, f.Type = true, rows, ""
	return f
}

// Excerpt is the start of a text, at most n characters, cut at a word.
func (p *Page) Excerpt(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
