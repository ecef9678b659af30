package web

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// planCard is one plan as the budget page shows it.
type planCard struct {
	budget.Plan
	Wijk     string // its area's wijk ("" without per_wijk)
	URL      string
	InBasket bool
	Points   int
	// Votable: the voter can put it in their basket (it is of their area).
	Votable bool
}

// basketItem is one chosen plan in the basket.
type basketItem struct {
	ID     int64
	Title  string
	Cost   int64
	Points int
}

// basketView is the basket as the page shows it: always with its running
// total and what is left.
type basketView struct {
	Items                   []basketItem
	Total, Amount, Left     int64
	PointsUsed, PointsTotal int
	// Ready is true when the basket would pass Check as a ballot.
	Ready bool
	// Missing says, in words, what the ballot still needs (translated).
	Missing []string
}

// budgetPageData is what every resident budget page gets.
type budgetPageData struct {
	Project *project.Project
	In      instrumentView
	B       *budget.Budget
	// Area is where this voter votes; nil while unknown (not logged in, a
	// declared wijk not chosen yet, a wijk without budget).
	Area *budget.Area
	// NeedWijk: the budget is per declared wijk and the voter has not
	// chosen one yet: the page asks that first.
	NeedWijk bool
	// WijkProblem says why this voter has no area (a message key).
	WijkProblem string
	HasVoter    bool
	// Voted: a ballot of this voter exists; Mine lists it when it is an
	// online ballot of this participant (nil when it came another way:
	// "U heeft al gestemd", no form).
	Voted bool
	Mine  []basketItem
	// CanVote: the basket and its forms are shown.
	CanVote bool
	Plans   []planCard
	Themes  []string
	Wijken  []string
	Theme   string
	Wijk    string
	// Query is the filter of the page ("?thema=…"), kept across posts.
	Query  string
	Basket basketView
	// Error is a refusal of the last post, translated, shown above the
	// basket; ErrorPlan the plan it is about.
	Error     string
	ErrorPlan int64
	ResultURL string
	// CodeURL is the letter code page, for a visitor without a voter
	// while the budget takes letter codes (a register was uploaded and
	// voting is open); "" otherwise.
	CodeURL string
	// Plan is the one plan of a plan page.
	Plan *planCard
}

// Errors puts the refusal in the shared error summary, linked to the
// basket.
func (d *budgetPageData) Errors() map[string]string {
	if d.Error == "" {
		return nil
	}
	return map[string]string{"mandje": d.Error}
}

// IsKnapsack, IsApproval and IsPoints name the method for the templates.
func (d *budgetPageData) IsKnapsack() bool { return d.B.Method == budget.MethodKnapsack }

// IsApproval reports the approval method.
func (d *budgetPageData) IsApproval() bool { return d.B.Method == budget.MethodApproval }

// IsPoints reports the points method.
func (d *budgetPageData) IsPoints() bool { return d.B.Method == budget.MethodPoints }

// areaWijk is the wijk of an area id ("" when unknown).
func areaWijk(b *budget.Budget, id int64) string {
	for _, a := range b.Areas {
		if a.ID == id {
			return a.Wijk
		}
	}
	return ""
}

func areaByID(b *budget.Budget, id int64) *budget.Area {
	for i := range b.Areas {
		if b.Areas[i].ID == id {
			return &b.Areas[i]
		}
	}
	return nil
}

func areaOfWijk(b *budget.Budget, wijk string) *budget.Area {
	for i := range b.Areas {
		if b.Areas[i].Wijk == wijk {
			return &b.Areas[i]
		}
	}
	return nil
}

func planByID(b *budget.Budget, id int64) *budget.Plan {
	for i := range b.Plans {
		if b.Plans[i].ID == id {
			return &b.Plans[i]
		}
	}
	return nil
}

// voterArea is the area this voter votes in, or why there is none yet.
func voterArea(b *budget.Budget, v budget.Voter, hasVoter bool, bk basket, votedArea int64) (area *budget.Area, needWijk bool, problem string) {
	if votedArea != 0 {
		return areaByID(b, votedArea), false, ""
	}
	if !b.PerWijk {
		if len(b.Areas) == 0 {
			return nil, false, "begroting.wijk.no_amount"
		}
		return &b.Areas[0], false, ""
	}
	if !hasVoter {
		return nil, false, ""
	}
	if b.WijkSource == budget.WijkDeclared {
		if a := areaOfWijk(b, bk.Wijk); a != nil && bk.Wijk != "" {
			return a, false, ""
		}
		return nil, true, ""
	}
	if v.Wijk == "" {
		return nil, false, "begroting.wijk.unknown"
	}
	if a := areaOfWijk(b, v.Wijk); a != nil {
		return a, false, ""
	}
	return nil, false, "begroting.wijk.not_in_budget"
}

// budgetState loads what every resident budget page shows for this
// request: the budget, the voter, their ballot, area and basket.
func (s *Server) budgetState(c *gin.Context, p *project.Project, in *instrument.Instrument) (*budgetPageData, budget.Voter, error) {
	ctx := c.Request.Context()
	b, err := s.budgets.Definition(ctx, in)
	if err != nil {
		return nil, budget.Voter{}, err
	}
	d := &budgetPageData{Project: p, B: b, In: s.viewInstrument(c, p, *in)}
	v, ok := s.budgetVoter(c, in.ID)
	d.HasVoter = ok
	d.In.Verdict = s.budgetVerdict(in, p.Status, v, ok)
	var votedArea int64
	if ok {
		bal, err := s.budgetBallotOf(c, in.ID, v)
		if err != nil {
			return nil, v, err
		}
		d.Voted = bal.voted
		votedArea = bal.areaID
		for _, l := range bal.lines {
			if pl := planByID(b, l.PlanID); pl != nil {
				d.Mine = append(d.Mine, basketItem{ID: pl.ID, Title: pl.Title, Cost: pl.Cost, Points: l.Points})
			}
		}
		if d.Voted && len(d.Mine) == 0 {
			votedArea = 0 // another channel: the page shows no ballot
		}
	}
	bk := basket{}
	if ok {
		bk = s.readBasket(c, in.ID, basketKey(v))
		if !bk.Set && len(d.Mine) > 0 {
			// Changing a ballot starts from it.
			for _, m := range d.Mine {
				bk.Lines = append(bk.Lines, basketLine{PlanID: m.ID, Points: m.Points})
			}
		}
	}
	d.Area, d.NeedWijk, d.WijkProblem = voterArea(b, v, ok, bk, votedArea)
	if ok && v.Channel != budget.ChannelOnline {
		// A code or kiosk voter: Cast's own rules (the register, its wijk)
		// decide what the page offers.
		if err := s.offlineStanding(c, in.ID, v, d); err != nil {
			return nil, v, err
		}
	}
	changeable := len(d.Mine) > 0 && in.AllowChange
	d.CanVote = ok && d.In.Verdict.OK && d.Area != nil && (!d.Voted || changeable)
	if d.NeedWijk && (d.Voted || !d.In.Verdict.OK) {
		d.NeedWijk = false
	}
	s.fillPlans(c, d, bk)
	if b.ResultPublishedAt != nil {
		d.ResultURL = d.In.URL + "/uitslag"
	}
	if !ok && in.Who != instrument.WhoEHerkenning && in.StateIn(p.Status, s.now()) == instrument.StateOpen {
		has, err := s.budgets.HasRegister(ctx, in.ID)
		if err != nil {
			return nil, v, err
		}
		if has {
			d.CodeURL = budget.CodePath
		}
	}
	return d, v, nil
}

// offlineStanding asks budget.StandingOf where a code or kiosk voter
// stands: whether the register entitles them and which area is theirs
// (the register's wijk wins over the session's). "Already voted" is the
// page's own message (d.Voted).
func (s *Server) offlineStanding(c *gin.Context, instrumentID int64, v budget.Voter, d *budgetPageData) error {
	st, err := s.budgets.StandingOf(c.Request.Context(), instrumentID, v)
	if err != nil {
		return err
	}
	if st.Area != nil {
		d.Area, d.NeedWijk, d.WijkProblem = st.Area, false, ""
	}
	if e, isApp := apperror.As(st.Refusal); isApp {
		switch e.Key {
		case "budget.error.already_voted", "budget.error.no_change":
		case "budget.error.no_area", "budget.error.wrong_wijk":
			d.Area, d.WijkProblem = nil, "begroting.wijk.not_in_budget"
		default:
			d.In.Verdict = instrument.Verdict{Reason: e.Key}
		}
	}
	return nil
}

// fillPlans lists the plans the page shows (filtered by the query's theme
// and wijk), the filter's choices and the basket.
func (s *Server) fillPlans(c *gin.Context, d *budgetPageData, bk basket) {
	b := d.B
	themes, wijken := map[string]bool{}, map[string]bool{}
	for _, pl := range b.Plans {
		if pl.Theme != "" {
			themes[pl.Theme] = true
		}
		if w := areaWijk(b, pl.AreaID); w != "" {
			wijken[w] = true
		}
	}
	for t := range themes {
		d.Themes = append(d.Themes, t)
	}
	for w := range wijken {
		d.Wijken = append(d.Wijken, w)
	}
	sort.Strings(d.Themes)
	sort.Strings(d.Wijken)
	if t := c.Query("thema"); themes[t] {
		d.Theme = t
	}
	if w := c.Query("wijk"); wijken[w] {
		d.Wijk = w
	}
	if d.Area != nil && b.PerWijk {
		// A voter sees the plans of their own wijk: the others cannot be
		// chosen.
		d.Wijk, d.Wijken = "", nil
	}
	q := url.Values{}
	if d.Theme != "" {
		q.Set("thema", d.Theme)
	}
	if d.Wijk != "" {
		q.Set("wijk", d.Wijk)
	}
	if len(q) > 0 {
		d.Query = "?" + q.Encode()
	}
	for _, pl := range b.Plans {
		w := areaWijk(b, pl.AreaID)
		if d.Area != nil && b.PerWijk && pl.AreaID != d.Area.ID {
			continue
		}
		if (d.Theme != "" && pl.Theme != d.Theme) || (d.Wijk != "" && w != d.Wijk) {
			continue
		}
		d.Plans = append(d.Plans, planCard{Plan: pl, Wijk: w, URL: d.In.URL + "/plannen/" + strconv.FormatInt(pl.ID, 10),
			InBasket: bk.has(pl.ID), Points: bk.points(pl.ID), Votable: d.CanVote && d.Area != nil && pl.AreaID == d.Area.ID})
	}
	d.Basket = s.basketOf(c, d, bk)
}

// basketOf is the basket as the page shows it, with what the ballot still
// needs before it can be cast.
func (s *Server) basketOf(c *gin.Context, d *budgetPageData, bk basket) basketView {
	bv := basketView{PointsTotal: d.B.PointsTotal}
	if d.Area != nil {
		bv.Amount = d.Area.Amount
	}
	var lines []budget.Line
	for _, l := range bk.Lines {
		pl := planByID(d.B, l.PlanID)
		if pl == nil || (d.Area != nil && pl.AreaID != d.Area.ID) {
			continue // a plan that went away, or of another wijk
		}
		bv.Items = append(bv.Items, basketItem{ID: pl.ID, Title: pl.Title, Cost: pl.Cost, Points: l.Points})
		bv.Total += pl.Cost
		bv.PointsUsed += l.Points
		lines = append(lines, budget.Line{PlanID: l.PlanID, Points: l.Points})
	}
	bv.Left = bv.Amount - bv.Total
	if d.Area != nil {
		for _, pr := range budget.Problems(d.B, d.Area, budget.Normalize(d.B.Method, lines)) {
			bv.Missing = append(bv.Missing, s.cat.T(langOf(c), pr.Key, pr.Args...))
		}
		bv.Ready = len(bv.Missing) == 0
	}
	return bv
}

// budgetShow is the budget's page: what it is, the amount, the rule,
// the plans and the basket.
func (s *Server) budgetShow(c *gin.Context, p *project.Project, in *instrument.Instrument) {
	d, _, err := s.budgetState(c, p, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderBudget(c, http.StatusOK, "budget", d)
}

func (s *Server) renderBudget(c *gin.Context, status int, name string, d *budgetPageData) {
	page := s.page(c, "", d)
	page.Title = d.In.Title
	if d.Plan != nil {
		page.Title = d.Plan.Title + " – " + d.In.Title
	}
	page.Nav = "projects"
	s.html(c, status, name, page)
}

// budgetPlan is one plan's own page.
func (s *Server) budgetPlan(c *gin.Context) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return
	}
	if in.Kind != instrument.KindBudget {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	d, _, err := s.budgetState(c, p, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	id, err := strconv.ParseInt(c.Param("plan"), 10, 64)
	pl := planByID(d.B, id)
	if err != nil || pl == nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	bk := basket{}
	for _, it := range d.Basket.Items {
		bk.Lines = append(bk.Lines, basketLine{PlanID: it.ID, Points: it.Points})
	}
	d.Plan = &planCard{Plan: *pl, Wijk: areaWijk(d.B, pl.AreaID), URL: d.In.URL + "/plannen/" + strconv.FormatInt(pl.ID, 10),
		InBasket: bk.has(pl.ID), Points: bk.points(pl.ID), Votable: d.CanVote && d.Area != nil && pl.AreaID == d.Area.ID}
	s.renderBudget(c, http.StatusOK, "budget_plan", d)
}

// budgetInstrument finds the published budget of a resident post.
func (s *Server) budgetInstrument(c *gin.Context) (*project.Project, *instrument.Instrument, bool) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return nil, nil, false
	}
	if in.Kind != instrument.KindBudget {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	return p, in, true
}

// refusalText is a refusal's message in the page's language, with its
// arguments (Check's messages name amounts and plans).
func (s *Server) refusalText(c *gin.Context, err error) (string, int, bool) {
	e, ok := apperror.As(err)
	if !ok || e.Key == "" {
		return "", 0, false
	}
	switch e.Code {
	case apperror.Invalid, apperror.Forbidden, apperror.Closed, apperror.Conflict:
	default:
		return "", 0, false
	}
	if len(e.Fields) > 0 {
		// One field's message says more than "not filled in well".
		keys := make([]string, 0, len(e.Fields))
		for _, k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return s.cat.T(langOf(c), keys[0]), statusOf[e.Code], true
	}
	return s.cat.T(langOf(c), e.Key, e.Args...), statusOf[e.Code], true
}

// containsPlan reports whether the items list the plan.
func containsPlan(items []basketItem, id int64) bool {
	return slices.ContainsFunc(items, func(i basketItem) bool { return i.ID == id })
}
