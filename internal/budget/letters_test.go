package budget

import (
	"bytes"
	"compress/zlib"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pdfCheck reads a PDF the way a viewer starts to: from the trailer to the
// cross-reference table to every object, and returns the decompressed
// content streams of the pages in page order. It fails on any offset that
// does not point at its object.
func pdfCheck(t *testing.T, b []byte) []string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatal("no PDF header or end")
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(string(b[xref:]), "\n")
	n, _ := strconv.Atoi(strings.Fields(lines[1])[1])
	objAt := map[int]int{}
	for i := 1; i < n; i++ {
		e := lines[2+i]
		if len(e) != 19 || !strings.HasSuffix(e, " 00000 n ") {
			t.Fatalf("xref entry %d is %q", i, e)
		}
		off, _ := strconv.Atoi(e[:10])
		want := strconv.Itoa(i) + " 0 obj\n"
		if !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Fatalf("object %d: offset %d points at %q", i, off, b[off:off+20])
		}
		objAt[i] = off
	}
	if !strings.Contains(string(b[xref:]), "/Size "+strconv.Itoa(n)+" /Root 1 0 R") {
		t.Fatal("trailer")
	}
	pages := regexp.MustCompile(`/Count (\d+) /Kids \[([^\]]*)\]`).FindSubmatch(b[objAt[objPages]:])
	if pages == nil {
		t.Fatal("no page tree")
	}
	var out []string
	for _, ref := range regexp.MustCompile(`(\d+) 0 R`).FindAllSubmatch(pages[2], -1) {
		pg, _ := strconv.Atoi(string(ref[1]))
		obj := b[objAt[pg]:]
		cm := regexp.MustCompile(`^\d+ 0 obj\n<< /Type /Page /Parent 2 0 R /Contents (\d+) 0 R >>`).FindSubmatch(obj)
		if cm == nil {
			t.Fatalf("page object %d: %q", pg, obj[:60])
		}
		co, _ := strconv.Atoi(string(cm[1]))
		s := b[objAt[co]:]
		lm := regexp.MustCompile(`^\d+ 0 obj\n<< /Length (\d+) /Filter /FlateDecode >>\nstream\n`).FindSubmatch(s)
		if lm == nil {
			t.Fatalf("content %d: %q", co, s[:60])
		}
		length, _ := strconv.Atoi(string(lm[1]))
		data := s[len(lm[0]) : len(lm[0])+length]
		if !bytes.HasPrefix(s[len(lm[0])+length:], []byte("\nendstream\nendobj\n")) {
			t.Fatalf("content %d: /Length %d is wrong", co, length)
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
	}
	if c, _ := strconv.Atoi(string(pages[1])); c != len(out) {
		t.Fatalf("/Count %d, %d kids", c, len(out))
	}
	return out
}

// shown is the text of a content stream as it prints (WinAnsi decoded).
func shown(content string) string {
	var b strings.Builder
	for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) Tj`).FindAllStringSubmatch(content, -1) {
		s := strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(m[1])
		for i := 0; i < len(s); i++ {
			b.WriteRune(cp1252ToRune(s[i]))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLettersPDFHasOnePagePerResidentWithAddressAndCode(t *testing.T) {
	closes := time.Date(2027, 3, 1, 16, 0, 0, 0, time.UTC)
	li := LetterInfo{Municipality: "Gemeente Voorbeeld", Title: "Wijkbudget (Noord) 2027", URL: "https://inspraak.example/stemcode", ClosesAt: closes}
	letters := []Letter{
		{Row: &RegisterRow{Number: 1, Name: "Zoë van den Berg", Street: "Kerkstraat 12a", Postcode: "1234 AB", Place: "Ons Dorp"}, Code: LetterCode(testCodeKey, 1, "a")},
		{Row: &RegisterRow{Number: 2, Name: "René (Bakker) \\", Street: "Dorpsplein 1", Postcode: "6591 AB", Place: "Gennep"}, Code: LetterCode(testCodeKey, 1, "b"), Wijk: "Centrum"},
	}
	var out bytes.Buffer
	p := newPDFStream(&out, "Brieven")
	var c pageContent
	for _, l := range letters {
		letterPage(&c, li, l)
		if err := p.page(&c); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.close(); err != nil {
		t.Fatal(err)
	}
	pages := pdfCheck(t, out.Bytes())
	if len(pages) != 2 {
		t.Fatalf("%d pages", len(pages))
	}
	for i, l := range letters {
		text := shown(pages[i])
		for _, want := range []string{
			"Gemeente Voorbeeld",
			l.Row.Name + "\n" + l.Row.Street + "\n" + l.Row.Postcode + "  " + strings.ToUpper(l.Row.Place) + "\n",
			FormatCode(l.Code),
			"https://inspraak.example/stemcode",
			"1 maart 2027 om 17.00 uur", // Dutch time
			"Stem mee: Wijkbudget (Noord) 2027",
			"DigiD",
			"één keer",
			"Briefnummer " + strconv.Itoa(l.Row.Number),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("letter %d lacks %q:\n%s", i+1, want, text)
			}
		}
		if (l.Wijk != "") != strings.Contains(text, "de wijk Centrum") {
			t.Errorf("letter %d: wijk %q:\n%s", i+1, l.Wijk, text)
		}
	}
	// ë is one WinAnsi byte (0xEB), not UTF-8.
	if !strings.Contains(pages[0], "Zo\xeb van den Berg") {
		t.Error("ë is not written in WinAnsiEncoding")
	}
}

func TestLetterTextFitsThePage(t *testing.T) {
	li := LetterInfo{Municipality: "Gemeente Súdwest-Fryslân", Title: strings.Repeat("Een heel lange titel van een begroting ", 4),
		URL: "https://inspraak.gemeente-met-een-lange-naam.example/stemcode", ClosesAt: time.Now()}
	var c pageContent
	letterPage(&c, li, Letter{Row: &RegisterRow{Number: 50000, Name: strings.Repeat("Naam ", 30), Street: "Straat 1", Postcode: "1234 AB", Place: "Dorp"},
		Code: LetterCode(testCodeKey, 1, "a"), Wijk: "Noord"})
	for _, m := range regexp.MustCompile(`/F(\d) ([\d.]+) Tf ([\d.]+) ([\d.]+) Td \(((?:[^()\\]|\\.)*)\) Tj`).FindAllStringSubmatch(c.b.String(), -1) {
		size, _ := strconv.ParseFloat(m[2], 64)
		x, _ := strconv.ParseFloat(m[3], 64)
		y, _ := strconv.ParseFloat(m[4], 64)
		font := fontRegular
		if m[1] == "2" {
			font = fontBold
		}
		var s strings.Builder
		for i := 0; i < len(m[5]); i++ {
			s.WriteRune(cp1252ToRune(m[5][i]))
		}
		if w := textWidth(font, size, s.String()); x+w > pageW-15*ptPer {
			t.Errorf("%q runs into the right margin (%.0f pt)", s.String(), x+w)
		}
		if y < 10*ptPer || y > pageH-10*ptPer {
			t.Errorf("%q is off the page (y %.0f)", s.String(), y)
		}
	}
}

func TestMailMergeCellsAreNotFormulas(t *testing.T) {
	for in, want := range map[string]string{"=SUM(A1)": "'=SUM(A1)", "+31": "'+31", "-x": "'-x", "@a": "'@a", "Jan": "Jan", "": ""} {
		if got := safeCell(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
