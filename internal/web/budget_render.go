package web

// BudgetCardData is what the budget-card partial receives.
type BudgetCardData struct {
	P    *Page
	D    *budgetPageData
	Plan planCard
}

// BudgetCard pairs a plan card with the page and the budget page's data.
func (p *Page) BudgetCard(d *budgetPageData, pl planCard) BudgetCardData {
	return BudgetCardData{P: p, D: d, Plan: pl}
}

// BudgetChoiceData is what the budget-choice-list partial receives: a
// chosen set of plans with its total (money, or points).
type BudgetChoiceData struct {
	P          *Page
	Caption    string
	Items      []basketItem
	Points     bool
	Total      int64
	PointsUsed int
}

// BudgetChoice builds the table of a choice.
func (p *Page) BudgetChoice(caption string, items []basketItem, points bool) BudgetChoiceData {
	d := BudgetChoiceData{P: p, Caption: caption, Items: items, Points: points}
	for _, it := range items {
		d.Total += it.Cost
		d.PointsUsed += it.Points
	}
	return d
}
