// Command budget measures the participatory-budgeting count (package
// internal/budget/count) on a realistic random instance: voters approve 1–8
// plans, popular plans more often; plans cost €5,000–€250,000; the budget
// is about €1,000,000. It reports the time of each rule and the memory the
// count used (peak heap in use, sampled every millisecond, and bytes
// allocated). Run it alone on a quiet machine:
//
//	go run ./bench/budget                      # 100,000 voters × 50 plans
//	go build -o /tmp/pbcount ./bench/budget && /usr/bin/time -v /tmp/pbcount
//	go test ./bench -run '^$' -bench BudgetCount -benchtime 5x   # in-process, for benchstat
//
// -points gives points ballots (10 points over 1–8 plans) instead.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"inspraak/bench/internal/pbdata"
	"inspraak/internal/budget/count"
)

var (
	voters = flag.Int("voters", 100_000, "ballots")
	plans  = flag.Int("plans", 50, "plans")
	budget = flag.Int64("budget", 1_000_000, "budget in euro")
	seed   = flag.Uint64("seed", 17, "random seed")
	points = flag.Bool("points", false, "points ballots (10 points each) instead of approval")
	reps   = flag.Int("reps", 3, "repetitions of each count (the figures are per count)")
)

func main() {
	flag.Parse()
	in, ballots := pbdata.Instance(*voters, *plans, *budget, *seed, *points)
	if err := count.Validate(in, ballots); err != nil {
		fmt.Fprintln(os.Stderr, "budget:", err)
		os.Exit(1)
	}
	fmt.Printf("%d voters, %d plans, budget €%d, %s ballots, Go %s, GOMAXPROCS %d\n",
		len(ballots), len(in.Plans), in.Budget/100, kind(), runtime.Version(), runtime.GOMAXPROCS(0))
	measure("greedy", func() count.Outcome { return count.Greedy(in, ballots) })
	measure("equal shares + completion", func() count.Outcome { return count.EqualShares(in, ballots) })
}

func kind() string {
	if *points {
		return "points"
	}
	return "approval"
}

func measure(name string, f func() count.Outcome) {
	var best, worst time.Duration
	var out count.Outcome
	var peak atomic.Uint64
	var alloc uint64
	for i := range *reps {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		base := before.HeapInuse
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { // sample the heap in use while counting
			defer close(done)
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			var ms runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					runtime.ReadMemStats(&ms)
					if d := ms.HeapInuse - min(base, ms.HeapInuse); d > peak.Load() {
						peak.Store(d)
					}
				}
			}
		}()
		start := time.Now()
		out = f()
		d := time.Since(start)
		close(stop)
		<-done
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		alloc = after.TotalAlloc - before.TotalAlloc
		if i == 0 || d < best {
			best = d
		}
		worst = max(worst, d)
	}
	fmt.Printf("%-26s best %v, worst %v of %d; heap in use above start ≤ %.1f MB (sampled); allocated %.1f MB per count\n",
		name, best.Round(time.Millisecond), worst.Round(time.Millisecond), *reps,
		float64(peak.Load())/1e6, float64(alloc)/1e6)
	fmt.Printf("%-26s %d plans chosen, €%.2f of €%d spent, per-voter share %d cents\n",
		"", len(out.Selected), float64(out.Spent)/100, *budget, out.PerVoterShare)
	phases := map[string]int{}
	for _, p := range out.Plans {
		if p.Status == count.StatusSelected {
			phases[p.Phase]++
		}
	}
	keys := make([]string, 0, len(phases))
	for k := range phases {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Printf("%-26s   %s: %d\n", "", k, phases[k])
	}
}
