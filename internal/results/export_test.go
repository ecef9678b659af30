package results_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"inspraak/internal/apperror"
	"inspraak/internal/consultation"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

// exportFixture is a consultation with random responses, and what each
// submitted respondent gave, in the order they submitted.
type exportFixture struct {
	c         *consultation.Consultation
	res       *results.Service
	submitted []given
	subjects  []string
}

func newExportFixture(t *testing.T, n int) *exportFixture {
	t.Helper()
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "plein", Title: "Plein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	svc := consultation.NewService(db, []byte("key-0123456789-0123456789-012345"))
	svc.SetClock(func() time.Time { return now })
	closes := now.Add(48 * time.Hour)
	q := func(k consultation.Kind, text string, opts ...string) consultation.QuestionDraft {
		return consultation.QuestionDraft{Question: consultation.Question{Kind: k, Text: text}, Options: opts}
	}
	multi := q(consultation.Multiple, "Wat mist u?", "Bomen", "Bankjes", "Speelplek")
	multi.MaxChoices = 3
	scale := q(consultation.Scale, "Hoe tevreden bent u?")
	scale.ScaleMin, scale.ScaleMax, scale.ScaleMinLabel, scale.ScaleMaxLabel = 1, 5, "Slecht", "Goed"
	num := q(consultation.Number, "Hoe vaak per week?")
	num.NumberMin, num.NumberMax = f64(0), f64(7)
	long := q(consultation.LongText, "Wat wilt u nog zeggen?")
	long.MaxLength = 500
	c, err := svc.Create(ctx, identity.SystemActor("test"), consultation.Draft{ProjectID: p.ID, Slug: "vragenlijst", Title: "Vragen", Published: true,
		Rules: instrument.Instrument{ClosesAt: &closes},
		Questions: []consultation.QuestionDraft{q(consultation.Explanation, "Uitleg."), q(consultation.Single, "Komt u vaak?", "Ja", "Nee"),
			multi, scale, num, q(consultation.Ranking, "Zet op volgorde", "Groen", "Parkeren", "Evenementen"), long}})
	if err != nil {
		t.Fatal(err)
	}
	f := &exportFixture{c: c, res: results.NewService(db)}
	rng := rand.New(rand.NewPCG(7, 7))
	texts := []string{"Meer groen, graag!", "Een \"bankje\"; bij de boom", "Regel één\nregel twee", "=1+1 is geen formule", "Café Zoë, €5", ""}
	for i := range n {
		part := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", i), KeyVersion: 1, Means: identity.DigiD, LoA: midden, CreatedAt: now, LastLoginAt: now}
		if err := db.Create(&part).Error; err != nil {
			t.Fatal(err)
		}
		who := consultation.Respondent{ParticipantID: part.ID, Subject: part.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
		g := given{answers: map[int64]consultation.Answer{}, submitted: rng.IntN(4) > 0}
		for _, qu := range c.Questions {
			if rng.IntN(5) == 0 {
				continue
			}
			a := randomAnswer(rng, qu)
			if qu.Kind == consultation.LongText {
				a = consultation.Answer{Text: texts[rng.IntN(len(texts))]}
			}
			if !a.Empty() {
				g.answers[qu.ID] = a
			}
		}
		if _, err := svc.Save(ctx, c.InstrumentID, who, g.answers, g.submitted); err != nil {
			t.Fatal(err)
		}
		if g.submitted {
			f.submitted = append(f.submitted, g)
			f.subjects = append(f.subjects, part.Subject)
		}
	}
	return f
}

// expected is the row each submitted respondent should get, without the
// respondent id and the time (which the test checks separately), as text.
func (f *exportFixture) expected(g given) []string {
	var out []string
	for _, q := range f.c.Questions {
		a, ok := g.answers[q.ID]
		switch q.Kind {
		case consultation.Explanation:
		case consultation.Multiple, consultation.Ranking:
			for _, o := range q.Options {
				v := ""
				if ok {
					v = "0"
					for pos, id := range a.Options {
						if id == o.ID {
							v = "1"
							if q.Kind == consultation.Ranking {
								v = strconv.Itoa(pos + 1)
							}
						}
					}
					if q.Kind == consultation.Ranking && v == "0" {
						v = ""
					}
				}
				out = append(out, v)
			}
		case consultation.Single:
			v := ""
			if ok {
				for _, o := range q.Options {
					if o.ID == a.Options[0] {
						v = o.Label
					}
				}
			}
			out = append(out, v)
		default:
			v := ""
			if ok && a.Number != nil {
				v = strconv.FormatFloat(*a.Number, 'f', -1, 64)
			} else if ok {
				v = a.Text
			}
			out = append(out, v)
			if q.Kind == consultation.ShortText || q.Kind == consultation.LongText {
				out = append(out, "") // the codes column: no codes in this test
			}
		}
	}
	return out
}

func (f *exportFixture) compare(t *testing.T, format string, rows [][]string) {
	t.Helper()
	if len(rows) != len(f.submitted) {
		t.Fatalf("%s: %d rows, %d submitted responses", format, len(rows), len(f.submitted))
	}
	seen := map[string]bool{}
	for i, row := range rows {
		id := row[0]
		if !strings.HasPrefix(id, "R-") || seen[id] {
			t.Fatalf("%s row %d: respondent id %q (seen before: %v)", format, i, id, seen[id])
		}
		seen[id] = true
		for _, s := range f.subjects {
			if strings.Contains(strings.Join(row, "|"), s) {
				t.Fatalf("%s row %d carries the stored pseudonym", format, i)
			}
		}
		if _, err := time.Parse(time.DateTime, row[1]); err != nil {
			t.Fatalf("%s row %d: time %q", format, i, row[1])
		}
		want := f.expected(f.submitted[i])
		got := row[2:]
		for len(got) < len(want) {
			got = append(got, "") // trailing empty cells are left out
		}
		if strings.Join(got, "\x1f") != strings.Join(want, "\x1f") {
			t.Fatalf("%s row %d:\n got  %q\n want %q", format, i, got, want)
		}
	}
}

// CSV, XLSX and JSON read back equal the stored responses; respondents
// carry a per-export id, never the pseudonym, and a new one each export.
func TestExportsReadBackEqualTheResponses(t *testing.T) {
	t.Parallel() // each test has its own database
	f := newExportFixture(t, 60)
	ctx := context.Background()
	var ids [2]string
	for run, semi := range []bool{false, true} {
		var buf bytes.Buffer
		n, err := f.res.Export(ctx, f.c, &buf, results.ExportOptions{Format: results.CSV, Semicolon: semi})
		if err != nil || n != int64(len(f.submitted)) {
			t.Fatalf("csv: %d rows, %v", n, err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) {
			t.Fatal("csv without a byte-order mark")
		}
		r := csv.NewReader(bytes.NewReader(buf.Bytes()[3:]))
		if semi {
			r.Comma = ';'
		}
		all, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Numbered as residents saw the questions (the explanation
		// before the first is not a question): issue 16 found "V2" here.
		if all[0][2] != "Vraag 1: Komt u vaak?" || all[0][3] != "Vraag 2: Wat mist u? [Bomen]" {
			t.Fatalf("csv header %q", all[0])
		}
		rows := all[1:]
		for _, row := range rows {
			for i, v := range row {
				row[i] = strings.TrimPrefix(v, "'") // the formula guard
			}
		}
		f.compare(t, "csv", rows)
		ids[run] = rows[0][0]
		if semi && !strings.Contains(buf.String(), ";") {
			t.Fatal("semicolon csv without semicolons")
		}
	}
	if ids[0] == ids[1] {
		t.Fatal("two exports gave the same respondent id")
	}

	var xb bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &xb, results.ExportOptions{Format: results.XLSX}); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatalf("excelize cannot open the export: %v", err)
	}
	xrows, err := book.GetRows("Antwoorden")
	if err != nil {
		t.Fatal(err)
	}
	if len(xrows) == 0 || xrows[0][0] != "respondent" {
		t.Fatalf("xlsx header %v", xrows)
	}
	f.compare(t, "xlsx", xrows[1:])

	var jb bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &jb, results.ExportOptions{Format: results.JSON}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Columns   map[string]string `json:"columns"`
		Responses []map[string]any  `json:"responses"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatalf("json: %v", err)
	}
	keys := []string{"respondent", "submitted_at"}
	for _, q := range f.c.Questions {
		switch q.Kind {
		case consultation.Explanation:
		case consultation.Multiple, consultation.Ranking:
			for _, o := range q.Options {
				keys = append(keys, fmt.Sprintf("q%d_o%d", q.ID, o.ID))
			}
		default:
			keys = append(keys, fmt.Sprintf("q%d", q.ID))
			if q.Kind == consultation.ShortText || q.Kind == consultation.LongText {
				keys = append(keys, fmt.Sprintf("q%d_codes", q.ID))
			}
		}
	}
	var jrows [][]string
	for _, r := range doc.Responses {
		row := make([]string, len(keys))
		for i, k := range keys {
			switch v := r[k].(type) {
			case string:
				row[i] = v
				// JSON is for programs: ISO 8601 with the offset; the
				// other formats show the same moment in local time.
				if k == "submitted_at" {
					at, err := time.Parse(time.RFC3339, v)
					if err != nil {
						t.Fatalf("json submitted_at %q: want ISO 8601 with a time zone: %v", v, err)
					}
					row[i] = at.In(i18n.Location).Format(time.DateTime)
				}
			case float64:
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		jrows = append(jrows, row)
	}
	if len(doc.Columns) != len(keys) {
		t.Fatalf("json names %d columns, want %d", len(doc.Columns), len(keys))
	}
	f.compare(t, "json", jrows)
}

// An export stops when its request is cancelled, and an unknown format is
// refused before anything is written.
func TestExportStopsWhenCancelled(t *testing.T) {
	t.Parallel() // each test has its own database
	f := newExportFixture(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &buf, results.ExportOptions{Format: results.CSV}); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled export: %v, want it stopped by the cancellation", err)
	}
	buf.Reset()
	if _, err := f.res.Export(context.Background(), f.c, &buf, results.ExportOptions{Format: "pdf"}); err != results.ErrFormat || buf.Len() != 0 {
		t.Fatalf("unknown format: %v, %d bytes", err, buf.Len())
	}
}

// Analysts give open answers codes, one by one or in bulk; only open
// answers of this questionnaire can carry them; the counts appear in the
// results and the codes in the export.
func TestCodingOpenAnswers(t *testing.T) {
	t.Parallel() // each test has its own database
	f := newExportFixture(t, 40)
	ctx := context.Background()
	var long consultation.Question
	for _, q := range f.c.Questions {
		if q.Kind == consultation.LongText {
			long = q
		}
	}
	answers, total, err := f.res.OpenAnswers(ctx, f.c, results.OpenFilter{QuestionID: long.ID})
	if err != nil || total == 0 || int64(len(answers)) != min(total, results.OpenPageSize) {
		t.Fatalf("open answers: %d of %d, %v", len(answers), total, err)
	}
	if _, err := f.res.AddCode(ctx, identity.SystemActor("test"), f.c.InstrumentID, "  "); fieldMessage(err, "code") != "results.error.code_required" {
		t.Fatalf("empty code: %v", err)
	}
	groen, err := f.res.AddCode(ctx, identity.SystemActor("test"), f.c.InstrumentID, "Thema  groen")
	if err != nil || groen.Name != "Thema groen" {
		t.Fatalf("code: %+v, %v", groen, err)
	}
	if _, err := f.res.AddCode(ctx, identity.SystemActor("test"), f.c.InstrumentID, "Thema groen"); fieldMessage(err, "code") != "results.error.code_exists" {
		t.Fatalf("a code twice: %v", err)
	}
	found, _, err := f.res.OpenAnswers(ctx, f.c, results.OpenFilter{QuestionID: long.ID, Search: "GROEN"})
	if err != nil || len(found) == 0 {
		t.Fatalf("search: %d, %v", len(found), err)
	}
	keys := []results.AnswerKey{}
	for _, a := range found {
		if !strings.Contains(strings.ToLower(a.Text), "groen") {
			t.Fatalf("search found %q", a.Text)
		}
		keys = append(keys, results.AnswerKey{ResponseID: a.ResponseID, QuestionID: a.QuestionID})
	}
	// A choice question's answer and a made-up one are ignored.
	keys = append(keys, results.AnswerKey{ResponseID: found[0].ResponseID, QuestionID: f.c.Questions[1].ID}, results.AnswerKey{ResponseID: 999999, QuestionID: long.ID})
	n, err := f.res.Tag(ctx, identity.SystemActor("test"), f.c.InstrumentID, groen.ID, keys, false)
	if err != nil || n != int64(len(found)) {
		t.Fatalf("tagged %d of %d, %v", n, len(found), err)
	}
	if n, _ := f.res.Tag(ctx, identity.SystemActor("test"), f.c.InstrumentID, groen.ID, keys, false); n != 0 {
		t.Fatal("tagging twice counted again")
	}
	if got, _, _ := f.res.OpenAnswers(ctx, f.c, results.OpenFilter{CodeID: groen.ID}); len(got) != len(found) {
		t.Fatalf("filter by code: %d", len(got))
	}
	untagged, _, _ := f.res.OpenAnswers(ctx, f.c, results.OpenFilter{QuestionID: long.ID, CodeID: -1})
	if len(untagged)+len(found) != len(answers) {
		t.Fatalf("untagged %d + tagged %d != %d", len(untagged), len(found), len(answers))
	}
	o, err := f.res.Consultation(ctx, f.c)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range o.Questions {
		if q.ID == long.ID && (len(q.Codes) != 1 || q.Codes[0].Count != int64(len(found))) {
			t.Fatalf("code counts %+v", q.Codes)
		}
	}
	var buf bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &buf, results.ExportOptions{Format: results.CSV}); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "Thema groen"); got != len(found) {
		t.Fatalf("export carries the code %d times, want %d", got, len(found))
	}
	if n, err := f.res.Tag(ctx, identity.SystemActor("test"), f.c.InstrumentID, groen.ID, keys[:1], true); err != nil || n != 1 {
		t.Fatalf("untag: %d, %v", n, err)
	}
}

// fieldMessage is the message key err gives for a form field, "" if none.
func fieldMessage(err error, field string) string {
	if e, ok := apperror.As(err); ok {
		return e.Fields[field]
	}
	return ""
}

// Every export heads a question's columns "Vraag <n>: <text>" with n the
// number the results page and the PDF report give it (Overview's Number:
// explanations not counted); the XLSX export has a second sheet, "Vragen",
// with each question's number, text, type and options.
func TestExportHeadersNumberQuestionsAsTheResultsPage(t *testing.T) {
	t.Parallel() // each test has its own database
	f := newExportFixture(t, 3)
	ctx := context.Background()
	o, err := f.res.Consultation(ctx, f.c)
	if err != nil {
		t.Fatal(err)
	}
	// What the results page says of each question, by its id.
	page := map[int64]string{}
	for i, q := range o.Questions {
		if q.Number != i+1 {
			t.Fatalf("question %q has number %d on the results page, want %d", q.Text, q.Number, i+1)
		}
		page[q.ID] = fmt.Sprintf("Vraag %d: %s", q.Number, q.Text)
	}
	// Which question each exported column belongs to: its JSON key names
	// the question's id.
	var jb bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &jb, results.ExportOptions{Format: results.JSON}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Columns map[string]string `json:"columns"`
	}
	if err := json.Unmarshal(jb.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	check := func(format, header string) {
		t.Helper()
		if header == "respondent" || header == "ingediend" {
			return
		}
		for _, want := range page {
			if header == want || strings.HasPrefix(header, want+" [") {
				return
			}
		}
		t.Errorf("%s: column %q is not headed as the results page heads a question (%v)", format, header, page)
	}
	seen := map[string]bool{}
	for key, header := range doc.Columns {
		check("json", header)
		var qid int64
		if _, err := fmt.Sscanf(key, "q%d", &qid); err == nil {
			if !strings.HasPrefix(header, page[qid]) {
				t.Errorf("json: key %s is headed %q, want %q", key, header, page[qid])
			}
			seen[page[qid]] = true
		}
	}
	if len(seen) != len(page) {
		t.Errorf("json: %d of %d questions have columns", len(seen), len(page))
	}
	var cb bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &cb, results.ExportOptions{Format: results.CSV}); err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(bytes.NewReader(cb.Bytes()[3:])).Read()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range header {
		check("csv", h)
	}
	var xb bytes.Buffer
	if _, err := f.res.Export(ctx, f.c, &xb, results.ExportOptions{Format: results.XLSX}); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(bytes.NewReader(xb.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got := book.GetSheetList(); strings.Join(got, ",") != "Antwoorden,Vragen" {
		t.Fatalf("xlsx sheets %q, want Antwoorden and Vragen", got)
	}
	xrows, err := book.GetRows("Antwoorden")
	if err != nil || len(xrows) == 0 {
		t.Fatalf("xlsx: %v", err)
	}
	if strings.Join(xrows[0], "|") != strings.Join(header, "|") {
		t.Errorf("xlsx header %q, csv header %q", xrows[0], header)
	}
	for _, h := range xrows[0] {
		check("xlsx", h)
	}
	qrows, err := book.GetRows("Vragen")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"vraag", "tekst", "soort", "antwoordmogelijkheden"},
		{"1", "Komt u vaak?", "Eén keuze", "Ja | Nee"},
		{"2", "Wat mist u?", "Meer keuzes", "Bomen | Bankjes | Speelplek"},
		{"3", "Hoe tevreden bent u?", "Schaal", "1 (Slecht) – 5 (Goed)"},
		{"4", "Hoe vaak per week?", "Getal", "0 tot en met 7"},
		{"5", "Zet op volgorde", "Volgorde", "Groen | Parkeren | Evenementen"},
		{"6", "Wat wilt u nog zeggen?", "Lange tekst"}}
	if fmt.Sprint(qrows) != fmt.Sprint(want) {
		t.Errorf("sheet Vragen:\n got  %q\n want %q", qrows, want)
	}
	for i, r := range qrows[1:] {
		if q := o.Questions[i]; r[0] != strconv.Itoa(q.Number) || r[1] != q.Text {
			t.Errorf("sheet Vragen row %d: %q, the results page: Vraag %d: %s", i+1, r, q.Number, q.Text)
		}
	}
}
