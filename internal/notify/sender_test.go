package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/notify"
	"inspraak/internal/notify/mailtest"
	"inspraak/internal/testdb"
)

var from = &mail.Address{Name: "Gemeente Voorbeeld", Address: "inspraak@gemeente.example"}

func (f *fixture) sender(t testing.TB, tr notify.Transport, id string) *notify.Sender {
	t.Helper()
	return notify.NewSender(f.db, tr, id, notify.SenderConfig{From: from, Now: f.clock.Now, Batch: 4,
		SendTimeout: 3 * time.Second, BaseDelay: time.Minute, MaxDelay: time.Hour, MaxAttempts: 5})
}

func smtpTo(addr string) *notify.SMTPTransport {
	t, err := notify.ParseSMTPURL("smtp://" + addr)
	if err != nil {
		panic(err)
	}
	t.Timeout = 3 * time.Second
	return t
}

func (f *fixture) outbox(t testing.TB) []notify.Mail {
	t.Helper()
	var ms []notify.Mail
	if err := f.db.Order("id").Find(&ms).Error; err != nil {
		t.Fatal(err)
	}
	return ms
}

// queueMails gives n participants a confirmed address and one
// notification each, and returns how many mails wait in the outbox.
func (f *fixture) queueMails(t testing.TB, n int) int {
	t.Helper()
	for i := range n {
		lang := "nl"
		if i%2 == 1 {
			lang = "en"
		}
		pid := f.subscribed(t, fmt.Sprintf("Deelnemer %d", i), fmt.Sprintf("deelnemer%d@voorbeeld.nl", i), lang)
		f.notify(t, pid, statusMsg(fmt.Sprintf("Idee %d", i)))
	}
	return len(f.outbox(t))
}

// checkEachOnce fails unless every outbox row arrived exactly once and
// is marked sent.
func checkEachOnce(t *testing.T, f *fixture, ms *mailtest.Server, want int) {
	t.Helper()
	counts := ms.CountByID()
	rows := f.outbox(t)
	if len(rows) != want {
		t.Fatalf("outbox has %d rows, want %d", len(rows), want)
	}
	for _, r := range rows {
		if r.Status != notify.StatusSent || r.LockedBy != nil {
			t.Errorf("mail %d: status %s, locked by %v", r.ID, r.Status, r.LockedBy)
		}
		if counts[r.MessageID] != 1 {
			t.Errorf("mail %d (%s) arrived %d times", r.ID, r.MessageID, counts[r.MessageID])
		}
	}
	if got := len(ms.Messages()); got != want {
		t.Errorf("server received %d messages, want %d", got, want)
	}
}

func TestMailWaitsWhileTheServerIsDownAndGoesOutOnceWhenItIsBack(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ms := newDownMailServer(t)
	want := f.queueMails(t, 5)
	s := f.sender(t, smtpTo(ms.Addr), "instance-a")

	sent, err := s.SendDue(ctx)
	if err != nil || sent != 0 {
		t.Fatalf("server down: sent %d, %v", sent, err)
	}
	for _, r := range f.outbox(t) {
		if r.Status != notify.StatusPending || r.Attempts != 1 || !r.NextAttemptAt.After(f.clock.Now()) || r.LastError == "" || r.LockedBy != nil {
			t.Fatalf("after a failed attempt: %+v", r)
		}
		if strings.Contains(r.LastError, "@") {
			t.Errorf("last_error holds an address: %q", r.LastError)
		}
	}
	// Not due yet: nothing is tried again.
	if sent, _ := s.SendDue(ctx); sent != 0 {
		t.Fatalf("sent %d before the backoff ended", sent)
	}

	ms.Start()
	if sent, _ := s.SendDue(ctx); sent != 0 {
		t.Fatal("mail went out before its next attempt was due")
	}
	f.clock.Add(time.Minute) // the first backoff is at most BaseDelay
	sent, err = s.SendDue(ctx)
	if err != nil || sent != want {
		t.Fatalf("server back: sent %d of %d, %v", sent, want, err)
	}
	f.clock.Add(time.Hour)
	if sent, _ := s.SendDue(ctx); sent != 0 {
		t.Fatalf("a second pass sent %d again", sent)
	}
	checkEachOnce(t, f, ms, want)
}

// Two instances sending from one outbox at the same time never send a
// mail twice, also while the server is down for a while.
func TestTwoSendersNeverSendAMailTwice(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ms := newDownMailServer(t)
	want := f.queueMails(t, 12)
	a, b := f.sender(t, smtpTo(ms.Addr), "instance-a"), f.sender(t, smtpTo(ms.Addr), "instance-b")

	race := func() {
		var wg sync.WaitGroup
		for _, s := range []*notify.Sender{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					if _, err := s.SendDue(ctx); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
	}
	race() // down: every mail fails once, none is lost
	for _, r := range f.outbox(t) {
		if r.Status != notify.StatusPending || r.Attempts != 1 {
			t.Fatalf("after the outage: %+v", r)
		}
	}
	ms.Start()
	f.clock.Add(2 * time.Minute)
	race()
	checkEachOnce(t, f, ms, want)
}

// A sender that crashed after claiming holds mail only until its lease
// runs out; then another instance sends it.
func TestAnExpiredClaimIsTakenOver(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ms := newMailServer(t)
	want := f.queueMails(t, 2)
	until := f.clock.Now().Add(10 * time.Minute)
	crashed := "instance-crashed"
	if err := f.db.Model(&notify.Mail{}).Where("1 = 1").Updates(map[string]any{"locked_by": crashed, "locked_until": until, "attempts": 1}).Error; err != nil {
		t.Fatal(err)
	}
	s := f.sender(t, smtpTo(ms.Addr), "instance-b")
	if sent, _ := s.SendDue(ctx); sent != 0 {
		t.Fatalf("sent %d mails another instance still holds", sent)
	}
	f.clock.Add(10 * time.Minute)
	if sent, err := s.SendDue(ctx); sent != want || err != nil {
		t.Fatalf("after the lease: sent %d of %d, %v", sent, want, err)
	}
	checkEachOnce(t, f, ms, want)
}

func TestRefusedAndExhaustedMailIsMarkedFailedAndKept(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ms := newMailServer(t)
	refused := f.subscribed(t, "Jan", "bestaat-niet@voorbeeld.nl", "nl")
	f.notify(t, refused, statusMsg("Meer bankjes"))
	ms.Reject["bestaat-niet@voorbeeld.nl"] = "5.1.1 <bestaat-niet@voorbeeld.nl>: Recipient address rejected"
	s := f.sender(t, smtpTo(ms.Addr), "instance-a")
	if _, err := s.SendDue(ctx); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.outbox(t) {
		if r.Status != notify.StatusFailed || r.Attempts != 1 || !strings.Contains(r.LastError, "550") {
			t.Errorf("a permanent refusal must fail at once: %+v", r)
		}
		if strings.Contains(r.LastError, "bestaat-niet") {
			t.Errorf("last_error holds the address: %q", r.LastError)
		}
	}

	// A server that stays down: after MaxAttempts the mail is failed, not gone.
	g := setup(t)
	down := newDownMailServer(t)
	g.queueMails(t, 1)
	s = g.sender(t, smtpTo(down.Addr), "instance-a")
	for range 5 {
		if _, err := s.SendDue(ctx); err != nil {
			t.Fatal(err)
		}
		g.clock.Add(time.Hour)
	}
	rows := g.outbox(t)
	if len(rows) != 2 {
		t.Fatalf("outbox lost mail: %d rows", len(rows))
	}
	for _, r := range rows {
		if r.Status != notify.StatusFailed || r.Attempts != 5 {
			t.Errorf("after 5 attempts: status %s, attempts %d", r.Status, r.Attempts)
		}
	}
	if sent, _ := s.SendDue(ctx); sent != 0 {
		t.Error("failed mail was tried again")
	}
}

func TestBackoffGrowsIsCappedAndJittered(t *testing.T) {
	t.Parallel() // each test has its own database
	base, maxDelay := time.Minute, time.Hour
	prevHigh := time.Duration(0)
	for attempt := 1; attempt <= 12; attempt++ {
		low := notify.Backoff(attempt, base, maxDelay, func() float64 { return 0 })
		high := notify.Backoff(attempt, base, maxDelay, func() float64 { return 0.999999 })
		if high > maxDelay || low < high/2-time.Second || low > high {
			t.Errorf("attempt %d: range %v–%v", attempt, low, high)
		}
		if high < prevHigh {
			t.Errorf("attempt %d: %v shorter than before (%v)", attempt, high, prevHigh)
		}
		prevHigh = high
	}
	if d := notify.Backoff(1, base, maxDelay, func() float64 { return 1 }); d != base {
		t.Errorf("first backoff = %v, want at most %v", d, base)
	}
	if d := notify.Backoff(1000, base, maxDelay, func() float64 { return 1 }); d != maxDelay {
		t.Errorf("huge attempt = %v, want the cap", d)
	}
}

// The mail as a mail client sees it: multipart/alternative with text and
// HTML, the one-click unsubscribe headers, the subject in the reader's
// language.
func TestReceivedMailIsMultipartWithUnsubscribeHeaders(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	ms := newMailServer(t)
	nl := f.subscribed(t, "Jan", "jan@voorbeeld.nl", "nl")
	en := f.subscribed(t, "Jane", "jane@example.com", "en")
	testdb.NoError(t, f.db.Where("kind = 'confirm'").Delete(&notify.Mail{}).Error)
	for _, pid := range []int64{nl, en} {
		f.notify(t, pid, statusMsg("Bankjes bij de école"))
	}
	if sent, err := f.sender(t, smtpTo(ms.Addr), "a").SendDue(ctx); sent != 2 || err != nil {
		t.Fatalf("sent %d, %v", sent, err)
	}
	dec := new(mime.WordDecoder)
	subjects := map[string]string{}
	for _, r := range ms.Messages() {
		if r.From != "inspraak@gemeente.example" || len(r.To) != 1 {
			t.Errorf("envelope %s → %v", r.From, r.To)
		}
		m, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		subj, err := dec.DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		subjects[r.To[0]] = subj
		if got := m.Header.Get("List-Unsubscribe"); !strings.HasPrefix(got, "<https://inspraak.gemeente.example/afmelden?token=") || !strings.HasSuffix(got, ">") {
			t.Errorf("List-Unsubscribe = %q", got)
		}
		if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post = %q", got)
		}
		if a, err := mail.ParseAddress(m.Header.Get("From")); err != nil || a.Name != "Gemeente Voorbeeld" {
			t.Errorf("From = %q", m.Header.Get("From"))
		}
		if m.Header.Get("Message-Id") == "" || m.Header.Get("Date") == "" || m.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("headers: %v", m.Header)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("Content-Type %q", m.Header.Get("Content-Type"))
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		var types []string
		var text, html string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(p) // multipart decodes quoted-printable
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			types = append(types, ct)
			if ct == "text/plain" {
				text = string(b)
			} else {
				html = string(b)
			}
		}
		if strings.Join(types, ",") != "text/plain,text/html" {
			t.Errorf("parts %v, want text then HTML", types)
		}
		if !strings.Contains(text, "Bankjes bij de école") || !strings.Contains(text, "/afmelden?token=") {
			t.Errorf("text part:\n%s", text)
		}
		if !strings.Contains(html, "<a href=\"https://inspraak.gemeente.example/afmelden?token=") || !strings.Contains(html, "école") {
			t.Errorf("HTML part:\n%s", html)
		}
		for _, line := range strings.Split(string(r.Data), "\r\n") {
			if len(line) > 998 {
				t.Errorf("line of %d characters", len(line))
			}
		}
	}
	if subjects["jan@voorbeeld.nl"] != "Uw idee ‘Bankjes bij de école’ heeft een nieuwe status: In behandeling" ||
		subjects["jane@example.com"] != "Your idea ‘Bankjes bij de école’ has a new status: In behandeling" {
		t.Errorf("subjects = %q", subjects)
	}
}

func TestSTARTTLSAndLoginAreUsedWhenOffered(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ctx := context.Background()
	cfg, pool := selfSigned(t)
	ms := newDownMailServer(t)
	ms.TLS = cfg
	ms.Users = map[string]string{"inspraak": "geheim wachtwoord"}
	ms.Start()
	want := f.queueMails(t, 1)

	tr, err := notify.ParseSMTPURL("smtp://inspraak:geheim%20wachtwoord@" + ms.Addr)
	if err != nil {
		t.Fatal(err)
	}
	tr.TLSConfig = &tls.Config{RootCAs: pool, ServerName: hostOf(ms.Addr)}
	if sent, err := f.sender(t, tr, "a").SendDue(ctx); sent != want || err != nil {
		t.Fatalf("sent %d of %d, %v (%v)", sent, want, err, f.outbox(t)[0].LastError)
	}
	for _, r := range ms.Messages() {
		if !r.TLS || r.User != "inspraak" {
			t.Errorf("TLS %v, user %q", r.TLS, r.User)
		}
	}

	// A certificate nobody vouches for is refused, not ignored.
	g := setup(t)
	g.queueMails(t, 1)
	untrusted, _ := notify.ParseSMTPURL("smtp://inspraak:geheim%20wachtwoord@" + ms.Addr)
	if sent, _ := g.sender(t, untrusted, "a").SendDue(ctx); sent != 0 {
		t.Fatal("sent over TLS with an untrusted certificate")
	}
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	cfg, pool := selfSigned(t)
	ms := newDownMailServer(t)
	ms.TLS, ms.ImplicitTLS = cfg, true
	ms.Start()
	want := f.queueMails(t, 1)
	tr, err := notify.ParseSMTPURL("smtps://" + ms.Addr)
	if err != nil || !tr.Implicit {
		t.Fatalf("%+v, %v", tr, err)
	}
	tr.TLSConfig = &tls.Config{RootCAs: pool, ServerName: hostOf(ms.Addr)}
	if sent, err := f.sender(t, tr, "a").SendDue(context.Background()); sent != want || err != nil {
		t.Fatalf("sent %d of %d, %v", sent, want, err)
	}
	if r := ms.Messages()[0]; !r.TLS {
		t.Error("not over TLS")
	}
}

func TestSMTPURLs(t *testing.T) {
	t.Parallel() // each test has its own database
	for raw, want := range map[string]string{
		"smtp://mail.gemeente.example":          "mail.gemeente.example:587",
		"smtp://u:p@mail.gemeente.example:2525": "mail.gemeente.example:2525",
		"smtps://mail.gemeente.example":         "mail.gemeente.example:465",
	} {
		tr, err := notify.ParseSMTPURL(raw)
		if err != nil || tr.Addr != want {
			t.Errorf("%s: %+v, %v", raw, tr, err)
		}
	}
	for _, bad := range []string{"", "mail.gemeente.example", "http://mail.gemeente.example", "smtp://", "smtp://host/pad", "smtp://%zz"} {
		if _, err := notify.ParseSMTPURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A slow mail server never holds a sender past its timeout.
func TestASilentServerTimesOut(t *testing.T) {
	t.Parallel() // each test has its own database
	f := setup(t)
	ln, err := newSilentListener(t)
	if err != nil {
		t.Fatal(err)
	}
	f.queueMails(t, 1)
	tr := smtpTo(ln)
	tr.Timeout = 300 * time.Millisecond
	start := time.Now()
	if sent, _ := f.sender(t, tr, "a").SendDue(context.Background()); sent != 0 {
		t.Fatal("sent to a server that never answered")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	if r := f.outbox(t); r[0].Status != notify.StatusPending || r[0].Attempts != 1 {
		t.Errorf("after a timeout: %+v", r[0])
	}
}

// pausingTransport holds the first mail until the test lets it go, so the
// test can stop the sender while that mail is on its way.
type pausingTransport struct {
	notify.Transport
	once     sync.Once
	started  chan struct{}
	proceed  chan struct{}
	attempts int
}

func (p *pausingTransport) Send(ctx context.Context, from string, to []string, msg []byte) error {
	p.attempts++
	p.once.Do(func() {
		close(p.started)
		<-p.proceed
	})
	return p.Transport.Send(ctx, from, to, msg)
}

// SIGTERM while a mail is being sent (a rolling update): that mail is
// finished and recorded as sent, not cut off (which could leave it at the
// mail server and marked failed, to go out again after a backoff), and
// the rest of the claim goes back untouched for another instance.
func TestStoppingMidMailFinishesThatMailAndHandsBackTheRest(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ms := newMailServer(t)
	want := f.queueMails(t, 3)
	tr := &pausingTransport{Transport: smtpTo(ms.Addr), started: make(chan struct{}), proceed: make(chan struct{})}
	s := f.sender(t, tr, "instance-stopping")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		sent, _ := s.SendDue(ctx)
		done <- sent
	}()
	<-tr.started
	cancel() // the signal
	close(tr.proceed)
	if sent := <-done; sent != 1 || tr.attempts != 1 {
		t.Fatalf("sent %d mails in %d attempts after the stop, want the one under way", sent, tr.attempts)
	}
	rows := f.outbox(t)
	if len(rows) != want || len(ms.Messages()) != 1 {
		t.Fatalf("%d rows, %d received", len(rows), len(ms.Messages()))
	}
	for i, r := range rows {
		switch {
		case i == 0 && (r.Status != notify.StatusSent || r.LockedBy != nil):
			t.Errorf("the mail under way: status %s, locked by %v, last error %q", r.Status, r.LockedBy, r.LastError)
		case i > 0 && (r.Status != notify.StatusPending || r.LockedBy != nil || r.Attempts != 0 || r.NextAttemptAt.After(f.clock.Now())):
			t.Errorf("mail %d not handed back untouched: status %s, locked by %v, attempts %d, next %v", r.ID, r.Status, r.LockedBy, r.Attempts, r.NextAttemptAt)
		}
	}
}
