// Package ideadata fills a database with one large published idea board
// for the benchmarks: thousands of ideas from many participants, with
// supports spread unevenly (a few ideas very popular, a long tail with
// none). The project and the board are made through their services, as an
// editor would; participants, ideas, supports and status changes are
// inserted in bulk, with the same values the idea service would write
// (support_count equal to the support rows, supporter ids derived with the
// server's pseudonym key), because thousands of single transactions would
// take minutes.
package ideadata

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/i18n"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/participation"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

// Slugs of the benchmark board: /projecten/ProjectSlug/BoardSlug.
const (
	ProjectSlug = "ideeen-bench"
	BoardSlug   = "ideeenbord"
)

// Options say how much to make.
type Options struct {
	Ideas        int
	Participants int
	Supports     int
	// Key and KeyVersion are the server's pseudonym key: participants'
	// subjects and supporter ids are derived with it, as at login.
	Key        []byte
	KeyVersion int
	Now        time.Time
	// Seed makes the content repeatable.
	Seed uint64
}

// Result describes what was made.
type Result struct {
	InstrumentID int64
	Themes       []idea.Theme
	Ideas        int // all, including awaiting, hidden and withdrawn ones
	Public       int // those the board shows
	Participants int
	Supports     int
	MaxSupports  int64
	NoSupports   int // public ideas nobody supports
}

// Themes of the board.
var Themes = []string{"Groen en bomen", "Verkeer en parkeren", "Spelen en sporten", "Schoon en heel", "Samen in de buurt"}

// Seed makes the project, the board and its content. The database must
// be migrated and must not hold the benchmark project yet.
func Seed(ctx context.Context, db *store.DB, o Options) (*Result, error) {
	if o.Supports > o.Participants*o.Ideas/2 {
		return nil, fmt.Errorf("ideadata: %d supports do not fit %d ideas and %d participants", o.Supports, o.Ideas, o.Participants)
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x1dea))
	now := o.Now.UTC().Truncate(time.Second)
	opens := now.AddDate(0, 0, -90)
	closes := now.AddDate(0, 0, 30)

	projects := project.NewService(db)
	p, err := projects.Create(ctx, identity.SystemActor("bench"), project.Draft{Slug: ProjectSlug, Title: "Ideeën voor de gemeente", Wijk: "Hele gemeente",
		Summary: "Wat kan er beter in uw buurt? Zet uw idee op het ideeënbord en steun de ideeën van anderen. De gemeente reageert op elk idee.",
		Body:    "Dit ideeënbord staat open voor iedereen die in de gemeente woont of werkt.",
		Phases: []project.PhaseDraft{{Title: "Ideeën verzamelen", StartsOn: dayIn(opens), EndsOn: ptr(dayIn(closes))},
			{Title: "Uitvoering", StartsOn: dayIn(closes.AddDate(0, 0, 1))}}})
	if err != nil {
		return nil, fmt.Errorf("ideadata: project: %w", err)
	}
	if err := projects.Move(ctx, identity.SystemActor("bench"), p.ID, project.StatusPublished); err != nil {
		return nil, fmt.Errorf("ideadata: publish: %w", err)
	}
	ideas := idea.NewService(db, o.Key)
	b, err := ideas.CreateBoard(ctx, identity.SystemActor("bench"), idea.BoardDraft{ProjectID: p.ID, Slug: BoardSlug, Title: "Uw ideeën voor de buurt",
		Description: "Zet uw idee op het bord, steun de ideeën van anderen en lees wat de gemeente ervan vindt.",
		Published:   true, Themes: Themes,
		Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
		Board: idea.Board{Moderation: idea.PostModeration}})
	if err != nil {
		return nil, fmt.Errorf("ideadata: board: %w", err)
	}
	res := &Result{InstrumentID: b.InstrumentID, Themes: b.Themes, Ideas: o.Ideas, Participants: o.Participants}

	// Participants log in with DigiD; their subjects are pseudonyms of
	// made-up identifiers under the server's key, as at a real login.
	keyring, err := identity.NewKeyring(o.KeyVersion, o.Key, nil)
	if err != nil {
		return nil, err
	}
	loa := identity.Levels(identity.DigiD)[1]
	people := make([]identity.Participant, o.Participants)
	for i := range people {
		ps := keyring.Current(identity.KindBSN, fmt.Sprintf("bench-%06d", i))
		joined := opens.Add(time.Duration(rng.Int64N(int64(now.Sub(opens)))))
		people[i] = identity.Participant{Subject: ps.Value, KeyVersion: ps.Version, Means: identity.DigiD, LoA: loa,
			DisplayName: displayName(i), CreatedAt: joined, LastLoginAt: joined}
	}
	if err := bulk(ctx, db, &people, 500); err != nil {
		return nil, fmt.Errorf("ideadata: participants: %w", err)
	}

	// Ideas, oldest first, so that ids and submission times agree.
	rows := make([]idea.Idea, o.Ideas)
	span := now.Add(-time.Hour).Sub(opens)
	for i := range rows {
		created := opens.Add(span * time.Duration(i) / time.Duration(o.Ideas)).Add(time.Duration(rng.Int64N(int64(time.Hour))))
		author := people[rng.IntN(len(people))].ID
		theme := b.Themes[rng.IntN(len(b.Themes))].ID
		title, text := ideaText(rng)
		rows[i] = idea.Idea{InstrumentID: b.InstrumentID, AuthorID: &author, Title: title, Description: text, ThemeID: &theme,
			Wijk: wijken[rng.IntN(len(wijken))], Moderation: idea.Approved, Status: idea.StatusNew, CreatedAt: created, UpdatedAt: created}
		switch r := rng.IntN(1000); {
		case r < 10:
			rows[i].Moderation = idea.Awaiting
		case r < 20:
			rows[i].Moderation = idea.Hidden
		case r < 30:
			rows[i].Status = idea.StatusWithdrawn
		case r < 130:
			rows[i].Status = idea.StatusUnderConsideration
		case r < 210:
			rows[i].Status = idea.StatusAccepted
		case r < 280:
			rows[i].Status = idea.StatusRejected
		case r < 320:
			rows[i].Status = idea.StatusDone
		}
	}

	// Supports: only ideas that were public when supported (withdrawn ones
	// keep theirs), never by the author, at most one per participant. A
	// random rank decides popularity (see spread).
	var open []int
	for i := range rows {
		if rows[i].Moderation == idea.Approved {
			open = append(open, i)
		}
	}
	want := spread(o.Supports, len(open), o.Participants-1, rng)
	supports := make([]idea.Support, 0, o.Supports)
	var register []participation.Participation
	for k, i := range open {
		n := int64(want[k])
		if n == 0 {
			continue
		}
		r := &rows[i]
		for _, who := range rng.Perm(o.Participants) {
			if r.SupportCount == n {
				break
			}
			if people[who].ID == *r.AuthorID {
				continue
			}
			pid := people[who].ID
			at := r.CreatedAt.Add(time.Duration(rng.Int64N(int64(now.Sub(r.CreatedAt)))))
			supports = append(supports, idea.Support{IdeaID: int64(i), ParticipantID: &pid, CreatedAt: at})
			register = append(register, participation.Participation{Kind: participation.Support, RefID: int64(i),
				InstrumentID: b.InstrumentID, Voter: participation.VoterID(o.Key, "support", b.InstrumentID, people[who].Subject)})
			r.SupportCount++
		}
	}
	if err := bulk(ctx, db, &rows, 300); err != nil {
		return nil, fmt.Errorf("ideadata: ideas: %w", err)
	}
	for k := range supports {
		supports[k].IdeaID = rows[supports[k].IdeaID].ID // index → id, now that ids exist
		register[k].RefID = supports[k].IdeaID
	}
	if err := bulk(ctx, db, &supports, 1000); err != nil {
		return nil, fmt.Errorf("ideadata: supports: %w", err)
	}
	if err := bulk(ctx, db, &register, 1000); err != nil {
		return nil, fmt.Errorf("ideadata: voter register: %w", err)
	}
	res.Supports = len(supports)

	// Each idea the municipality has answered gets its one response.
	var changes []idea.StatusChange
	for i := range rows {
		if st := rows[i].Status; st != idea.StatusNew {
			resp := responses[st]
			changes = append(changes, idea.StatusChange{IdeaID: rows[i].ID, Status: st, Response: resp,
				CreatedAt: rows[i].CreatedAt.Add(now.Sub(rows[i].CreatedAt) / 2)})
		}
	}
	if err := bulk(ctx, db, &changes, 500); err != nil {
		return nil, fmt.Errorf("ideadata: status changes: %w", err)
	}
	for i := range rows {
		if rows[i].Public() {
			res.Public++
			res.MaxSupports = max(res.MaxSupports, rows[i].SupportCount)
			if rows[i].SupportCount == 0 {
				res.NoSupports++
			}
		}
	}
	if db.Dialect == store.Postgres {
		// Autovacuum would do this within a minute of the inserts; the
		// benchmark should not depend on whether it has run yet.
		if err := db.WithContext(ctx).Exec("ANALYZE").Error; err != nil {
			return nil, err
		}
	}
	return res, nil
}

// Check recounts every idea of the board from its support rows and
// reports the first idea whose support_count differs.
func Check(ctx context.Context, db *store.DB, instrumentID int64) error {
	var bad []struct {
		ID           int64
		SupportCount int64
		Rows         int64
	}
	err := db.WithContext(ctx).Raw(`SELECT ideas.id, ideas.support_count,
		(SELECT COUNT(*) FROM idea_supports s WHERE s.idea_id = ideas.id) AS rows
		FROM ideas WHERE ideas.instrument_id = ?`, instrumentID).Scan(&bad).Error
	if err != nil {
		return err
	}
	for _, r := range bad {
		if r.SupportCount != r.Rows {
			return fmt.Errorf("ideadata: idea %d has support_count %d and %d support rows", r.ID, r.SupportCount, r.Rows)
		}
	}
	return nil
}

// spread divides total supports over n ideas: each support goes to an
// idea drawn with a weight falling off as 1/(rank+20) over a random rank,
// at most limit per idea. Drawing (rather than rounding the shares) leaves
// some ideas of the long tail without any support, as on a real board.
func spread(total, n, limit int, rng *rand.Rand) []int {
	out := make([]int, n)
	if n == 0 {
		return out
	}
	rank := rng.Perm(n)
	cum := make([]float64, n)
	var sum float64
	for i := range cum {
		sum += 1 / float64(rank[i]+20)
		cum[i] = sum
	}
	for given := 0; given < total; {
		i, _ := slices.BinarySearch(cum, rng.Float64()*sum)
		if i < n && out[i] < limit {
			out[i]++
			given++
		}
	}
	return out
}

// bulk inserts rows in batches inside one transaction.
func bulk[T any](ctx context.Context, db *store.DB, rows *[]T, batch int) error {
	if len(*rows) == 0 {
		return nil
	}
	return db.WithTx(ctx, func(tx *gorm.DB) error {
		return tx.Session(&gorm.Session{SkipHooks: true}).CreateInBatches(rows, batch).Error
	})
}

func dayIn(t time.Time) time.Time {
	l := t.In(i18n.Location)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, i18n.Location)
}

func ptr[T any](v T) *T { return &v }

var wijken = []string{"Centrum", "Noord", "Oost", "Zuid", "West", "De Brink", "Vogelbuurt", "Bloemenbuurt", ""}

var firstNames = []string{"Anne", "Bas", "Carla", "Dirk", "Els", "Fatima", "Gert", "Hanna", "Ivo", "Jasmijn", "Kees", "Lotte",
	"Mehmet", "Noor", "Olaf", "Petra", "Ruud", "Sanne", "Tom", "Yara"}

// displayName is a first name and an initial, as people tend to choose.
func displayName(i int) string {
	return fmt.Sprintf("%s %c.", firstNames[i%len(firstNames)], 'A'+rune(i/len(firstNames)%26))
}

// streets carry no article; they complete "aan de …", "in de …".
var streets = []string{"Lindelaan", "Molenweg", "Kerkstraat", "Dorpsstraat", "Schoolstraat", "Beukenlaan", "Stationsweg",
	"Parkweg", "Julianastraat", "Emmastraat", "Nieuwstraat", "Burgemeester de Wijslaan", "Rozenstraat", "Eikenlaan",
	"Weverstraat", "Havenkade", "Merelstraat", "Vijverlaan", "Sportlaan", "Marktstraat"}

type template struct{ title, text string }

// ideaTemplates: %s is a street name.
var ideaTemplates = []template{
	{"Meer bomen langs de %s", "Langs de %s staat bijna geen boom. In de zomer is het er heet en er is nergens schaduw. Een rij bomen maakt de straat koeler en mooier, en vogels hebben weer een plek."},
	{"Een zebrapad bij de school aan de %s", "Kinderen steken elke ochtend de %s over om naar school te gaan. Auto's rijden daar vaak te hard. Een zebrapad met een verkeersdrempel maakt het veel veiliger."},
	{"Bankjes langs de %s", "Voor ouderen is de wandeling langs de %s te lang zonder plek om even te zitten. Een paar bankjes, liefst in de schaduw, zouden veel mensen helpen."},
	{"Speeltoestellen op het grasveld aan de %s", "Het grasveld aan de %s wordt weinig gebruikt. Met een klimrek, een schommel en een paar bankjes wordt het een fijne plek voor jonge gezinnen uit de buurt."},
	{"Minder hard rijden in de %s", "In de %s wordt veel te hard gereden, terwijl er kinderen buiten spelen. Maak er een 30-kilometerstraat van, met drempels of bloembakken die auto's laten afremmen."},
	{"Tegels eruit, groen erin aan de %s", "Aan de %s is alles bestraat. Als er een paar plantvakken komen, kan het regenwater de grond in en blijft de straat bij hevige regen droog. Bewoners willen graag meehelpen met het onderhoud."},
	{"Fietsenrekken bij de winkels aan de %s", "Bij de winkels aan de %s staan fietsen overal op de stoep, omdat er te weinig rekken zijn. Dat is lastig voor mensen met een rollator of kinderwagen. Meer fietsenrekken lossen dat op."},
	{"Een afvalbak en hondenpoepbakken aan de %s", "Langs de %s ligt vaak zwerfafval en hondenpoep. Er staat geen enkele afvalbak. Een paar bakken op logische plekken helpen om de straat schoon te houden."},
	{"Betere verlichting op het fietspad bij de %s", "Het fietspad bij de %s is 's avonds erg donker. Veel mensen fietsen er na hun werk of sport langs en voelen zich niet veilig. Betere verlichting zou veel schelen."},
	{"Een buurtfeest op het plein aan de %s", "Veel buren aan de %s kennen elkaar nauwelijks. Een jaarlijks buurtfeest op het plein brengt mensen samen. Wij organiseren het graag zelf als de gemeente helpt met een vergunning en wat tafels."},
	{"Een moestuin voor de buurt bij de %s", "Bij de %s ligt een stuk grond waar niets mee gebeurt. Een buurtmoestuin is gezond, leerzaam voor kinderen en brengt buren bij elkaar. Wij zorgen zelf voor het onderhoud."},
	{"Een watertappunt in het park bij de %s", "In het park bij de %s sporten en wandelen veel mensen. Op warme dagen is er nergens drinkwater. Een watertappunt is fijn voor iedereen, ook voor honden."},
}

var additions = []string{
	"", " Ik heb er al met een paar buren over gesproken en zij vinden het ook een goed idee.",
	" Misschien kan de gemeente eerst een proef doen voor een jaar.",
	" In de buurgemeente hebben ze dit al gedaan, en daar zijn de bewoners er heel blij mee.",
	" Graag hoor ik wat andere bewoners ervan vinden.",
}

func ideaText(rng *rand.Rand) (string, string) {
	t := ideaTemplates[rng.IntN(len(ideaTemplates))]
	s := streets[rng.IntN(len(streets))]
	return fmt.Sprintf(t.title, s), strings.TrimSpace(fmt.Sprintf(t.text, s) + additions[rng.IntN(len(additions))])
}

var responses = map[idea.Status]string{
	idea.StatusUnderConsideration: "Bedankt voor uw idee. Wij bekijken wat er mogelijk is en wat het kost. U hoort binnen twee maanden van ons.",
	idea.StatusAccepted:           "Wij gaan dit doen. Op deze pagina leest u wanneer het klaar is.",
	idea.StatusRejected:           "Bedankt voor uw idee. Wij voeren het niet uit, omdat er op deze plek te weinig ruimte is. Op deze pagina leest u waarom.",
	idea.StatusDone:               "Het is klaar. Bedankt voor uw idee en voor de steun van uw buren.",
	idea.StatusWithdrawn:          "",
}
