package idea

import (
	"container/list"
	"sync"
	"time"

	"gorm.io/gorm"
)

// The board's ordered lists are kept per instance (listCache), keyed by
// board, order and filter, and labelled with the board's list_version.
// Every write that changes which ideas are public, what they say or where
// they stand in the newest or random order bumps that number in its own
// transaction (bumpList); a page reads it with the board row it loads
// anyway and rebuilds a kept list only when the number moved. Supports do
// not bump it: that would make one row per board the hot row every
// support waits for. The most-supported order is instead rebuilt when it
// is older than supportListAge, at most once a second per board and
// filter, and only when a page asks for it; the counts a page shows are
// always read fresh from its own rows.

// supportListAge is how long a most-supported list is used before it is
// read again, whatever the version says.
const supportListAge = time.Second

// RandomOrders is how many random orders visitors share: each seed maps to
// one of them, so a random page needs no sort per visitor.
const RandomOrders = 64

// bumpList marks a board's kept lists as outdated, inside the transaction
// of the write that makes them so.
func bumpList(tx *gorm.DB, instrumentID int64) error {
	return tx.Model(&Board{}).Where("instrument_id = ?", instrumentID).
		UpdateColumn("list_version", gorm.Expr("list_version + 1")).Error
}

// listKey names one kept list.
type listKey struct {
	board  int64
	kind   string // "id" (by id, the random orders' base), a sort order, or "search"
	theme  int64
	status Status
	all    bool
	bucket int    // which random order
	term   string // search term
}

type listEntry struct {
	key     listKey
	version int64
	built   time.Time
	ids     []int64
	maxID   int64              // the highest id in ids
	set     map[int64]struct{} // search results, for membership
}

func (e *listEntry) cost() int {
	if e.set != nil {
		return 4*len(e.ids) + 1 // a map costs several times a slice
	}
	return len(e.ids) + 1
}

type flight struct {
	done chan struct{}
	e    *listEntry
	err  error
}

// listCache is a size-capped LRU of kept lists. Its budget counts ids
// (8 bytes each in a slice), so memory stays bounded however many boards,
// filters, random orders and search terms are asked for.
type listCache struct {
	mu      sync.Mutex
	budget  int
	size    int
	lru     *list.List // of *listEntry, most recent first
	entries map[listKey]*list.Element
	flights map[listKey]*flight
	clock   func() time.Time
}

// defaultListBudget is about 32 MB of ids.
const defaultListBudget = 4 << 20

func newListCache(budget int) *listCache {
	return &listCache{budget: budget, lru: list.New(), entries: map[listKey]*list.Element{},
		flights: map[listKey]*flight{}, clock: time.Now}
}

// get returns the kept list for k if it is at least version (and, when
// maxAge > 0, younger than that), building it otherwise. One build per key
// runs at a time; pages asking meanwhile wait for it.
func (c *listCache) get(k listKey, version int64, maxAge time.Duration, build func() (*listEntry, error)) (*listEntry, error) {
	c.mu.Lock()
	if el, ok := c.entries[k]; ok {
		e := el.Value.(*listEntry)
		if e.version >= version && (maxAge == 0 || c.clock().Sub(e.built) < maxAge) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return e, nil
		}
	}
	if f, ok := c.flights[k]; ok {
		c.mu.Unlock()
		<-f.done
		if f.err != nil || f.e.version < version {
			// The build failed (its page may have gone away) or was for
			// an older version, perhaps read before the write this page
			// already saw: build again, with this page's own context.
			return c.get(k, version, maxAge, build)
		}
		return f.e, nil
	}
	f := &flight{done: make(chan struct{})}
	c.flights[k] = f
	c.mu.Unlock()

	// The version is taken before the read: the list is at least as new
	// as the number it is labelled with.
	e, err := build()
	c.mu.Lock()
	delete(c.flights, k)
	if err == nil {
		e.key, e.version, e.built = k, version, c.clock()
		c.put(e)
	}
	c.mu.Unlock()
	f.e, f.err = e, err
	close(f.done)
	return e, err
}

func (c *listCache) put(e *listEntry) {
	if el, ok := c.entries[e.key]; ok {
		old := el.Value.(*listEntry)
		if old.version > e.version {
			return
		}
		c.size -= old.cost()
		c.lru.Remove(el)
		delete(c.entries, e.key)
	}
	if e.cost() > c.budget {
		return // used by this page, not kept
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.size += e.cost()
	for c.size > c.budget {
		el := c.lru.Back()
		old := el.Value.(*listEntry)
		c.lru.Remove(el)
		delete(c.entries, old.key)
		c.size -= old.cost()
	}
}

// held reports how many lists and ids the cache holds (tests).
func (c *listCache) held() (lists, ids int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.size
}
