package budget

import (
	"context"
	"errors"
	"slices"
	"strconv"

	"inspraak/internal/results/suppress"
)

// Results is everything the results page, the analyst's screen and the
// exports show of a budget. Only counted ballots count: paper ballots of
// batches not yet checked are reported apart (Uncounted).
type Results struct {
	Budget *Budget
	Areas  []AreaResult
	// Ballots is the number of counted ballots per channel.
	Ballots map[Channel]int64
	// Total is the number of counted ballots.
	Total int64
	// Uncounted is the number of paper ballots in batches not yet
	// checked.
	Uncounted int64
	// Invalid is the number of paper ballots that could not be counted,
	// in checked batches.
	Invalid int64
	// Threshold is the small-count threshold the per-wijk breakdown was
	// protected for.
	Threshold int
}

// AreaResult is one area's count.
type AreaResult struct {
	Area  Area
	Plans []Plan
	// Ballots is the number of counted ballots in this area.
	Ballots int64
	// Votes is per plan and channel: the ballots choosing it and the
	// points they gave (the kept tally).
	Votes Counts
	// Instance and Ballots are the count's input (the pabulib export
	// writes them); plan i of Instance is Plans[i].
	Instance    CountInstance
	CountInputs []CountBallot
	// Outcome is the count by the budget's rule, Other by the other rule
	// for comparison; nil without a Counter.
	Outcome *Outcome
	Other   *Outcome
	// ByWijk breaks the area's votes down by the voter's wijk (only for a
	// budget that is not divided per wijk), protected against small
	// counts.
	ByWijk *WijkBreakdown
	// ByChannel is the votes per channel and plan, protected against
	// small counts; nil without counted ballots.
	ByChannel *ChannelBreakdown
}

// ChannelBreakdown is a table of votes (ballots choosing a plan) per
// channel (rows: the channels with counted ballots in the area, in
// Channels order) and plan (columns, in the area's plan order), where
// counts that could single out a few voters show suppress.Mark.
type ChannelBreakdown struct {
	Channels []Channel
	Votes    [][]string
}

// Of is what the table shows for a channel and plan j: a count, Mark, or
// "0" for a channel without ballots in the area.
func (cb *ChannelBreakdown) Of(ch Channel, j int) string {
	if cb != nil {
		for i, c := range cb.Channels {
			if c == ch {
				return cb.Votes[i][j]
			}
		}
	}
	return "0"
}

// WijkBreakdown is a table of votes per wijk (rows) and plan (columns, in
// the area's plan order), with the ballots per wijk, where counts that
// could single out a few voters show suppress.Mark.
type WijkBreakdown struct {
	Wijken []string // "" is the wijk of voters whose wijk is unknown
	// Votes[i][j] is what wijk i's row shows for plan j: a count, or
	// suppress.Mark.
	Votes [][]string
	// Ballots[i] is what wijk i shows as its number of ballots.
	Ballots []string
}

// Results counts a budget. The kept tallies give the votes per plan and
// channel; the count's input is read from the ballot lines (one query per
// area, in ballot order), so the outcome is computed from the ballots
// themselves.
func (s *Service) Results(ctx context.Context, instrumentID int64) (*Results, error) {
	b, err := s.Get(ctx, instrumentID)
	if err != nil {
		return nil, err
	}
	db := s.db.WithContext(ctx)
	r := &Results{Budget: b, Ballots: map[Channel]int64{}, Threshold: suppress.DefaultK}
	if s.threshold != nil {
		if r.Threshold, err = s.threshold(ctx); err != nil {
			return nil, err
		}
	}
	type chanCount struct {
		Channel Channel
		Counted bool
		N       int64
	}
	var cc []chanCount
	if err := db.Model(&Ballot{}).Select("channel, counted, COUNT(*) AS n").Where("instrument_id = ?", instrumentID).
		Group("channel, counted").Scan(&cc).Error; err != nil {
		return nil, err
	}
	for _, c := range cc {
		if c.Counted {
			r.Ballots[c.Channel] += c.N
			r.Total += c.N
		} else {
			r.Uncounted += c.N
		}
	}
	var invalid []int64
	if err := db.Model(&Batch{}).Where("instrument_id = ? AND status = ?", instrumentID, BatchChecked).
		Pluck("COALESCE(SUM(invalid_count), 0)", &invalid).Error; err != nil {
		return nil, err
	}
	if len(invalid) == 1 {
		r.Invalid = invalid[0]
	}
	tallies, err := s.Tallies(ctx, instrumentID)
	if err != nil {
		return nil, err
	}
	for _, area := range b.Areas {
		ar, err := s.areaResult(ctx, b, area, tallies, r.Threshold)
		if err != nil {
			return nil, err
		}
		r.Areas = append(r.Areas, *ar)
	}
	return r, nil
}

// line is a ballot line with what the count and the breakdown need.
type line struct {
	BallotID int64
	PlanID   int64
	Points   int64
	Wijk     string
	Channel  Channel
}

func (s *Service) areaResult(ctx context.Context, b *Budget, area Area, tallies Counts, k int) (*AreaResult, error) {
	ar := &AreaResult{Area: area, Plans: b.PlansIn(area.ID), Votes: Counts{}}
	index := map[int64]int{}
	ar.Instance.Budget = area.Amount
	for i, p := range ar.Plans {
		index[p.ID] = i
		ar.Instance.Plans = append(ar.Instance.Plans, CountPlan{ID: strconv.FormatInt(p.ID, 10), Cost: p.Cost})
		if t := tallies[p.ID]; t != nil {
			ar.Votes[p.ID] = t
		}
	}
	var lines []line
	err := s.db.WithContext(ctx).Table("budget_ballot_plans AS l").
		Select("l.ballot_id, l.plan_id, l.points, b.wijk, b.channel").
		Joins("JOIN budget_ballots b ON b.id = l.ballot_id").
		Where("b.instrument_id = ? AND b.area_id = ? AND b.counted", b.InstrumentID, area.ID).
		Order("l.ballot_id, l.plan_id").Scan(&lines).Error
	if err != nil {
		return nil, err
	}
	points := b.Method == MethodPoints
	wijkBallots := map[string]int64{}
	wijkVotes := map[string][]int64{}
	chanBallots := map[Channel]int64{}
	var last int64
	for _, l := range lines {
		j, ok := index[l.PlanID]
		if !ok {
			continue // cannot happen: Check keeps lines in their area
		}
		if l.BallotID != last {
			last = l.BallotID
			ar.CountInputs = append(ar.CountInputs, CountBallot{})
			ar.Ballots++
			wijkBallots[l.Wijk]++
			chanBallots[l.Channel]++
			if wijkVotes[l.Wijk] == nil {
				wijkVotes[l.Wijk] = make([]int64, len(ar.Plans))
			}
		}
		cb := &ar.CountInputs[len(ar.CountInputs)-1]
		cb.Approved = append(cb.Approved, j)
		if points {
			cb.Points = append(cb.Points, l.Points)
		}
		wijkVotes[l.Wijk][j]++
	}
	if len(ar.Plans) > 0 {
		rule, other := b.Rule, RuleMES
		if rule == RuleMES {
			other = RuleGreedy
		}
		o := s.counter.Count(rule, ar.Instance, ar.CountInputs)
		x := s.counter.Count(other, ar.Instance, ar.CountInputs)
		ar.Outcome, ar.Other = &o, &x
	}
	if len(chanBallots) > 0 && len(ar.Plans) > 0 {
		if ar.ByChannel, err = channelBreakdown(chanBallots, ar.Votes, ar.Plans, k); err != nil {
			return nil, err
		}
	}
	if !b.PerWijk && len(wijkBallots) > 0 {
		bd, err := breakdown(wijkBallots, wijkVotes, len(ar.Plans), k)
		if err != nil {
			return nil, err
		}
		ar.ByWijk = bd
	}
	return ar, nil
}

// breakdown protects the per-wijk table with package suppress: the votes
// per plan (columns) are published in full elsewhere on the page, so the
// column totals are known; ballots per wijk are a second table whose
// total (all ballots) is known. A table that cannot be protected (one
// wijk: its row is the known totals) shows only marks.
func breakdown(ballots map[string]int64, votes map[string][]int64, plans, k int) (*WijkBreakdown, error) {
	bd := &WijkBreakdown{}
	for w := range ballots {
		bd.Wijken = append(bd.Wijken, w)
	}
	slices.Sort(bd.Wijken)
	R := len(bd.Wijken)
	known := func(C int) [][]bool {
		m := make([][]bool, R+1)
		for i := range m {
			m[i] = make([]bool, C+1)
		}
		for j := range C + 1 {
			m[R][j] = true // the column totals and the grand total
		}
		return m
	}
	if plans > 0 {
		t := suppress.Table{Counts: make([][]int64, R), Cols: plans, Known: known(plans)}
		for i, w := range bd.Wijken {
			t.Counts[i] = votes[w]
		}
		res, err := suppress.Apply(t, k)
		withheld := errors.Is(err, suppress.ErrCannotProtect)
		if err != nil && !withheld {
			return nil, err
		}
		bd.Votes = make([][]string, R)
		for i := range R {
			bd.Votes[i] = make([]string, plans)
			for j := range plans {
				bd.Votes[i][j] = suppress.Mark
				if !withheld {
					bd.Votes[i][j] = res.Show(i, j)
				}
			}
		}
	}
	t := suppress.Table{Counts: make([][]int64, R), Cols: 1, Known: known(1)}
	for i, w := range bd.Wijken {
		t.Counts[i] = []int64{ballots[w]}
	}
	res, err := suppress.Apply(t, k)
	withheld := errors.Is(err, suppress.ErrCannotProtect)
	if err != nil && !withheld {
		return nil, err
	}
	for i := range R {
		show := suppress.Mark
		if !withheld {
			show = res.Show(i, 0)
		}
		bd.Ballots = append(bd.Ballots, show)
	}
	return bd, nil
}

// channelBreakdown protects the votes per channel and plan. What a reader
// knows beside the table: the votes per plan (the column totals, on every
// results page) and the ballots per channel, which bound every cell of
// their row (a channel of 3 ballots cannot give a plan more than 3 votes).
// Counts from 1 to k−1 are hidden, and more until every hidden count can
// lie anywhere in a range at least k wide; a table that cannot be
// protected so (a channel with fewer than k ballots whose voters chose
// something pins its cells) shows only marks. One channel alone is the
// totals, shown as they are.
func channelBreakdown(ballots map[Channel]int64, votes Counts, plans []Plan, k int) (*ChannelBreakdown, error) {
	cb := &ChannelBreakdown{}
	for _, ch := range Channels {
		if ballots[ch] > 0 {
			cb.Channels = append(cb.Channels, ch)
		}
	}
	R, C := len(cb.Channels), len(plans)
	counts := make([][]int64, R)
	for i, ch := range cb.Channels {
		counts[i] = make([]int64, C)
		for j, pl := range plans {
			counts[i][j] = votes[pl.ID][ch].Votes
		}
	}
	cb.Votes = make([][]string, R)
	if R == 1 {
		for j := range C {
			cb.Votes[0] = append(cb.Votes[0], strconv.FormatInt(counts[0][j], 10))
		}
		return cb, nil
	}
	known := make([][]bool, R+1)
	for i := range known {
		known[i] = make([]bool, C+1)
	}
	for j := range C + 1 {
		known[R][j] = true
	}
	var p suppress.Problem
	tv, err := p.AddTable(suppress.Table{Counts: counts, Cols: C, Known: known}, 0)
	if err != nil {
		return nil, err
	}
	for i, ch := range cb.Channels {
		// The bound holds by construction; max guards a tally read a
		// moment before the lines while a paper batch was uncounted.
		n := p.Add(suppress.Var{Value: max(ballots[ch], slices.Max(counts[i])), Known: true})
		for j := range C {
			p.AtMost(tv.Cell[i][j], n)
		}
	}
	sol, err := suppress.Protect(&p, k)
	if err != nil {
		return nil, err
	}
	res := sol.Table(tv)
	for i := range R {
		cb.Votes[i] = make([]string, C)
		for j := range C {
			cb.Votes[i][j] = suppress.Mark
			if !sol.Withheld[0] {
				cb.Votes[i][j] = res.Show(i, j)
			}
		}
	}
	return cb, nil
}

// Listed is a budget in the analysts' list of results.
type Listed struct {
	InstrumentID int64
	Title        string
	ProjectTitle string
	// Ballots is the number of counted ballots.
	Ballots int64
}

// List lists every budget with its counted ballots, newest project first,
// as the results list shows consultations.
func (s *Service) List(ctx context.Context) ([]Listed, error) {
	var out []Listed
	err := s.db.WithContext(ctx).Raw(`SELECT i.id AS instrument_id, i.title, p.title AS project_title,
  (SELECT count(*) FROM budget_ballots b WHERE b.instrument_id = i.id AND b.counted) AS ballots
FROM instruments i JOIN projects p ON p.id = i.project_id
WHERE i.kind = 'budget' ORDER BY p.created_at DESC, i.position, i.id`).Scan(&out).Error
	return out, err
}
