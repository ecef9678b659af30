package budget_test

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"testing"

	"inspraak/internal/budget"
	"inspraak/internal/budget/count"
)

// shownBelow lists the cells of a published table that show a count from
// 1 to k−1.
func shownBelow(rows [][]string, k int) []string {
	var out []string
	for _, row := range rows {
		for _, s := range row {
			if n, err := strconv.Atoi(s); err == nil && n > 0 && n < k {
				out = append(out, s)
			}
		}
	}
	return out
}

// The per-wijk and per-channel tables are protected for the threshold the
// results settings give (SetThreshold), not the default: six voters of
// Zuid show under the default 5 and are hidden under 8. A channel of one
// ballot (a letter code) shows no votes per plan at all: its voter's
// choice could be read from them.
func TestResultsUseTheConfiguredThreshold(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.budget(t, nil)
	cast := func(v budget.Voter, places ...int) {
		t.Helper()
		if _, err := f.budgets.Cast(ctx, b.InstrumentID, v, choose(b, places...)); err != nil {
			t.Fatal(err)
		}
	}
	for range 9 {
		cast(f.online(t, b, midden, "Noord"), 0, 1)
	}
	for range 6 {
		cast(f.online(t, b, midden, "Zuid"), 0, 2)
	}
	cast(f.elector(t, b, "Noord"), 1)

	r, err := f.budgets.Results(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	bw := r.Areas[0].ByWijk
	if r.Threshold != 5 || !reflect.DeepEqual(bw.Wijken, []string{"Noord", "Zuid"}) || bw.Votes[1][0] != "6" || bw.Ballots[1] != "6" {
		t.Fatalf("under the default threshold: k %d, %+v", r.Threshold, bw)
	}
	ch := r.Areas[0].ByChannel
	if !reflect.DeepEqual(ch.Channels, []budget.Channel{budget.ChannelOnline, budget.ChannelCode}) {
		t.Fatalf("channels: %v", ch.Channels)
	}
	for j := range b.Plans {
		if ch.Of(budget.ChannelCode, j) != "x" || ch.Of(budget.ChannelOnline, j) != "x" {
			t.Fatalf("one letter-code ballot, yet plan %d shows online %s, code %s", j, ch.Of(budget.ChannelOnline, j), ch.Of(budget.ChannelCode, j))
		}
	}

	f.budgets.SetThreshold(func(context.Context) (int, error) { return 8, nil })
	r, err = f.budgets.Results(ctx, b.InstrumentID)
	if err != nil {
		t.Fatal(err)
	}
	bw = r.Areas[0].ByWijk
	if r.Threshold != 8 {
		t.Fatalf("threshold %d, want the configured 8", r.Threshold)
	}
	if small := append(shownBelow(bw.Votes, 8), shownBelow([][]string{bw.Ballots}, 8)...); len(small) > 0 {
		t.Fatalf("under threshold 8 the per-wijk table shows %v: %+v", small, bw)
	}
	if bw.Votes[1][0] != "x" {
		t.Fatalf("Zuid's 6 votes shown under threshold 8: %+v", bw)
	}
}

// The pabulib file of an area parses back to the count's own instance and
// ballots, and says nothing of the order they were cast in: the same
// ballots cast in the opposite order give the same votes, voter by voter.
func TestPabulibParsesBackAndHidesTheOrder(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ballots := [][]int{{2}, {0, 1}, {0}, {1, 2}, {0, 2}, {0, 1}}
	var files [][]count.Ballot
	for _, reverse := range []bool{false, true} {
		b := f.budget(t, func(d *budget.Draft) { d.Settings.Rule = budget.RuleMES })
		for i := range ballots {
			if reverse {
				i = len(ballots) - 1 - i
			}
			if _, err := f.budgets.Cast(ctx, b.InstrumentID, f.online(t, b, midden, ""), choose(b, ballots[i]...)); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := f.budgets.ExportPabulib(ctx, editor, b.InstrumentID, b.Areas[0].ID, &buf); err == nil {
			t.Fatal("an editor without the results permission exported the ballots")
		}
		if err := f.budgets.ExportPabulib(ctx, system, b.InstrumentID, b.Areas[0].ID, &buf); err != nil {
			t.Fatal(err)
		}
		r, err := f.budgets.Results(ctx, b.InstrumentID)
		if err != nil {
			t.Fatal(err)
		}
		ar := r.Areas[0]
		meta, in, got, err := count.ParsePabulib(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(in, ar.Instance) || meta.Rule != "equalshares/add1" || len(got) != len(ar.CountInputs) {
			t.Fatalf("parsed %+v (%d ballots), counted %+v (%d)", in, len(got), ar.Instance, len(ar.CountInputs))
		}
		if o := count.EqualShares(in, got); !reflect.DeepEqual(o, *ar.Outcome) {
			t.Fatalf("the parsed file counts %+v, the service %+v", o, *ar.Outcome)
		}
		files = append(files, got)
	}
	if !reflect.DeepEqual(files[0], files[1]) {
		t.Fatalf("the order of casting shows in the file: %v, reversed %v", files[0], files[1])
	}
}
