package web

import (
	"compress/gzip"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"inspraak/internal/store"
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
// From anyone else a sent id is ignored: a client choosing it could file
// its requests under someone else's reference.
func requestID(trusted []netip.Prefix) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(RequestIDHeader)
		if id == "" || !safeRequestID.MatchString(id) || !fromProxy(c.Request, trusted) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Header(RequestIDHeader, id)
		c.Next()
	}
}

// fromProxy says whether the request's direct peer is one of the trusted
// proxies (INSPRAAK_TRUSTED_PROXIES).
func fromProxy(r *http.Request, trusted []netip.Prefix) bool {
	if len(trusted) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// trustedPrefixes reads the trusted proxies (addresses or CIDR ranges, as
// config checked them) as prefixes.
func trustedPrefixes(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range list {
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(v)
		if err != nil {
			return nil, err
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RequestIDOf returns the id of the request.
func RequestIDOf(c *gin.Context) string { return c.GetString(requestIDKey) }

// expectedUnavailableKey marks a 503 that is no fault (readyz while the
// instance drains): logged as a probe and not an error in its trace, so a
// rolling update does not fill the error log.
const expectedUnavailableKey = "inspraak.expected_unavailable"

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
		case status >= 500 && !c.GetBool(expectedUnavailableKey):
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
			if err, ok := rec.(error); ok && store.Unreachable(err) {
				s.renderStatus(c, http.StatusServiceUnavailable, databaseGone)
			} else {
				s.renderStatus(c, http.StatusInternalServerError, "")
			}
			c.Abort()
		}()
		c.Next()
	}
}

// securityHeaders sets the headers every response carries. The CSP allows
// nothing inline: every script and style comes from our own /static/.
//
// form-action is 'self' plus the origins formTargets names (nil: none).
// Chromium holds every redirect that follows a posted form to form-action
// too, so no form of the site leads off it: login starts with a link and
// logout continues to the provider with a page of its own (see loginStart
// and continueLogout), and the site's form-action is just 'self'. Only the
// built-in provider's own origin names the site, where its login form's
// redirect goes back to. formTargets gives exact origins, never a wildcard.
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
// The limit follows the route gin matched (routing is done before the
// middleware runs), never the raw path: a path with ../ in it is routed
// elsewhere than its prefix suggests.
func (s *Server) bodyLimit(max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		max := max
		// Editors upload project images, residents idea images: their
		// forms may be larger.
		if c.Request.Method == http.MethodPost && uploadRoutes[c.FullPath()] && strings.HasPrefix(c.ContentType(), "multipart/form-data") {
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

// uploadRoutes are the routes whose forms carry an image (POST only): the
// editors' project forms (takeImage) and the residents' idea forms
// (readImage).
var uploadRoutes = map[string]bool{"/beheer/projecten": true, "/beheer/projecten/:id": true,
	"/projecten/:slug/:instrument/ideeen": true, "/projecten/:slug/:instrument/ideeen/:idea/bewerken": true}

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

// multipartMemory is how much of a multipart form is held in memory (the
// rest goes to temporary files); the same as gin's default, so that the
// handlers' own FormFile calls find the form parsed exactly as before.
const multipartMemory = 32 << 20

// readableInput refuses, with a plain 400, a request whose path, query
// parameters or form fields (names and values; never the contents of an
// uploaded file) are not text a person can type: bytes that are not UTF-8,
// or a NUL. PostgreSQL refuses both in text columns (SQLSTATE 22021) and
// SQLite would store them as they came, so they are stopped here, once,
// before any handler can pass them on. The form is parsed here (within
// bodyLimit's limit); handlers read the parsed values as before.
func (s *Server) readableInput() gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		ok := readable(r.URL.Path) && readableValues(queryValues(r.URL.RawQuery))
		if kind := formKind(r); ok && kind != "" {
			var err error
			if kind == "multipart/form-data" {
				err = r.ParseMultipartForm(multipartMemory)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				var tooLarge *http.MaxBytesError
				if errors.As(err, &tooLarge) || errors.Is(err, multipart.ErrMessageTooLarge) {
					s.refuse(c, http.StatusRequestEntityTooLarge, "error.too_large")
				} else {
					s.refuse(c, http.StatusBadRequest, "error.form_too_large")
				}
				return
			}
			ok = readableValues(r.PostForm)
		}
		if !ok {
			s.refuse(c, http.StatusBadRequest, "error.unreadable_text")
			return
		}
		c.Next()
	}
}

// refuse answers a request the edge will not pass on: a problem on the API, the
// error page elsewhere. The page shows the path it was asked for, so an
// unreadable one is cleaned for the page (not for the logs).
func (s *Server) refuse(c *gin.Context, status int, key string) {
	defer c.Abort()
	if isAPI(c) {
		s.problem(c, status, key, nil)
		return
	}
	orig := c.Request
	if !readable(orig.URL.Path) {
		u := *orig.URL
		u.Path = "/"
		c.Request = orig.WithContext(orig.Context())
		c.Request.URL = &u
		defer func() { c.Request = orig }()
	}
	s.renderStatus(c, status, key)
}

// readable reports whether s is UTF-8 without a NUL.
func readable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func readableValues(vs map[string][]string) bool {
	for k, list := range vs {
		if !readable(k) {
			return false
		}
		for _, v := range list {
			if !readable(v) {
				return false
			}
		}
	}
	return true
}

// queryValues parses a query string as the handlers will (c.Query skips a
// pair it cannot decode, and so does this).
func queryValues(raw string) url.Values {
	v, _ := url.ParseQuery(raw)
	return v
}

// formKind is the media type of a body that net/http parses as a form
// (read as net/http reads it: case does not matter), or "".
func formKind(r *http.Request) string {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return ""
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data" {
		return mt
	}
	return ""
}
