package budget

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/go-pdf/fpdf"
)

// A minimal PDF writer that streams: every page's objects are written as
// the page is finished, and only each object's offset is kept for the
// cross-reference table at the end (4 bytes per object, two objects per
// page). fpdf keeps the whole document in memory until Output (measured:
// 25 MB of heap at 5,000 letters, 143 MB at 20,000), which 50,000 letters
// must not do. Text uses the standard Type1 fonts Helvetica and
// Helvetica-Bold with WinAnsiEncoding, so Dutch letters such as ë, é and
// ï print without embedding a font; widths come from fpdf's metrics of the
// same fonts.

const (
	pageW = 595.28 // A4 in points
	pageH = 841.89
	ptPer = 72 / 25.4 // points per millimetre
)

// pdf fonts.
const (
	fontRegular = 0
	fontBold    = 1
)

var fontResource = [2]string{"/F1", "/F2"}

// widths[font][byte] in 1/1000 of the font size.
var widths = sync.OnceValue(func() *[2][256]int {
	var w [2][256]int
	f := fpdf.New("P", "pt", "A4", "")
	for i, style := range []string{"", "B"} {
		f.SetFont("Helvetica", style, 10)
		for b := 1; b < 256; b++ {
			w[i][b] = f.GetStringSymbolWidth(string([]byte{byte(b)}))
		}
	}
	return &w
})

// winAnsi converts text to WinAnsiEncoding; a character it lacks becomes
// '?'.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r >= 0xA0 && r <= 0xFF:
			out = append(out, byte(r))
		default:
			b := byte('?')
			for i, h := range cp1252High {
				if h == r {
					b = byte(0x80 + i)
					break
				}
			}
			out = append(out, b)
		}
	}
	return out
}

// textWidth is the width in points of s at size in font.
func textWidth(font int, size float64, s string) float64 {
	w := widths()
	n := 0
	for _, b := range winAnsi(s) {
		n += w[font][b]
	}
	return float64(n) * size / 1000
}

// wrapText breaks s into lines no wider than width points.
func wrapText(font int, size, width float64, s string) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && textWidth(font, size, try) > width {
			lines = append(lines, line)
			line = word
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// pageContent builds one page's content stream.
type pageContent struct{ b bytes.Buffer }

func (c *pageContent) reset() { c.b.Reset() }

func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// text writes s with its baseline at (x, y) millimetres from the top left.
func (c *pageContent) text(xmm, ymm float64, font int, size float64, s string) {
	c.b.WriteString("BT " + fontResource[font] + " " + num(size) + " Tf " + num(xmm*ptPer) + " " + num(pageH-ymm*ptPer) + " Td (")
	for _, b := range winAnsi(s) {
		switch b {
		case '(', ')', '\\':
			c.b.WriteByte('\\')
			c.b.WriteByte(b)
		case '\r', '\n':
			c.b.WriteByte(' ')
		default:
			c.b.WriteByte(b)
		}
	}
	c.b.WriteString(") Tj ET\n")
}

// rect strokes a rectangle (millimetres from the top left) with a line of
// lw points.
func (c *pageContent) rect(xmm, ymm, wmm, hmm, lw float64) {
	c.b.WriteString(num(lw) + " w " + num(xmm*ptPer) + " " + num(pageH-(ymm+hmm)*ptPer) + " " + num(wmm*ptPer) + " " + num(hmm*ptPer) + " re S\n")
}

// pdfStream writes a PDF of A4 pages to w as they come.
type pdfStream struct {
	w       *bufio.Writer
	off     int64
	offsets []uint32 // by object number − 1; 0 until written
	pages   int
	err     error
	z       bytes.Buffer
	zw      *zlib.Writer
}

// Objects written before the pages.
const (
	objCatalog = 1
	objPages   = 2
	objFont1   = 3
	objFont2   = 4
	objInfo    = 5
	firstPage  = 6 // each page: content stream, then page
)

var errPDFTooLarge = errors.New("budget: letters PDF past 4 GB")

func newPDFStream(w io.Writer, title string) *pdfStream {
	p := &pdfStream{w: bufio.NewWriterSize(w, 64<<10), offsets: make([]uint32, firstPage-1)}
	p.zw, _ = zlib.NewWriterLevel(&p.z, zlib.BestSpeed)
	p.write("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	p.object(objCatalog, "<< /Type /Catalog /Pages 2 0 R >>")
	p.object(objFont1, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	p.object(objFont2, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	p.object(objInfo, "<< /Title "+pdfString(title)+" /Producer (Inspraak) >>")
	return p
}

func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, c := range winAnsi(s) {
		if c == '(' || c == ')' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte(')')
	return b.String()
}

func (p *pdfStream) write(s string) {
	if p.err != nil {
		return
	}
	n, err := p.w.WriteString(s)
	p.off += int64(n)
	p.err = err
}

func (p *pdfStream) writeBytes(b []byte) {
	if p.err != nil {
		return
	}
	n, err := p.w.Write(b)
	p.off += int64(n)
	p.err = err
}

func (p *pdfStream) mark(obj int) {
	if p.off > math.MaxUint32 {
		p.err = errPDFTooLarge
		return
	}
	for len(p.offsets) < obj {
		p.offsets = append(p.offsets, 0)
	}
	p.offsets[obj-1] = uint32(p.off)
	p.write(strconv.Itoa(obj) + " 0 obj\n")
}

func (p *pdfStream) object(obj int, body string) {
	p.mark(obj)
	p.write(body + "\nendobj\n")
}

// page writes one page with the content c.
func (p *pdfStream) page(c *pageContent) error {
	p.z.Reset()
	p.zw.Reset(&p.z)
	_, _ = p.zw.Write(c.b.Bytes())
	_ = p.zw.Close()
	content := firstPage + 2*p.pages
	p.mark(content)
	p.write("<< /Length " + strconv.Itoa(p.z.Len()) + " /Filter /FlateDecode >>\nstream\n")
	p.writeBytes(p.z.Bytes())
	p.write("\nendstream\nendobj\n")
	p.object(content+1, "<< /Type /Page /Parent 2 0 R /Contents "+strconv.Itoa(content)+" 0 R >>")
	p.pages++
	return p.err
}

// close writes the page tree, the cross-reference table and the trailer.
// A document needs at least one page: with none, a blank one is added.
func (p *pdfStream) close() error {
	if p.pages == 0 {
		_ = p.page(&pageContent{})
	}
	p.mark(objPages)
	p.write("<< /Type /Pages /MediaBox [0 0 " + num(pageW) + " " + num(pageH) + "] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Count " +
		strconv.Itoa(p.pages) + " /Kids [")
	for i := 0; i < p.pages; i++ {
		if i%16 == 0 {
			p.write("\n")
		}
		p.write(strconv.Itoa(firstPage+2*i+1) + " 0 R ")
	}
	p.write("] >>\nendobj\n")
	xref := p.off
	p.write("xref\n0 " + strconv.Itoa(len(p.offsets)+1) + "\n0000000000 65535 f \n")
	for _, o := range p.offsets {
		p.write(fmt.Sprintf("%010d 00000 n \n", o))
	}
	p.write("trailer\n<< /Size " + strconv.Itoa(len(p.offsets)+1) + " /Root 1 0 R /Info 5 0 R >>\nstartxref\n" + strconv.FormatInt(xref, 10) + "\n%%EOF\n")
	if p.err != nil {
		return p.err
	}
	return p.w.Flush()
}
