package suppress

import (
	"errors"
	"math"
)

// A small dense simplex for the interval problems of a page: a few dozen
// to a few hundred counts, integer data, heavily degenerate (many
// counts at 0). Bland's rule guarantees it ends. Phase I is done once per
// problem; each objective then starts from its feasible basis.

const eps = 1e-9

var (
	errInfeasible = errors.New("suppress: no table fits what is published")
	errPivots     = errors.New("suppress: simplex did not finish")
)

// tableau holds [A | b] for the basic variables of each row, and basis[r]
// the column basic in row r.
type tableau struct {
	rows  [][]float64 // each of length n+1: coefficients, then the value
	basis []int
	n     int // structural columns (artificials are gone after phase I)
}

// feasible runs phase I for A x = b, x ≥ 0 and returns a tableau with a
// feasible basis of structural columns; redundant rows are dropped.
func feasible(A [][]float64, b []float64, n int) (*tableau, error) {
	m := len(A)
	w := n + m // with artificials
	t := &tableau{rows: make([][]float64, m), basis: make([]int, m), n: w}
	for i := range A {
		row := make([]float64, w+1)
		s := 1.0
		if b[i] < 0 {
			s = -1
		}
		for j, a := range A[i] {
			row[j] = s * a
		}
		row[n+i] = 1
		row[w] = s * b[i]
		t.rows[i], t.basis[i] = row, n+i
	}
	// Phase I objective: minimise the sum of artificials.
	cost := make([]float64, w)
	for j := n; j < w; j++ {
		cost[j] = 1
	}
	if _, err := t.optimize(cost, w); err != nil {
		return nil, err
	}
	var sum float64
	for i, bv := range t.basis {
		if bv >= n {
			sum += t.rows[i][w]
		}
	}
	if sum > 1e-7 {
		return nil, errInfeasible
	}
	// Drive the artificials out of the basis, dropping rows that have no
	// structural entry left (they repeat other rows).
	keep := t.rows[:0]
	var basis []int
	for i := range t.rows {
		if t.basis[i] < n {
			keep, basis = append(keep, t.rows[i]), append(basis, t.basis[i])
			continue
		}
		p := -1
		for j := range n {
			if math.Abs(t.rows[i][j]) > eps {
				p = j
				break
			}
		}
		if p < 0 {
			continue
		}
		t.pivot(i, p)
		keep, basis = append(keep, t.rows[i]), append(basis, t.basis[i])
	}
	// Cut the artificial columns.
	out := &tableau{rows: make([][]float64, len(keep)), basis: basis, n: n}
	for i, row := range keep {
		r := make([]float64, n+1)
		copy(r, row[:n])
		r[n] = row[w]
		out.rows[i] = r
	}
	return out, nil
}

func (t *tableau) clone() *tableau {
	c := &tableau{rows: make([][]float64, len(t.rows)), basis: append([]int(nil), t.basis...), n: t.n}
	for i, r := range t.rows {
		c.rows[i] = append([]float64(nil), r...)
	}
	return c
}

func (t *tableau) pivot(r, col int) {
	pr := t.rows[r]
	f := pr[col]
	// The pivot row's non-zero entries: tables are sparse.
	var nz []int
	for j := range pr {
		if pr[j] != 0 {
			pr[j] /= f
			nz = append(nz, j)
		}
	}
	pr[col] = 1
	for i, row := range t.rows {
		if i == r {
			continue
		}
		g := row[col]
		if g == 0 {
			continue
		}
		for _, j := range nz {
			row[j] -= g * pr[j]
			if math.Abs(row[j]) < 1e-12 {
				row[j] = 0
			}
		}
		row[col] = 0
	}
	t.basis[r] = col
}

// optimize minimises cost·x over the first cols columns from the current
// basis; it returns the optimum, or −Inf when unbounded. The reduced
// costs are kept in a row of their own and pivoted with the rest. The
// entering column is the most negative reduced cost (Dantzig), and after
// a run of pivots that do not improve the objective the smallest index
// (Bland), which cannot cycle.
func (t *tableau) optimize(cost []float64, cols int) (float64, error) {
	if len(t.rows) == 0 {
		return 0, nil
	}
	w := len(t.rows[0]) - 1
	// d[j] = cost_j − Σ cost_basis · row_j; d[w] = −objective.
	d := make([]float64, w+1)
	copy(d, cost)
	for i, bv := range t.basis {
		if cb := cost[bv]; cb != 0 {
			for j, a := range t.rows[i] {
				d[j] -= cb * a
			}
		}
	}
	stalled := 0
	for range 200000 {
		enter := -1
		for j := range cols {
			if d[j] < -eps && (enter < 0 || stalled < 50 && d[j] < d[enter]) {
				enter = j
				if stalled >= 50 {
					break
				}
			}
		}
		if enter < 0 {
			return -d[w], nil
		}
		leave := -1
		var best float64
		for i, row := range t.rows {
			if row[enter] > eps {
				ratio := row[w] / row[enter]
				if leave < 0 || ratio < best-eps || ratio < best+eps && t.basis[i] < t.basis[leave] {
					leave, best = i, ratio
				}
			}
		}
		if leave < 0 {
			return math.Inf(-1), nil
		}
		if best > eps {
			stalled = 0
		} else {
			stalled++
		}
		t.pivot(leave, enter)
		if f := d[enter]; f != 0 {
			pr := t.rows[leave]
			for j, a := range pr {
				if a != 0 {
					d[j] -= f * a
				}
			}
			d[enter] = 0
		}
	}
	return 0, errPivots
}

// minMax returns the smallest and largest value of c·x over the feasible
// tableau's problem (±Inf when unbounded); t itself is left as it is.
func (t *tableau) minMax(c []float64) (float64, float64, error) {
	n := len(c)
	if len(t.rows) == 0 {
		lo, hi := 0.0, 0.0
		for _, x := range c {
			if x > 0 {
				hi = math.Inf(1)
			} else if x < 0 {
				lo = math.Inf(-1)
			}
		}
		return lo, hi, nil
	}
	lo, err := t.clone().optimize(c, n)
	if err != nil {
		return 0, 0, err
	}
	neg := make([]float64, n)
	for j := range c {
		neg[j] = -c[j]
	}
	hi, err := t.clone().optimize(neg, n)
	return lo, -hi, err
}
