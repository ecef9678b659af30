package web

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/project"
)

// budgetSettingsForm is how a budget votes and counts, as the editor's
// forms post it. Numbers are text, so "tien" gets a message, not a 400.
type budgetSettingsForm struct {
	Method      string `form:"methode" binding:"max=20"`
	Rule        string `form:"regel" binding:"max=20"`
	MinSpendPct string `form:"min_besteden" binding:"max=10"`
	MinPlans    string `form:"min_plannen" binding:"max=10"`
	MaxPlans    string `form:"max_plannen" binding:"max=10"`
	PointsTotal string `form:"punten" binding:"max=10"`
	PerWijk     bool   `form:"per_wijk"`
	WijkSource  string `form:"wijkbron" binding:"max=20"`
}

// budgetAreasForm is the money: one amount, or one row per wijk.
type budgetAreasForm struct {
	Amount      string   `form:"bedrag" binding:"max=40"`
	WijkNames   []string `form:"wijk_naam" binding:"max=110,dive,max=200"`
	WijkAmounts []string `form:"wijk_bedrag" binding:"max=110,dive,max=40"`
}

// budgetForm is the new-budget form.
type budgetForm struct {
	Slug        string `form:"slug" binding:"max=200"`
	Title       string `form:"titel" binding:"max=1000"`
	Description string `form:"uitleg" binding:"max=5000"`
	budgetSettingsForm
	budgetAreasForm
	rulesForm
	Publish bool `form:"publiceren"`
}

// SettingsPart and AreasPart give templates the embedded parts.
func (f budgetForm) SettingsPart() budgetSettingsForm { return f.budgetSettingsForm }

// AreasPart is the amounts part of the form.
func (f budgetForm) AreasPart() budgetAreasForm { return f.budgetAreasForm }

// areaRow is one row of the amounts table.
type areaRow struct{ Wijk, Amount string }

// Rows are the amount rows the form shows: those posted or stored, and
// three empty ones to add wijken (as the phases table does).
func (f budgetAreasForm) Rows() []areaRow {
	var rows []areaRow
	for i, n := range f.WijkNames {
		a := ""
		if i < len(f.WijkAmounts) {
			a = f.WijkAmounts[i]
		}
		if strings.TrimSpace(n) != "" || strings.TrimSpace(a) != "" {
			rows = append(rows, areaRow{n, a})
		}
	}
	for range 3 {
		rows = append(rows, areaRow{})
	}
	return rows
}

// formInt reads a whole number field ("" is 0), noting a bad one in errs.
func formInt(v, field string, errs map[string]string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		errs[field] = "begroting.editor.error.whole_number"
		return 0
	}
	return n
}

func (f budgetSettingsForm) settings(errs map[string]string) budget.Settings {
	return budget.Settings{Method: f.Method, Rule: f.Rule, MinSpendPct: formInt(f.MinSpendPct, "min_besteden", errs),
		MinPlans: formInt(f.MinPlans, "min_plannen", errs), MaxPlans: formInt(f.MaxPlans, "max_plannen", errs),
		PointsTotal: formInt(f.PointsTotal, "punten", errs), PerWijk: f.PerWijk, WijkSource: f.WijkSource}
}

func settingsFormOf(b *budget.Budget) budgetSettingsForm {
	itoa0 := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	return budgetSettingsForm{Method: b.Method, Rule: b.Rule, MinSpendPct: itoa0(b.MinSpendPct), MinPlans: itoa0(b.MinPlans),
		MaxPlans: itoa0(b.MaxPlans), PointsTotal: itoa0(b.PointsTotal), PerWijk: b.PerWijk, WijkSource: b.WijkSource}
}

func areasFormOf(b *budget.Budget) budgetAreasForm {
	var f budgetAreasForm
	for _, a := range b.Areas {
		if a.Wijk == "" {
			f.Amount = euroInput(a.Amount)
			continue
		}
		f.WijkNames = append(f.WijkNames, a.Wijk)
		f.WijkAmounts = append(f.WijkAmounts, euroInput(a.Amount))
	}
	return f
}

// areas reads the amounts: the one amount, or the wijk rows. Each amount
// is read as Dutch money ("€ 12.500,50", "12500").
func (f budgetAreasForm) areas(perWijk bool, errs map[string]string) []budget.AreaInput {
	if !perWijk {
		if strings.TrimSpace(f.Amount) == "" {
			return nil
		}
		c, ok := parseEuros(f.Amount)
		if !ok {
			errs["bedrag"] = "begroting.editor.error.amount"
			return nil
		}
		return []budget.AreaInput{{Amount: c}}
	}
	var out []budget.AreaInput
	for i, n := range f.WijkNames {
		n = strings.TrimSpace(n)
		raw := ""
		if i < len(f.WijkAmounts) {
			raw = strings.TrimSpace(f.WijkAmounts[i])
		}
		if n == "" && raw == "" {
			continue
		}
		if n == "" {
			errs["bedragen"] = "begroting.editor.error.wijk_name"
			continue
		}
		c, ok := parseEuros(raw)
		if !ok {
			errs["bedragen"] = "begroting.editor.error.wijk_amount"
			continue
		}
		out = append(out, budget.AreaInput{Wijk: n, Amount: c})
	}
	return out
}

// budgetFieldIDs names the form field of each setting the domain reports on.
var budgetFieldIDs = map[string]string{"title": "title", "slug": "slug", "method": "methode", "rule": "regel",
	"min_spend_pct": "min_besteden", "min_plans": "min_plannen", "max_plans": "max_plannen", "points_total": "punten",
	"wijk_source": "wijkbron", "per_wijk": "per_wijk", "areas": "bedragen"}

func onBudgetFields(fields map[string]string) map[string]string {
	out := onRuleFields(fields)
	for k, v := range fields {
		if id, ok := budgetFieldIDs[k]; ok {
			delete(out, k)
			out[id] = v
		}
	}
	return out
}

type budgetFormData struct {
	Project   *project.Project
	Form      budgetForm
	Errors    map[string]string
	DigiDLoAs []string
	EHLoAs    []string
}

func (s *Server) renderBudgetForm(c *gin.Context, status int, d *budgetFormData) {
	d.DigiDLoAs, d.EHLoAs = identity.Levels(identity.DigiD), identity.Levels(identity.EHerkenning)
	p := s.page(c, "begroting.editor.new", d)
	p.StaffArea, p.Nav = true, "staff-projects"
	s.html(c, status, "budget_editor_new", p)
}

func (s *Server) editorBudgetNew(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	s.renderBudgetForm(c, http.StatusOK, &budgetFormData{Project: p, Errors: map[string]string{},
		Form: budgetForm{rulesForm: rulesForm{Who: instrument.WhoDigiD, MinAge: "0"},
			budgetSettingsForm: budgetSettingsForm{Method: budget.MethodKnapsack, Rule: budget.RuleGreedy, WijkSource: budget.WijkBRP}}})
}

// editorBudgetCreate stores a new budget under a project and goes on to
// its editor page (amounts and plans).
func (s *Server) editorBudgetCreate(c *gin.Context) {
	p, ok := s.editorProject(c)
	if !ok {
		return
	}
	var f budgetForm
	if !s.bindForm(c, &f) {
		return
	}
	ctx := c.Request.Context()
	slugMsg, err := suggestSlug(ctx, &f.Slug, f.Title, s.instrumentSlugs(p.ID))
	if err != nil {
		s.fail(c, err)
		return
	}
	errs := map[string]string{}
	dr := budget.Draft{ProjectID: p.ID, Slug: strings.ToLower(strings.TrimSpace(f.Slug)), Title: f.Title, Description: f.Description,
		Published: f.Publish, Rules: f.rules(errs), Settings: f.settings(errs)}
	dr.Areas = f.areas(f.PerWijk, errs)
	if dr.Slug == "" || len(dr.Slug) > 80 || !slugLike(dr.Slug) {
		errs["slug"] = "project.error.slug_format"
	}
	if slugMsg != "" {
		errs["slug"] = slugMsg
	}
	d := &budgetFormData{Project: p, Form: f, Errors: errs}
	if len(errs) > 0 {
		s.renderBudgetForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	b, err := s.budgets.Create(ctx, actorOf(c), dr)
	if s.refused(c, err, func(status int, fields map[string]string) {
		offerFreeSlug(ctx, &d.Form.Slug, fields, s.instrumentSlugs(p.ID))
		d.Errors = onBudgetFields(fields)
		s.renderBudgetForm(c, status, d)
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID))
}

func editorBudgetURL(projectID, instrumentID int64) string {
	return "/beheer/projecten/" + strconv.FormatInt(projectID, 10) + "/begrotingen/" + strconv.FormatInt(instrumentID, 10)
}

// budgetEditorData is the budget's editor page.
type budgetEditorData struct {
	Project   *project.Project
	In        *instrument.Instrument
	B         *budget.Budget
	Settings  budgetSettingsForm
	Areas     budgetAreasForm
	Errors    map[string]string
	PublicURL string
	// Plans with their area's wijk.
	Plans []planCard
	// CanPublish: voting has closed, the result may go on the site.
	CanPublish bool
}

// URL is the editor page's address.
func (d *budgetEditorData) URL() string { return editorBudgetURL(d.Project.ID, d.In.ID) }

// budgetEditor loads the project and budget named in the address.
func (s *Server) budgetEditor(c *gin.Context) (*project.Project, *budget.Budget, bool) {
	p, in, ok := s.editorInstrument(c)
	if !ok {
		return nil, nil, false
	}
	if in.Kind != instrument.KindBudget {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	b, err := s.budgets.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	b.Instrument = in
	return p, b, true
}

func (s *Server) renderBudgetEditor(c *gin.Context, status int, p *project.Project, b *budget.Budget, d *budgetEditorData) {
	if d == nil {
		d = &budgetEditorData{Settings: settingsFormOf(b), Areas: areasFormOf(b)}
	}
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	d.Project, d.In, d.B = p, b.Instrument, b
	d.PublicURL = "/projecten/" + p.Slug + "/" + b.Instrument.Slug
	d.CanPublish = !b.Instrument.Open(p.Status, s.now()) && b.Instrument.StateIn(p.Status, s.now()) == instrument.StateClosed
	for _, pl := range b.Plans {
		d.Plans = append(d.Plans, planCard{Plan: pl, Wijk: areaWijk(b, pl.AreaID)})
	}
	page := s.page(c, "", d)
	page.Title = b.Instrument.Title
	page.StaffArea, page.Nav = true, "staff-projects"
	s.html(c, status, "budget_editor", page)
}

// editorBudget is the budget's editor page: how it votes, the money, the
// plans, the result.
func (s *Server) editorBudget(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	s.renderBudgetEditor(c, http.StatusOK, p, b, nil)
}

func (s *Server) editorBudgetSettings(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	var f budgetSettingsForm
	if !s.bindForm(c, &f) {
		return
	}
	d := &budgetEditorData{Settings: f, Areas: areasFormOf(b), Errors: map[string]string{}}
	st := f.settings(d.Errors)
	if len(d.Errors) > 0 {
		s.renderBudgetEditor(c, http.StatusUnprocessableEntity, p, b, d)
		return
	}
	err := s.budgets.UpdateSettings(c.Request.Context(), actorOf(c), b.InstrumentID, st)
	if s.refusedAt(c, err, "methode", func(status int, fields map[string]string) {
		d.Errors = onBudgetFields(fields)
		s.renderBudgetEditor(c, status, p, b, d)
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID))
}

func (s *Server) editorBudgetAreas(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	var f budgetAreasForm
	if !s.bindForm(c, &f) {
		return
	}
	d := &budgetEditorData{Settings: settingsFormOf(b), Areas: f, Errors: map[string]string{}}
	areas := f.areas(b.PerWijk, d.Errors)
	if len(d.Errors) > 0 {
		s.renderBudgetEditor(c, http.StatusUnprocessableEntity, p, b, d)
		return
	}
	err := s.budgets.SetAreas(c.Request.Context(), actorOf(c), b.InstrumentID, areas)
	field := "bedragen"
	if !b.PerWijk {
		field = "bedrag"
	}
	if s.refusedAt(c, err, field, func(status int, fields map[string]string) {
		d.Errors = onBudgetFields(fields)
		if k, ok := d.Errors["bedragen"]; ok && !b.PerWijk {
			delete(d.Errors, "bedragen")
			d.Errors["bedrag"] = k
		}
		s.renderBudgetEditor(c, status, p, b, d)
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#bedragen-kop")
}

// editorBudgetPublish puts the result on the site or takes it off.
func (s *Server) editorBudgetPublish(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	err := s.budgets.PublishResult(c.Request.Context(), actorOf(c), b.InstrumentID, c.PostForm("openbaar") == "ja")
	if s.refusedAt(c, err, "uitslag", func(status int, fields map[string]string) {
		s.renderBudgetEditor(c, status, p, b, &budgetEditorData{Settings: settingsFormOf(b), Areas: areasFormOf(b),
			Errors: map[string]string{"uitslag": fields["uitslag"]}})
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#uitslag")
}

// planForm is a plan as the editor's form posts it.
type planForm struct {
	Area        string `form:"gebied" binding:"max=20"`
	Title       string `form:"titel" binding:"max=1000"`
	Summary     string `form:"samenvatting" binding:"max=2000"`
	Description string `form:"tekst" binding:"max=20000"`
	Cost        string `form:"kosten" binding:"max=40"`
	Theme       string `form:"thema" binding:"max=400"`
	Alt         string `form:"alt" binding:"max=1000"`
	NoImage     bool   `form:"geen_afbeelding"`
	// Image is the stored image's address (shown), not posted.
	Image string `form:"-"`
}

type planFormData struct {
	Project *project.Project
	B       *budget.Budget
	PlanID  int64
	Form    planForm
	Errors  map[string]string
}

// URL is where the plan form posts.
func (d *planFormData) URL() string {
	u := editorBudgetURL(d.Project.ID, d.B.InstrumentID) + "/plannen"
	if d.PlanID != 0 {
		u += "/" + strconv.FormatInt(d.PlanID, 10)
	}
	return u
}

// BackURL is the budget's editor page.
func (d *planFormData) BackURL() string { return editorBudgetURL(d.Project.ID, d.B.InstrumentID) }

func (s *Server) renderPlanForm(c *gin.Context, status int, d *planFormData) {
	key := "begroting.editor.plan.new"
	if d.PlanID != 0 {
		key = "begroting.editor.plan.edit"
	}
	page := s.page(c, key, d)
	page.StaffArea, page.Nav = true, "staff-projects"
	s.html(c, status, "budget_editor_plan", page)
}

func (s *Server) editorBudgetPlanNew(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	f := planForm{}
	if len(b.Areas) > 0 {
		f.Area = strconv.FormatInt(b.Areas[0].ID, 10)
	}
	s.renderPlanForm(c, http.StatusOK, &planFormData{Project: p, B: b, Form: f, Errors: map[string]string{}})
}

// planInput reads the plan form and its upload. A file that is not an
// image is the form's message, and what was typed stays.
func (s *Server) planInput(c *gin.Context, f planForm, errs map[string]string) budget.PlanInput {
	pi := budget.PlanInput{Title: f.Title, Summary: f.Summary, Description: f.Description, Theme: f.Theme, ImageAlt: f.Alt, RemoveImage: f.NoImage}
	pi.AreaID, _ = strconv.ParseInt(f.Area, 10, 64)
	cost, ok := parseEuros(f.Cost)
	if !ok || cost == 0 {
		errs["kosten"] = "begroting.editor.error.cost"
	}
	pi.Cost = cost
	if fh, err := c.FormFile("afbeelding"); err == nil {
		if fh.Size > media.MaxBytes {
			errs["image"] = "media.error.too_large"
		} else if file, err := fh.Open(); err != nil {
			errs["image"] = "media.error.broken"
		} else {
			data, err := io.ReadAll(io.LimitReader(file, media.MaxBytes+1))
			_ = file.Close()
			if err != nil {
				errs["image"] = "media.error.broken"
			}
			pi.Image = data
		}
	}
	return pi
}

var planFieldIDs = map[string]string{"title": "titel", "summary": "samenvatting", "description": "tekst", "cost": "kosten",
	"theme": "thema", "area": "gebied", "image_alt": "alt", "image": "image"}

func onPlanFields(fields map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range fields {
		if id, ok := planFieldIDs[k]; ok {
			k = id
		}
		out[k] = v
	}
	return out
}

func (s *Server) editorBudgetPlanCreate(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	var f planForm
	if !s.bindForm(c, &f) {
		return
	}
	d := &planFormData{Project: p, B: b, Form: f, Errors: map[string]string{}}
	pi := s.planInput(c, f, d.Errors)
	if len(pi.Image) > 0 && strings.TrimSpace(f.Alt) == "" {
		d.Errors["alt"] = "budget.error.alt_required"
	}
	if len(d.Errors) > 0 {
		s.renderPlanForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err := s.budgets.AddPlan(c.Request.Context(), actorOf(c), b.InstrumentID, pi)
	if s.refused(c, err, func(status int, fields map[string]string) {
		d.Errors = onPlanFields(fields)
		s.renderPlanForm(c, status, d)
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#plannen-kop")
}

// budgetPlanOf finds the plan named in the address.
func (s *Server) budgetPlanOf(c *gin.Context, b *budget.Budget) (*budget.Plan, bool) {
	id, err := strconv.ParseInt(c.Param("pid"), 10, 64)
	pl := planByID(b, id)
	if err != nil || pl == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	return pl, true
}

func (s *Server) editorBudgetPlanEdit(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	pl, ok := s.budgetPlanOf(c, b)
	if !ok {
		return
	}
	f := planForm{Area: strconv.FormatInt(pl.AreaID, 10), Title: pl.Title, Summary: pl.Summary, Description: pl.Description,
		Cost: euroInput(pl.Cost), Theme: pl.Theme, Alt: pl.ImageAlt, Image: pl.ImagePath}
	s.renderPlanForm(c, http.StatusOK, &planFormData{Project: p, B: b, PlanID: pl.ID, Form: f, Errors: map[string]string{}})
}

func (s *Server) editorBudgetPlanUpdate(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	pl, ok := s.budgetPlanOf(c, b)
	if !ok {
		return
	}
	var f planForm
	if !s.bindForm(c, &f) {
		return
	}
	f.Image = pl.ImagePath
	d := &planFormData{Project: p, B: b, PlanID: pl.ID, Form: f, Errors: map[string]string{}}
	pi := s.planInput(c, f, d.Errors)
	if (len(pi.Image) > 0 || (pl.ImagePath != "" && !f.NoImage)) && strings.TrimSpace(f.Alt) == "" {
		d.Errors["alt"] = "budget.error.alt_required"
	}
	if len(d.Errors) > 0 {
		s.renderPlanForm(c, http.StatusUnprocessableEntity, d)
		return
	}
	err := s.budgets.UpdatePlan(c.Request.Context(), actorOf(c), b.InstrumentID, pl.ID, pi)
	if s.refusedAt(c, err, "kosten", func(status int, fields map[string]string) {
		d.Errors = onPlanFields(fields)
		s.renderPlanForm(c, status, d)
	}) {
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#plan-"+strconv.FormatInt(pl.ID, 10))
}

func (s *Server) editorBudgetPlanRemove(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	pl, ok := s.budgetPlanOf(c, b)
	if !ok {
		return
	}
	err := s.budgets.RemovePlan(c.Request.Context(), actorOf(c), b.InstrumentID, pl.ID)
	if e, isApp := apperror.As(err); isApp && e.Key != "" && e.Code == apperror.Conflict {
		s.renderBudgetEditor(c, http.StatusConflict, p, b, &budgetEditorData{Settings: settingsFormOf(b), Areas: areasFormOf(b),
			Errors: map[string]string{"plannen": e.Key}})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#plannen-kop")
}

func (s *Server) editorBudgetPlanMove(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	pl, ok := s.budgetPlanOf(c, b)
	if !ok {
		return
	}
	if _, _, err := s.budgets.MovePlan(c.Request.Context(), actorOf(c), b.InstrumentID, pl.ID, c.PostForm("richting") == "omhoog"); err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#plan-"+strconv.FormatInt(pl.ID, 10))
}
