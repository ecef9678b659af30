package count

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Pabulib (.pb) files, the format of the participatory budgeting library
// (pabulib.org/format; Stolicki, Szufa and Talmon 2020): UTF-8 text in
// three sections, each a title line (META, PROJECTS, VOTES), a header line
// naming the columns, and rows; fields separated by ';' and quoted as in
// CSV when needed.
//
// Money in a .pb file is in whole units of the currency (budget and costs
// are numbers like 250000); the pabulib tools read them as exact decimal
// fractions. Inspraak counts in cents, so amounts are written in euros:
// whole euros as an integer ("250000"), otherwise with exactly two
// decimals ("1234.56"), so every cent survives. When reading, a number may
// have at most two decimals other than trailing zeros; anything finer than
// a cent is refused rather than rounded.
//
// No personal data: the VOTES section has only a sequence number per
// ballot (voter_id 1, 2, 3, ...) and the ballot itself.

// Meta is the META section. num_projects, num_votes, budget and vote_type
// are not here: they come from the instance and ballots (and the kind
// argument of WritePabulib).
type Meta struct {
	Description string
	Country     string
	Unit        string // municipality
	Subunit     string // e.g. the wijk of a wijk budget
	Instance    string // edition, e.g. "2027"
	Currency    string // e.g. "EUR"
	// VoteType is set by ParsePabulib ("approval" or "cumulative");
	// WritePabulib writes its kind argument instead.
	VoteType  string
	Rule      string // e.g. "greedy", "equalshares/add1"
	DateBegin string // dd.mm.yyyy
	DateEnd   string
	Language  string
	Comment   string
	// Ballot rules; 0 means not given (not written).
	MinLength    int   // least plans on a ballot
	MaxLength    int   // most plans on a ballot
	MinSumCost   int64 // knapsack: least total cost of a ballot, cents
	MaxSumCost   int64 // knapsack: most total cost of a ballot, cents
	MinPoints    int64 // points: least points per plan
	MaxPoints    int64 // points: most points per plan
	MinSumPoints int64 // points: least points per ballot
	MaxSumPoints int64 // points: points per ballot to divide
	// ProjectNames, when not nil, has one name per plan (a "name" column).
	ProjectNames []string
	// Extra holds other META rows, written after the known ones in order.
	Extra []MetaField
}

// MetaField is one other META row.
type MetaField struct{ Key, Value string }

// Pabulib vote types written and read.
const (
	VoteTypeApproval   = "approval"
	VoteTypeCumulative = "cumulative"
)

var sectionNames = []string{"meta", "projects", "votes"}

type metaKey struct {
	key   string
	str   func(m *Meta) *string
	num   func(m *Meta) *int64
	small func(m *Meta) *int
	money bool
	// always: written even when empty (obligatory in the format).
	always bool
}

var metaKeys = []metaKey{
	{key: "description", str: func(m *Meta) *string { return &m.Description }, always: true},
	{key: "country", str: func(m *Meta) *string { return &m.Country }, always: true},
	{key: "unit", str: func(m *Meta) *string { return &m.Unit }, always: true},
	{key: "subunit", str: func(m *Meta) *string { return &m.Subunit }},
	{key: "instance", str: func(m *Meta) *string { return &m.Instance }, always: true},
	{key: "currency", str: func(m *Meta) *string { return &m.Currency }},
	{key: "rule", str: func(m *Meta) *string { return &m.Rule }},
	{key: "date_begin", str: func(m *Meta) *string { return &m.DateBegin }},
	{key: "date_end", str: func(m *Meta) *string { return &m.DateEnd }},
	{key: "language", str: func(m *Meta) *string { return &m.Language }},
	{key: "comment", str: func(m *Meta) *string { return &m.Comment }},
	{key: "min_length", small: func(m *Meta) *int { return &m.MinLength }},
	{key: "max_length", small: func(m *Meta) *int { return &m.MaxLength }},
	{key: "min_sum_cost", num: func(m *Meta) *int64 { return &m.MinSumCost }, money: true},
	{key: "max_sum_cost", num: func(m *Meta) *int64 { return &m.MaxSumCost }, money: true},
	{key: "min_points", num: func(m *Meta) *int64 { return &m.MinPoints }},
	{key: "max_points", num: func(m *Meta) *int64 { return &m.MaxPoints }},
	{key: "min_sum_points", num: func(m *Meta) *int64 { return &m.MinSumPoints }},
	{key: "max_sum_points", num: func(m *Meta) *int64 { return &m.MaxSumPoints }},
}

// reserved META keys handled apart from metaKeys.
var derivedKeys = []string{"num_projects", "num_votes", "budget", "vote_type"}

func knownKey(k string) bool {
	for _, mk := range metaKeys {
		if mk.key == k {
			return true
		}
	}
	for _, d := range derivedKeys {
		if d == k {
			return true
		}
	}
	return false
}

// checkText refuses what cannot be written and read back unchanged: invalid
// UTF-8, control characters, and spaces at either end (readers trim them).
func checkText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8", what)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Errorf("%s: control character", what)
		}
	}
	if strings.TrimSpace(s) != s {
		return fmt.Errorf("%s: spaces at the start or end", what)
	}
	return nil
}

func checkName(what, s string) error {
	if err := checkText(what, s); err != nil {
		return err
	}
	if s == "" {
		return fmt.Errorf("%s: empty", what)
	}
	for _, sec := range sectionNames {
		if strings.EqualFold(s, sec) {
			return fmt.Errorf("%s: %q is a section title", what, s)
		}
	}
	return nil
}

// formatMoney writes cents as euros: "12" or "12.34".
func formatMoney(c int64) string {
	if c%100 == 0 {
		return strconv.FormatInt(c/100, 10)
	}
	return fmt.Sprintf("%d.%02d", c/100, c%100)
}

// parseMoney reads euros into cents, exactly; "12", "12.5", "12,50" and
// "12.500" are 1200, 1250, 1250 and 1250 cents; "12.345" is refused.
func parseMoney(s string) (int64, error) {
	whole, frac, dot := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || !digits(whole) || (dot && !digits(frac)) || (dot && frac == "") {
		return 0, fmt.Errorf("%q is not an amount", s)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%q has fractions of a cent", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w >= maxMoney/100 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func parseCount(s string) (int64, error) {
	if !digits(s) {
		return 0, fmt.Errorf("%q is not a whole number", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n >= maxMoney {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return n, nil
}

// WritePabulib writes the instance and ballots as a .pb file. kind is
// "approval" (knapsack and approval ballots; Points must be nil) or
// "cumulative" (points ballots). Plan IDs must be unique, non-empty,
// without commas, control characters or spaces at either end, and not a
// section title; voters are numbered 1, 2, 3, ... in ballot order.
func WritePabulib(w io.Writer, meta Meta, in Instance, ballots []Ballot, kind string) error {
	if kind != VoteTypeApproval && kind != VoteTypeCumulative {
		return fmt.Errorf("pabulib: vote type %q not supported", kind)
	}
	if err := Validate(in, ballots); err != nil {
		return fmt.Errorf("pabulib: %w", err)
	}
	for i, b := range ballots {
		if (kind == VoteTypeCumulative) != (b.Points != nil) {
			return fmt.Errorf("pabulib: ballot %d does not match vote type %s", i, kind)
		}
	}
	if meta.ProjectNames != nil && len(meta.ProjectNames) != len(in.Plans) {
		return errors.New("pabulib: one project name per plan needed")
	}
	ids := make(map[string]bool, len(in.Plans))
	for i, p := range in.Plans {
		if err := checkName(fmt.Sprintf("pabulib: plan %d id", i), p.ID); err != nil {
			return err
		}
		if strings.Contains(p.ID, ",") {
			return fmt.Errorf("pabulib: plan id %q has a comma", p.ID)
		}
		if ids[p.ID] {
			return fmt.Errorf("pabulib: plan id %q twice", p.ID)
		}
		ids[p.ID] = true
		if meta.ProjectNames != nil {
			if err := checkText(fmt.Sprintf("pabulib: plan %d name", i), meta.ProjectNames[i]); err != nil {
				return err
			}
		}
	}
	keys := map[string]bool{}
	for _, f := range meta.Extra {
		k := f.Key
		if err := checkName("pabulib: meta key", k); err != nil {
			return err
		}
		if knownKey(strings.ToLower(k)) || keys[strings.ToLower(k)] || strings.EqualFold(k, "key") {
			return fmt.Errorf("pabulib: meta key %q twice or reserved", k)
		}
		keys[strings.ToLower(k)] = true
		if err := checkText("pabulib: meta "+k, f.Value); err != nil {
			return err
		}
	}
	// The META rows, checked before anything is written.
	var metaRows [][2]string
	for _, mk := range metaKeys {
		var v string
		switch {
		case mk.str != nil:
			v = *mk.str(&meta)
			if err := checkText("pabulib: meta "+mk.key, v); err != nil {
				return err
			}
		case mk.small != nil:
			n := *mk.small(&meta)
			if n < 0 {
				return fmt.Errorf("pabulib: meta %s negative", mk.key)
			}
			if n > 0 {
				v = strconv.Itoa(n)
			}
		default:
			n := *mk.num(&meta)
			if n < 0 || n >= maxMoney {
				return fmt.Errorf("pabulib: meta %s out of range", mk.key)
			}
			switch {
			case n > 0 && mk.money:
				v = formatMoney(n)
			case n > 0:
				v = strconv.FormatInt(n, 10)
			}
		}
		if v != "" || mk.always {
			metaRows = append(metaRows, [2]string{mk.key, v})
		}
		if mk.key == "instance" {
			metaRows = append(metaRows,
				[2]string{"num_projects", strconv.Itoa(len(in.Plans))},
				[2]string{"num_votes", strconv.Itoa(len(ballots))},
				[2]string{"budget", formatMoney(in.Budget)},
				[2]string{"vote_type", kind})
		}
	}
	for _, f := range meta.Extra {
		metaRows = append(metaRows, [2]string{f.Key, f.Value})
	}

	pw := &pbWriter{w: w}
	pw.cw = csv.NewWriter(&pw.buf)
	pw.cw.Comma = ';'
	pw.row("META")
	pw.row("key", "value")
	for _, kv := range metaRows {
		pw.row(kv[0], kv[1])
	}
	pw.row("PROJECTS")
	if meta.ProjectNames != nil {
		pw.row("project_id", "cost", "name")
	} else {
		pw.row("project_id", "cost")
	}
	for i, p := range in.Plans {
		if meta.ProjectNames != nil {
			pw.row(p.ID, formatMoney(p.Cost), meta.ProjectNames[i])
		} else {
			pw.row(p.ID, formatMoney(p.Cost))
		}
	}
	pw.row("VOTES")
	if kind == VoteTypeCumulative {
		pw.row("voter_id", "vote", "points")
	} else {
		pw.row("voter_id", "vote")
	}
	var vote, pts strings.Builder
	for i, b := range ballots {
		vote.Reset()
		pts.Reset()
		for j, p := range b.Approved {
			if j > 0 {
				vote.WriteByte(',')
				pts.WriteByte(',')
			}
			vote.WriteString(in.Plans[p].ID)
			if b.Points != nil {
				pts.WriteString(strconv.FormatInt(b.Points[j], 10))
			}
		}
		if kind == VoteTypeCumulative {
			pw.row(strconv.Itoa(i+1), vote.String(), pts.String())
		} else {
			pw.row(strconv.Itoa(i+1), vote.String())
		}
	}
	return pw.flush()
}

// pbWriter writes CSV rows in chunks of about 64 kB and keeps the first
// error; after it, writing does nothing.
type pbWriter struct {
	w   io.Writer
	buf bytes.Buffer
	cw  *csv.Writer
	err error
}

func (pw *pbWriter) row(fields ...string) {
	if pw.err != nil {
		return
	}
	if pw.err = pw.cw.Write(fields); pw.err == nil && pw.buf.Len() > 1<<16 {
		pw.err = pw.flush()
	}
}

func (pw *pbWriter) flush() error {
	if pw.err != nil {
		return pw.err
	}
	pw.cw.Flush()
	if err := pw.cw.Error(); err != nil {
		return err
	}
	_, err := pw.w.Write(pw.buf.Bytes())
	pw.buf.Reset()
	return err
}

// ParsePabulib reads a .pb file with vote type approval (or choose-1) or
// cumulative. Amounts must be whole cents. Columns other than those of
// Meta, project_id, cost, name, voter_id, vote and points are ignored; the
// ballots are checked with Validate.
func ParsePabulib(r io.Reader) (Meta, Instance, []Ballot, error) {
	var meta Meta
	var in Instance
	var ballots []Ballot
	fail := func(line int, format string, a ...any) (Meta, Instance, []Ballot, error) {
		return Meta{}, Instance{}, nil, fmt.Errorf("pabulib: line %d: %s", line, fmt.Sprintf(format, a...))
	}
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	section := ""
	done := map[string]bool{}
	var header []string
	col := map[string]int{}
	seenMeta := map[string]bool{}
	var numProjects, numVotes int64 = -1, -1
	budgetSet := false
	ids := map[string]int{}
	first := true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return Meta{}, Instance{}, nil, fmt.Errorf("pabulib: %w", err)
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			if first && i == 0 {
				rec[0] = strings.TrimPrefix(rec[0], "\uFEFF")
			}
			rec[i] = strings.TrimSpace(rec[i])
			if err := checkText("field", rec[i]); err != nil {
				return fail(line, "%v", err)
			}
		}
		first = false
		if len(rec) == 1 && rec[0] == "" {
			continue
		}
		if title := strings.ToLower(rec[0]); title == "meta" || title == "projects" || title == "votes" {
			want := map[string]string{"meta": "", "projects": "meta", "votes": "projects"}[title]
			if done[title] || section != want || len(rec) != 1 {
				return fail(line, "section %s out of place", rec[0])
			}
			done[title] = true
			section = title
			header = nil
			continue
		}
		if header == nil {
			if section == "" {
				return fail(line, "no META section first")
			}
			header = slices.Clone(rec)
			clear(col)
			for i, h := range header {
				if _, dup := col[strings.ToLower(h)]; dup {
					return fail(line, "column %q twice", h)
				}
				col[strings.ToLower(h)] = i
			}
			switch section {
			case "meta":
				if len(rec) != 2 || !strings.EqualFold(rec[0], "key") || !strings.EqualFold(rec[1], "value") {
					return fail(line, "META header must be key;value")
				}
			case "projects":
				if _, ok := col["project_id"]; !ok {
					return fail(line, "no project_id column")
				}
				if _, ok := col["cost"]; !ok {
					return fail(line, "no cost column")
				}
				if _, ok := col["name"]; ok {
					meta.ProjectNames = []string{}
				}
			case "votes":
				if _, ok := col["vote"]; !ok {
					return fail(line, "no vote column")
				}
				if _, ok := col["points"]; !ok && meta.VoteType == VoteTypeCumulative {
					return fail(line, "no points column")
				}
			}
			continue
		}
		if len(rec) != len(header) {
			return fail(line, "%d fields, header has %d", len(rec), len(header))
		}
		switch section {
		case "meta":
			k, v := strings.ToLower(rec[0]), rec[1]
			if rec[0] == "" {
				return fail(line, "empty meta key")
			}
			if seenMeta[k] {
				return fail(line, "meta %s twice", rec[0])
			}
			seenMeta[k] = true
			var err error
			switch k {
			case "num_projects":
				numProjects, err = parseCount(v)
			case "num_votes":
				numVotes, err = parseCount(v)
			case "budget":
				in.Budget, err = parseMoney(v)
				budgetSet = true
			case "vote_type":
				switch v {
				case "approval", "choose-1":
					meta.VoteType = VoteTypeApproval
				case "cumulative":
					meta.VoteType = VoteTypeCumulative
				default:
					err = fmt.Errorf("vote type %q not supported", v)
				}
			default:
				found := false
				for _, mk := range metaKeys {
					if mk.key != k {
						continue
					}
					found = true
					switch {
					case mk.str != nil:
						*mk.str(&meta) = v
					case mk.small != nil:
						var n int64
						if n, err = parseCount(v); err == nil {
							if n > 1<<31 {
								err = fmt.Errorf("%q is too large", v)
							}
							*mk.small(&meta) = int(n)
						}
					case mk.money:
						*mk.num(&meta), err = parseMoney(v)
					default:
						*mk.num(&meta), err = parseCount(v)
					}
				}
				if !found {
					if k == "key" {
						err = errors.New(`meta key "key" is reserved`)
					}
					meta.Extra = append(meta.Extra, MetaField{Key: rec[0], Value: v})
				}
			}
			if err != nil {
				return fail(line, "meta %s: %v", rec[0], err)
			}
		case "projects":
			id := rec[col["project_id"]]
			if err := checkName("project id", id); err != nil {
				return fail(line, "%v", err)
			}
			if strings.Contains(id, ",") {
				return fail(line, "project id %q has a comma", id)
			}
			if _, dup := ids[id]; dup {
				return fail(line, "project %q twice", id)
			}
			c, err := parseMoney(rec[col["cost"]])
			if err != nil || c <= 0 {
				return fail(line, "cost of %q: %v", id, err)
			}
			ids[id] = len(in.Plans)
			in.Plans = append(in.Plans, Plan{ID: id, Cost: c})
			if i, ok := col["name"]; ok {
				meta.ProjectNames = append(meta.ProjectNames, rec[i])
			}
		case "votes":
			b := Ballot{Approved: []int{}}
			var pts []string
			if meta.VoteType == VoteTypeCumulative {
				b.Points = []int64{}
				if s := rec[col["points"]]; s != "" {
					pts = strings.Split(s, ",")
				}
			}
			if s := rec[col["vote"]]; s != "" {
				for j, id := range strings.Split(s, ",") {
					p, ok := ids[strings.TrimSpace(id)]
					if !ok {
						return fail(line, "unknown project %q", id)
					}
					b.Approved = append(b.Approved, p)
					if b.Points != nil {
						if j >= len(pts) {
							return fail(line, "fewer points than projects")
						}
						n, err := parseCount(strings.TrimSpace(pts[j]))
						if err != nil || n == 0 {
							return fail(line, "points %q", pts[j])
						}
						b.Points = append(b.Points, n)
					}
				}
			}
			if b.Points != nil && len(pts) != len(b.Approved) {
				return fail(line, "%d points for %d projects", len(pts), len(b.Approved))
			}
			ballots = append(ballots, b)
		}
	}
	switch {
	case !done["votes"]:
		return fail(0, "sections META, PROJECTS and VOTES needed")
	case header == nil:
		return fail(0, "no VOTES header")
	case !budgetSet:
		return fail(0, "no budget in META")
	case meta.VoteType == "":
		return fail(0, "no vote_type in META")
	case numProjects != int64(len(in.Plans)):
		return fail(0, "num_projects is %d but %d projects listed", numProjects, len(in.Plans))
	case numVotes != int64(len(ballots)):
		return fail(0, "num_votes is %d but %d votes listed", numVotes, len(ballots))
	}
	if err := Validate(in, ballots); err != nil {
		return fail(0, "%v", err)
	}
	return meta, in, ballots, nil
}
