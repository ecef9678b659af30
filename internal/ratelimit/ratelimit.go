// Package ratelimit counts what one participant, one client address or one
// API key does in a sliding window, and says when it is too much.
//
// Counters live in a Store: PostgreSQL (the rate_limits table, one upsert
// per request, shared by every instance on the database) or memory (one
// process, for SQLite). A counter is named by an HMAC of the action, the
// window length and who did it, so neither the table nor memory holds a
// client address, a participant or an API key itself, and a row is gone
// two windows after its last use.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net"
	"slices"
	"strconv"
	"time"
)

// Action is something limited.
type Action string

// The limited actions.
const (
	Login   Action = "login"   // starting a login (DigiD, eHerkenning, staff)
	Idea    Action = "idea"    // submitting a new idea
	Comment Action = "comment" // a comment or reply on an idea
	Report  Action = "report"  // reporting an idea or comment
	Support Action = "support" // supporting an idea or taking it back
	Vote    Action = "vote"    // a poll ballot or a questionnaire screen
	Email   Action = "email"   // a confirmation mail to a new address
	API     Action = "api"     // a call of the JSON API
)

// Actions lists every action, in the order the documentation shows them.
var Actions = []Action{Login, Idea, Comment, Report, Support, Vote, Email, API}

// Rule is at most Limit hits per Window. A zero Limit means no limit.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Policy is the set of rules.
type Policy struct {
	Rules map[Action]Rule
	// AddressFactor multiplies an action's limit for the client address
	// when a participant or an API key is counted too (several people can
	// share one address: a library, an office, a school). 0 means the
	// address is counted only where nobody is known (login, anonymous API).
	AddressFactor int
}

// Who did it. Empty fields are not counted.
type Who struct {
	Participant int64
	Address     string // the client address as gin's ClientIP gives it
	APIKey      string
}

// Decision is the answer for one hit.
type Decision struct {
	Allowed bool
	// RetryAfter is how long to wait before the same request would be
	// allowed, when it was not (at least one second).
	RetryAfter time.Duration
}

// Seconds is RetryAfter in whole seconds, rounded up, for Retry-After.
func (d Decision) Seconds() int { return int(math.Ceil(d.RetryAfter.Seconds())) }

// Minutes is RetryAfter in whole minutes, rounded up, at least 1.
func (d Decision) Minutes() int { return max(1, int(math.Ceil(d.RetryAfter.Minutes()))) }

// Count is a counter as a store returns it after a hit: hits in the
// current window (this one included) and in the window before.
type Count struct {
	Current, Previous int
}

// Store keeps the counters.
type Store interface {
	// Add counts one hit in each bucket for window number window and
	// returns each bucket's count. A bucket is useless after expires (unix
	// seconds).
	Add(ctx context.Context, buckets []string, window, expires int64) (map[string]Count, error)
	// Clean removes counters that expired before now (unix seconds).
	Clean(ctx context.Context, now int64) (int64, error)
}

// Limiter applies a Policy with a Store.
type Limiter struct {
	policy Policy
	store  Store
	key    []byte
	now    func() time.Time
}

// New makes a limiter. key names the counters (an HMAC key); nil store or
// a nil *Limiter allows everything.
func New(p Policy, s Store, key []byte) *Limiter {
	return &Limiter{policy: p, store: s, key: key, now: time.Now}
}

// SetClock replaces the clock (tests).
func (l *Limiter) SetClock(now func() time.Time) { l.now = now }

// Rule returns the rule of an action.
func (l *Limiter) Rule(a Action) Rule {
	if l == nil {
		return Rule{}
	}
	return l.policy.Rules[a]
}

// counter is one bucket with its limit.
type counter struct {
	bucket string
	limit  int
}

// Take counts one hit of action a by who, and says whether it is allowed.
// Every counter that applies is counted in one store call, refused hits
// too: someone who keeps trying keeps being refused. An error from the
// store comes back with an allowing decision; the caller logs it and lets
// the request through rather than refuse residents for a counting fault.
func (l *Limiter) Take(ctx context.Context, a Action, who Who) (Decision, error) {
	allow := Decision{Allowed: true}
	if l == nil || l.store == nil {
		return allow, nil
	}
	r := l.policy.Rules[a]
	if r.Limit <= 0 || r.Window < time.Second {
		return allow, nil
	}
	var cs []counter
	if who.Participant != 0 {
		cs = append(cs, counter{l.bucket(a, r, "participant", strconv.FormatInt(who.Participant, 10)), r.Limit})
	}
	if who.APIKey != "" {
		cs = append(cs, counter{l.bucket(a, r, "key", who.APIKey), r.Limit})
	}
	if addr := AddressKey(who.Address); addr != "" {
		switch {
		case len(cs) == 0:
			cs = append(cs, counter{l.bucket(a, r, "address", addr), r.Limit})
		case l.policy.AddressFactor > 0:
			// A counter of its own: calls without a key from an address
			// do not share the count of the keyed calls from it.
			cs = append(cs, counter{l.bucket(a, r, "address-all", addr), r.Limit * l.policy.AddressFactor})
		}
	}
	if len(cs) == 0 {
		return allow, nil
	}
	// One lock order for every caller: PostgreSQL never deadlocks two
	// requests that count the same two rows.
	slices.SortFunc(cs, func(x, y counter) int {
		if x.bucket < y.bucket {
			return -1
		}
		return 1
	})
	buckets := make([]string, len(cs))
	for i, c := range cs {
		buckets[i] = c.bucket
	}
	now := l.now()
	w := int64(r.Window / time.Second)
	window := now.Unix() / w
	counts, err := l.store.Add(ctx, buckets, window, (window+2)*w)
	if err != nil {
		return allow, err
	}
	// Where in the current window we are, 0 ≤ f < 1.
	start := time.Unix(window*w, 0)
	f := float64(now.Sub(start)) / float64(r.Window)
	d := allow
	for _, c := range cs {
		n := counts[c.bucket]
		if estimate(n, f) <= float64(c.limit) {
			continue
		}
		d.Allowed = false
		d.RetryAfter = max(d.RetryAfter, wait(n, c.limit, f, r.Window))
	}
	if !d.Allowed {
		d.RetryAfter = max(d.RetryAfter, time.Second)
	}
	return d, nil
}

// estimate is the sliding-window count: all of this window's hits and the
// part of the previous window's that still lies inside the last Window.
func estimate(n Count, f float64) float64 {
	return float64(n.Previous)*(1-f) + float64(n.Current)
}

// wait is how long until one more hit would fit under limit, if nothing
// else is counted meanwhile; f is where in the current window we are.
func wait(n Count, limit int, f float64, window time.Duration) time.Duration {
	// Later in this window: prev·(1−g) + cur + 1 ≤ limit.
	if n.Current+1 <= limit && n.Previous > 0 {
		g := 1 - float64(limit-n.Current-1)/float64(n.Previous)
		if g < 1 {
			return time.Duration(math.Max(0, g-f) * float64(window))
		}
	}
	// In the next window: cur·(1−g) + 1 ≤ limit.
	g := 0.0
	if n.Current > 0 {
		g = math.Max(0, 1-float64(limit-1)/float64(n.Current))
	}
	return time.Duration((1 - f + g) * float64(window))
}

// bucket names a counter without holding who it counts.
func (l *Limiter) bucket(a Action, r Rule, scope, value string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(string(a) + "\x00" + strconv.FormatInt(int64(r.Window/time.Second), 10) + "\x00" + scope + "\x00" + value))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Clean removes expired counters.
func (l *Limiter) Clean(ctx context.Context) (int64, error) {
	if l == nil || l.store == nil {
		return 0, nil
	}
	return l.store.Clean(ctx, l.now().Unix())
}

// AddressKey is what counts of a client address: an IPv4 address itself,
// and for IPv6 its /64 network, since one household or one attacker holds
// a whole /64. Anything else counts as given ("" stays "").
func AddressKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil {
		return addr
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// DeriveKey makes the counters' HMAC key from the session key, so no new
// secret is needed and the key is not one used for anything else.
func DeriveKey(sessionKey []byte) []byte {
	m := hmac.New(sha256.New, sessionKey)
	m.Write([]byte("inspraak rate limit counters v1"))
	return m.Sum(nil)
}
