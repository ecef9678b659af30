package results

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
)

// ReportText is the wording of the PDF report, from the catalogue.
type ReportText func(key string, args ...any) string

// Report writes a PDF report of a consultation: the response figures and
// the funnel, then every question with its chart (bars drawn in the PDF),
// the same numbers in a table, and the codes of open answers. Questions
// follow each other on the page; a question moves to the next page only
// when it does not fit. It holds one overview in memory, not the responses.
// Only analysts may; the download is on record before its first byte is
// written, and nothing is written when the record fails.
func (s *Service) Report(ctx context.Context, a identity.Actor, c *consultation.Consultation, title, municipality string, now time.Time, t ReportText, w io.Writer) error {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return err
	}
	o, err := s.Consultation(ctx, c)
	if err != nil {
		return err
	}
	f, _, err := s.Participation(ctx, c)
	if err != nil {
		return err
	}
	pdf, tr, text := startReport(title, municipality, now, t)
	table(pdf, tr, []string{t("results.funnel.step"), t("results.count")}, [][]string{
		{t("results.funnel.opened"), itoa(f.Opened)},
		{t("results.started"), itoa(o.Started)},
		{t("results.partial"), itoa(o.Partial)},
		{t("results.submitted"), itoa(o.Submitted)},
		{t("results.completion"), pct(o.Completion * 100)},
	}, []float64{110, 60})
	pdf.Ln(3)
	text(9, "", t("results.counts_note"))

	pdf.Ln(6)
	blocks := make([]reportBlock, len(o.Questions))
	for i, q := range o.Questions {
		blocks[i] = questionBlock(q, t)
	}
	flow(pdf, tr, text, blocks)
	if err := s.recordExport(ctx, a, c.InstrumentID, map[string]any{"format": "pdf"}); err != nil {
		return err
	}
	return pdf.Output(w)
}

// startReport starts a report: the document's properties, the footer
// with the page number, the title and the line saying who made it when.
// text writes a paragraph.
func startReport(title, municipality string, now time.Time, t ReportText) (*fpdf.Fpdf, func(string) string, func(size float64, style string, s string)) {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("") // cp1252: ë, é, € and the like
	pdf.SetTitle(tr(title), false)
	pdf.SetAuthor(tr(municipality), false)
	pdf.SetCreator("Inspraak", false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 6, tr(t("results.pdf.footer", title, pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	text := func(size float64, style string, s string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.SetTextColor(20, 20, 20)
		pdf.MultiCell(0, size*0.5, tr(s), "", "L", false)
	}
	pdf.AddPage()
	text(20, "B", t("results.title", title))
	pdf.Ln(2)
	text(10, "", t("results.pdf.made", municipality, now.In(i18n.Location).Format("02-01-2006 15:04")))
	pdf.Ln(4)
	return pdf, tr, text
}

// flow draws blocks one after the other: each follows the one before it,
// and goes to a new page only when it does not fit in what is left of
// this one (a block longer than a page starts on a new page and runs on).
func flow(pdf *fpdf.Fpdf, tr func(string) string, text func(size float64, style string, s string), blocks []reportBlock) {
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	usable := pageH - 20 - bottom
	for _, b := range blocks {
		h := b.height(pdf, tr)
		if left := pageH - bottom - pdf.GetY(); h > left && (h <= usable || left < usable/4) {
			pdf.AddPage()
		}
		b.draw(pdf, tr, text)
		pdf.Ln(8)
	}
}

// ReportSection is one block of a report of figures (WriteReport): a
// heading, a line under it, a note, then bars (percentages), then a table
// with its column widths in mm (170 in all).
type ReportSection struct {
	Title, Base, Note string
	Bars              []ReportBar
	Header            []string
	Rows              [][]string
	Widths            []float64
}

// ReportBar is a bar of a ReportSection.
type ReportBar struct {
	Label   string
	Percent float64
}

// WriteReport writes a PDF report of sections, laid out as the
// consultation report: title, who made it when, then the sections.
func WriteReport(w io.Writer, title, municipality string, now time.Time, t ReportText, sections []ReportSection) error {
	pdf, tr, text := startReport(title, municipality, now, t)
	blocks := make([]reportBlock, len(sections))
	for i, sec := range sections {
		b := reportBlock{title: sec.Title, base: sec.Base, note: sec.Note}
		if len(sec.Bars) > 0 {
			bars := make([]bar, len(sec.Bars))
			for k, x := range sec.Bars {
				bars[k] = bar{x.Label, x.Percent}
			}
			b.parts = append(b.parts, reportPart{bars: bars})
		}
		if len(sec.Header) > 0 {
			b.parts = append(b.parts, reportPart{header: sec.Header, rows: sec.Rows, widths: sec.Widths})
		}
		blocks[i] = b
	}
	flow(pdf, tr, text, blocks)
	return pdf.Output(w)
}

// ReportFor is WriteReport for a person: analysts only, on record before
// the first byte (see MayExport).
func (s *Service) ReportFor(ctx context.Context, a identity.Actor, instrumentID int64, title, municipality string, now time.Time, t ReportText, sections []ReportSection, w io.Writer) error {
	if err := s.MayExport(ctx, a, instrumentID, "pdf", map[string]any{"format": "pdf"}); err != nil {
		return err
	}
	return WriteReport(w, title, municipality, now, t, sections)
}

// reportBlock is one question of the report: its heading, the line with
// its base, and its charts and tables, measured before it is drawn so a
// question is not split over two pages when it fits on one.
type reportBlock struct {
	title, base string
	// note is a line above the chart (a scale's mean and median).
	note  string
	parts []reportPart
}

// reportPart is a chart, a table, or a caption.
type reportPart struct {
	caption string
	bars    []bar
	header  []string
	rows    [][]string
	widths  []float64
}

// questionBlock lays out one question: "Vraag <n>: <text>" with n as on
// the results page and in the exports; a scale's points keep their end
// labels ("1 (heel ontevreden)") in the chart and the table.
func questionBlock(q Question, t ReportText) reportBlock {
	b := reportBlock{title: t("results.question", q.Number) + ": " + q.Text, base: t("results.base", q.Base, q.Skipped)}
	if q.Kind == consultation.Multiple {
		b.base += " " + t("results.multiple_note")
	}
	switch {
	case q.Kind == consultation.Ranking:
		var rows [][]string
		for _, op := range q.Options {
			mean := "-"
			if op.Count > 0 {
				mean = dec(op.MeanRank)
			}
			rows = append(rows, []string{op.Label, mean, itoa(op.FirstPlace)})
		}
		b.parts = append(b.parts, reportPart{header: []string{t("results.option"), t("results.mean_rank"), t("results.first_place")}, rows: rows, widths: []float64{90, 40, 40}})
	case len(q.Options) > 0:
		var rows [][]string
		var bars []bar
		for _, op := range q.Options {
			rows = append(rows, []string{op.Label, itoa(op.Count), pct(op.Percent)})
			bars = append(bars, bar{op.Label, op.Percent})
		}
		b.parts = append(b.parts, reportPart{bars: bars},
			reportPart{header: []string{t("results.option"), t("results.count"), t("results.percent")}, rows: rows, widths: []float64{100, 35, 35}})
	case len(q.Values) > 0:
		var rows [][]string
		var bars []bar
		for _, v := range q.Values {
			label := ScaleLabel(q.Question, v.Value)
			rows = append(rows, []string{label, itoa(v.Count), pct(v.Percent)})
			bars = append(bars, bar{label, v.Percent})
		}
		if q.Mean != nil {
			b.note = fmt.Sprintf("%s: %s   %s: %s", t("results.mean"), dec(*q.Mean), t("results.median"), dec(*q.Median))
		}
		b.parts = append(b.parts, reportPart{bars: bars},
			reportPart{header: []string{t("results.value"), t("results.count"), t("results.percent")}, rows: rows, widths: []float64{100, 35, 35}})
	}
	if len(q.Codes) > 0 {
		var rows [][]string
		for _, cd := range q.Codes {
			rows = append(rows, []string{cd.Code, itoa(cd.Count), pct(cd.Percent)})
		}
		b.parts = append(b.parts, reportPart{caption: t("results.codes_caption")},
			reportPart{header: []string{t("results.open.code"), t("results.count"), t("results.percent")}, rows: rows, widths: []float64{100, 35, 35}})
	}
	return b
}

// textHeight is the height text(size, style, s) takes: its lines, wrapped
// at spaces as MultiCell wraps them, times the line height. (fpdf's
// SplitText reads UTF-8, the text drawn is cp1252: the words are measured
// as drawn.)
func textHeight(pdf *fpdf.Fpdf, tr func(string) string, size float64, style, s string) float64 {
	pdf.SetFont("Helvetica", style, size)
	pageW, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	width := pageW - l - r - 2 // MultiCell keeps a cell margin each side
	space := pdf.GetStringWidth(" ")
	lines := 0
	for _, para := range strings.Split(s, "\n") {
		lines++
		at := 0.0
		for i, word := range strings.Fields(para) {
			w := pdf.GetStringWidth(tr(word))
			lines += int(w / width) // a word wider than the line is cut
			switch {
			case i == 0:
				at = w
			case at+space+w > width:
				lines++
				at = w
			default:
				at += space + w
			}
		}
	}
	return float64(lines) * size * 0.5
}

// height is how much of a page the block takes, as draw draws it.
func (b reportBlock) height(pdf *fpdf.Fpdf, tr func(string) string) float64 {
	h := textHeight(pdf, tr, 14, "B", b.title) + 1 + textHeight(pdf, tr, 9, "", b.base) + 3
	if b.note != "" {
		h += textHeight(pdf, tr, 10, "", b.note) + 2
	}
	for _, p := range b.parts {
		switch {
		case p.caption != "":
			h += 4 + textHeight(pdf, tr, 11, "B", p.caption) + 1
		case p.bars != nil:
			h += float64(len(p.bars))*6 + 3
		default:
			h += 7 + float64(len(p.rows))*6
		}
	}
	return h
}

func (b reportBlock) draw(pdf *fpdf.Fpdf, tr func(string) string, text func(size float64, style string, s string)) {
	text(14, "B", b.title)
	pdf.Ln(1)
	text(9, "", b.base)
	pdf.Ln(3)
	if b.note != "" {
		text(10, "", b.note)
		pdf.Ln(2)
	}
	for _, p := range b.parts {
		switch {
		case p.caption != "":
			pdf.Ln(4)
			text(11, "B", p.caption)
			pdf.Ln(1)
		case p.bars != nil:
			chart(pdf, tr, p.bars)
		default:
			table(pdf, tr, p.header, p.rows, p.widths)
		}
	}
}

type bar struct {
	label   string
	percent float64
}

// chart draws horizontal bars of percentages.
func chart(pdf *fpdf.Fpdf, tr func(string) string, bars []bar) {
	pdf.SetFont("Helvetica", "", 9)
	for _, b := range bars {
		x, y := pdf.GetX(), pdf.GetY()
		pdf.SetTextColor(20, 20, 20)
		label := cut(b.label, 30)
		pdf.CellFormat(60, 6, tr(label), "", 0, "L", false, 0, "")
		pdf.SetFillColor(75, 0, 224)
		w := 90 * b.percent / 100
		if w > 0 {
			pdf.Rect(x+62, y+1.2, w, 3.6, "F")
		}
		pdf.SetXY(x+64+w, y)
		pdf.CellFormat(20, 6, pct(b.percent), "", 1, "L", false, 0, "")
	}
	pdf.Ln(3)
}

// table writes a simple table with a header row.
func table(pdf *fpdf.Fpdf, tr func(string) string, header []string, rows [][]string, widths []float64) {
	pdf.SetFont("Helvetica", "B", 9)
	pdf.SetFillColor(235, 238, 243)
	for i, h := range header {
		pdf.CellFormat(widths[i], 7, tr(h), "B", 0, align(i), true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("Helvetica", "", 9)
	for _, r := range rows {
		for i, v := range r {
			v = cut(v, 70)
			pdf.CellFormat(widths[i], 6, tr(v), "B", 0, align(i), false, 0, "")
		}
		pdf.Ln(-1)
	}
}

func align(col int) string {
	if col == 0 {
		return "L"
	}
	return "R"
}

func pct(f float64) string { return dec(f) + "%" }

// dec writes a figure with one decimal and a decimal comma, as the
// report's tables do.
func dec(f float64) string { return strings.Replace(strconv.FormatFloat(f, 'f', 1, 64), ".", ",", 1) }

// cut shortens s to at most n characters, at a character boundary.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
