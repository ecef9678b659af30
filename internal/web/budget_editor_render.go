package web

// BudgetSettingsData is what the budget-settings-fields partial receives.
type BudgetSettingsData struct {
	P *Page
	F budgetSettingsForm
	E map[string]string
}

// BudgetSettings pairs the settings form with the page.
func (p *Page) BudgetSettings(f budgetSettingsForm, e map[string]string) BudgetSettingsData {
	return BudgetSettingsData{P: p, F: f, E: e}
}

// BudgetAreasData is what the budget-areas-fields partial receives.
type BudgetAreasData struct {
	P       *Page
	F       budgetAreasForm
	E       map[string]string
	PerWijk bool
}

// BudgetAreas pairs the amounts form with the page.
func (p *Page) BudgetAreas(f budgetAreasForm, e map[string]string, perWijk bool) BudgetAreasData {
	return BudgetAreasData{P: p, F: f, E: e, PerWijk: perWijk}
}
