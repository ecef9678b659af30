package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/results"
)

// Analysts read the open answers, make codes and give answers codes, one
// by one or many at once.

type openAnswersData struct {
	ID        int64
	Title     string
	Questions map[int64]string
	Order     []int64
	Codes     []results.Code
	CodeName  map[int64]string
	Answers   []results.OpenAnswer
	Total     int64
	Filter    results.OpenFilter
	Errors    map[string]string
	NewCode   string
	Pages     int
}

// Query is the filter as a query string.
func (d openAnswersData) Query(page int) string {
	v := url.Values{}
	if d.Filter.QuestionID > 0 {
		v.Set("vraag", strconv.FormatInt(d.Filter.QuestionID, 10))
	}
	if d.Filter.CodeID != 0 {
		v.Set("code", strconv.FormatInt(d.Filter.CodeID, 10))
	}
	if d.Filter.Search != "" {
		v.Set("zoek", d.Filter.Search)
	}
	if page > 1 {
		v.Set("pagina", strconv.Itoa(page))
	}
	return v.Encode()
}

// Key names an answer in the bulk form.
func (d openAnswersData) Key(a results.OpenAnswer) string {
	return strconv.FormatInt(a.ResponseID, 10) + "-" + strconv.FormatInt(a.QuestionID, 10)
}

func (s *Server) openAnswers(c *gin.Context) {
	s.renderOpenAnswers(c, http.StatusOK, nil, "")
}

func (s *Server) renderOpenAnswers(c *gin.Context, status int, errs map[string]string, newCode string) {
	cons, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	f := results.OpenFilter{Search: strings.TrimSpace(c.Query("zoek"))}
	bad := len(f.Search) > 200
	for name, dst := range map[string]*int64{"vraag": &f.QuestionID, "code": &f.CodeID} {
		if v := c.Query(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			bad = bad || err != nil || n < -1
			*dst = n
		}
	}
	if v := c.Query("pagina"); v != "" {
		n, err := strconv.Atoi(v)
		bad = bad || err != nil || n < 1 || n > 100000
		f.Page = n
	}
	if bad {
		s.renderStatus(c, http.StatusBadRequest, "results.error.filter")
		return
	}
	ctx := c.Request.Context()
	answers, total, err := s.results.OpenAnswers(ctx, cons, f)
	if err != nil {
		s.fail(c, err)
		return
	}
	codes, err := s.results.Codes(ctx, in.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := openAnswersData{ID: in.ID, Title: in.Title, Questions: map[int64]string{}, Codes: codes, CodeName: map[int64]string{},
		Answers: answers, Total: total, Filter: f, Errors: errs, NewCode: newCode,
		Pages: int((total + results.OpenPageSize - 1) / results.OpenPageSize)}
	for _, q := range cons.Questions {
		if q.Kind == "short_text" || q.Kind == "long_text" {
			d.Questions[q.ID] = q.Text
			d.Order = append(d.Order, q.ID)
		}
	}
	for _, cd := range codes {
		d.CodeName[cd.ID] = cd.Name
	}
	p := s.staffPage(c, "", d, "staff-results")
	p.Title = p.T("results.open.title", in.Title)
	s.html(c, status, "results_open", p)
}

// codeCreate adds a code.
func (s *Server) codeCreate(c *gin.Context) {
	_, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	name := c.PostForm("code")
	if len(name) > 4*results.MaxCodeName+100 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	_, err := s.results.AddCode(c.Request.Context(), actorOf(c), in.ID, name)
	if s.refused(c, err, func(status int, fields map[string]string) {
		s.renderOpenAnswers(c, status, fields, name)
	}) {
		return
	}
	s.done(c, "/beheer/resultaten/"+strconv.FormatInt(in.ID, 10)+"/open-antwoorden?"+backQuery(c.PostForm("terug")))
}

// codeTag gives the ticked answers a code, or takes it away.
func (s *Server) codeTag(c *gin.Context) {
	_, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	raw := c.PostFormArray("antwoord")
	codeID, err := strconv.ParseInt(c.PostForm("code"), 10, 64)
	if len(raw) > 500 {
		s.renderStatus(c, http.StatusBadRequest, "error.form_too_large")
		return
	}
	if err != nil || codeID < 1 {
		key := "results.error.code_unknown"
		if codes, cerr := s.results.Codes(c.Request.Context(), in.ID); cerr == nil && len(codes) == 0 {
			key = "results.error.no_codes_yet"
		}
		s.renderOpenAnswers(c, http.StatusUnprocessableEntity, map[string]string{"koppel-code": key}, "")
		return
	}
	var keys []results.AnswerKey
	for _, k := range raw {
		r, q, found := strings.Cut(k, "-")
		rid, err1 := strconv.ParseInt(r, 10, 64)
		qid, err2 := strconv.ParseInt(q, 10, 64)
		if !found || err1 != nil || err2 != nil {
			s.renderStatus(c, http.StatusBadRequest, "results.error.filter")
			return
		}
		keys = append(keys, results.AnswerKey{ResponseID: rid, QuestionID: qid})
	}
	if len(keys) == 0 {
		s.renderOpenAnswers(c, http.StatusUnprocessableEntity, map[string]string{"koppel-code": "results.error.none_ticked"}, "")
		return
	}
	remove := c.PostForm("actie") == "los"
	_, err = s.results.Tag(c.Request.Context(), actorOf(c), in.ID, codeID, keys, remove)
	if e, isApp := apperror.As(err); isApp && e.Code == apperror.Invalid {
		s.renderOpenAnswers(c, http.StatusUnprocessableEntity, map[string]string{"koppel-code": "results.error.code_unknown"}, "")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/resultaten/"+strconv.FormatInt(in.ID, 10)+"/open-antwoorden?"+backQuery(c.PostForm("terug")))
}

// backQuery keeps only a well-formed query string of the list to return to.
func backQuery(raw string) string {
	v, err := url.ParseQuery(raw)
	if err != nil || len(raw) > 500 {
		return ""
	}
	return v.Encode()
}
