package budget

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/media"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// The editor's side. Every change runs in one transaction that starts
// with instrument.Touch (it locks the instrument's row, so edits of one
// budget take turns, and it moves updated_at) and writes its audit record
// in that transaction: no record, no change. Nothing that would change
// what a stored ballot means is allowed once there is one: the method,
// rule, limits and wijk settings, an area's amount, a plan's cost or area,
// and removing a plan or an area.

// Limits of what an editor types.
const (
	MaxTitle       = 200
	MaxSummary     = 500
	MaxDescription = 10000
	MaxTheme       = 80
	MaxImageAlt    = 300
	MaxWijk        = 100
	MaxPlans       = 500
	MaxAreas       = 100
	// MaxAmount is the largest amount of an area, in euro cents (a
	// thousand million euro): far above any wijkbudget, and small enough
	// that sums of costs never overflow.
	MaxAmount = 100_000_000_000
)

// AreaInput is the money of one area as the editor sets it: Wijk "" for a
// budget that is not divided per wijk. Amount is in euro cents.
type AreaInput struct {
	Wijk   string
	Amount int64
}

// Draft is what an editor supplies for a new budget.
type Draft struct {
	ProjectID   int64
	Slug        string
	Title       string
	Description string
	Published   bool
	Rules       instrument.Instrument // Who, MinLoA*, ResidentsOnly, MinAge, OpensAt, ClosesAt, AllowChange
	Settings    Settings
	// Areas may be empty (SetAreas later); otherwise as SetAreas takes
	// them.
	Areas []AreaInput
}

// Problems returns a message key per setting that cannot be stored, and
// fills in the defaults (a knapsack budget counted greedily, wijk from
// the BRP) and zeroes what the method does not use.
func (st *Settings) Problems() map[string]string {
	f := map[string]string{}
	if st.Method == "" {
		st.Method = MethodKnapsack
	}
	if st.Rule == "" {
		st.Rule = RuleGreedy
	}
	if st.WijkSource == "" {
		st.WijkSource = WijkBRP
	}
	switch st.Method {
	case MethodKnapsack, MethodApproval, MethodPoints:
	default:
		f["method"] = "budget.error.method"
	}
	switch st.Rule {
	case RuleGreedy, RuleMES:
	default:
		f["rule"] = "budget.error.rule"
	}
	switch st.WijkSource {
	case WijkBRP, WijkDeclared:
	default:
		f["wijk_source"] = "budget.error.wijk_source"
	}
	if st.Method != MethodKnapsack {
		st.MinSpendPct = 0
	} else if st.MinSpendPct < 0 || st.MinSpendPct > 100 {
		f["min_spend_pct"] = "budget.error.min_spend_pct"
	}
	if st.Method != MethodPoints {
		st.PointsTotal = 0
	} else if st.PointsTotal < 1 || st.PointsTotal > 1000 {
		f["points_total"] = "budget.error.points_total_range"
	}
	switch {
	case st.MinPlans < 0 || st.MaxPlans < 0 || st.MinPlans > MaxPlans || st.MaxPlans > MaxPlans:
		f["max_plans"] = "budget.error.plan_limits"
	case st.MaxPlans > 0 && st.MinPlans > st.MaxPlans:
		f["max_plans"] = "budget.error.plan_limits"
	}
	return f
}

// Create stores a new budget with its areas, through instrument.Create
// (the editor's permission, the address, the audit record).
func (s *Service) Create(ctx context.Context, a identity.Actor, d Draft) (*Budget, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	st := d.Settings
	f := st.Problems()
	if strings.TrimSpace(d.Title) == "" {
		f["title"] = "poll.error.title_required"
	}
	if d.Rules.OpensAt != nil && d.Rules.ClosesAt != nil && !d.Rules.ClosesAt.After(*d.Rules.OpensAt) {
		f["closes_at"] = "instrument.error.closes_before_opens"
	}
	areas, key := cleanAreas(st.PerWijk, d.Areas)
	if key != "" {
		f["areas"] = key
	}
	if len(f) > 0 {
		return nil, apperror.Invalid.WithFields(f)
	}
	b := &Budget{Method: st.Method, Rule: st.Rule, MinSpendPct: st.MinSpendPct, MinPlans: st.MinPlans, MaxPlans: st.MaxPlans,
		PointsTotal: st.PointsTotal, PerWijk: st.PerWijk, WijkSource: st.WijkSource}
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Create(tx, a, instrument.Header{ProjectID: d.ProjectID, Kind: instrument.KindBudget, Slug: d.Slug, Title: d.Title,
			Description: d.Description, Published: d.Published}, d.Rules, s.now(), func(in *instrument.Instrument) (map[string]any, error) {
			b.InstrumentID = in.ID
			if err := tx.Omit(clause.Associations).Create(b).Error; err != nil {
				return nil, err
			}
			for _, ai := range areas {
				ar := Area{InstrumentID: in.ID, Wijk: ai.Wijk, Amount: ai.Amount}
				if err := tx.Create(&ar).Error; err != nil {
					return nil, err
				}
				b.Areas = append(b.Areas, ar)
			}
			return map[string]any{"published": d.Published, "settings": SettingsOf(b), "areas": areaDetail(b.Areas)}, nil
		})
		b.Instrument = in
		return err
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Get returns a budget with its instrument, areas (by wijk) and plans (in
// order).
func (s *Service) Get(ctx context.Context, instrumentID int64) (*Budget, error) {
	return load(s.db.WithContext(ctx), instrumentID)
}

func load(tx *gorm.DB, instrumentID int64) (*Budget, error) {
	var b Budget
	err := tx.Preload("Instrument").
		Preload("Areas", func(db *gorm.DB) *gorm.DB { return db.Order("wijk") }).
		Preload("Plans", func(db *gorm.DB) *gorm.DB { return db.Order("position") }).
		Where("instrument_id = ?", instrumentID).Take(&b).Error
	if err != nil {
		return nil, store.MapError(err)
	}
	return &b, nil
}

// Area returns the area with id, or nil.
func (b *Budget) Area(id int64) *Area {
	for i := range b.Areas {
		if b.Areas[i].ID == id {
			return &b.Areas[i]
		}
	}
	return nil
}

// AreaOf returns the area of a wijk ("" for a budget not divided per
// wijk), or nil.
func (b *Budget) AreaOf(wijk string) *Area {
	if !b.PerWijk {
		wijk = ""
	}
	for i := range b.Areas {
		if b.Areas[i].Wijk == wijk {
			return &b.Areas[i]
		}
	}
	return nil
}

// PlansIn returns the plans of an area, in order.
func (b *Budget) PlansIn(areaID int64) []Plan {
	var out []Plan
	for _, p := range b.Plans {
		if p.AreaID == areaID {
			out = append(out, p)
		}
	}
	return out
}

// Plan returns the plan with id, or nil.
func (b *Budget) Plan(id int64) *Plan {
	for i := range b.Plans {
		if b.Plans[i].ID == id {
			return &b.Plans[i]
		}
	}
	return nil
}

// edit runs fn in a transaction after touching the budget's instrument
// row, and records action with the detail fn returns in the same
// transaction. fn gets the budget as it is now, with areas and plans.
func (s *Service) edit(ctx context.Context, a identity.Actor, perm identity.Permission, instrumentID int64, action string,
	fn func(tx *gorm.DB, b *Budget) (map[string]any, error)) error {
	if err := a.Require(perm); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, err := instrument.Touch(tx, instrumentID, s.now())
		if err != nil {
			return err
		}
		if in.Kind != instrument.KindBudget {
			return apperror.New(apperror.NotFound, "")
		}
		b, err := load(tx, instrumentID)
		if err != nil {
			return err
		}
		b.Instrument = in
		detail, err := fn(tx, b)
		if err != nil {
			return err
		}
		return a.Record(tx, action, instrument.Target(instrumentID), detail)
	})
}

// ballotCount counts a budget's ballots inside tx, paper ballots not yet
// checked included: they are ballots a resident filled in.
func ballotCount(tx *gorm.DB, instrumentID int64) (int64, error) {
	var n int64
	err := tx.Model(&Ballot{}).Where("instrument_id = ?", instrumentID).Count(&n).Error
	return n, err
}

// hasBallots reports whether a budget has any ballot (inside tx).
func hasBallots(tx *gorm.DB, instrumentID int64) (bool, error) {
	var ids []int64
	err := tx.Model(&Ballot{}).Where("instrument_id = ?", instrumentID).Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// UpdateSettings changes how a budget votes and counts. Once a ballot
// exists nothing of it may change (a ballot was judged by these rules);
// the counting rule is fixed as soon as voting has opened, because it was
// announced to residents.
func (s *Service) UpdateSettings(ctx context.Context, a identity.Actor, instrumentID int64, st Settings) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	if f := st.Problems(); len(f) > 0 {
		return apperror.Invalid.WithFields(f)
	}
	return s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.settings", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		old := SettingsOf(b)
		if old == st {
			return map[string]any{"changes": map[string]any{}}, nil
		}
		voted, err := hasBallots(tx, instrumentID)
		if err != nil {
			return nil, err
		}
		if voted {
			return nil, apperror.New(apperror.Conflict, "budget.error.settings_fixed")
		}
		if st.Rule != old.Rule && b.Instrument.Published && b.Instrument.OpensAt != nil && !s.now().Before(*b.Instrument.OpensAt) {
			return nil, apperror.New(apperror.Conflict, "budget.error.rule_fixed").WithField("rule", "budget.error.rule_fixed")
		}
		if st.PerWijk != old.PerWijk && len(b.Areas) > 0 {
			// The areas are of the other kind: the editor sets them anew.
			if len(b.Plans) > 0 {
				return nil, apperror.New(apperror.Conflict, "budget.error.per_wijk_has_plans").WithField("per_wijk", "budget.error.per_wijk_has_plans")
			}
			if err := tx.Where("instrument_id = ?", instrumentID).Delete(&Area{}).Error; err != nil {
				return nil, err
			}
		}
		err = tx.Model(&Budget{}).Where("instrument_id = ?", instrumentID).UpdateColumns(map[string]any{
			"method": st.Method, "rule": st.Rule, "min_spend_pct": st.MinSpendPct, "min_plans": st.MinPlans,
			"max_plans": st.MaxPlans, "points_total": st.PointsTotal, "per_wijk": st.PerWijk, "wijk_source": st.WijkSource,
		}).Error
		return map[string]any{"from": old, "to": st}, err
	})
}

// cleanAreas trims and checks areas: without per_wijk at most one, for
// wijk ""; with per_wijk named wijken, each once. Amounts are positive.
func cleanAreas(perWijk bool, in []AreaInput) ([]AreaInput, string) {
	out := make([]AreaInput, 0, len(in))
	seen := map[string]bool{}
	for _, ai := range in {
		ai.Wijk = strings.TrimSpace(ai.Wijk)
		if !perWijk {
			ai.Wijk = ""
		}
		switch {
		case ai.Amount < 1 || ai.Amount > MaxAmount:
			return nil, "budget.error.amount"
		case perWijk && ai.Wijk == "":
			return nil, "budget.error.wijk_required"
		case utf8.RuneCountInString(ai.Wijk) > MaxWijk:
			return nil, "budget.error.wijk_too_long"
		case seen[ai.Wijk]:
			return nil, "budget.error.wijk_twice"
		}
		seen[ai.Wijk] = true
		out = append(out, ai)
	}
	if !perWijk && len(out) > 1 || len(out) > MaxAreas {
		return nil, "budget.error.areas_count"
	}
	return out, ""
}

func areaDetail(as []Area) map[string]int64 {
	out := map[string]int64{}
	for _, a := range as {
		out[a.Wijk] = a.Amount
	}
	return out
}

// SetAreas sets the money of a budget: the areas given stay or come (by
// wijk), the others go. An area with plans cannot go, and once a ballot
// exists in an area its amount is fixed (the ballot was judged against
// it).
func (s *Service) SetAreas(ctx context.Context, a identity.Actor, instrumentID int64, areas []AreaInput) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	return s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.areas", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		clean, key := cleanAreas(b.PerWijk, areas)
		if key != "" {
			return nil, apperror.Invalid.WithFields(map[string]string{"areas": key})
		}
		want := map[string]int64{}
		for _, ai := range clean {
			want[ai.Wijk] = ai.Amount
		}
		var voted []int64
		if err := tx.Model(&Ballot{}).Distinct("area_id").Where("instrument_id = ?", instrumentID).Pluck("area_id", &voted).Error; err != nil {
			return nil, err
		}
		before := areaDetail(b.Areas)
		for _, ar := range b.Areas {
			amount, keep := want[ar.Wijk]
			switch {
			case !keep && (len(b.PlansIn(ar.ID)) > 0 || slices.Contains(voted, ar.ID)):
				return nil, apperror.New(apperror.Conflict, "budget.error.area_has_plans").WithField("areas", "budget.error.area_has_plans")
			case !keep:
				if err := tx.Delete(&Area{}, ar.ID).Error; err != nil {
					return nil, err
				}
			case amount != ar.Amount && slices.Contains(voted, ar.ID):
				return nil, apperror.New(apperror.Conflict, "budget.error.amount_fixed").WithField("areas", "budget.error.amount_fixed")
			case amount != ar.Amount:
				if err := tx.Model(&Area{}).Where("id = ?", ar.ID).Update("amount", amount).Error; err != nil {
					return nil, err
				}
			}
			delete(want, ar.Wijk)
		}
		for _, ai := range clean {
			if _, add := want[ai.Wijk]; add {
				if err := tx.Create(&Area{InstrumentID: instrumentID, Wijk: ai.Wijk, Amount: ai.Amount}).Error; err != nil {
					return nil, err
				}
			}
		}
		after := map[string]int64{}
		for _, ai := range clean {
			after[ai.Wijk] = ai.Amount
		}
		return map[string]any{"from": before, "to": after}, nil
	})
}

// PlanInput is a plan as the editor fills it in. Cost is in euro cents.
// Image is a newly uploaded file (nil: keep the plan's image, unless
// RemoveImage); an image needs its text alternative.
type PlanInput struct {
	AreaID      int64
	Title       string
	Summary     string
	Description string
	Cost        int64
	Theme       string
	Image       []byte
	ImageAlt    string
	RemoveImage bool
}

// check trims the input and returns its problems per field.
func (pi *PlanInput) check(b *Budget, hasImage bool) map[string]string {
	f := map[string]string{}
	pi.Title, pi.Summary, pi.Description = strings.TrimSpace(pi.Title), strings.TrimSpace(pi.Summary), strings.TrimSpace(pi.Description)
	pi.Theme, pi.ImageAlt = strings.TrimSpace(pi.Theme), strings.TrimSpace(pi.ImageAlt)
	switch {
	case pi.Title == "":
		f["title"] = "budget.error.plan_title_required"
	case utf8.RuneCountInString(pi.Title) > MaxTitle:
		f["title"] = "budget.error.plan_title_too_long"
	}
	if utf8.RuneCountInString(pi.Summary) > MaxSummary {
		f["summary"] = "budget.error.summary_too_long"
	}
	if utf8.RuneCountInString(pi.Description) > MaxDescription {
		f["description"] = "budget.error.description_too_long"
	}
	if utf8.RuneCountInString(pi.Theme) > MaxTheme {
		f["theme"] = "budget.error.theme_too_long"
	}
	if pi.Cost < 1 || pi.Cost > MaxAmount {
		f["cost"] = "budget.error.cost"
	}
	if b.Area(pi.AreaID) == nil {
		f["area"] = "budget.error.area_unknown"
	}
	switch {
	case utf8.RuneCountInString(pi.ImageAlt) > MaxImageAlt:
		f["image_alt"] = "budget.error.alt_too_long"
	case hasImage && pi.ImageAlt == "":
		f["image_alt"] = "budget.error.alt_required"
	case !hasImage:
		pi.ImageAlt = ""
	}
	return f
}

// prepare checks an uploaded image outside the transaction (decoding is
// slow and needs no lock).
func prepareImage(data []byte) (*media.Image, map[string]string) {
	if len(data) == 0 {
		return nil, nil
	}
	img, err := media.Prepare(data)
	if err != nil {
		key := "media.error.broken"
		if e, ok := apperror.As(err); ok && e.Fields["image"] != "" {
			key = e.Fields["image"]
		}
		return nil, map[string]string{"image": key}
	}
	return img, nil
}

// AddPlan adds a plan at the end of the list. Plans may be added while
// voting runs (a ballot cast before simply did not choose it).
func (s *Service) AddPlan(ctx context.Context, a identity.Actor, instrumentID int64, pi PlanInput) (*Plan, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	img, bad := prepareImage(pi.Image)
	if bad != nil {
		return nil, apperror.Invalid.WithFields(bad)
	}
	var p Plan
	err := s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.plan_add", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		if f := pi.check(b, img != nil); len(f) > 0 {
			return nil, apperror.Invalid.WithFields(f)
		}
		if len(b.Plans) >= MaxPlans {
			return nil, apperror.New(apperror.Invalid, "budget.error.too_many_plans_in_budget")
		}
		p = Plan{InstrumentID: instrumentID, AreaID: pi.AreaID, Title: pi.Title, Summary: pi.Summary, Description: pi.Description,
			Cost: pi.Cost, Theme: pi.Theme, Position: nextPosition(b)}
		if img != nil {
			if err := media.Put(tx, img); err != nil {
				return nil, err
			}
			p.ImagePath, p.ImageAlt, p.ImageWidth, p.ImageHeight = img.Path(), pi.ImageAlt, img.Width, img.Height
		}
		if err := tx.Create(&p).Error; err != nil {
			return nil, err
		}
		return map[string]any{"plan": p.ID, "title": p.Title, "cost": p.Cost, "area": p.AreaID}, nil
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func nextPosition(b *Budget) int {
	n := 0
	for _, p := range b.Plans {
		n = max(n, p.Position)
	}
	return n + 1
}

// UpdatePlan changes a plan. Its words and image may always change (the
// audit record keeps the old and new title); its cost and area are fixed
// once a ballot exists.
func (s *Service) UpdatePlan(ctx context.Context, a identity.Actor, instrumentID, planID int64, pi PlanInput) error {
	if err := a.Require(identity.PermEdit); err != nil {
		return err
	}
	img, bad := prepareImage(pi.Image)
	if bad != nil {
		return apperror.Invalid.WithFields(bad)
	}
	return s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.plan_update", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		old := b.Plan(planID)
		if old == nil {
			return nil, apperror.New(apperror.NotFound, "")
		}
		hasImage := img != nil || old.ImagePath != "" && !pi.RemoveImage
		if f := pi.check(b, hasImage); len(f) > 0 {
			return nil, apperror.Invalid.WithFields(f)
		}
		if pi.Cost != old.Cost || pi.AreaID != old.AreaID {
			voted, err := hasBallots(tx, instrumentID)
			if err != nil {
				return nil, err
			}
			if voted {
				field := "cost"
				if pi.AreaID != old.AreaID {
					field = "area"
				}
				return nil, apperror.Invalid.WithFields(map[string]string{field: "budget.error.cost_fixed"})
			}
		}
		cols := map[string]any{"area_id": pi.AreaID, "title": pi.Title, "summary": pi.Summary, "description": pi.Description,
			"cost": pi.Cost, "theme": pi.Theme, "image_alt": pi.ImageAlt}
		release := ""
		switch {
		case img != nil:
			if err := media.Put(tx, img); err != nil {
				return nil, err
			}
			cols["image_path"], cols["image_width"], cols["image_height"] = img.Path(), img.Width, img.Height
			if old.ImagePath != img.Path() {
				release = old.ImagePath
			}
		case pi.RemoveImage:
			cols["image_path"], cols["image_width"], cols["image_height"], cols["image_alt"] = "", 0, 0, ""
			release = old.ImagePath
		}
		if err := tx.Model(&Plan{}).Where("id = ?", planID).UpdateColumns(cols).Error; err != nil {
			return nil, err
		}
		if release != "" {
			if err := media.Release(tx, release); err != nil {
				return nil, err
			}
		}
		return map[string]any{"plan": planID, "from": map[string]any{"title": old.Title, "cost": old.Cost, "area": old.AreaID},
			"to": map[string]any{"title": pi.Title, "cost": pi.Cost, "area": pi.AreaID}}, nil
	})
}

// RemovePlan deletes a plan, refused once a ballot exists (a ballot may
// have chosen it; the lines' foreign key refuses too).
func (s *Service) RemovePlan(ctx context.Context, a identity.Actor, instrumentID, planID int64) error {
	return s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.plan_remove", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		p := b.Plan(planID)
		if p == nil {
			return nil, apperror.New(apperror.NotFound, "")
		}
		voted, err := hasBallots(tx, instrumentID)
		if err != nil {
			return nil, err
		}
		if voted {
			return nil, apperror.New(apperror.Conflict, "budget.error.plan_fixed")
		}
		if err := tx.Delete(&Plan{}, planID).Error; err != nil {
			return nil, err
		}
		if p.ImagePath != "" {
			if err := media.Release(tx, p.ImagePath); err != nil {
				return nil, err
			}
		}
		return map[string]any{"plan": planID, "title": p.Title, "cost": p.Cost}, nil
	})
}

// MovePlan moves a plan one place up or down the list, swapping it with
// its neighbour (via position 0, since the unique position index is not
// deferrable). Order is presentation only, so it may change any time.
// It returns the plan's new place (1-based) and the number of plans.
func (s *Service) MovePlan(ctx context.Context, a identity.Actor, instrumentID, planID int64, up bool) (int, int, error) {
	var place, total int
	err := s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.plan_move", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		i := slices.IndexFunc(b.Plans, func(p Plan) bool { return p.ID == planID })
		if i < 0 {
			return nil, apperror.New(apperror.NotFound, "")
		}
		j := i + 1
		if up {
			j = i - 1
		}
		total, place = len(b.Plans), i+1
		if j < 0 || j >= len(b.Plans) {
			return map[string]any{"plan": planID, "place": place, "moved": false}, nil
		}
		p, q := b.Plans[i], b.Plans[j]
		for _, step := range []struct {
			id  int64
			pos int
		}{{p.ID, 0}, {q.ID, p.Position}, {p.ID, q.Position}} {
			if err := tx.Model(&Plan{}).Where("id = ?", step.id).Update("position", step.pos).Error; err != nil {
				return nil, err
			}
		}
		place = j + 1
		return map[string]any{"plan": planID, "place": place, "moved": true}, nil
	})
	return place, total, err
}

// IdeaPlan makes a plan of an idea: its title, description, image and
// theme are copied (the editor may change them afterwards), and the plan
// keeps the link to the idea. Cost is in euro cents.
type IdeaPlan struct {
	IdeaID int64
	AreaID int64
	Cost   int64
}

// PlansFromIdeas adds a plan for each idea given, at the end of the list.
// An idea must be on an idea board in the budget's own project, public
// (approved by moderation, not withdrawn), and not already a plan of this
// budget.
func (s *Service) PlansFromIdeas(ctx context.Context, a identity.Actor, instrumentID int64, in []IdeaPlan) ([]Plan, error) {
	if err := a.Require(identity.PermEdit); err != nil {
		return nil, err
	}
	if len(in) == 0 {
		return nil, apperror.Invalid.WithFields(map[string]string{"ideas": "budget.error.no_ideas"})
	}
	var out []Plan
	err := s.edit(ctx, a, identity.PermEdit, instrumentID, "budget.plans_from_ideas", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		if len(b.Plans)+len(in) > MaxPlans {
			return nil, apperror.New(apperror.Invalid, "budget.error.too_many_plans_in_budget")
		}
		ids := make([]int64, 0, len(in))
		for _, ip := range in {
			ids = append(ids, ip.IdeaID)
		}
		var ideas []idea.Idea
		err := tx.Table("ideas").Select("ideas.*").Joins("JOIN instruments ON instruments.id = ideas.instrument_id").
			Where("ideas.id IN ? AND instruments.project_id = ? AND instruments.kind = ?", ids, b.Instrument.ProjectID, instrument.KindIdeaBoard).
			Find(&ideas).Error
		if err != nil {
			return nil, err
		}
		byID := map[int64]*idea.Idea{}
		for i := range ideas {
			byID[ideas[i].ID] = &ideas[i]
		}
		themes, err := themeNames(tx, ideas)
		if err != nil {
			return nil, err
		}
		done := map[int64]bool{}
		for _, p := range b.Plans {
			if p.IdeaID != nil {
				done[*p.IdeaID] = true
			}
		}
		pos := nextPosition(b)
		var made []int64
		for _, ip := range in {
			i := byID[ip.IdeaID]
			switch {
			case i == nil:
				return nil, apperror.New(apperror.Invalid, "budget.error.idea_unknown").WithField("ideas", "budget.error.idea_unknown")
			case i.Moderation != idea.Approved || i.Status == idea.StatusWithdrawn:
				return nil, apperror.New(apperror.Invalid, "budget.error.idea_unavailable").WithField("ideas", "budget.error.idea_unavailable")
			case done[i.ID]:
				return nil, apperror.New(apperror.Conflict, "budget.error.idea_taken").WithField("ideas", "budget.error.idea_taken")
			case b.Area(ip.AreaID) == nil:
				return nil, apperror.Invalid.WithFields(map[string]string{"area": "budget.error.area_unknown"})
			case ip.Cost < 1 || ip.Cost > MaxAmount:
				return nil, apperror.Invalid.WithFields(map[string]string{"cost": "budget.error.cost"})
			}
			done[i.ID] = true
			id := i.ID
			title := i.Title
			if utf8.RuneCountInString(title) > MaxTitle {
				title = string([]rune(title)[:MaxTitle])
			}
			p := Plan{InstrumentID: instrumentID, AreaID: ip.AreaID, Title: title, Summary: summaryOf(i.Description),
				Description: i.Description, Cost: ip.Cost, Theme: themes[i.ID], ImagePath: i.ImagePath, ImageAlt: i.ImageAlt,
				ImageWidth: i.ImageWidth, ImageHeight: i.ImageHeight, IdeaID: &id, Position: pos}
			pos++
			if err := tx.Create(&p).Error; err != nil {
				return nil, err
			}
			out = append(out, p)
			made = append(made, i.ID)
		}
		return map[string]any{"ideas": made}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// themeNames returns the theme name of each idea that has one.
func themeNames(tx *gorm.DB, ideas []idea.Idea) (map[int64]string, error) {
	var themeIDs []int64
	for _, i := range ideas {
		if i.ThemeID != nil {
			themeIDs = append(themeIDs, *i.ThemeID)
		}
	}
	out := map[int64]string{}
	if len(themeIDs) == 0 {
		return out, nil
	}
	var themes []idea.Theme
	if err := tx.Where("id IN ?", themeIDs).Find(&themes).Error; err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, t := range themes {
		names[t.ID] = t.Name
	}
	for _, i := range ideas {
		if i.ThemeID != nil {
			out[i.ID] = names[*i.ThemeID]
		}
	}
	return out, nil
}

// summaryOf is the first paragraph of a text, cut at a word to fit
// MaxSummary.
func summaryOf(text string) string {
	text = strings.TrimSpace(text)
	if i := strings.Index(text, "\n"); i >= 0 {
		text = strings.TrimSpace(text[:i])
	}
	if utf8.RuneCountInString(text) <= MaxSummary {
		return text
	}
	r := []rune(text)[:MaxSummary-1]
	s := string(r)
	if i := strings.LastIndex(s, " "); i > MaxSummary/2 {
		s = s[:i]
	}
	return s + "…"
}

// PublishResult puts the result on the site (on) or takes it off. Only
// once voting has closed and every paper batch is checked: a result shown
// earlier would not be final (and could sway who still votes).
func (s *Service) PublishResult(ctx context.Context, a identity.Actor, instrumentID int64, on bool) error {
	return s.edit(ctx, a, identity.PermPublishResults, instrumentID, "budget.result_publish", func(tx *gorm.DB, b *Budget) (map[string]any, error) {
		var at any // NULL
		if on {
			ps, err := projectStatus(tx, b.Instrument.ProjectID)
			if err != nil {
				return nil, err
			}
			if b.Instrument.Open(ps, s.now()) {
				return nil, apperror.New(apperror.Conflict, "budget.error.still_open")
			}
			var pending int64
			if err := tx.Model(&Batch{}).Where("instrument_id = ? AND status <> ?", instrumentID, BatchChecked).Count(&pending).Error; err != nil {
				return nil, err
			}
			if pending > 0 {
				return nil, apperror.New(apperror.Conflict, "budget.error.batches_pending", pending)
			}
			now := s.now()
			if b.ResultPublishedAt != nil {
				now = *b.ResultPublishedAt
			}
			at = now
		}
		err := tx.Model(&Budget{}).Where("instrument_id = ?", instrumentID).UpdateColumn("result_published_at", at).Error
		return map[string]any{"published": on}, err
	})
}

// projectStatus reads a project's status inside tx.
func projectStatus(tx *gorm.DB, projectID int64) (project.Status, error) {
	var st []string
	if err := tx.Table("projects").Where("id = ?", projectID).Pluck("status", &st).Error; err != nil {
		return "", err
	}
	if len(st) == 0 {
		return "", apperror.New(apperror.NotFound, "")
	}
	return project.Status(st[0]), nil
}
