package results

import (
	"archive/zip"
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xlsxWriter writes a workbook straight into a zip stream: the first
// sheet's XML is deflated as rows arrive and nothing is kept but the zip
// directory (a few hundred bytes). excelize's stream writer would do the
// same job but parks the whole sheet in a temporary file beyond 16 MiB
// before zipping it; an export must not hold all answers anywhere. Strings
// are inline (no shared-string table to build up), numbers are numbers.
// Tests read the result back with excelize.
type xlsxWriter struct {
	zw    *zip.Writer
	sheet *bufio.Writer
	row   int
	err   error
}

const (
	xlsxRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>`
	xlsxSheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>`
	xlsxSheetEnd = `</sheetData></worksheet>`
)

// xlsxSheet is a small sheet written whole, after the streamed first one
// in the workbook (its first row is the bold header).
type xlsxSheet struct {
	name string
	rows [][]cell
}

// newXLSXWriter starts a workbook whose first sheet, sheetName, is
// streamed by writeRow; the extra sheets follow it in the workbook and are
// written at once, before it, so the streamed sheet can be the last part
// of the zip.
func newXLSXWriter(w io.Writer, sheetName string, extra ...xlsxSheet) (*xlsxWriter, error) {
	x := &xlsxWriter{zw: zip.NewWriter(w)}
	var types, sheets, rels strings.Builder
	for i, name := range append([]string{sheetName}, sheetNames(extra)...) {
		n := strconv.Itoa(i + 1)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
		sheets.WriteString(`<sheet name="` + xmlEscape(name) + `" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
	}
	styles := strconv.Itoa(len(extra) + 2)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			types.String() + `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", xlsxRels},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() +
			`<Relationship Id="rId` + styles + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`},
		{"xl/styles.xml", xlsxStyles},
		{"xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>` + sheets.String() + `</sheets></workbook>`},
	}
	for _, part := range parts {
		f, err := x.zw.Create(part.name)
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(f, part.body); err != nil {
			return nil, err
		}
	}
	for i, sh := range extra {
		f, err := x.zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet" + strconv.Itoa(i+2) + ".xml", Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		part := &xlsxWriter{sheet: bufio.NewWriter(f)}
		part.sheet.WriteString(xlsxSheetStart)
		for r, row := range sh.rows {
			if err := part.writeRow(row, r == 0); err != nil {
				return nil, err
			}
		}
		part.sheet.WriteString(xlsxSheetEnd)
		if err := part.sheet.Flush(); err != nil {
			return nil, err
		}
	}
	// The streamed sheet is the last part, so it can stay open while rows
	// stream in.
	f, err := x.zw.CreateHeader(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate})
	if err != nil {
		return nil, err
	}
	x.sheet = bufio.NewWriterSize(f, 64<<10)
	_, err = x.sheet.WriteString(xlsxSheetStart)
	return x, err
}

func sheetNames(sheets []xlsxSheet) []string {
	out := make([]string, len(sheets))
	for i, s := range sheets {
		out[i] = s.name
	}
	return out
}

// writeRow writes one row; header rows are bold.
func (x *xlsxWriter) writeRow(cells []cell, header bool) error {
	if x.err != nil {
		return x.err
	}
	x.row++
	w := x.sheet
	w.WriteString(`<row r="`)
	w.WriteString(strconv.Itoa(x.row))
	w.WriteString(`">`)
	for i, c := range cells {
		if c.empty() {
			continue
		}
		ref := columnName(i) + strconv.Itoa(x.row)
		style := ""
		if header {
			style = ` s="1"`
		}
		if c.isNumber {
			w.WriteString(`<c r="` + ref + `"` + style + `><v>`)
			w.WriteString(strconv.FormatFloat(c.number, 'g', -1, 64))
			w.WriteString(`</v></c>`)
			continue
		}
		w.WriteString(`<c r="` + ref + `"` + style + ` t="inlineStr"><is><t xml:space="preserve">`)
		w.WriteString(xmlEscape(c.text))
		w.WriteString(`</t></is></c>`)
	}
	_, x.err = w.WriteString(`</row>`)
	return x.err
}

func (x *xlsxWriter) close() error {
	if x.err != nil {
		return x.err
	}
	if _, err := x.sheet.WriteString(xlsxSheetEnd); err != nil {
		return err
	}
	if err := x.sheet.Flush(); err != nil {
		return err
	}
	return x.zw.Close()
}

// columnName is the spreadsheet name of the i-th column: A … Z, AA, …
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// xmlEscape escapes text for XML and drops what XML 1.0 cannot carry
// (control characters other than tab and newlines, invalid UTF-8).
func xmlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 || (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xFFFE || r == 0xFFFF {
			continue
		}
		b.WriteRune(r)
	}
	var out strings.Builder
	if err := xml.EscapeText(&out, []byte(b.String())); err != nil {
		return ""
	}
	return out.String()
}
