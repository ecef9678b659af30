package count

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// normal gives ballots the shape ParsePabulib returns (non-nil Approved;
// Points non-nil exactly for points ballots), so that instances compare
// with reflect.DeepEqual.
func normal(ballots []Ballot, points bool) []Ballot {
	out := make([]Ballot, len(ballots))
	for i, b := range ballots {
		out[i].Approved = append([]int{}, b.Approved...)
		if points {
			out[i].Points = append([]int64{}, b.Points...)
		}
	}
	return out
}

func TestPabulibWrite(t *testing.T) {
	in := Instance{Budget: 100_000_050, Plans: []Plan{{"1", 60_000_000}, {"2", 1_234_56}, {"park;zuid", 500}}}
	ballots := approvals([]int{0, 2}, []int{}, []int{1})
	meta := Meta{Description: "Wijkbudget Noord", Country: "Netherlands", Unit: "Voorbeeldstad", Subunit: "Noord",
		Instance: "2027", Currency: "EUR", Rule: "equalshares/add1", MinLength: 1, MaxLength: 3,
		ProjectNames: []string{"Speeltuin", `Bankjes "oud"`, "Park"},
		Extra:        []MetaField{{"edition", "1"}}}
	var buf bytes.Buffer
	if err := WritePabulib(&buf, meta, in, ballots, VoteTypeApproval); err != nil {
		t.Fatal(err)
	}
	want := `META
key;value
description;Wijkbudget Noord
country;Netherlands
unit;Voorbeeldstad
subunit;Noord
instance;2027
num_projects;3
num_votes;3
budget;1000000.50
vote_type;approval
currency;EUR
rule;equalshares/add1
min_length;1
max_length;3
edition;1
PROJECTS
project_id;cost;name
1;600000;Speeltuin
2;1234.56;"Bankjes ""oud"""
"park;zuid";5;Park
VOTES
voter_id;vote
1;"1,park;zuid"
2;
3;2
`
	if buf.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", buf.String(), want)
	}
	m2, in2, b2, err := ParsePabulib(&buf)
	if err != nil {
		t.Fatal(err)
	}
	meta.VoteType = VoteTypeApproval
	if !reflect.DeepEqual(m2, meta) || !reflect.DeepEqual(in2, in) || !reflect.DeepEqual(b2, normal(ballots, false)) {
		t.Fatalf("read back\n%+v\n%+v\n%+v", m2, in2, b2)
	}
}

func TestPabulibRefuses(t *testing.T) {
	in := Instance{Budget: 1000, Plans: []Plan{{"A", 100}, {"B", 200}}}
	ok := approvals([]int{0})
	cases := []struct {
		name string
		meta Meta
		in   Instance
		b    []Ballot
		kind string
	}{
		{"comma in id", Meta{}, Instance{Budget: 1, Plans: []Plan{{"a,b", 1}}}, nil, VoteTypeApproval},
		{"section title as id", Meta{}, Instance{Budget: 1, Plans: []Plan{{"Votes", 1}}}, nil, VoteTypeApproval},
		{"id twice", Meta{}, Instance{Budget: 1, Plans: []Plan{{"A", 1}, {"A", 2}}}, nil, VoteTypeApproval},
		{"newline", Meta{Description: "a\nb"}, in, ok, VoteTypeApproval},
		{"points in approval", Meta{}, in, []Ballot{{Approved: []int{0}, Points: []int64{1}}}, VoteTypeApproval},
		{"approval in cumulative", Meta{}, in, ok, VoteTypeCumulative},
		{"vote type", Meta{}, in, ok, "ordinal"},
		{"reserved key", Meta{Extra: []MetaField{{"budget", "1"}}}, in, ok, VoteTypeApproval},
		{"names", Meta{ProjectNames: []string{"x"}}, in, ok, VoteTypeApproval},
	}
	for _, tc := range cases {
		if err := WritePabulib(&bytes.Buffer{}, tc.meta, tc.in, tc.b, tc.kind); err == nil {
			t.Errorf("%s: written", tc.name)
		}
	}
	bad := map[string]string{
		"fraction of a cent": "META\nkey;value\nnum_projects;1\nnum_votes;0\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;1.005\nVOTES\nvoter_id;vote\n",
		"unknown project":    "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote\n1;B\n",
		"num_votes":          "META\nkey;value\nnum_projects;1\nnum_votes;2\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote\n1;A\n",
		"twice on a ballot":  "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote\n1;A,A\n",
		"no VOTES":           "META\nkey;value\nnum_projects;1\nnum_votes;0\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost\nA;1\n",
		"ordinal":            "META\nkey;value\nnum_projects;0\nnum_votes;0\nbudget;10\nvote_type;ordinal\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n",
		"points missing":     "META\nkey;value\nnum_projects;1\nnum_votes;1\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\nA;1\nVOTES\nvoter_id;vote;points\n1;A;\n",
	}
	for name, s := range bad {
		if _, _, _, err := ParsePabulib(strings.NewReader(s)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}

// TestPabulibReadsTheirFormat reads a file as pabulib writes them: spaces
// after the separators, a byte order mark, extra columns, decimal costs,
// choose-1 votes.
func TestPabulibReadsTheirFormat(t *testing.T) {
	s := "\uFEFFMETA\nkey; value\ndescription; Municipal PB in Wieliczka\ncountry; Poland\nunit; Wieliczka\ninstance; 2020\n" +
		"num_projects; 2\nnum_votes; 3\nbudget; 2500\nrule; greedy\nvote_type; choose-1\ndate_begin; 16.09.2023\n" +
		"PROJECTS\nproject_id; cost; category; votes\n1; 600.5; culture, education; 2\n2; 800,25; sport; 1\n" +
		"VOTES\nvoter_id; age; sex; vote\n1; 34; f; 1\n2; 51; m; 2\n3; 23; m; 1\n"
	meta, in, ballots, err := ParsePabulib(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	if in.Budget != 250000 || in.Plans[0] != (Plan{"1", 60050}) || in.Plans[1] != (Plan{"2", 80025}) {
		t.Errorf("instance %+v", in)
	}
	if meta.VoteType != VoteTypeApproval || meta.Unit != "Wieliczka" || meta.DateBegin != "16.09.2023" || meta.Rule != "greedy" {
		t.Errorf("meta %+v", meta)
	}
	if !reflect.DeepEqual(ballots, approvals([]int{0}, []int{1}, []int{0})) {
		t.Errorf("ballots %+v", ballots)
	}
}

// TestPabulibRoundTrip: random instances, approval and points, written and
// read back give the same instance and ballots.
func TestPabulibRoundTrip(t *testing.T) {
	for seed := range uint64(500) {
		r := rand.New(rand.NewPCG(seed, 5))
		points := seed%2 == 1
		in, ballots := randomInstance(r, 8, 20, points)
		for i := range in.Plans {
			in.Plans[i].Cost += r.Int64N(100) // cents that are not whole euros
		}
		kind := VoteTypeApproval
		if points {
			kind = VoteTypeCumulative
		}
		meta := Meta{Description: "Buurtbudget ' ; \" test", Country: "Netherlands", Unit: "Gemeente", Instance: "2027",
			Currency: "EUR", MinLength: 1, MaxSumPoints: 10}
		var buf bytes.Buffer
		if err := WritePabulib(&buf, meta, in, ballots, kind); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		m2, in2, b2, err := ParsePabulib(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", seed, err, buf.String())
		}
		meta.VoteType = kind
		if !reflect.DeepEqual(m2, meta) || !reflect.DeepEqual(in2, in) || !reflect.DeepEqual(b2, normal(ballots, points)) {
			t.Fatalf("seed %d: read back differs\n%s", seed, buf.String())
		}
		// The counts agree on the file's instance.
		if !reflect.DeepEqual(EqualShares(in, ballots), EqualShares(in2, b2)) {
			t.Fatalf("seed %d: equal shares differs after the round trip", seed)
		}
	}
}

// FuzzParsePabulib: parsing never panics, and what parses writes back and
// parses again to the same meta, instance and ballots.
func FuzzParsePabulib(f *testing.F) {
	f.Add("META\nkey;value\ndescription;x\ncountry;NL\nunit;U\ninstance;1\nnum_projects;2\nnum_votes;2\nbudget;10.5\nvote_type;cumulative\nmax_sum_points;5\nPROJECTS\nproject_id;cost;name\nA;1;a\nB;2.25;\"b;c\"\nVOTES\nvoter_id;vote;points\n1;A,B;2,3\n2;;\n")
	f.Add("META\nkey; value\nnum_projects; 1\nnum_votes; 1\nbudget; 2500\nvote_type; approval\nPROJECTS\nproject_id; cost\n1; 600\nVOTES\nvoter_id; vote\n1; 1\n")
	f.Add("\uFEFFmeta\nkey;value\nnum_projects;0\nnum_votes;0\nbudget;0\nvote_type;choose-1\nx;\"y\"\"z\"\nprojects\nproject_id;cost\nvotes\nvote\n")
	f.Fuzz(func(t *testing.T, s string) {
		meta, in, ballots, err := ParsePabulib(strings.NewReader(s))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WritePabulib(&buf, meta, in, ballots, meta.VoteType); err != nil {
			t.Fatalf("parsed but cannot write: %v", err)
		}
		m2, in2, b2, err := ParsePabulib(&buf)
		if err != nil {
			t.Fatalf("written but cannot parse: %v\n%s", err, buf.String())
		}
		if !reflect.DeepEqual(m2, meta) || !reflect.DeepEqual(in2, in) || !reflect.DeepEqual(b2, ballots) {
			t.Fatalf("differs after writing:\n%+v\n%+v\n%+v\n%+v", meta, m2, in, in2)
		}
	})
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// A writer that fails makes WritePabulib fail, also when the file is
// larger than its buffer.
func TestPabulibWriteError(t *testing.T) {
	in := Instance{Budget: 1000, Plans: []Plan{{"A", 100}}}
	ballots := make([]Ballot, 20_000)
	for i := range ballots {
		ballots[i] = Ballot{Approved: []int{0}}
	}
	for _, b := range [][]Ballot{ballots[:1], ballots} {
		if err := WritePabulib(failingWriter{}, Meta{}, in, b, VoteTypeApproval); err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Errorf("%d ballots: %v; want the writer's error", len(b), err)
		}
	}
}
