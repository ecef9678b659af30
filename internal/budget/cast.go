package budget

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/account"
	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Who may vote through which channel.
//
// Online voters are judged by instrument.Eligible, as for polls: times,
// the project's state, who (DigiD/eHerkenning), level of assurance,
// residents only and minimum age.
//
// Letter-code and stand voters have no login, so the rules about a login
// (who may log in with what, and at which level of assurance) do not
// apply: the letter went to the address the municipality's BRP extract
// gave, and at a stand a staff member checked an identity document in
// person, which is stronger than any DigiD level. What does apply:
//   - the instrument's times and the project's state (closed is closed);
//   - a budget only for businesses (who = eherkenning) takes no letter or
//     stand ballots: those channels are for residents;
//   - residents only and minimum age: a voter on the uploaded register
//     (budget_voters) is entitled by the municipality's own selection
//     (the extract it drew under those rules), so they are not asked
//     again; a stand voter when no register was uploaded is judged on the
//     facts of the stand's BRP lookup (Voter.Person.Resident, AgeBand);
//   - a letter code needs its row on the register, and when a register
//     was uploaded a stand voter must be on it too.
//
// The register's wijk, when it has one, is the voter's wijk.

// offline applies those rules inside tx and returns the voter's wijk.
func offline(tx *gorm.DB, in *instrument.Instrument, ps project.Status, v Voter, now time.Time) (string, error) {
	switch in.StateIn(ps, now) {
	case instrument.StateUpcoming:
		return "", apperror.New(apperror.Closed, instrument.ReasonNotOpenYet)
	case instrument.StateClosed:
		return "", apperror.New(apperror.Closed, instrument.ReasonClosed)
	}
	if in.Who == instrument.WhoEHerkenning {
		return "", apperror.New(apperror.Forbidden, "rules.eherkenning_only")
	}
	var rows []Elector
	if err := tx.Where("instrument_id = ? AND voter = ?", in.ID, v.Token).Limit(1).Find(&rows).Error; err != nil {
		return "", err
	}
	if len(rows) == 1 {
		if rows[0].Wijk != "" {
			return rows[0].Wijk, nil
		}
		return v.Wijk, nil
	}
	if v.Channel == ChannelCode {
		return "", apperror.New(apperror.Forbidden, "budget.error.not_on_register")
	}
	var some []string
	if err := tx.Model(&Elector{}).Where("instrument_id = ?", in.ID).Limit(1).Pluck("voter", &some).Error; err != nil {
		return "", err
	}
	if len(some) > 0 {
		return "", apperror.New(apperror.Forbidden, "budget.error.not_on_register")
	}
	if in.ResidentsOnly || in.MinAge > 0 {
		p := v.Person
		switch {
		case p.Resident == nil:
			return "", apperror.New(apperror.Forbidden, "rules.not_verified")
		case in.ResidentsOnly && !*p.Resident:
			return "", apperror.New(apperror.Forbidden, "rules.not_resident")
		case in.MinAge > 0 && !identity.AgeBandAtLeast(p.AgeBand, in.MinAge):
			return "", apperror.New(apperror.Forbidden, "rules.too_young")
		}
	}
	return v.Wijk, nil
}

// areaFor decides the area a ballot goes into: the only one without
// per_wijk; with per_wijk the voter's wijk (from the BRP) or the wijk they
// declare (Choice.AreaID). A named area that is not theirs is refused.
func areaFor(b *Budget, wijk string, areaID int64) (*Area, string, error) {
	if !b.PerWijk || b.WijkSource == WijkBRP {
		ar := b.AreaOf(wijk)
		if ar == nil {
			if b.PerWijk {
				return nil, "", apperror.New(apperror.Forbidden, "budget.error.no_area", wijk)
			}
			return nil, "", apperror.New(apperror.Unavailable, "budget.error.not_ready")
		}
		if areaID != 0 && areaID != ar.ID {
			return nil, "", apperror.New(apperror.Forbidden, "budget.error.wrong_wijk")
		}
		if !b.PerWijk {
			return ar, wijk, nil
		}
		return ar, ar.Wijk, nil
	}
	// Declared: the voter names their wijk.
	if areaID == 0 {
		return nil, "", apperror.Invalid.WithFields(map[string]string{"wijk": "budget.error.choose_wijk"})
	}
	ar := b.Area(areaID)
	if ar == nil {
		return nil, "", apperror.Invalid.WithFields(map[string]string{"wijk": "budget.error.choose_wijk"})
	}
	return ar, ar.Wijk, nil
}

// Cast stores the ballot of an online, letter-code or stand voter, or
// changes an online voter's ballot while the budget allows. Everything is
// decided inside one transaction: the rules (against the instrument as it
// is now, under FOR KEY SHARE on PostgreSQL, so an editor's change lands
// wholly before or after), the area, Check, the voter register's row
// (participation.Register, the one guarantee of one ballot per person on
// every channel) and the ballot with its lines and tallies. A voter whose
// token is already registered is refused with budget.error.already_voted
// unless it is an online voter with a ballot linked to their session (then
// the same ballot again changes nothing, and another one replaces it when
// changes are allowed).
//
// On PostgreSQL a first online ballot goes through a group writer
// (group.go, CastAt) and comes here only when the group did not store it.
func (s *Service) Cast(ctx context.Context, instrumentID int64, v Voter, c Choice) (*Receipt, error) {
	if s.db != nil && s.db.Dialect == store.Postgres && v.Channel == ChannelOnline && v.ParticipantID > 0 && v.Token != "" {
		if in, ps, err := instrument.ForRules(s.db.WithContext(ctx), instrumentID, false); err == nil {
			return s.CastAt(ctx, in, ps, v, c)
		}
	}
	return s.castFull(ctx, instrumentID, v, c)
}

// castFull is Cast's one transaction.
func (s *Service) castFull(ctx context.Context, instrumentID int64, v Voter, c Choice) (*Receipt, error) {
	switch {
	case v.Channel == ChannelOnline && v.ParticipantID < 1, v.Channel == ChannelPaper, !v.Channel.Valid():
		return nil, apperror.New(apperror.Forbidden, "rules.login_required")
	case v.Token == "":
		return nil, apperror.New(apperror.Forbidden, "rules.login_required")
	}
	var r *Receipt
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		r, err = s.cast(ctx, instrumentID, v, c)
		// Writers that collided (a deadlock, a serialization failure or
		// SQLite's busy lock) go again; a second ballot never gets here
		// (the register row's conflict takes the repeat path).
		if !store.Collided(err) {
			break
		}
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, apperror.Wrap(err, apperror.Conflict, "budget.error.already_voted")
	}
	return r, err
}

func (s *Service) cast(ctx context.Context, instrumentID int64, v Voter, c Choice) (*Receipt, error) {
	now := s.now()
	var rec *Receipt
	err := s.db.WithTx(ctx, func(tx *gorm.DB) error {
		in, ps, err := instrument.ForRules(tx, instrumentID, true)
		if err != nil {
			return err
		}
		if !in.Published || in.Kind != instrument.KindBudget {
			return apperror.New(apperror.NotFound, "")
		}
		wijk := v.Wijk
		if v.Channel == ChannelOnline {
			if err := instrument.Eligible(in, ps, v.Person, now).Err(); err != nil {
				return err
			}
		} else if wijk, err = offline(tx, in, ps, v, now); err != nil {
			return err
		}
		b, err := s.definition(tx, in)
		if err != nil {
			return err
		}
		area, wijk, err := areaFor(b, wijk, c.AreaID)
		if err != nil {
			return err
		}
		lines := Normalize(b.Method, c.Lines)
		if err := Check(b, area, lines); err != nil {
			return err
		}
		first, err := participation.Register(tx, participation.Ballot, instrumentID, instrumentID, v.Token)
		if err != nil {
			return err
		}
		if first {
			nb := NewBallot{Area: area, Channel: v.Channel, Wijk: wijk, Lines: lines, Counted: true, At: now}
			if v.Channel == ChannelOnline {
				pid := v.ParticipantID
				nb.ParticipantID = &pid
			}
			bl, err := StoreBallot(tx, b, nb)
			if err != nil {
				return err
			}
			rec = receipt(b, bl.ID, area.ID, v.Channel, lines, false, now)
			return nil
		}
		if v.Channel != ChannelOnline {
			return apperror.New(apperror.Conflict, "budget.error.already_voted")
		}
		rec, err = s.change(tx, b, area, v, wijk, lines, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// change handles an online voter already on the register: their own
// ballot again (nothing changes), a new choice while changes are allowed
// (tallies move), or a refusal.
func (s *Service) change(tx *gorm.DB, b *Budget, area *Area, v Voter, wijk string, lines []Line, now time.Time) (*Receipt, error) {
	var old Ballot
	q := tx.Where("instrument_id = ? AND participant_id = ?", b.InstrumentID, v.ParticipantID)
	if tx.Dialector.Name() == store.Postgres {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	err := q.Take(&old).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		// Registered, but no ballot of this session: they voted by letter,
		// on paper or at a stand, or erased their data after voting.
		return nil, apperror.New(apperror.Conflict, "budget.error.already_voted")
	}
	if err != nil {
		return nil, err
	}
	oldLines, err := linesOf(tx, old.ID)
	if err != nil {
		return nil, err
	}
	if old.AreaID == area.ID && slices.Equal(oldLines, lines) {
		return receipt(b, old.ID, area.ID, ChannelOnline, lines, false, old.UpdatedAt), nil
	}
	if !b.Instrument.AllowChange {
		return nil, apperror.New(apperror.Conflict, "budget.error.no_change")
	}
	if err := tx.Where("ballot_id = ?", old.ID).Delete(&BallotPlan{}).Error; err != nil {
		return nil, err
	}
	if old.Counted {
		down := make([]Tally, len(oldLines))
		for i, l := range oldLines {
			down[i] = Tally{PlanID: l.PlanID, Channel: old.Channel, Votes: -1, Points: -int64(l.Points)}
		}
		if err := bump(tx, down); err != nil {
			return nil, err
		}
	}
	if err := tx.Model(&Ballot{}).Where("id = ?", old.ID).
		UpdateColumns(map[string]any{"area_id": area.ID, "wijk": wijk, "updated_at": now}).Error; err != nil {
		return nil, err
	}
	if err := storeLines(tx, old.ID, old.Channel, lines, old.Counted); err != nil {
		return nil, err
	}
	return receipt(b, old.ID, area.ID, ChannelOnline, lines, true, now), nil
}

func receipt(b *Budget, id, areaID int64, ch Channel, lines []Line, changed bool, at time.Time) *Receipt {
	r := &Receipt{BallotID: id, AreaID: areaID, Channel: ch, Lines: lines, Changed: changed, At: at}
	for _, l := range lines {
		if p := b.Plan(l.PlanID); p != nil {
			r.Total += p.Cost
		}
	}
	return r
}

// linesOf reads a ballot's lines in plan order.
func linesOf(tx *gorm.DB, ballotID int64) ([]Line, error) {
	var rows []BallotPlan
	if err := tx.Where("ballot_id = ?", ballotID).Order("plan_id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]Line, len(rows))
	for i, r := range rows {
		out[i] = Line{PlanID: r.PlanID, Points: r.Points}
	}
	return out, nil
}

// NewBallot is a ballot to store with StoreBallot.
type NewBallot struct {
	Area    *Area
	Channel Channel
	// Wijk is the voter's wijk at voting, for the per-wijk breakdown.
	Wijk  string
	Lines []Line
	// Counted is false for a paper ballot until its batch is checked
	// (CountBatch then adds it to the tally).
	Counted bool
	// BatchID is the paper batch (paper only).
	BatchID *int64
	// ParticipantID is the online voter's session participant (online
	// only).
	ParticipantID *int64
	At            time.Time
}

// StoreBallot stores a ballot with its lines inside tx and, when it
// counts, adds it to the tally. It is the one way ballots enter the box,
// for every channel: Cast calls it after the voter register took the
// voter, and paper entry (which registers the letter's token itself, in
// the same transaction) calls it for each paper ballot. The lines are
// normalised and judged by Check again, so no channel can store a ballot
// the rules refuse. b must carry its plans (Get, or load in tx).
func StoreBallot(tx *gorm.DB, b *Budget, nb NewBallot) (*Ballot, error) {
	if nb.Area == nil || nb.Area.InstrumentID != b.InstrumentID || !nb.Channel.Valid() {
		return nil, apperror.New(apperror.Invalid, "budget.error.not_ready")
	}
	if (nb.Channel == ChannelPaper) != (nb.BatchID != nil) || !nb.Counted && nb.Channel != ChannelPaper ||
		nb.ParticipantID != nil && nb.Channel != ChannelOnline {
		return nil, errors.New("budget: StoreBallot: channel, batch, counted and participant do not fit together")
	}
	lines := Normalize(b.Method, nb.Lines)
	if err := Check(b, nb.Area, lines); err != nil {
		return nil, err
	}
	at := nb.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	bl := Ballot{InstrumentID: b.InstrumentID, AreaID: nb.Area.ID, Channel: nb.Channel, ParticipantID: nb.ParticipantID,
		BatchID: nb.BatchID, Wijk: nb.Wijk, Counted: nb.Counted, CreatedAt: at, UpdatedAt: at}
	if err := tx.Omit(clause.Associations).Create(&bl).Error; err != nil {
		return nil, err
	}
	if err := storeLines(tx, bl.ID, nb.Channel, lines, nb.Counted); err != nil {
		return nil, err
	}
	return &bl, nil
}

// storeLines inserts a ballot's lines and, when counted, bumps their
// tallies.
func storeLines(tx *gorm.DB, ballotID int64, ch Channel, lines []Line, counted bool) error {
	if len(lines) == 0 {
		return nil
	}
	rows := make([]BallotPlan, len(lines))
	for i, l := range lines {
		rows[i] = BallotPlan{BallotID: ballotID, PlanID: l.PlanID, Points: l.Points}
	}
	if err := tx.Create(&rows).Error; err != nil {
		return err
	}
	if !counted {
		return nil
	}
	up := make([]Tally, len(lines))
	for i, l := range lines {
		up[i] = Tally{PlanID: l.PlanID, Channel: ch, Votes: 1, Points: int64(l.Points)}
	}
	return bump(tx, up)
}

// bump adds each row's votes and points to a random shard of its plan's
// tally in its channel, in one statement. The rows are of distinct plans
// (a ballot names a plan once) and taken in plan order, so two ballots
// never wait for each other's shards in opposite orders.
func bump(tx *gorm.DB, rows []Tally) error {
	if len(rows) == 0 {
		return nil
	}
	slices.SortFunc(rows, func(a, b Tally) int { return cmp.Compare(a.PlanID, b.PlanID) })
	for i := range rows {
		rows[i].Shard = rand.IntN(Shards)
	}
	return tx.Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "plan_id"}, {Name: "channel"}, {Name: "shard"}},
		DoUpdates: clause.Assignments(map[string]any{
			"votes":  gorm.Expr("budget_tallies.votes + excluded.votes"),
			"points": gorm.Expr("budget_tallies.points + excluded.points"),
		}),
	}).Create(&rows).Error
}

// CountBatch makes the ballots of a paper batch count (counted true: the
// batch was checked) or stop counting (false: a checked batch is being
// corrected), inside tx, moving the tally by their lines. It returns how
// many ballots changed. The caller holds the batch (its status change is
// in the same transaction).
func CountBatch(tx *gorm.DB, batchID int64, counted bool) (int, error) {
	var ballots []Ballot
	if err := tx.Where("batch_id = ? AND counted = ?", batchID, !counted).Order("id").Find(&ballots).Error; err != nil {
		return 0, err
	}
	if len(ballots) == 0 {
		return 0, nil
	}
	ids := make([]int64, len(ballots))
	for i, b := range ballots {
		ids[i] = b.ID
	}
	type sum struct {
		PlanID int64
		Votes  int64
		Points int64
	}
	var sums []sum
	if err := tx.Model(&BallotPlan{}).Select("plan_id, COUNT(*) AS votes, SUM(points) AS points").
		Where("ballot_id IN ?", ids).Group("plan_id").Order("plan_id").Scan(&sums).Error; err != nil {
		return 0, err
	}
	sign := int64(1)
	if !counted {
		sign = -1
	}
	rows := make([]Tally, len(sums))
	for i, x := range sums {
		rows[i] = Tally{PlanID: x.PlanID, Channel: ChannelPaper, Votes: sign * x.Votes, Points: sign * x.Points}
	}
	if err := bump(tx, rows); err != nil {
		return 0, err
	}
	if err := tx.Model(&Ballot{}).Where("id IN ?", ids).UpdateColumn("counted", counted).Error; err != nil {
		return 0, err
	}
	return len(ballots), nil
}

// Mine is what an online resident sees of their own part in a budget.
type Mine struct {
	// Ballot is their ballot with its lines, when one is linked to them.
	Ballot *Ballot
	// TookPart is true when the register knows them for this budget,
	// with or without a linked ballot: without one they voted by letter,
	// on paper or at a stand, or erased their data after voting, and the
	// page shows that they took part, never a ballot.
	TookPart bool
}

// BallotOf returns an online resident's ballot (to see and change it) or,
// failing that, whether they took part another way. token is their
// register token (OnlineToken).
func (s *Service) BallotOf(ctx context.Context, instrumentID, participantID int64, token string) (*Mine, error) {
	db := s.db.WithContext(ctx)
	var bs []Ballot
	if err := db.Preload("Lines", func(q *gorm.DB) *gorm.DB { return q.Order("plan_id") }).
		Where("instrument_id = ? AND participant_id = ?", instrumentID, participantID).Limit(1).Find(&bs).Error; err != nil {
		return nil, err
	}
	if len(bs) == 1 {
		return &Mine{Ballot: &bs[0], TookPart: true}, nil
	}
	took, err := participation.Registered(db, participation.Ballot, instrumentID, token)
	if err != nil {
		return nil, err
	}
	return &Mine{TookPart: took}, nil
}

// Count is a plan's votes and points.
type Count struct {
	Votes  int64
	Points int64
}

// Counts is per plan, per channel.
type Counts map[int64]map[Channel]Count

func (c Counts) add(planID int64, ch Channel, n Count) {
	if c[planID] == nil {
		c[planID] = map[Channel]Count{}
	}
	x := c[planID][ch]
	x.Votes += n.Votes
	x.Points += n.Points
	c[planID][ch] = x
}

// Tallies reads the kept tally of a budget: per plan and channel, the
// counted ballots that chose it and the points they gave.
func (s *Service) Tallies(ctx context.Context, instrumentID int64) (Counts, error) {
	type row struct {
		PlanID  int64
		Channel Channel
		Votes   int64
		Points  int64
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&Tally{}).Select("plan_id, channel, SUM(votes) AS votes, SUM(points) AS points").
		Where("plan_id IN (?)", s.db.Model(&Plan{}).Select("id").Where("instrument_id = ?", instrumentID)).
		Group("plan_id, channel").Scan(&rows).Error
	out := Counts{}
	for _, r := range rows {
		if r.Votes != 0 || r.Points != 0 {
			out.add(r.PlanID, r.Channel, Count{Votes: r.Votes, Points: r.Points})
		}
	}
	return out, err
}

// Recount counts the counted ballots themselves, in the same shape as
// Tallies, which it must always equal.
func (s *Service) Recount(ctx context.Context, instrumentID int64) (Counts, error) {
	type row struct {
		PlanID  int64
		Channel Channel
		Votes   int64
		Points  int64
	}
	var rows []row
	err := s.db.WithContext(ctx).Model(&BallotPlan{}).
		Select("budget_ballot_plans.plan_id, budget_ballots.channel, COUNT(*) AS votes, SUM(budget_ballot_plans.points) AS points").
		Joins("JOIN budget_ballots ON budget_ballots.id = budget_ballot_plans.ballot_id").
		Where("budget_ballots.instrument_id = ? AND budget_ballots.counted", instrumentID).
		Group("budget_ballot_plans.plan_id, budget_ballots.channel").Scan(&rows).Error
	out := Counts{}
	for _, r := range rows {
		out.add(r.PlanID, r.Channel, Count{Votes: r.Votes, Points: r.Points})
	}
	return out, err
}

// Erase unlinks a participant's budget ballots inside the erasure's
// transaction (package account), as poll.Erase does for poll ballots: the
// ballots stay counted, nothing leads from the person to what they chose,
// the voter register still stops a second ballot, and the ballot keeps
// only the day it was cast and last changed, not the moment (which a
// login at that moment would link back to the person).
func Erase(tx *gorm.DB, participantID int64) error {
	return account.Unlink(tx, "budget_ballots", []string{"id"}, []string{"created_at", "updated_at"},
		map[string]any{"participant_id": nil}, "participant_id = ?", participantID)
}

// Standing is where a voter stands when the voting page opens: whether
// they may vote now, in which area, and (online) their own ballot.
type Standing struct {
	Budget *Budget
	// Area is the area they vote in; nil when they must name their wijk
	// first (a declared wijk) or cannot vote.
	Area *Area
	// Ballot is an online voter's own ballot with its lines, if any.
	Ballot *Ballot
	// Refusal is why they cannot vote (or change their ballot) now, as the
	// error Cast would return: the participation rules, already voted
	// (another way, or changes not allowed), no area for their wijk. Nil:
	// they may vote. With a declared wijk and no area named yet, Refusal
	// is nil and Area nil.
	Refusal error
}

// StandingOf applies Cast's rules without storing anything, for the page
// that shows the plans and the basket. Cast decides again when the ballot
// comes in.
func (s *Service) StandingOf(ctx context.Context, instrumentID int64, v Voter) (*Standing, error) {
	now := s.now()
	db := s.db.WithContext(ctx)
	in, ps, err := instrument.ForRules(db, instrumentID, false)
	if err != nil {
		return nil, err
	}
	if !in.Published || in.Kind != instrument.KindBudget {
		return nil, apperror.New(apperror.NotFound, "")
	}
	b, err := s.definition(db, in)
	if err != nil {
		return nil, err
	}
	st := &Standing{Budget: b}
	if v.Channel == ChannelOnline && v.ParticipantID > 0 {
		var bs []Ballot
		if err := db.Preload("Lines", func(q *gorm.DB) *gorm.DB { return q.Order("plan_id") }).
			Where("instrument_id = ? AND participant_id = ?", instrumentID, v.ParticipantID).Limit(1).Find(&bs).Error; err != nil {
			return nil, err
		}
		if len(bs) == 1 {
			st.Ballot = &bs[0]
		}
	}
	wijk := v.Wijk
	switch {
	case v.Token == "" || v.Channel == ChannelPaper || !v.Channel.Valid() || v.Channel == ChannelOnline && v.ParticipantID < 1:
		st.Refusal = apperror.New(apperror.Forbidden, "rules.login_required")
		return st, nil
	case v.Channel == ChannelOnline:
		st.Refusal = instrument.Eligible(in, ps, v.Person, now).Err()
	default:
		wijk, st.Refusal = offline(db, in, ps, v, now)
		if st.Refusal != nil && apperror.CodeOf(st.Refusal) == apperror.Internal {
			return nil, st.Refusal
		}
	}
	if st.Refusal != nil {
		return st, nil
	}
	if b.PerWijk && b.WijkSource == WijkDeclared && st.Ballot == nil {
		// They name their wijk on the page.
	} else {
		areaID := int64(0)
		if st.Ballot != nil {
			areaID = st.Ballot.AreaID
		}
		if st.Area, _, st.Refusal = areaFor(b, wijk, areaID); st.Refusal != nil {
			return st, nil
		}
	}
	took, err := participation.Registered(db, participation.Ballot, instrumentID, v.Token)
	if err != nil {
		return nil, err
	}
	switch {
	case took && st.Ballot == nil:
		st.Refusal = apperror.New(apperror.Conflict, "budget.error.already_voted")
	case st.Ballot != nil && !in.AllowChange:
		st.Refusal = apperror.New(apperror.Conflict, "budget.error.no_change")
	}
	return st, nil
}
