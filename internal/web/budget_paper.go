package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
)

// Paper ballots in batches, with four eyes (budget/paper.go): the member
// who opens a batch enters its papers (the letter's code and the marked
// plans), notes the papers that cannot count and submits it; another
// member counts the pile, compares and checks it (only then does it
// count) or sends it back with a note; a checked batch is corrected only
// with a reason.

type paperData struct {
	B       *budget.Budget
	Batches []budget.Batch
	Batch   *budget.Batch
	Ballots []paperBallotView
	Mine    bool // this member entered the batch
	Errors  map[string]string
	Error   string
	Code    string // what was typed, shown back after a refusal
	Chosen  map[int64]int
	AreaID  int64 // the wijk chosen on the paper (declared wijk)
}

// Declared: the paper names its wijk (per_wijk, as the voter declares).
func (d *paperData) Declared() bool { return d.B.PerWijk && d.B.WijkSource == budget.WijkDeclared }

type paperBallotView struct {
	ID     int64
	Titles []string
	Points []int
	Linked bool
}

func (d *paperData) IsPoints() bool { return d.B.Method == budget.MethodPoints }

// Status is the batch's status in words.
func (d *paperData) Status(b budget.Batch) string { return "budget.paper.status." + b.Status }

func (s *Server) paperBatches(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	s.renderPaperList(c, http.StatusOK, &paperData{B: b})
}

func (s *Server) renderPaperList(c *gin.Context, status int, d *paperData) {
	bs, err := s.budgets.Batches(c.Request.Context(), actorOf(c), d.B.InstrumentID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Batches = bs
	s.html(c, status, "budget_paper_list", s.staffPage(c, "budget.paper.title", d, "staff-stand"))
}

func (s *Server) paperOpen(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	bt, err := s.budgets.OpenBatch(c.Request.Context(), actorOf(c), b.InstrumentID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, paperBatchURL(b.InstrumentID, bt.ID))
}

func paperBatchURL(instrumentID, batchID int64) string {
	return "/beheer/begrotingen/" + strconv.FormatInt(instrumentID, 10) + "/papier/" + strconv.FormatInt(batchID, 10)
}

// paperTarget reads the budget and the batch of the route; the batch must
// be the budget's.
func (s *Server) paperTarget(c *gin.Context) (*paperData, bool) {
	b, ok := s.standBudget(c)
	if !ok {
		return nil, false
	}
	bid, err := strconv.ParseInt(c.Param("bid"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	bt, ballots, err := s.budgets.BatchOf(c.Request.Context(), actorOf(c), bid)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	if bt.InstrumentID != b.InstrumentID {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	d := &paperData{B: b, Batch: bt, Chosen: map[int64]int{}}
	me := actorOf(c).StaffID
	d.Mine = bt.EnteredBy != nil && *bt.EnteredBy == me
	for _, pb := range ballots {
		v := paperBallotView{ID: pb.ID, Linked: pb.Linked}
		for _, l := range pb.Lines {
			title := "?"
			if pl := planByID(b, l.PlanID); pl != nil {
				title = pl.Title
			}
			v.Titles = append(v.Titles, title)
			v.Points = append(v.Points, l.Points)
		}
		d.Ballots = append(d.Ballots, v)
	}
	return d, true
}

func (s *Server) paperBatch(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	s.renderPaperBatch(c, http.StatusOK, d)
}

func (s *Server) renderPaperBatch(c *gin.Context, status int, d *paperData) {
	s.html(c, status, "budget_paper", s.staffPage(c, "budget.paper.batch_title", d, "staff-stand"))
}

// paperDone answers a change of a batch: back to the batch page, or the
// page again with the refusal in words and nothing changed.
func (s *Server) paperDone(c *gin.Context, d *paperData, err error) {
	if err == nil {
		s.done(c, paperBatchURL(d.B.InstrumentID, d.Batch.ID))
		return
	}
	e, ok := apperror.As(err)
	if !ok {
		s.fail(c, err)
		return
	}
	// The page shows the batch as it is now.
	fresh, ok := s.paperTarget(c)
	if !ok {
		return
	}
	fresh.Code, fresh.Chosen, fresh.AreaID = d.Code, d.Chosen, d.AreaID
	status := http.StatusUnprocessableEntity
	switch e.Code {
	case apperror.Conflict, apperror.Closed:
		status = http.StatusConflict
	case apperror.Forbidden:
		status = http.StatusForbidden
	case apperror.NotFound:
		status = http.StatusNotFound
	}
	if len(e.Fields) > 0 {
		fresh.Errors = e.Fields
	}
	fresh.Error = s.cat.T(langOf(c), e.Key, e.Args...)
	s.renderPaperBatch(c, status, fresh)
}

// paperAdd enters one paper: the code and, per plan, a tick (or points).
func (s *Server) paperAdd(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	d.Code = c.PostForm("code")
	var ch budget.Choice
	for _, p := range d.B.Plans {
		key := "plan_" + strconv.FormatInt(p.ID, 10)
		n := 0
		if d.IsPoints() {
			if raw := c.PostForm(key); raw != "" {
				v, err := strconv.Atoi(raw)
				if err != nil || v < 0 || v > maxPoints {
					s.paperDone(c, d, apperror.New(apperror.Invalid, "budget.paper.bad_points", p.Title))
					return
				}
				n = v
			}
		} else if c.PostForm(key) != "" {
			n = 1
		}
		if n > 0 {
			d.Chosen[p.ID] = n
			ch.Lines = append(ch.Lines, budget.Line{PlanID: p.ID, Points: n})
		}
	}
	if raw := c.PostForm("gebied"); raw != "" {
		ch.AreaID, _ = strconv.ParseInt(raw, 10, 64)
		d.AreaID = ch.AreaID
	}
	_, err := s.budgets.AddPaper(c.Request.Context(), actorOf(c), d.Batch.ID, d.Code, ch)
	s.paperDone(c, d, err)
}

func (s *Server) paperRemove(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(c.Param("ballot"), 10, 64)
	if err != nil {
		s.renderStatus(c, http.StatusNotFound, "")
		return
	}
	s.paperDone(c, d, s.budgets.RemovePaper(c.Request.Context(), actorOf(c), d.Batch.ID, id))
}

func (s *Server) paperInvalid(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	n, err := strconv.Atoi(c.PostForm("ongeldig"))
	if err != nil {
		n = -1
	}
	s.paperDone(c, d, s.budgets.SetInvalid(c.Request.Context(), actorOf(c), d.Batch.ID, n))
}

func (s *Server) paperSubmit(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	s.paperDone(c, d, s.budgets.SubmitBatch(c.Request.Context(), actorOf(c), d.Batch.ID))
}

func (s *Server) paperCheck(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	n, err := strconv.Atoi(c.PostForm("stembiljetten"))
	if err != nil {
		s.paperDone(c, d, apperror.New(apperror.Invalid, "budget.batch.count_differs_field").WithField("papers", "budget.batch.count_differs_field"))
		return
	}
	s.paperDone(c, d, s.budgets.CheckBatch(c.Request.Context(), actorOf(c), d.Batch.ID, n))
}

func (s *Server) paperReturn(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	s.paperDone(c, d, s.budgets.ReturnBatch(c.Request.Context(), actorOf(c), d.Batch.ID, c.PostForm("notitie")))
}

func (s *Server) paperCorrect(c *gin.Context) {
	d, ok := s.paperTarget(c)
	if !ok {
		return
	}
	s.paperDone(c, d, s.budgets.CorrectBatch(c.Request.Context(), actorOf(c), d.Batch.ID, c.PostForm("reden")))
}
