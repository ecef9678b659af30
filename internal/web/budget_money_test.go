package web

import "testing"

// An editor types amounts as they write them in Dutch; the budget gets
// exactly those cents, and what cannot be an amount is refused.
func TestParseEurosReadsDutchAmounts(t *testing.T) {
	t.Parallel()
	good := map[string]int64{
		"€ 12.500,50": 1250050, "12500": 1250000, "12.500": 1250000, "12 500": 1250000, "€12.500": 1250000,
		"€ 250,-": 25000, "12500,5": 1250050, "12500.50": 1250050, "1.234.567,89": 123456789, "0,99": 99,
		"EUR 300": 30000, " 75 ": 7500, "1.000.000": 100000000,
	}
	for in, want := range good {
		got, ok := parseEuros(in)
		if !ok || got != want {
			t.Errorf("parseEuros(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "€", "-5", "12,345,6", "1.23.456", "12.5000", "12,505", "abc", "12.", ",50", "1e5", "99999999999999", "€ 1.2345,00"} {
		if got, ok := parseEuros(in); ok {
			t.Errorf("parseEuros(%q) = %d, want refused", in, got)
		}
	}
	for cents, want := range map[int64]string{1250050: "€ 12.500,50", 1250000: "€ 12.500", 5: "€ 0,05", 100000000: "€ 1.000.000"} {
		if got := formatEuros(cents, "nl"); got != want {
			t.Errorf("formatEuros(%d) = %q, want %q", cents, got, want)
		}
		if back, ok := parseEuros(formatEuros(cents, "nl")); !ok || back != cents {
			t.Errorf("%q reads back as %d", formatEuros(cents, "nl"), back)
		}
		if back, ok := parseEuros(euroInput(cents)); !ok || back != cents {
			t.Errorf("euroInput %q reads back as %d", euroInput(cents), back)
		}
	}
	if got := formatEuros(1250050, "en"); got != "€12,500.50" {
		t.Errorf("English: %q", got)
	}
}

// Whatever an editor types as an amount, it is refused or read as cents
// within bounds, and the amount as the form shows it again reads back as
// the same cents (so saving a form unchanged never changes an amount).
func FuzzParseEuros(f *testing.F) {
	for _, s := range []string{"€ 12.500,50", "12500.50", "€ 250,-", "1.234.567,89", "-5", "1e5", "99999999999999", "12,345,6", "\u00a0€\u202f1\u00a0000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		cents, ok := parseEuros(typed)
		if !ok {
			return
		}
		if cents < 0 || cents > maxEuroCents {
			t.Fatalf("parseEuros(%q) = %d cents, out of bounds", typed, cents)
		}
		for _, shown := range []string{euroInput(cents), formatEuros(cents, "nl")} {
			if back, ok := parseEuros(shown); !ok || back != cents {
				t.Fatalf("parseEuros(%q) = %d; shown as %q it reads back as %d, %v", typed, cents, shown, back, ok)
			}
		}
	})
}
