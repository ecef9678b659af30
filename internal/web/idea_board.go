package web

import (
	"crypto/rand"
	"encoding/binary"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// orderCookie holds a visitor's seed for the board's random order, so
// paging shows every idea once and early ideas do not win by position.
const orderCookie = "inspraak_volgorde"

// boardView is an idea board as its pages need it: the instrument, the
// board's settings, and what this visitor may do now.
type boardView struct {
	In      instrumentView
	Board   *idea.Board
	Submit  instrument.Verdict
	Support instrument.Verdict
}

// SubmitView is the instrument view with the verdict for submitting, for
// the shared "why not, log in" block.
func (b boardView) SubmitView() instrumentView { v := b.In; v.Verdict = b.Submit; return v }

// SupportView is the same for supporting and commenting.
func (b boardView) SupportView() instrumentView { v := b.In; v.Verdict = b.Support; return v }

func (s *Server) verdict(c *gin.Context, p *project.Project, rules instrument.Instrument) instrument.Verdict {
	return instrument.Eligible(&rules, p.Status, instrument.PersonOf(residentOf(c)), s.now())
}

func (s *Server) loadBoard(c *gin.Context, p *project.Project, in *instrument.Instrument) (*boardView, bool) {
	b, err := s.ideas.Board(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	v := &boardView{In: s.viewInstrument(c, p, *in), Board: b}
	if err := s.withOutcomes(c.Request.Context(), &v.In); err != nil {
		s.fail(c, err)
		return nil, false
	}
	v.Submit = s.verdict(c, p, b.SubmitRules())
	v.Support = s.verdict(c, p, b.SupportRules())
	return v, true
}

// ideaActor is the logged-in resident as the idea service needs them.
func ideaActor(c *gin.Context) idea.Actor {
	cur := residentOf(c)
	if cur == nil {
		return idea.Actor{}
	}
	return idea.Actor{ParticipantID: cur.Participant.ID, Subject: cur.Participant.Subject, Person: instrument.PersonOf(cur)}
}

type boardPageData struct {
	Project   *project.Project
	B         *boardView
	Page      idea.Page
	Theme     int64
	Status    string
	Sort      string
	Supported map[int64]bool
	// Unlinked are the ideas the viewer supported before erasing their
	// data: they cannot support them again.
	Unlinked map[int64]bool
	Me       int64
	Statuses []idea.Status
	// Search is the term searched for (?zoek=), "" when none;
	// SearchInput is what the visitor typed, shown again in the field;
	// SearchError is the message key when the term was refused.
	Search      string
	SearchInput string
	SearchError string
}

// PageURL links to another page of the same selection.
func (d boardPageData) PageURL(n int) string {
	q := url.Values{}
	if d.Theme != 0 {
		q.Set("thema", strconv.FormatInt(d.Theme, 10))
	}
	if d.Status != "" {
		q.Set("status", d.Status)
	}
	if d.Sort != idea.SortRandom {
		q.Set("sorteer", d.Sort)
	}
	if d.Search != "" {
		q.Set("zoek", d.Search)
	}
	if d.Page.Until > 0 {
		// The walk through the pages stays on the ideas it began with:
		// a new idea cannot push one onto the next page twice.
		q.Set("tot", strconv.FormatInt(d.Page.Until, 10))
	}
	if n > 1 {
		q.Set("pagina", strconv.Itoa(n))
	}
	if len(q) == 0 {
		return d.B.In.URL
	}
	return d.B.In.URL + "?" + q.Encode()
}

// ClearSearchURL is the same selection without the search term.
func (d boardPageData) ClearSearchURL() string {
	d.Search, d.Page.Until = "", 0
	return d.PageURL(1)
}

// PageNumbers are the page links to show.
func (d boardPageData) PageNumbers() []int {
	var out []int
	for i := 1; i <= d.Page.Pages; i++ {
		if i == 1 || i == d.Page.Pages || i >= d.Page.Page-2 && i <= d.Page.Page+2 {
			out = append(out, i)
		}
	}
	return out
}

// ThemeName names an idea's theme.
func (d boardPageData) ThemeName(id *int64) string { return d.B.Board.ThemeName(id) }

// orderSeed returns the visitor's random-order seed, making one on the
// first visit.
// One request makes at most one seed, however often it asks.
func (s *Server) orderSeed(c *gin.Context) uint64 {
	if n, ok := c.Get(orderSeedKey); ok {
		return n.(uint64)
	}
	if v, err := c.Cookie(orderCookie); err == nil {
		if n, err := strconv.ParseUint(v, 16, 64); err == nil && n != 0 {
			c.Set(orderSeedKey, n)
			return n
		}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	n := binary.LittleEndian.Uint64(b[:]) | 1
	s.setCookie(c, orderCookie, strconv.FormatUint(n, 16), 7*24*3600)
	c.Set(orderSeedKey, n)
	return n
}

const orderSeedKey = "inspraak.order_seed"

// boardShow lists a board's ideas with filters, sort order and pages.
func (s *Server) boardShow(c *gin.Context, p *project.Project, in *instrument.Instrument, spot keptSpot) {
	b, ok := s.loadBoard(c, p, in)
	if !ok {
		return
	}
	d := boardPageData{Project: p, B: b, Sort: idea.SortRandom, Statuses: idea.EditorStatuses}
	q := idea.Query{Sort: idea.SortRandom}
	switch srt := c.Query("sorteer"); srt {
	case idea.SortNewest, idea.SortSupport:
		d.Sort, q.Sort = srt, srt
	}
	if q.Sort == idea.SortRandom {
		q.Seed = s.orderSeed(c)
	}
	if t, err := strconv.ParseInt(c.Query("thema"), 10, 64); err == nil && b.Board.ThemeName(&t) != "" {
		d.Theme, q.ThemeID = t, &t
	}
	for _, st := range idea.EditorStatuses {
		if c.Query("status") == string(st) {
			d.Status, q.Status = string(st), st
		}
	}
	d.SearchInput = c.Query("zoek")
	if term, err := idea.SearchTerm(d.SearchInput); err != nil {
		if e, ok := apperror.As(err); ok {
			d.SearchError = e.Fields["zoek"]
		}
	} else {
		d.Search, q.Search = term, term
	}
	q.Page, _ = strconv.Atoi(c.Query("pagina"))
	q.Until, _ = strconv.ParseInt(c.Query("tot"), 10, 64)
	// The board row read above carries the version of its kept lists:
	// List needs no query of its own to know whether they are current.
	q.Version = b.Board.ListVersion
	ctx := c.Request.Context()
	var err error
	if d.Page, err = s.ideas.List(ctx, in.ID, q); err != nil {
		s.fail(c, err)
		return
	}
	a := ideaActor(c)
	d.Me = a.ParticipantID
	ids := make([]int64, len(d.Page.Ideas))
	for i, x := range d.Page.Ideas {
		ids[i] = x.ID
	}
	if d.Supported, d.Unlinked, err = s.ideas.Supports(ctx, in.ID, a, ids); err != nil {
		s.fail(c, err)
		return
	}
	page := s.page(c, "", d)
	page.Title, page.Nav = in.Title, "projects"
	if !spot.ok || page.Flash != nil {
		s.html(c, http.StatusOK, "idea_board", page)
		return
	}
	html, err := s.renderer.execute("idea_board", page)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.keep(c, spot, q.Sort == idea.SortRandom, q.Seed, html)
}

// loadBoardFor finds the published board of the address, for the idea
// routes.
func (s *Server) loadBoardFor(c *gin.Context) (*project.Project, *boardView, bool) {
	p, in, ok := s.loadInstrument(c)
	if !ok {
		return nil, nil, false
	}
	if in.Kind != instrument.KindIdeaBoard {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, false
	}
	b, ok := s.loadBoard(c, p, in)
	return p, b, ok
}

// loadIdea finds an idea of the board that this visitor may see.
func (s *Server) loadIdea(c *gin.Context) (*project.Project, *boardView, *idea.Idea, bool) {
	p, b, ok := s.loadBoardFor(c)
	if !ok {
		return nil, nil, nil, false
	}
	id, err := strconv.ParseInt(c.Param("idea"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, nil, false
	}
	i, err := s.ideas.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return nil, nil, nil, false
	}
	if i.InstrumentID != b.In.ID || !idea.Visible(i, ideaActor(c).ParticipantID) {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, nil, nil, false
	}
	return p, b, i, true
}

// ideaURL is the address of an idea page.
func ideaURL(b *boardView, i *idea.Idea) string {
	return b.In.URL + "/ideeen/" + strconv.FormatInt(i.ID, 10)
}

// IdeaBadge is the status badge of an idea.
func (p *Page) IdeaBadge(v any) Badge {
	var i idea.Idea
	switch x := v.(type) {
	case idea.Idea:
		i = x
	case *idea.Idea:
		i = *x
	}
	switch i.Moderation {
	case idea.Awaiting:
		return Badge{"neutral", p.T("idea.moderation.awaiting")}
	case idea.Rejected, idea.Hidden:
		return Badge{"inactive", p.T("moderation.state." + i.Moderation)}
	}
	switch i.Status {
	case idea.StatusAccepted, idea.StatusDone:
		return Badge{"active", p.T("idea.status." + string(i.Status))}
	case idea.StatusRejected, idea.StatusWithdrawn:
		return Badge{"inactive", p.T("idea.status." + string(i.Status))}
	}
	return Badge{"neutral", p.T("idea.status." + string(i.Status))}
}

// BoardPeriodsData is what the board-periods partial receives.
type BoardPeriodsData struct {
	P *Page
	B *boardView
}

// BoardPeriods pairs a board with the page.
func (p *Page) BoardPeriods(b *boardView) BoardPeriodsData { return BoardPeriodsData{P: p, B: b} }
