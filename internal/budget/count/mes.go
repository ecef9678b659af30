package count

import (
	"bytes"
	"cmp"
	"math"
	"math/big"
	"slices"
)

// Arithmetic of the Method of Equal Shares.
//
// Shares and payments are rational numbers: €10.00 over three voters is
// 333⅓ cents each, and a plan of 1000 cents paid by three supporters costs
// each 333⅓. Rounding to cents (333 each, 999 together) would refuse that
// plan, and rounding in general would decide close calls. So all money in
// the count is exact, and every decision (who pays all they have left,
// which plan is cheapest per unit of utility, whether supporters can pay)
// is an exact comparison; the outcome never depends on rounding.
//
// How, without big.Rat's gcd on every step: all money is a big.Int
// numerator over a denominator shared by everybody, which changes only
// when a plan is paid for (its price divides by the paying supporters'
// utility, so the new denominator is the old one times that utility). A
// numerator is brought to the newest denominator only when it takes part
// in exact arithmetic. In front of every exact comparison sits a float64
// computation with a proven error bound (each operation contributes at
// most a relative 2^-53, counted generously as 1e-15): when the values
// are further apart than the bound the float answer is certain, otherwise
// the exact numbers decide. Floats never decide a close call.
//
// What keeps this fast for 100,000 voters: voters with the same money left
// form one "class" (at the start everyone is in one class; when a plan is
// paid for, its supporters in a class move to a new class), so the
// arithmetic is per class and per plan, not per voter. The per-voter work
// is one integer look-up per supporter of a plan evaluated, and even that
// is mostly saved: which voters are in which class depends only on the
// plans paid for and where each paying group went, not on the share, so
// a completion count whose payments went as the previous count's takes
// the supporters per class from it (mesCount.memo). Voters are numbered
// so that those in one class sit side by side (voterOrder).
//
// The completion (add1) raises the per-voter share one cent at a time and
// recounts. Recounting at every cent takes as many counts as cents (about
// a thousand for a realistic city), so every completion count also works
// out how many cents the share can rise before any of its decisions could
// come out differently, and the counts in between are skipped: they have
// the same outcome. The bound (see mesRun.sigma, lambda and the track*
// functions): raising the share only adds money, so (with the same
// decisions) every class's money rises and every price falls; how fast is
// bounded per class (sigma) and per price (lambda), and each decision
// (this plan is cheaper than that one; these supporters cannot pay that
// plan) stays the same until the bounds could meet. Skipping gives the
// same result as counting at every cent; tests check this against a
// separate, literal implementation on thousands of random instances.

// mesCount holds the ballots in the shape the counts need.
type mesCount struct {
	n      int
	cost   []int64
	votes  []int64
	supp   [][]int32 // per plan: the voters who support it
	util   [][]int64 // per plan, parallel to supp: utility (points); nil for approval ballots
	util8  [][]uint8 // util as bytes when stride > 0 (points ballots): a quarter of the memory to stream
	points bool
	// stride: when utilities are small (at most maxDense), class k and
	// utility u are counted at k*stride+u in flat arrays (approval: at k,
	// stride 1); 0 otherwise.
	stride int
	cands  []int // plans with at least one supporter
	counts int   // equal-shares counts done (for measurements)
	// Buffers of counts no longer needed, for the next count.
	spare []*mesRun
	// memo[s]: the supporters per class of the plans counted after s plans
	// were paid for in the newest count (memoRun), and how that count went
	// on from there; see mesRun.aggregate.
	memo    []*memoState
	memoRun *mesRun
	// memoRoom is how many more entries the memo may hold: it stops
	// growing at four times the ballots' (plan, voter) pairs; -1: no memo.
	memoRoom int
	// memoCheck (tests): every entry list found in the memo is checked
	// against counting the supporters again; memoHits counts them.
	memoCheck bool
	memoHits  int
}

// memoState is what the newest count had after paying for s plans (s is
// its index in mesCount.memo).
//
// Which voters are in which class (and the classes' numbers) after s
// payments follows from the plan paid each time and which class each
// paying entry's voters went to (nk, in the order of the entries); not
// from the share. So a count whose payments so far went exactly as the
// newest count's (same plans, same nk: compared in full, not hashed) has
// the same classes, and the same entries for every plan; the completion's
// counts, a few cents apart, mostly do for many rounds.
type memoState struct {
	plan int     // the plan paid next, -1 if none recorded
	nk   []int32 // where that payment's entries went
	has  []bool  // per plan: ents[p] holds its entries in this state
	ents [][]entry
}

// memoAt is memo[s], made (empty) if it does not exist.
func (mc *mesCount) memoAt(s int) *memoState {
	for len(mc.memo) <= s {
		m := len(mc.cost)
		mc.memo = append(mc.memo, &memoState{plan: -1, has: make([]bool, m), ents: make([][]entry, m)})
	}
	return mc.memo[s]
}

// forget empties memo[s] and every later state.
func (mc *mesCount) forget(s int) {
	for _, st := range mc.memo[min(s, len(mc.memo)):] {
		st.plan = -1
		st.nk = st.nk[:0]
		clear(st.has)
	}
}

func newMESCount(in Instance, ballots []Ballot, v []int64) *mesCount {
	m := len(in.Plans)
	mc := &mesCount{n: len(ballots), cost: make([]int64, m), votes: v, supp: make([][]int32, m)}
	s := supporters(m, ballots)
	for i, p := range in.Plans {
		mc.cost[i] = p.Cost
		mc.supp[i] = make([]int32, 0, s[i])
		if s[i] > 0 {
			mc.cands = append(mc.cands, i)
		}
	}
	for _, b := range ballots {
		if b.Points != nil {
			mc.points = true
			break
		}
	}
	if mc.points {
		mc.util = make([][]int64, m)
		for i := range mc.util {
			mc.util[i] = make([]int64, 0, s[i])
		}
	}
	maxU := int64(1)
	for nv, vi := range voterOrder(m, ballots, v) {
		b := ballots[vi]
		for j, p := range b.Approved {
			mc.supp[p] = append(mc.supp[p], int32(nv))
			if mc.points {
				mc.util[p] = append(mc.util[p], b.Points[j])
				maxU = max(maxU, b.Points[j])
			}
		}
	}
	for _, sp := range mc.supp {
		mc.memoRoom += 4 * len(sp)
	}
	switch {
	case !mc.points:
		mc.stride = 1
	case maxU <= maxDense:
		mc.stride = int(maxU) + 1
		mc.util8 = make([][]uint8, m)
		for i, us := range mc.util {
			mc.util8[i] = make([]uint8, len(us))
			for j, u := range us {
				mc.util8[i][j] = uint8(u)
			}
		}
	}
	return mc
}

// keyPlans is how many plans (those with the most votes) voterOrder
// looks at.
const keyPlans = 32

// voterOrder numbers the voters for the count (the count's voter k is
// ballots[order[k]]): sorted by what they gave the plans with the most
// votes, in that order. Which number a voter gets changes nothing in the
// count (voters are only ever counted per class), but voters in one class
// (same money left) gave the same to the plans paid for so far, mostly the
// ones with many votes; numbered side by side, their classes are looked up
// side by side in memory as the count walks a plan's supporters in number
// order, instead of all over it.
func voterOrder(m int, ballots []Ballot, v []int64) []int {
	plans := make([]int, m)
	for i := range plans {
		plans[i] = i
	}
	slices.SortStableFunc(plans, func(a, b int) int { return cmp.Compare(v[b], v[a]) })
	w := min(m, keyPlans)
	rank := make([]int, m)
	for i := range rank {
		rank[i] = -1
	}
	for i, p := range plans[:w] {
		rank[p] = i
	}
	key := make([]byte, len(ballots)*w)
	for vi, b := range ballots {
		for j, p := range b.Approved {
			if rank[p] < 0 {
				continue
			}
			u := byte(1)
			if b.Points != nil {
				u = byte(min(b.Points[j], 255))
			}
			key[vi*w+rank[p]] = u
		}
	}
	order := make([]int, len(ballots))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return bytes.Compare(key[a*w:(a+1)*w], key[b*w:(b+1)*w])
	})
	return order
}

// better reports whether plan a wins a tie (equal price per vote) against
// plan b: more votes, then lower cost, then lower index.
func (mc *mesCount) better(a, b int) bool {
	if mc.votes[a] != mc.votes[b] {
		return mc.votes[a] > mc.votes[b]
	}
	if mc.cost[a] != mc.cost[b] {
		return mc.cost[a] < mc.cost[b]
	}
	return a < b
}

// maxDense is the largest utility counted in flat arrays (see stride);
// the arrays hold (classes × (maxDense+1)) counts.
const maxDense = 16

// entry is the supporters of one plan within one class with one utility.
type entry struct {
	k      int32
	u      int64
	cnt    int64
	capped bool
}

// rel is the relative error allowed for each float64 operation in the
// error bounds below; one rounding is at most 2^-53 (1.1e-16), so this
// leaves room for the conversions of the inputs as well.
const rel = 1e-15

// trackTol is the relative margin on the bounds of the completion's skips.
const trackTol = 1e-6

// price is a plan's price per unit of utility: |f - num/den| <= e; num
// and den are nil until the price has been worked out exactly.
type price struct {
	f, e     float64
	num, den *big.Int
	w        int64 // utility of the supporters paying the full price
}

// mesRun is one equal-shares count with a given per-voter share.
//
// Money is exact: class k has num[k]/den[at[k]] cents left, where den[r]
// is the common denominator after r plans were paid for (den[r] =
// den[r-1]*wr[r]: every payment divides by the paying supporters'
// utility). A class's numerator is brought to the current denominator
// only when it takes part in exact arithmetic, and a class made by a
// payment starts lazy (num[k] nil: its value is its parent's minus pu[k]
// times the price paid in round at[k]) until then. approx[k] is a float64
// copy with |approx[k] - value| <= errb[k].
type mesRun struct {
	mc *mesCount

	den    []*big.Int
	wr     []int64
	rest   []*big.Int // rest[j]: what the uncapped supporters of the j-th plan paid together, over den[j-1]; nil until needed (restOf)
	paid   []payment  // paid[j]: how to work out rest[j]
	num    []*big.Int // nil while lazy (see numAt)
	at     []int32
	par    []int32 // lazy class: the class it came from
	pu     []int64 // lazy class: the utility its voters paid for
	approx []float64
	errb   []float64
	// sigma[k] (tracking only): a bound on how fast class k's value can
	// grow with the per-voter share while the count takes the same
	// decisions.
	sigma []float64
	vc    []int32 // class of each voter; class 0 is "nothing left, for good"

	chosen []int
	avail  []int64 // supporters' money before paying, whole cents down (untracked counts)
	spent  int64

	// Tracking (completion counts): safe is how far (cents per voter) the
	// share can rise with every decision of this count certainly the
	// same; +Inf when nothing could change.
	track bool
	safe  float64

	// scratch
	cnt     []int32
	touched []int32
	pairs   []entry
	ents    []entry
	// bestEnts: the entries of the cheapest plan so far in this round of
	// run (r.ents and bestEnts swap buffers), so that comparing with it
	// and paying for it need not count its supporters again.
	bestEnts []entry
	remap    []int32
	nks      []int32   // pay: the class each entry went to
	zeros    []big.Int // fresh zeros for the numerators of classes left with nothing, made a thousand at a time
	t1, t2   big.Int
	t3       big.Int // numAt's own
}

func (mc *mesCount) newRun(share *big.Rat, track bool) *mesRun {
	r := &mesRun{mc: mc, track: track, safe: math.Inf(1)}
	mc.memoRun = r // every count starts in state 0, the same for all
	if k := len(mc.spare); k > 0 {
		old := mc.spare[k-1]
		mc.spare = mc.spare[:k-1]
		r.vc, r.cnt, r.remap = old.vc, old.cnt, old.remap
		r.touched, r.pairs, r.ents, r.bestEnts = old.touched[:0], old.pairs[:0], old.ents[:0], old.bestEnts[:0]
		clear(old.num) // let the old numerators go
		r.num, r.at, r.par, r.pu = old.num[:0], old.at[:0], old.par[:0], old.pu[:0]
		r.approx, r.errb, r.sigma = old.approx[:0], old.errb[:0], old.sigma[:0]
	} else {
		r.vc = make([]int32, mc.n)
	}
	r.den = []*big.Int{new(big.Int).Set(share.Denom())}
	r.wr = []int64{0}
	r.rest = []*big.Int{nil}
	r.paid = []payment{{}}
	r.addClass(new(big.Int), 0, 0, 0, 0) // class 0
	f, _ := share.Float64()
	r.addClass(new(big.Int).Set(share.Num()), 0, f, f*rel, 1)
	for i := range r.vc {
		r.vc[i] = 1
	}
	return r
}

func (r *mesRun) addClass(num *big.Int, at int, approx, errb, sigma float64) int32 {
	r.num = append(r.num, num)
	r.at = append(r.at, int32(at))
	r.par = append(r.par, 0)
	r.pu = append(r.pu, 0)
	r.approx = append(r.approx, approx)
	r.errb = append(r.errb, errb)
	r.sigma = append(r.sigma, sigma)
	return int32(len(r.num) - 1)
}

func (r *mesRun) round() int { return len(r.den) - 1 }

// addLazy adds the class of the voters of class parent who paid u times
// the price of the plan paid in round j; its numerator is worked out only
// when exact arithmetic needs it (most classes are only ever compared
// through their float copy).
func (r *mesRun) addLazy(parent int32, u int64, j int, approx, errb, sigma float64) int32 {
	k := r.addClass(nil, j, approx, errb, sigma)
	r.par[k], r.pu[k] = parent, u
	return k
}

// zero is a new numerator 0 of its own (numAt multiplies numerators in
// place), cheaper than new(big.Int) for the many classes left with nothing.
func (r *mesRun) zero() *big.Int {
	if len(r.zeros) == 0 {
		r.zeros = make([]big.Int, 1024)
	}
	z := &r.zeros[0]
	r.zeros = r.zeros[1:]
	return z
}

// numNow is class k's numerator over the current denominator.
func (r *mesRun) numNow(k int32) *big.Int { return r.numAt(k, r.round()) }

// numAt is class k's numerator over den[to]; to must not be below the
// round it was last brought to (the current round always qualifies).
func (r *mesRun) numAt(k int32, to int) *big.Int {
	if r.num[k] == nil {
		r.materialize(k)
	}
	for int(r.at[k]) < to {
		r.at[k]++
		r.num[k].Mul(r.num[k], r.t3.SetInt64(r.wr[r.at[k]]))
	}
	return r.num[k]
}

// capped is the number of voters of class k who paid all they had.
type capped struct {
	k   int32
	cnt int64
}

// payment is what is kept of a paid plan to work out rest later.
type payment struct {
	cost   int64
	capped []capped // the supporters who paid all they had
}

// restOf is rest[j], worked out when first needed: the cost minus what
// the capped supporters paid. Their classes' numerators may be over a
// later denominator by now; then so is the sum, and it is divided back
// (exactly) by the payments since.
func (r *mesRun) restOf(j int) *big.Int {
	if r.rest[j] == nil {
		cur := r.round()
		x := new(big.Int).Mul(big.NewInt(r.paid[j].cost), r.den[cur])
		for _, e := range r.paid[j].capped {
			x.Sub(x, r.t1.Mul(r.numNow(e.k), r.t1.SetInt64(e.cnt)))
		}
		f := big.NewInt(1)
		for i := j; i <= cur; i++ {
			f.Mul(f, r.t1.SetInt64(r.wr[i]))
		}
		r.rest[j] = x.Quo(x, f)
	}
	return r.rest[j]
}

// materialize works out the numerator of lazy class k: its value is its
// parent's value minus u*rest[j]/den[j] (j: the round it was made in).
// Over den[a] for a >= j, rest[j]*u is multiplied by the payments after j.
func (r *mesRun) materialize(k int32) {
	j, p := int(r.at[k]), r.par[k]
	if r.num[p] == nil {
		r.materialize(p) // first: that sets the round p's numerator is over
	}
	a := max(int(r.at[p]), j)
	pn := r.numAt(p, a)
	x := new(big.Int).Mul(r.restOf(j), r.t3.SetInt64(r.pu[k]))
	for i := j + 1; i <= a; i++ {
		x.Mul(x, r.t3.SetInt64(r.wr[i]))
	}
	r.num[k] = x.Sub(pn, x)
	r.at[k] = int32(a)
}

// quoFloat is a/b as a float64, within a relative 2^-52.
func quoFloat(a, b *big.Int) float64 {
	x := new(big.Float).SetPrec(64).SetInt(a)
	y := new(big.Float).SetPrec(64).SetInt(b)
	f, _ := x.Quo(x, y).Float64()
	return f
}

// slot is where class k with utility u is counted in the flat arrays.
func (r *mesRun) slot(k int32, u int64) int {
	if !r.mc.points {
		return int(k)
	}
	return int(k)*r.mc.stride + int(u)
}

// aggregate fills r.ents with the supporters of plan c per class (and
// utility), leaving out voters with nothing left for good.
//
// The newest count (mesCount.memoRun) keeps the entries it counted per
// state, and finds them there when the same classes come back (see
// memoState).
func (r *mesRun) aggregate(c int) []entry {
	mc := r.mc
	if mc.memoRun != r || mc.memoRoom < 0 {
		return r.countSupporters(c)
	}
	m := mc.memoAt(r.round())
	if m.has[c] {
		r.ents = append(r.ents[:0], m.ents[c]...)
		if mc.memoCheck {
			mc.memoHits++
			if got := r.countSupporters(c); !slices.Equal(got, m.ents[c]) {
				panic("count: memo of supporters differs from counting them")
			}
		}
		return r.ents
	}
	r.countSupporters(c)
	if grow := len(r.ents) - cap(m.ents[c]); grow <= 0 {
		m.ents[c] = append(m.ents[c][:0], r.ents...)
		m.has[c] = true
	} else if room := len(r.ents) + len(r.ents)/8 - cap(m.ents[c]); room <= mc.memoRoom {
		// An eighth more than needed: the next count's list in this state
		// is often a little longer.
		mc.memoRoom -= room
		m.ents[c] = append(make([]entry, 0, len(r.ents)+len(r.ents)/8), r.ents...)
		m.has[c] = true
	}
	return r.ents
}

// countSupporters is aggregate without the memo.
func (r *mesRun) countSupporters(c int) []entry {
	mc := r.mc
	r.ents = r.ents[:0]
	if mc.stride > 0 {
		st := mc.stride
		if len(r.cnt) < len(r.num)*st {
			r.cnt = make([]int32, len(r.num)*st*2)
		}
		cnt, vc, touched := r.cnt, r.vc, r.touched[:0]
		sp := mc.supp[c]
		if mc.points {
			us := mc.util8[c][:len(sp)]
			for j, v := range sp {
				k := vc[v]
				if k == 0 {
					continue
				}
				i := int(k)*st + int(us[j])
				if cnt[i] == 0 {
					touched = append(touched, int32(i))
				}
				cnt[i]++
			}
		} else {
			for _, v := range sp {
				k := vc[v]
				if k == 0 {
					continue
				}
				if cnt[k] == 0 {
					touched = append(touched, k)
				}
				cnt[k]++
			}
		}
		r.touched = touched
		for _, i := range touched {
			e := entry{k: i, u: 1, cnt: int64(r.cnt[i])}
			if mc.points {
				e.k, e.u = i/int32(st), int64(i%int32(st))
			}
			r.ents = append(r.ents, e)
			r.cnt[i] = 0
		}
		return r.ents
	}
	r.pairs = r.pairs[:0]
	for j, v := range mc.supp[c] {
		if k := r.vc[v]; k != 0 {
			r.pairs = append(r.pairs, entry{k: k, u: mc.util[c][j], cnt: 1})
		}
	}
	slices.SortFunc(r.pairs, func(a, b entry) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		return cmp.Compare(a.u, b.u)
	})
	for _, p := range r.pairs {
		if n := len(r.ents); n > 0 && r.ents[n-1].k == p.k && r.ents[n-1].u == p.u {
			r.ents[n-1].cnt++
		} else {
			r.ents = append(r.ents, p)
		}
	}
	return r.ents
}

// The price of plan c is the smallest rho at which its supporters, each
// paying rho*utility or all they have left if that is less, pay its cost
// (none if they cannot together). Worked out as a fixed point: with nobody
// capped the price is cost/utility; everyone whose money is below that
// pays all of it, which raises the price for the rest; repeat until nobody
// new is capped. The price only rises, so this ends at the smallest price.

// evaluate works out the price of plan c in r.ents, in floating point
// with error bounds when every capping decision is certain, otherwise
// exactly. ok is false when the supporters cannot pay for c together.
func (r *mesRun) evaluate(c int) (price, bool) {
	r.aggregate(c)
	if p, ok, certain := r.floatPrice(c); certain {
		return p, ok
	}
	return r.exactPrice(c)
}

func (r *mesRun) floatPrice(c int) (p price, ok, certain bool) {
	var w int64
	for _, e := range r.ents {
		w += e.u * e.cnt
	}
	rf, re := float64(r.mc.cost[c]), 0.0 // what the uncapped still pay, and its error
	for {
		if w == 0 {
			return price{}, false, true
		}
		if rf-re <= 0 {
			return price{}, false, false
		}
		wf := float64(w)
		rho := rf / wf
		rhoE := re/wf + rho*rel
		more := false
		for i := range r.ents {
			e := &r.ents[i]
			if e.capped {
				continue
			}
			a := r.approx[e.k]
			x := rho * float64(e.u)
			diff := a - x
			bound := r.errb[e.k] + float64(e.u)*rhoE + (x+math.Abs(a))*rel
			switch {
			case diff > bound: // can pay the full price
			case diff < -bound: // cannot: pays all it has
				e.capped, more = true, true
				ac := a * float64(e.cnt)
				rf -= ac
				re += r.errb[e.k]*float64(e.cnt) + (math.Abs(ac)+math.Abs(rf))*rel
				w -= e.u * e.cnt
			default:
				return price{}, false, false
			}
		}
		if !more {
			return price{f: rho, e: rhoE, w: w}, true, true
		}
	}
}

func (r *mesRun) exactPrice(c int) (price, bool) {
	var w int64
	for i := range r.ents {
		r.ents[i].capped = false
		w += r.ents[i].u * r.ents[i].cnt
	}
	d := r.den[r.round()]
	rest := new(big.Int).Mul(big.NewInt(r.mc.cost[c]), d) // over d
	rest0, w0 := new(big.Int), new(big.Int)
	for {
		if w == 0 {
			return price{}, false
		}
		// capped when num/d < u*rest0/(d*w0), i.e. num*w0 < u*rest0
		rest0.Set(rest)
		w0.SetInt64(w)
		more := false
		for i := range r.ents {
			e := &r.ents[i]
			if e.capped {
				continue
			}
			n := r.numNow(e.k)
			r.t1.Mul(n, w0)
			r.t2.Mul(rest0, r.t2.SetInt64(e.u))
			if r.t1.Cmp(&r.t2) < 0 {
				e.capped, more = true, true
				rest.Sub(rest, r.t1.Mul(n, r.t1.SetInt64(e.cnt)))
				w -= e.u * e.cnt
			}
		}
		if !more {
			den := new(big.Int).Mul(d, big.NewInt(w))
			f := quoFloat(rest, den)
			return price{f: f, e: f * rel, num: rest, den: den, w: w}, true
		}
	}
}

// exact makes p, the price of plan c evaluated in this round, exact;
// ents are c's entries (r.ents or r.bestEnts), counted in this round.
func (r *mesRun) exact(p *price, c int, ents []entry) {
	if p.num == nil {
		saved := r.ents
		r.ents = ents
		*p, _ = r.exactPrice(c)
		r.ents = saved
	}
}

// compare compares the prices of plan a, whose entries are in r.ents, and
// plan b, whose entries are in r.bestEnts, both evaluated in this round,
// exactly.
func (r *mesRun) compare(pa *price, a int, pb *price, b int) int {
	switch {
	case pa.f+pa.e < pb.f-pb.e:
		return -1
	case pa.f-pa.e > pb.f+pb.e:
		return 1
	}
	r.exact(pa, a, r.ents)
	r.exact(pb, b, r.bestEnts)
	r.t1.Mul(pa.num, pb.den)
	r.t2.Mul(pb.num, pa.den)
	return r.t1.Cmp(&r.t2)
}

// lambda bounds how fast the price of the plan whose entries are in
// r.ents (with its cap set) can fall as the share rises: only capped
// supporters' money lowers it, and as the share rises the capped set only
// shrinks and the uncapped utility only grows, so the capped supporters'
// money growth over the uncapped utility now is a bound.
func (r *mesRun) lambda() float64 {
	var s float64
	var w int64
	for _, e := range r.ents {
		if e.capped {
			s += r.sigma[e.k] * float64(e.cnt)
		} else {
			w += e.u * e.cnt
		}
	}
	if s == 0 {
		return 0
	}
	return s / float64(w) * (1 + trackTol)
}

// limit lowers r.safe to t (cents per voter), the first share increase at
// which some decision could change.
func (r *mesRun) limit(t float64) {
	if t < 0 || math.IsNaN(t) {
		t = 0
	}
	if t < r.safe {
		r.safe = t
	}
}

// trackMoney records, for a plan its supporters cannot pay, when their
// money could reach its cost.
func (r *mesRun) trackMoney(c int) {
	var tv, ts float64
	for _, e := range r.ents {
		tv += (r.approx[e.k] + r.errb[e.k]) * float64(e.cnt)
		ts += r.sigma[e.k] * float64(e.cnt)
	}
	if ts == 0 {
		return // supporters with nothing left, for good
	}
	num := float64(r.mc.cost[c]) - tv*(1+trackTol)
	if num <= 0 {
		r.limit(0)
		return
	}
	r.limit(num / (ts * (1 + trackTol)))
}

// trackOrder records when plan c's price pc (falling at most lc per cent
// of share), now above the chosen price pb or equal and losing the tie,
// could come down to it. The chosen price itself can only fall.
func (r *mesRun) trackOrder(pc price, lc float64, pb price) {
	if lc == 0 {
		return // pc stays where it is, at or above pb
	}
	num := (pc.f - pc.e) - (pb.f + pb.e) - trackTol*(pc.f+pb.f)
	if num <= 0 {
		r.limit(0)
		return
	}
	r.limit(num / lc)
}

type cand struct {
	p         int
	evaluated bool
	pr        price   // price when last evaluated (a lower bound now)
	fall      float64 // how fast that price can fall (tracking)
}

func (c *cand) low() float64 {
	if !c.evaluated {
		return math.Inf(-1)
	}
	return c.pr.f - c.pr.e
}

// run counts until no plan can be paid for by its supporters.
func (r *mesRun) run() {
	mc := r.mc
	cands := make([]cand, len(mc.cands))
	for i, p := range mc.cands {
		cands[i] = cand{p: p}
	}
	for len(cands) > 0 {
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmp.Compare(a.low(), b.low()); c != 0 {
				return c
			}
			return cmp.Compare(a.p, b.p)
		})
		best := -1 // index in kept
		kept := cands[:0]
		for i := 0; i < len(cands); i++ {
			c := cands[i]
			if best >= 0 && c.evaluated && c.low() > kept[best].pr.f+kept[best].pr.e {
				// Prices only rise during a count: c and all after it
				// cost more than the best.
				kept = append(kept, cands[i:]...)
				break
			}
			pr, ok := r.evaluate(c.p)
			if !ok {
				if r.track {
					r.trackMoney(c.p)
				}
				continue // its supporters can never pay for it in this count
			}
			c.pr, c.evaluated = pr, true
			if r.track {
				c.fall = r.lambda()
			}
			kept = append(kept, c)
			j := len(kept) - 1
			if best < 0 {
				best = j
				r.ents, r.bestEnts = r.bestEnts, r.ents
				continue
			}
			if x := r.compare(&kept[j].pr, c.p, &kept[best].pr, kept[best].p); x < 0 || (x == 0 && mc.better(c.p, kept[best].p)) {
				best = j
				r.ents, r.bestEnts = r.bestEnts, r.ents
			}
		}
		cands = kept
		if best < 0 {
			return
		}
		b := cands[best]
		if r.track {
			for i, c := range cands {
				if i != best {
					r.trackOrder(c.pr, c.fall, b.pr)
				}
			}
		}
		r.ents, r.bestEnts = r.bestEnts, r.ents
		r.pay(b.p, b.pr)
		cands = slices.Delete(cands, best, best+1)
	}
}

// pay chooses plan c: its supporters pay the price per unit of utility,
// or all they have left. r.ents must hold c's entries and pr its price,
// both from this round, with the caps that price set (floatPrice when
// certain, or exactPrice).
func (r *mesRun) pay(c int, pr price) {
	mc := r.mc
	var fall float64
	if r.track {
		fall = r.lambda()
	}
	if !r.track {
		sum := new(big.Int)
		for _, e := range r.ents {
			sum.Add(sum, r.t1.Mul(r.numNow(e.k), r.t1.SetInt64(e.cnt)))
		}
		r.avail = append(r.avail, sum.Quo(sum, r.den[r.round()]).Int64())
	}
	// The next round: den[next] = den[next-1] * w. What the uncapped
	// supporters pay together (rest) is worked out when first needed, from
	// the cost and what the capped supporters pay.
	pay := payment{cost: mc.cost[c]}
	nc := 0
	for _, e := range r.ents {
		if e.capped {
			nc++
		}
	}
	pay.capped = make([]capped, 0, nc)
	for _, e := range r.ents {
		if e.capped {
			pay.capped = append(pay.capped, capped{k: e.k, cnt: e.cnt})
		}
	}
	r.den = append(r.den, new(big.Int).Mul(r.den[r.round()], big.NewInt(pr.w)))
	r.wr = append(r.wr, pr.w)
	r.rest = append(r.rest, pr.num) // nil unless the price is already exact
	r.paid = append(r.paid, pay)
	next := r.round()
	type key struct {
		k int32
		u int64
	}
	var remap map[key]int32
	st := mc.stride
	if st == 0 {
		remap = make(map[key]int32, len(r.ents))
	} else if len(r.remap) < len(r.num)*st {
		r.remap = make([]int32, len(r.num)*st*2)
	}
	rhoE := pr.e
	r.nks = r.nks[:0]
	for _, e := range r.ents {
		var nk int32
		// Tracking: what a supporter keeps, max(0, money - rho*u), grows
		// at most as fast as their money plus u times the price's fall.
		sigma := 0.0
		if r.track {
			sigma = (r.sigma[e.k] + float64(e.u)*fall) * (1 + trackTol)
		}
		if !e.capped {
			x := pr.f * float64(e.u)
			a := r.approx[e.k] - x
			ae := r.errb[e.k] + float64(e.u)*rhoE + (math.Abs(r.approx[e.k])+math.Abs(a)+x)*rel
			if a > ae {
				nk = r.addLazy(e.k, e.u, next, a, ae, sigma) // certainly has money left
			} else {
				// num/d - u*rest/(d*w) = (num*w - u*rest)/(d*w)
				nn := new(big.Int).Set(r.numAt(e.k, next))
				nn.Sub(nn, r.t2.Mul(r.restOf(next), r.t2.SetInt64(e.u)))
				if nn.Sign() != 0 {
					nk = r.addClass(nn, next, a, ae, sigma)
				}
			}
		}
		if nk == 0 && sigma != 0 {
			// Tracking: left with nothing now, but with a higher share
			// they would have had something; a class of its own (not one
			// for all such voters) keeps the classes the same whichever
			// of a payment's entries paid all they had, so later counts
			// find the same classes (see memoState).
			nk = r.addClass(r.zero(), next, 0, 0, sigma)
		}
		if st == 0 {
			remap[key{e.k, e.u}] = nk
		} else {
			r.remap[r.slot(e.k, e.u)] = nk
		}
		r.nks = append(r.nks, nk)
	}
	if mc.memoRun == r {
		// Still the same classes as the newest count's when it had paid for
		// as many plans? Otherwise this count's payments are recorded from
		// here on and what was kept for later states is forgotten.
		s := next - 1
		m := mc.memoAt(s)
		if m.plan != c || !slices.Equal(m.nk, r.nks) {
			mc.forget(s + 1)
			m.plan = c
			m.nk = append(m.nk[:0], r.nks...)
		}
	}
	vc, sp := r.vc, mc.supp[c]
	switch {
	case st == 0:
		for j, v := range sp {
			if k := vc[v]; k != 0 {
				vc[v] = remap[key{k, mc.util[c][j]}]
			}
		}
	case mc.points:
		us, rm := mc.util8[c][:len(sp)], r.remap
		for j, v := range sp {
			if k := vc[v]; k != 0 {
				vc[v] = rm[int(k)*st+int(us[j])]
			}
		}
	default:
		rm := r.remap
		for _, v := range sp {
			if k := vc[v]; k != 0 {
				vc[v] = rm[k]
			}
		}
	}
	r.chosen = append(r.chosen, c)
	r.spent += mc.cost[c]
}

// money is what the supporters of plan c have left together, in whole
// cents rounded down.
func (r *mesRun) money(c int) int64 {
	sum := new(big.Int)
	for _, e := range r.aggregate(c) {
		sum.Add(sum, r.t1.Mul(r.numNow(e.k), r.t1.SetInt64(e.cnt)))
	}
	return sum.Quo(sum, r.den[r.round()]).Int64()
}

// exhaustive reports whether no plan with supporters that is not chosen
// fits in what is left of the budget.
func (mc *mesCount) exhaustive(budget int64, r *mesRun) bool {
	left := budget - r.spent
	for _, p := range mc.cands {
		if mc.cost[p] <= left && !slices.Contains(r.chosen, p) {
			return false
		}
	}
	return true
}

// count runs the equal-shares count with per-voter share share.
func (mc *mesCount) count(share *big.Rat, track bool) *mesRun {
	r := mc.newRun(share, track)
	mc.counts++
	r.run()
	return r
}

// complete is the add1 completion: starting from the count r0 with the real
// share budget/n, raise the per-voter share to floor(budget/n)+1,
// floor(budget/n)+2, ... cents and recount, keeping the last count that
// stays within the budget; stop when that count is exhaustive or the next
// one would overspend. It returns the count kept and its per-voter share in
// cents (floor(budget/n) for r0). With skip, shares at which the outcome
// certainly stays the same are not recounted (see mesRun.track).
func (mc *mesCount) complete(budget int64, r0 *mesRun, skip bool) (*mesRun, int64) {
	n := int64(mc.n)
	kept, keptShare := r0, budget/n
	b := budget / n
	for !mc.exhaustive(budget, kept) {
		step := int64(1)
		if skip && kept != r0 && !math.IsInf(kept.safe, 1) {
			if s := math.Ceil(kept.safe); s > 1 {
				step = int64(min(s, float64(maxMoney)))
			}
		}
		if skip && kept != r0 && math.IsInf(kept.safe, 1) {
			// No decision of the kept count depends on the share any more:
			// raising it further changes nothing.
			break
		}
		if b+step > maxMoney {
			break
		}
		next := mc.count(new(big.Rat).SetInt64(b+step), skip)
		if next.spent > budget {
			mc.release(next, r0)
			if step > 1 {
				mc.release(kept, r0)
				// The counts below b+step all have kept's outcome; the
				// add1 loop would have kept the one just below.
				b += step - 1
				kept, keptShare = mc.count(new(big.Rat).SetInt64(b), false), b
			}
			break
		}
		b += step
		mc.release(kept, r0)
		kept, keptShare = next, b
	}
	return kept, keptShare
}

// release keeps the buffers of a count no longer needed (other than keep)
// for the next count. The count itself must not be used any more.
func (mc *mesCount) release(r, keep *mesRun) {
	if r != keep {
		mc.spare = append(mc.spare, r)
	}
}

// EqualShares counts by the Method of Equal Shares (Peters & Skowron) with
// the add1 completion and a greedy fill; see the package documentation.
//
// Ties in price go to the plan with more votes, then the cheaper plan, then
// the lower index. EqualShares assumes Validate(in, ballots) == nil.
func EqualShares(in Instance, ballots []Ballot) Outcome {
	return equalShares(in, ballots, true)
}

func equalShares(in Instance, ballots []Ballot, skip bool) Outcome {
	m := len(in.Plans)
	v := votes(m, ballots)
	s := supporters(m, ballots)
	out := Outcome{Rule: RuleMES, Plans: make([]PlanResult, m)}
	for i := range out.Plans {
		out.Plans[i] = PlanResult{Index: i, Votes: v[i], Status: StatusNoVotes,
			Explain: map[string]int64{ExplainSupporters: s[i]}}
	}
	if len(ballots) == 0 {
		return out
	}
	mc := newMESCount(in, ballots, v)
	r0 := mc.count(big.NewRat(in.Budget, int64(len(ballots))), false)
	final, share := mc.complete(in.Budget, r0, skip)
	if final.track {
		// The explanations come from a count without tracking.
		final = mc.count(new(big.Rat).SetInt64(share), false)
	}
	out.PerVoterShare = share
	for i, p := range final.chosen {
		phase := PhaseEqualShares
		if final != r0 && !slices.Contains(r0.chosen, p) {
			phase = PhaseCompletion
		}
		r := &out.Plans[p]
		r.Status, r.Round, r.Phase = StatusSelected, i+1, phase
		r.PaidBySupporters = mc.cost[p]
		r.Explain[ExplainSupportersMoney] = final.avail[i]
		r.Explain[ExplainMaxShare] = ceilQuo(final.restOf(i+1), final.den[i+1])
		r.Explain[ExplainPerVoterShare] = share
		out.Selected = append(out.Selected, p)
		out.Spent += mc.cost[p]
	}
	var rest []int
	for _, p := range byVotes(in, v) {
		if out.Plans[p].Status != StatusSelected {
			rest = append(rest, p)
			r := &out.Plans[p]
			r.Explain[ExplainSupportersMoney] = final.money(p)
			r.Explain[ExplainPerVoterShare] = share
		}
	}
	greedyPass(in, rest, &out, PhaseGreedyFill)
	for _, p := range rest {
		if out.Plans[p].Status == StatusTooExpensive {
			out.Plans[p].Status = StatusNotAffordable
		}
	}
	return out
}

// ceilQuo is a/b rounded up, for a, b > 0.
func ceilQuo(a, b *big.Int) int64 {
	q, m := new(big.Int).QuoRem(a, b, new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
