package idea_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var midden = identity.Levels(identity.DigiD)[1]

type fixture struct {
	db    *store.DB
	ideas *idea.Service
	proj  int64
	staff int64
	now   time.Time
	sent  []sent
	mu    sync.Mutex
}

type sent struct {
	to int64
	e  idea.Event
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := testdb.Open(t)
	p, err := project.NewService(db).Create(context.Background(), identity.SystemActor("test"), project.Draft{Slug: "groen", Title: "Groener", Summary: "Meer groen."})
	if err != nil {
		t.Fatal(err)
	}
	// Residents take part only while the project is published.
	if err := db.Model(&project.Project{}).Where("id = ?", p.ID).Update("status", project.StatusPublished).Error; err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, ideas: idea.NewService(db, []byte("test-key-0123456789-0123456789-01")), proj: p.ID,
		now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	f.ideas.SetClock(func() time.Time { return f.now })
	st := identity.StaffMember{Issuer: "http://idp", Subject: "redacteur-1", Name: "Redacteur", CreatedAt: f.now, LastLoginAt: f.now}
	if err := db.Create(&st).Error; err != nil {
		t.Fatal(err)
	}
	f.staff = st.ID
	f.ideas.SetNotifier(func(_ context.Context, _ *gorm.DB, to int64, e idea.Event) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.sent = append(f.sent, sent{to, e})
		return nil
	})
	return f
}

func (f *fixture) board(t *testing.T, edit func(d *idea.BoardDraft)) *idea.Board {
	t.Helper()
	opens, closes := f.now.Add(-time.Hour), f.now.Add(30*24*time.Hour)
	d := idea.BoardDraft{ProjectID: f.proj, Slug: fmt.Sprintf("ideeen-%d", time.Now().UnixNano()), Title: "Uw ideeën voor groen",
		Published: true, Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
		Themes: []string{"Bomen", "Speelplekken", "Geveltuinen"}}
	if edit != nil {
		edit(&d)
	}
	b, err := f.ideas.CreateBoard(context.Background(), identity.SystemActor("test"), d)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) person(t *testing.T, n int) idea.Actor {
	t.Helper()
	p := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", n), KeyVersion: 1, Means: identity.DigiD, LoA: midden,
		DisplayName: fmt.Sprintf("Bewoner %d", n), CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return idea.Actor{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
}

func (f *fixture) submit(t *testing.T, b *idea.Board, a idea.Actor, title string) *idea.Idea {
	t.Helper()
	th := b.Themes[0].ID
	i, err := f.ideas.Submit(context.Background(), b.InstrumentID, a, idea.Draft{Title: title,
		Description: "Een wat langere uitleg over dit idee voor de buurt.", ThemeID: &th})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func code(err error) apperror.Code {
	if e, ok := apperror.As(err); ok {
		return e.Code
	}
	return ""
}

func fields(err error) map[string]string {
	if e, ok := apperror.As(err); ok {
		return e.Fields
	}
	return nil
}

func (f *fixture) checkCount(t *testing.T, ideaID, want int64) {
	t.Helper()
	i, err := f.ideas.Get(context.Background(), ideaID)
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.ideas.Recount(context.Background(), ideaID)
	if err != nil {
		t.Fatal(err)
	}
	if i.SupportCount != want || n != want {
		t.Fatalf("support count %d, recount %d, want %d", i.SupportCount, n, want)
	}
}

func TestSubmitValidatesAndChangesNothingOnBadInput(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	b := f.board(t, nil)
	a := f.person(t, 1)
	other := int64(999999)
	long := make([]rune, idea.MaxDescription+1)
	for i := range long {
		long[i] = 'x'
	}
	cases := []struct {
		d     idea.Draft
		field string
		key   string
	}{
		{idea.Draft{Description: "Een wat langere uitleg over dit idee."}, "titel", "idea.error.title_required"},
		{idea.Draft{Title: "Boom", Description: "Een wat langere uitleg over dit idee."}, "titel", "idea.error.title_too_short"},
		{idea.Draft{Title: "Meer bomen", Description: "Te kort."}, "beschrijving", "idea.error.description_too_short"},
		{idea.Draft{Title: "Meer bomen", Description: string(long)}, "beschrijving", "idea.error.description_too_long"},
		{idea.Draft{Title: "Meer bomen", Description: "Een wat langere uitleg over dit idee."}, "thema", "idea.error.theme_required"},
		{idea.Draft{Title: "Meer bomen", Description: "Een wat langere uitleg over dit idee.", ThemeID: &other}, "thema", "idea.error.theme_unknown"},
	}
	for _, c := range cases {
		_, err := f.ideas.Submit(context.Background(), b.InstrumentID, a, c.d)
		if got := fields(err)[c.field]; got != c.key {
			t.Errorf("%+v: field %s = %q, want %q (%v)", c.d, c.field, got, c.key, err)
		}
	}
	var n int64
	testdb.NoError(t, f.db.Model(&idea.Idea{}).Count(&n).Error)
	if n != 0 {
		t.Fatalf("%d ideas stored from bad input", n)
	}
}

func TestPreModeratedIdeaWaitsAndOnlyItsAuthorSeesIt(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, func(d *idea.BoardDraft) { d.Board.Moderation = idea.PreModeration })
	a, other := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, a, "Bankjes in het park")
	if i.Moderation != idea.Awaiting || i.Public() {
		t.Fatalf("pre-moderated idea is %s, public %v", i.Moderation, i.Public())
	}
	page, err := f.ideas.List(ctx, b.InstrumentID, idea.Query{})
	if err != nil || page.Total != 0 {
		t.Fatalf("board lists %d ideas awaiting moderation (%v)", page.Total, err)
	}
	if !idea.Visible(i, a.ParticipantID) || idea.Visible(i, other.ParticipantID) || idea.Visible(i, 0) {
		t.Fatal("awaiting idea: author must see it, nobody else")
	}
	if err := f.ideas.Support(ctx, i.ID, other); code(err) != apperror.NotFound {
		t.Fatalf("support of an idea awaiting moderation: %v", err)
	}
	post := f.board(t, nil)
	j := f.submit(t, post, a, "Bankjes bij de vijver")
	if !j.Public() {
		t.Fatal("post-moderated idea is not public at once")
	}
}

func TestOneSupportPerParticipantAndCountEqualsRecount(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	author, x, y := f.person(t, 1), f.person(t, 2), f.person(t, 3)
	i := f.submit(t, b, author, "Meer bomen in de straat")

	if err := f.ideas.Support(ctx, i.ID, author); code(err) != apperror.Conflict {
		t.Fatalf("author supports own idea: %v", err)
	}
	for range 3 {
		if err := f.ideas.Support(ctx, i.ID, x); err != nil {
			t.Fatal(err)
		}
	}
	f.checkCount(t, i.ID, 1)
	if err := f.ideas.Support(ctx, i.ID, y); err != nil {
		t.Fatal(err)
	}
	f.checkCount(t, i.ID, 2)
	mine, _, err := f.ideas.Supports(ctx, b.InstrumentID, x, []int64{i.ID})
	if err != nil || !mine[i.ID] {
		t.Fatalf("x's supports: %v %v", mine, err)
	}
	for range 2 {
		if err := f.ideas.Unsupport(ctx, i.ID, x); err != nil {
			t.Fatal(err)
		}
	}
	f.checkCount(t, i.ID, 1)
}

func TestSupportFollowsTheBoardsSupportRules(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	later := f.now.Add(24 * time.Hour)
	b := f.board(t, func(d *idea.BoardDraft) { d.Board.SupportOpensAt = &later })
	author, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, author, "Een speeltuin erbij")
	if err := f.ideas.Support(ctx, i.ID, x); code(err) != apperror.Closed {
		t.Fatalf("support before the support period: %v", err)
	}
	f.now = later.Add(time.Minute)
	if err := f.ideas.Support(ctx, i.ID, x); err != nil {
		t.Fatalf("support in the support period: %v", err)
	}
	business := x
	business.Person.Means = identity.EHerkenning
	digidOnly := f.board(t, func(d *idea.BoardDraft) { d.Board.SupportWho = instrument.WhoDigiD })
	j := f.submit(t, digidOnly, author, "Een moestuin voor iedereen")
	if err := f.ideas.Support(ctx, j.ID, business); code(err) != apperror.Forbidden {
		t.Fatalf("business supports on a DigiD-only board: %v", err)
	}
	f.now = f.now.Add(60 * 24 * time.Hour)
	if err := f.ideas.Support(ctx, j.ID, x); code(err) != apperror.Closed {
		t.Fatalf("support after closing: %v", err)
	}
}

func TestSubmissionEndsBeforeSupport(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	end := f.now.Add(time.Hour)
	b := f.board(t, func(d *idea.BoardDraft) { d.Board.SubmitClosesAt = &end })
	a, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, a, "Fietsenrekken bij de school")
	f.now = end.Add(time.Minute)
	th := b.Themes[0].ID
	_, err := f.ideas.Submit(ctx, b.InstrumentID, a, idea.Draft{Title: "Nog een idee", Description: "Een wat langere uitleg over dit idee.", ThemeID: &th})
	if code(err) != apperror.Closed {
		t.Fatalf("submit after submission closed: %v", err)
	}
	if err := f.ideas.Support(ctx, i.ID, x); err != nil {
		t.Fatalf("support after submission closed but before the board closes: %v", err)
	}
}

func TestEditOnlyByAuthorAndUntilSupportedOrCommented(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, a, "Meer bankjes")
	th := b.Themes[1].ID
	d := idea.Draft{Title: "Meer bankjes in het park", Description: "Nu met een betere uitleg over waar precies.", ThemeID: &th}
	if err := f.ideas.Edit(ctx, i.ID, x, d); code(err) != apperror.Forbidden {
		t.Fatalf("someone else edits: %v", err)
	}
	if err := f.ideas.Edit(ctx, i.ID, a, d); err != nil {
		t.Fatal(err)
	}
	got, _ := f.ideas.Get(ctx, i.ID)
	if got.Title != d.Title || got.EditedAt == nil || *got.ThemeID != th {
		t.Fatalf("edit not stored: %+v", got)
	}
	// The author's own comment does not lock the idea; someone else's does.
	if _, err := f.ideas.Comment(ctx, i.ID, nil, a, "Aanvulling van mijzelf."); err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.Edit(ctx, i.ID, a, d); err != nil {
		t.Fatalf("edit after own comment: %v", err)
	}
	if _, err := f.ideas.Comment(ctx, i.ID, nil, x, "Goed idee!"); err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.Edit(ctx, i.ID, a, d); code(err) != apperror.Conflict {
		t.Fatalf("edit after someone commented: %v", err)
	}
	j := f.submit(t, b, a, "Een watertappunt")
	if err := f.ideas.Support(ctx, j.ID, x); err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.Edit(ctx, j.ID, a, d); code(err) != apperror.Conflict {
		t.Fatalf("edit after a support: %v", err)
	}
}

func TestWithdrawHidesTheIdeaAndIsInTheHistory(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, a, "Een hondenuitlaatplek")
	if err := f.ideas.Withdraw(ctx, i.ID, x); code(err) != apperror.Forbidden {
		t.Fatalf("someone else withdraws: %v", err)
	}
	for range 2 {
		if err := f.ideas.Withdraw(ctx, i.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	page, _ := f.ideas.List(ctx, b.InstrumentID, idea.Query{})
	if page.Total != 0 {
		t.Fatal("a withdrawn idea is still listed")
	}
	h, _ := f.ideas.History(ctx, i.ID)
	if len(h) != 1 || h[0].Status != idea.StatusWithdrawn {
		t.Fatalf("history after withdrawing twice: %+v", h)
	}
	if err := f.ideas.Support(ctx, i.ID, x); code(err) != apperror.Conflict {
		t.Fatalf("support of a withdrawn idea: %v", err)
	}
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, i.ID, idea.StatusAccepted, "Goed idee."); code(err) != apperror.Conflict {
		t.Fatalf("status on a withdrawn idea: %v", err)
	}
}

func TestCommentsRepliesEditWindowAndDelete(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, x, y := f.person(t, 1), f.person(t, 2), f.person(t, 3)
	i := f.submit(t, b, a, "Een ijsbaan in de winter")
	top, err := f.ideas.Comment(ctx, i.ID, nil, x, "Leuk voor kinderen.")
	if err != nil {
		t.Fatal(err)
	}
	reply, err := f.ideas.Comment(ctx, i.ID, &top.ID, y, "Eens!")
	if err != nil {
		t.Fatal(err)
	}
	// A reply to a reply joins the same thread.
	deeper, err := f.ideas.Comment(ctx, i.ID, &reply.ID, x, "Fijn dat u het eens bent.")
	if err != nil || *deeper.ParentID != top.ID {
		t.Fatalf("reply to a reply: %+v %v", deeper, err)
	}
	if len(f.sent) != 2 || f.sent[0].to != x.ParticipantID || f.sent[0].e.Kind != "reply" || f.sent[1].to != y.ParticipantID {
		t.Fatalf("reply notices: %+v", f.sent)
	}
	if _, err := f.ideas.Comment(ctx, i.ID, nil, x, "   "); fields(err)["reactie"] != "idea.error.comment_required" {
		t.Fatalf("empty comment: %v", err)
	}
	if err := f.ideas.EditComment(ctx, top.ID, y, "Niet van mij."); code(err) != apperror.Forbidden {
		t.Fatalf("edit someone else's comment: %v", err)
	}
	f.now = f.now.Add(14 * time.Minute)
	if err := f.ideas.EditComment(ctx, top.ID, x, "Leuk voor kinderen en ouders."); err != nil {
		t.Fatalf("edit within 15 minutes: %v", err)
	}
	f.now = f.now.Add(2 * time.Minute)
	if err := f.ideas.EditComment(ctx, top.ID, x, "Te laat."); code(err) != apperror.Conflict {
		t.Fatalf("edit after 15 minutes: %v", err)
	}
	if err := f.ideas.DeleteComment(ctx, top.ID, x); err != nil {
		t.Fatal(err)
	}
	page, err := f.ideas.Comments(ctx, i.ID, 0, idea.CommentQuery{})
	thread := page.Comments
	if err != nil || len(thread) != 1 || !thread[0].Deleted() || thread[0].Body != "" || len(thread[0].Replies) != 2 {
		t.Fatalf("thread after deleting the top comment: %+v %v", thread, err)
	}
	got, _ := f.ideas.Get(ctx, i.ID)
	if got.CommentCount != 2 {
		t.Fatalf("comment count %d after one of three deleted", got.CommentCount)
	}
}

func TestStatusChangeWithResponseIsHistoryAndTellsTheAuthor(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a := f.person(t, 1)
	i := f.submit(t, b, a, "Een bloemenweide")
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, i.ID, "bestaat-niet", "Antwoord"); fields(err)["status"] == "" {
		t.Fatalf("unknown status: %v", err)
	}
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, i.ID, idea.StatusAccepted, " "); fields(err)["reactie"] != "idea.error.response_required" {
		t.Fatalf("status without response: %v", err)
	}
	if len(f.sent) != 0 {
		t.Fatal("refused status change sent a notice")
	}
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, i.ID, idea.StatusUnderConsideration, "We kijken of het past."); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, i.ID, idea.StatusAccepted, "We gaan het doen in het voorjaar."); err != nil {
		t.Fatal(err)
	}
	h, _ := f.ideas.History(ctx, i.ID)
	if len(h) != 2 || h[0].Status != idea.StatusUnderConsideration || h[1].Response != "We gaan het doen in het voorjaar." {
		t.Fatalf("history: %+v", h)
	}
	if len(f.sent) != 2 || f.sent[1].to != a.ParticipantID || f.sent[1].e.Kind != "idea_status" {
		t.Fatalf("status notices: %+v", f.sent)
	}
	mine, err := f.ideas.MineOf(ctx, a.ParticipantID)
	if err != nil || len(mine.Ideas) != 1 || mine.Ideas[0].Status != idea.StatusAccepted || mine.Ideas[0].Response != "We gaan het doen in het voorjaar." {
		t.Fatalf("mine: %+v %v", mine, err)
	}
}

// The random order is a permutation fixed by the seed: paging through it
// shows every idea exactly once, and another seed gives another order.
func TestRandomOrderIsStablePerSeedAndDiffersBetweenSeeds(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a := f.person(t, 1)
	n := idea.PerPage*2 + 7
	for k := range n {
		f.submit(t, b, a, fmt.Sprintf("Idee nummer %d", k))
	}
	walk := func(seed uint64) []int64 {
		var ids []int64
		for pg := 1; ; pg++ {
			p, err := f.ideas.List(ctx, b.InstrumentID, idea.Query{Sort: idea.SortRandom, Seed: seed, Page: pg})
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range p.Ideas {
				ids = append(ids, i.ID)
			}
			if pg >= p.Pages {
				return ids
			}
		}
	}
	first := walk(12345)
	if len(first) != n {
		t.Fatalf("paged through %d ideas, want %d", len(first), n)
	}
	sorted := slices.Clone(first)
	slices.Sort(sorted)
	if len(slices.Compact(sorted)) != n {
		t.Fatal("an idea was shown twice")
	}
	if !slices.Equal(first, walk(12345)) {
		t.Fatal("the same seed gave another order")
	}
	if slices.Equal(first, walk(987654321)) {
		t.Fatal("two seeds gave the same order")
	}
	if slices.IsSorted(first) || slices.IsSortedFunc(first, func(x, y int64) int { return int(y - x) }) {
		t.Fatal("the random order is just the order of submission")
	}
}

func TestListFiltersAndSorts(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, x, y := f.person(t, 1), f.person(t, 2), f.person(t, 3)
	one := f.submit(t, b, a, "Bomen aan de singel")
	th := b.Themes[2].ID
	two, err := f.ideas.Submit(ctx, b.InstrumentID, a, idea.Draft{Title: "Geveltuinen overal", Description: "Een wat langere uitleg over dit idee.", ThemeID: &th})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Minute)
	three := f.submit(t, b, a, "Bomen bij het station")
	for _, p := range []idea.Actor{x, y} {
		if err := f.ideas.Support(ctx, two.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.ideas.Support(ctx, one.ID, x); err != nil {
		t.Fatal(err)
	}
	if err := f.ideas.SetStatus(ctx, identity.Actor{StaffID: f.staff, Roles: []identity.Role{identity.RoleEditor}}, one.ID, idea.StatusDone, "Geplant."); err != nil {
		t.Fatal(err)
	}
	ids := func(q idea.Query) []int64 {
		p, err := f.ideas.List(ctx, b.InstrumentID, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, i := range p.Ideas {
			if i.AuthorName != "Bewoner 1" {
				t.Fatalf("author name %q", i.AuthorName)
			}
			out = append(out, i.ID)
		}
		return out
	}
	if got := ids(idea.Query{Sort: idea.SortSupport}); !slices.Equal(got, []int64{two.ID, one.ID, three.ID}) {
		t.Errorf("most supported: %v", got)
	}
	if got := ids(idea.Query{Sort: idea.SortNewest}); got[0] != three.ID {
		t.Errorf("newest: %v", got)
	}
	t0 := b.Themes[0].ID
	if got := ids(idea.Query{Sort: idea.SortNewest, ThemeID: &t0}); !slices.Equal(got, []int64{three.ID, one.ID}) {
		t.Errorf("theme filter: %v", got)
	}
	if got := ids(idea.Query{Status: idea.StatusDone}); !slices.Equal(got, []int64{one.ID}) {
		t.Errorf("status filter: %v", got)
	}
}

func TestEraseUnlinksKeepsCountsAndBlanksComments(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a, x := f.person(t, 1), f.person(t, 2)
	i := f.submit(t, b, a, "Een buurtbibliotheek")
	j := f.submit(t, b, x, "Een picknicktafel")
	if err := f.ideas.Support(ctx, j.ID, a); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ideas.Comment(ctx, j.ID, nil, a, "Mijn naam is Jan en ik woon op nummer 4."); err != nil {
		t.Fatal(err)
	}
	if err := f.db.WithTx(ctx, func(tx *gorm.DB) error { return idea.Erase(tx, a.ParticipantID, f.now) }); err != nil {
		t.Fatal(err)
	}
	got, _ := f.ideas.Get(ctx, i.ID)
	if got.AuthorID != nil || !got.Public() {
		t.Fatalf("erased author's idea: author %v, public %v", got.AuthorID, got.Public())
	}
	f.checkCount(t, j.ID, 1)
	page, _ := f.ideas.Comments(ctx, j.ID, 0, idea.CommentQuery{})
	thread := page.Comments
	if len(thread) != 1 || !thread[0].Deleted() || thread[0].Body != "" || thread[0].AuthorID != nil {
		t.Fatalf("erased author's comment: %+v", thread)
	}
	mine, _ := f.ideas.MineOf(ctx, a.ParticipantID)
	if len(mine.Ideas)+len(mine.Comments)+len(mine.Supports) != 0 {
		t.Fatalf("still linked after erasure: %+v", mine)
	}
}

// 200 participants each support the same idea 5 times at once (and take
// some back): each support is stored once and the count equals the rows.
func TestConcurrentSupportsCountOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	author := f.person(t, 0)
	i := f.submit(t, b, author, "Een drukbezocht idee")
	people, repeats := 40, 5
	if testdb.Postgres() {
		people = 200
	}
	actors := make([]idea.Actor, people)
	for k := range actors {
		actors[k] = f.person(t, k+1)
	}
	var wg sync.WaitGroup
	errs := make(chan error, people*repeats)
	for _, a := range actors {
		for range repeats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := f.ideas.Support(ctx, i.ID, a); err != nil {
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("support failed: %v", err)
	}
	f.checkCount(t, i.ID, int64(people))
}

func TestUpdateBoardThemesAndSettings(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, nil)
	a := f.person(t, 1)
	f.submit(t, b, a, "Een boom op het plein") // uses theme 0
	used, unused, third := b.Themes[0].ID, b.Themes[1].ID, b.Themes[2].ID
	before := b.Instrument.UpdatedAt
	f.now = f.now.Add(time.Minute)

	refused := []idea.BoardSettings{
		{Moderation: idea.PostModeration, Remove: []int64{used}},
		{Moderation: idea.PostModeration, Rename: map[int64]string{unused: "Bomen"}},
		{Moderation: idea.PostModeration, Add: []string{"speelplekken"}},
		{Moderation: idea.PostModeration, Rename: map[int64]string{third: " "}},
		{Moderation: "streng"},
	}
	for _, st := range refused {
		if err := f.ideas.UpdateBoard(ctx, identity.SystemActor("test"), b.InstrumentID, st); code(err) != apperror.Invalid {
			t.Errorf("%+v: %v, want a field message", st, err)
		}
	}
	got, _ := f.ideas.Board(ctx, b.InstrumentID)
	if len(got.Themes) != 3 || got.Themes[1].Name != "Speelplekken" || !got.Instrument.UpdatedAt.Equal(before) {
		t.Fatalf("refused edits changed the board: %+v", got)
	}

	later := f.now.Add(48 * time.Hour)
	err := f.ideas.UpdateBoard(ctx, identity.SystemActor("test"), b.InstrumentID, idea.BoardSettings{Moderation: idea.PreModeration, SupportOpensAt: &later,
		SupportWho: instrument.WhoDigiD, Rename: map[int64]string{used: "Bomen en struiken"}, Remove: []int64{unused}, Add: []string{"Water"}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = f.ideas.Board(ctx, b.InstrumentID)
	var names []string
	for _, th := range got.Themes {
		names = append(names, th.Name)
	}
	if !slices.Equal(names, []string{"Bomen en struiken", "Geveltuinen", "Water"}) || got.Moderation != idea.PreModeration ||
		got.SupportWho != instrument.WhoDigiD || got.SupportOpensAt == nil || !got.Instrument.UpdatedAt.After(before) {
		t.Fatalf("board after the edit: %+v, themes %v", got, names)
	}
}
