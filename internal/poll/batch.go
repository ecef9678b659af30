package poll

import (
	"context"
	"strconv"
	"strings"
	"time"

	"inspraak/internal/instrument"
	"inspraak/internal/store"
)

// First ballots on PostgreSQL are written in groups (store.Groups): a vote
// request hands its ballot to one of a few writers, which store everything
// that arrived while they were busy in one statement and one commit. Each
// ballot in a group is judged on its own: a ballot whose poll changed since
// it was checked, or whose voter already has a ballot, gets no id back and
// its request takes the full transaction (Vote), as before. A group that
// fails as a whole (a deadlock, an option removed meanwhile) sends all its
// ballots that way.

// batchWriters is how many groups can be in flight at once. Each writer
// adds to its own tally shard, so two groups never wait for each other's
// tally rows.
const batchWriters = 2

// maxBatch bounds one group.
const maxBatch = 128

// firstBallot stores v's first ballot through a group writer and returns
// its id, or 0 when the group did not store it.
func (s *Service) firstBallot(ctx context.Context, in *instrument.Instrument, v Voter, chosen []int64, now time.Time) (int64, error) {
	return s.batch.Submit(ctx, &firstReq{instrumentID: in.ID, expected: in.UpdatedAt,
		voter: s.voterID(in.ID, v.Subject), participant: v.ParticipantID, choices: chosen, at: now})
}

type firstReq struct {
	instrumentID int64
	expected     time.Time // the instrument's updated_at the ballot was checked against
	voter        string
	participant  int64
	choices      []int64
	at           time.Time
}

// newBatch makes the group writers of first ballots.
func newBatch(db *store.DB) *store.Groups[*firstReq, int64] {
	return store.NewGroups(batchWriters, maxBatch, func(shard int, group []*firstReq) ([]int64, error) {
		return storeBallots(db, group, shard)
	})
}

// storeBallots writes one group and returns the id each ballot got (0: not
// stored by the group).
func storeBallots(db *store.DB, group []*firstReq, shard int) ([]int64, error) {
	// A voter twice in one group (a double click) is written once; the
	// other request goes the full way and finds the ballot.
	type key struct {
		in    int64
		voter string
	}
	first := make(map[key]int, len(group)) // where each voter first appears
	var unique []*firstReq
	for i, r := range group {
		k := key{r.instrumentID, r.voter}
		if _, ok := first[k]; !ok {
			first[k] = i
			unique = append(unique, r)
		}
	}
	ins, exp, voters, parts, choices, ats := make([]string, len(unique)), make([]string, len(unique)),
		make([]string, len(unique)), make([]string, len(unique)), make([]string, len(unique)), make([]string, len(unique))
	for i, r := range unique {
		ins[i] = strconv.FormatInt(r.instrumentID, 10)
		exp[i] = r.expected.UTC().Format(time.RFC3339Nano)
		voters[i] = r.voter
		parts[i] = strconv.FormatInt(r.participant, 10)
		cs := make([]string, len(r.choices))
		for j, c := range r.choices {
			cs[j] = strconv.FormatInt(c, 10)
		}
		choices[i] = strings.Join(cs, ",")
		ats[i] = r.at.UTC().Format(time.RFC3339Nano)
	}
	var rows []struct {
		ID            int64
		InstrumentID  int64
		ParticipantID int64
	}
	// No request context: the group is shared, and a ballot that was
	// handed over is stored even if the one who cast it has gone.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := db.WithContext(ctx).Raw(groupBallotSQL, store.PGArray(ins), store.PGArray(exp), store.PGArray(voters),
		store.PGArray(parts), store.PGArray(choices), store.PGArray(ats), shard).Scan(&rows).Error
	cancel()
	if err != nil {
		return nil, err
	}
	type stored struct{ in, participant int64 }
	ids := make(map[stored]int64, len(rows))
	for _, row := range rows {
		ids[stored{row.InstrumentID, row.ParticipantID}] = row.ID
	}
	out := make([]int64, len(group))
	for i, r := range group {
		if first[key{r.instrumentID, r.voter}] == i {
			out[i] = ids[stored{r.instrumentID, r.participant}]
		}
	}
	return out, nil
}

// groupBallotSQL stores a group of first ballots with their register rows,
// choices and tallies in one statement. The register's primary key is
// what keeps one ballot per person: a voter already registered (a second
// ballot, or someone who voted and erased their data) gets no ballot here
// and takes the full transaction. A ballot is stored only if its instrument is
// still published with the updated_at it was checked against, and its
// project is still published (instrument.StateIn: a closed project closes
// its polls); FOR KEY SHARE waits for an edit in progress (which holds FOR
// UPDATE) and then sees its new updated_at. The tally of a group goes to
// the writer's own shard, added per option.
const groupBallotSQL = `WITH req AS (
  SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[]), CAST(? AS text[]),
    CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS timestamptz[]))
    AS r(instrument_id, expected, voter, participant_id, choices, at)
), unchanged AS (
  SELECT i.id, i.updated_at FROM instruments i JOIN projects p ON p.id = i.project_id
  WHERE i.id IN (SELECT instrument_id FROM req) AND i.published AND p.status = 'published'
  FOR KEY SHARE OF i
), reg AS (
  INSERT INTO participations (kind, ref_id, voter, instrument_id)
  SELECT 'ballot', r.instrument_id, r.voter, r.instrument_id
  FROM req r JOIN unchanged u ON u.id = r.instrument_id AND u.updated_at = r.expected
  ON CONFLICT (kind, ref_id, voter) DO NOTHING
  RETURNING ref_id, voter
), b AS (
  INSERT INTO ballots (instrument_id, participant_id, created_at, updated_at)
  SELECT r.instrument_id, r.participant_id, r.at, r.at
  FROM reg JOIN req r ON r.instrument_id = reg.ref_id AND r.voter = reg.voter
  RETURNING id, instrument_id, participant_id
), chosen AS (
  SELECT b.id AS ballot_id, CAST(unnest(string_to_array(r.choices, ',')) AS bigint) AS option_id
  FROM b JOIN req r ON r.instrument_id = b.instrument_id AND r.participant_id = b.participant_id
), c AS (
  INSERT INTO ballot_choices (ballot_id, option_id) SELECT ballot_id, option_id FROM chosen
), t AS (
  INSERT INTO poll_tallies (option_id, shard, votes)
  SELECT option_id, ?, count(*) FROM chosen GROUP BY option_id ORDER BY option_id
  ON CONFLICT (option_id, shard) DO UPDATE SET votes = poll_tallies.votes + EXCLUDED.votes
)
SELECT id, instrument_id, participant_id FROM b`
