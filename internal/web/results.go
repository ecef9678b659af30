package web

import (
	"bytes"
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/budget"
	"inspraak/internal/consultation"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/responsenote"
	"inspraak/internal/results"
)

// Analysts read results at /beheer/resultaten and download exports.

type resultsListData struct {
	Consultations []results.Listed
	Boards        []responsenote.ListedBoard
	Budgets       []budget.Listed
}

func (s *Server) resultsList(c *gin.Context) {
	var d resultsListData
	var err error
	if d.Consultations, err = s.results.List(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	if d.Boards, err = s.notes.Boards(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	if d.Budgets, err = s.budgets.List(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	s.html(c, http.StatusOK, "results_list", s.staffPage(c, "results.list.title", d, "staff-results"))
}

type resultsData struct {
	In       *instrument.Instrument
	C        *consultation.Consultation
	O        *results.Overview
	Formats  []string
	Computed time.Duration
	// By is the chosen breakdown ("" none); Breakdowns holds one per
	// question (its Status says what it shows, or why not).
	By         string
	Dimensions []string
	Breakdowns map[int64]*results.Breakdown
	Funnel     *results.Funnel
	Days       []results.Day
	// Rep compares participants with the population, per dimension that
	// has population figures.
	Rep map[string][]results.RepRow
	// K is the smallest count breakdowns and representativeness show.
	K int
	// Published is when the results went on the site (nil: they are
	// not); PublicURL is where; Open says the questionnaire still takes
	// answers (the site then shows the figures of the publication).
	Published  *time.Time
	PublicURL  string
	Open       bool
	MayPublish bool
}

// Of is n as a share of the opened, for the funnel.
func (d resultsData) Of(n int64) float64 {
	if d.Funnel == nil || d.Funnel.Opened == 0 {
		return 0
	}
	return float64(n) * 100 / float64(d.Funnel.Opened)
}

// BreakdownOf returns the breakdown of a question, if one was asked for.
func (d resultsData) BreakdownOf(questionID int64) *results.Breakdown {
	return d.Breakdowns[questionID]
}

// loadResultsInstrument finds the instrument named in the address, of one
// of the kinds given; anything else is "not found".
func (s *Server) loadResultsInstrument(c *gin.Context, kinds ...instrument.Kind) (*instrument.Instrument, bool) {
	id, err := strconv.ParseInt(c.Param("iid"), 10, 64)
	if err != nil || id < 1 {
		s.renderStatus(c, http.StatusNotFound, "")
		return nil, false
	}
	in, err := s.instruments.GetOfKind(c.Request.Context(), id, kinds...)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return in, true
}

func (s *Server) loadResultsConsultation(c *gin.Context) (*consultation.Consultation, *instrument.Instrument, bool) {
	in, ok := s.loadResultsInstrument(c, instrument.KindConsultation)
	if !ok {
		return nil, nil, false
	}
	cons, err := s.consultations.Get(c.Request.Context(), in.ID)
	if err != nil {
		s.fail(c, err)
		return nil, nil, false
	}
	return cons, in, true
}

func (s *Server) resultsShow(c *gin.Context) {
	if s.budgetOfResults(c, s.budgetResultsStaffOf) {
		return
	}
	cons, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	start := time.Now()
	o, err := s.results.Consultation(c.Request.Context(), cons)
	if err != nil {
		s.fail(c, err)
		return
	}
	d := resultsData{In: in, C: cons, O: o, Formats: []string{"csv", "csv-nl", "xlsx", "json", "pdf"}, Computed: time.Since(start),
		Dimensions: results.Dimensions}
	if err := s.publication(c, in, &d); err != nil {
		s.fail(c, err)
		return
	}
	if d.Funnel, d.Days, err = s.results.Participation(c.Request.Context(), cons); err != nil {
		s.fail(c, err)
		return
	}
	pop, err := s.results.Population(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	if d.K, err = s.results.Threshold(c.Request.Context()); err != nil {
		s.fail(c, err)
		return
	}
	d.Rep = map[string][]results.RepRow{}
	for _, dim := range []string{results.ByWijk, results.ByAge} {
		has := false
		for _, p := range pop {
			has = has || p.Dimension == dim
		}
		if !has {
			continue
		}
		if d.Rep[dim], err = s.results.Representativeness(c.Request.Context(), in.ID, dim); err != nil {
			s.fail(c, err)
			return
		}
	}
	if by := c.Query("uitsplitsen"); by != "" {
		if !slices.Contains(results.Dimensions, by) {
			s.renderStatus(c, http.StatusBadRequest, "results.error.breakdown")
			return
		}
		d.By = by
		// Every question gets a breakdown, or the reason it has none.
		if d.Breakdowns, err = s.results.Breakdowns(c.Request.Context(), o.Questions, by, d.K); err != nil {
			s.fail(c, err)
			return
		}
	}
	p := s.staffPage(c, "", d, "staff-results")
	p.Title = p.T("results.title", in.Title)
	s.html(c, http.StatusOK, "results", p)
}

// publication fills in whether the results are on the site, where, and
// whether this analyst may change that.
func (s *Server) publication(c *gin.Context, in *instrument.Instrument, d *resultsData) error {
	ctx := c.Request.Context()
	var err error
	if d.Published, err = s.results.Published(ctx, in.ID); err != nil {
		return err
	}
	p, err := s.projects.Get(ctx, in.ProjectID)
	if err != nil {
		return err
	}
	d.PublicURL = "/projecten/" + p.Slug + "/" + in.Slug + "/resultaten"
	d.Open = in.Open(p.Status, s.now())
	d.MayPublish = staffOf(c).Can(identity.PermPublishResults)
	return nil
}

// resultsPublish puts a consultation's results on the site
// (openbaar=ja; again: the figures are counted again) or takes them off
// (openbaar=nee). The results service checks the permission and records
// the change in its transaction; the first publication tells the
// project's followers.
func (s *Server) resultsPublish(c *gin.Context) {
	cons, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var err error
	switch c.PostForm("openbaar") {
	case "ja":
		err = s.results.Publish(ctx, actorOf(c), cons, s.clock())
	case "nee":
		err = s.results.Unpublish(ctx, actorOf(c), in.ID)
	default:
		s.renderStatus(c, http.StatusBadRequest, "results.error.publish")
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.done(c, "/beheer/resultaten/"+strconv.FormatInt(in.ID, 10))
}

// resultsExport streams an export as a download and records it.
func (s *Server) resultsExport(c *gin.Context) {
	if s.budgetOfResults(c, s.budgetExport) {
		return
	}
	cons, in, ok := s.loadResultsConsultation(c)
	if !ok {
		return
	}
	f := c.Query("formaat")
	if f == "pdf" {
		s.resultsReport(c, cons, in)
		return
	}
	opt, ext, ctype, ok := exportFormat(f)
	if !ok {
		s.renderStatus(c, http.StatusBadRequest, "results.error.format")
		return
	}
	name := fmt.Sprintf("antwoorden-%d-%s.%s", in.ID, s.clock().Format("20060102-1504"), ext)
	c.Header("Content-Type", ctype)
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	// ExportFor puts the export on record before its first byte, and
	// sends nothing when it cannot.
	_, err := s.results.ExportFor(c.Request.Context(), actorOf(c), cons, c.Writer, opt, map[string]any{"format": f})
	if err != nil && !c.Writer.Written() {
		c.Writer.Header().Del("Content-Disposition")
		c.Writer.Header().Del("Content-Type")
		s.fail(c, err)
		return
	}
	if err != nil {
		// The download is cut short; the browser shows it as failed. The
		// attempt is on record.
		s.log.WarnContext(c.Request.Context(), "export stopped", "instrument", in.ID, "error", err)
	}
}

// ---- charts ------------------------------------------------------------------

// Bar is one bar of a server-drawn chart.
type Bar struct {
	Label   string
	Value   string  // as shown
	Width   float64 // 0..100, share of the longest bar
	Y       int
	TextY   int
	BarText string
}

// BarChart is a horizontal bar chart drawn in SVG; the same numbers are
// always in a table beside it.
type BarChart struct {
	ID    string
	Title string
	// Summary is the chart's text alternative: every bar in words.
	Summary string
	Bars    []Bar
	Height  int
}

// OptionChart draws a question's options by percentage of its base.
func (p *Page) OptionChart(id string, q results.Question) BarChart {
	ch := BarChart{ID: id, Title: q.Text}
	for i, o := range q.Options {
		ch.Bars = append(ch.Bars, Bar{Label: o.Label, Value: p.Percent(o.Percent), Width: o.Percent, Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}

func (p *Page) chartSummary(ch BarChart) string {
	parts := make([]string, len(ch.Bars))
	for i, b := range ch.Bars {
		parts[i] = b.Label + ": " + b.Value
	}
	return p.T("results.chart_alt", ch.Title, strings.Join(parts, "; "))
}

// ValueChart draws a distribution by percentage of its base.
func (p *Page) ValueChart(id string, q results.Question) BarChart {
	ch := BarChart{ID: id, Title: q.Text}
	for i, v := range q.Values {
		ch.Bars = append(ch.Bars, Bar{Label: valueLabel(q, v.Value), Value: p.Percent(v.Percent), Width: v.Percent,
			Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}

// Number writes a figure with one decimal, the Dutch way in Dutch.
func (p *Page) Number(f *float64) string {
	if f == nil {
		return "–"
	}
	s := strconv.FormatFloat(*f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if p.Lang != "en" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// Share writes a 0..1 fraction as a percentage.
func (p *Page) Share(f float64) string { return p.Percent(f * 100) }

// GroupLabel names a breakdown group for people.
func (p *Page) GroupLabel(by, group string) string {
	switch {
	case group == "":
		return p.T("results.group.unknown")
	case by == results.ByMeans:
		return p.T("results.means." + group)
	}
	return group
}

// DayChart draws submissions per day.
func (p *Page) DayChart(days []results.Day) BarChart {
	ch := BarChart{ID: "per-dag", Title: p.T("results.days.caption")}
	var most int64
	for _, d := range days {
		most = max(most, d.Submitted)
	}
	for i, d := range days {
		w := 0.0
		if most > 0 {
			w = float64(d.Submitted) * 100 / float64(most)
		}
		ch.Bars = append(ch.Bars, Bar{Label: p.cat.Date(p.Lang, d.Date), Value: strconv.FormatInt(d.Submitted, 10), Width: w, Y: i*36 + 18, TextY: i*36 + 14})
	}
	ch.Height = len(ch.Bars)*36 + 8
	ch.Summary = p.chartSummary(ch)
	return ch
}

// resultsReport sends the PDF report and records it.
func (s *Server) resultsReport(c *gin.Context, cons *consultation.Consultation, in *instrument.Instrument) {
	p := s.page(c, "", nil)
	var buf bytes.Buffer
	// The report is on record (by Report) before its first byte goes out.
	if err := s.results.Report(c.Request.Context(), actorOf(c), cons, in.Title, p.Municipality, s.clock(), p.T, &buf); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="uitkomsten-`+strconv.FormatInt(in.ID, 10)+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}

// CountTable is what the count-table partial shows: per row a label, a
// count and its percentage, as text.
type CountTable struct {
	P             *Page
	ID            string
	Caption, Head string
	Rows          []CountRow
}

// CountRow is one row of a CountTable.
type CountRow struct{ Label, Count, Percent string }

// OptionTable lists a question's options with count and percentage of
// the question's base.
func (p *Page) OptionTable(id string, q results.Question) CountTable {
	t := CountTable{P: p, ID: id, Caption: p.T("results.options_caption"), Head: p.T("results.option")}
	for _, o := range q.Options {
		t.Rows = append(t.Rows, CountRow{o.Label, strconv.FormatInt(o.Count, 10), p.Percent(o.Percent)})
	}
	return t
}

// ValueTable lists a distribution (scale points or numbers).
func (p *Page) ValueTable(id string, q results.Question) CountTable {
	t := CountTable{P: p, ID: id, Caption: p.T("results.values_caption"), Head: p.T("results.value")}
	for _, v := range q.Values {
		label := p.Number(&v.Value)
		if l := valueLabel(q, v.Value); l != strconv.FormatFloat(v.Value, 'f', -1, 64) {
			label = l
		}
		t.Rows = append(t.Rows, CountRow{label, strconv.FormatInt(v.Count, 10), p.Percent(v.Percent)})
	}
	return t
}

// CodeTable lists the codes given to a question's open answers.
func (p *Page) CodeTable(id string, q results.Question) CountTable {
	t := CountTable{P: p, ID: id, Caption: p.T("results.codes_caption"), Head: p.T("results.open.code")}
	for _, c := range q.Codes {
		t.Rows = append(t.Rows, CountRow{c.Code, strconv.FormatInt(c.Count, 10), p.Percent(c.Percent)})
	}
	return t
}

// PublicTable lists a public question's shown counts; a hidden count has
// no percentage.
func (p *Page) PublicTable(id string, q results.PublicQuestion) CountTable {
	t := CountTable{P: p, ID: id, Caption: p.T("results.options_caption"), Head: p.T("results.option")}
	switch q.Kind {
	case consultation.Scale:
		t.Caption, t.Head = p.T("results.values_caption"), p.T("results.value")
	case consultation.Ranking:
		t.Caption = p.T("results.public.first_place_caption")
	}
	for i, l := range q.Labels {
		c := q.Counts[i]
		t.Rows = append(t.Rows, CountRow{l, c, cmp.Or(p.PublicShare(c, q.Base), "–")})
	}
	return t
}

// valueLabel names a point of a scale by its end labels where it has one
// ("1 (heel ontevreden)"), and writes other values as they are: as the
// PDF report and the breakdowns do.
func valueLabel(q results.Question, v float64) string { return results.ScaleLabel(q.Question, v) }
