package budget_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// Only editors build budgets; every change is audited; settings are
// checked with a message per field, and the defaults are a knapsack
// budget counted greedily.
func TestCreateAndSettings(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	analyst := identity.Actor{StaffID: 2, Roles: []identity.Role{identity.RoleAnalyst}}
	stand := identity.Actor{StaffID: 3, Roles: []identity.Role{identity.RoleStembureau}}
	for _, a := range []identity.Actor{analyst, stand, {}} {
		if _, err := f.budgets.Create(ctx, a, budget.Draft{ProjectID: f.proj, Slug: "nee", Title: "Nee"}); code(err) != apperror.Forbidden {
			t.Fatalf("create by %v: %v, want forbidden", a.Roles, err)
		}
	}
	b := f.budget(t, nil)
	if b.Method != budget.MethodKnapsack || b.Rule != budget.RuleGreedy || b.WijkSource != budget.WijkBRP || b.Instrument.Kind != instrument.KindBudget {
		t.Fatalf("defaults: %+v", b)
	}
	if f.audits(t, "budget.create", b.InstrumentID) != 1 || f.audits(t, "budget.plan_add", b.InstrumentID) != 3 {
		t.Fatal("create and plans not audited")
	}
	bad := budget.Settings{Method: "loterij", Rule: "dobbelsteen", WijkSource: "gok", MinPlans: 5, MaxPlans: 2}
	err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, bad)
	for field, key := range map[string]string{"method": "budget.error.method", "rule": "budget.error.rule",
		"wijk_source": "budget.error.wijk_source", "max_plans": "budget.error.plan_limits"} {
		if fieldOf(err, field) != key {
			t.Errorf("field %s: %q, want %q (%v)", field, fieldOf(err, field), key, err)
		}
	}
	if err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, budget.Settings{Method: budget.MethodPoints}); fieldOf(err, "points_total") != "budget.error.points_total_range" {
		t.Fatalf("points without a total: %v", err)
	}
	if err := f.budgets.UpdateSettings(ctx, analyst, b.InstrumentID, budget.Settings{}); code(err) != apperror.Forbidden {
		t.Fatalf("settings by an analyst: %v", err)
	}
	// Voting opened an hour ago: the rule was announced and stays.
	if err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, budget.Settings{Rule: budget.RuleMES}); keyOf(err) != "budget.error.rule_fixed" {
		t.Fatalf("rule changed after opening: %v", err)
	}
	st := budget.Settings{Method: budget.MethodApproval, MinPlans: 1, MaxPlans: 2, MinSpendPct: 50}
	if err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, st); err != nil {
		t.Fatal(err)
	}
	b = f.get(t, b.InstrumentID)
	if b.Method != budget.MethodApproval || b.MinPlans != 1 || b.MaxPlans != 2 || b.MinSpendPct != 0 {
		t.Fatalf("after update: %+v (min spend belongs to knapsack only)", b)
	}
	if f.audits(t, "budget.settings", b.InstrumentID) != 1 {
		t.Fatal("settings not audited")
	}
	// Once a ballot exists, nothing of the settings changes.
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, ""), choose(b, 0)); err != nil {
		t.Fatal(err)
	}
	if err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, budget.Settings{Method: budget.MethodApproval, MaxPlans: 3}); keyOf(err) != "budget.error.settings_fixed" {
		t.Fatalf("limits changed after a ballot: %v", err)
	}
	if got := f.get(t, b.InstrumentID); got.MaxPlans != 2 {
		t.Fatalf("refused change stored: %+v", got)
	}
	// The same settings again are no change and no refusal.
	if err := f.budgets.UpdateSettings(ctx, editor, b.InstrumentID, budget.Settings{Method: budget.MethodApproval, MinPlans: 1, MaxPlans: 2}); err != nil {
		t.Fatalf("unchanged settings: %v", err)
	}
}

// The money: one amount, or one per wijk, in cents; wijken once each; an
// area with plans cannot go, and its amount is fixed once someone voted in
// it.
func TestAreas(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, func(d *budget.Draft) {
		d.Settings.PerWijk = true
		d.Areas = []budget.AreaInput{{Wijk: "Centrum", Amount: 50_000_00}, {Wijk: "Noord", Amount: 30_000_00}}
	})
	if len(b.Areas) != 2 || b.Areas[0].Wijk != "Centrum" || b.Areas[0].Amount != 50_000_00 {
		t.Fatalf("areas: %+v", b.Areas)
	}
	for _, tc := range []struct {
		areas []budget.AreaInput
		key   string
	}{
		{[]budget.AreaInput{{Wijk: "Centrum", Amount: 0}}, "budget.error.amount"},
		{[]budget.AreaInput{{Wijk: "", Amount: 10}}, "budget.error.wijk_required"},
		{[]budget.AreaInput{{Wijk: "Noord", Amount: 10}, {Wijk: " Noord ", Amount: 20}}, "budget.error.wijk_twice"},
	} {
		if err := f.budgets.SetAreas(ctx, editor, b.InstrumentID, tc.areas); fieldOf(err, "areas") != tc.key {
			t.Errorf("%v: %v, want %s", tc.areas, err, tc.key)
		}
	}
	centrum, noord := b.AreaOf("Centrum"), b.AreaOf("Noord")
	plan := f.plan(t, b, centrum.ID, "Bankjes", 10_000_00)
	// Noord goes, Zuid comes, Centrum gets more.
	if err := f.budgets.SetAreas(ctx, editor, b.InstrumentID, []budget.AreaInput{{Wijk: "Centrum", Amount: 60_000_00}, {Wijk: "Zuid", Amount: 20_000_00}}); err != nil {
		t.Fatal(err)
	}
	b = f.get(t, b.InstrumentID)
	if len(b.Areas) != 2 || b.AreaOf("Noord") != nil || b.AreaOf("Zuid") == nil || b.AreaOf("Centrum").Amount != 60_000_00 {
		t.Fatalf("areas after set: %+v", b.Areas)
	}
	_ = noord
	if err := f.budgets.SetAreas(ctx, editor, b.InstrumentID, []budget.AreaInput{{Wijk: "Zuid", Amount: 20_000_00}}); fieldOf(err, "areas") != "budget.error.area_has_plans" {
		t.Fatalf("area with plans removed: %v", err)
	}
	v := f.online(t, b, midden, "Centrum")
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, budget.Choice{Lines: []budget.Line{{PlanID: plan.ID}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.budgets.SetAreas(ctx, editor, b.InstrumentID, []budget.AreaInput{{Wijk: "Centrum", Amount: 70_000_00}, {Wijk: "Zuid", Amount: 20_000_00}}); fieldOf(err, "areas") != "budget.error.amount_fixed" {
		t.Fatalf("amount changed after a ballot: %v", err)
	}
	// Another wijk's amount may still change.
	if err := f.budgets.SetAreas(ctx, editor, b.InstrumentID, []budget.AreaInput{{Wijk: "Centrum", Amount: 60_000_00}, {Wijk: "Zuid", Amount: 25_000_00}}); err != nil {
		t.Fatal(err)
	}
	if f.audits(t, "budget.areas", b.InstrumentID) != 2 {
		t.Fatal("areas not audited")
	}
}

// Plans need a title and a cost above zero, an image needs its text;
// order can always change, but cost and existence are fixed once a ballot
// exists (the words may still be corrected).
func TestPlans(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	area := b.Areas[0].ID
	for _, tc := range []struct {
		in         budget.PlanInput
		field, key string
	}{
		{budget.PlanInput{AreaID: area, Title: " ", Cost: 100}, "title", "budget.error.plan_title_required"},
		{budget.PlanInput{AreaID: area, Title: "Gratis", Cost: 0}, "cost", "budget.error.cost"},
		{budget.PlanInput{AreaID: area, Title: "Min", Cost: -5}, "cost", "budget.error.cost"},
		{budget.PlanInput{AreaID: 0, Title: "Nergens", Cost: 5}, "area", "budget.error.area_unknown"},
		{budget.PlanInput{AreaID: area, Title: "Foto", Cost: 5, Image: pngBytes(t)}, "image_alt", "budget.error.alt_required"},
		{budget.PlanInput{AreaID: area, Title: "Kapot", Cost: 5, Image: []byte("geen plaatje"), ImageAlt: "x"}, "image", "media.error.type"},
	} {
		if _, err := f.budgets.AddPlan(ctx, editor, b.InstrumentID, tc.in); fieldOf(err, tc.field) != tc.key {
			t.Errorf("%+v: %v, want %s on %s", tc.in.Title, err, tc.key, tc.field)
		}
	}
	if got := f.get(t, b.InstrumentID); len(got.Plans) != 3 {
		t.Fatalf("refused plans stored: %d plans", len(got.Plans))
	}
	p, err := f.budgets.AddPlan(ctx, editor, b.InstrumentID, budget.PlanInput{AreaID: area, Title: "Speeltuin", Cost: 12_345_67,
		Image: pngBytes(t), ImageAlt: "Een klimrek"})
	if err != nil {
		t.Fatal(err)
	}
	if p.ImagePath == "" || p.ImageWidth != 4 || p.Position != 4 {
		t.Fatalf("plan with image: %+v", p)
	}
	// Move the new plan up: it swaps with Plan C.
	place, total, err := f.budgets.MovePlan(ctx, editor, b.InstrumentID, p.ID, true)
	if err != nil || place != 3 || total != 4 {
		t.Fatalf("move: %d of %d, %v", place, total, err)
	}
	b = f.get(t, b.InstrumentID)
	if b.Plans[2].ID != p.ID || b.Plans[3].Title != "Plan C" {
		t.Fatalf("order after move: %s, %s", b.Plans[2].Title, b.Plans[3].Title)
	}
	if err := f.budgets.RemovePlan(ctx, editor, b.InstrumentID, b.Plans[3].ID); err != nil {
		t.Fatal(err)
	}
	b = f.get(t, b.InstrumentID)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, ""), choose(b, 0)); err != nil {
		t.Fatal(err)
	}
	if err := f.budgets.RemovePlan(ctx, editor, b.InstrumentID, b.Plans[1].ID); keyOf(err) != "budget.error.plan_fixed" {
		t.Fatalf("plan removed after a ballot: %v", err)
	}
	in := budget.PlanInput{AreaID: area, Title: "Plan A, beter gezegd", Cost: b.Plans[0].Cost + 1}
	if err := f.budgets.UpdatePlan(ctx, editor, b.InstrumentID, b.Plans[0].ID, in); fieldOf(err, "cost") != "budget.error.cost_fixed" {
		t.Fatalf("cost changed after a ballot: %v", err)
	}
	in.Cost = b.Plans[0].Cost
	if err := f.budgets.UpdatePlan(ctx, editor, b.InstrumentID, b.Plans[0].ID, in); err != nil {
		t.Fatalf("rewording after a ballot: %v", err)
	}
	b = f.get(t, b.InstrumentID)
	if b.Plans[0].Title != "Plan A, beter gezegd" || len(b.Plans) != 3 {
		t.Fatalf("plans after edits: %+v", b.Plans)
	}
	// Taking the image off releases it: nothing else shows it.
	if err := f.budgets.UpdatePlan(ctx, editor, b.InstrumentID, p.ID, budget.PlanInput{AreaID: area, Title: "Speeltuin", Cost: p.Cost, RemoveImage: true}); err != nil {
		t.Fatal(err)
	}
	var images int64
	testdb.NoError(t, f.db.Table("images").Count(&images).Error)
	if images != 0 {
		t.Fatalf("%d images left after the only plan showing one dropped it", images)
	}
	for _, action := range []string{"budget.plan_move", "budget.plan_remove", "budget.plan_update"} {
		if f.audits(t, action, b.InstrumentID) == 0 {
			t.Errorf("%s not audited", action)
		}
	}
}

// Plans from ideas keep their idea and copy its words and theme; only
// public ideas of a board in the same project, each once.
func TestPlansFromIdeas(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	area := b.Areas[0].ID
	ideas := f.board(t, f.proj, "Meer bomen", "Een bankje", "Verborgen")
	testdb.NoError(t, f.db.Table("ideas").Where("id = ?", ideas[2].ID).Update("moderation", "hidden").Error)
	other, err := budgetProject(f)
	if err != nil {
		t.Fatal(err)
	}
	elsewhere := f.board(t, other, "Ander project")

	for _, tc := range []struct {
		in  []budget.IdeaPlan
		key string
	}{
		{nil, "budget.error.no_ideas"},
		{[]budget.IdeaPlan{{IdeaID: elsewhere[0].ID, AreaID: area, Cost: 100}}, "budget.error.idea_unknown"},
		{[]budget.IdeaPlan{{IdeaID: ideas[2].ID, AreaID: area, Cost: 100}}, "budget.error.idea_unavailable"},
		{[]budget.IdeaPlan{{IdeaID: ideas[0].ID, AreaID: area, Cost: 0}}, ""},
	} {
		_, err := f.budgets.PlansFromIdeas(ctx, editor, b.InstrumentID, tc.in)
		if err == nil || tc.key != "" && fieldOf(err, "ideas") != tc.key {
			t.Errorf("%+v: %v, want %s", tc.in, err, tc.key)
		}
	}
	made, err := f.budgets.PlansFromIdeas(ctx, editor, b.InstrumentID, []budget.IdeaPlan{
		{IdeaID: ideas[0].ID, AreaID: area, Cost: 8_000_00}, {IdeaID: ideas[1].ID, AreaID: area, Cost: 1_500_00}})
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 2 || made[0].IdeaID == nil || *made[0].IdeaID != ideas[0].ID || made[0].Title != "Meer bomen" ||
		made[0].Theme != "Groen" || made[0].Summary != "Eerste alinea over Meer bomen." || made[1].Position != 5 {
		t.Fatalf("plans from ideas: %+v", made)
	}
	if _, err := f.budgets.PlansFromIdeas(ctx, editor, b.InstrumentID, []budget.IdeaPlan{{IdeaID: ideas[0].ID, AreaID: area, Cost: 1}}); fieldOf(err, "ideas") != "budget.error.idea_taken" {
		t.Fatalf("same idea twice: %v", err)
	}
	if got := f.get(t, b.InstrumentID); len(got.Plans) != 5 {
		t.Fatalf("%d plans, want 5", len(got.Plans))
	}
	// Deleting the idea keeps the plan, without the link.
	testdb.NoError(t, f.db.Exec("DELETE FROM ideas WHERE id = ?", ideas[0].ID).Error)
	if got := f.get(t, b.InstrumentID); got.Plan(made[0].ID) == nil || got.Plan(made[0].ID).IdeaID != nil {
		t.Fatal("plan lost or still linked after its idea was deleted")
	}
}

func budgetProject(f *fixture) (int64, error) {
	var id int64
	err := f.db.Raw("INSERT INTO projects (slug, title, summary, status, created_at, updated_at) VALUES ('ander', 'Ander', 'Ander.', 'published', ?, ?) RETURNING id",
		f.now, f.now).Scan(&id).Error
	return id, err
}

// The result goes on the site only once voting has closed and every paper
// batch is checked; analysts may do it too.
func TestPublishResult(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	analyst := identity.Actor{StaffID: 2, Roles: []identity.Role{identity.RoleAnalyst}}
	if err := f.budgets.PublishResult(ctx, analyst, b.InstrumentID, true); keyOf(err) != "budget.error.still_open" {
		t.Fatalf("published while open: %v", err)
	}
	f.now = f.now.Add(48 * time.Hour)
	testdb.NoError(t, f.db.Create(&budget.Batch{InstrumentID: b.InstrumentID, Number: 1, Status: budget.BatchSubmitted, CreatedAt: f.now}).Error)
	if err := f.budgets.PublishResult(ctx, analyst, b.InstrumentID, true); keyOf(err) != "budget.error.batches_pending" {
		t.Fatalf("published with a batch unchecked: %v", err)
	}
	testdb.NoError(t, f.db.Model(&budget.Batch{}).Where("instrument_id = ?", b.InstrumentID).Update("status", budget.BatchChecked).Error)
	if err := f.budgets.PublishResult(ctx, identity.Actor{StaffID: 3, Roles: []identity.Role{identity.RoleStembureau}}, b.InstrumentID, true); code(err) != apperror.Forbidden {
		t.Fatalf("published by stand staff: %v", err)
	}
	if err := f.budgets.PublishResult(ctx, analyst, b.InstrumentID, true); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, b.InstrumentID); got.ResultPublishedAt == nil || !got.ResultPublishedAt.Equal(f.now) {
		t.Fatalf("published at %v", got.ResultPublishedAt)
	}
	if err := f.budgets.PublishResult(ctx, analyst, b.InstrumentID, false); err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, b.InstrumentID); got.ResultPublishedAt != nil {
		t.Fatal("still published")
	}
	if f.audits(t, "budget.result_publish", b.InstrumentID) != 2 {
		t.Fatal("publishing not audited")
	}
}

// The database backs "a plan someone chose stays" (deleting it directly is
// refused), yet deleting a whole budget with ballots, lines, tallies and a
// paper batch goes through, as deleting its project does.
func TestDeletingABudgetTakesEverythingButAChosenPlanStays(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, ""), choose(b, 0, 1)); err != nil {
		t.Fatal(err)
	}
	batch := budget.Batch{InstrumentID: b.InstrumentID, Number: 1, Status: budget.BatchOpen, CreatedAt: f.now}
	testdb.NoError(t, f.db.Create(&batch).Error)
	err := f.db.Transaction(func(tx *gorm.DB) error {
		_, err := budget.StoreBallot(tx, b, budget.NewBallot{Area: &b.Areas[0], Channel: budget.ChannelPaper, Lines: choose(b, 2).Lines, BatchID: &batch.ID})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Exec("DELETE FROM budget_plans WHERE id = ?", b.Plans[0].ID).Error; err == nil {
		t.Fatal("a plan with ballot lines was deleted")
	}
	if err := f.db.Exec("DELETE FROM budget_batches WHERE id = ?", batch.ID).Error; err == nil {
		t.Fatal("a batch with ballots was deleted")
	}
	if err := f.db.Exec("DELETE FROM instruments WHERE id = ?", b.InstrumentID).Error; err != nil {
		t.Fatalf("deleting the budget: %v", err)
	}
	for _, table := range []string{"budgets", "budget_areas", "budget_plans", "budget_ballots", "budget_ballot_plans", "budget_tallies", "budget_batches"} {
		var n int64
		testdb.NoError(t, f.db.Table(table).Count(&n).Error)
		if n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
}
