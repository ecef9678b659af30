package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// ideaPick is one idea on the "plannen uit ideeën" page.
type ideaPick struct {
	idea.Idea
	// Plan is set when the idea is a plan of this budget already.
	Plan   bool
	Cost   string
	Area   string
	Picked bool
}

type budgetIdeasData struct {
	Project *project.Project
	B       *budget.Budget
	Boards  []instrument.Instrument
	Board   int64
	Ideas   []ideaPick
	Page    idea.Page
	Errors  map[string]string
	// Error is a refusal of the whole selection (translated).
	Error string
}

// URL is the page's own address (with the board).
func (d *budgetIdeasData) URL() string {
	return editorBudgetURL(d.Project.ID, d.B.InstrumentID) + "/uit-ideeen"
}

// BackURL is the budget's editor page.
func (d *budgetIdeasData) BackURL() string { return editorBudgetURL(d.Project.ID, d.B.InstrumentID) }

// PageURL is the address of another page of ideas of this board.
func (d *budgetIdeasData) PageURL(n int) string {
	return d.URL() + "?bord=" + strconv.FormatInt(d.Board, 10) + "&pagina=" + strconv.Itoa(n)
}

// loadIdeaPicks fills the boards of the project and one page of public
// ideas of the chosen board, most supported first.
func (s *Server) loadIdeaPicks(c *gin.Context, d *budgetIdeasData, board string, pageNo int) error {
	ctx := c.Request.Context()
	all, err := s.instruments.ListAll(ctx, d.Project.ID)
	if err != nil {
		return err
	}
	for _, in := range all {
		if in.Kind == instrument.KindIdeaBoard {
			d.Boards = append(d.Boards, in)
		}
	}
	if len(d.Boards) == 0 {
		return nil
	}
	d.Board = d.Boards[0].ID
	if id, err := strconv.ParseInt(board, 10, 64); err == nil {
		for _, bd := range d.Boards {
			if bd.ID == id {
				d.Board = id
			}
		}
	}
	if d.Page, err = s.ideas.List(ctx, d.Board, idea.Query{Sort: idea.SortSupport, Page: max(pageNo, 1)}); err != nil {
		return err
	}
	planned := map[int64]bool{}
	for _, pl := range d.B.Plans {
		if pl.IdeaID != nil {
			planned[*pl.IdeaID] = true
		}
	}
	area := ""
	if len(d.B.Areas) > 0 {
		area = strconv.FormatInt(d.B.Areas[0].ID, 10)
	}
	for _, i := range d.Page.Ideas {
		pick := ideaPick{Idea: i, Plan: planned[i.ID], Area: area}
		if d.B.PerWijk && i.Wijk != "" {
			if a := areaOfWijk(d.B, i.Wijk); a != nil {
				pick.Area = strconv.FormatInt(a.ID, 10)
			}
		}
		d.Ideas = append(d.Ideas, pick)
	}
	return nil
}

func (s *Server) renderBudgetIdeas(c *gin.Context, status int, d *budgetIdeasData) {
	page := s.page(c, "begroting.editor.ideas.title", d)
	page.StaffArea, page.Nav = true, "staff-projects"
	s.html(c, status, "budget_editor_ideas", page)
}

// editorBudgetFromIdeas lists the ideas of the project's boards to make
// plans of, each with a cost to set.
func (s *Server) editorBudgetFromIdeas(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	d := &budgetIdeasData{Project: p, B: b, Errors: map[string]string{}}
	n, _ := strconv.Atoi(c.Query("pagina"))
	if err := s.loadIdeaPicks(c, d, c.Query("bord"), n); err != nil {
		s.fail(c, err)
		return
	}
	s.renderBudgetIdeas(c, http.StatusOK, d)
}

// editorBudgetFromIdeasSave makes plans of the ticked ideas. A cost that
// is no amount is that idea's message; the ticks and costs stay.
func (s *Server) editorBudgetFromIdeasSave(c *gin.Context) {
	p, b, ok := s.budgetEditor(c)
	if !ok {
		return
	}
	d := &budgetIdeasData{Project: p, B: b, Errors: map[string]string{}}
	n, _ := strconv.Atoi(c.PostForm("pagina"))
	if err := s.loadIdeaPicks(c, d, c.PostForm("bord"), n); err != nil {
		s.fail(c, err)
		return
	}
	picked := map[string]bool{}
	for _, v := range c.PostFormArray("idee") {
		picked[v] = true
	}
	var in []budget.IdeaPlan
	for i := range d.Ideas {
		pk := &d.Ideas[i]
		id := strconv.FormatInt(pk.ID, 10)
		pk.Cost = strings.TrimSpace(c.PostForm("kosten_" + id))
		if a := c.PostForm("gebied_" + id); a != "" {
			pk.Area = a
		}
		pk.Picked = picked[id]
		if !pk.Picked || pk.Plan {
			continue
		}
		cost, ok := parseEuros(pk.Cost)
		if !ok || cost == 0 {
			d.Errors["kosten_"+id] = "begroting.editor.error.cost"
			continue
		}
		area, _ := strconv.ParseInt(pk.Area, 10, 64)
		in = append(in, budget.IdeaPlan{IdeaID: pk.ID, AreaID: area, Cost: cost})
	}
	if len(d.Errors) == 0 && len(in) == 0 {
		d.Errors["ideeen"] = "budget.error.no_ideas"
	}
	if len(d.Errors) > 0 {
		s.renderBudgetIdeas(c, http.StatusUnprocessableEntity, d)
		return
	}
	_, err := s.budgets.PlansFromIdeas(c.Request.Context(), actorOf(c), b.InstrumentID, in)
	if err != nil {
		if msg, status, ok := s.refusalText(c, err); ok {
			fields, _ := fieldErrors(err)
			if len(fields) > 0 {
				for k, v := range fields {
					d.Errors[k] = v
				}
			} else {
				d.Error = msg
			}
			s.renderBudgetIdeas(c, status, d)
			return
		}
		s.fail(c, err)
		return
	}
	s.done(c, editorBudgetURL(p.ID, b.InstrumentID)+"#plannen-kop")
}
