package count

import (
	"cmp"
	"math"
	"math/big"
	"slices"
)

// Arithmetic of the Method of Equal Shares.
//
// Shares and payments are rational: a plan of 1000 cents paid by 3
// supporters costs each 333⅓ cents, and rounding that to cents would make
// the supporters pay 999 or 1002 cents for a plan of 1000 — and decide
// close calls by the rounding. So every amount of money in the count is an
// exact rational number (math/big.Rat) and every decision (who is capped,
// which plan is cheapest per supporter, whether supporters can pay) is an
// exact comparison. Floating point is used only as a filter in front of
// exact comparisons: a float64 copy of a rational is within a relative
// 2^-53 of it, so when two float64 values differ by more than a relative
// 1e-12 their order is certain; otherwise the rationals are compared. The
// outcome therefore never depends on float rounding.
//
// What keeps this fast for 100,000 voters: voters with the same remaining
// share form one "class" (at the start every voter is in one class; when a
// plan is paid for, its supporters in a class move to a new class), so the
// rational arithmetic is per class and per plan, not per voter. The per
// voter work is one integer look-up per supporter of a plan.
//
// The completion (add1) raises the per-voter share one cent at a time and
// recounts. Recounting at every cent would take thousands of counts, so
// each recount also works out (conservatively, see mesRun.track) how many
// cents the share can rise before any decision of that count could turn
// out differently; the counts in between have the same outcome and are
// skipped. The result is the same as counting at every cent (a test
// checks this on thousands of random instances).

// mesCount holds the ballots in the shape the counts need.
type mesCount struct {
	n      int
	cost   []int64
	votes  []int64
	supp   [][]int32 // per plan: the voters who support it
	util   [][]int64 // per plan, parallel to supp: utility (points); nil for approval ballots
	points bool
	cands  []int // plans with at least one supporter
	counts int   // equal-shares counts done (for measurements)
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
	for vi, b := range ballots {
		for j, p := range b.Approved {
			mc.supp[p] = append(mc.supp[p], int32(vi))
			if mc.points {
				mc.util[p] = append(mc.util[p], b.Points[j])
			}
		}
	}
	return mc
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

// entry is the supporters of one plan within one class with one utility.
type entry struct {
	k      int32
	u      int64
	cnt    int64
	capped bool
}

// mesRun is one equal-shares count with a given per-voter share.
type mesRun struct {
	mc *mesCount

	// Classes of voters with the same remaining share: value, and float
	// copy. Class 0 is "nothing left" (value 0, slope 0).
	val    []*big.Rat
	approx []float64
	// sigma[k] (tracking only): a bound on how fast class k's value can
	// grow with the per-voter share, while the count takes the same
	// decisions.
	sigma []float64
	vc    []int32 // class of each voter

	chosen []int
	rho    []*big.Rat // price per unit of utility, per chosen plan
	avail  []*big.Rat // supporters' money before paying, per chosen plan
	spent  int64

	// Tracking (completion counts): safe is how far (cents per voter) the
	// share can rise with every decision of this count certainly the
	// same; +Inf when nothing could change.
	track bool
	safe  float64

	// scratch
	cnt     []int64
	touched []int32
	pairs   []entry
	ents    []entry
	evals   int
	remap   []int32
}

const filterTol = 1e-12 // relative margin of the float filter
const trackTol = 1e-6   // relative error margin of tracked thresholds

func (mc *mesCount) newRun(share *big.Rat, track bool) *mesRun {
	r := &mesRun{mc: mc, track: track, safe: math.Inf(1)}
	r.vc = make([]int32, mc.n)
	r.addClass(new(big.Rat), 0) // class 0: nothing left, for good
	r.addClass(new(big.Rat).Set(share), 1)
	for i := range r.vc {
		r.vc[i] = 1
	}
	return r
}

func (r *mesRun) addClass(v *big.Rat, sigma float64) int32 {
	f, _ := v.Float64()
	r.val = append(r.val, v)
	r.approx = append(r.approx, f)
	r.sigma = append(r.sigma, sigma)
	return int32(len(r.val) - 1)
}

// aggregate fills r.ents with the supporters of plan c per class (and
// utility), leaving out voters with nothing left.
func (r *mesRun) aggregate(c int) []entry {
	mc := r.mc
	r.ents = r.ents[:0]
	if !mc.points {
		if len(r.cnt) < len(r.val) {
			r.cnt = make([]int64, len(r.val)*2)
		}
		r.touched = r.touched[:0]
		for _, v := range mc.supp[c] {
			k := r.vc[v]
			if k == 0 {
				continue
			}
			if r.cnt[k] == 0 {
				r.touched = append(r.touched, k)
			}
			r.cnt[k]++
		}
		for _, k := range r.touched {
			r.ents = append(r.ents, entry{k: k, u: 1, cnt: r.cnt[k]})
			r.cnt[k] = 0
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

// lessThanPrice reports whether class value v (float copy f) is below
// rho*u, exactly; rhoF is rho's float copy.
func lessThanPrice(v *big.Rat, f float64, rho *big.Rat, rhoF float64, u int64, tmp *big.Rat) bool {
	x := rhoF * float64(u)
	if f > 1e-290 && x > 1e-290 && !math.IsInf(f, 0) && !math.IsInf(x, 0) {
		if f > x*(1+filterTol) {
			return false
		}
		if f < x*(1-filterTol) {
			return true
		}
	}
	if u == 1 {
		return v.Cmp(rho) < 0
	}
	tmp.SetInt64(u)
	tmp.Mul(tmp, rho)
	return v.Cmp(tmp) < 0
}

// price works out the price per unit of utility rho at which the
// supporters of plan c, each paying rho*utility or all they have left if
// that is less, pay exactly its cost. It marks the capped entries of
// r.ents. ok is false when the supporters cannot pay for c together.
func (r *mesRun) price(c int) (rho *big.Rat, ok bool) {
	r.evals++
	ents := r.aggregate(c)
	var w int64
	for _, e := range ents {
		w += e.u * e.cnt
	}
	rest := new(big.Rat).SetInt64(r.mc.cost[c]) // cost minus what capped supporters pay
	rho = new(big.Rat)
	tmp, wr := new(big.Rat), new(big.Rat)
	// Fixed point: with nobody capped the price is cost/w; everyone whose
	// money is below that pays all of it, which raises the price for the
	// rest; repeat until nobody new is capped. The price only rises, so
	// this ends with the smallest price that pays the cost.
	for {
		if w == 0 {
			return nil, false
		}
		rho.Quo(rest, wr.SetInt64(w))
		rhoF, _ := rho.Float64()
		more := false
		for i := range ents {
			e := &ents[i]
			if e.capped {
				continue
			}
			if lessThanPrice(r.val[e.k], r.approx[e.k], rho, rhoF, e.u, tmp) {
				e.capped, more = true, true
				rest.Sub(rest, tmp.Mul(r.val[e.k], wr.SetInt64(e.cnt)))
				w -= e.u * e.cnt
			}
		}
		if !more {
			return rho, true
		}
	}
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
		tv += r.approx[e.k] * float64(e.cnt)
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

// trackOrder records when plan c's price (rc, falling at most lc per cent
// of share), now above the chosen price rb or equal and losing the tie,
// could come down to it. The chosen price itself can only fall.
func (r *mesRun) trackOrder(rc *big.Rat, lc float64, rb *big.Rat) {
	if lc == 0 {
		return // rc stays where it is, at or above rb
	}
	rcF, _ := rc.Float64()
	rbF, _ := rb.Float64()
	num := rcF - rbF - trackTol*(rcF+rbF)
	if num <= 0 {
		r.limit(0)
		return
	}
	r.limit(num / lc)
}

type cand struct {
	p    int
	rho  *big.Rat // price when last evaluated (a lower bound now); nil: not yet
	fall float64  // how fast its price can fall (tracking)
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
			if a.p == b.p {
				return 0
			}
			switch {
			case a.rho == nil && b.rho == nil:
			case a.rho == nil:
				return -1
			case b.rho == nil:
				return 1
			default:
				if c := a.rho.Cmp(b.rho); c != 0 {
					return c
				}
			}
			if mc.better(a.p, b.p) {
				return -1
			}
			return 1
		})
		best := -1
		var bestRho *big.Rat
		kept := cands[:0]
		for i := 0; i < len(cands); i++ {
			c := cands[i]
			if best >= 0 && c.rho != nil && c.rho.Cmp(bestRho) > 0 {
				// Prices only rise during a count: c and all after it cost
				// more than the best.
				kept = append(kept, cands[i:]...)
				break
			}
			rho, ok := r.price(c.p)
			if !ok {
				if r.track {
					r.trackMoney(c.p)
				}
				continue // supporters can never pay for it in this count
			}
			c.rho = rho
			if r.track {
				c.fall = r.lambda()
			}
			kept = append(kept, c)
			if best < 0 || rho.Cmp(bestRho) < 0 || (rho.Cmp(bestRho) == 0 && mc.better(c.p, best)) {
				best, bestRho = c.p, rho
			}
		}
		cands = kept
		if best < 0 {
			return
		}
		if r.track {
			for _, c := range cands {
				if c.p != best {
					r.trackOrder(c.rho, c.fall, bestRho)
				}
			}
		}
		r.pay(best)
		cands = slices.DeleteFunc(cands, func(c cand) bool { return c.p == best })
	}
}

// pay chooses plan c: its supporters pay rho per unit of utility, or all
// they have left.
func (r *mesRun) pay(c int) {
	mc := r.mc
	rho, _ := r.price(c)
	var fall float64
	var broke int32 // tracking: class of the supporters left with nothing
	if r.track {
		fall = r.lambda()
	}
	avail := new(big.Rat)
	tmp := new(big.Rat)
	type key struct {
		k int32
		u int64
	}
	var remap map[key]int32
	if mc.points {
		remap = make(map[key]int32, len(r.ents))
	} else {
		if len(r.remap) < len(r.val) {
			r.remap = make([]int32, len(r.val)*2)
		}
	}
	ents := slices.Clone(r.ents)
	for _, e := range ents {
		avail.Add(avail, tmp.Mul(r.val[e.k], tmp.SetInt64(e.cnt)))
		var nk int32
		// Tracking: what a supporter keeps, max(0, money - rho*u), grows
		// at most as fast as their money plus u times the price's fall.
		sigma := 0.0
		if r.track {
			sigma = (r.sigma[e.k] + float64(e.u)*fall) * (1 + trackTol)
		}
		nv := new(big.Rat)
		if !e.capped {
			nv.SetInt64(e.u)
			nv.Sub(r.val[e.k], nv.Mul(nv, rho))
		}
		switch {
		case nv.Sign() != 0:
			nk = r.addClass(nv, sigma)
		case sigma == 0:
			// nothing left, for good
		case broke == 0:
			broke = r.addClass(nv, sigma)
			nk = broke
		default:
			nk = broke
			r.sigma[broke] = max(r.sigma[broke], sigma)
		}
		if mc.points {
			remap[key{e.k, e.u}] = nk
		} else {
			r.remap[e.k] = nk
		}
	}
	for j, v := range mc.supp[c] {
		k := r.vc[v]
		if k == 0 {
			continue
		}
		if mc.points {
			r.vc[v] = remap[key{k, mc.util[c][j]}]
		} else {
			r.vc[v] = r.remap[k]
		}
	}
	r.chosen = append(r.chosen, c)
	r.rho = append(r.rho, rho)
	r.avail = append(r.avail, avail)
	r.spent += mc.cost[c]
}

// money is what the supporters of plan c have left together.
func (r *mesRun) money(c int) *big.Rat {
	sum, tmp := new(big.Rat), new(big.Rat)
	for _, e := range r.aggregate(c) {
		sum.Add(sum, tmp.Mul(r.val[e.k], tmp.SetInt64(e.cnt)))
	}
	return sum
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
			if step > 1 {
				// The counts below b+step all have kept's outcome; the
				// add1 loop would have kept the one just below.
				b += step - 1
				kept, keptShare = mc.count(new(big.Rat).SetInt64(b), false), b
			}
			break
		}
		b += step
		kept, keptShare = next, b
	}
	return kept, keptShare
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
	out.PerVoterShare = share
	for i, p := range final.chosen {
		phase := PhaseEqualShares
		if final != r0 && !slices.Contains(r0.chosen, p) {
			phase = PhaseCompletion
		}
		r := &out.Plans[p]
		r.Status, r.Round, r.Phase = StatusSelected, i+1, phase
		r.PaidBySupporters = mc.cost[p]
		r.Explain[ExplainSupportersMoney] = floorCents(final.avail[i])
		r.Explain[ExplainMaxShare] = ceilCents(final.rho[i])
		r.Explain[ExplainPerVoterShare] = share
		out.Selected = append(out.Selected, p)
		out.Spent += mc.cost[p]
	}
	var rest []int
	for _, p := range byVotes(in, v) {
		if out.Plans[p].Status != StatusSelected {
			rest = append(rest, p)
			r := &out.Plans[p]
			r.Explain[ExplainSupportersMoney] = floorCents(final.money(p))
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

// floorCents rounds x down to whole cents.
func floorCents(x *big.Rat) int64 {
	q := new(big.Int).Quo(x.Num(), x.Denom()) // x >= 0: truncation is floor
	return q.Int64()
}

// ceilCents rounds x up to whole cents.
func ceilCents(x *big.Rat) int64 {
	q, m := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}
