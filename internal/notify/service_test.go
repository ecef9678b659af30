package notify_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/audit"
	"inspraak/internal/i18n"
	"inspraak/internal/identity"
	"inspraak/internal/notify"
	"inspraak/internal/project"
	"inspraak/internal/store"
	"inspraak/internal/testdb"
)

const testKey = "test-key-0123456789-0123456789-01"

// clock is a test clock that only moves when told to.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	db      *store.DB
	svc     *notify.Service
	clock   *clock
	project int64
	n       int
}

func setup(t testing.TB) *fixture {
	t.Helper()
	db := testdb.Open(t)
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	p, err := project.NewService(db).Create(context.Background(), identity.SystemActor("test"), project.Draft{Slug: "marktplein", Title: "Marktplein", Summary: "Over het plein."})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, clock: &clock{now: time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)}, project: p.ID}
	base, _ := url.Parse("https://inspraak.gemeente.example")
	f.svc = notify.NewService(notify.Options{DB: db, Catalog: cat, BaseURL: base, Key: []byte(testKey),
		Municipality: "Gemeente Voorbeeld", Audit: audit.New(db), Now: f.clock.Now})
	return f
}

// participant stores a participant and returns its id.
func (f *fixture) participant(t testing.TB, name string) int64 {
	t.Helper()
	f.n++
	p := identity.Participant{Subject: fmt.Sprintf("pseudoniem-%d", f.n), KeyVersion: 1, Means: identity.DigiD, LoA: "x",
		DisplayName: name, CreatedAt: f.clock.Now(), LastLoginAt: f.clock.Now()}
	if err := f.db.Create(&p).Error; err != nil {
		t.Fatal(err)
	}
	return p.ID
}

var tokenInLink = regexp.MustCompile(`bevestigen\?token=([A-Za-z0-9_-]+)`)

// confirmToken reads the token from the newest confirmation mail, the way
// a participant reads it from their inbox.
func (f *fixture) confirmToken(t testing.TB, pid int64) string {
	t.Helper()
	var m notify.Mail
	if err := f.db.Where("participant_id = ? AND kind = 'confirm'", pid).Order("id DESC").Take(&m).Error; err != nil {
		t.Fatalf("no confirmation mail: %v", err)
	}
	sub := tokenInLink.FindStringSubmatch(m.BodyText)
	if sub == nil {
		t.Fatalf("confirmation mail has no link:\n%s", m.BodyText)
	}
	return sub[1]
}

// subscribed gives a participant a confirmed address.
func (f *fixture) subscribed(t testing.TB, name, email, lang string) int64 {
	t.Helper()
	pid := f.participant(t, name)
	ctx := context.Background()
	if err := f.svc.SetAddress(ctx, pid, email, lang, true); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Confirm(ctx, pid, f.confirmToken(t, pid)); err != nil {
		t.Fatal(err)
	}
	return pid
}

func (f *fixture) notify(t testing.TB, pid int64, m notify.Message) {
	t.Helper()
	err := f.db.WithTx(context.Background(), func(tx *gorm.DB) error { return f.svc.Notify(context.Background(), tx, pid, m) })
	if err != nil {
		t.Fatal(err)
	}
}

// mails returns the notification mails (not confirmations) for pid.
func (f *fixture) mails(t testing.TB, pid int64) []notify.Mail {
	t.Helper()
	var ms []notify.Mail
	if err := f.db.Where("participant_id = ? AND kind <> 'confirm'", pid).Order("id").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

func statusMsg(idea string) notify.Message {
	return notify.Message{Kind: notify.KindIdeaStatus, Key: "notify.msg.idea_status", Params: []string{idea, "In behandeling"},
		Link: "/projecten/marktplein/ideeen/1"}
}

func TestNotifyWithoutAddressIsInAppOnly(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	pid := f.participant(t, "Jan")
	f.notify(t, pid, statusMsg("Meer bankjes"))
	items, err := f.svc.List(context.Background(), pid, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Key != "notify.msg.idea_status" || items[0].Params[0] != "Meer bankjes" || items[0].Read {
		t.Fatalf("in-app list = %+v", items)
	}
	if got := f.mails(t, pid); len(got) != 0 {
		t.Fatalf("mail queued without an address: %+v", got)
	}
	if n, _ := f.svc.UnreadCount(context.Background(), pid); n != 1 {
		t.Errorf("unread = %d, want 1", n)
	}
}

func TestUnconfirmedAddressGetsNoMail(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	pid := f.participant(t, "Jan")
	if err := f.svc.SetAddress(context.Background(), pid, "jan@voorbeeld.nl", "nl", true); err != nil {
		t.Fatal(err)
	}
	f.notify(t, pid, statusMsg("Meer bankjes"))
	if got := f.mails(t, pid); len(got) != 0 {
		t.Fatalf("mail to an unconfirmed address: %+v", got)
	}
	a, err := f.svc.AddressOf(context.Background(), pid)
	if err != nil || a == nil || a.Confirmed() {
		t.Fatalf("address = %+v, %v", a, err)
	}
}

func TestConfirmedAddressGetsMailUnlessTheKindIsOff(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	f.notify(t, pid, statusMsg("Meer bankjes"))
	ms := f.mails(t, pid)
	if len(ms) != 1 || ms[0].ToAddress != "jan@voorbeeld.nl" || ms[0].Status != notify.StatusPending || ms[0].Kind != "idea_status" {
		t.Fatalf("mails = %+v", ms)
	}
	if err := f.svc.SetPreferences(ctx, pid, notify.AllKinds.With(notify.KindIdeaStatus, false)); err != nil {
		t.Fatal(err)
	}
	if got := f.mails(t, pid); len(got) != 0 {
		t.Fatalf("a waiting mail of a kind switched off must be dropped: %+v", got)
	}
	f.notify(t, pid, statusMsg("Nog meer bankjes"))
	if got := f.mails(t, pid); len(got) != 0 {
		t.Fatalf("mail for a kind switched off: %+v", got)
	}
	// Other kinds still arrive, and the in-app list has everything.
	f.notify(t, pid, notify.Message{Kind: notify.KindReply, Key: "notify.msg.reply", Params: []string{"Meer bankjes"}, Link: "/projecten/marktplein"})
	if got := f.mails(t, pid); len(got) != 1 || got[0].Kind != "reply" {
		t.Fatalf("reply mail = %+v", got)
	}
	items, _ := f.svc.List(ctx, pid, 10)
	if len(items) != 3 || items[0].Kind != notify.KindReply {
		t.Fatalf("in-app list must hold all three, newest first: %+v", items)
	}
	prefs, _ := f.svc.Preferences(ctx, pid)
	if prefs.Wants(notify.KindIdeaStatus) || !prefs.Wants(notify.KindReply) {
		t.Errorf("prefs = %+v", prefs)
	}
	if err := f.svc.MarkAllRead(ctx, pid); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.svc.UnreadCount(ctx, pid); n != 0 {
		t.Errorf("unread after MarkAllRead = %d", n)
	}
}

func TestMailIsInTheParticipantsLanguage(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	nl := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	en := f.subscribed(t, "Jane", "jane@example.com", "en")
	for _, pid := range []int64{nl, en} {
		f.notify(t, pid, statusMsg("Meer bankjes"))
	}
	m := f.mails(t, nl)[0]
	if m.Lang != "nl" || m.Subject != "Uw idee ‘Meer bankjes’ heeft een nieuwe status: In behandeling" ||
		!strings.Contains(m.BodyText, "Beste Jan,") || !strings.Contains(m.BodyText, "https://inspraak.gemeente.example/projecten/marktplein/ideeen/1") ||
		!strings.Contains(m.BodyHTML, `<html lang="nl">`) || !strings.Contains(m.BodyText, "nieuws over uw idee") {
		t.Errorf("Dutch mail:\n%s\n%s", m.Subject, m.BodyText)
	}
	m = f.mails(t, en)[0]
	if m.Lang != "en" || m.Subject != "Your idea ‘Meer bankjes’ has a new status: In behandeling" ||
		!strings.Contains(m.BodyText, "Dear Jane,") || !strings.Contains(m.BodyHTML, `<html lang="en">`) || !strings.Contains(m.BodyText, "Kind regards") {
		t.Errorf("English mail:\n%s\n%s", m.Subject, m.BodyText)
	}
	if !strings.Contains(m.UnsubscribeURL, "https://inspraak.gemeente.example/afmelden?token=") {
		t.Errorf("unsubscribe URL = %q", m.UnsubscribeURL)
	}
	// The confirmation mail itself is in the chosen language too.
	var c notify.Mail
	testdb.NoError(t, f.db.Where("participant_id = ? AND kind = 'confirm'", en).Take(&c).Error)
	if c.Subject != "Confirm your e-mail address" || c.UnsubscribeURL != "" {
		t.Errorf("English confirmation: %q (unsubscribe %q)", c.Subject, c.UnsubscribeURL)
	}
}

func TestUserTextIsEscapedInHTMLAndCannotBreakTheSubject(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	pid := f.subscribed(t, "<b>Jan</b>", "jan@voorbeeld.nl", "nl")
	f.notify(t, pid, statusMsg("Bankjes\r\nBcc: kwaad@example.com <script>alert(1)</script>"))
	m := f.mails(t, pid)[0]
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Errorf("subject carries a line break: %q", m.Subject)
	}
	if strings.Contains(m.BodyHTML, "<script>") || strings.Contains(m.BodyHTML, "<b>Jan") {
		t.Errorf("HTML part not escaped:\n%s", m.BodyHTML)
	}
}

func TestConfirmTokenExpiresWorksOnceAndOnlyForItsOwner(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.participant(t, "Jan")
	other := f.participant(t, "Piet")
	if err := f.svc.SetAddress(ctx, pid, "jan@voorbeeld.nl", "nl", true); err != nil {
		t.Fatal(err)
	}
	tok := f.confirmToken(t, pid)
	var stored notify.Address
	testdb.NoError(t, f.db.Where("participant_id = ?", pid).Take(&stored).Error)
	if stored.ConfirmHash == nil || *stored.ConfirmHash == tok || strings.Contains(*stored.ConfirmHash, tok) {
		t.Fatal("the token must be stored hashed")
	}

	if err := f.svc.Confirm(ctx, other, tok); apperror.CodeOf(err) != apperror.Forbidden {
		t.Errorf("someone else's token: %v", err)
	}
	f.clock.Add(notify.ConfirmTTL + time.Second)
	if err := f.svc.Confirm(ctx, pid, tok); apperror.CodeOf(err) != apperror.Closed {
		t.Errorf("expired token: %v", err)
	}
	// A new link; the old one stays dead.
	if err := f.svc.SetAddress(ctx, pid, "jan@voorbeeld.nl", "nl", true); err != nil {
		t.Fatal(err)
	}
	tok2 := f.confirmToken(t, pid)
	if err := f.svc.Confirm(ctx, pid, tok); apperror.CodeOf(err) != apperror.Invalid {
		t.Errorf("old token after a new one: %v", err)
	}
	f.clock.Add(notify.ConfirmTTL - time.Minute)
	if err := f.svc.Confirm(ctx, pid, tok2); err != nil {
		t.Fatalf("fresh token refused: %v", err)
	}
	if err := f.svc.Confirm(ctx, pid, tok2); apperror.CodeOf(err) != apperror.Invalid {
		t.Errorf("second use: %v", err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 500)} {
		if err := f.svc.Confirm(ctx, pid, bad); apperror.CodeOf(err) != apperror.Invalid {
			t.Errorf("token %q: %v", bad, err)
		}
	}
	a, _ := f.svc.AddressOf(ctx, pid)
	if !a.Confirmed() {
		t.Fatal("address not confirmed")
	}
	// Giving the confirmed address again sends no new confirmation.
	var before int64
	testdb.NoError(t, f.db.Model(&notify.Mail{}).Where("kind = 'confirm'").Count(&before).Error)
	if err := f.svc.SetAddress(ctx, pid, "jan@voorbeeld.nl", "en", true); err != nil {
		t.Fatal(err)
	}
	var after int64
	testdb.NoError(t, f.db.Model(&notify.Mail{}).Where("kind = 'confirm'").Count(&after).Error)
	a, _ = f.svc.AddressOf(ctx, pid)
	if after != before || !a.Confirmed() || a.Lang != "en" {
		t.Errorf("same address again: confirmations %d→%d, %+v", before, after, a)
	}
}

func TestSetAddressNeedsConsentAndAnAddressAndIsNotAudited(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.participant(t, "Jan")
	err := f.svc.SetAddress(ctx, pid, "geen adres", "nl", false)
	e, ok := apperror.As(err)
	if !ok || e.Code != apperror.Invalid || e.Fields["email"] != "notify.error.email" || e.Fields["toestemming"] != "notify.error.consent" {
		t.Fatalf("err = %v", err)
	}
	if err := f.svc.SetAddress(ctx, pid, "jan@voorbeeld.nl", "nl", false); apperror.CodeOf(err) != apperror.Invalid {
		t.Fatalf("no consent: %v", err)
	}
	if a, _ := f.svc.AddressOf(ctx, pid); a != nil {
		t.Fatal("address stored without consent")
	}
	if err := f.svc.SetAddress(ctx, pid, "Jan@Voorbeeld.NL", "nl", true); err != nil {
		t.Fatal(err)
	}
	// Asking again at once does not send a second mail.
	if err := f.svc.SetAddress(ctx, pid, "Jan@voorbeeld.nl", "nl", true); apperror.CodeOf(err) != apperror.Conflict {
		t.Errorf("immediate resend: %v", err)
	}
	f.clock.Add(notify.ResendAfter + time.Second)
	if err := f.svc.SetAddress(ctx, pid, "Jan@voorbeeld.nl", "nl", true); err != nil {
		t.Errorf("resend after waiting: %v", err)
	}
	if a, _ := f.svc.AddressOf(ctx, pid); a.Email != "Jan@voorbeeld.nl" {
		t.Errorf("stored %q", a.Email)
	}
	if err := f.svc.Confirm(ctx, pid, f.confirmToken(t, pid)); err != nil {
		t.Fatal(err)
	}
	var entries []audit.Entry
	// The fixture's project is on record too (project.create); only the
	// address's own entries count here.
	testdb.NoError(t, f.db.Where("action LIKE ?", "notify.%").Order("id").Find(&entries).Error)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if strings.Contains(strings.ToLower(e.Detail+e.Target+e.Actor), "voorbeeld.nl") {
			t.Errorf("audit entry holds the address: %+v", e)
		}
	}
	if strings.Join(actions, ",") != "notify.address_set,notify.address_set,notify.address_confirmed" {
		t.Errorf("audit actions = %v", actions)
	}
}

func TestEmailAddressesAreCheckedStrictly(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.participant(t, "Jan")
	for _, bad := range []string{"jan", "jan@", "@voorbeeld.nl", "jan@localhost", "Jan <jan@voorbeeld.nl>", "jan@voorbeeld.nl, piet@voorbeeld.nl",
		"jan@voorbeeld.nl\r\nBcc: x@y.nl", "jan@[127.0.0.1]", "jan@.nl", strings.Repeat("a", 250) + "@x.nl", "jan@voorbeeld.nl."} {
		if err := f.svc.SetAddress(ctx, pid, bad, "nl", true); apperror.CodeOf(err) != apperror.Invalid {
			t.Errorf("%q accepted: %v", bad, err)
		}
	}
	if err := f.svc.SetAddress(ctx, pid, "  jan.de-vries+inspraak@voorbeeld.nl ", "xx", true); err != nil {
		t.Fatalf("good address refused: %v", err)
	}
	if a, _ := f.svc.AddressOf(ctx, pid); a.Email != "jan.de-vries+inspraak@voorbeeld.nl" || a.Lang != "nl" {
		t.Errorf("stored %+v", a)
	}
}

func TestUnsubscribeTokenForgeryIsRefused(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	victim := f.subscribed(t, "Piet", "piet@voorbeeld.nl", "nl")
	good := f.svc.UnsubscribeToken(pid, "reply")
	parts := strings.Split(good, ".")
	base, _ := url.Parse("https://inspraak.gemeente.example")
	cat, _ := i18n.Load()
	otherKey := notify.NewService(notify.Options{DB: f.db, Catalog: cat, BaseURL: base, Key: []byte("another-key-0123456789-0123456789")})
	forged := []string{
		"", "x", good + "x", parts[0] + "." + parts[1] + ".",
		fmt.Sprint(victim) + "." + parts[1] + "." + parts[2], // someone else's id with my signature
		parts[0] + ".all." + parts[2],                        // widened scope
		parts[0] + ".results." + parts[2],
		otherKey.UnsubscribeToken(victim, "all"), // signed with the wrong key
		strings.ToUpper(good),
		fmt.Sprint(pid) + ".reply", strings.Repeat("1.", 300),
	}
	for _, tok := range forged {
		if _, err := f.svc.Unsubscribe(ctx, tok, true); !errors.Is(err, notify.ErrBadToken) {
			t.Errorf("forged token %q: %v", tok, err)
		}
	}
	if a, _ := f.svc.AddressOf(ctx, victim); !a.Confirmed() {
		t.Fatal("a forged token unsubscribed the victim")
	}

	// The real token switches off its kind; doing it twice is fine.
	for range 2 {
		k, err := f.svc.Unsubscribe(ctx, good, false)
		if err != nil || k != notify.KindReply {
			t.Fatalf("unsubscribe = %q, %v", k, err)
		}
	}
	prefs, _ := f.svc.Preferences(ctx, pid)
	if prefs.Reply || !prefs.IdeaStatus || !prefs.Results || !prefs.ProjectPhase {
		t.Errorf("prefs after unsubscribing replies: %+v", prefs)
	}
	// "All" removes the address.
	if k, err := f.svc.Unsubscribe(ctx, good, true); err != nil || k != "" {
		t.Fatalf("unsubscribe all = %q, %v", k, err)
	}
	if a, _ := f.svc.AddressOf(ctx, pid); a != nil {
		t.Errorf("address kept after unsubscribing from everything: %+v", a)
	}
	if a, _ := f.svc.AddressOf(ctx, victim); !a.Confirmed() {
		t.Error("unsubscribing one participant touched another")
	}
}

func TestNotifyFollowersReachesEveryFollowerOnce(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	mailNL := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	mailEN := f.subscribed(t, "Jane", "jane@example.com", "en")
	noMail := f.participant(t, "Kees")
	notFollowing := f.subscribed(t, "Piet", "piet@voorbeeld.nl", "nl")
	resultsOff := f.subscribed(t, "Anna", "anna@voorbeeld.nl", "nl")
	if err := f.svc.SetPreferences(ctx, resultsOff, notify.AllKinds.With(notify.KindResults, false)); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int64{mailNL, mailEN, noMail, resultsOff, mailNL} {
		if err := f.svc.Follow(ctx, pid, f.project); err != nil {
			t.Fatal(err)
		}
	}
	if ok, _ := f.svc.Follows(ctx, mailNL, f.project); !ok {
		t.Fatal("Follows = false after Follow")
	}
	m := notify.Message{Kind: notify.KindResults, Key: "notify.msg.results", Params: []string{"Marktplein"}, Link: "/projecten/marktplein"}
	if err := f.db.WithTx(ctx, func(tx *gorm.DB) error { return f.svc.NotifyFollowers(ctx, tx, f.project, m) }); err != nil {
		t.Fatal(err)
	}
	for pid, want := range map[int64][2]int{mailNL: {1, 1}, mailEN: {1, 1}, noMail: {1, 0}, notFollowing: {0, 0}, resultsOff: {1, 0}} {
		items, _ := f.svc.List(ctx, pid, 10)
		if len(items) != want[0] || len(f.mails(t, pid)) != want[1] {
			t.Errorf("participant %d: %d in-app, %d mails; want %v", pid, len(items), len(f.mails(t, pid)), want)
		}
	}
	if s := f.mails(t, mailEN)[0].Subject; s != "The results of the project ‘Marktplein’ are on the website" {
		t.Errorf("English subject %q", s)
	}
	if err := f.svc.Unfollow(ctx, mailNL, f.project); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.svc.Follows(ctx, mailNL, f.project); ok {
		t.Error("still following after Unfollow")
	}
}

// A notification rolls back with the caller's transaction: no in-app
// message and no mail about something that did not happen.
func TestNotifyRollsBackWithTheCaller(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	boom := errors.New("the status change failed")
	err := f.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := f.svc.Notify(ctx, tx, pid, statusMsg("Meer bankjes")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	items, _ := f.svc.List(ctx, pid, 10)
	if len(items) != 0 || len(f.mails(t, pid)) != 0 {
		t.Fatalf("rolled-back notification left %d items and %d mails", len(items), len(f.mails(t, pid)))
	}
}

func TestBadMessagesAreRefused(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	pid := f.participant(t, "Jan")
	for name, m := range map[string]notify.Message{
		"unknown kind":      {Kind: "gossip", Key: "notify.msg.results", Params: []string{"x"}},
		"unknown key":       {Kind: notify.KindResults, Key: "notify.msg.nope"},
		"too few params":    {Kind: notify.KindIdeaStatus, Key: "notify.msg.idea_status", Params: []string{"x"}},
		"too many params":   {Kind: notify.KindResults, Key: "notify.msg.results", Params: []string{"x", "y"}},
		"absolute link":     {Kind: notify.KindResults, Key: "notify.msg.results", Params: []string{"x"}, Link: "https://kwaad.example/"},
		"protocol-relative": {Kind: notify.KindResults, Key: "notify.msg.results", Params: []string{"x"}, Link: "//kwaad.example/"},
	} {
		err := f.db.WithTx(context.Background(), func(tx *gorm.DB) error { return f.svc.Notify(context.Background(), tx, pid, m) })
		if !errors.Is(err, notify.ErrBadMessage) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestEraseRemovesEverything(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	pid := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	keep := f.subscribed(t, "Piet", "piet@voorbeeld.nl", "nl")
	for _, p := range []int64{pid, keep} {
		if err := f.svc.Follow(ctx, p, f.project); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetPreferences(ctx, p, notify.AllKinds.With(notify.KindReply, false)); err != nil {
			t.Fatal(err)
		}
		f.notify(t, p, statusMsg("Meer bankjes"))
	}
	// One of Jan's mails has gone out already; it holds his address too.
	testdb.NoError(t, f.db.Model(&notify.Mail{}).Where("participant_id = ? AND kind = 'confirm'", pid).Update("status", notify.StatusSent).Error)
	if err := f.db.WithTx(ctx, func(tx *gorm.DB) error { return f.svc.Erase(ctx, tx, pid) }); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"notifications", "notification_addresses", "notification_preferences", "project_follows", "mail_outbox"} {
		var mine, theirs int64
		testdb.NoError(t, f.db.Table(table).Where("participant_id = ?", pid).Count(&mine).Error)
		testdb.NoError(t, f.db.Table(table).Where("participant_id = ?", keep).Count(&theirs).Error)
		if mine != 0 {
			t.Errorf("%s still holds %d rows of the erased participant", table, mine)
		}
		if theirs == 0 {
			t.Errorf("%s lost the other participant's rows", table)
		}
	}
	var leaked int64
	testdb.NoError(t, f.db.Model(&notify.Mail{}).Where("to_address = ?", "jan@voorbeeld.nl").Count(&leaked).Error)
	if leaked != 0 {
		t.Error("the erased address is still in the outbox")
	}
}

func TestParsePrefsRoundTripsAndRefusesUnknownKinds(t *testing.T) {
	t.Parallel() // each test has its own database
	for _, p := range []notify.Prefs{{}, notify.AllKinds, {Reply: true}, {IdeaStatus: true, Results: true}} {
		got, err := notify.ParsePrefs(p.Values())
		if err != nil || got != p {
			t.Errorf("%+v → %v → %+v, %v", p, p.Values(), got, err)
		}
	}
	for _, bad := range [][]string{{"idea_status", "spam"}, {""}, {"IDEA_STATUS"}, {"all"}} {
		if _, err := notify.ParsePrefs(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Whatever the preferences form posts, the parser either refuses it or
// returns exactly the kinds that were named.
func FuzzParsePrefs(f *testing.F) {
	for _, seed := range []string{"idea_status", "reply&results", "", "spam", "idea_status&idea_status&reply", "\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		values := strings.Split(s, "&")
		p, err := notify.ParsePrefs(values)
		if err != nil {
			if p != (notify.Prefs{}) {
				t.Fatalf("refused input left prefs %+v", p)
			}
			return
		}
		for _, v := range values {
			if !notify.Kind(v).Valid() || !p.Wants(notify.Kind(v)) {
				t.Fatalf("%q accepted but %q not a wanted kind: %+v", s, v, p)
			}
		}
		for _, k := range notify.Kinds {
			if p.Wants(k) && !strings.Contains(s, string(k)) {
				t.Fatalf("%q switched on %s", s, k)
			}
		}
	})
}
