package budget_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

// The fixture of the letter, stand and paper channel tests (chan*: the
// budget core's tests have their own).

var chanKey = []byte("chan-test-key-0123456789-0123456789")

// Test BSNs (they pass the 11-test and are in the range kept for tests).
const (
	bsnA = "999993653"
	bsnB = "999990019"
	bsnC = "999990020"
	bsnD = "999990032"
)

type chanFixture struct {
	db      *store.DB
	svc     *budget.Service
	proj    int64
	now     time.Time
	brp     *fakeBRP
	editor  identity.Actor
	staff   []identity.Actor // stembureau members
	outside identity.Actor   // an analyst: no budget.stand, no content.edit
}

// fakeBRP answers stand lookups without a network.
type fakeBRP struct {
	mu    sync.Mutex
	facts map[string]*identity.Facts
	asked []string
}

func (f *fakeBRP) Verify(_ context.Context, bsn string) (*identity.Facts, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, bsn)
	if x, ok := f.facts[bsn]; ok {
		return x, nil
	}
	return &identity.Facts{Resident: false}, nil
}

const chanWijken = "postcode;wijk\n1234;Noord\n6591;Zuid\n6592AB;Oost\n"

func newChanFixture(t *testing.T) *chanFixture {
	t.Helper()
	db := testdb.Open(t)
	ctx := context.Background()
	p, err := project.NewService(db).Create(ctx, identity.SystemActor("test"), project.Draft{Slug: "wijkbudget", Title: "Wijkbudget", Summary: "Geld voor de wijk."})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	wijken, err := identity.ParseWijkTable(strings.NewReader(chanWijken))
	if err != nil {
		t.Fatal(err)
	}
	f := &chanFixture{db: db, svc: budget.NewService(db, chanKey), proj: p.ID, now: time.Date(2027, 2, 10, 12, 0, 0, 0, time.UTC),
		brp: &fakeBRP{facts: map[string]*identity.Facts{}}}
	f.svc.SetClock(func() time.Time { return f.now })
	f.svc.SetChannels(budget.ChannelOptions{Verifier: f.brp, Wijken: wijken, Municipality: "Gemeente Voorbeeld",
		CodeURL: "https://inspraak.example" + budget.CodePath})
	f.editor = f.member(t, "redacteur", identity.RoleEditor)
	f.staff = []identity.Actor{f.member(t, "stembureau-1", identity.RoleStembureau), f.member(t, "stembureau-2", identity.RoleStembureau),
		f.member(t, "stembureau-3", identity.RoleStembureau)}
	f.outside = f.member(t, "analist", identity.RoleAnalyst)
	return f
}

func (f *chanFixture) member(t *testing.T, name string, role identity.Role) identity.Actor {
	t.Helper()
	m := identity.StaffMember{Issuer: "test", Subject: name, Name: name, Roles: string(role), CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&m).Error; err != nil {
		t.Fatal(err)
	}
	return identity.Actor{StaffID: m.ID, Roles: []identity.Role{role}}
}

// chanBudget is a budget made straight in the tables (the core's Create is
// tested by its own tests): knapsack; with wijken one area per wijk of
// €10,000, otherwise one of €10,000; two plans per area costing €6,000
// and €4,000.
type chanBudget struct {
	id    int64
	areas map[string]int64   // wijk → area
	plans map[string][]int64 // wijk → plans
}

func (f *chanFixture) budget(t *testing.T, wijken []string, edit func(in *instrument.Instrument, b *budget.Budget)) chanBudget {
	t.Helper()
	opens, closes := f.now.Add(-24*time.Hour), f.now.Add(14*24*time.Hour)
	in := instrument.NewRow(instrument.Header{ProjectID: f.proj, Kind: instrument.KindBudget, Slug: fmt.Sprintf("begroting-%d", time.Now().UnixNano()),
		Title: "Wijkbudget 2027", Published: true}, instrument.Instrument{OpensAt: &opens, ClosesAt: &closes}, f.now)
	b := budget.Budget{Method: budget.MethodKnapsack, Rule: budget.RuleGreedy, WijkSource: budget.WijkBRP, PerWijk: len(wijken) > 0}
	if edit != nil {
		edit(&in, &b)
	}
	if err := f.db.Create(&in).Error; err != nil {
		t.Fatal(err)
	}
	b.InstrumentID = in.ID
	if err := f.db.Create(&b).Error; err != nil {
		t.Fatal(err)
	}
	cb := chanBudget{id: in.ID, areas: map[string]int64{}, plans: map[string][]int64{}}
	if len(wijken) == 0 {
		wijken = []string{""}
	}
	pos := 0
	for _, w := range wijken {
		a := budget.Area{InstrumentID: in.ID, Wijk: w, Amount: 1_000_000}
		if err := f.db.Create(&a).Error; err != nil {
			t.Fatal(err)
		}
		cb.areas[w] = a.ID
		for _, cost := range []int64{600_000, 400_000} {
			pos++
			p := budget.Plan{InstrumentID: in.ID, AreaID: a.ID, Title: fmt.Sprintf("Plan %d", pos), Cost: cost, Position: pos}
			if err := f.db.Create(&p).Error; err != nil {
				t.Fatal(err)
			}
			cb.plans[w] = append(cb.plans[w], p.ID)
		}
	}
	return cb
}

// registerFile is a register upload with the given BSNs and postcodes.
func registerFile(rows ...[2]string) string {
	var b strings.Builder
	b.WriteString("BSN;Naam;Adres;Postcode;Woonplaats\n")
	for i, r := range rows {
		fmt.Fprintf(&b, "%s;Bewoner %d;Kerkstraat %d;%s;Ons Dorp\n", r[0], i+1, i+1, r[1])
	}
	return b.String()
}

// codeOf is the code the letter of bsn shows, read from the letters'
// mail-merge file (as a resident reads it from their letter).
func (f *chanFixture) codeOf(t *testing.T, id int64, file, bsn string) string {
	t.Helper()
	var out strings.Builder
	if err := f.svc.WriteMailMerge(context.Background(), f.editor, id, strings.NewReader(file), &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	for i, row := range strings.Split(file, "\n")[1:] {
		if strings.HasPrefix(row, bsn+";") {
			name := strings.Split(row, ";")[1]
			for _, l := range lines[1:] {
				if strings.HasPrefix(l, name+";") {
					return strings.Split(l, ";")[4]
				}
			}
			t.Fatalf("row %d (%s) has no letter", i+2, name)
		}
	}
	t.Fatalf("%s is not in the file", bsn)
	return ""
}

func errCode(err error) apperror.Code {
	if err == nil {
		return ""
	}
	return apperror.CodeOf(err)
}

func errKey(err error) string {
	if e, ok := apperror.As(err); ok {
		return e.Key
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// counted is the number of ballots that count, per channel, from the
// tallies and from a recount of the stored lines.
func (f *chanFixture) paperTally(t *testing.T, id int64) (tally, recount int64) {
	t.Helper()
	if err := f.db.Raw(`SELECT COALESCE(SUM(t.votes), 0) FROM budget_tallies t JOIN budget_plans p ON p.id = t.plan_id
		WHERE p.instrument_id = ? AND t.channel = 'paper'`, id).Scan(&tally).Error; err != nil {
		t.Fatal(err)
	}
	if err := f.db.Raw(`SELECT COUNT(*) FROM budget_ballot_plans l JOIN budget_ballots b ON b.id = l.ballot_id
		WHERE b.instrument_id = ? AND b.channel = 'paper' AND b.counted`, id).Scan(&recount).Error; err != nil {
		t.Fatal(err)
	}
	return tally, recount
}
