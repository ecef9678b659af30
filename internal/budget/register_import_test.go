package budget_test

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/testdb"
)

// digidToken is the register token a DigiD login with bsn gives for the
// budget: the login's pseudonym (Participant.Subject), then OnlineToken.
func digidToken(t *testing.T, svc *budget.Service, id int64, bsn string) string {
	t.Helper()
	keys, err := identity.NewKeyring(3, chanKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	return svc.OnlineToken(id, keys.Current(identity.KindBSN, bsn).Value)
}

func TestImportRegisterKeepsTheDigiDTokenAndNoBSN(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, nil, nil)
	file := registerFile([2]string{bsnA, "1234AB"}, [2]string{"999993654", "1234AB"}, [2]string{bsnB, "6591 AB"}, [2]string{bsnA, "1234AB"}, [2]string{bsnC, "9999ZZ"})

	// Only editors upload registers.
	for _, a := range []identity.Actor{f.staff[0], f.outside} {
		if _, err := f.svc.ImportRegister(ctx, a, b.id, strings.NewReader(file)); errCode(err) != apperror.Forbidden {
			t.Fatalf("%v uploaded a register: %v", a.Roles, err)
		}
	}
	rep, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	// bsnA twice: once added, once present; a bad BSN refused; a postcode
	// without a wijk is fine when the budget is not per wijk.
	if rep.Read != 5 || rep.Added != 3 || rep.Present != 1 || rep.Refused != 1 || len(rep.RefusedRows) != 1 {
		t.Fatalf("report %+v", rep)
	}
	if r := rep.RefusedRows[0]; r.Line != 3 || r.Key != "budget.register.bad_bsn" || r.Hint != "…654" {
		t.Fatalf("refused %+v", r)
	}
	var rows []budget.Elector
	if err := f.db.Where("instrument_id = ?", b.id).Order("letter_no").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	want := []struct {
		bsn    string
		wijk   string
		letter int
	}{{bsnA, "Noord", 1}, {bsnB, "Zuid", 3}, {bsnC, "", 5}}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i, w := range want {
		if rows[i].Voter != digidToken(t, f.svc, b.id, w.bsn) {
			t.Errorf("row %d: the token is not what a DigiD login gives", i)
		}
		if rows[i].Wijk != w.wijk || rows[i].LetterNo != w.letter || rows[i].CodeLookup == "" {
			t.Errorf("row %d = %+v, want wijk %q letter %d", i, rows[i], w.wijk, w.letter)
		}
	}
	assertNoBSN(t, f, bsnA, bsnB, bsnC)

	// The same file again adds nothing.
	rep, err = f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file))
	if err != nil || rep.Added != 0 || rep.Present != 4 || rep.Refused != 1 {
		t.Fatalf("again: %+v %v", rep, err)
	}
	// The audit log has the counts, nothing of a person.
	var entries []audit.Entry
	if err := f.db.Where("action = ?", "budget.register.import").Order("id").Find(&entries).Error; err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Target != instrument.Target(b.id) || !strings.Contains(entries[0].Detail, `"added":3`) {
		t.Fatalf("audit %+v", entries)
	}
	// A file without the needed columns changes nothing.
	_, err = f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader("bsn;naam\n"+bsnD+";X\n"))
	if e, ok := apperror.As(err); !ok || e.Key != "budget.register.missing_columns" {
		t.Fatalf("got %v", err)
	}
	if n, err := f.svc.RegisterSize(ctx, b.id); err != nil || n != 3 {
		t.Fatalf("register has %d, %v", n, err)
	}
}

func TestImportRegisterPerWijkNeedsAWijkWithMoney(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, []string{"Noord", "Zuid"}, nil)
	file := registerFile([2]string{bsnA, "1234AB"}, [2]string{bsnB, "9999ZZ"}, [2]string{bsnC, "6592AB"}, [2]string{bsnD, "6591XY"})
	rep, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Refused != 2 {
		t.Fatalf("report %+v", rep)
	}
	if r := rep.RefusedRows[0]; r.Line != 3 || r.Key != "budget.register.no_wijk" || r.Detail != "9999 ZZ" {
		t.Errorf("refused %+v", r)
	}
	if r := rep.RefusedRows[1]; r.Line != 4 || r.Key != "budget.register.wijk_without_budget" || r.Detail != "Oost" {
		t.Errorf("refused %+v", r)
	}

	// Without a wijk table a per-wijk register cannot be read at all.
	bare := budget.NewService(f.db, chanKey)
	bare.SetChannels(budget.ChannelOptions{})
	_, err = bare.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file))
	if e, ok := apperror.As(err); !ok || e.Key != "budget.register.no_wijk_table" {
		t.Fatalf("got %v", err)
	}
}

func TestLettersComeOncePerRegisteredResident(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, nil, nil)
	file := registerFile([2]string{bsnA, "1234AB"}, [2]string{"12", "1234AB"}, [2]string{bsnB, "6591 AB"}, [2]string{bsnA, "1234AB"})
	if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	// Only editors print letters.
	if err := f.svc.WriteLetters(ctx, f.staff[0], b.id, strings.NewReader(file), &bytes.Buffer{}); errCode(err) != apperror.Forbidden {
		t.Fatalf("stembureau printed letters: %v", err)
	}
	var pdf bytes.Buffer
	if err := f.svc.WriteLetters(ctx, f.editor, b.id, strings.NewReader(file), &pdf); err != nil {
		t.Fatal(err)
	}
	// Two residents: the refused row and the second bsnA row get none.
	if m := regexp.MustCompile(`/Count (\d+) `).FindSubmatch(pdf.Bytes()); m == nil || string(m[1]) != "2" {
		t.Fatalf("page count %q", m)
	}
	var csv bytes.Buffer
	if err := f.svc.WriteMailMerge(ctx, f.editor, b.id, strings.NewReader(file), &csv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(csv.String(), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "\ufeffnaam;straat;postcode;woonplaats;code;adres van de site;sluitingsdatum;wijk;briefnummer" {
		t.Fatalf("mail merge:\n%s", csv.String())
	}
	if !strings.HasPrefix(lines[1], "Bewoner 1;Kerkstraat 1;1234 AB;Ons Dorp;") || !strings.HasSuffix(lines[1], ";https://inspraak.example/stemcode;24 februari 2027 om 13.00 uur;Noord;1") {
		t.Errorf("row 1: %s", lines[1])
	}
	if !strings.HasPrefix(lines[2], "Bewoner 3;") {
		t.Errorf("row 2: %s", lines[2])
	}
	codeA, codeB := strings.Split(lines[1], ";")[4], strings.Split(lines[2], ";")[4]
	if !regexp.MustCompile(`^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$`).MatchString(codeA) || codeA == codeB {
		t.Fatalf("codes %q %q", codeA, codeB)
	}
	// Printing again gives the same codes; the code redeems to the person.
	if again := f.codeOf(t, b.id, file, bsnA); again != codeA {
		t.Fatalf("second print: %s, first %s", again, codeA)
	}
	v, err := f.svc.Redeem(ctx, b.id, codeA)
	if err != nil || v.Token != digidToken(t, f.svc, b.id, bsnA) || v.Channel != budget.ChannelCode || v.Wijk != "Noord" {
		t.Fatalf("redeem: %+v %v", v, err)
	}
	// A file of people not in the register gives no letters.
	other := registerFile([2]string{bsnC, "1234AB"})
	csv.Reset()
	if err := f.svc.WriteMailMerge(ctx, f.editor, b.id, strings.NewReader(other), &csv); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(csv.String(), "\n"); n != 1 {
		t.Fatalf("letters for people outside the register:\n%s", csv.String())
	}
	var downloads int64
	if err := f.db.Model(&audit.Entry{}).Where("action = ?", "budget.letters.download").Count(&downloads).Error; err != nil {
		t.Fatal(err)
	}
	if downloads != 4 {
		t.Fatalf("%d downloads audited, want 4", downloads)
	}
	assertNoBSN(t, f, bsnA, bsnB)
}

// assertNoBSN reads every column of every table, the audit log included,
// and fails on any of the BSNs, also written with spaces or dots between
// its digits.
func assertNoBSN(t *testing.T, f *chanFixture, bsns ...string) {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if testdb.Postgres() {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	if err := f.db.Raw(q).Scan(&tables).Error; err != nil {
		t.Fatal(err)
	}
	if len(tables) < 20 {
		t.Fatalf("only %d tables found", len(tables))
	}
	nonDigit := regexp.MustCompile(`[^0-9]+`)
	for _, table := range tables {
		rows, err := f.db.Raw(`SELECT * FROM "` + table + `"`).Rows()
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch x := v.(type) {
				case []byte:
					s = string(x)
				case string:
					s = x
				default:
					continue
				}
				for _, bsn := range bsns {
					// Digits run together once the separators go; a value
					// of other digits can end up containing a BSN only
					// by chance, which a test BSN makes unlikely.
					if strings.Contains(s, bsn) || strings.Contains(nonDigit.ReplaceAllString(s, ""), bsn) {
						t.Errorf("table %s, column %s holds a BSN: %q", table, cols[i], s)
					}
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
}

func TestACodeFindsItsBudget(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	one, two := f.budget(t, nil, nil), f.budget(t, nil, nil)
	file := registerFile([2]string{bsnA, "1234AB"})
	for _, b := range []chanBudget{one, two} {
		if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file)); err != nil {
			t.Fatal(err)
		}
	}
	codeOne, codeTwo := f.codeOf(t, one.id, file, bsnA), f.codeOf(t, two.id, file, bsnA)
	if codeOne == codeTwo {
		t.Fatal("one person has one code for two budgets")
	}
	for b, code := range map[int64]string{one.id: codeOne, two.id: codeTwo} {
		id, v, err := f.svc.RedeemCode(ctx, code)
		if err != nil || id != b || v.Token != digidToken(t, f.svc, b, bsnA) {
			t.Fatalf("code of budget %d: budget %d, %+v, %v", b, id, v, err)
		}
		// The code of one budget is unknown to the other.
		other := one.id
		if b == one.id {
			other = two.id
		}
		if _, err := f.svc.Redeem(ctx, other, code); errKey(err) != "budget.code.unknown" {
			t.Fatalf("a code of budget %d at budget %d: %v", b, other, err)
		}
	}
	if _, _, err := f.svc.RedeemCode(ctx, "ABCD-EFGH-JKLM"); errKey(err) != "budget.code.unknown" {
		t.Fatalf("unknown code: %v", err)
	}
}

func TestCodesRedeemOnlyWhileVotingIsOpen(t *testing.T) {
	t.Parallel()
	f := newChanFixture(t)
	ctx := context.Background()
	b := f.budget(t, nil, nil)
	file := registerFile([2]string{bsnA, "1234AB"})
	if _, err := f.svc.ImportRegister(ctx, f.editor, b.id, strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	code := f.codeOf(t, b.id, file, bsnA)
	open := f.now
	f.now = open.Add(-48 * time.Hour)
	if _, err := f.svc.Redeem(ctx, b.id, code); errKey(err) != instrument.ReasonNotOpenYet {
		t.Fatalf("before opening: %v", err)
	}
	f.now = open.Add(15 * 24 * time.Hour)
	if _, err := f.svc.Redeem(ctx, b.id, code); errCode(err) != apperror.Closed {
		t.Fatalf("after closing: %v", err)
	}
	f.now = open
	if err := f.db.Model(&instrument.Instrument{}).Where("id = ?", b.id).Update("published", false).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Redeem(ctx, b.id, code); errCode(err) != apperror.NotFound {
		t.Fatalf("unpublished: %v", err)
	}
}
