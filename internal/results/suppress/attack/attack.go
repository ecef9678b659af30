// Package attack is the reader the tests set loose on published figures:
// someone with the code, every figure of a page and a linear-programming
// solver. Tests describe what was published as unknowns (hidden cells)
// and linear relations (line sums, "at most", "at least"), and ask for
// the smallest and largest value an unknown or an expression of unknowns
// can take. It is written apart from package suppress, from the published
// text only, so that a mistake in how suppress models a page is not made
// twice.
package attack

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Expr is a linear expression: a constant plus coefficients of unknowns.
type Expr struct {
	Const float64
	Coef  map[int]float64
}

// C is a constant.
func C(c float64) Expr { return Expr{Const: c} }

// V is unknown v.
func V(v int) Expr { return Expr{Coef: map[int]float64{v: 1}} }

// Plus returns e + f.
func (e Expr) Plus(f Expr) Expr { return e.add(f, 1) }

// Minus returns e − f.
func (e Expr) Minus(f Expr) Expr { return e.add(f, -1) }

func (e Expr) add(f Expr, s float64) Expr {
	out := Expr{Const: e.Const + s*f.Const, Coef: map[int]float64{}}
	for v, c := range e.Coef {
		out.Coef[v] += c
	}
	for v, c := range f.Coef {
		out.Coef[v] += s * c
	}
	return out
}

// Sum adds expressions.
func Sum(es ...Expr) Expr {
	out := C(0)
	for _, e := range es {
		out = out.Plus(e)
	}
	return out
}

// Reader is what a reader knows: unknowns, each at least 0, and linear
// relations between them and published constants.
type Reader struct {
	n     int
	names []string
	eq    []Expr // = 0
	le    []Expr // ≤ 0
	// Bad records a relation between constants only that does not hold:
	// the published figures contradict each other.
	Bad []string
}

// Unknown adds an unknown count (≥ 0) and returns its index.
func (r *Reader) Unknown(name string) int {
	r.names = append(r.names, name)
	r.n++
	return r.n - 1
}

// Name of unknown v.
func (r *Reader) Name(v int) string { return r.names[v] }

// N is the number of unknowns.
func (r *Reader) N() int { return r.n }

func constant(e Expr) bool {
	for _, c := range e.Coef {
		if c != 0 {
			return false
		}
	}
	return true
}

// Equal records a = b.
func (r *Reader) Equal(a, b Expr, what string) {
	e := a.Minus(b)
	if constant(e) {
		if math.Abs(e.Const) > 1e-9 {
			r.Bad = append(r.Bad, fmt.Sprintf("%s: %g ≠ 0", what, e.Const))
		}
		return
	}
	r.eq = append(r.eq, e)
}

// AtMost records a ≤ b.
func (r *Reader) AtMost(a, b Expr, what string) {
	e := a.Minus(b)
	if constant(e) {
		if e.Const > 1e-9 {
			r.Bad = append(r.Bad, fmt.Sprintf("%s: %g > 0", what, e.Const))
		}
		return
	}
	r.le = append(r.le, e)
}

// Range returns the smallest and largest value of e over every
// non-negative real solution (+Inf when there is no largest), by two
// linear programs.
func (r *Reader) Range(e Expr) (lo, hi float64, err error) {
	if constant(e) {
		return e.Const, e.Const, nil
	}
	lo, err = r.opt(e, 1)
	if err != nil {
		return 0, 0, err
	}
	hi, err = r.opt(e, -1)
	return lo, -hi, err
}

// opt minimises sign·e over x ≥ 0: standard form with a slack for each
// inequality.
func (r *Reader) opt(e Expr, sign float64) (float64, error) {
	// Only the unknowns connected to e's through relations matter.
	rels := append(slices.Clone(r.eq), r.le...)
	in := map[int]bool{}
	var queue []int
	for v, x := range e.Coef {
		if x != 0 && !in[v] {
			in[v] = true
			queue = append(queue, v)
		}
	}
	used := make([]bool, len(rels))
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for i, q := range rels {
			if used[i] || q.Coef[v] == 0 {
				continue
			}
			used[i] = true
			for w, x := range q.Coef {
				if x != 0 && !in[w] {
					in[w] = true
					queue = append(queue, w)
				}
			}
		}
	}
	col := map[int]int{}
	for v := range r.n {
		if in[v] {
			col[v] = len(col)
		}
	}
	nx := len(col)
	var eqs, les []Expr
	for i, q := range rels {
		if used[i] && i < len(r.eq) {
			eqs = append(eqs, q)
		} else if used[i] {
			les = append(les, q)
		}
	}
	n := nx + len(les)
	m := len(eqs) + len(les)
	A := mat.NewDense(max(m, 1), n, nil)
	b := make([]float64, max(m, 1))
	for i, q := range append(eqs, les...) {
		for v, x := range q.Coef {
			if x != 0 {
				A.Set(i, col[v], x)
			}
		}
		b[i] = -q.Const
		if i >= len(eqs) {
			A.Set(i, nx+i-len(eqs), 1)
		}
	}
	c := make([]float64, n)
	for v, x := range e.Coef {
		c[col[v]] = sign * x
	}
	if m == 0 {
		// No relation: each unknown is free above 0.
		for _, x := range c {
			if x < 0 {
				return math.Inf(-1), nil
			}
		}
		return sign * e.Const, nil
	}
	// An unknown in no relation can grow without end.
	for v := range nx {
		if mat.Norm(A.ColView(v), 1) == 0 {
			switch {
			case c[v] < 0:
				return math.Inf(-1), nil
			default:
				// Fix it at 0: it does not matter to the optimum.
				A = mat.DenseCopyOf(A.Grow(1, 0))
				A.Set(m, v, 1)
				b = append(b, 0)
				m++
			}
		}
	}
	A, b = independentRows(A, b)
	f, _, err := lp.Simplex(c, A, b, 1e-10, nil)
	switch {
	case errors.Is(err, lp.ErrUnbounded):
		return math.Inf(-1), nil
	case err != nil:
		return 0, err
	}
	return sign*e.Const + f, nil
}

// independentRows drops rows of A that are combinations of earlier ones
// (the line sums of a table are: the row totals and the column totals
// both add up to the grand total), as the simplex needs full row rank.
func independentRows(A *mat.Dense, b []float64) (*mat.Dense, []float64) {
	m, n := A.Dims()
	var basis [][]float64 // reduced rows, each with its pivot
	var pivots []int
	var keep []int
	for i := range m {
		row := mat.Row(nil, i, A)
		for k, br := range basis {
			if f := row[pivots[k]]; f != 0 {
				for j := range n {
					row[j] -= f * br[j]
				}
			}
		}
		p := -1
		for j := range n {
			if math.Abs(row[j]) > 1e-9 && (p < 0 || math.Abs(row[j]) > math.Abs(row[p])) {
				p = j
			}
		}
		if p < 0 {
			continue
		}
		f := row[p]
		for j := range n {
			row[j] /= f
		}
		basis, pivots, keep = append(basis, row), append(pivots, p), append(keep, i)
	}
	out := mat.NewDense(len(keep), n, nil)
	ob := make([]float64, len(keep))
	for r, i := range keep {
		out.SetRow(r, mat.Row(nil, i, A))
		ob[r] = b[i]
	}
	return out, ob
}
