package web

import (
	"crypto/hmac"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/ratelimit"
)

// The basket keys an add may not break; the rest (too few plans, under the
// minimum spend, points not all given) is what the ballot still needs,
// checked at confirmation and again in Cast.
var basketRefusals = map[string]bool{
	"budget.error.unknown_plan":    true,
	"budget.error.other_area":      true,
	"budget.error.duplicate_plan":  true,
	"budget.error.negative_points": true,
	"budget.error.over_budget":     true,
	"budget.error.too_many_plans":  true,
}

// maxPoints bounds one plan's points a form can post.
const maxPoints = 1_000_000

// budgetVoting loads what the voter's pages and posts need: the budget of
// the route, its voter and the page's state. A visitor without a voter
// goes to the login and back; false means the answer is written.
func (s *Server) budgetVoting(c *gin.Context) (p *project.Project, in *instrument.Instrument, v budget.Voter, d *budgetPageData, ok bool) {
	if p, in, ok = s.budgetInstrument(c); !ok {
		return
	}
	if v, ok = s.budgetVoter(c, in.ID); !ok {
		c.Redirect(http.StatusSeeOther, "/inloggen?terug="+url.QueryEscape(budgetURL(p, in)))
		return
	}
	d, _, err := s.budgetState(c, p, in)
	if err != nil {
		s.fail(c, err)
		return p, in, v, nil, false
	}
	return p, in, v, d, true
}

// budgetBasket handles every change of the basket: add or remove a plan,
// set the points, choose the declared wijk, empty it. Each is a form
// post; a change budget.Check refuses re-shows the page with its message
// and the basket as it was. budget.js posts the same forms and swaps the
// returned page's parts in.
func (s *Server) budgetBasket(c *gin.Context) {
	p, in, v, d, ok := s.budgetVoting(c)
	if !ok {
		return
	}
	back := budgetURL(p, in) + safeQuery(c.PostForm("terug"))
	// refuse shows the page again with the message of key (about plan,
	// when not 0) and the basket as it was.
	refuse := func(status int, plan int64, key string, args ...any) {
		d.Error, d.ErrorPlan = s.cat.T(langOf(c), key, args...), plan
		s.renderBudget(c, status, "budget", d)
	}
	bk := s.readBasket(c, in.ID, basketKey(v))
	if !bk.Set {
		for _, m := range d.Mine {
			bk.Lines = append(bk.Lines, basketLine{PlanID: m.ID, Points: m.Points})
		}
	}
	actie := c.PostForm("actie")
	if actie == "wijk" {
		if !d.In.Verdict.OK || d.Voted || !d.B.PerWijk || d.B.WijkSource != budget.WijkDeclared {
			refuse(http.StatusConflict, 0, "begroting.error.no_wijk_choice")
			return
		}
		w := c.PostForm("wijk")
		if areaOfWijk(d.B, w) == nil || w == "" {
			refuse(http.StatusUnprocessableEntity, 0, "begroting.error.choose_wijk")
			return
		}
		// Another wijk has other plans: the basket starts again.
		s.writeBasket(c, in.ID, basketKey(v), budgetURL(p, in), basket{Wijk: w})
		c.Redirect(http.StatusSeeOther, back)
		return
	}
	if !d.CanVote {
		switch {
		case !d.In.Verdict.OK:
			refuse(verdictStatus(d.In.Verdict), 0, d.In.Verdict.Reason)
		case d.Voted:
			refuse(http.StatusConflict, 0, "begroting.voted")
		default:
			refuse(http.StatusConflict, 0, "begroting.error.choose_wijk")
		}
		return
	}
	var next basket
	var plan int64
	anchor := "#mandje"
	switch actie {
	case "toevoegen", "verwijderen":
		id, err := strconv.ParseInt(c.PostForm("plan"), 10, 64)
		pl := planByID(d.B, id)
		if err != nil || pl == nil {
			refuse(http.StatusUnprocessableEntity, 0, "budget.error.unknown_plan")
			return
		}
		plan = id
		if actie == "toevoegen" {
			pts := 1
			if d.IsPoints() {
				pts = bk.points(id)
				if pts == 0 {
					pts = 1
				}
			}
			next = bk.with(id, pts)
		} else {
			next = bk.without(id)
		}
		anchor = "#plan-" + strconv.FormatInt(id, 10)
	case "punten":
		next = basket{Wijk: bk.Wijk}
		for _, pl := range d.B.Plans {
			if pl.AreaID != d.Area.ID {
				continue
			}
			raw := strings.TrimSpace(c.PostForm("punten_" + strconv.FormatInt(pl.ID, 10)))
			if raw == "" {
				continue
			}
			n, err := strconv.Atoi(raw)
			if err != nil || n < 0 || n > maxPoints {
				refuse(http.StatusUnprocessableEntity, pl.ID, "begroting.error.points_number", pl.Title)
				return
			}
			if n > 0 {
				next.Lines = append(next.Lines, basketLine{PlanID: pl.ID, Points: n})
			}
		}
		used := 0
		for _, l := range next.Lines {
			used += l.Points
		}
		if used > d.B.PointsTotal {
			refuse(http.StatusUnprocessableEntity, 0, "begroting.error.points_over", d.B.PointsTotal, used)
			return
		}
	case "leegmaken":
		next = basket{Wijk: bk.Wijk}
	default:
		refuse(http.StatusUnprocessableEntity, 0, "budget.error.unknown_plan")
		return
	}
	if len(next.Lines) > maxBasketLines {
		refuse(http.StatusUnprocessableEntity, plan, "budget.error.too_many_plans", maxBasketLines)
		return
	}
	lines := make([]budget.Line, 0, len(next.Lines))
	for _, l := range next.Lines {
		lines = append(lines, budget.Line{PlanID: l.PlanID, Points: l.Points})
	}
	for _, pr := range budget.Problems(d.B, d.Area, budget.Normalize(d.B.Method, lines)) {
		if basketRefusals[pr.Key] {
			refuse(http.StatusUnprocessableEntity, plan, pr.Key, pr.Args...)
			return
		}
	}
	s.writeBasket(c, in.ID, basketKey(v), budgetURL(p, in), next)
	c.Redirect(http.StatusSeeOther, back+anchor)
}

// verdictStatus is the status of a refusal by the rules.
func verdictStatus(v instrument.Verdict) int {
	if v.Reason == instrument.ReasonClosed || v.Reason == instrument.ReasonNotOpenYet {
		return http.StatusConflict
	}
	return http.StatusForbidden
}

// budgetURL is the budget's public address.
func budgetURL(p *project.Project, in *instrument.Instrument) string {
	return "/projecten/" + url.PathEscape(p.Slug) + "/" + url.PathEscape(in.Slug)
}

// safeQuery keeps only the filter of a "terug" field: "?thema=…&wijk=…".
func safeQuery(q string) string {
	vals, err := url.ParseQuery(strings.TrimPrefix(q, "?"))
	if err != nil {
		return ""
	}
	out := url.Values{}
	for _, k := range []string{"thema", "wijk"} {
		if v := vals.Get(k); v != "" && len(v) <= 200 {
			out.Set(k, v)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "?" + out.Encode()
}

// budgetConfirm lists the choice and its total before the ballot is
// final. Its form carries the choice itself, so what is cast is what was
// shown.
func (s *Server) budgetConfirm(c *gin.Context) {
	p, in, _, d, ok := s.budgetVoting(c)
	if !ok {
		return
	}
	if !d.CanVote {
		c.Redirect(http.StatusSeeOther, budgetURL(p, in))
		return
	}
	s.renderBudget(c, http.StatusOK, "budget_confirm", d)
}

// budgetCast casts the confirmed ballot through budget.CastAt: the same
// rules again (in a group write for a first online ballot on PostgreSQL,
// in Cast's transaction otherwise), and the one register across channels.
//
// The hot path reads no more than Cast needs, as the poll vote does: one
// query finds the published budget by both addresses (with its project's
// status), the definition comes from budget.Definition's cache, and the
// project, the voter's ballot and the page (budgetState) are loaded only
// to show a refusal, or first when the voter declares their wijk (the
// wijk is in the basket, which budgetState reads).
func (s *Server) budgetCast(c *gin.Context) {
	if s.limited(c, ratelimit.Vote) {
		return
	}
	ctx := c.Request.Context()
	in, ps, err := s.instruments.GetPublishedBySlugs(ctx, c.Param("slug"), c.Param("instrument"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if in.Kind != instrument.KindBudget {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	// Both addresses passed the slug pattern: they are the project's and
	// the budget's own.
	path := "/projecten/" + url.PathEscape(c.Param("slug")) + "/" + url.PathEscape(in.Slug)
	v, ok := s.budgetVoter(c, in.ID)
	if !ok {
		c.Redirect(http.StatusSeeOther, "/inloggen?terug="+url.QueryEscape(path))
		return
	}
	b, err := s.budgets.Definition(ctx, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	var d *budgetPageData
	page := func() bool {
		if d != nil {
			return true
		}
		p, err := s.projects.GetPublic(ctx, c.Param("slug"))
		if err == nil {
			d, _, err = s.budgetState(c, p, in)
		}
		if err != nil {
			s.fail(c, err)
			return false
		}
		return true
	}
	again := func(status int, msg string) {
		if !page() {
			return
		}
		d.Error = msg
		if d.CanVote {
			s.renderBudget(c, status, "budget_confirm", d)
			return
		}
		s.renderBudget(c, status, "budget", d)
	}
	ch := budget.Choice{}
	if b.PerWijk && b.WijkSource == budget.WijkDeclared {
		if !page() {
			return
		}
		if d.Area != nil {
			ch.AreaID = d.Area.ID
		}
	}
	points := b.Method == budget.MethodPoints
	ids, pts := c.PostFormArray("plan"), c.PostFormArray("punten")
	if len(ids) > maxBasketLines || (points && len(pts) != len(ids)) {
		again(http.StatusUnprocessableEntity, s.cat.T(langOf(c), "budget.error.unknown_plan"))
		return
	}
	for i, raw := range ids {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			again(http.StatusUnprocessableEntity, s.cat.T(langOf(c), "budget.error.unknown_plan"))
			return
		}
		n := 1
		if points {
			if n, err = strconv.Atoi(pts[i]); err != nil || n < 0 || n > maxPoints {
				again(http.StatusUnprocessableEntity, s.cat.T(langOf(c), "begroting.error.points_number", ""))
				return
			}
		}
		ch.Lines = append(ch.Lines, budget.Line{PlanID: id, Points: n})
	}
	rec, err := s.budgets.CastAt(ctx, in, ps, v, ch)
	if err != nil {
		if msg, status, ok := s.refusalText(c, err); ok {
			again(status, msg)
			return
		}
		s.fail(c, err)
		return
	}
	s.clearBasket(c, in.ID, path)
	s.writeReceipt(c, in.ID, basketKey(v), path, rec)
	s.budgetCastDone(c, in.ID, v)
	c.Redirect(http.StatusSeeOther, path+"/stembewijs")
}

// budgetCastDone is the hook for the kiosk: a kiosk session ends once
// its ballot is cast (budget_stand*.go sets it).
var budgetCastDoneHook func(s *Server, c *gin.Context, instrumentID int64, v budget.Voter)

func (s *Server) budgetCastDone(c *gin.Context, instrumentID int64, v budget.Voter) {
	if budgetCastDoneHook != nil {
		budgetCastDoneHook(s, c, instrumentID, v)
	}
}

// The receipt cookie carries what was cast to the receipt page, for every
// channel: a kiosk or code session may be over by then. Signed, bound to
// the voter's basket key, short-lived.
func receiptCookie(instrumentID int64) string {
	return "inspraak_stembewijs_" + strconv.FormatInt(instrumentID, 10)
}

type receiptView struct {
	BallotID int64
	Channel  string
	Changed  bool
	At       time.Time
	Total    int64
	Lines    []budget.Line
	Items    []basketItem
	Key      string // the voter's basket key
}

func (s *Server) writeReceipt(c *gin.Context, instrumentID int64, key, path string, r *budget.Receipt) {
	var lines []string
	for _, l := range r.Lines {
		lines = append(lines, strconv.FormatInt(l.PlanID, 10)+":"+strconv.Itoa(l.Points))
	}
	changed := "0"
	if r.Changed {
		changed = "1"
	}
	payload := strings.Join([]string{"r1", key, strconv.FormatInt(r.BallotID, 10), string(r.Channel), changed,
		strconv.FormatInt(r.At.Unix(), 10), strconv.FormatInt(r.Total, 10), strings.Join(lines, ",")}, "|")
	val := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + s.basketSig(instrumentID, payload)
	http.SetCookie(c.Writer, &http.Cookie{Name: receiptCookie(instrumentID), Value: val, Path: path, MaxAge: 600,
		HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

func (s *Server) readReceipt(c *gin.Context, instrumentID int64) (receiptView, bool) {
	raw, err := c.Cookie(receiptCookie(instrumentID))
	if err != nil || raw == "" || len(raw) > 4096 {
		return receiptView{}, false
	}
	enc, sig, ok := strings.Cut(raw, ".")
	if !ok {
		return receiptView{}, false
	}
	pb, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(s.basketSig(instrumentID, string(pb)))) {
		return receiptView{}, false
	}
	f := strings.Split(string(pb), "|")
	if len(f) != 8 || f[0] != "r1" {
		return receiptView{}, false
	}
	r := receiptView{Key: f[1], Channel: f[3], Changed: f[4] == "1"}
	r.BallotID, _ = strconv.ParseInt(f[2], 10, 64)
	at, _ := strconv.ParseInt(f[5], 10, 64)
	r.At = time.Unix(at, 0)
	r.Total, _ = strconv.ParseInt(f[6], 10, 64)
	if f[7] != "" {
		for _, l := range strings.Split(f[7], ",") {
			id, pts, _ := strings.Cut(l, ":")
			pid, _ := strconv.ParseInt(id, 10, 64)
			n, _ := strconv.Atoi(pts)
			r.Lines = append(r.Lines, budget.Line{PlanID: pid, Points: n})
		}
	}
	return r, true
}

// budgetReceiptData is the receipt page's data.
type budgetReceiptData struct {
	*budgetPageData
	Receipt receiptView
}

// budgetReceipt shows what was cast: from the receipt cookie just after
// casting (any channel), or the stored online ballot later.
func (s *Server) budgetReceipt(c *gin.Context) {
	p, in, ok := s.budgetInstrument(c)
	if !ok {
		return
	}
	d, v, err := s.budgetState(c, p, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	r, ok := s.readReceipt(c, in.ID)
	if ok && d.HasVoter && r.Key != basketKey(v) {
		ok = false // someone else's receipt in a shared browser
	}
	if ok {
		// Shown once: on a shared device (a kiosk, a library computer) the
		// next person must not find the last one's choice here. An online
		// voter sees their ballot again from BallotOf.
		http.SetCookie(c.Writer, &http.Cookie{Name: receiptCookie(in.ID), Value: "", Path: budgetURL(p, in), MaxAge: -1,
			HttpOnly: true, Secure: s.cfg.BaseURL.Scheme == "https", SameSite: http.SameSiteLaxMode})
		for _, l := range r.Lines {
			if pl := planByID(d.B, l.PlanID); pl != nil {
				r.Items = append(r.Items, basketItem{ID: pl.ID, Title: pl.Title, Cost: pl.Cost, Points: l.Points})
			}
		}
	} else if len(d.Mine) > 0 {
		r = receiptView{Items: d.Mine, Channel: string(budget.ChannelOnline)}
		for _, m := range d.Mine {
			r.Total += m.Cost
		}
		ok = true
	}
	if !ok {
		c.Redirect(http.StatusSeeOther, budgetURL(p, in))
		return
	}
	page := s.page(c, "", &budgetReceiptData{budgetPageData: d, Receipt: r})
	page.Title = s.cat.T(langOf(c), "begroting.receipt.title")
	page.Nav = "projects"
	s.html(c, http.StatusOK, "budget_receipt", page)
}
