package idea

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// supportableSQL is Status.Supportable for the group statement.
const supportableSQL = `d.status NOT IN ('rejected', 'done', 'withdrawn')`

// First supports on PostgreSQL are written in groups, as first ballots are
// (poll/batch.go): a support request hands its support to one of a few
// writers, which store everything that arrived while they were busy in one
// statement and one commit. Each support in a group is judged on its own
// by the statement; one that comes back not stored (a second support, a
// refusal, a board or idea that changed meanwhile, a failed group) takes
// the full transaction (support), which decides and words any refusal.

// supportWriters is how many groups can be in flight at once.
const supportWriters = 2

// maxSupportBatch bounds one group.
const maxSupportBatch = 128

// maxCachedBoards bounds the board cache; past it, it starts over.
const maxCachedBoards = 1024

// cachedBoard is a board's support settings as they were when its
// instrument had updated_at at: every change of a board moves that
// timestamp (UpdateBoard touches the instrument), so a stale entry is
// never used.
type cachedBoard struct {
	at    time.Time
	board Board
}

// supportBoards caches boards for SupportAt.
type supportBoards struct {
	mu sync.Mutex
	m  map[int64]cachedBoard
}

// boardAt returns the board of in as it is at in.UpdatedAt, from the cache
// or the database.
func (s *Service) boardAt(ctx context.Context, in *instrument.Instrument) (*Board, error) {
	s.boards.mu.Lock()
	c, ok := s.boards.m[in.ID]
	s.boards.mu.Unlock()
	if !ok || !c.at.Equal(in.UpdatedAt) {
		var b Board
		if err := s.db.WithContext(ctx).Where("instrument_id = ?", in.ID).Take(&b).Error; err != nil {
			return nil, store.MapError(err)
		}
		c = cachedBoard{at: in.UpdatedAt, board: b}
		s.boards.mu.Lock()
		if s.boards.m == nil || len(s.boards.m) >= maxCachedBoards {
			s.boards.m = map[int64]cachedBoard{}
		}
		s.boards.m[in.ID] = c
		s.boards.mu.Unlock()
	}
	b := c.board
	b.Themes, b.Instrument = nil, in
	return &b, nil
}

// SupportAt is Support for a caller that has just loaded the published
// board instrument with its project's status (the support endpoint,
// through instrument.GetPublishedBySlugs). On PostgreSQL a first support
// that passes the board's support rules (checked here against the board
// as it was at the instrument's updated_at) is stored by one statement
// with the other first supports that arrived at the same moment; that
// statement checks again that the board and its project are still
// published and unchanged and that the idea is on this board, public,
// supportable and not the supporter's own, and writes the register row,
// the support row and the count together. Everything else (SQLite, a
// refusal, a second support, anything that changed meanwhile) takes the
// full transaction, which decides and words any refusal. An idea that is
// not on this board is not found.
func (s *Service) SupportAt(ctx context.Context, in *instrument.Instrument, ps project.Status, ideaID int64, a Actor) error {
	if in.Kind != instrument.KindIdeaBoard {
		return apperror.New(apperror.NotFound, "")
	}
	now := s.now()
	if s.db.Dialect == store.Postgres && in.Published && a.ParticipantID != 0 && a.Subject != "" {
		b, err := s.boardAt(ctx, in)
		if err != nil {
			return err
		}
		rules := b.SupportRules()
		if instrument.Eligible(&rules, ps, a.Person, now).OK {
			stored, err := s.supportBatch.Submit(ctx, &supportReq{instrumentID: in.ID, expected: in.UpdatedAt, ideaID: ideaID,
				voter: s.supporterID(in.ID, a.Subject), participant: a.ParticipantID, at: now})
			if err != nil && !store.Collided(err) {
				return err
			}
			if stored {
				return nil
			}
		}
	}
	return s.support(ctx, ideaID, in.ID, a)
}

type supportReq struct {
	instrumentID int64
	expected     time.Time // the instrument's updated_at the rules were checked against
	ideaID       int64
	voter        string
	participant  int64
	at           time.Time
}

// newSupportBatch makes the group writers of first supports; grouped
// counts what they stored.
func newSupportBatch(db *store.DB, grouped *atomic.Int64) *store.Groups[*supportReq, bool] {
	return store.NewGroups(supportWriters, maxSupportBatch, func(_ int, group []*supportReq) ([]bool, error) {
		stored, err := storeSupports(db, group)
		for _, ok := range stored {
			if ok {
				grouped.Add(1)
			}
		}
		return stored, err
	})
}

// storeSupports writes one group and says for each support whether the
// group stored it.
func storeSupports(db *store.DB, group []*supportReq) ([]bool, error) {
	// One person twice for one idea in a group (a double click) is
	// written once; the other request goes the full way and finds it.
	type key struct {
		idea  int64
		voter string
	}
	first := make(map[key]int, len(group)) // where each supporter first appears
	var unique []*supportReq
	for i, r := range group {
		k := key{r.ideaID, r.voter}
		if _, ok := first[k]; !ok {
			first[k] = i
			unique = append(unique, r)
		}
	}
	n := len(unique)
	ins, exp, ideas, voters, parts, ats := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	for i, r := range unique {
		ins[i] = strconv.FormatInt(r.instrumentID, 10)
		exp[i] = r.expected.UTC().Format(time.RFC3339Nano)
		ideas[i] = strconv.FormatInt(r.ideaID, 10)
		voters[i] = r.voter
		parts[i] = strconv.FormatInt(r.participant, 10)
		ats[i] = r.at.UTC().Format(time.RFC3339Nano)
	}
	var rows []struct {
		IdeaID        int64
		ParticipantID int64
	}
	// No request context: the group is shared, and a support that was
	// handed over is stored even if the one who gave it has gone.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	err := db.WithContext(ctx).Raw(groupSupportSQL, store.PGArray(ins), store.PGArray(exp), store.PGArray(ideas),
		store.PGArray(voters), store.PGArray(parts), store.PGArray(ats)).Scan(&rows).Error
	cancel()
	if err != nil {
		return nil, err
	}
	type stored struct{ idea, participant int64 }
	ok := make(map[stored]bool, len(rows))
	for _, row := range rows {
		ok[stored{row.IdeaID, row.ParticipantID}] = true
	}
	out := make([]bool, len(group))
	for i, r := range group {
		out[i] = first[key{r.ideaID, r.voter}] == i && ok[stored{r.ideaID, r.participant}]
	}
	return out, nil
}

// groupSupportSQL stores a group of first supports with their register
// rows and counts in one statement. A support is stored only if its board
// is still published with the updated_at its rules were checked against
// and its project is still published (instrument.StateIn), under FOR KEY
// SHARE of the instrument row (UpdateBoard holds FOR UPDATE through
// instrument.Touch); and only if its idea is on that board, approved, in a
// status that can be supported and not the supporter's own. The ideas are
// locked FOR NO KEY UPDATE in id order before they are checked, so the
// check sees a status change that committed meanwhile (SetStatus and
// Withdraw hold the row FOR UPDATE), and two groups lock shared ideas in
// the same order. The register's primary key keeps one support per person
// per idea: someone already registered (a second support, or a support
// taken after an erasure) gets no support here and takes the full
// transaction. The count moves by the number of supports stored per idea.
const groupSupportSQL = `WITH req AS (
  SELECT * FROM unnest(CAST(? AS bigint[]), CAST(? AS timestamptz[]), CAST(? AS bigint[]), CAST(? AS text[]),
    CAST(? AS bigint[]), CAST(? AS timestamptz[]))
    AS r(instrument_id, expected, idea_id, voter, participant_id, at)
), unchanged AS (
  SELECT i.id, i.updated_at FROM instruments i JOIN projects p ON p.id = i.project_id
  WHERE i.id IN (SELECT instrument_id FROM req) AND i.published AND i.kind = 'idea_board' AND p.status = 'published'
  FOR KEY SHARE OF i
), locked AS MATERIALIZED (
  SELECT d.id, d.instrument_id, d.author_id FROM ideas d
  WHERE d.id IN (SELECT idea_id FROM req) AND d.moderation = 'approved' AND ` + supportableSQL + `
  ORDER BY d.id FOR NO KEY UPDATE
), ok AS MATERIALIZED (
  SELECT r.* FROM req r
  JOIN unchanged u ON u.id = r.instrument_id AND u.updated_at = r.expected
  JOIN locked d ON d.id = r.idea_id AND d.instrument_id = r.instrument_id
  WHERE d.author_id IS DISTINCT FROM r.participant_id
), reg AS (
  INSERT INTO participations (kind, ref_id, voter, instrument_id)
  SELECT 'support', ok.idea_id, ok.voter, ok.instrument_id FROM ok
  ON CONFLICT (kind, ref_id, voter) DO NOTHING
  RETURNING ref_id, voter
), s AS (
  INSERT INTO idea_supports (idea_id, participant_id, created_at)
  SELECT ok.idea_id, ok.participant_id, ok.at FROM reg JOIN ok ON ok.idea_id = reg.ref_id AND ok.voter = reg.voter
  RETURNING idea_id, participant_id
), c AS (
  UPDATE ideas SET support_count = ideas.support_count + n.n
  FROM (SELECT idea_id, count(*) AS n FROM s GROUP BY idea_id) n WHERE ideas.id = n.idea_id
)
SELECT idea_id, participant_id FROM s`

// Miscount is an idea whose support count differs from its recount.
type Miscount struct {
	IdeaID  int64
	Count   int64 // ideas.support_count
	Recount int64 // rows in idea_supports
}

// CheckCounts recounts the supports of every idea of a board from the
// rows themselves and returns the ideas whose count differs (none: every
// count is right). Tests and an operator's check use it.
func (s *Service) CheckCounts(ctx context.Context, instrumentID int64) ([]Miscount, error) {
	var out []Miscount
	err := s.db.WithContext(ctx).Raw(`SELECT d.id AS idea_id, d.support_count AS count, COUNT(s.id) AS recount
FROM ideas d LEFT JOIN idea_supports s ON s.idea_id = d.id
WHERE d.instrument_id = ?
GROUP BY d.id, d.support_count
HAVING d.support_count <> COUNT(s.id)
ORDER BY d.id`, instrumentID).Scan(&out).Error
	return out, err
}
