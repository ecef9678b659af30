package responsenote

import (
	"io"

	"github.com/go-pdf/fpdf"

	"inspraak/internal/i18n"
)

// PDF writes a published response note as a PDF: the introduction and
// every section in order.
func PDF(n *Note, title, municipality string, t func(key string, args ...any) string, w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(tr(t("note.public.title", title)), false)
	pdf.SetAuthor(tr(municipality), false)
	pdf.SetMargins(20, 20, 20)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("Helvetica", "", 8)
		pdf.CellFormat(0, 6, tr(t("results.pdf.footer", t("note.public.kind"), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 18)
	pdf.MultiCell(0, 9, tr(t("note.public.title", title)), "", "L", false)
	pdf.SetFont("Helvetica", "", 9)
	if n.PublishedAt != nil {
		pdf.MultiCell(0, 5, tr(municipality+" – "+n.PublishedAt.In(i18n.Location).Format("02-01-2006")), "", "L", false)
	}
	pdf.Ln(4)
	if n.Intro != "" {
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 5.5, tr(n.Intro), "", "L", false)
		pdf.Ln(4)
	}
	for _, s := range n.Sections {
		pdf.SetFont("Helvetica", "B", 13)
		pdf.MultiCell(0, 7, tr(s.Title), "", "L", false)
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 5.5, tr(s.Body), "", "L", false)
		pdf.Ln(4)
	}
	return pdf.Output(w)
}
