package web

import (
	"errors"
	"log/slog"
	"net/http"
	"sort"
	"strings"

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

// inputError is a request whose own input is malformed (a query
// parameter out of its set, a path id that is no number): 400, naming each
// parameter with the message key of its reason. Rules of the domain that
// refuse well-formed input are apperror.Invalid (422), not this.
type inputError struct {
	params map[string]string // parameter name → message key
}

func (e *inputError) Error() string {
	names := make([]string, 0, len(e.params))
	for n := range e.params {
		names = append(names, n)
	}
	sort.Strings(names)
	return "bad input: " + strings.Join(names, ", ")
}

// badInput is the error for one malformed request parameter.
func badInput(name, key string) error {
	return &inputError{params: map[string]string{name: key}}
}

// invalidParams are the parameters an error names, with their message
// keys: a malformed request's parameters, or the fields a domain refused.
func invalidParams(err error) map[string]string {
	var ie *inputError
	if errors.As(err, &ie) {
		return ie.params
	}
	fields, _ := fieldErrors(err)
	return fields
}

// classify is the one mapping from an error to a status and a message key,
// for the HTML pages and the JSON API alike.
// A database that cannot be reached (store.Unreachable, whatever layer the
// error came through) is 503, not 500: nothing is wrong with the request
// or the code, and it passes by itself.
func (s *Server) classify(c *gin.Context, err error) (int, string) {
	var ie *inputError
	if errors.As(err, &ie) {
		if len(ie.params) == 1 { // one parameter names its reason on the page
			for _, k := range ie.params {
				return http.StatusBadRequest, k
			}
		}
		return http.StatusBadRequest, ""
	}
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

// fail answers a domain error: the error page, or under /api a problem
// (problem+json). Unknown errors are internal: logged with the request id,
// shown only as a reference.
func (s *Server) fail(c *gin.Context, err error) {
	status, key := s.classify(c, err)
	if isAPI(c) {
		s.problem(c, status, key, invalidParams(err))
		return
	}
	s.renderStatus(c, status, key)
}

// renderStatus renders the Dutch (or English) error page for status, with
// an optional specific message key; under /api it answers a problem
// instead, so the router's 404 and 405, a panic, an oversized or unreadable
// request all reach an API client as problem+json.
func (s *Server) renderStatus(c *gin.Context, status int, key string) {
	if isAPI(c) {
		s.problem(c, status, key, nil)
		return
	}
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
		} else {
			e.Heading, e.Message = p.T("error.4xx.heading"), p.T("error.4xx.message")
		}
	}
	if status >= 500 {
		// Every 5xx is logged under the request id; the page shows it, so
		// a report to the help desk finds the log line.
		e.Reference = RequestIDOf(c)
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

// refusedAt is refused for forms that also show a refusal without field
// messages (not allowed, closed, already done) at one place on the form,
// field, with that refusal's own status (403, 409; 422 for an invalid
// request without fields).
func (s *Server) refusedAt(c *gin.Context, err error, field string, again func(status int, fields map[string]string)) bool {
	if e, ok := apperror.As(err); ok && len(e.Fields) == 0 && e.Key != "" {
		switch e.Code {
		case apperror.Invalid, apperror.Forbidden, apperror.Closed, apperror.Conflict:
			again(statusOf[e.Code], map[string]string{field: e.Key})
			return true
		}
	}
	return s.refused(c, err, again)
}
