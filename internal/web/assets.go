package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// asset is one static file, held in memory with its gzip form made once at
// start-up so serving it costs no compression work.
type asset struct {
	body  []byte
	gz    []byte
	ctype string
	etag  string
}

// Assets serves static files under content-hashed URLs: a changed file gets
// a new URL, so every URL can be cached for a year.
type Assets struct {
	byURL  map[string]*asset // "css/app.1a2b3c4d5e.css" → asset
	byName map[string]*asset // "css/app.css" → asset
	urls   map[string]string // "css/app.css" → "/static/css/app.1a2b3c4d5e.css"
}

// LogoName is the logical name of the municipality's logo.
const LogoName = "img/logo"

// LoadAssets reads every file of fsys, plus the municipality's logo file if
// one is configured (else img/logo.svg from fsys stands in).
func LoadAssets(fsys fs.FS, logoFile string) (*Assets, error) {
	a := &Assets{byURL: map[string]*asset{}, byName: map[string]*asset{}, urls: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		a.add(p, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	logoExt := ".svg"
	logo, ok := a.byName["img/logo.svg"]
	if logoFile != "" {
		b, err := os.ReadFile(logoFile)
		if err != nil {
			return nil, err
		}
		logoExt = strings.ToLower(path.Ext(logoFile))
		a.add(LogoName+logoExt, b)
		logo, ok = a.byName[LogoName+logoExt], true
	}
	if ok {
		a.byName[LogoName] = logo
		a.urls[LogoName] = a.urls[LogoName+logoExt]
	}
	return a, nil
}

func (a *Assets) add(name string, b []byte) {
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])[:12]
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hash + ext
	ctype := mime.TypeByExtension(ext)
	if ctype == "" {
		ctype = http.DetectContentType(b)
	}
	as := &asset{body: b, ctype: ctype, etag: `"` + hash + `"`}
	if compressible(ctype) && len(b) > 512 {
		as.gz = gzipped(sum, b)
	}
	a.byURL[hashed] = as
	a.byName[name] = as
	a.urls[name] = "/static/" + hashed
}

// URL returns the content-hashed URL of a logical name, for templates.
func (a *Assets) URL(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/static/" + name
}

// serve handles GET /static/*path.
func (a *Assets) serve(c *gin.Context) {
	p := strings.TrimPrefix(c.Param("path"), "/")
	as, immutable := a.byURL[p]
	if !immutable {
		// An unhashed name still works (old mails, bookmarks) but must be
		// revalidated, since its content can change under the same URL.
		as = a.byName[p]
	}
	if as == nil {
		c.Status(http.StatusNotFound)
		c.Abort()
		return
	}
	h := c.Writer.Header()
	if immutable {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	h.Set("Content-Type", as.ctype)
	h.Set("ETag", as.etag)
	h.Set("Vary", "Accept-Encoding")
	if match := c.GetHeader("If-None-Match"); match == as.etag {
		c.Status(http.StatusNotModified)
		return
	}
	body := as.body
	if as.gz != nil && acceptsGzip(c.Request) {
		h.Set("Content-Encoding", "gzip")
		body = as.gz
	}
	c.Set(skipCompressionKey, true)
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	_, _ = c.Writer.Write(body)
}

func compressible(ctype string) bool {
	ct, _, _ := strings.Cut(ctype, ";")
	switch {
	case strings.HasPrefix(ct, "text/"),
		ct == "application/javascript", ct == "application/json", ct == "image/svg+xml",
		ct == "application/xml", ct == "application/problem+json":
		return true
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(enc), "gzip") {
			continue
		}
		q, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		w, err := strconv.ParseFloat(q, 64)
		return err == nil && w > 0
	}
	return false
}

// compressed keeps each file's gzip form by its SHA-256 for the life of
// the process: the files are the same for every server the process starts
// (tests start hundreds), and BestCompression is the costly part of
// loading them. A nil entry means gzip would not make the file smaller.
var compressed sync.Map // [32]byte → []byte

func gzipped(sum [32]byte, b []byte) []byte {
	if v, ok := compressed.Load(sum); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	var gz []byte
	if buf.Len() < len(b) {
		gz = buf.Bytes()
	}
	compressed.Store(sum, gz)
	return gz
}
