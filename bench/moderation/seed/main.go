// Command seed fills a fresh, migrated database with a full moderation
// queue for the moderation benchmark (bench/moderation/run.sh): by default
// 10,000 waiting items, made the way residents make them.
//
//	INSPRAAK_PSEUDONYM_KEY=... go run ./bench/moderation/seed -db 'postgres://postgres@127.0.0.1:5432/inspraak_mod?sslmode=disable'
//
// It wires the application with app.New, exactly as the server does (idea
// service with the moderation service behind it, demo content off), makes
// one published project with a pre-moderated and a post-moderated idea
// board through project.Service and idea.Service, and then lets made-up
// participants submit ideas and comments (idea.Service.Submit, Comment)
// and report each other's contributions (moderation.Service.Report). Only
// the participant rows, and the one staff member that approves the few
// pre-moderated ideas that comments go on, are inserted directly: a login
// would have written the same rows. Participants' subjects are the
// pseudonyms a DigiD login with a test BSN (11-test, from 900000000 up)
// would get under the server's key.
//
// The queue it leaves (for -items 10000):
//   - 68 % ideas on the pre-moderated board (about 10 % of them with a
//     screening hit: a phone number, an e-mail address or an abuse word);
//   - 14 % comments on approved ideas of that board (again about 10 % hits);
//   - 3 % contributions on the post-moderated board that screening held
//     back (personal data) or queued while public (an abuse word);
//   - 15 % public contributions on the post-moderated board that one to
//     three other participants reported (three reach the default threshold
//     and take the contribution from the public).
//
// Submission times are spread over the last -days days with the services'
// own clocks, so the queue's "waiting since" column and order look real.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata"

	"gorm.io/gorm"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Slugs of what the seeder makes.
const (
	projectSlug = "moderatie-bench"
	preSlug     = "ideeen-vooraf"
	postSlug    = "ideeen-achteraf"
)

type options struct {
	items        int
	participants int
	workers      int
	days         int
	seed         uint64
}

func main() {
	dbURL := flag.String("db", "", "database URL: postgres://... or sqlite:PATH (required; fresh and empty)")
	var o options
	flag.IntVar(&o.items, "items", 10000, "waiting items to leave in the queue")
	flag.IntVar(&o.participants, "participants", 2000, "participants who submit, comment and report")
	flag.IntVar(&o.workers, "workers", 4, "submissions in parallel")
	flag.IntVar(&o.days, "days", 3, "spread the queue's submissions over this many days before now")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the generated content (the mix is the same each run; who wrote what varies, as submissions run in parallel)")
	flag.Parse()
	if *dbURL == "" || o.items < 100 || o.participants < 10 || o.workers < 1 || o.days < 1 {
		fmt.Fprintln(os.Stderr, "usage: INSPRAAK_PSEUDONYM_KEY=... seed -db URL [-items 10000] [-participants 2000] [-workers 4] [-days 3]")
		os.Exit(2)
	}
	if err := run(context.Background(), *dbURL, o); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

// clock is the time the services see: each submission sets it to its
// own moment in the past before calling them. Submissions that run in
// parallel are neighbours in time, so the few seconds they may borrow from
// each other do not matter.
type clock struct{ ns atomic.Int64 }

func (c *clock) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *clock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }

type seeder struct {
	a       *app.App
	o       options
	rng     *rand.Rand
	clk     *clock
	people  []identity.Participant
	pre     *idea.Board
	post    *idea.Board
	themes  map[int64][]int64 // board → theme ids
	staff   moderation.Staff
	reports atomic.Int64
}

func run(ctx context.Context, dbURL string, o options) error {
	cfg, err := config.Load(func(k string) string {
		switch k {
		case "INSPRAAK_DATABASE_URL":
			return dbURL
		case "INSPRAAK_SEED_DEMO":
			return "false"
		}
		return os.Getenv(k)
	})
	if err != nil {
		return err
	}
	for _, k := range cfg.GeneratedKeys {
		if k == "INSPRAAK_PSEUDONYM_KEY" {
			return errors.New("INSPRAAK_PSEUDONYM_KEY is not set: set it to the key the server will run with")
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("SEED_VERBOSE") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	var n int64
	if err := a.DB.WithContext(ctx).Table("moderation_items").Count(&n).Error; err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already has %d moderation items; give a fresh one", n)
	}
	s := &seeder{a: a, o: o, rng: rand.New(rand.NewPCG(o.seed, 0x60d)), clk: &clock{}, themes: map[int64][]int64{}}
	start := time.Now()
	if err := s.setup(ctx, cfg); err != nil {
		return err
	}
	// From here on the services read the simulated clock.
	s.clk.set(start)
	a.Ideas.SetClock(s.clk.now)
	a.Moderation.SetClock(s.clk.now)
	if err := s.fill(ctx, start); err != nil {
		return err
	}
	took := time.Since(start)
	if a.DB.Dialect == store.Postgres {
		// Autovacuum would do this within a minute of the inserts; the
		// benchmark should not depend on whether it has run yet.
		if err := a.DB.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
			return err
		}
	}
	return s.summary(ctx, took)
}

// setup makes the project, the two boards, the participants and the
// staff member who approves the pre-moderated ideas that get comments.
func (s *seeder) setup(ctx context.Context, cfg *config.Config) error {
	now := time.Now().UTC().Truncate(time.Second)
	opens := now.AddDate(0, 0, -30)
	closes := now.AddDate(0, 0, 30)
	p, err := s.a.Projects.Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: projectSlug, Title: "Samen aan de slag in de wijk", Wijk: "Hele gemeente",
		Summary: "Wat kan er beter in uw buurt? Deel uw idee en reageer op de ideeën van anderen.",
		Body:    "Op deze pagina verzamelen wij ideeën voor de buurt. Een moderator kijkt mee of de bijdragen binnen de spelregels blijven.",
		Phases: []project.PhaseDraft{{Title: "Ideeën verzamelen", StartsOn: dayIn(opens), EndsOn: ptr(dayIn(closes))},
			{Title: "Uitvoering", StartsOn: dayIn(closes.AddDate(0, 0, 1))}}})
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	if err := s.a.Projects.Move(ctx, identity.SystemActor("bench"), p.ID, project.StatusPublished); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	rules := instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes}
	s.pre, err = s.a.Ideas.CreateBoard(ctx, identity.SystemActor("bench"), idea.BoardDraft{ProjectID: p.ID, Slug: preSlug, Title: "Ideeën voor het nieuwe park",
		Description: "Elk idee wordt eerst bekeken door een moderator en verschijnt daarna op het bord.", Published: true,
		Themes: []string{"Groen", "Spelen", "Veiligheid"}, Rules: rules, Board: idea.Board{Moderation: idea.PreModeration}})
	if err != nil {
		return fmt.Errorf("pre-moderated board: %w", err)
	}
	s.post, err = s.a.Ideas.CreateBoard(ctx, identity.SystemActor("bench"), idea.BoardDraft{ProjectID: p.ID, Slug: postSlug, Title: "Ideeën voor de buurt",
		Description: "Ideeën verschijnen meteen. Ziet u iets dat niet past? Meld het aan de moderator.", Published: true,
		Themes: []string{"Verkeer", "Schoon en heel", "Samen"}, Rules: rules, Board: idea.Board{Moderation: idea.PostModeration}})
	if err != nil {
		return fmt.Errorf("post-moderated board: %w", err)
	}
	for _, b := range []*idea.Board{s.pre, s.post} {
		for _, t := range b.Themes {
			s.themes[b.InstrumentID] = append(s.themes[b.InstrumentID], t.ID)
		}
	}

	keyring, err := identity.NewKeyring(cfg.PseudonymKeyVersion, cfg.PseudonymKey, nil)
	if err != nil {
		return err
	}
	loa := identity.Levels(identity.DigiD)[1]
	s.people = make([]identity.Participant, s.o.participants)
	for i, bsn := range testBSNs(s.o.participants) {
		ps := keyring.Current(identity.KindBSN, bsn)
		joined := opens.Add(time.Duration(s.rng.Int64N(int64(20 * 24 * time.Hour))))
		s.people[i] = identity.Participant{Subject: ps.Value, KeyVersion: ps.Version, Means: identity.DigiD, LoA: loa,
			DisplayName: displayName(i), CreatedAt: joined, LastLoginAt: joined}
	}
	err = s.a.DB.WithTx(ctx, func(tx *gorm.DB) error {
		return tx.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(&s.people, 500).Error
	})
	if err != nil {
		return fmt.Errorf("participants: %w", err)
	}
	m := identity.StaffMember{Issuer: cfg.DevIssuer(), Subject: "modbench-seed-moderator", Name: "Moderator (voorbereiding)",
		Roles: string(identity.RoleModerator), CreatedAt: now, LastLoginAt: now}
	if err := s.a.DB.WithContext(ctx).Create(&m).Error; err != nil {
		return fmt.Errorf("staff member: %w", err)
	}
	s.staff = moderation.Staff{ID: m.ID, Name: m.Name, Roles: m.RoleList()}
	return nil
}

func (s *seeder) actor(i int) idea.Actor {
	p := s.people[i]
	return idea.Actor{ParticipantID: p.ID, Subject: p.Subject,
		Person: instrument.Person{LoggedIn: true, Means: p.Means, LoA: p.LoA}}
}

// task is one thing a participant (or several, for reports) does.
type task struct {
	at time.Time
	do func(ctx context.Context, rng *rand.Rand, at time.Time) error
}

// fill runs the whole history: what is public before the queue starts,
// then the queue itself, interleaved and spread over the last days.
func (s *seeder) fill(ctx context.Context, end time.Time) error {
	o := s.o
	nPreIdeas := o.items * 68 / 100
	nPreComments := o.items * 14 / 100
	nScreened := o.items * 3 / 100
	nReported := o.items - nPreIdeas - nPreComments - nScreened
	nReportedIdeas := nReported * 2 / 3
	nReportedComments := nReported - nReportedIdeas
	nApproved := max(20, nPreComments/10)

	queueFrom := end.Add(-time.Duration(o.days) * 24 * time.Hour)
	before := queueFrom.Add(-48 * time.Hour)

	// 1. Pre-moderated ideas that a moderator has already approved: the
	// comments in the queue are on them.
	var approved []int64
	var mu sync.Mutex
	var tasks []task
	for i := 0; i < nApproved; i++ {
		tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
			author := rng.IntN(len(s.people))
			i, err := s.a.Ideas.Submit(ctx, s.pre.InstrumentID, s.actor(author), s.ideaDraft(rng, s.pre.InstrumentID, hitNone))
			if err != nil {
				return fmt.Errorf("submit: %w", err)
			}
			mu.Lock()
			approved = append(approved, i.ID)
			mu.Unlock()
			return nil
		}})
	}
	if err := s.runTasks(ctx, spreadOver(tasks, before, before.Add(12*time.Hour), s.rng)); err != nil {
		return err
	}
	s.clk.set(before.Add(13 * time.Hour))
	for range nApproved {
		id, err := s.a.Moderation.Next(ctx, s.staff, moderation.Filter{})
		if err != nil || id == 0 {
			return fmt.Errorf("claim an early idea: %d %v", id, err)
		}
		if err := s.a.Moderation.Decide(ctx, s.staff, id, moderation.Decision{Action: moderation.ActApprove}); err != nil {
			return fmt.Errorf("approve: %w", err)
		}
	}

	// 2. Public contributions on the post-moderated board: some of them
	// will be reported, the rest never are.
	nPostIdeas := nReportedIdeas + nReportedIdeas*6/10
	nPostComments := nReportedComments + nReportedComments*6/10
	var postIdeas []ref
	tasks = tasks[:0]
	for range nPostIdeas {
		tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
			author := rng.IntN(len(s.people))
			i, err := s.a.Ideas.Submit(ctx, s.post.InstrumentID, s.actor(author), s.ideaDraft(rng, s.post.InstrumentID, hitNone))
			if err != nil {
				return fmt.Errorf("submit: %w", err)
			}
			mu.Lock()
			postIdeas = append(postIdeas, ref{id: i.ID, author: author})
			mu.Unlock()
			return nil
		}})
	}
	if err := s.runTasks(ctx, spreadOver(tasks, before.Add(14*time.Hour), before.Add(30*time.Hour), s.rng)); err != nil {
		return err
	}
	var postComments []ref
	tasks = tasks[:0]
	for range nPostComments {
		tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
			on := postIdeas[rng.IntN(len(postIdeas))]
			author := s.other(rng, on.author)
			c, err := s.a.Ideas.Comment(ctx, on.id, nil, s.actor(author), commentText(rng, hitNone))
			if err != nil {
				return fmt.Errorf("comment: %w", err)
			}
			mu.Lock()
			postComments = append(postComments, ref{id: c.ID, author: author})
			mu.Unlock()
			return nil
		}})
	}
	if err := s.runTasks(ctx, spreadOver(tasks, before.Add(30*time.Hour), queueFrom, s.rng)); err != nil {
		return err
	}

	// 3. The queue: new ideas and comments on the pre-moderated board,
	// screening hits on the post-moderated one, and reports, all mixed
	// over the last days.
	tasks = tasks[:0]
	for range nPreIdeas {
		tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
			_, err := s.a.Ideas.Submit(ctx, s.pre.InstrumentID, s.actor(rng.IntN(len(s.people))), s.ideaDraft(rng, s.pre.InstrumentID, drawHit(rng)))
			return wrap("submit", err)
		}})
	}
	for range nPreComments {
		tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
			_, err := s.a.Ideas.Comment(ctx, approved[rng.IntN(len(approved))], nil, s.actor(rng.IntN(len(s.people))), commentText(rng, drawHit(rng)))
			return wrap("comment", err)
		}})
	}
	// Reports take some post-moderated ideas from the public while this
	// runs (three reports); new comments go on ideas nobody reports, as
	// commenting on one that was taken away is refused.
	perm := s.rng.Perm(len(postIdeas))
	for _, k := range perm[:nReportedIdeas] {
		tasks = append(tasks, s.reportTask(moderation.KindIdea, postIdeas[k]))
	}
	var calm []ref
	for _, k := range perm[nReportedIdeas:] {
		calm = append(calm, postIdeas[k])
	}
	perm = s.rng.Perm(len(postComments))
	for _, k := range perm[:nReportedComments] {
		tasks = append(tasks, s.reportTask(moderation.KindComment, postComments[k]))
	}
	for k := range nScreened {
		hit := []hitKind{hitPhone, hitEmail, hitWord}[k%3]
		if k%2 == 0 {
			tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
				_, err := s.a.Ideas.Submit(ctx, s.post.InstrumentID, s.actor(rng.IntN(len(s.people))), s.ideaDraft(rng, s.post.InstrumentID, hit))
				return wrap("submit", err)
			}})
		} else {
			tasks = append(tasks, task{do: func(ctx context.Context, rng *rand.Rand, _ time.Time) error {
				on := calm[rng.IntN(len(calm))]
				_, err := s.a.Ideas.Comment(ctx, on.id, nil, s.actor(s.other(rng, on.author)), commentText(rng, hit))
				return wrap("comment", err)
			}})
		}
	}
	s.rng.Shuffle(len(tasks), func(i, j int) { tasks[i], tasks[j] = tasks[j], tasks[i] })
	return s.runTasks(ctx, spreadOver(tasks, queueFrom, end.Add(-10*time.Minute), s.rng))
}

func wrap(what string, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

type ref struct {
	id     int64
	author int
}

// reportTask has one to three other participants report a public
// contribution, some minutes apart, in one go: two first reports of the
// same contribution at the same moment would both try to create its item.
func (s *seeder) reportTask(kind moderation.Kind, r ref) task {
	return task{do: func(ctx context.Context, rng *rand.Rand, at time.Time) error {
		n := 1
		switch x := rng.IntN(100); {
		case x < 15:
			n = 3
		case x < 40:
			n = 2
		}
		seen := map[int]bool{r.author: true}
		for range n {
			who := s.other(rng, r.author)
			for seen[who] {
				who = s.other(rng, r.author)
			}
			seen[who] = true
			reason := moderation.ReportReasons[rng.IntN(len(moderation.ReportReasons))]
			note := ""
			if reason == moderation.ReasonOther || rng.IntN(4) == 0 {
				note = reportNotes[rng.IntN(len(reportNotes))]
			}
			s.clk.set(at)
			p := s.people[who]
			if err := s.a.Moderation.Report(ctx, moderation.Participant{ID: p.ID, Subject: p.Subject}, kind, r.id, reason, note); err != nil {
				return fmt.Errorf("report %s %d: %w", kind, r.id, err)
			}
			s.reports.Add(1)
			at = at.Add(time.Duration(5+rng.IntN(120)) * time.Minute)
		}
		return nil
	}}
}

// other draws a participant who is not the given one.
func (s *seeder) other(rng *rand.Rand, not int) int {
	for {
		if i := rng.IntN(len(s.people)); i != not {
			return i
		}
	}
}

// spreadOver gives the tasks moments from a to b, in their order, with a
// little jitter.
func spreadOver(ts []task, a, b time.Time, rng *rand.Rand) []task {
	step := b.Sub(a) / time.Duration(max(len(ts), 1))
	for i := range ts {
		ts[i].at = a.Add(step*time.Duration(i) + time.Duration(rng.Int64N(int64(max(step, 1)))))
	}
	return ts
}

// runTasks runs the tasks in their order with the configured number of
// workers, each setting the clock to its task's moment first.
func (s *seeder) runTasks(ctx context.Context, ts []task) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, s.o.workers)
	for w := range s.o.workers {
		rng := rand.New(rand.NewPCG(s.o.seed, uint64(w)+uint64(s.rng.Uint32())<<8))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ts) {
					return
				}
				s.clk.set(ts[i].at)
				if err := ts[i].do(ctx, rng, ts[i].at); err != nil {
					next.Store(int64(len(ts)))
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// summary checks the queue and prints what it holds.
func (s *seeder) summary(ctx context.Context, took time.Duration) error {
	var r struct {
		Waiting, Ideas, Comments, Pre, Screened, Reported, WithHits, Claimed, Awaiting int64
	}
	err := s.a.DB.WithContext(ctx).Raw(`SELECT count(*) AS waiting,
		count(*) FILTER (WHERE kind = 'idea') AS ideas, count(*) FILTER (WHERE kind = 'comment') AS comments,
		count(*) FILTER (WHERE pre) AS pre, count(*) FILTER (WHERE screened) AS screened,
		count(*) FILTER (WHERE reported) AS reported, count(*) FILTER (WHERE hits <> '') AS with_hits,
		count(*) FILTER (WHERE claimed_by IS NOT NULL) AS claimed
		FROM moderation_items WHERE waiting`).Scan(&r).Error
	if err != nil {
		return err
	}
	var reports int64
	if err := s.a.DB.WithContext(ctx).Table("moderation_reports").Count(&reports).Error; err != nil {
		return err
	}
	var hidden int64
	if err := s.a.DB.WithContext(ctx).Raw(`SELECT (SELECT count(*) FROM ideas WHERE instrument_id = ? AND moderation = 'awaiting')
		+ (SELECT count(*) FROM idea_comments c JOIN ideas i ON i.id = c.idea_id WHERE i.instrument_id = ? AND c.moderation = 'awaiting')`,
		s.post.InstrumentID, s.post.InstrumentID).Scan(&hidden).Error; err != nil {
		return err
	}
	fmt.Printf("seeded on %s in %s: project /projecten/%s, boards %s (pre-moderated, instrument %d) and %s (post-moderated, instrument %d), %d participants\n",
		s.a.DB.Dialect, took.Round(time.Millisecond), projectSlug, preSlug, s.pre.InstrumentID, postSlug, s.post.InstrumentID, len(s.people))
	fmt.Printf("queue: %d waiting (%d ideas, %d comments); why: pre %d, screened %d, reported %d; with screening hits %d; claimed %d\n",
		r.Waiting, r.Ideas, r.Comments, r.Pre, r.Screened, r.Reported, r.WithHits, r.Claimed)
	fmt.Printf("reports: %d rows (%d made); post-moderated contributions taken from the public until a decision: %d\n", reports, s.reports.Load(), hidden)
	if r.Waiting != int64(s.o.items) {
		return fmt.Errorf("expected %d waiting items, found %d", s.o.items, r.Waiting)
	}
	return nil
}

// ---- content ---------------------------------------------------------

type hitKind int

const (
	hitNone hitKind = iota
	hitPhone
	hitEmail
	hitBoth
	hitWord
)

// drawHit: about one contribution in ten carries something screening
// finds, mostly personal data.
func drawHit(rng *rand.Rand) hitKind {
	switch x := rng.IntN(100); {
	case x < 4:
		return hitPhone
	case x < 7:
		return hitEmail
	case x < 8:
		return hitBoth
	case x < 10:
		return hitWord
	}
	return hitNone
}

var streets = []string{"Lindelaan", "Molenweg", "Kerkstraat", "Dorpsstraat", "Schoolstraat", "Beukenlaan", "Stationsweg",
	"Parkweg", "Julianastraat", "Emmastraat", "Nieuwstraat", "Rozenstraat", "Eikenlaan", "Havenkade", "Merelstraat"}

var ideaTitles = []string{
	"Een pluktuin langs de %s", "Meer bankjes aan de %s", "Een veilige oversteek bij de %s",
	"Een speelplek voor peuters aan de %s", "Minder parkeren op de stoep in de %s", "Bloemen in plaats van tegels aan de %s",
	"Een trapveldje bij de %s", "Betere verlichting op het pad langs de %s", "Een ontmoetingsplek voor ouderen aan de %s",
	"Fietsparkeren bij de winkels aan de %s",
}

var ideaBodies = []string{
	"Aan de %s is weinig groen en in de zomer is het er heet. Met een paar bomen en plantvakken wordt de straat koeler en prettiger voor iedereen.",
	"Bij de %s steken elke dag veel kinderen over. Auto's rijden er hard. Een drempel of een zebrapad zou het veel veiliger maken.",
	"Ouderen die langs de %s wandelen kunnen nergens even zitten. Een paar bankjes in de schaduw zouden veel mensen helpen.",
	"Het grasveld aan de %s wordt bijna niet gebruikt. Met een paar speeltoestellen wordt het een fijne plek voor gezinnen uit de buurt.",
	"In de %s staan fietsen en auto's overal op de stoep. Met een rollator of kinderwagen kom je er niet langs. Graag meer rekken en duidelijke vakken.",
}

var comments = []string{
	"Goed idee, ik woon om de hoek en zou dit erg fijn vinden.",
	"Ik twijfel. Waar moeten de auto's dan heen?",
	"Eens! Dit speelt al jaren in onze straat.",
	"Misschien kan dit samen met de buurtvereniging worden opgepakt.",
	"Wat kost dit ongeveer? Ik zou graag weten wat de gemeente ervan vindt.",
	"Ik help graag mee met het onderhoud als dit er komt.",
	"Bij ons in de straat is dit twee jaar geleden gedaan en het werkt goed.",
}

// Screening finds these: a Dutch mobile number, an e-mail address (the
// example.nl domain is reserved for examples), a word from the default
// abuse list. All made up.
var hitTexts = map[hitKind]string{
	hitPhone: " Bel mij gerust voor meer informatie: 06-12345678.",
	hitEmail: " Mail mij op naam@example.nl als u wilt meedenken.",
	hitBoth:  " U kunt mij bellen op 06-12345678 of mailen naar naam@example.nl.",
	hitWord:  " Die klere scooters rijden hier elke avond veel te hard.",
}

var reportNotes = []string{
	"Dit is reclame voor een bedrijf.",
	"Hier staat iemands telefoonnummer in.",
	"Dit gaat niet over het project.",
	"Deze reactie is kwetsend voor de buren.",
	"Dit bericht staat er al drie keer op.",
}

func (s *seeder) ideaDraft(rng *rand.Rand, board int64, hit hitKind) idea.Draft {
	street := streets[rng.IntN(len(streets))]
	themes := s.themes[board]
	theme := themes[rng.IntN(len(themes))]
	return idea.Draft{Title: fmt.Sprintf(ideaTitles[rng.IntN(len(ideaTitles))], street),
		Description: fmt.Sprintf(ideaBodies[rng.IntN(len(ideaBodies))], street) + hitTexts[hit],
		ThemeID:     &theme, Location: street}
}

func commentText(rng *rand.Rand, hit hitKind) string {
	return comments[rng.IntN(len(comments))] + hitTexts[hit]
}

var firstNames = []string{"Anne", "Bas", "Carla", "Dirk", "Els", "Fatima", "Gert", "Hanna", "Ivo", "Jasmijn", "Kees", "Lotte",
	"Mehmet", "Noor", "Olaf", "Petra", "Ruud", "Sanne", "Tom", "Yara"}

// displayName is a first name and an initial, as people tend to choose.
func displayName(i int) string {
	return fmt.Sprintf("%s %c.", firstNames[i%len(firstNames)], 'A'+rune(i/len(firstNames)%26))
}

// testBSNs returns n made-up numbers that pass the 11-test, from
// 900000000 up, as bench/votes uses them.
func testBSNs(n int) []string {
	var out []string
	for v := 900000000; len(out) < n; v++ {
		s := strconv.Itoa(v)
		sum := 0
		for i := 0; i < 8; i++ {
			sum += int(s[i]-'0') * (9 - i)
		}
		sum -= int(s[8] - '0')
		if sum%11 == 0 {
			out = append(out, s)
		}
	}
	return out
}

func dayIn(t time.Time) time.Time {
	l := t.In(i18n.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, i18n.Location)
}

func ptr[T any](v T) *T { return &v }
