package budget_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
)

func TestStandTicketWithARegister(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, []string{"Noord", "Zuid"}, nil)
	if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(registerFile([2]string{bsnA, "1234AB"}, [2]string{bsnB, "6591AB"}))); err != nil {
		t.Fatal(err)
	}
	// Only the stembureau (and administrators) look people up.
	for _, a := range []identity.Actor{f.editor, f.outside} {
		if _, err := f.svc.StandTicket(ctx, a, b.id, bsnA); errCode(err) != apperror.Forbidden {
			t.Fatalf("%v looked someone up: %v", a.Roles, err)
		}
	}
	// Typed as people type it.
	v, err := f.svc.StandTicket(ctx, f.staff[0], b.id, " 9999.93.653 ")
	if err != nil {
		t.Fatal(err)
	}
	if v.Channel != budget.ChannelStand || v.Token != digidToken(t, f.svc, b.id, bsnA) || v.Wijk != "Noord" {
		t.Fatalf("voter %+v", v)
	}
	// The register decides: the BRP is not asked.
	if len(f.brp.asked) != 0 {
		t.Fatalf("the BRP was asked %d times", len(f.brp.asked))
	}
	for bsn, key := range map[string]string{
		"999993654": "budget.stand.bad_bsn",
		"12345678":  "budget.stand.bad_bsn",
		"":          "budget.stand.bad_bsn",
		bsnC:        "budget.stand.not_on_register",
	} {
		if _, err := f.svc.StandTicket(ctx, f.staff[0], b.id, bsn); errKey(err) != key {
			t.Errorf("%q: %v, want %s", bsn, err, key)
		}
	}
	// Someone in the voter register already is refused at once.
	if _, err := participation.Register(f.db.DB, participation.Ballot, b.id, b.id, digidToken(t, f.svc, b.id, bsnB)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.StandTicket(ctx, f.staff[1], b.id, bsnB); errKey(err) != "budget.error.already_voted" || errCode(err) != apperror.Conflict {
		t.Fatalf("got %v", err)
	}
	// The audit log says a ticket was given, not to whom.
	var entries []audit.Entry
	if err := f.db.Where("action = ?", "budget.stand.ticket").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail != `{"register":true}` || entries[0].Target != instrument.Target(b.id) {
		t.Fatalf("audit %+v", entries)
	}
	assertNoBSN(t, f, bsnA, bsnB, bsnC)
	for _, e := range entries {
		if strings.Contains(e.Detail, v.Token) {
			t.Fatal("the token is in the audit log")
		}
	}
}

func TestStandTicketAsksTheBRPWithoutARegister(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, []string{"Noord", "Zuid"}, func(in *instrument.Instrument, _ *budget.Budget) {
		in.ResidentsOnly, in.MinAge = true, 16
	})
	f.brp.facts[bsnA] = &identity.Facts{Resident: true, AgeBand: "30-44", Wijk: "Zuid"}
	f.brp.facts[bsnB] = &identity.Facts{Resident: true, AgeBand: "0-15", Wijk: "Zuid"}
	f.brp.facts[bsnC] = &identity.Facts{Resident: true, AgeBand: "45-64", Wijk: "Oost"}
	// bsnD: not a resident (the fake says so for anyone it does not know).

	v, err := f.svc.StandTicket(ctx, f.staff[0], b.id, bsnA)
	if err != nil {
		t.Fatal(err)
	}
	if v.Token != digidToken(t, f.svc, b.id, bsnA) || v.Wijk != "Zuid" || v.Person.Resident == nil || !*v.Person.Resident {
		t.Fatalf("voter %+v", v)
	}
	for bsn, key := range map[string]string{
		bsnB: "rules.too_young",
		bsnC: "budget.stand.no_wijk",
		bsnD: "rules.not_resident",
	} {
		if _, err := f.svc.StandTicket(ctx, f.staff[0], b.id, bsn); errKey(err) != key {
			t.Errorf("%s: %v, want %s", bsn, err, key)
		}
	}
	var entries []audit.Entry
	if err := f.db.Where("action = ?", "budget.stand.ticket").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Detail != `{"register":false}` {
		t.Fatalf("audit %+v", entries)
	}
	assertNoBSN(t, f, bsnA, bsnB, bsnC, bsnD)

	// Without any verification service nobody can be checked for
	// residence or wijk.
	bare := budget.NewService(f.db, chanKey)
	bare.SetClock(func() time.Time { return f.now })
	if _, err := bare.StandTicket(ctx, f.staff[0], b.id, bsnA); errKey(err) != "budget.stand.cannot_check" {
		t.Fatalf("got %v", err)
	}
}

func TestStandTicketOnlyWhileVotingIsOpen(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, nil, nil)
	f.brp.facts[bsnA] = &identity.Facts{Resident: true, AgeBand: "30-44"}
	f.now = f.now.Add(15 * 24 * time.Hour)
	if _, err := f.svc.StandTicket(ctx, f.staff[0], b.id, bsnA); errCode(err) != apperror.Closed {
		t.Fatalf("after closing: %v", err)
	}
	if _, err := f.svc.StandTicket(ctx, f.staff[0], b.id+1000, bsnA); errCode(err) != apperror.NotFound {
		t.Fatalf("no such budget: %v", err)
	}
}
