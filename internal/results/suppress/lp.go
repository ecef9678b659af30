package suppress

import (
	"errors"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// optimize returns the smallest and largest value of Σ obj[v]·x[v] over
// the hidden counts, given the published ones: a linear program over the
// hidden counts connected to obj's through relations, in standard form
// (one slack per inequality). +Inf: no largest value.
func (st *state) optimize(obj map[int]float64) (float64, float64, error) {
	from := make([]int, 0, len(obj))
	for v := range obj {
		from = append(from, v)
	}
	slices.Sort(from)
	comp := st.component(from, true)
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
			if !seen[ri] {
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
	A, b = fullRank(A, b)
	am := mat.NewDense(len(A), n, nil)
	for r := range A {
		am.SetRow(r, A[r])
	}
	c := make([]float64, n)
	for v, x := range obj {
		c[col[v]] = x
	}
	solve := func(sign float64) (float64, error) {
		cs := make([]float64, n)
		for j := range c {
			cs[j] = sign * c[j]
		}
		f, _, err := lp.Simplex(cs, am, b, 1e-10, nil)
		if errors.Is(err, lp.ErrUnbounded) {
			return sign * math.Inf(-1), nil
		}
		return sign * f, err
	}
	lo, err := solve(1)
	if err != nil {
		return 0, 0, err
	}
	hi, err := solve(-1)
	return lo, hi, err
}

// fullRank keeps the rows of A that are not combinations of earlier ones
// (a table's row totals and column totals both add up to the grand
// total): the simplex needs full row rank. The dropped rows hold for
// every solution of the kept ones, as the true counts satisfy all.
func fullRank(A [][]float64, b []float64) ([][]float64, []float64) {
	var basis [][]float64
	var pivots []int
	var outA [][]float64
	var outB []float64
	for i, orig := range A {
		row := slices.Clone(orig)
		for k, br := range basis {
			if f := row[pivots[k]]; f != 0 {
				for j := range row {
					row[j] -= f * br[j]
				}
			}
		}
		p := -1
		for j := range row {
			if math.Abs(row[j]) > 1e-9 && (p < 0 || math.Abs(row[j]) > math.Abs(row[p])) {
				p = j
			}
		}
		if p < 0 {
			continue
		}
		f := row[p]
		for j := range row {
			row[j] /= f
		}
		basis, pivots = append(basis, row), append(pivots, p)
		outA, outB = append(outA, orig), append(outB, b[i])
	}
	return outA, outB
}
