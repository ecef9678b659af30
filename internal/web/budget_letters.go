package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
)

// Register upload and letters (budget/register_import.go, letters.go), for
// editors. The register file stays in memory while the request runs (at
// most 6 MiB), never on disk; the service reads it row by row. The
// letters need the same file again (addresses are not stored) and stream
// back as a PDF or a mail-merge CSV.

func init() {
	// Register files are larger than a form: up to uploadLimit (6 MiB,
	// some 75,000 residents).
	uploadRoutes["/beheer/begrotingen/:iid/kiezers"] = true
	uploadRoutes["/beheer/begrotingen/:iid/kiezers/brieven"] = true
}

type lettersData struct {
	B      *budget.Budget
	Size   int64
	Report *budget.ImportReport
	Error  string
}

func (s *Server) lettersPage(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	s.renderLetters(c, http.StatusOK, &lettersData{B: b})
}

func (s *Server) renderLetters(c *gin.Context, status int, d *lettersData) {
	n, err := s.budgets.RegisterSize(c.Request.Context(), d.B.InstrumentID)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Size = n
	s.html(c, status, "budget_letters", s.staffPage(c, "budget.letters.title", d, "staff-projects"))
}

// registerFile opens the register file of an upload or letters form
// (part "bestand") with the page's data. The edge has read the form
// already (readableInput checks every field): the file is in memory, at
// most uploadLimit, never on disk (multipartMemory is larger). Without a
// file the page says so and false is returned.
func (s *Server) registerFile(c *gin.Context) (*lettersData, io.ReadCloser, bool) {
	b, ok := s.standBudget(c)
	if !ok {
		return nil, nil, false
	}
	d := &lettersData{B: b}
	fh, err := c.FormFile("bestand")
	var f io.ReadCloser
	if err == nil && fh.Size > 0 {
		f, err = fh.Open()
	}
	if f == nil || err != nil {
		d.Error = s.cat.T(langOf(c), "budget.letters.no_file")
		s.renderLetters(c, http.StatusUnprocessableEntity, d)
		return nil, nil, false
	}
	return d, f, true
}

// lettersRefused shows a file the service refused (its columns, its
// encoding) on the page, with what is wrong; other errors fail.
func (s *Server) lettersRefused(c *gin.Context, d *lettersData, err error) {
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
		s.renderLetters(c, http.StatusUnprocessableEntity, d)
		return
	}
	s.fail(c, err)
}

func (s *Server) registerUpload(c *gin.Context) {
	d, part, ok := s.registerFile(c)
	if !ok {
		return
	}
	defer part.Close()
	rep, err := s.budgets.ImportRegister(c.Request.Context(), actorOf(c), d.B.InstrumentID, part)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.renderStatus(c, http.StatusRequestEntityTooLarge, "error.too_large")
	case err != nil:
		s.lettersRefused(c, d, err)
	default:
		d.Report = &rep
		s.renderLetters(c, http.StatusOK, d)
	}
}

// lazyDownload sets the download's headers at its first byte, so a file
// refused before any letter is written still gets an ordinary page.
type lazyDownload struct {
	c       *gin.Context
	name    string
	ctype   string
	started bool
}

func (l *lazyDownload) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		h := l.c.Writer.Header()
		h.Set("Content-Type", l.ctype)
		h.Set("Content-Disposition", `attachment; filename="`+l.name+`"`)
		h.Set("Cache-Control", "no-store")
		l.c.Status(http.StatusOK)
	}
	return l.c.Writer.Write(p)
}

func (s *Server) lettersDownload(c *gin.Context) {
	d, part, ok := s.registerFile(c)
	if !ok {
		return
	}
	defer part.Close()
	id := strconv.FormatInt(d.B.InstrumentID, 10)
	out := &lazyDownload{c: c, name: "brieven-" + id + ".pdf", ctype: "application/pdf"}
	write := s.budgets.WriteLetters
	if c.PostForm("formaat") == "csv" {
		out.name, out.ctype = "brieven-"+id+".csv", "text/csv; charset=utf-8"
		write = s.budgets.WriteMailMerge
	}
	err := write(c.Request.Context(), actorOf(c), d.B.InstrumentID, part, out)
	switch {
	case err == nil:
	case out.started:
		// Part of the file went out: the download breaks off, which the
		// browser shows; the log has why.
		s.log.WarnContext(c.Request.Context(), "letters download broke off", "error", err.Error())
		c.Abort()
	default:
		s.lettersRefused(c, d, err)
	}
}
