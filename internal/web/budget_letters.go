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
// most 6 MiB), never on disk; the service reads it row by row. The letters need the same file again (addresses are not
// stored) and stream back as a PDF or a mail-merge CSV.

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

// filePart opens the uploaded file of the form. The edge has read the
// form already (readableInput checks every field): the file is in memory,
// at most uploadLimit, never on disk (multipartMemory is larger).
func filePart(c *gin.Context, name string) (io.ReadCloser, map[string]string, error) {
	fh, err := c.FormFile(name)
	if err != nil || fh.Size == 0 {
		return nil, nil, errors.New("no file")
	}
	f, err := fh.Open()
	if err != nil {
		return nil, nil, err
	}
	return f, map[string]string{"formaat": c.PostForm("formaat")}, nil
}

func (s *Server) registerUpload(c *gin.Context) {
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	d := &lettersData{B: b}
	part, _, err := filePart(c, "bestand")
	if err != nil {
		d.Error = s.cat.T(langOf(c), "budget.letters.no_file")
		s.renderLetters(c, http.StatusUnprocessableEntity, d)
		return
	}
	defer part.Close()
	rep, err := s.budgets.ImportRegister(c.Request.Context(), actorOf(c), b.InstrumentID, part)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.renderStatus(c, http.StatusRequestEntityTooLarge, "error.too_large")
			return
		}
		if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
			d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
			s.renderLetters(c, http.StatusUnprocessableEntity, d)
			return
		}
		s.fail(c, err)
		return
	}
	d.Report = &rep
	s.renderLetters(c, http.StatusOK, d)
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
	b, ok := s.standBudget(c)
	if !ok {
		return
	}
	d := &lettersData{B: b}
	part, fields, err := filePart(c, "bestand")
	if err != nil {
		d.Error = s.cat.T(langOf(c), "budget.letters.no_file")
		s.renderLetters(c, http.StatusUnprocessableEntity, d)
		return
	}
	defer part.Close()
	id := strconv.FormatInt(b.InstrumentID, 10)
	out := &lazyDownload{c: c, name: "brieven-" + id + ".pdf", ctype: "application/pdf"}
	write := s.budgets.WriteLetters
	if fields["formaat"] == "csv" {
		out.name, out.ctype = "brieven-"+id+".csv", "text/csv; charset=utf-8"
		write = s.budgets.WriteMailMerge
	}
	err = write(c.Request.Context(), actorOf(c), b.InstrumentID, part, out)
	if err == nil {
		return
	}
	if out.started {
		// Part of the file went out: the download breaks off, which the
		// browser shows; the log has why.
		s.log.WarnContext(c.Request.Context(), "letters download broke off", "error", err.Error())
		c.Abort()
		return
	}
	if e, ok := apperror.As(err); ok && e.Code == apperror.Invalid {
		d.Error = s.cat.T(langOf(c), e.Key, e.Args...)
		s.renderLetters(c, http.StatusUnprocessableEntity, d)
		return
	}
	s.fail(c, err)
}
