package web

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"inspraak/internal/idea"
)

// pageCache keeps the rendered idea board pages that anonymous visitors
// see, for a moment (INSPRAAK_PAGE_CACHE, one second by default), so a
// busy board is rendered about once a second per address and order
// instead of once per visit: rendering the 20 cards is most of a page's
// cost (measured in bench/ideas).
//
// What it promises:
//   - Only visitors without a session, staff session or pending message
//     get a kept page; a resident who is logged in (who just supported,
//     commented or submitted) always gets a fresh one.
//   - Any write request this instance answers (any method but GET, HEAD
//     and OPTIONS) drops every kept page: a support, comment, idea or
//     editor change made here shows on the next page view.
//   - A write on another instance, or a moment that opens or closes the
//     board, shows within twice the keeping time (a page out of its
//     moment is still served while one request renders it afresh); the
//     board's other caches promise about the same (docs/architecture.md,
//     "At city scale").
//
// Entries are keyed by language, the address (path and query) and, for
// the random order, the visitor's order bucket (idea.RandomBucket): the
// 64 random orders a board keeps.
type pageCache struct {
	ttl time.Duration
	now func() time.Time
	// gen counts this instance's write requests; an entry made under an
	// older generation is not served.
	gen atomic.Uint64

	mu    sync.Mutex
	bytes int
	addrs map[string]*keptAddress
}

// maxPageCacheBytes bounds what the kept pages hold (raw and gzipped).
const maxPageCacheBytes = 32 << 20

// keptAddress holds the kept pages of one address in one language: one
// page, or one per order bucket for the random order.
type keptAddress struct {
	random bool
	pages  map[int]*keptPage
}

type keptPage struct {
	gen  uint64
	at   time.Time
	html []byte
	gz   []byte
	// renewing is set for the one request that renders the page again
	// once its moment is over.
	renewing atomic.Bool
}

func (k *keptPage) size() int { return len(k.html) + len(k.gz) }

func newPageCache(ttl time.Duration, now func() time.Time) *pageCache {
	if ttl <= 0 {
		return nil
	}
	return &pageCache{ttl: ttl, now: now, addrs: map[string]*keptAddress{}}
}

// bumpOnWrite drops every kept page once a write request has been handled
// (its transaction committed): a render that began before the write
// carries the older generation and is not served.
func (pc *pageCache) bumpOnWrite() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		switch c.Request.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			return
		}
		if pc != nil {
			pc.gen.Add(1)
		}
	}
}

// anonymous says whether the request may be answered from the cache:
// a GET without any session or message cookie.
func (s *Server) anonymous(c *gin.Context) bool {
	if c.Request.Method != http.MethodGet || residentOf(c) != nil || staffOf(c) != nil {
		return false
	}
	for _, name := range []string{s.residentCookie(), s.staffCookie(), flashCookie} {
		if _, err := c.Request.Cookie(name); err == nil {
			return false
		}
	}
	return true
}

// keptSpot is where a fresh page goes in the cache: its address key, and
// the generation read before the page's data.
type keptSpot struct {
	key string
	gen uint64
	ok  bool
}

// serveKept answers the request from the cache if it can. Otherwise it
// says where the page the handler renders may be kept (not ok: nowhere).
func (s *Server) serveKept(c *gin.Context) (keptSpot, bool) {
	pc := s.pages
	if pc == nil || !s.anonymous(c) {
		return keptSpot{}, false
	}
	spot := keptSpot{key: langOf(c) + "\x00" + c.Request.URL.RequestURI(), gen: pc.gen.Load(), ok: true}
	k := pc.servable(spot, func() uint64 {
		// Only board addresses are kept, so the seed cookie this may set
		// is the one the board page sets anyway.
		return s.orderSeed(c)
	})
	if k == nil {
		return spot, false
	}
	writeKept(c, k)
	return keptSpot{}, true
}

// servable is the kept page for spot that may be served now, or nil; seed
// gives the visitor's random-order seed when the address keeps one page
// per order bucket.
func (pc *pageCache) servable(spot keptSpot, seed func() uint64) *keptPage {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	a := pc.addrs[spot.key]
	if a == nil {
		return nil
	}
	bucket := 0
	if a.random {
		bucket = idea.RandomBucket(seed())
	}
	k := a.pages[bucket]
	if k == nil || k.gen != spot.gen {
		return nil
	}
	if age := pc.now().Sub(k.at); age >= pc.ttl {
		// Out of its moment: one request renders the page afresh, and
		// while it does the others still get this one (else every request
		// of that instant renders at once, and a busy address's slowest
		// requests are those renders) — but never past twice the keeping
		// time, in case the renewing request failed.
		if age >= 2*pc.ttl || k.renewing.CompareAndSwap(false, true) {
			return nil
		}
	}
	return k
}

// keep stores a rendered page (random: in the visitor's random order,
// seed) and sends it.
func (s *Server) keep(c *gin.Context, spot keptSpot, random bool, seed uint64, html []byte) {
	k := &keptPage{gen: spot.gen, at: s.pages.now(), html: html}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	_, _ = zw.Write(html)
	if zw.Close() == nil {
		k.gz = buf.Bytes()
	}
	bucket := 0
	if random {
		bucket = idea.RandomBucket(seed)
	}
	s.pages.put(spot.key, random, bucket, k)
	writeKept(c, k)
}

func (pc *pageCache) put(key string, random bool, bucket int, k *keptPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	a := pc.addrs[key]
	if a == nil || a.random != random {
		if a != nil {
			pc.drop(key, a)
		}
		a = &keptAddress{random: random, pages: map[int]*keptPage{}}
		pc.addrs[key] = a
	}
	if old := a.pages[bucket]; old != nil {
		pc.bytes -= old.size()
		delete(a.pages, bucket)
	}
	if pc.bytes+k.size() > maxPageCacheBytes {
		// Full: drop what is stale, and keep nothing new if that is not
		// enough (the next second's pages find room).
		now, gen := pc.now(), pc.gen.Load()
		for key, a := range pc.addrs {
			for b, old := range a.pages {
				if old.gen != gen || now.Sub(old.at) >= pc.ttl {
					pc.bytes -= old.size()
					delete(a.pages, b)
				}
			}
			if len(a.pages) == 0 {
				delete(pc.addrs, key)
			}
		}
		if pc.bytes+k.size() > maxPageCacheBytes {
			return
		}
		if pc.addrs[key] == nil {
			pc.addrs[key] = a
		}
	}
	a.pages[bucket] = k
	pc.bytes += k.size()
}

func (pc *pageCache) drop(key string, a *keptAddress) {
	for _, old := range a.pages {
		pc.bytes -= old.size()
	}
	delete(pc.addrs, key)
}

// writeKept sends a kept page, gzipped when the client takes it (the
// compress middleware passes a body that is encoded already).
func writeKept(c *gin.Context, k *keptPage) {
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	body := k.html
	if k.gz != nil && acceptsGzip(c.Request) {
		h.Set("Content-Encoding", "gzip")
		h.Add("Vary", "Accept-Encoding")
		body = k.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	c.Status(http.StatusOK)
	_, _ = c.Writer.Write(body)
}
