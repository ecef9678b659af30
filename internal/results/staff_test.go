package results_test

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/identity"
	"inspraak/internal/results"
	"inspraak/internal/testdb"
)

func TestResultsActionsNeedTheirPermissionAndTheirRecord(t *testing.T) {
	t.Parallel() // each test has its own database
	db := testdb.Open(t)
	ctx := context.Background()
	y := newYesNo(t, db)
	y.answer("Noord", 0)
	res := results.NewService(db)
	id := y.c.InstrumentID
	text := func(key string, _ ...any) string { return key }
	analyst := identity.Actor{StaffID: 10, Roles: []identity.Role{identity.RoleAnalyst}}
	code, err := res.AddCode(ctx, analyst, id, "Verkeer")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	actions := map[string]struct {
		may []identity.Role // the roles whose permission it takes (admin holds all)
		do  func(a identity.Actor) error
	}{
		"code": {[]identity.Role{identity.RoleAnalyst}, func(a identity.Actor) error { _, err := res.AddCode(ctx, a, id, "Groen"); return err }},
		"tag": {[]identity.Role{identity.RoleAnalyst}, func(a identity.Actor) error {
			_, err := res.Tag(ctx, a, id, code.ID, []results.AnswerKey{{ResponseID: 1, QuestionID: 1}}, false)
			return err
		}},
		"export": {[]identity.Role{identity.RoleAnalyst}, func(a identity.Actor) error {
			_, err := res.ExportFor(ctx, a, y.c, &out, results.ExportOptions{Format: results.CSV}, map[string]any{"format": "csv"})
			return err
		}},
		"report": {[]identity.Role{identity.RoleAnalyst}, func(a identity.Actor) error {
			return res.Report(ctx, a, y.c, "V", "Gemeente", time.Now(), text, &out)
		}},
		"threshold": {[]identity.Role{identity.RoleAdmin}, func(a identity.Actor) error { return res.SetThreshold(ctx, a, 9) }},
		"population": {[]identity.Role{identity.RoleAdmin}, func(a identity.Actor) error {
			return res.SetPopulation(ctx, a, []results.PopulationShare{{Dimension: results.ByWijk, Grp: "Noord", Share: 100}})
		}},
		// Editors and analysts both put results on the site (the analyst
		// from the results page): issue 16.
		"publish":   {[]identity.Role{identity.RoleEditor, identity.RoleAnalyst}, func(a identity.Actor) error { return res.Publish(ctx, a, y.c, time.Now()) }},
		"unpublish": {[]identity.Role{identity.RoleEditor, identity.RoleAnalyst}, func(a identity.Actor) error { return res.Unpublish(ctx, a, id) }},
	}
	others := []identity.Role{identity.RoleModerator, identity.RoleEditor, identity.RoleAnalyst}
	for name, act := range actions {
		var without []identity.Role
		for _, r := range others {
			if !slices.Contains(act.may, r) {
				without = append(without, r)
			}
		}
		for _, who := range []identity.Actor{{}, {StaffID: 8, Roles: without}} {
			if err := act.do(who); apperror.CodeOf(err) != apperror.Forbidden {
				t.Errorf("%s by %+v: %v, want Forbidden", name, who, err)
			}
		}
	}
	if out.Len() != 0 {
		t.Errorf("a refused export sent %d bytes", out.Len())
	}
	unchanged := func(when string) {
		t.Helper()
		for table, want := range map[string]int64{"answer_codes": 1, "result_publications": 0, "population_shares": 0} {
			var n int64
			if err := db.Table(table).Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Errorf("%s: %d rows in %s, want %d", when, n, table, want)
			}
		}
		if k, err := res.Threshold(ctx); err != nil || k != results.MinCell {
			t.Errorf("%s: threshold %d (%v)", when, k, err)
		}
	}
	unchanged("refused")

	// The audit log cannot be written: nothing happens, nothing is sent.
	if err := db.Exec("ALTER TABLE audit_log RENAME TO audit_log_away").Error; err != nil {
		t.Fatal(err)
	}
	for name, act := range actions {
		if err := act.do(identity.Actor{StaffID: 9, Roles: []identity.Role{identity.RoleAdmin}}); err == nil || !strings.Contains(err.Error(), "audit_log") {
			t.Errorf("%s without an audit record: %v", name, err)
		}
	}
	if out.Len() != 0 {
		t.Errorf("an export without its audit record sent %d bytes", out.Len())
	}
	unchanged("without a record")
	if err := db.Exec("ALTER TABLE audit_log_away RENAME TO audit_log").Error; err != nil {
		t.Fatal(err)
	}

	// The export is on record before it is sent.
	if err := actions["export"].do(analyst); err != nil || out.Len() == 0 {
		t.Fatalf("export: %v, %d bytes", err, out.Len())
	}
	var es []audit.Entry
	if err := db.Where("action = ?", "results.export").Find(&es).Error; err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Actor != "staff:10" || es[0].Detail != `{"format":"csv"}` {
		t.Errorf("export entries = %+v", es)
	}

	// An analyst publishes and takes the results off again, each on record
	// as hers, in the transaction of the change. (A publication names who
	// published it: she is a staff member.)
	ana := identity.StaffMember{Issuer: "idp", Subject: "ana", Name: "Ana List", Roles: string(identity.RoleAnalyst), CreatedAt: time.Now(), LastLoginAt: time.Now()}
	if err := db.Create(&ana).Error; err != nil {
		t.Fatal(err)
	}
	analyst = ana.AsActor()
	if err := actions["publish"].do(analyst); err != nil {
		t.Fatalf("an analyst publishes: %v", err)
	}
	if at, err := res.Published(ctx, id); err != nil || at == nil {
		t.Fatalf("published by the analyst: %v, %v", at, err)
	}
	if err := actions["unpublish"].do(analyst); err != nil {
		t.Fatalf("an analyst unpublishes: %v", err)
	}
	if at, err := res.Published(ctx, id); err != nil || at != nil {
		t.Fatalf("taken off by the analyst: %v, %v", at, err)
	}
	for _, action := range []string{"results.publish", "results.unpublish"} {
		var es []audit.Entry
		if err := db.Where("action = ? AND target = ?", action, "instrument:"+strconv.FormatInt(id, 10)).Find(&es).Error; err != nil {
			t.Fatal(err)
		}
		if len(es) != 1 || es[0].Actor != analyst.Name() {
			t.Errorf("%s entries = %+v, want one by %s", action, es, analyst.Name())
		}
	}
}
