package suppress

import (
	"math"
	"slices"
)

// optimize returns the smallest and largest value of Σ obj[v]·x[v] over
// the hidden counts, given the published ones: a linear program over the
// hidden counts connected to obj's through relations, in standard form
// (one slack per inequality), solved by the simplex in simplex.go. +Inf:
// no largest value.
func (st *state) optimize(obj map[int]float64) (float64, float64, error) {
	from := make([]int, 0, len(obj))
	for v := range obj {
		from = append(from, v)
	}
	slices.Sort(from)
	comp := st.component(from, true)
	// Columns in the order of the counts, so that every objective over
	// the component finds the same columns (the first phase is shared).
	slices.Sort(comp)
	col := map[int]int{}
	for _, v := range comp {
		if st.hidden[v] {
			col[v] = len(col)
		}
	}
	var rels []int
	seen := map[int]bool{}
	for _, v := range comp {
		if !st.hidden[v] {
			continue
		}
		for _, ri := range st.p.byVar[v] {
			if !seen[ri] && st.active(ri) {
				seen[ri] = true
				rels = append(rels, ri)
			}
		}
	}
	slices.Sort(rels)
	if len(rels) == 0 {
		lo, hi := 0.0, 0.0
		for _, c := range obj {
			if c > 0 {
				hi = math.Inf(1)
			} else if c < 0 {
				lo = math.Inf(-1)
			}
		}
		return lo, hi, nil
	}
	nx := len(col)
	slacks := 0
	for _, ri := range rels {
		if st.p.rels[ri].le {
			slacks++
		}
	}
	n := nx + slacks
	A := make([][]float64, len(rels))
	b := make([]float64, len(rels))
	s := nx
	for r, ri := range rels {
		rel := st.p.rels[ri]
		A[r] = make([]float64, n)
		for t, v := range rel.vars {
			if j, ok := col[v]; ok {
				A[r][j] += rel.coef[t]
			} else {
				b[r] -= rel.coef[t] * float64(st.p.vars[v].Value)
			}
		}
		if rel.le {
			A[r][s] = 1
			s++
		}
	}
	c := make([]float64, n)
	for v, x := range obj {
		c[col[v]] = x
	}
	// One first phase per component and version of what is hidden.
	key := [2]int{st.version, from0(col)}
	lc, ok := st.cache[key]
	if !ok || lc.n != n {
		t, err := feasible(A, b, n)
		if err != nil {
			return 0, 0, err
		}
		if st.cache == nil || len(st.cache) > 64 {
			st.cache = map[[2]int]*lpCache{}
		}
		lc = &lpCache{t: t, n: n}
		st.cache[key] = lc
	}
	return lc.t.minMax(c)
}

// lpCache is a component's tableau after the first phase.
type lpCache struct {
	t *tableau
	n int
}

// from0 is the smallest count of a component: its name in the cache.
func from0(col map[int]int) int {
	m := -1
	for v := range col {
		if m < 0 || v < m {
			m = v
		}
	}
	return m
}
