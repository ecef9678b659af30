package moderation_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/idea"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/moderation"
	"inspraak/internal/project"
	"inspraak/internal/setting"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

var midden = identity.Levels(identity.DigiD)[1]

type notice struct {
	to  int64
	key string
}

type fixture struct {
	db      *store.DB
	ideas   *idea.Service
	mod     *moderation.Service
	proj    int64
	now     time.Time
	mu      sync.Mutex
	notices []notice
	n       int
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
	key := []byte("test-key-0123456789-0123456789-01")
	f := &fixture{db: db, ideas: idea.NewService(db, key), mod: moderation.NewService(db, key, audit.New(db), setting.NewService(db)),
		proj: p.ID, now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}
	clock := func() time.Time {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.now
	}
	f.ideas.SetClock(clock)
	f.mod.SetClock(clock)
	f.ideas.SetModeration(f.mod)
	f.mod.SetNotifier(func(_ context.Context, _ *gorm.DB, to int64, n moderation.Notice) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notices = append(f.notices, notice{to, n.Key})
		return nil
	})
	f.ideas.SetNotifier(func(_ context.Context, _ *gorm.DB, to int64, e idea.Event) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.notices = append(f.notices, notice{to, e.Key})
		return nil
	})
	return f
}

func (f *fixture) later(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func (f *fixture) noticesFor(to int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, n := range f.notices {
		if n.to == to {
			out = append(out, n.key)
		}
	}
	return out
}

func (f *fixture) board(t *testing.T, mode string) *idea.Board {
	t.Helper()
	opens, closes := f.now.Add(-time.Hour), f.now.Add(30*24*time.Hour)
	f.n++
	b, err := f.ideas.CreateBoard(context.Background(), identity.SystemActor("test"), idea.BoardDraft{ProjectID: f.proj, Slug: fmt.Sprintf("bord-%d", f.n),
		Title: "Ideeën voor groen", Published: true, Rules: instrument.Instrument{Who: instrument.WhoAny, OpensAt: &opens, ClosesAt: &closes},
		Board: idea.Board{Moderation: mode}, Themes: []string{"Bomen"}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (f *fixture) person(t *testing.T) idea.Actor {
	t.Helper()
	f.n++
	p := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", f.n), KeyVersion: 1, Means: identity.DigiD, LoA: midden,
		DisplayName: fmt.Sprintf("Bewoner %d", f.n), CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return idea.Actor{ParticipantID: p.ID, Subject: p.Subject, Person: instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: midden}}
}

func (f *fixture) moderator(t *testing.T, name string) moderation.Staff {
	t.Helper()
	st := identity.StaffMember{Issuer: "http://idp", Subject: name, Name: name, Roles: "moderator", CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&st).Error; err != nil {
		t.Fatal(err)
	}
	return moderation.Staff{ID: st.ID, Name: name, Roles: st.RoleList()}
}

func (f *fixture) submit(t *testing.T, b *idea.Board, a idea.Actor, title, text string) *idea.Idea {
	t.Helper()
	th := b.Themes[0].ID
	i, err := f.ideas.Submit(context.Background(), b.InstrumentID, a, idea.Draft{Title: title, Description: text, ThemeID: &th})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func (f *fixture) idea(t *testing.T, id int64) *idea.Idea {
	t.Helper()
	i, err := f.ideas.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

// item returns the queue item of a contribution (none: ID 0).
func (f *fixture) item(t *testing.T, kind moderation.Kind, id int64) moderation.Item {
	t.Helper()
	var it moderation.Item
	if err := f.db.Where("kind = ? AND target_id = ?", kind, id).Find(&it).Error; err != nil {
		t.Fatal(err)
	}
	return it
}

func code(err error) apperror.Code {
	if e, ok := apperror.As(err); ok {
		return e.Code
	}
	return ""
}

func key(err error) string {
	if e, ok := apperror.As(err); ok {
		if e.Key == "error.form_invalid" {
			for _, v := range e.Fields {
				return v
			}
		}
		return e.Key
	}
	return ""
}

// mustDecide claims an item and decides on it.
func (f *fixture) mustDecide(t *testing.T, st moderation.Staff, itemID int64, d moderation.Decision) {
	t.Helper()
	ctx := context.Background()
	if err := f.mod.Claim(ctx, st, itemID); err != nil {
		t.Fatalf("claim: %v", err)
	}
	if err := f.mod.Decide(ctx, st, itemID, d); err != nil {
		t.Fatalf("decide %s: %v", d.Action, err)
	}
}

const plain = "Meer bomen langs de Dorpsstraat, tussen huisnummer 12 en 48, graag voor 2027."

// Screening queues and never refuses: personal data keeps the idea from
// the public until a moderator has looked, an abusive word leaves it
// public but queued, and ordinary numbers (a year, house numbers) do
// nothing.
func TestScreeningQueuesWithoutRejecting(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	b := f.board(t, moderation.PostModeration)
	a := f.person(t)
	for _, tc := range []struct {
		name, text, hit, state string
		queued                 bool
	}{
		{"ordinary numbers", plain, "", idea.Approved, false},
		{"bsn", "Bel mij gerust, mijn nummer is 999993653 voor de gemeente.", "bsn", idea.Awaiting, true},
		{"phone", "Bel mij gerust op 06-12345678 als u vragen heeft over dit plan.", "phone", idea.Awaiting, true},
		{"email", "Mail mij op jan.jansen@example.nl als u vragen heeft over het plan.", "email", idea.Awaiting, true},
		{"iban", "Doneren kan op NL91 ABNA 0417 1643 00 voor de nieuwe bomen hier.", "iban", idea.Awaiting, true},
		{"word", "Die klootzak van de overkant zet zijn auto altijd op de stoep neer.", "word", idea.Approved, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i := f.submit(t, b, a, "Idee over "+tc.name, tc.text)
			if i.Moderation != tc.state {
				t.Fatalf("state %q, want %q", i.Moderation, tc.state)
			}
			it := f.item(t, moderation.KindIdea, i.ID)
			if it.Waiting != tc.queued || it.Screened != tc.queued {
				t.Fatalf("queued %v screened %v, want %v", it.Waiting, it.Screened, tc.queued)
			}
			if tc.hit != "" && !strings.Contains(it.Hits, `"Kind":"`+tc.hit+`"`) {
				t.Fatalf("hits %s do not name %s", it.Hits, tc.hit)
			}
		})
	}
	// A comment is screened the same way.
	i := f.submit(t, b, a, "Bankjes bij de vijver", plain)
	c, err := f.ideas.Comment(context.Background(), i.ID, nil, f.person(t), "Bel me: 020 123 4567")
	if err != nil {
		t.Fatal(err)
	}
	if c.Moderation != idea.Awaiting || !f.item(t, moderation.KindComment, c.ID).Screened {
		t.Fatalf("comment with a phone number: %s, item %+v", c.Moderation, f.item(t, moderation.KindComment, c.ID))
	}
	if got := f.idea(t, i.ID).CommentCount; got != 0 {
		t.Fatalf("a comment held back counts: %d", got)
	}
}

// Under pre-moderation nothing is public until approved; the author is
// told, and a reply is announced to the comment it answers only then.
func TestPreModerationApproveAndNotify(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	author, replier := f.person(t), f.person(t)
	st := f.moderator(t, "Moderator A")
	i := f.submit(t, b, author, "Een bankje bij de speeltuin", plain)
	if i.Moderation != idea.Awaiting {
		t.Fatalf("pre-moderated idea is %s", i.Moderation)
	}
	page, err := f.ideas.List(ctx, b.InstrumentID, idea.Query{})
	if err != nil || page.Total != 0 {
		t.Fatalf("public list before approval: %d, %v", page.Total, err)
	}
	f.mustDecide(t, st, f.item(t, moderation.KindIdea, i.ID).ID, moderation.Decision{Action: moderation.ActApprove})
	if got := f.idea(t, i.ID).Moderation; got != idea.Approved {
		t.Fatalf("after approval: %s", got)
	}
	if page, _ := f.ideas.List(ctx, b.InstrumentID, idea.Query{}); page.Total != 1 {
		t.Fatalf("public list after approval: %d", page.Total)
	}
	if got := f.noticesFor(author.ParticipantID); len(got) != 1 || got[0] != "notify.moderation.approved.idea" {
		t.Fatalf("author told %v", got)
	}

	// The author comments (awaiting), the replier answers (awaiting): the
	// author hears of the reply only once it is approved.
	top, err := f.ideas.Comment(ctx, i.ID, nil, author, "Mooi dat het kan.")
	if err != nil {
		t.Fatal(err)
	}
	f.mustDecide(t, st, f.item(t, moderation.KindComment, top.ID).ID, moderation.Decision{Action: moderation.ActApprove})
	reply, err := f.ideas.Comment(ctx, i.ID, &top.ID, replier, "Ik help graag mee.")
	if err != nil {
		t.Fatal(err)
	}
	before := len(f.noticesFor(author.ParticipantID))
	f.mustDecide(t, st, f.item(t, moderation.KindComment, reply.ID).ID, moderation.Decision{Action: moderation.ActApprove})
	got := f.noticesFor(author.ParticipantID)[before:]
	if len(got) != 1 || got[0] != "notify.reply" {
		t.Fatalf("author of the answered comment told %v", got)
	}
	if n := f.idea(t, i.ID).CommentCount; n != 2 {
		t.Fatalf("comment count %d, want 2", n)
	}
	// Hiding and restoring the reply does not announce it again.
	if err := f.mod.Decide(ctx, st, f.item(t, moderation.KindComment, reply.ID).ID, moderation.Decision{Action: moderation.ActHide, Note: "Even weg."}); err != nil {
		t.Fatal(err)
	}
	if n := f.idea(t, i.ID).CommentCount; n != 1 {
		t.Fatalf("comment count after hiding %d, want 1", n)
	}
	if err := f.mod.Decide(ctx, st, f.item(t, moderation.KindComment, reply.ID).ID, moderation.Decision{Action: moderation.ActRestore}); err != nil {
		t.Fatal(err)
	}
	if got := f.noticesFor(author.ParticipantID)[before:]; len(got) != 1 {
		t.Fatalf("reply announced again: %v", got)
	}
}

// Reports: one per person, not of one's own content, only of what is
// public; at the threshold the contribution is taken offline until a
// moderator decides.
func TestReports(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	author := f.person(t)
	i := f.submit(t, b, author, "Hondenpoep op het plein", plain)
	c, err := f.ideas.Comment(ctx, i.ID, nil, author, "Het is echt erg, kijk maar eens rond.")
	if err != nil {
		t.Fatal(err)
	}
	report := func(a idea.Actor, reason string) error {
		return f.mod.Report(ctx, moderation.Participant{ID: a.ParticipantID, Subject: a.Subject}, moderation.KindComment, c.ID, reason, "")
	}
	if err := report(author, moderation.ReasonSpam); code(err) != apperror.Forbidden {
		t.Fatalf("own content: %v", err)
	}
	if err := report(f.person(t), "boos"); code(err) != apperror.Invalid {
		t.Fatalf("unknown reason: %v", err)
	}
	if err := report(f.person(t), moderation.ReasonOther); key(err) != "moderation.error.report_note_required" {
		t.Fatalf("other without a note: %v", err)
	}
	r1, r2, r3 := f.person(t), f.person(t), f.person(t)
	if err := report(r1, moderation.ReasonOffensive); err != nil {
		t.Fatal(err)
	}
	if err := report(r1, moderation.ReasonSpam); code(err) != apperror.Conflict {
		t.Fatalf("second report by the same person: %v", err)
	}
	it := f.item(t, moderation.KindComment, c.ID)
	if !it.Waiting || !it.Reported || it.OpenReports != 1 {
		t.Fatalf("after one report: %+v", it)
	}
	if err := report(r2, moderation.ReasonOffensive); err != nil {
		t.Fatal(err)
	}
	if f.idea(t, i.ID).CommentCount != 1 {
		t.Fatal("hidden before the threshold")
	}
	if err := report(r3, moderation.ReasonOffTopic); err != nil {
		t.Fatal(err)
	}
	if f.idea(t, i.ID).CommentCount != 0 {
		t.Fatal("three reports did not take the comment offline")
	}
	if err := report(f.person(t), moderation.ReasonSpam); code(err) != apperror.NotFound {
		t.Fatalf("report of a comment that is offline: %v", err)
	}
	// A moderator finds it fine: public again, and open reports start over.
	st := f.moderator(t, "Moderator A")
	f.mustDecide(t, st, it.ID, moderation.Decision{Action: moderation.ActApprove})
	if it := f.item(t, moderation.KindComment, c.ID); it.Waiting || it.OpenReports != 0 || f.idea(t, i.ID).CommentCount != 1 {
		t.Fatalf("after approval: %+v", it)
	}
	// A lower threshold counts from the decision on.
	if err := f.mod.UpdateSettings(ctx, st, moderation.Settings{Threshold: 1, Words: "kut*"}); err != nil {
		t.Fatal(err)
	}
	if err := report(f.person(t), moderation.ReasonOffensive); err != nil {
		t.Fatal(err)
	}
	if f.idea(t, i.ID).CommentCount != 0 {
		t.Fatal("threshold 1: one report should take it offline")
	}
}

// A claim is the moderator's for 15 minutes: nobody else can take or
// decide on the item meanwhile, and after it the item is free again.
func TestClaimExpires(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	i := f.submit(t, b, f.person(t), "Een pluktuin", plain)
	itemID := f.item(t, moderation.KindIdea, i.ID).ID
	a, bMod := f.moderator(t, "A"), f.moderator(t, "B")
	if got, err := f.mod.Next(ctx, a, moderation.Filter{}); err != nil || got != itemID {
		t.Fatalf("A takes next: %d, %v", got, err)
	}
	if got, err := f.mod.Next(ctx, bMod, moderation.Filter{}); err != nil || got != 0 {
		t.Fatalf("B takes next while A holds it: %d, %v", got, err)
	}
	if err := f.mod.Claim(ctx, bMod, itemID); code(err) != apperror.Conflict {
		t.Fatalf("B claims: %v", err)
	}
	if err := f.mod.Decide(ctx, bMod, itemID, moderation.Decision{Action: moderation.ActApprove}); key(err) != "moderation.error.claimed" {
		t.Fatalf("B decides on A's item: %v", err)
	}
	f.later(moderation.ClaimFor - time.Second)
	if got, _ := f.mod.Next(ctx, bMod, moderation.Filter{}); got != 0 {
		t.Fatal("claim ended early")
	}
	f.later(2 * time.Second)
	if got, err := f.mod.Next(ctx, bMod, moderation.Filter{}); err != nil || got != itemID {
		t.Fatalf("B after the claim expired: %d, %v", got, err)
	}
	if err := f.mod.Decide(ctx, a, itemID, moderation.Decision{Action: moderation.ActApprove}); key(err) != "moderation.error.claimed" {
		t.Fatalf("A decides after losing the claim: %v", err)
	}
	if err := f.mod.Decide(ctx, bMod, itemID, moderation.Decision{Action: moderation.ActApprove}); err != nil {
		t.Fatal(err)
	}
}

// A rejection reaches the author with its reason; the author may ask once
// for a second look, which only another moderator can take.
func TestRejectionAndSecondLook(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	author := f.person(t)
	me := moderation.Participant{ID: author.ParticipantID, Subject: author.Subject}
	i := f.submit(t, b, author, "Alle auto's de wijk uit", plain)
	itemID := f.item(t, moderation.KindIdea, i.ID).ID
	a, bMod := f.moderator(t, "A"), f.moderator(t, "B")
	if err := f.mod.Claim(ctx, a, itemID); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.Decide(ctx, a, itemID, moderation.Decision{Action: moderation.ActReject}); key(err) != "moderation.error.reason_required" {
		t.Fatalf("reject without a reason: %v", err)
	}
	ts, err := f.mod.Templates(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(ts) == 0 {
		if _, err := f.mod.SaveTemplate(ctx, a, 0, moderation.TemplateDraft{Title: "Niet over het onderwerp", Body: "Dit gaat niet over groen."}); err != nil {
			t.Fatal(err)
		}
		ts, _ = f.mod.Templates(ctx, true)
	}
	if err := f.mod.Decide(ctx, a, itemID, moderation.Decision{Action: moderation.ActReject, TemplateID: ts[0].ID, Note: "Kijk bij het verkeersplan."}); err != nil {
		t.Fatal(err)
	}
	if got := f.idea(t, i.ID).Moderation; got != idea.Rejected {
		t.Fatalf("after rejection: %s", got)
	}
	vs, err := f.mod.Verdicts(ctx, moderation.KindIdea, []int64{i.ID})
	if err != nil {
		t.Fatal(err)
	}
	v := vs[i.ID]
	if !strings.Contains(v.Reason, ts[0].Body) || !strings.Contains(v.Reason, "verkeersplan") || !v.CanAskSecondLook {
		t.Fatalf("the author sees %+v", v)
	}
	if got := f.noticesFor(author.ParticipantID); len(got) != 1 || got[0] != "notify.moderation.rejected.idea" {
		t.Fatalf("author told %v", got)
	}
	th := b.Themes[0].ID
	if err := f.ideas.Edit(ctx, i.ID, author, idea.Draft{Title: "Alle auto's de wijk uit", Description: plain, ThemeID: &th}); code(err) != apperror.Conflict {
		t.Fatalf("editing a rejected idea: %v", err)
	}
	stranger := f.person(t)
	if err := f.mod.SecondLook(ctx, moderation.Participant{ID: stranger.ParticipantID, Subject: stranger.Subject}, moderation.KindIdea, i.ID, ""); code(err) != apperror.NotFound {
		t.Fatalf("second look by someone else: %v", err)
	}
	if err := f.mod.SecondLook(ctx, me, moderation.KindIdea, i.ID, "Het gaat wel over groen: minder asfalt."); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.SecondLook(ctx, me, moderation.KindIdea, i.ID, ""); code(err) != apperror.Conflict {
		t.Fatalf("asking twice: %v", err)
	}
	if got, err := f.mod.Next(ctx, a, moderation.Filter{}); err != nil || got != 0 {
		t.Fatalf("the first moderator gets the second look: %d, %v", got, err)
	}
	if err := f.mod.Claim(ctx, a, itemID); code(err) != apperror.Forbidden {
		t.Fatalf("the first moderator claims the second look: %v", err)
	}
	if got, err := f.mod.Next(ctx, bMod, moderation.Filter{Why: "second_look"}); err != nil || got != itemID {
		t.Fatalf("another moderator takes it: %d, %v", got, err)
	}
	if err := f.mod.Decide(ctx, bMod, itemID, moderation.Decision{Action: moderation.ActRestore}); err != nil {
		t.Fatal(err)
	}
	if got := f.idea(t, i.ID).Moderation; got != idea.Approved {
		t.Fatalf("after the second look: %s", got)
	}
	// Rejected again later: no second second look.
	if err := f.mod.Decide(ctx, bMod, itemID, moderation.Decision{Action: moderation.ActHide, Note: "Toch niet."}); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.SecondLook(ctx, me, moderation.KindIdea, i.ID, ""); key(err) != "moderation.error.second_look_used" {
		t.Fatalf("a second second look: %v", err)
	}
	var dec int64
	testdb.NoError(t, f.db.Model(&audit.Entry{}).Where("action IN ?", []string{"moderation.reject", "moderation.restore", "moderation.hide"}).Count(&dec).Error)
	if dec != 3 {
		t.Fatalf("%d decisions in the audit log, want 3", dec)
	}
}

// A blocked participant cannot submit, edit or comment until the block
// ends or is lifted.
func TestBlockedParticipantRefused(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	p := f.person(t)
	i := f.submit(t, b, p, "Een moestuin", plain)
	st := f.moderator(t, "A")
	if err := f.mod.Block(ctx, st, p.ParticipantID, f.now.Add(7*24*time.Hour), ""); code(err) != apperror.Invalid {
		t.Fatalf("block without a reason: %v", err)
	}
	if err := f.mod.Block(ctx, st, p.ParticipantID, f.now.Add(7*24*time.Hour), "Steeds beledigende reacties."); err != nil {
		t.Fatal(err)
	}
	th := b.Themes[0].ID
	if _, err := f.ideas.Submit(ctx, b.InstrumentID, p, idea.Draft{Title: "Nog een idee", Description: plain, ThemeID: &th}); key(err) != "moderation.blocked" {
		t.Fatalf("submit while blocked: %v", err)
	}
	if _, err := f.ideas.Comment(ctx, i.ID, nil, p, "Hallo allemaal"); key(err) != "moderation.blocked" {
		t.Fatalf("comment while blocked: %v", err)
	}
	if err := f.ideas.Edit(ctx, i.ID, p, idea.Draft{Title: "Een moestuin", Description: plain + " Aangepast.", ThemeID: &th}); key(err) != "moderation.blocked" {
		t.Fatalf("edit while blocked: %v", err)
	}
	blk, err := f.mod.Blocked(ctx, nil, p.ParticipantID)
	if err != nil || blk == nil || blk.Reason != "Steeds beledigende reacties." {
		t.Fatalf("the participant sees %+v, %v", blk, err)
	}
	f.later(7*24*time.Hour + time.Second)
	if _, err := f.ideas.Comment(ctx, i.ID, nil, p, "Ik ben er weer"); err != nil {
		t.Fatalf("after the block: %v", err)
	}
	if err := f.mod.Block(ctx, st, p.ParticipantID, f.now.Add(30*24*time.Hour), "Weer."); err != nil {
		t.Fatal(err)
	}
	again, err := f.mod.Blocked(ctx, nil, p.ParticipantID)
	if err != nil || again == nil {
		t.Fatalf("second block: %+v, %v", again, err)
	}
	if err := f.mod.Lift(ctx, st, again.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ideas.Comment(ctx, i.ID, nil, p, "Dank u"); err != nil {
		t.Fatalf("after lifting: %v", err)
	}
}

// "Edit out personal data" replaces the fragment everywhere in the field,
// never stores it, screens the text again and tells the author.
func TestRedact(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	author := f.person(t)
	i := f.submit(t, b, author, "Kapotte lantaarn", "De lantaarn doet het niet. Bel 06-12345678 of nogmaals 06-12345678.")
	itemID := f.item(t, moderation.KindIdea, i.ID).ID
	st := f.moderator(t, "A")
	if err := f.mod.Redact(ctx, st, itemID, "description", "06-12345678"); key(err) != "moderation.error.claim_needed" {
		t.Fatalf("redact without a claim: %v", err)
	}
	if err := f.mod.Claim(ctx, st, itemID); err != nil {
		t.Fatal(err)
	}
	if err := f.mod.Redact(ctx, st, itemID, "description", "06-99999999"); key(err) != "moderation.error.fragment_not_found" {
		t.Fatalf("a fragment that is not there: %v", err)
	}
	if err := f.mod.Redact(ctx, st, itemID, "description", "06-12345678"); err != nil {
		t.Fatal(err)
	}
	got := f.idea(t, i.ID).Description
	if strings.Contains(got, "06-12345678") || strings.Count(got, moderation.Redacted) != 2 {
		t.Fatalf("description after redaction: %q", got)
	}
	if it := f.item(t, moderation.KindIdea, i.ID); it.Hits != "" {
		t.Fatalf("hits after redaction: %s", it.Hits)
	}
	var evs []moderation.Event
	testdb.NoError(t, f.db.Where("item_id = ?", itemID).Find(&evs).Error)
	for _, e := range evs {
		if strings.Contains(e.Note, "1234") {
			t.Fatalf("the fragment was stored: %+v", e)
		}
	}
	if n := f.noticesFor(author.ParticipantID); len(n) != 1 || n[0] != "notify.moderation.redacted.idea" {
		t.Fatalf("author told %v", n)
	}
	f.mustDecide(t, st, itemID, moderation.Decision{Action: moderation.ActApprove})
	if f.idea(t, i.ID).Moderation != idea.Approved {
		t.Fatal("not public after approval")
	}
}

// The queue lists waiting items oldest first with their reasons, and the
// dashboard's wait figures are percentiles of what waits.
func TestQueueAndDashboard(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	var first int64
	for n := 1; n <= 10; n++ {
		i := f.submit(t, b, f.person(t), fmt.Sprintf("Idee nummer %d", n), plain)
		if n == 1 {
			first = i.ID
		}
		f.later(time.Minute)
	}
	q, err := f.mod.Queue(ctx, moderation.Filter{})
	if err != nil || q.Total != 10 || q.Rows[0].TargetID != first || q.Rows[0].Content == nil || q.Rows[0].Content.Heading != "Idee nummer 1" {
		t.Fatalf("queue: %+v, %v", q, err)
	}
	if q, _ := f.mod.Queue(ctx, moderation.Filter{Newest: true}); q.Rows[0].Content.Heading != "Idee nummer 10" {
		t.Fatalf("newest first starts with %q", q.Rows[0].Content.Heading)
	}
	if q, _ := f.mod.Queue(ctx, moderation.Filter{Why: "reported"}); q.Total != 0 {
		t.Fatalf("reported filter: %d", q.Total)
	}
	d, err := f.mod.Dashboard(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Waiting 1..10 minutes: the median is 5, the 90th percentile 9.
	if d.Waiting != 10 || d.WaitMedian != 5*time.Minute || d.WaitP90 != 9*time.Minute {
		t.Fatalf("dashboard: %d waiting, median %s, p90 %s", d.Waiting, d.WaitMedian, d.WaitP90)
	}
	st := f.moderator(t, "A")
	f.mustDecide(t, st, q.Rows[0].ID, moderation.Decision{Action: moderation.ActReject, Note: "Dubbel."})
	d, _ = f.mod.Dashboard(ctx)
	if d.Decided30 != 1 || d.DecidedMedian != 10*time.Minute || d.Weeks[len(d.Weeks)-1].Counts[moderation.ActReject] != 1 {
		t.Fatalf("after one decision: %+v", d)
	}
	if n, _ := f.mod.Waiting(ctx); n != 9 {
		t.Fatalf("waiting count %d", n)
	}
}

// Four moderators each take "next" 100 times at once on a queue of 300:
// every item is handed out exactly once.
func TestNextHandsOutEveryItemOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	author := f.person(t)
	total, perMod, mods := 300, 100, 4
	if !testdb.Postgres() {
		total, perMod = 60, 20 // SQLite takes turns anyway; the rule is the same
	}
	for n := 0; n < total; n++ {
		f.submit(t, b, author, fmt.Sprintf("Idee %03d", n), plain)
	}
	staff := make([]moderation.Staff, mods)
	for m := range staff {
		staff[m] = f.moderator(t, fmt.Sprintf("Moderator %d", m))
	}
	got := make([][]int64, mods)
	var wg sync.WaitGroup
	errs := make(chan error, mods)
	for m := 0; m < mods; m++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < perMod; k++ {
				id, err := f.mod.Next(ctx, staff[m], moderation.Filter{})
				if err != nil {
					errs <- err
					return
				}
				if id != 0 {
					got[m] = append(got[m], id)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]int{}
	for m, ids := range got {
		for _, id := range ids {
			if prev, dup := seen[id]; dup {
				t.Fatalf("item %d handed to moderator %d and %d", id, prev, m)
			}
			seen[id] = m
		}
	}
	if len(seen) != total {
		t.Fatalf("%d items handed out, want %d", len(seen), total)
	}
}

// Moderators with an address get one digest per interval, only when work
// came in since the last one; two instances asking at once send it once.
func TestDigest(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PreModeration)
	mod := f.moderator(t, "Mo")
	if err := f.db.Model(&identity.StaffMember{}).Where("id = ?", mod.ID).Update("email", "mo@gemeente.example").Error; err != nil {
		t.Fatal(err)
	}
	editor := identity.StaffMember{Issuer: "http://idp", Subject: "ed", Name: "Ed", Roles: "editor", Email: "ed@gemeente.example", CreatedAt: f.now, LastLoginAt: f.now}
	if err := f.db.Create(&editor).Error; err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var to []string
	mail := func(_ *gorm.DB, addr, _ string, waiting int64, _ time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		to = append(to, fmt.Sprintf("%s:%d", addr, waiting))
		return nil
	}
	sent := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), to...) }
	if n, err := f.mod.Digest(ctx, mail); err != nil || n != 0 {
		t.Fatalf("empty queue: %d, %v", n, err)
	}
	f.submit(t, b, f.person(t), "Een idee", plain)
	f.submit(t, b, f.person(t), "Nog een idee", plain)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = f.mod.Digest(ctx, mail) }()
	}
	wg.Wait()
	if got := sent(); len(got) != 1 || got[0] != "mo@gemeente.example:2" {
		t.Fatalf("digest went to %v", got)
	}
	f.later(30 * time.Minute)
	f.submit(t, b, f.person(t), "Derde idee", plain)
	if n, _ := f.mod.Digest(ctx, mail); n != 0 {
		t.Fatal("a second digest within the hour")
	}
	f.later(31 * time.Minute)
	if n, err := f.mod.Digest(ctx, mail); err != nil || n != 1 {
		t.Fatalf("after the interval: %d, %v", n, err)
	}
	f.later(2 * time.Hour)
	if n, _ := f.mod.Digest(ctx, mail); n != 0 {
		t.Fatal("a digest without new work")
	}
}

// Erasing a participant's data removes what they wrote to moderators and
// what screening quoted from their texts; their reports stay counted.
func TestEraseKeepsReportsButNotTheirWords(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	b := f.board(t, moderation.PostModeration)
	author, reporter := f.person(t), f.person(t)
	i := f.submit(t, b, author, "Bel mij", "Voor vragen ben ik bereikbaar op 06-12345678, ook in het weekend.")
	ok := f.submit(t, b, author, "Een ander idee", plain)
	if err := f.mod.Report(ctx, moderation.Participant{ID: reporter.ParticipantID, Subject: reporter.Subject}, moderation.KindIdea, ok.ID,
		moderation.ReasonOther, "Ik ken deze persoon, hij woont op nummer 3."); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return moderation.Erase(tx, author.ParticipantID) }); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Transaction(func(tx *gorm.DB) error { return moderation.Erase(tx, reporter.ParticipantID) }); err != nil {
		t.Fatal(err)
	}
	if it := f.item(t, moderation.KindIdea, i.ID); it.Hits != "" || !it.Waiting {
		t.Fatalf("author's item after erasure: %+v", it)
	}
	var reports []moderation.Report
	testdb.NoError(t, f.db.Find(&reports).Error)
	if len(reports) != 1 || reports[0].Note != "" || f.item(t, moderation.KindIdea, ok.ID).OpenReports != 1 {
		t.Fatalf("reports after erasure: %+v", reports)
	}
}
