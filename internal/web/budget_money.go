package web

import (
	"strconv"
	"strings"
)

// maxEuroCents bounds an amount an editor can type: a billion euros is
// far beyond any wijk budget and keeps every sum far from overflow.
const maxEuroCents = 100_000_000_000

// parseEuros reads an amount as people type it in the Netherlands, into
// euro cents: "€ 12.500,50", "12500", "12.500", "12 500", "€ 250,-" and
// "12500.50" (a point followed by one or two digits is a decimal point;
// points between groups of three digits are thousands). Anything else,
// negative amounts and more than two decimals, is not an amount.
func parseEuros(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "€")
	s = strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "EUR")
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "'", "").Replace(s)
	for _, tail := range []string{",-", ",—", ",–", ".-"} {
		s = strings.TrimSuffix(s, tail)
	}
	if s == "" {
		return 0, false
	}
	whole, frac := s, ""
	switch {
	case strings.Contains(s, ","):
		// Decimal comma; points (if any) are thousands.
		i := strings.LastIndex(s, ",")
		whole, frac = s[:i], s[i+1:]
		if strings.Contains(whole, ",") {
			return 0, false
		}
	case strings.Count(s, ".") == 1 && len(s)-strings.Index(s, ".")-1 <= 2:
		// "12500.5" or "12500.50": a decimal point.
		i := strings.Index(s, ".")
		whole, frac = s[:i], s[i+1:]
		if frac == "" {
			return 0, false
		}
	}
	if strings.Contains(whole, ".") {
		groups := strings.Split(whole, ".")
		if groups[0] == "" || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
		whole = strings.Join(groups, "")
	}
	if whole == "" || len(frac) > 2 || !allDigits(whole) || !allDigits(frac) || len(whole) > 12 {
		return 0, false
	}
	euros, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	cents := int64(0)
	if frac != "" {
		if len(frac) == 1 {
			frac += "0"
		}
		cents, _ = strconv.ParseInt(frac, 10, 64)
	}
	total := euros*100 + cents
	if total > maxEuroCents {
		return 0, false
	}
	return total, true
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// formatEuros writes cents as residents read money: "€ 12.500" or
// "€ 12.500,50" in Dutch, "€12,500" or "€12,500.50" in English.
func formatEuros(cents int64, lang string) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	thousands, decimal, sign := ".", ",", "€ "
	if lang == "en" {
		thousands, decimal, sign = ",", ".", "€"
	}
	digits := strconv.FormatInt(cents/100, 10)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	out := sign + b.String()
	if c := cents % 100; c != 0 {
		out += decimal + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
	}
	if neg {
		out = "-" + out
	}
	return out
}

// euroInput writes cents for an editor's input field, as parseEuros reads
// it back: "12500" or "12500,50" (no thousands points, no sign).
func euroInput(cents int64) string {
	s := strconv.FormatInt(cents/100, 10)
	if c := cents % 100; c != 0 {
		s += "," + strconv.FormatInt(c/10, 10) + strconv.FormatInt(c%10, 10)
	}
	return s
}

// Euros formats euro cents for a template.
func (p *Page) Euros(cents int64) string { return formatEuros(cents, p.Lang) }
