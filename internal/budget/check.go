package budget

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"inspraak/internal/apperror"
)

// Problem is one reason a ballot cannot be stored: a message key from the
// catalogues (budget.error.*) with its arguments.
type Problem struct {
	Key  string
	Args []any
}

// Err is the problem as the error every channel returns.
func (p Problem) Err() error { return apperror.New(apperror.Invalid, p.Key, p.Args...) }

// Check judges the lines of a ballot in area under the budget's method and
// limits; b must carry its plans (Get loads them). It is the one rule for
// every channel, on the page (the basket) and again inside the
// transaction that stores the ballot. Lines are as Normalize leaves them.
// The first problem is returned as an Invalid apperror with its message
// key; nil means the ballot may be stored.
func Check(b *Budget, area *Area, lines []Line) error {
	if ps := Problems(b, area, lines); len(ps) > 0 {
		return ps[0].Err()
	}
	return nil
}

// Problems lists every problem of the lines, in the order Check reports
// them, so a basket can show them all at once.
func Problems(b *Budget, area *Area, lines []Line) []Problem {
	var out []Problem
	add := func(key string, args ...any) { out = append(out, Problem{Key: key, Args: args}) }
	if len(lines) == 0 {
		add("budget.error.empty")
		return out
	}
	plans := map[int64]*Plan{}
	for i := range b.Plans {
		plans[b.Plans[i].ID] = &b.Plans[i]
	}
	seen := map[int64]bool{}
	var cost int64
	points := 0
	for _, l := range lines {
		p := plans[l.PlanID]
		switch {
		case p == nil:
			add("budget.error.unknown_plan")
			return out
		case p.AreaID != area.ID:
			add("budget.error.other_area", p.Title)
			return out
		case seen[l.PlanID]:
			add("budget.error.duplicate_plan", p.Title)
			return out
		}
		seen[l.PlanID] = true
		cost += p.Cost
		if b.Method == MethodPoints && l.Points < 0 {
			add("budget.error.negative_points", p.Title)
			return out
		}
		points += l.Points
	}
	n := len(lines)
	switch b.Method {
	case MethodKnapsack:
		if cost > area.Amount {
			add("budget.error.over_budget", FormatEuro(cost), FormatEuro(area.Amount))
		} else if b.MinSpendPct > 0 && cost*100 < area.Amount*int64(b.MinSpendPct) {
			add("budget.error.under_min_spend", b.MinSpendPct, FormatEuro(MinSpend(b, area)))
		}
	case MethodPoints:
		if points != b.PointsTotal {
			add("budget.error.points_total", b.PointsTotal, points)
		}
	}
	if b.MinPlans > 0 && n < b.MinPlans {
		add("budget.error.too_few_plans", b.MinPlans)
	}
	if b.MaxPlans > 0 && n > b.MaxPlans {
		add("budget.error.too_many_plans", b.MaxPlans)
	}
	return out
}

// MinSpend is the least a knapsack ballot in area must spend, in euro
// cents, rounded up.
func MinSpend(b *Budget, area *Area) int64 {
	if b.Method != MethodKnapsack || b.MinSpendPct <= 0 {
		return 0
	}
	return (area.Amount*int64(b.MinSpendPct) + 99) / 100
}

// Normalize returns the lines as a ballot stores them, in plan order: for
// the points method lines without points are no choice and are dropped;
// the other methods count each chosen plan once, with 1 point.
func Normalize(method string, lines []Line) []Line {
	out := make([]Line, 0, len(lines))
	for _, l := range lines {
		if method == MethodPoints {
			if l.Points == 0 {
				continue
			}
		} else {
			l.Points = 1
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b Line) int { return cmp.Compare(a.PlanID, b.PlanID) })
	return out
}

// FormatEuro writes an amount in euro cents the Dutch way: "€ 12.500" for
// whole euros, "€ 12.500,50" otherwise.
func FormatEuro(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	euros := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range euros {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	s := b.String()
	if c := cents % 100; c != 0 {
		s += "," + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
	}
	if neg {
		s = "-" + s
	}
	return "€ " + s
}
