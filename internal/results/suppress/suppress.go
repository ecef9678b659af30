// Package suppress decides which counts of a page to hide so that nobody
// who reads everything the page publishes, and has this code, can work a
// hidden count out, not even roughly.
//
// # Model
//
// A page is a Problem: non-negative integer counts (cells of tables,
// their totals, the number of respondents, counts a page does not show but
// a reader knows exist) and the linear relations a reader knows between
// them: a line of cells adds up to its total (Sum), one count is at most
// another (AtMost: those who answered a question are at most those who
// filled in the questionnaire), or a total lies between the largest part
// and the sum of the parts (Covers: multiple choice, where everyone who
// answered chose at least one option and no option twice).
//
// A published count shows its value; a hidden one shows Mark ("x"), which
// says nothing about its size: it may hold a small count, a large one or a
// zero, as the rules below hide all three. A reader therefore knows of a
// hidden count only that it is a non-negative number satisfying every
// relation with the published ones. Its feasible interval is the smallest
// and the largest value it takes over all such solutions.
//
// A page is protected for threshold k when
//
//   - every count from 1 to k−1 is hidden (primary suppression), except
//     counts the reader knows from elsewhere (Known);
//   - every hidden count's feasible interval is at least k wide (max − min
//     ≥ k): nobody can say it is "4 or 5", or "at most 3";
//   - no line gives a group away: where a line's total is hidden or below
//     k, no part of it can be shown to equal the total, so nobody learns
//     that all of a small or hidden group gave one answer (a published 0
//     beside a hidden cell is exactly such a part of the argument).
//
// The intervals are computed exactly with a linear program per bound
// (gonum's simplex). The tables on a page have totally unimodular line
// sums, so the real bounds are attained by integer tables; where other
// relations join in, the real interval can only be wider than the integer
// one by less than one on each side, and we round it inwards.
//
// # Algorithm
//
// Start from the primary counts. Then, while some hidden count's interval
// is narrower than k, or a line gives a group away, hide one more count:
// of the published counts in a relation with it (directly, or through
// other hidden counts), the cheapest one that alone makes it pass, cells
// before totals and smaller counts before larger ones; if none does alone,
// the one that widens it most. Hiding a count only adds freedom, so a
// count that passed keeps passing and the loop ends. When no choice of
// counts can protect it (a known total below k pins it), its unit (a whole
// table, say) is withheld: not published at all, and no longer checked.
// Ties are broken by position, so the same page always gives the same
// result.
package suppress

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// DefaultK is the threshold the platform uses: counts 1 to 4 are hidden
// and every hidden count is protected by an interval at least 5 wide.
// Configuration may raise it; this package refuses anything below MinK.
const DefaultK = 5

// MinK is the smallest threshold accepted.
const MinK = 2

// Mark is what a hidden count shows, on pages and in open data: the
// statistical sign for "geheim". It is not a bound.
const Mark = "x"

// NotShown is what a count of a withheld part of a table shows: that part
// is not published at all (see Solution.Withheld).
const NotShown = "."

// maxTotal bounds counts so that sums stay exact in float64.
const maxTotal = 1 << 50

// Var describes a count of a page.
type Var struct {
	Value int64
	// Known: the reader knows it anyway (printed elsewhere for this
	// audience): never hidden, even when small.
	Known bool
	// Hide: hidden whatever its size, because another page hides it.
	Hide bool
	// Unpublished: a count the page does not show but a reader knows of
	// (respondents per group when no table shows them): an unknown for
	// the reader, with no width to protect.
	Unpublished bool
	// Margin marks totals: hidden only after cells.
	Margin bool
	// Unit is what is withheld together when a count cannot be protected.
	Unit int
}

type relation struct {
	vars []int
	coef []float64
	le   bool // Σ coef·x ≤ 0; otherwise = 0
}

type line struct {
	total int
	parts []int
}

// Problem is a page: its counts and the relations a reader knows.
type Problem struct {
	vars  []Var
	rels  []relation
	lines []line
	byVar [][]int // relations of each count
	// withheld: units withheld from the start (decided before).
	withheld []int
	// NoLines: Sum and Covers add no group check (the lines were checked
	// before, with more known).
	NoLines bool
}

// Fix hides count v from the start, whatever its size (a decision taken
// before, checked again here).
func (p *Problem) Fix(v int) {
	x := &p.vars[v]
	x.Known, x.Hide = false, true
}

// Withhold withholds unit u from the start.
func (p *Problem) Withhold(u int) { p.withheld = append(p.withheld, u) }

// Add adds a count and returns its index.
func (p *Problem) Add(v Var) int {
	p.vars = append(p.vars, v)
	p.byVar = append(p.byVar, nil)
	return len(p.vars) - 1
}

// Value of count i.
func (p *Problem) Value(i int) int64 { return p.vars[i].Value }

// Len is the number of counts.
func (p *Problem) Len() int { return len(p.vars) }

func (p *Problem) relate(vars []int, coef []float64, le bool) {
	p.rels = append(p.rels, relation{vars, coef, le})
	for _, v := range vars {
		if !slices.Contains(p.byVar[v], len(p.rels)-1) {
			p.byVar[v] = append(p.byVar[v], len(p.rels)-1)
		}
	}
}

// Sum says the parts add up to total: a line of a table.
func (p *Problem) Sum(total int, parts ...int) {
	vars := append(slices.Clone(parts), total)
	coef := make([]float64, len(vars))
	for i := range coef {
		coef[i] = 1
	}
	coef[len(coef)-1] = -1
	p.relate(vars, coef, false)
	if !p.NoLines {
		p.lines = append(p.lines, line{total, slices.Clone(parts)})
	}
}

// AtMost says count a is at most count b.
func (p *Problem) AtMost(a, b int) {
	p.relate([]int{a, b}, []float64{1, -1}, true)
}

// Covers says every part is at most total and total at most the sum of
// the parts: the options of a multiple-choice question and the number who
// answered it.
func (p *Problem) Covers(total int, parts ...int) {
	for _, x := range parts {
		p.AtMost(x, total)
	}
	vars := append([]int{total}, parts...)
	coef := make([]float64, len(vars))
	coef[0] = 1
	for i := 1; i < len(coef); i++ {
		coef[i] = -1
	}
	p.relate(vars, coef, true)
	if !p.NoLines {
		p.lines = append(p.lines, line{total, slices.Clone(parts)})
	}
}

// ErrCannotProtect says some count could only be protected by
// withholding what it belongs to.
var ErrCannotProtect = errors.New("suppress: a hidden count can be worked out from the known counts")

// Solution says what a page shows.
type Solution struct {
	Hidden []bool
	// Primary marks counts hidden because they are small themselves.
	// For analysis only: never publish it.
	Primary []bool
	// Withheld units: not published at all.
	Withheld map[int]bool
	values   []int64
}

// Show is what count i displays: its value or Mark.
func (s *Solution) Show(i int) string {
	if s.Hidden[i] {
		return Mark
	}
	return strconv.FormatInt(s.values[i], 10)
}

// Protect decides what to hide for threshold k.
func Protect(p *Problem, k int) (*Solution, error) {
	if k < MinK {
		return nil, fmt.Errorf("suppress: threshold %d below the minimum %d", k, MinK)
	}
	n := len(p.vars)
	st := &state{p: p, k: k, hidden: make([]bool, n), exempt: make([]bool, n), passed: make([]bool, n),
		linePassed: make([]bool, len(p.lines)), withheld: map[int]bool{}}
	sol := &Solution{Primary: make([]bool, n), values: make([]int64, n)}
	for i, v := range p.vars {
		switch {
		case v.Value < 0:
			return nil, fmt.Errorf("suppress: negative count %d", v.Value)
		case v.Value > maxTotal:
			return nil, errors.New("suppress: count too large")
		case v.Known && (v.Hide || v.Unpublished):
			return nil, fmt.Errorf("suppress: count %d both known and hidden", i)
		}
		sol.values[i] = v.Value
		sol.Primary[i] = !v.Known && !v.Unpublished && (v.Hide || v.Value > 0 && v.Value < int64(k))
		st.hidden[i] = sol.Primary[i] || v.Unpublished
		st.exempt[i] = v.Unpublished
	}
	for _, r := range p.rels {
		var s float64
		for t, v := range r.vars {
			s += r.coef[t] * float64(p.vars[v].Value)
		}
		if s > 0 || !r.le && s != 0 {
			return nil, errors.New("suppress: the counts do not satisfy their relations")
		}
	}
	st.primary = sol.Primary
	for _, u := range p.withheld {
		if err := st.withhold(u); err != nil {
			return nil, err
		}
	}
	if err := st.run(); err != nil {
		return nil, err
	}
	sol.Hidden, sol.Withheld = st.hidden, st.withheld
	return sol, nil
}

type state struct {
	p                  *Problem
	k                  int
	hidden, exempt     []bool
	passed, linePassed []bool
	primary            []bool
	withheld           map[int]bool
	// version changes with every change of what is hidden or withheld:
	// the first phase of the simplex is kept per version and component.
	version int
	cache   map[[2]int]*lpCache
	// helpable: counts found once to be protectable by hiding more;
	// hiding only adds freedom, so they stay so.
	helpable map[int]bool
}

func (st *state) set(i int, hidden bool) {
	if st.hidden[i] != hidden {
		st.hidden[i] = hidden
		st.version++
	}
}

func (st *state) run() error {
	for {
		x, li := st.failure()
		switch {
		case x < 0 && li < 0:
			// A count hidden only to protect others whose value follows
			// from what is published anyway is published again: that
			// tells nothing new and changes no interval.
			for i := range st.p.vars {
				if st.hidden[i] && !st.primary[i] && !st.exempt[i] && st.width(i) == 0 {
					st.set(i, false)
				}
			}
			return nil
		case x >= 0:
			if err := st.fixVar(x); err != nil {
				return err
			}
		default:
			if err := st.fixLine(li); err != nil {
				return err
			}
		}
	}
}

// failure returns the first hidden count whose interval is too narrow, or
// else the first line that gives a group away (−1, −1: none).
func (st *state) failure() (int, int) {
	for i := range st.p.vars {
		if !st.hidden[i] || st.exempt[i] || st.passed[i] {
			continue
		}
		switch w := st.width(i); {
		case w >= float64(st.k):
			st.passed[i] = true
			continue
		case w == 0 && !st.primary[i]:
			// Hidden to protect others, and its value follows from the
			// published ones: published again at the end (see run).
			continue
		}
		return i, -1
	}
	for li := range st.p.lines {
		if st.linePassed[li] {
			continue
		}
		if st.lineSafe(li) {
			st.linePassed[li] = true
			continue
		}
		return -1, li
	}
	return -1, -1
}

// width of count x's feasible interval under the current hiding.
func (st *state) width(x int) float64 {
	lo, hi, err := st.bounds(x)
	if err != nil {
		return 0 // not proven: treat as exposed
	}
	return hi - lo
}

func (st *state) wide(x int) bool { return st.width(x) >= float64(st.k) }

// lineSafe: a line whose total is hidden or below k (and not 0) has no
// part that must equal the total. Parts of a withheld unit count too: not
// shown, they may still follow from what is. Only a line whose total's
// unit is withheld is not published.
func (st *state) lineSafe(li int) bool {
	l := st.p.lines[li]
	T := st.p.vars[l.total]
	if T.Value == 0 || !st.hidden[l.total] && T.Value >= int64(st.k) || len(l.parts) < 2 || st.withheld[T.Unit] {
		return true // a line of one part is its total: it tells nothing new
	}
	anyHidden := st.hidden[l.total]
	for _, x := range l.parts {
		anyHidden = anyHidden || st.hidden[x]
	}
	if !anyHidden {
		return true // all shown: only known counts can be small here
	}
	for _, x := range l.parts {
		hi, err := st.maxDiff(l.total, x)
		if err != nil || hi < 0.5 {
			return false
		}
	}
	return true
}

// maxTrials is how many of the cheapest candidates are tried one by one.
const maxTrials = 3

func (st *state) fixVar(x int) error {
	if !st.helpable[x] {
		if st.hopeless(func() bool { return st.wide(x) }, x) {
			return st.withhold(st.unitFor(x))
		}
		if st.helpable == nil {
			st.helpable = map[int]bool{}
		}
		st.helpable[x] = true
	}
	cands := st.candidates([]int{x})
	if len(cands) == 0 {
		return st.withhold(st.unitFor(x))
	}
	best, bestW := cands[0], -1.0
	for t, c := range cands {
		if t == maxTrials {
			break
		}
		st.set(c, true)
		w := st.width(x)
		st.set(c, false)
		if w >= float64(st.k) {
			best = c
			break
		}
		if w > bestW {
			best, bestW = c, w
		}
	}
	st.set(best, true)
	return nil
}

func (st *state) fixLine(li int) error {
	l := st.p.lines[li]
	members := append([]int{l.total}, l.parts...)
	ok := func() bool { return st.lineSafe(li) }
	if st.hopeless(ok, members...) {
		return st.withhold(st.lineUnit(l))
	}
	cands := st.candidates(members)
	if len(cands) == 0 {
		return st.withhold(st.lineUnit(l))
	}
	best := cands[0]
	for t, c := range cands {
		if t == maxTrials {
			break
		}
		st.set(c, true)
		pass := ok()
		st.set(c, false)
		if pass {
			best = c
			break
		}
	}
	st.set(best, true)
	return nil
}

// NoUnit marks counts that are never withheld (the number of
// respondents, counts another table shows): when one of them cannot be
// protected, the tables around it are withheld instead.
const NoUnit = -1

// unitFor is what to withhold when count x cannot be protected: its own
// unit, or for a count of NoUnit the first table connected to it (a known
// count's unit: withholding it takes the table's relations away).
func (st *state) unitFor(x int) int {
	if u := st.p.vars[x].Unit; u != NoUnit {
		return u
	}
	comp := st.component([]int{x}, false)
	for _, known := range []bool{true, false} {
		for _, v := range comp {
			if u := st.p.vars[v].Unit; u != NoUnit && !st.withheld[u] && st.p.vars[v].Known == known {
				return u
			}
		}
	}
	return NoUnit
}

// active says whether a relation is still on the page: not when all its
// counts are in withheld units (a table not shown at all).
func (st *state) active(ri int) bool {
	for _, v := range st.p.rels[ri].vars {
		if u := st.p.vars[v].Unit; u == NoUnit || !st.withheld[u] {
			return true
		}
	}
	return false
}

// lineUnit is what to withhold for a line nothing else protects: the
// unit of a hidden part not yet withheld, or else the total's (which
// takes the line off the page).
func (st *state) lineUnit(l line) int {
	for _, x := range l.parts {
		if u := st.p.vars[x].Unit; st.hidden[x] && !st.withheld[u] {
			return u
		}
	}
	return st.p.vars[l.total].Unit
}

// hopeless reports whether pass fails even with every count that is
// connected to the given ones hidden (known counts stay).
func (st *state) hopeless(pass func() bool, from ...int) bool {
	var freed []int
	for _, v := range st.component(from, false) {
		if !st.hidden[v] && !st.p.vars[v].Known {
			st.set(v, true)
			freed = append(freed, v)
		}
	}
	ok := pass()
	for _, v := range freed {
		st.set(v, false)
	}
	return !ok
}

// withhold publishes nothing of unit u: all its counts are hidden and no
// longer checked. NoUnit means nothing is left to withhold: then the page
// cannot be protected (ErrCannotProtect).
func (st *state) withhold(u int) error {
	if u == NoUnit {
		return ErrCannotProtect
	}
	st.withheld[u] = true
	st.version++
	for i, v := range st.p.vars {
		if v.Unit == u && !v.Known {
			st.set(i, true)
			st.exempt[i] = true
		}
	}
	return nil
}

// component lists the counts connected to from by relations; with
// hiddenOnly, only through hidden counts (the ones an LP sees).
func (st *state) component(from []int, hiddenOnly bool) []int {
	seen := map[int]bool{}
	var out, queue []int
	for _, v := range from {
		if !seen[v] {
			seen[v] = true
			out, queue = append(out, v), append(queue, v)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		if hiddenOnly && !st.hidden[v] {
			continue
		}
		for _, ri := range st.p.byVar[v] {
			if !st.active(ri) {
				continue
			}
			for _, w := range st.p.rels[ri].vars {
				if !seen[w] {
					seen[w] = true
					out = append(out, w)
					queue = append(queue, w)
				}
			}
		}
	}
	return out
}

// candidates are the published, hideable counts in a relation with the
// given counts or with hidden counts connected to them, cheapest first:
// cells before totals, then smaller counts, then position.
func (st *state) candidates(from []int) []int {
	var out []int
	for _, v := range st.component(from, true) {
		if !st.hidden[v] && !st.p.vars[v].Known {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b int) int {
		va, vb := st.p.vars[a], st.p.vars[b]
		switch {
		case va.Margin != vb.Margin:
			if va.Margin {
				return 1
			}
			return -1
		case va.Value != vb.Value:
			if va.Value < vb.Value {
				return -1
			}
			return 1
		}
		return a - b
	})
	return out
}

// bounds returns the feasible interval of count x, rounded inwards to
// integers.
func (st *state) bounds(x int) (float64, float64, error) {
	if !st.hidden[x] {
		v := float64(st.p.vars[x].Value)
		return v, v, nil
	}
	lo, hi, err := st.optimize(map[int]float64{x: 1})
	if err != nil {
		return 0, 0, err
	}
	return math.Ceil(lo - 1e-7), math.Floor(hi + 1e-7), nil
}

// maxDiff is the largest value of total − part.
func (st *state) maxDiff(total, part int) (float64, error) {
	obj := map[int]float64{}
	c := 0.0
	for v, s := range map[int]float64{total: 1, part: -1} {
		if st.hidden[v] {
			obj[v] += s
		} else {
			c += s * float64(st.p.vars[v].Value)
		}
	}
	if len(obj) == 0 {
		return c, nil
	}
	_, hi, err := st.optimize(obj)
	return c + hi, err
}
