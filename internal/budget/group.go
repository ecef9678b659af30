package budget

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// First online ballots on PostgreSQL are written in groups (store.Groups,
// as first poll ballots are): a cast hands its ballot, already judged by
// every rule against the cached definition, to one of a few writers, which
// store everything that arrived while they were busy in one statement and
// one commit. Each ballot in a group is judged on its own:
//   - the writer runs Check on it again (no channel stores a ballot the
//     rules refuse, as StoreBallot promises);
//   - it is stored only if its instrument is still published with the
//     updated_at its rules and definition were read at, and its project
//     still published;
//   - the voter register's primary key decides who is first, across every
//     channel: a voter already registered (they voted by letter code or at
//     a stand in between, or online in another tab, or want to change
//     their ballot) gets no ballot from the group.
//
// A ballot the group did not store — for any of those reasons, or because
// the whole group failed (a deadlock, a plan removed meanwhile) — takes
// Cast's full transaction, which reads everything again and words the
// refusal, or changes the ballot when changes are allowed.

// groupWriters is how many groups can be in flight at once. Each writer
// adds to its own tally shard, so two groups never wait for each other's
// tally rows.
const groupWriters = 2

// maxGroup bounds one group.
const maxGroup = 128

// castReq is one first online ballot handed to a group writer.
type castReq struct {
	budget      *Budget   // the cached definition it was judged by (shared, read-only)
	expected    time.Time // the instrument's updated_at that definition belongs to
	area        *Area
	wijk        string
	voter       string // register token
	participant int64
	lines       []Line // normalised
	at          time.Time
}

func newGroups(s *Service) *store.Groups[*castReq, int64] {
	return store.NewGroups(groupWriters, maxGroup, func(shard int, group []*castReq) ([]int64, error) {
		return storeGroup(s.db, group, shard)
	})
}

// CastAt is Cast for a caller that has just loaded the published
// instrument with its project's status (the cast endpoint, through
// instrument.GetPublishedBySlugs). A first online ballot on PostgreSQL
// that every rule allows goes through a group writer; everything else
// (SQLite, another channel, a refusal, a voter already on the register,
// a budget that changed meanwhile, a group that failed) takes Cast's full
// transaction.
func (s *Service) CastAt(ctx context.Context, in *instrument.Instrument, ps project.Status, v Voter, c Choice) (*Receipt, error) {
	if r, ok := s.castGrouped(ctx, in, ps, v, c); ok {
		return r, nil
	}
	return s.castFull(ctx, in.ID, v, c)
}

// castGrouped tries the group writer; ok false means: take the full
// transaction.
func (s *Service) castGrouped(ctx context.Context, in *instrument.Instrument, ps project.Status, v Voter, c Choice) (*Receipt, bool) {
	if s.groups == nil || s.db == nil || s.db.Dialect != store.Postgres || v.Channel != ChannelOnline ||
		v.ParticipantID < 1 || v.Token == "" || !in.Published || in.Kind != instrument.KindBudget {
		return nil, false
	}
	now := s.now()
	if !instrument.Eligible(in, ps, v.Person, now).OK {
		return nil, false
	}
	b, err := s.Definition(ctx, in)
	if err != nil {
		return nil, false
	}
	area, wijk, err := areaFor(b, v.Wijk, c.AreaID)
	if err != nil {
		return nil, false
	}
	lines := Normalize(b.Method, c.Lines)
	if Check(b, area, lines) != nil {
		return nil, false
	}
	id, err := s.groups.Submit(ctx, &castReq{budget: b, expected: in.UpdatedAt, area: area, wijk: wijk, voter: v.Token,
		participant: v.ParticipantID, lines: lines, at: now})
	if err != nil || id == 0 {
		return nil, false
	}
	return receipt(b, id, area.ID, ChannelOnline, lines, false, now), true
}

// storeGroup writes one group and returns the ballot id each request got
// (0: not stored by the group; its request takes the full transaction).
func storeGroup(db *store.DB, group []*castReq, shard int) ([]int64, error) {
	if db == nil {
		return nil, errors.New("budget: no database")
	}
	// A voter twice in one group (a double click, two tabs) is written
	// once; the other request goes the full way and finds the ballot. A
	// ballot the rules refuse is not written at all.
	type key struct {
		in    int64
		voter string
	}
	type pkey struct{ in, participant int64 }
	taken := make(map[key]bool, len(group))
	takenP := make(map[pkey]bool, len(group))
	pick := make([]bool, len(group))
	var ins, exp, voters, parts, areas, wijks, plans, points, ats []string
	for i, r := range group {
		k, pk := key{r.budget.InstrumentID, r.voter}, pkey{r.budget.InstrumentID, r.participant}
		if taken[k] || takenP[pk] || r.area == nil || r.area.InstrumentID != r.budget.InstrumentID ||
			Check(r.budget, r.area, r.lines) != nil {
			continue
		}
		taken[k], takenP[pk], pick[i] = true, true, true
		ins = append(ins, strconv.FormatInt(r.budget.InstrumentID, 10))
		exp = append(exp, r.expected.UTC().Format(time.RFC3339Nano))
		voters = append(voters, r.voter)
		parts = append(parts, strconv.FormatInt(r.participant, 10))
		areas = append(areas, strconv.FormatInt(r.area.ID, 10))
		wijks = append(wijks, r.wijk)
		ps, pts := make([]string, len(r.lines)), make([]string, len(r.lines))
		for j, l := range r.lines {
			ps[j], pts[j] = strconv.FormatInt(l.PlanID, 10), strconv.Itoa(l.Points)
		}
		plans = append(plans, strings.Join(ps, ","))
		points = append(points, strings.Join(pts, ","))
		ats = append(ats, r.at.UTC().Format(time.RFC3339Nano))
	}
	out := make([]int64, len(group))
	if len(ins) == 0 {
		return out, nil
	}
	var rows []struct {
		ID            int64
		InstrumentID  int64
		ParticipantID int64
	}
	// No request context: the group is shared, and a ballot that was
	// handed over is stored even if the one who cast it has gone.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := db.WithContext(ctx).Raw(groupCastSQL, store.PGArray(ins), store.PGArray(exp), store.PGArray(voters),
		store.PGArray(parts), store.PGArray(areas), store.PGArray(wijks), store.PGArray(plans), store.PGArray(points),
		store.PGArray(ats), shard).Scan(&rows).Error
	cancel()
	if err != nil {
		return nil, err
	}
	ids := make(map[pkey]int64, len(rows))
	for _, row := range rows {
		ids[pkey{row.InstrumentID, row.ParticipantID}] = row.ID
	}
	for i, r := range group {
		if pick[i] {
			out[i] = ids[pkey{r.budget.InstrumentID, r.participant}]
		}
	}
	return out, nil
}

// groupCastSQL stores a group of first online ballots with their register
// rows, lines and tallies in one statement. The register's primary key
// keeps one ballot per person on every channel: a voter already
// registered gets no ballot here. A ballot is stored only if its
// instrument is still published with the updated_at it was judged at (so
// its definition — areas, plans, limits — is the one Check used: every
// edit moves updated_at) and its project is still published; FOR KEY
// SHARE waits for an edit in progress (which holds FOR UPDATE) and then
// sees its new updated_at. The lines' tallies go to the writer's own
// shard, in plan order, added per plan.
const groupCastSQL = `WITH req AS (
  SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[]), CAST(? AS text[]), CAST(? AS bigint[]),
    CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz[]))
    AS r(instrument_id, expected, voter, participant_id, area_id, wijk, plans, points, at)
), unchanged AS (
  SELECT i.id, i.updated_at FROM instruments i JOIN projects p ON p.id = i.project_id
  WHERE i.id IN (SELECT instrument_id FROM req) AND i.published AND i.kind = 'budget' AND p.status = 'published'
  FOR KEY SHARE OF i
), reg AS (
  INSERT INTO participations (kind, ref_id, voter, instrument_id)
  SELECT 'ballot', r.instrument_id, r.voter, r.instrument_id
  FROM req r JOIN unchanged u ON u.id = r.instrument_id AND u.updated_at = r.expected
  ON CONFLICT (kind, ref_id, voter) DO NOTHING
  RETURNING ref_id, voter
), b AS (
  INSERT INTO budget_ballots (instrument_id, area_id, channel, participant_id, wijk, counted, created_at, updated_at)
  SELECT r.instrument_id, r.area_id, 'online', r.participant_id, r.wijk, TRUE, r.at, r.at
  FROM reg JOIN req r ON r.instrument_id = reg.ref_id AND r.voter = reg.voter
  RETURNING id, instrument_id, participant_id
), lines AS (
  SELECT b.id AS ballot_id, l.plan_id, l.points
  FROM b JOIN req r ON r.instrument_id = b.instrument_id AND r.participant_id = b.participant_id
  CROSS JOIN LATERAL unnest(CAST(string_to_array(r.plans, ',') AS bigint[]), CAST(string_to_array(r.points, ',') AS integer[]))
    AS l(plan_id, points)
), l AS (
  INSERT INTO budget_ballot_plans (ballot_id, plan_id, points) SELECT ballot_id, plan_id, points FROM lines
), t AS (
  INSERT INTO budget_tallies (plan_id, channel, shard, votes, points)
  SELECT plan_id, 'online', ?, count(*), sum(points) FROM lines GROUP BY plan_id ORDER BY plan_id
  ON CONFLICT (plan_id, channel, shard) DO UPDATE
    SET votes = budget_tallies.votes + EXCLUDED.votes, points = budget_tallies.points + EXCLUDED.points
)
SELECT id, instrument_id, participant_id FROM b`
