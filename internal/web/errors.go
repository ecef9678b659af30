package web

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"inspraak/internal/apperror"
	"inspraak/internal/store"
)

// statusOf maps each domain error code to its HTTP status, in one place.
var statusOf = map[apperror.Code]int{
	apperror.NotFound:        http.StatusNotFound,
	apperror.Invalid:         http.StatusUnprocessableEntity,
	apperror.Forbidden:       http.StatusForbidden,
	apperror.Unauthenticated: http.StatusUnauthorized,
	apperror.Conflict:        http.StatusConflict,
	apperror.Closed:          http.StatusConflict,
	apperror.Unavailable:     http.StatusServiceUnavailable,
	apperror.Internal:        http.StatusInternalServerError,
}

// errorPage is the data of the error template.
type errorPage struct {
	Status    int
	Heading   string
	Message   string
	Reference string
}

// retryAfter is the Retry-After of a 503, in seconds: how soon to try
// again while the database (or a login provider) is away.
const retryAfter = "30"

// databaseGone is the message while the database cannot be reached.
const databaseGone = "error.503.database"

// classify is the one mapping from an error to a status and a message key.
// A database that cannot be reached (store.Unreachable, whatever layer the
// error came through) is 503, not 500: nothing is wrong with the request
// or the code, and it passes by itself.
func (s *Server) classify(c *gin.Context, err error) (int, string) {
	e, isApp := apperror.As(err)
	// Another service that is away (a login provider) says so itself; its
	// network error is not the database's.
	if isApp && e.Code == apperror.Unavailable && e.Key != "" {
		s.log.WarnContext(c.Request.Context(), "unavailable",
			slog.String("request_id", RequestIDOf(c)),
			slog.String("route", c.FullPath()),
			slog.String("error", err.Error()))
		return http.StatusServiceUnavailable, e.Key
	}
	if store.Unreachable(err) {
		s.log.WarnContext(c.Request.Context(), "database unreachable",
			slog.String("request_id", RequestIDOf(c)),
			slog.String("route", c.FullPath()),
			slog.String("error", err.Error()))
		return http.StatusServiceUnavailable, databaseGone
	}
	code := apperror.CodeOf(err)
	key := ""
	if isApp {
		key = e.Key
	}
	status := statusOf[code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 && code != apperror.Unavailable {
		s.log.ErrorContext(c.Request.Context(), "request failed",
			slog.String("request_id", RequestIDOf(c)),
			slog.String("route", c.FullPath()),
			slog.String("error", err.Error()))
		key = ""
	}
	return status, key
}

// fail renders the page for a domain error. Unknown errors are internal:
// logged with the request id, shown only as a reference.
func (s *Server) fail(c *gin.Context, err error) {
	status, key := s.classify(c, err)
	s.renderStatus(c, status, key)
}

// apiError is fail for the JSON API.
func (s *Server) apiError(c *gin.Context, err error) {
	status, key := s.classify(c, err)
	code := map[int]string{http.StatusNotFound: "not_found", http.StatusServiceUnavailable: "unavailable"}[status]
	if code == "" {
		code = "internal"
		if status < 500 {
			code = "bad_request"
		}
	}
	if key == "" {
		key = "error.500.message"
		if status < 500 {
			key = "error.4xx.message"
		}
	}
	s.apiFail(c, status, code, key)
}

// renderStatus renders the Dutch (or English) error page for status, with
// an optional specific message key.
func (s *Server) renderStatus(c *gin.Context, status int, key string) {
	p := s.page(c, "", nil)
	e := errorPage{Status: status}
	switch status {
	case http.StatusNotFound:
		e.Heading, e.Message = p.T("error.404.heading"), p.T("error.404.message")
	case http.StatusForbidden:
		e.Heading, e.Message = p.T("error.403.heading"), p.T("error.403.message")
	case http.StatusRequestEntityTooLarge:
		e.Heading, e.Message = p.T("error.413.heading"), p.T("error.413.message")
	case http.StatusMethodNotAllowed:
		e.Heading, e.Message = p.T("error.405.heading"), p.T("error.405.message")
	case http.StatusServiceUnavailable:
		e.Heading, e.Message = p.T("error.503.heading"), p.T("error.503.message")
	default:
		if status >= 500 {
			e.Heading, e.Message = p.T("error.500.heading"), p.T("error.500.message")
			e.Reference = RequestIDOf(c)
		} else {
			e.Heading, e.Message = p.T("error.4xx.heading"), p.T("error.4xx.message")
		}
	}
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfter)
	}
	if key != "" && (status < 500 || status == http.StatusServiceUnavailable) {
		e.Message = p.T(key)
	}
	p.Title = e.Heading
	p.Data = e
	if err := s.renderer.render(c.Writer, status, "error", p); err != nil {
		// The error page itself failed: plain text is all that is left.
		s.log.Error("error page failed", slog.String("error", err.Error()))
		c.Data(status, "text/plain; charset=utf-8", []byte(p.T("error.500.heading")+"\n"+p.T("error.reference")+" "+RequestIDOf(c)+"\n"))
	}
}

// refused is the one way a handler deals with what a form's service call
// returned. Without an error it returns false and the handler goes on. A
// refusal with per-field messages shows the form again through again, with
// status 422 and the messages; any other error goes the one error path
// (fail). It returns true when the response is written.
func (s *Server) refused(c *gin.Context, err error, again func(status int, fields map[string]string)) bool {
	if err == nil {
		return false
	}
	if fields, ok := fieldErrors(err); ok {
		again(http.StatusUnprocessableEntity, fields)
		return true
	}
	s.fail(c, err)
	return true
}
