package results

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
)

// Export formats.
const (
	CSV  = "csv"
	XLSX = "xlsx"
	JSON = "json"
)

// Formats lists the formats Export writes.
var Formats = []string{CSV, XLSX, JSON}

// ExportOptions chooses how an export looks.
type ExportOptions struct {
	Format string
	// Semicolon separates CSV fields with ";" (what Dutch Excel expects)
	// instead of ",".
	Semicolon bool
}

// ErrFormat is returned for an unknown format.
var ErrFormat = errors.New("results: unknown export format")

// exportBatch is how many responses one round trip reads.
const exportBatch = 500

// cell is one value of an export row.
type cell struct {
	text     string
	number   float64
	isNumber bool
	set      bool
}

func (c cell) empty() bool { return !c.set }

func textCell(s string) cell    { return cell{text: s, set: true} }
func numberCell(f float64) cell { return cell{number: f, isNumber: true, set: true} }
func (c cell) String() string {
	switch {
	case !c.set:
		return ""
	case c.isNumber:
		return strconv.FormatFloat(c.number, 'f', -1, 64)
	}
	return c.text
}

// column is one column of an export: a question, or one option of a
// multiple-choice or ranking question.
type column struct {
	header string
	key    string // JSON key
	q      consultation.Question
	option int64 // 0: the whole question
	codes  bool  // the codes analysts gave this open answer
}

// columns lays out an export: the respondent, when they submitted, then
// one column per question, or per option where one person gives several
// (multiple choice: 1 when chosen; ranking: the rank given). A question's
// columns are headed "Vraag <n>: <text>", n as residents saw it and as
// the results page and the PDF report number it (see Numbers); a column
// of one option adds the option in brackets, "Vraag 2: Wat mist u?
// [Bomen]", as does the column of the codes analysts gave open answers
// ("[codes]"). The sheet "Vragen" of the XLSX export lists the questions
// with their number, text, type and options.
func columns(c *consultation.Consultation) []column {
	cols := []column{{header: "respondent", key: "respondent"}, {header: "ingediend", key: "submitted_at"}}
	numbers := Numbers(c.Questions)
	for _, q := range c.Questions {
		if q.Kind == consultation.Explanation {
			continue
		}
		prefix := questionHeader(numbers[q.ID], q.Text)
		qk := "q" + strconv.FormatInt(q.ID, 10)
		switch q.Kind {
		case consultation.Multiple, consultation.Ranking:
			for _, o := range q.Options {
				cols = append(cols, column{header: prefix + " [" + oneLine(o.Label) + "]",
					key: qk + "_o" + strconv.FormatInt(o.ID, 10), q: q, option: o.ID})
			}
		default:
			cols = append(cols, column{header: prefix, key: qk, q: q})
			if q.Kind == consultation.ShortText || q.Kind == consultation.LongText {
				cols = append(cols, column{header: prefix + " [codes]", key: qk + "_codes", q: q, codes: true})
			}
		}
	}
	return cols
}

// questionHeader is how exports and the report head a question: "Vraag 3:
// Hoe tevreden bent u?", in Dutch (the language of the municipality's
// files), on one line.
func questionHeader(number int, text string) string {
	return exportText("results.question", number) + ": " + oneLine(text)
}

// exportText is a Dutch message of the catalogue: exports are files of
// the municipality, in its language, whoever downloads them.
func exportText(key string, args ...any) string {
	exportCatalog.once.Do(func() {
		exportCatalog.c, exportCatalog.err = i18n.Load()
	})
	if exportCatalog.err != nil {
		return key
	}
	return exportCatalog.c.T("nl", key, args...)
}

var exportCatalog struct {
	once sync.Once
	c    *i18n.Catalog
	err  error
}

// questionSheet is the sheet "Vragen" of the XLSX export: per question its
// number, text, type and answer options (choices, the scale with its end
// labels, the range of a number).
func questionSheet(c *consultation.Consultation) [][]cell {
	rows := [][]cell{{textCell(exportText("results.export.sheet.number")), textCell(exportText("results.export.sheet.text")),
		textCell(exportText("results.export.sheet.kind")), textCell(exportText("results.export.sheet.options"))}}
	numbers := Numbers(c.Questions)
	for _, q := range c.Questions {
		if q.Kind == consultation.Explanation {
			continue
		}
		var opts string
		switch q.Kind {
		case consultation.Single, consultation.Multiple, consultation.Ranking:
			labels := make([]string, len(q.Options))
			for i, o := range q.Options {
				labels[i] = oneLine(o.Label)
			}
			opts = strings.Join(labels, " | ")
		case consultation.Scale:
			opts = ScaleLabel(q, float64(q.ScaleMin)) + " – " + ScaleLabel(q, float64(q.ScaleMax))
		case consultation.Number:
			switch {
			case q.NumberMin != nil && q.NumberMax != nil:
				opts = exportText("results.export.sheet.between", formatValue(*q.NumberMin), formatValue(*q.NumberMax))
			case q.NumberMin != nil:
				opts = exportText("results.export.sheet.from", formatValue(*q.NumberMin))
			case q.NumberMax != nil:
				opts = exportText("results.export.sheet.upto", formatValue(*q.NumberMax))
			}
		}
		row := []cell{numberCell(float64(numbers[q.ID])), textCell(oneLine(q.Text)), textCell(exportText("editor.kind." + string(q.Kind))), {}}
		if opts != "" {
			row[3] = textCell(opts)
		}
		rows = append(rows, row)
	}
	return rows
}

// ScaleLabel names a point of a scale with its end label where it has one
// ("1 (heel ontevreden)"); other values are written as they are.
func ScaleLabel(q consultation.Question, v float64) string {
	s := formatValue(v)
	if q.Kind != consultation.Scale {
		return s
	}
	switch {
	case v == float64(q.ScaleMin) && q.ScaleMinLabel != "":
		return s + " (" + q.ScaleMinLabel + ")"
	case v == float64(q.ScaleMax) && q.ScaleMaxLabel != "":
		return s + " (" + q.ScaleMaxLabel + ")"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// rowWriter is one export format.
type rowWriter interface {
	header(cols []column) error
	row(cells []cell) error
	close() error
}

// ExportFor is Export for a person: only analysts may, and the export is
// on record (format and all) before its first byte is written. When the
// record cannot be written, nothing is. The record is a write of its own,
// apart from the read it records, and is kept when the client breaks the
// download off.
func (s *Service) ExportFor(ctx context.Context, a identity.Actor, c *consultation.Consultation, w io.Writer, opt ExportOptions, detail map[string]any) (int64, error) {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return 0, err
	}
	if !slices.Contains(Formats, opt.Format) {
		return 0, ErrFormat
	}
	if err := s.recordExport(ctx, a, c.InstrumentID, detail); err != nil {
		return 0, err
	}
	return s.Export(ctx, c, w, opt)
}

// recordExport writes the audit record of an export (a read, so in a
// transaction of its own) before anything is sent.
func (s *Service) recordExport(ctx context.Context, a identity.Actor, instrumentID int64, detail map[string]any) error {
	return a.Record(s.db.WithContext(context.WithoutCancel(ctx)), "results.export", target(instrumentID), detail)
}

// Export writes every submitted response of a consultation to w, one row
// per response, reading exportBatch responses at a time: memory stays the
// same whatever the number of responses, and nothing is written to disk.
// Respondents appear under an id that is new for every export (an HMAC of
// the response with a key made for this export and then forgotten), never
// the stored pseudonym or anything that identifies a person. A cancelled
// ctx stops it between batches. It returns the number of responses
// written.
func (s *Service) Export(ctx context.Context, c *consultation.Consultation, w io.Writer, opt ExportOptions) (int64, error) {
	var rw rowWriter
	switch opt.Format {
	case CSV:
		rw = newCSVWriter(w, opt.Semicolon)
	case JSON:
		rw = newJSONWriter(w)
	case XLSX:
		x, err := newXLSXWriter(w, "Antwoorden", xlsxSheet{name: "Vragen", rows: questionSheet(c)})
		if err != nil {
			return 0, err
		}
		rw = xlsxRows{x}
	default:
		return 0, ErrFormat
	}
	// People read CSV and XLSX in local time; JSON is for programs: ISO
	// 8601 with the zone's offset.
	stamp := time.DateTime
	if opt.Format == JSON {
		stamp = time.RFC3339
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return 0, err
	}
	cols := columns(c)
	if err := rw.header(cols); err != nil {
		return 0, err
	}
	optionLabel := map[int64]string{}
	for _, q := range c.Questions {
		for _, o := range q.Options {
			optionLabel[o.ID] = o.Label
		}
	}
	db := s.db.WithContext(ctx)
	codeName := map[int64]string{}
	var codes []Code
	if err := db.Where("instrument_id = ?", c.InstrumentID).Find(&codes).Error; err != nil {
		return 0, err
	}
	for _, cd := range codes {
		codeName[cd.ID] = cd.Name
	}
	var written, after int64
	row := make([]cell, len(cols))
	for {
		if err := ctx.Err(); err != nil {
			return written, err
		}
		var batch []consultation.Response
		if err := db.Select("id, submitted_at").Where("instrument_id = ? AND status = ? AND id > ?", c.InstrumentID,
			consultation.StatusSubmitted, after).Order("id").Limit(exportBatch).Find(&batch).Error; err != nil {
			return written, err
		}
		if len(batch) == 0 {
			break
		}
		ids := make([]int64, len(batch))
		for i, r := range batch {
			ids[i] = r.ID
		}
		after = ids[len(ids)-1]
		var answers []consultation.AnswerRow
		if err := db.Where("response_id IN ?", ids).Find(&answers).Error; err != nil {
			return written, err
		}
		var options []consultation.AnswerOption
		if err := db.Where("response_id IN ?", ids).Find(&options).Error; err != nil {
			return written, err
		}
		byResponse := map[int64][]consultation.AnswerRow{}
		for _, a := range answers {
			byResponse[a.ResponseID] = append(byResponse[a.ResponseID], a)
		}
		var codings []Coding
		if len(codes) > 0 {
			if err := db.Where("response_id IN ?", ids).Order("response_id, question_id, code_id").Find(&codings).Error; err != nil {
				return written, err
			}
		}
		codesOf := map[[2]int64][]string{}
		for _, cd := range codings {
			k := [2]int64{cd.ResponseID, cd.QuestionID}
			codesOf[k] = append(codesOf[k], codeName[cd.CodeID])
		}
		optsByResponse := map[int64][]consultation.AnswerOption{}
		for _, o := range options {
			optsByResponse[o.ResponseID] = append(optsByResponse[o.ResponseID], o)
		}
		for _, r := range batch {
			clear(row)
			row[0] = textCell(respondentID(key, r.ID))
			if r.SubmittedAt != nil {
				row[1] = textCell(r.SubmittedAt.In(i18n.Location).Format(stamp))
			}
			texts := map[int64]consultation.AnswerRow{}
			for _, a := range byResponse[r.ID] {
				texts[a.QuestionID] = a
			}
			chosen := map[[2]int64]int{}
			for _, o := range optsByResponse[r.ID] {
				chosen[[2]int64{o.QuestionID, o.OptionID}] = o.Rank
			}
			for i, col := range cols[2:] {
				i += 2
				q := col.q
				switch {
				case col.codes:
					if names := codesOf[[2]int64{r.ID, q.ID}]; len(names) > 0 {
						row[i] = textCell(strings.Join(names, "; "))
					}
				case col.option != 0:
					if rank, ok := chosen[[2]int64{q.ID, col.option}]; ok {
						if q.Kind == consultation.Ranking {
							row[i] = numberCell(float64(rank))
						} else {
							row[i] = numberCell(1)
						}
					} else if q.Kind == consultation.Multiple && hasAnswer(optsByResponse[r.ID], q.ID) {
						row[i] = numberCell(0)
					}
				case q.Kind == consultation.Single:
					for _, o := range q.Options {
						if _, ok := chosen[[2]int64{q.ID, o.ID}]; ok {
							row[i] = textCell(optionLabel[o.ID])
						}
					}
				default:
					a, ok := texts[q.ID]
					switch {
					case !ok:
					case a.NumberValue != nil:
						row[i] = numberCell(*a.NumberValue)
					case a.TextValue != "":
						row[i] = textCell(a.TextValue)
					}
				}
			}
			if err := rw.row(row); err != nil {
				return written, err
			}
			written++
		}
	}
	return written, rw.close()
}

func hasAnswer(opts []consultation.AnswerOption, questionID int64) bool {
	for _, o := range opts {
		if o.QuestionID == questionID {
			return true
		}
	}
	return false
}

// respondentID is the per-export pseudonymous id of a response.
func respondentID(key []byte, responseID int64) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(strconv.FormatInt(responseID, 10)))
	return "R-" + strings.ToUpper(hex.EncodeToString(m.Sum(nil))[:12])
}

// ---- CSV -------------------------------------------------------------------

type csvRows struct {
	bw  *bufio.Writer
	cw  *csv.Writer
	buf []string
}

func newCSVWriter(w io.Writer, semicolon bool) *csvRows {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if semicolon {
		cw.Comma = ';'
	}
	return &csvRows{bw: bw, cw: cw}
}

func (c *csvRows) header(cols []column) error {
	// UTF-8 with a byte-order mark, so Excel reads "ë" as "ë".
	if _, err := c.bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	hs := make([]string, len(cols))
	for i, col := range cols {
		hs[i] = safeCSV(col.header)
	}
	return c.cw.Write(hs)
}

func (c *csvRows) row(cells []cell) error {
	c.buf = c.buf[:0]
	for _, x := range cells {
		if x.isNumber {
			c.buf = append(c.buf, x.String())
		} else {
			c.buf = append(c.buf, safeCSV(x.text))
		}
	}
	return c.cw.Write(c.buf)
}

func (c *csvRows) close() error {
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return err
	}
	return c.bw.Flush()
}

// safeCSV keeps a resident's text from being run as a formula by the
// spreadsheet that opens the file ("=HYPERLINK(…)", "+", "-", "@").
func safeCSV(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// ---- JSON ------------------------------------------------------------------

type jsonRows struct {
	bw   *bufio.Writer
	keys []string
	n    int
	// rowsKey names the array of rows ("responses" when empty); meta is
	// written before the columns.
	rowsKey string
	meta    map[string]any
}

func newJSONWriter(w io.Writer) *jsonRows { return &jsonRows{bw: bufio.NewWriterSize(w, 64<<10)} }

func (j *jsonRows) header(cols []column) error {
	j.keys = make([]string, len(cols))
	for i, c := range cols {
		j.keys[i] = c.key
	}
	// The column titles first, so a reader knows what each key is.
	titles := map[string]string{}
	for _, c := range cols {
		titles[c.key] = c.header
	}
	b, err := json.Marshal(titles)
	if err != nil {
		return err
	}
	if _, err := j.bw.WriteString("{"); err != nil {
		return err
	}
	if err := metaJSON(j.bw, j.meta); err != nil {
		return err
	}
	rows := j.rowsKey
	if rows == "" {
		rows = "responses"
	}
	_, err = j.bw.WriteString(`"columns":` + string(b) + `,"` + rows + `":[`)
	return err
}

func (j *jsonRows) row(cells []cell) error {
	if j.n > 0 {
		j.bw.WriteByte(',')
	}
	j.n++
	j.bw.WriteByte('{')
	first := true
	for i, c := range cells {
		if c.empty() {
			continue
		}
		if !first {
			j.bw.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(j.keys[i])
		j.bw.Write(k)
		j.bw.WriteByte(':')
		var v []byte
		if c.isNumber {
			v, _ = json.Marshal(c.number)
		} else {
			v, _ = json.Marshal(c.text)
		}
		if _, err := j.bw.Write(v); err != nil {
			return err
		}
	}
	return j.bw.WriteByte('}')
}

func (j *jsonRows) close() error {
	if _, err := j.bw.WriteString("]}\n"); err != nil {
		return err
	}
	return j.bw.Flush()
}

// ---- XLSX ------------------------------------------------------------------

type xlsxRows struct{ x *xlsxWriter }

func (x xlsxRows) header(cols []column) error {
	hs := make([]cell, len(cols))
	for i, c := range cols {
		hs[i] = textCell(c.header)
	}
	return x.x.writeRow(hs, true)
}

func (x xlsxRows) row(cells []cell) error { return x.x.writeRow(cells, false) }
func (x xlsxRows) close() error           { return x.x.close() }
