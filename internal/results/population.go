package results

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"inspraak/internal/identity"
	"inspraak/internal/results/suppress"
)

// PopulationShare is a row of population_shares: the share of the
// inhabitants in one group of a dimension (wijk or age band).
type PopulationShare struct {
	Dimension string    `gorm:"primaryKey"`
	Grp       string    `gorm:"primaryKey"`
	Share     float64   `gorm:"not null"`
	UpdatedAt time.Time `gorm:"not null"`
}

// TableName fixes the table name.
func (PopulationShare) TableName() string { return "population_shares" }

// LineError is a problem on one line of an uploaded population file, in
// Dutch for the administrator.
type LineError struct {
	Line int
	Msg  string
}

func (e LineError) Error() string { return fmt.Sprintf("regel %d: %s", e.Line, e.Msg) }

// MaxPopulationLines bounds an upload.
const MaxPopulationLines = 2000

// ParsePopulation reads a population file: a header line, then lines of
// dimension (wijk or leeftijd), group, and the number of inhabitants or
// their percentage, separated by ";" or ",". Every problem is reported
// with its line; nothing is stored unless the whole file is right. The
// shares of each dimension are scaled to add up to 100.
func ParsePopulation(r io.Reader) ([]PopulationShare, []LineError) {
	br := strings.Builder{}
	if _, err := io.Copy(&br, io.LimitReader(r, 1<<20)); err != nil {
		return nil, []LineError{{0, "het bestand kan niet worden gelezen"}}
	}
	text := strings.TrimPrefix(br.String(), "\uFEFF")
	if !utf8.ValidString(text) {
		return nil, []LineError{{0, "het bestand is geen UTF-8-tekst; sla het op als CSV UTF-8"}}
	}
	sep := ','
	if first, _, _ := strings.Cut(text, "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		sep = ';'
	}
	cr := csv.NewReader(strings.NewReader(text))
	cr.Comma = sep
	cr.FieldsPerRecord = -1
	var errs []LineError
	var out []PopulationShare
	seen := map[string]int{}
	line := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			errs = append(errs, LineError{line, "deze regel kan niet worden gelezen (staan de aanhalingstekens goed?)"})
			continue
		}
		if line == 1 {
			// The header names the columns; a first line with data in it
			// would otherwise be lost without a word.
			if len(rec) < 1 || !isHeader(rec) {
				errs = append(errs, LineError{line, "de eerste regel moet de kop zijn: soort;groep;aantal"})
			}
			continue
		}
		if line > MaxPopulationLines+1 {
			errs = append(errs, LineError{line, fmt.Sprintf("het bestand heeft meer dan %d regels", MaxPopulationLines)})
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) != 3 {
			errs = append(errs, LineError{line, "een regel heeft drie velden: soort, groep, aantal"})
			continue
		}
		dim := map[string]string{"wijk": ByWijk, "leeftijd": ByAge, "leeftijdsgroep": ByAge}[strings.ToLower(strings.TrimSpace(rec[0]))]
		grp := strings.TrimSpace(rec[1])
		num := strings.ReplaceAll(strings.TrimSuffix(strings.TrimSpace(rec[2]), "%"), ",", ".")
		share, err := strconv.ParseFloat(num, 64)
		switch {
		case dim == "":
			errs = append(errs, LineError{line, fmt.Sprintf("%q is geen soort; gebruik wijk of leeftijd", rec[0])})
		case grp == "" || utf8.RuneCountInString(grp) > 80:
			errs = append(errs, LineError{line, "de groep is leeg of langer dan 80 tekens"})
		case err != nil || !(share >= 0 && share <= 1e9): // also refuses NaN
			errs = append(errs, LineError{line, fmt.Sprintf("%q is geen aantal of percentage", rec[2])})
		case dim == ByAge && !slices.Contains(identity.AgeBands, grp):
			errs = append(errs, LineError{line, fmt.Sprintf("%q is geen leeftijdsgroep; gebruik %s", grp, strings.Join(identity.AgeBands, ", "))})
		default:
			key := dim + "\x00" + strings.ToLower(grp)
			if prev, dup := seen[key]; dup {
				errs = append(errs, LineError{line, fmt.Sprintf("%s staat al op regel %d", grp, prev)})
				continue
			}
			seen[key] = line
			out = append(out, PopulationShare{Dimension: dim, Grp: grp, Share: share})
		}
	}
	if line <= 1 && len(errs) == 0 {
		errs = append(errs, LineError{0, "het bestand heeft geen regels onder de kop"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sum := map[string]float64{}
	for _, p := range out {
		sum[p.Dimension] += p.Share
	}
	for dim, total := range sum {
		if total <= 0 {
			name := map[string]string{ByWijk: "wijk", ByAge: "leeftijd"}[dim]
			return nil, []LineError{{0, fmt.Sprintf("de aantallen voor %s tellen op tot 0", name)}}
		}
	}
	for i := range out {
		out[i].Share = out[i].Share * 100 / sum[out[i].Dimension]
	}
	return out, nil
}

// isHeader says whether a first line is a header: no number in its last
// field.
func isHeader(rec []string) bool {
	last := strings.TrimSuffix(strings.TrimSpace(rec[len(rec)-1]), "%")
	_, err := strconv.ParseFloat(strings.ReplaceAll(last, ",", "."), 64)
	return err != nil
}

// SetPopulation replaces the population figures of the kinds (wijk, age
// band) in shares; figures of a kind the upload does not have stay. Only
// who may change site settings may; the audit record is written in the
// same transaction.
func (s *Service) SetPopulation(ctx context.Context, a identity.Actor, shares []PopulationShare) error {
	if err := a.Require(identity.PermSettings); err != nil {
		return err
	}
	now := time.Now().UTC()
	var dims []string
	for _, sh := range shares {
		if !slices.Contains(dims, sh.Dimension) {
			dims = append(dims, sh.Dimension)
		}
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if len(dims) > 0 {
			if err := tx.Where("dimension IN ?", dims).Delete(&PopulationShare{}).Error; err != nil {
				return err
			}
		}
		for i := range shares {
			shares[i].UpdatedAt = now
		}
		if len(shares) > 0 {
			if err := tx.CreateInBatches(&shares, 200).Error; err != nil {
				return err
			}
		}
		return a.Record(tx, "results.population", "population", map[string]any{"groups": len(shares)})
	})
}

// Population returns the stored figures.
func (s *Service) Population(ctx context.Context) ([]PopulationShare, error) {
	var ps []PopulationShare
	return ps, s.db.WithContext(ctx).Order("dimension, grp").Find(&ps).Error
}

// RepRow compares one group: who took part against who lives there.
type RepRow struct {
	Group      string
	Count      string  // participants, or "<k"
	Share      float64 // of participants, percent (0 when hidden)
	Population float64 // percent of inhabitants
	Hidden     bool
	// Off says the shares differ by more than 5 percentage points.
	Off bool
}

// groups is the number of submitted respondents of a consultation per
// group of a dimension (wijk or age band), with the population groups
// that had none, suppressed as the results page shows them.
type groups struct {
	keys  []string          // lower-cased, in the order shown; "" (unknown) last
	label map[string]string // key → spelling to show
	row   []int64
	total int64
	pop   map[string]float64 // key → percent of inhabitants
	// shown: the results page shows these counts (there are population
	// figures for the dimension); otherwise only the breakdowns use them.
	shown    bool
	hiddenAt []bool
	k        int
	// withheld: no count can be shown without giving a small one away.
	withheld bool
}

// hidden reports whether the count of group key (lower-cased) is hidden.
func (g *groups) hidden(key string) bool {
	for i, k := range g.keys {
		if k == key {
			return g.hiddenAt[i]
		}
	}
	return false
}

// groupCounts counts and suppresses. The number of submitted responses
// is printed on the results page, so the table's total counts as known.
// Login means have no population figures: their counts are never shown.
func (s *Service) groupCounts(ctx context.Context, instrumentID int64, by string) (*groups, error) {
	col := map[string]string{ByWijk: "p.wijk", ByAge: "p.age_band", ByMeans: "p.means"}[by]
	if col == "" {
		return nil, ErrFormat
	}
	db := s.db.WithContext(ctx)
	var pop []PopulationShare
	if err := db.Where("dimension = ?", by).Find(&pop).Error; err != nil {
		return nil, err
	}
	var counts []struct {
		Grp string
		N   int64
	}
	if err := db.Raw(`SELECT COALESCE(`+col+`, '') AS grp, count(*) AS n FROM responses r
LEFT JOIN participants p ON p.id = r.participant_id
WHERE r.instrument_id = ? AND r.status = 'submitted' GROUP BY 1`, instrumentID).Scan(&counts).Error; err != nil {
		return nil, err
	}
	g := &groups{label: map[string]string{}, pop: map[string]float64{}}
	n := map[string]int64{}
	for _, c := range counts {
		n[strings.ToLower(c.Grp)] += c.N
	}
	for _, p := range pop {
		g.label[strings.ToLower(p.Grp)] = p.Grp
		g.pop[strings.ToLower(p.Grp)] = p.Share
	}
	for _, c := range counts {
		if _, ok := g.label[strings.ToLower(c.Grp)]; !ok {
			g.label[strings.ToLower(c.Grp)] = c.Grp
		}
	}
	for k := range g.label {
		g.keys = append(g.keys, k)
	}
	sort.Slice(g.keys, func(i, j int) bool {
		if (g.keys[i] == "") != (g.keys[j] == "") {
			return g.keys[j] == ""
		}
		return g.keys[i] < g.keys[j]
	})
	g.row = make([]int64, len(g.keys))
	for i, k := range g.keys {
		g.row[i] = n[k]
		g.total += n[k]
	}
	var err error
	if g.k, err = s.Threshold(ctx); err != nil {
		return nil, err
	}
	g.shown = len(pop) > 0
	if err := g.protect(); err != nil {
		return nil, err
	}
	return g, nil
}

// protect decides which group counts the page hides: on their own,
// adding up to the number of submitted responses, which the page prints.
func (g *groups) protect() error {
	var p suppress.Problem
	total := p.Add(suppress.Var{Value: g.total, Known: true, Margin: true, Unit: suppress.NoUnit})
	vs := make([]int, len(g.row))
	for i, n := range g.row {
		vs[i] = p.Add(suppress.Var{Value: n})
	}
	p.Sum(total, vs...)
	sol, err := suppress.Protect(&p, g.k)
	if err != nil {
		return err
	}
	// Fewer respondents than k: no count is shown, not even a zero.
	g.withheld = sol.Withheld[0]
	g.hiddenAt = make([]bool, len(g.row))
	for i, v := range vs {
		g.hiddenAt[i] = g.withheld || sol.Hidden[v]
	}
	return nil
}

// Representativeness compares the submitted respondents of a
// consultation per wijk or age band with the population figures. Small
// counts are suppressed like any breakdown; their shares are not shown.
func (s *Service) Representativeness(ctx context.Context, instrumentID int64, by string) ([]RepRow, error) {
	g, err := s.groupCounts(ctx, instrumentID, by)
	if err != nil {
		return nil, err
	}
	out := []RepRow{}
	if g.withheld {
		// Fewer respondents than k: the page says so instead.
		return out, nil
	}
	for i, key := range g.keys {
		r := RepRow{Group: g.label[key], Population: g.pop[key], Hidden: g.hidden(key)}
		r.Count = itoa(g.row[i])
		if r.Hidden {
			r.Count = suppress.Mark
		}
		if !r.Hidden && g.total > 0 {
			r.Share = float64(g.row[i]) * 100 / float64(g.total)
			d := r.Share - r.Population
			r.Off = key != "" && (d > 5 || d < -5)
		}
		out = append(out, r)
	}
	return out, nil
}
