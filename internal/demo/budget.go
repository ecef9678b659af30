package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"inspraak/internal/budget"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/store"
)

// The demo wijkbudget: "Buurtbudget" in Groen in de wijk, divided over
// three wijken (the wijk from the BRP), four plans each, some made from
// ideas on the project's idea board, and ballots from the demo residents
// of those wijken over the past days. Counted by the Method of Equal
// Shares.

// demoBudgetWijken are the wijken of the Buurtbudget and their money, in
// euro cents.
var demoBudgetWijken = []struct {
	Wijk   string
	Amount int64
}{{"De Brink", 40_000_00}, {"Noord", 60_000_00}, {"Zuid", 50_000_00}}

// demoPlans are the plans written by the municipality, per wijk.
var demoPlans = map[string][]struct {
	Title, Summary, Theme string
	Cost                  int64
}{
	"De Brink": {
		{"Bloemenweide op de Brinkweide", "Gras wordt een bloemenweide met bijen en vlinders.", "Bomen en planten", 9_500_00},
		{"Bankjes rond de vijver", "Vier nieuwe bankjes met een rugleuning rond de vijver.", "Spelen en ontmoeten", 6_000_00},
		{"Tegels eruit langs de Dorpsstraat", "Smalle stroken groen waar nu stoeptegels liggen.", "Tegels eruit", 17_500_00},
	},
	"Noord": {
		{"Schaduwdoeken boven de speeltuin", "Doeken boven de speeltoestellen tegen de felle zon.", "Spelen en ontmoeten", 14_000_00},
		{"Fruitbomen in het Lindepark", "Tien fruitbomen; iedereen mag plukken.", "Bomen en planten", 8_000_00},
		{"Wadi langs de Lindelaan", "Een lage groene strook die regenwater opvangt.", "Water", 32_000_00},
	},
	"Zuid": {
		{"Pluktuin bij de sporthal", "Een tuin met bessen en kruiden voor de buurt.", "Bomen en planten", 7_500_00},
		{"Groen dak op het buurthuis", "Sedum op het platte dak van het buurthuis.", "Water", 21_000_00},
		{"Jeu-de-boulesbaan bij de Molenbeek", "Een baan met twee bankjes in de schaduw.", "Spelen en ontmoeten", 9_000_00},
	},
}

// demoIdeaCosts gives the ideas that become plans (by title) their cost.
var demoIdeaCosts = map[string]int64{
	"Bomen rond het speelveld aan de Lindelaan":         18_000_00,
	"Een groen schoolplein":                             25_000_00,
	"Bankjes in de schaduw langs de Molenbeek":          6_500_00,
	"Buurtmoestuin op het lege veld achter de sporthal": 12_000_00,
}

func seedBudget(ctx context.Context, db *store.DB, budgets *budget.Service, people []person, ids map[string]int64, now time.Time) error {
	var at time.Time
	svc := budgets.WithClock(func() time.Time { return at })
	rng := rand.New(rand.NewPCG(17, 3))
	at = day(now, -12).Add(10 * time.Hour)
	opens := day(now, -9)
	var areas []budget.AreaInput
	for _, w := range demoBudgetWijken {
		areas = append(areas, budget.AreaInput{Wijk: w.Wijk, Amount: w.Amount})
	}
	b, err := svc.Create(ctx, seedActor, budget.Draft{
		ProjectID: ids["groen-in-de-wijk"], Slug: "buurtbudget", Title: "Buurtbudget: u kiest wat er in uw wijk komt",
		Description: "In De Brink, Noord en Zuid verdelen bewoners zelf het geld voor groen in hun wijk. " +
			"Kies de plannen die u het belangrijkst vindt, zolang ze samen binnen het budget van uw wijk passen. " +
			"De stemmen worden geteld met de methode van gelijke delen: zo telt de stem van iedere bewoner even zwaar mee.",
		Published: true,
		Rules: instrument.Instrument{Who: instrument.WhoDigiD, MinLoADigiD: identity.Levels(identity.DigiD)[0], ResidentsOnly: true, MinAge: 16,
			OpensAt: &opens, ClosesAt: closesAt(now, 14), AllowChange: true},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleMES, PerWijk: true, WijkSource: budget.WijkBRP},
		Areas:    areas,
	})
	if err != nil {
		return fmt.Errorf("demo: budget: %w", err)
	}
	for _, w := range demoBudgetWijken {
		area := b.AreaOf(w.Wijk)
		for _, p := range demoPlans[w.Wijk] {
			if _, err := svc.AddPlan(ctx, seedActor, b.InstrumentID, budget.PlanInput{AreaID: area.ID, Title: p.Title,
				Summary: p.Summary, Description: p.Summary, Theme: p.Theme, Cost: p.Cost}); err != nil {
				return fmt.Errorf("demo: plan %q: %w", p.Title, err)
			}
		}
	}
	// Plans from ideas on the project's board, in their own wijk.
	var ideas []idea.Idea
	titles := make([]string, 0, len(demoIdeaCosts))
	for t := range demoIdeaCosts {
		titles = append(titles, t)
	}
	if err := db.WithContext(ctx).Joins("JOIN instruments ON instruments.id = ideas.instrument_id").
		Where("instruments.project_id = ? AND ideas.title IN ?", ids["groen-in-de-wijk"], titles).Order("ideas.id").Find(&ideas).Error; err != nil {
		return err
	}
	var from []budget.IdeaPlan
	for _, i := range ideas {
		if area := b.AreaOf(i.Wijk); area != nil && i.Moderation == idea.Approved && i.Status != idea.StatusWithdrawn {
			from = append(from, budget.IdeaPlan{IdeaID: i.ID, AreaID: area.ID, Cost: demoIdeaCosts[i.Title]})
		}
	}
	if len(from) > 0 {
		if _, err := svc.PlansFromIdeas(ctx, seedActor, b.InstrumentID, from); err != nil {
			return fmt.Errorf("demo: plans from ideas: %w", err)
		}
	}
	if b, err = svc.Get(ctx, b.InstrumentID); err != nil {
		return err
	}

	// Residents of the three wijken vote over the past nine days: each
	// picks plans of their wijk in an order of their own, keeping those
	// that still fit.
	var voters []person
	for _, p := range people {
		if !p.business() && b.AreaOf(p.Wijk) != nil && rng.Float64() < 0.45 {
			voters = append(voters, p)
		}
	}
	rng.Shuffle(len(voters), func(i, j int) { voters[i], voters[j] = voters[j], voters[i] })
	for i, at0 := range spread(rng, len(voters), 9, 1, 0, now) {
		p := voters[i]
		area := b.AreaOf(p.Wijk)
		plans := b.PlansIn(area.ID)
		rng.Shuffle(len(plans), func(i, j int) { plans[i], plans[j] = plans[j], plans[i] })
		var c budget.Choice
		left := area.Amount
		for _, pl := range plans {
			if pl.Cost <= left && (len(c.Lines) == 0 || rng.Float64() < 0.7) {
				c.Lines = append(c.Lines, budget.Line{PlanID: pl.ID})
				left -= pl.Cost
			}
		}
		at = at0
		v := budget.Voter{Channel: budget.ChannelOnline, Token: svc.OnlineToken(b.InstrumentID, p.Subject), ParticipantID: p.ID,
			Person: p.respondent(), Wijk: p.Wijk}
		if _, err := svc.Cast(ctx, b.InstrumentID, v, c); err != nil {
			return fmt.Errorf("demo: budget ballot: %w", err)
		}
	}
	return nil
}
