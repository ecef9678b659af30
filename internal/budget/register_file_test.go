package budget

import (
	"errors"
	"io"
	"strings"
	"testing"

	"inspraak/internal/apperror"
)

// readAll reads a register file through the same reader as the import.
func readAll(t *testing.T, file string) ([]RegisterRow, []RefusedRow) {
	t.Helper()
	f, err := openRegister(strings.NewReader(file))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	var rows []RegisterRow
	var refused []RefusedRow
	for {
		row, ref, err := f.next()
		if errors.Is(err, io.EOF) {
			return rows, refused
		}
		if err != nil {
			t.Fatalf("next: %v", err)
		}
		if row != nil {
			rows = append(rows, *row)
		}
		if ref != nil {
			refused = append(refused, *ref)
		}
	}
}

func TestRegisterFileReadsTheUsualDutchColumns(t *testing.T) {
	// Semicolons, a byte-order mark, other header spellings, the name and
	// address in parts.
	file := "\ufeffBurgerservicenummer;Voorletters;Voorvoegsel;Geslachtsnaam;Straatnaam;Huisnummer;Huisletter;Huisnummertoevoeging;Post code;Woonplaats;Geboortedatum\r\n" +
		"999993653;J.;van der;Berg;Kerkstraat;12;a;2;1234ab;Ons Dorp;1980-01-01\r\n" +
		"\r\n" +
		"999990019;A.;;Zoë;Dorpsplein;1;;;6591 AB;Ons Dorp;\r\n"
	rows, refused := readAll(t, file)
	if len(refused) != 0 || len(rows) != 2 {
		t.Fatalf("rows %+v refused %+v", rows, refused)
	}
	want := RegisterRow{Line: 2, Number: 1, BSN: "999993653", Name: "J. van der Berg", Street: "Kerkstraat 12a-2", Postcode: "1234 AB", Place: "Ons Dorp"}
	if rows[0] != want {
		t.Errorf("row 1 = %+v, want %+v", rows[0], want)
	}
	want = RegisterRow{Line: 4, Number: 2, BSN: "999990019", Name: "A. Zoë", Street: "Dorpsplein 1", Postcode: "6591 AB", Place: "Ons Dorp"}
	if rows[1] != want {
		t.Errorf("row 2 = %+v, want %+v", rows[1], want)
	}

	// Commas, one-column name and address, quoted fields.
	rows, refused = readAll(t, "bsn,naam,adres,postcode,plaats\n999990019,\"Berg, J. van den\",Kerkstraat 1,1234AB,Dorp\n")
	if len(refused) != 0 || len(rows) != 1 || rows[0].Name != "Berg, J. van den" || rows[0].Street != "Kerkstraat 1" {
		t.Fatalf("rows %+v refused %+v", rows, refused)
	}
}

func TestRegisterFileInWindows1252(t *testing.T) {
	// "Zoë" and "Ã©" as Excel saves them without UTF-8: ë is 0xEB.
	file := "bsn;naam;adres;postcode;woonplaats\n999993653;Zo\xeb;Caf\xe9straat 1;1234AB;Dorp\n"
	rows, refused := readAll(t, file)
	if len(refused) != 0 || len(rows) != 1 || rows[0].Name != "Zoë" || rows[0].Street != "Caféstraat 1" {
		t.Fatalf("rows %+v refused %+v", rows, refused)
	}
}

func TestRegisterFileRefusesBadRowsWithoutShowingTheBSN(t *testing.T) {
	file := "bsn;naam;adres;postcode;woonplaats\n" +
		"999993654;A;Straat 1;1234AB;Dorp\n" + // fails the 11-test
		"12345;A;Straat 1;1234AB;Dorp\n" + // too short
		"99999365;A;Straat 1;1234AB;Dorp\n" + // Excel dropped a 0 (or a digit is missing)
		";A;Straat 1;1234AB;Dorp\n" +
		"999990019;;Straat 1;1234AB;Dorp\n" +
		"999990020;B;;1234AB;Dorp\n" +
		"999990032;C;Straat 1;123AB;Dorp\n" +
		"999993653;D;Straat 1;1234AB;\n" +
		"999993653;E;Straat \"1;1234AB;Dorp\n" + // a stray quote
		"999990019;F;Straat 2;1234 AB;Dorp\n"
	rows, refused := readAll(t, file)
	if len(rows) != 1 || rows[0].Name != "F" || rows[0].Line != 11 {
		t.Fatalf("rows %+v", rows)
	}
	want := []RefusedRow{
		{2, "budget.register.bad_bsn", "…654", ""},
		{3, "budget.register.bad_bsn", "…345", ""},
		{4, "budget.register.bsn_eight_digits", "…365", ""},
		{5, "budget.register.no_bsn", "", ""},
		{6, "budget.register.no_name", "…019", ""},
		{7, "budget.register.no_street", "…020", ""},
		{8, "budget.register.bad_postcode", "…032", ""},
		{9, "budget.register.no_place", "…653", ""},
		{10, "budget.register.row_unreadable", "", ""},
	}
	if len(refused) != len(want) {
		t.Fatalf("refused %+v", refused)
	}
	for i, w := range want {
		if refused[i] != w {
			t.Errorf("refused[%d] = %+v, want %+v", i, refused[i], w)
		}
		if strings.Contains(refused[i].Hint, "99999") {
			t.Errorf("hint %q shows the BSN", refused[i].Hint)
		}
	}
}

func TestRegisterFileWithoutNeededColumnsIsRefusedWhole(t *testing.T) {
	for file, missing := range map[string]string{
		"naam;adres;postcode;woonplaats\n1;2;3;4\n": "bsn",
		"bsn;straat;postcode;woonplaats\n":          "naam, adres",
		"bsn;naam;straat;huisnummer;woonplaats\n":   "postcode",
		"bsn;achternaam;adres;postcode\n":           "woonplaats",
		"":                                          "",
		"\n\n":                                      "",
	} {
		_, err := openRegister(strings.NewReader(file))
		e, ok := apperror.As(err)
		if !ok || e.Code != apperror.Invalid {
			t.Errorf("%q: %v", file, err)
			continue
		}
		if missing == "" {
			if e.Key != "budget.register.empty" {
				t.Errorf("%q: %v", file, e)
			}
			continue
		}
		if e.Key != "budget.register.missing_columns" || len(e.Args) != 1 || e.Args[0] != missing {
			t.Errorf("%q: %v %v, want missing %s", file, e, e.Args, missing)
		}
	}
}

func TestRegisterFileWithoutLineBreaksIsRefused(t *testing.T) {
	f, err := openRegister(io.MultiReader(strings.NewReader("bsn;naam;adres;postcode;woonplaats\n"), strings.NewReader(strings.Repeat("x", 200<<10))))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.next()
	if e, ok := apperror.As(err); !ok || e.Key != "budget.register.line_too_long" {
		t.Fatalf("got %v", err)
	}
}
