package ratelimit_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/ratelimit"
	"inspraak/internal/testdb"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

var policy = ratelimit.Policy{Rules: map[ratelimit.Action]ratelimit.Rule{
	ratelimit.Comment: {Limit: 5, Window: time.Minute},
	ratelimit.Login:   {Limit: 3, Window: time.Minute},
}, AddressFactor: 2}

// stores runs a test on the memory store and on the table.
func stores(t *testing.T, run func(t *testing.T, s ratelimit.Store)) {
	t.Run("memory", func(t *testing.T) { run(t, ratelimit.NewMemoryStore()) })
	t.Run("table", func(t *testing.T) { run(t, ratelimit.NewDBStore(testdb.Open(t).DB)) })
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func take(t *testing.T, l *ratelimit.Limiter, a ratelimit.Action, who ratelimit.Who) ratelimit.Decision {
	t.Helper()
	d, err := l.Take(context.Background(), a, who)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestLimitRefusesOverTheLimitAndSaysWhenToComeBack(t *testing.T) {
	stores(t, func(t *testing.T, s ratelimit.Store) {
		l := ratelimit.New(policy, s, []byte("k"))
		clk := &clock{time.Unix(1_800_000_000, 0)} // the start of a window
		l.SetClock(clk.now)
		me := ratelimit.Who{Participant: 7}
		for i := range 5 {
			if d := take(t, l, ratelimit.Comment, me); !d.Allowed {
				t.Fatalf("hit %d refused", i+1)
			}
		}
		d := take(t, l, ratelimit.Comment, me)
		if d.Allowed {
			t.Fatal("6th comment in a minute allowed, limit 5")
		}
		// 6 hits in this window: the next fits once 6·(1−g)+1 ≤ 5 in the next window.
		if d.RetryAfter <= time.Minute || d.RetryAfter > 2*time.Minute {
			t.Fatalf("retry after %v, want between 1 and 2 minutes", d.RetryAfter)
		}
		// Someone else is not affected.
		if d := take(t, l, ratelimit.Comment, ratelimit.Who{Participant: 8}); !d.Allowed {
			t.Fatal("another participant refused")
		}
		// Just before the promised time: still refused (it counts too);
		// at the promised time after that refusal: allowed.
		clk.t = clk.t.Add(d.RetryAfter - 5*time.Second)
		d2 := take(t, l, ratelimit.Comment, me)
		if d2.Allowed {
			t.Fatal("allowed before Retry-After")
		}
		clk.t = clk.t.Add(d2.RetryAfter)
		if d := take(t, l, ratelimit.Comment, me); !d.Allowed {
			t.Fatalf("refused after waiting Retry-After (%v)", d2.RetryAfter)
		}
	})
}

func TestSlidingWindowCountsTheWindowBefore(t *testing.T) {
	stores(t, func(t *testing.T, s ratelimit.Store) {
		l := ratelimit.New(policy, s, []byte("k"))
		clk := &clock{time.Unix(1_800_000_000+50, 0)} // late in a window
		l.SetClock(clk.now)
		me := ratelimit.Who{Participant: 7}
		for range 5 {
			take(t, l, ratelimit.Comment, me)
		}
		// 15 s later, in the next window: 5·(1−0.08)+1 > 5, refused; a fixed
		// window would have allowed a second burst of 5 here.
		clk.t = clk.t.Add(15 * time.Second)
		if d := take(t, l, ratelimit.Comment, me); d.Allowed {
			t.Fatal("burst right after a window boundary allowed")
		}
		// Three windows later everything is forgotten.
		clk.t = clk.t.Add(3 * time.Minute)
		if d := take(t, l, ratelimit.Comment, me); !d.Allowed {
			t.Fatal("refused long after")
		}
	})
}

func TestAddressCountsAloneOrAsASharedNet(t *testing.T) {
	stores(t, func(t *testing.T, s ratelimit.Store) {
		l := ratelimit.New(policy, s, []byte("k"))
		l.SetClock((&clock{time.Unix(1_800_000_000, 0)}).now)
		// Login: the address is all there is; limit 3.
		for range 3 {
			if !take(t, l, ratelimit.Login, ratelimit.Who{Address: "192.0.2.1"}).Allowed {
				t.Fatal("login refused under the limit")
			}
		}
		if take(t, l, ratelimit.Login, ratelimit.Who{Address: "192.0.2.1"}).Allowed {
			t.Fatal("4th login start from one address allowed")
		}
		if !take(t, l, ratelimit.Login, ratelimit.Who{Address: "192.0.2.2"}).Allowed {
			t.Fatal("another address refused")
		}
		// IPv6: one /64 is one address.
		for range 3 {
			take(t, l, ratelimit.Login, ratelimit.Who{Address: "2001:db8:1:2::" + "1"})
		}
		if take(t, l, ratelimit.Login, ratelimit.Who{Address: "2001:db8:1:2:ffff::9"}).Allowed {
			t.Fatal("another address of the same /64 allowed")
		}
		// Comments: 5 per participant, and 5×2 per address for all of them.
		for p := int64(1); p <= 2; p++ {
			for range 5 {
				if !take(t, l, ratelimit.Comment, ratelimit.Who{Participant: p, Address: "198.51.100.1"}).Allowed {
					t.Fatal("refused under both limits")
				}
			}
		}
		if take(t, l, ratelimit.Comment, ratelimit.Who{Participant: 3, Address: "198.51.100.1"}).Allowed {
			t.Fatal("11th comment from one address allowed, address limit 10")
		}
	})
}

func TestNoRuleOrNoLimiterAllowsEverything(t *testing.T) {
	var l *ratelimit.Limiter
	if d, err := l.Take(context.Background(), ratelimit.Idea, ratelimit.Who{Participant: 1}); err != nil || !d.Allowed {
		t.Fatal("a nil limiter refused")
	}
	l = ratelimit.New(policy, ratelimit.NewMemoryStore(), []byte("k"))
	for range 100 {
		if !take(t, l, ratelimit.Idea, ratelimit.Who{Participant: 1}).Allowed {
			t.Fatal("an action without a rule was refused")
		}
	}
}

// Two limiters on one database are two instances: they share the count.
// The table holds neither the address nor the participant, and cleaning
// removes rows once their windows are over.
func TestTableIsSharedHoldsNoIdentityAndIsCleaned(t *testing.T) {
	db := testdb.Open(t)
	clk := &clock{time.Unix(1_800_000_000, 0)}
	a := ratelimit.New(policy, ratelimit.NewDBStore(db.DB), []byte("k"))
	b := ratelimit.New(policy, ratelimit.NewDBStore(db.DB), []byte("k"))
	a.SetClock(clk.now)
	b.SetClock(clk.now)
	who := ratelimit.Who{Address: "203.0.113.77"}
	var wg sync.WaitGroup
	allowed := make(chan bool, 20)
	for i := range 20 {
		l := a
		if i%2 == 1 {
			l = b
		}
		wg.Go(func() {
			d, err := l.Take(context.Background(), ratelimit.Login, who)
			if err != nil {
				t.Error(err)
			}
			allowed <- d.Allowed
		})
	}
	wg.Wait()
	close(allowed)
	n := 0
	for ok := range allowed {
		if ok {
			n++
		}
	}
	if n != 3 {
		t.Fatalf("%d of 20 login starts over two instances allowed, want the limit 3", n)
	}
	var rows []ratelimit.Row
	if err := db.Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Hits != 20 {
		t.Fatalf("rows = %+v, want one counter with 20 hits", rows)
	}
	if strings.Contains(rows[0].Bucket, "203.0.113") || strings.Contains(rows[0].Bucket, "login") {
		t.Fatalf("the bucket %q shows what it counts", rows[0].Bucket)
	}
	clk.t = clk.t.Add(90 * time.Second)
	if n, err := a.Clean(context.Background()); err != nil || n != 0 {
		t.Fatalf("cleaned %d (%v) while the row still counts", n, err)
	}
	clk.t = clk.t.Add(time.Minute)
	if n, err := a.Clean(context.Background()); err != nil || n != 1 {
		t.Fatalf("cleaned %d (%v), want the expired row", n, err)
	}
}
