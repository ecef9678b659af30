package results_test

import (
	"math"
	"strings"
	"testing"

	"inspraak/internal/results"
)

// Whatever an administrator uploads, the population parser either names
// what is wrong (and gives nothing to store) or gives shares that are
// finite, between 0 and 100, and add up to 100 per kind; groups are never
// empty and never twice.
func FuzzParsePopulation(f *testing.F) {
	for _, seed := range []string{
		"soort;groep;aantal\nwijk;Centrum;4210\nwijk;Noord;6830\nleeftijd;18-29;27%\n",
		"soort,groep,aantal\nwijk,Zuid,12,5\n",
		"\uFEFFsoort;groep;aantal\nwijk;\"Oud \"\"West\"\"\";10\n",
		"soort;groep;aantal\nwijk;Centrum;NaN\n",
		"soort;groep;aantal\nwijk;Centrum;0\nwijk;Noord;0\n",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		shares, errs := results.ParsePopulation(strings.NewReader(in))
		if len(errs) > 0 {
			if shares != nil {
				t.Fatalf("errors and shares at once: %v", errs)
			}
			for _, e := range errs {
				if e.Msg == "" {
					t.Fatal("an error without a message")
				}
			}
			return
		}
		sum := map[string]float64{}
		seen := map[string]bool{}
		for _, s := range shares {
			if math.IsNaN(s.Share) || math.IsInf(s.Share, 0) || s.Share < 0 || s.Share > 100+1e-9 {
				t.Fatalf("share %v for %q", s.Share, s.Grp)
			}
			key := s.Dimension + "/" + strings.ToLower(s.Grp)
			if strings.TrimSpace(s.Grp) == "" || seen[key] {
				t.Fatalf("empty or repeated group %q", s.Grp)
			}
			seen[key] = true
			sum[s.Dimension] += s.Share
		}
		for dim, total := range sum {
			if total != 0 && math.Abs(total-100) > 1e-6 {
				t.Fatalf("%s adds up to %v", dim, total)
			}
		}
	})
}
