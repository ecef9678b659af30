package web

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

const (
	requestIDKey       = "inspraak.request_id"
	skipCompressionKey = "inspraak.skip_gzip"
	// RequestIDHeader carries the request id in and out.
	RequestIDHeader = "X-Request-Id"
)

var safeRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// requestID tags every request with an id: the one a trusted proxy sent,
// or a new one. It appears in logs, the response header and 500 pages.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if !safeRequestID.MatchString(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RequestIDOf returns the id of the request.
func RequestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }

// accessLog writes one structured line per request. It logs the route and
// path but no query string and no client address: both can hold personal
// data, and the reverse proxy keeps what security needs.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status >= 500:
			level = slog.LevelError
		case strings.HasPrefix(c.Request.URL.Path, "/static/"), c.Request.URL.Path == "/healthz", c.Request.URL.Path == "/readyz", c.Request.URL.Path == "/metrics":
			level = slog.LevelDebug
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("request_id", RequestIDOf(c)),
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
		)
	}
}

// recovery turns a panic into the Dutch 500 page with a reference id, and
// logs the panic with its stack under that id.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(rec)
			}
			s.log.ErrorContext(c.Request.Context(), "panic",
				slog.String("request_id", RequestIDOf(c)),
				slog.String("route", c.FullPath()),
				slog.Any("panic", rec),
				slog.String("stack", string(debug.Stack())),
			)
			if c.Writer.Written() {
				c.Abort()
				return
			}
			s.renderStatus(c, http.StatusInternalServerError, "")
			c.Abort()
		}()
		c.Next()
	}
}

// securityHeaders sets the headers every response carries. The CSP allows
// nothing inline: every script and style comes from our own /static/.
//
// form-action is 'self' plus the origins formTargets names (nil: none).
// Chromium holds the redirects that follow a posted form to form-action
// too, so the login and logout forms (in the header of every page, and on
// instruments that need a login) could not lead to a provider on another
// origin without them. formTargets gives exact origins, never a wildcard.
func securityHeaders(production bool, formTargets func() []string) gin.HandlerFunc {
	const (
		cspHead = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
			"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
			"form-action 'self'"
		cspTail = "; frame-ancestors 'none'"
	)
	return func(c *gin.Context) {
		csp := cspHead + cspTail
		if formTargets != nil {
			if extra := formTargets(); len(extra) > 0 {
				csp = cspHead + " " + strings.Join(extra, " ") + cspTail
			}
		}
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if production {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		c.Next()
	}
}

// bodyLimit refuses bodies over max bytes: at once when the client says
// so, and while reading when it does not.
func (s *Server) bodyLimit(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := max
		// Editors upload project images: their forms may be larger.
		if strings.HasPrefix(c.Request.URL.Path, "/beheer/projecten") && strings.HasPrefix(c.ContentType(), "multipart/form-data") {
			max = uploadLimit
		}
		if c.Request.ContentLength > max {
			s.renderStatus(c, http.StatusRequestEntityTooLarge, "error.too_large")
			c.Abort()
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		c.Next()
	}
}

// uploadLimit is the largest editor form with an image.
const uploadLimit = 6 << 20

// compress gzips text responses for clients that accept it. Static files
// arrive compressed already and mark themselves to be skipped.
func compress() gin.HandlerFunc {
	pool := sync.Pool{New: func() any {
		// BestSpeed: measured in bench/ at less than half the CPU of the
		// default level for about 12-15% more bytes on our pages.
		zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
		return zw
	}}
	return func(c *gin.Context) {
		if !acceptsGzip(c.Request) || c.Request.Method == http.MethodHead || strings.HasPrefix(c.Request.URL.Path, "/metrics") {
			c.Next()
			return
		}
		gw := &gzipWriter{ResponseWriter: c.Writer, ctx: c, pool: &pool}
		c.Writer = gw
		defer func() {
			gw.finish()
			c.Writer = gw.ResponseWriter
		}()
		c.Next()
	}
}

type gzipWriter struct {
	gin.ResponseWriter
	ctx     *gin.Context
	pool    *sync.Pool
	zw      *gzip.Writer
	decided bool
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	if w.ctx.GetBool(skipCompressionKey) || h.Get("Content-Encoding") != "" || !compressible(h.Get("Content-Type")) {
		return
	}
	status := w.Status()
	if status < 200 || status == http.StatusNoContent || status == http.StatusNotModified {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	w.zw = w.pool.Get().(*gzip.Writer)
	w.zw.Reset(w.ResponseWriter)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	w.decide()
	if w.zw == nil {
		return w.ResponseWriter.Write(b)
	}
	return w.zw.Write(b)
}

func (w *gzipWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *gzipWriter) Flush() {
	if w.zw != nil {
		_ = w.zw.Flush()
	}
	w.ResponseWriter.Flush()
}

func (w *gzipWriter) finish() {
	if w.zw != nil {
		_ = w.zw.Close()
		w.pool.Put(w.zw)
		w.zw = nil
	}
}

// cacheControl keeps pages out of shared caches by default: they can
// carry per-person content once someone logs in.
func cacheControl() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.HasPrefix(c.Request.URL.Path, "/static/") && !strings.HasPrefix(c.Request.URL.Path, "/afbeeldingen/") {
			c.Header("Cache-Control", "no-store")
		}
		c.Next()
	}
}
