package budget

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
)

// Whatever a resident types on the code page (no login needed), the code
// is either refused as Invalid with a message for the field, or it is a
// code of the alphabet that reads back the same however it is written
// (grouped, in lower case).
func FuzzNormaliseCode(f *testing.F) {
	for _, s := range []string{"ABCD-EFGH-JKLM", "abcd efgh jklm", "ABCD-EFGH-JKL0", "", "----", "ÄBCD-EFGH-JKLM", "ABCD\u2010EFGH\u2011JKLM", "ABCDEFGHJKLMN", "ＡＢＣＤ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		code, err := NormaliseCode(typed)
		if err != nil {
			e, ok := apperror.As(err)
			if !ok || e.Code != apperror.Invalid || e.Fields["code"] == "" {
				t.Fatalf("NormaliseCode(%q): %v, want Invalid with a message for the field", typed, err)
			}
			return
		}
		if len(code) != CodeLength {
			t.Fatalf("NormaliseCode(%q) = %q: %d characters", typed, code, len(code))
		}
		for _, r := range code {
			if !strings.ContainsRune(CodeAlphabet, r) {
				t.Fatalf("NormaliseCode(%q) = %q holds %q, outside the alphabet", typed, code, r)
			}
		}
		for _, again := range []string{code, FormatCode(code), strings.ToLower(FormatCode(code))} {
			if back, err := NormaliseCode(again); err != nil || back != code {
				t.Fatalf("%q reads back as %q, %v; want %q", again, back, err, code)
			}
		}
	})
}

// Whatever file staff upload as the register, the reader ends; every row
// is either taken, with a valid BSN and the fields a letter needs within
// their bounds, or refused with a reason whose hint never holds the BSN;
// a file refused whole is refused as Invalid.
func FuzzRegisterFile(f *testing.F) {
	f.Add([]byte("bsn;naam;adres;postcode;woonplaats\n999993653;A. Inwoner;Dorpsstraat 1;1234 AB;Voorbeeld\n"))
	f.Add([]byte("BSN,Voorletters,Geslachtsnaam,Straat,Huisnummer,Postcode,Plaats\r\n99999365,J.,Jansen,Kerkweg,3,1234ab,Dorp\r\n\"unclosed\n"))
	f.Add([]byte("\xef\xbb\xbfbsn;naam\n999993653;\xe9\xe8\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rf, err := openRegister(strings.NewReader(string(data)))
		if err != nil {
			if e, ok := apperror.As(err); !ok || e.Code != apperror.Invalid {
				t.Fatalf("a refused file: %v, want Invalid", err)
			}
			return
		}
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatalf("more rows than bytes: the reader does not end")
			}
			row, refused, err := rf.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if e, ok := apperror.As(err); !ok || e.Code != apperror.Invalid {
					t.Fatalf("row %d: %v, want Invalid", n, err)
				}
				return
			}
			switch {
			case row != nil && refused != nil, row == nil && refused == nil:
				t.Fatalf("row %d: taken %v and refused %v", n, row, refused)
			case refused != nil:
				if refused.Key == "" {
					t.Fatalf("row %d refused without a reason", n)
				}
				if utf8.RuneCountInString(refused.Hint) > 4 {
					t.Fatalf("row %d: the hint %q says more than the last digits of a BSN", n, refused.Hint)
				}
			default:
				if !identity.ValidBSN(row.BSN) {
					t.Fatalf("row %d taken with BSN %q", n, row.BSN)
				}
				if row.Name == "" || row.Street == "" || row.Place == "" || row.Postcode == "" ||
					utf8.RuneCountInString(row.Name) > 200 || utf8.RuneCountInString(row.Street) > 200 || utf8.RuneCountInString(row.Place) > 100 {
					t.Fatalf("row %d taken with fields a letter cannot carry: %+v", n, row)
				}
				if !utf8.ValidString(row.Name + row.Street + row.Place) {
					t.Fatalf("row %d taken with text that is not UTF-8: %+v", n, row)
				}
			}
		}
	})
}
