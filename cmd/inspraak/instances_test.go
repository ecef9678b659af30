//go:build instances

package main

// Two instances of the real binary under one load on one PostgreSQL
// database, and one of them stopped with SIGTERM in the middle, as a
// rolling update behind a load balancer does. Run by .ci/instances.sh:
//
//	INSPRAAK_INSTANCES_BINARY=/tmp/inspraak \
//	INSPRAAK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	go test -tags instances -count=1 -v -run '^TestTwoInstancesUnderLoadWithADrain$' ./cmd/inspraak
//
// The driver plays the residents, the moderators and the load balancer:
// it sends each new request to an instance whose /readyz said yes, and
// takes an instance out as soon as its /readyz says 503. What it promises
// is checked afterwards against the database, the mail that arrived and
// the binary's own `inspraak tallies`.

import (
	"bytes"
	"context"
	rnd "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime/quotedprintable"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"inspraak/internal/consultation"
	"inspraak/internal/notify/mailtest"
	"inspraak/internal/store"
)

// Every instance behind one load balancer shares its keys.
const (
	instSessionKey   = "Pz4Kw8Rt1Vn6Bq3Xm9Lc2Hj7Df5Gs0Ya-instances"
	instPseudonymKey = "Ua9Jd2Wq7Zr4Mk1Xt8Bn3Cv6Lp0Hf5Gs-instances"
)

// Demo content the load works on (internal/demo).
const (
	poll1Path     = "/projecten/veilig-naar-school/welke-plek-eerst"
	poll2Path     = "/projecten/herinrichting-marktplein/wat-wilt-u-op-het-plein"
	surveyPath    = "/projecten/herinrichting-marktplein/vragenlijst-schetsontwerp"
	greenBoard    = "/projecten/groen-in-de-wijk/ideeenbord"         // post-moderated: ideas to support
	playBoardPath = "/projecten/speeltuin-de-brink/ideeen-speeltuin" // pre-moderated: every new idea waits for a moderator
)

func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

type instance struct {
	name    string
	base    string
	cmd     *exec.Cmd
	logPath string
	out     atomic.Bool // taken out of the rotation: its /readyz said 503
	done    chan struct{}
	waitErr error
}

// tally counts requests per kind and instance.
type tally struct {
	mu         sync.Mutex
	ok         map[string]map[string]int // kind → instance → answered as expected
	unexpected []string
	afterTerm  map[string]int // requests to the stopped instance answered after SIGTERM, by status
	connErrs   int
}

func (tl *tally) add(kind, inst string, err error, status int, want int, terminated bool, detail string) bool {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if terminated {
		if err != nil {
			tl.afterTerm["connection error"]++
		} else {
			tl.afterTerm[strconv.Itoa(status)]++
		}
	}
	switch {
	case err != nil:
		tl.connErrs++
		tl.unexpected = append(tl.unexpected, fmt.Sprintf("%s on %s: %v", kind, inst, err))
		return false
	case status != want:
		tl.unexpected = append(tl.unexpected, fmt.Sprintf("%s on %s: HTTP %d, want %d %s", kind, inst, status, want, detail))
		return false
	}
	if tl.ok[kind] == nil {
		tl.ok[kind] = map[string]int{}
	}
	tl.ok[kind][inst]++
	return true
}

type driver struct {
	t     *testing.T
	insts []*instance
	tr    *http.Transport
	rr    atomic.Uint64
	tl    *tally
	term  atomic.Pointer[instance] // the instance sent SIGTERM
}

// pick is the load balancer: the next instance still in the rotation.
func (d *driver) pick() *instance {
	for range 2 * len(d.insts) {
		in := d.insts[d.rr.Add(1)%uint64(len(d.insts))]
		if !in.out.Load() {
			return in
		}
	}
	return nil
}

func (d *driver) client(jar http.CookieJar) *http.Client {
	return &http.Client{Jar: jar, Transport: d.tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// do sends one request to in and records it under kind; it returns the
// response's Location and whether the status was want.
func (d *driver) do(c *http.Client, kind string, in *instance, method, target string, form url.Values, want int) (string, bool) {
	if !strings.HasPrefix(target, "http") {
		target = in.base + target
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		d.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	terminated := d.term.Load() == in
	resp, err := c.Do(req)
	status, loc, detail := 0, "", ""
	if err == nil {
		b, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			err = rerr
		}
		status, loc = resp.StatusCode, resp.Header.Get("Location")
		if status != want {
			detail = fmt.Sprintf("(%s %s → %s) %.300s", method, req.URL.Path, loc, strings.Join(strings.Fields(string(b)), " "))
		}
	}
	terminated = terminated || d.term.Load() == in
	return loc, d.tl.add(kind, in.name, err, status, want, terminated, detail)
}

// residentState is one logged-in resident, kept for the mail confirmation.
type resident struct {
	c     *http.Client
	email string
	n     int
}

func TestTwoInstancesUnderLoadWithADrain(t *testing.T) {
	bin := os.Getenv("INSPRAAK_INSTANCES_BINARY")
	base := os.Getenv("INSPRAAK_TEST_DATABASE_URL")
	if bin == "" || !strings.HasPrefix(base, "postgres") {
		t.Fatal("INSPRAAK_INSTANCES_BINARY (the built binary) and INSPRAAK_TEST_DATABASE_URL (postgres://…, a user that may CREATE DATABASE) are required; see .ci/instances.sh")
	}
	loadFor := envDuration(t, "INSPRAAK_INSTANCES_LOAD", 25*time.Second)
	drainDelay := envDuration(t, "INSPRAAK_INSTANCES_DRAIN_DELAY", 3*time.Second)
	workers := 14
	began := time.Now()

	dbURL := newEmptyDatabase(t, base)
	sink := mailtest.New(t)
	dir := t.TempDir()

	// Two processes at the same moment on the empty database.
	insts := make([]*instance, 2)
	for i := range insts {
		addr := freeAddr(t)
		insts[i] = &instance{name: string(rune('A' + i)), base: "http://" + addr, logPath: fmt.Sprintf("%s/instance-%c.log", dir, 'A'+i), done: make(chan struct{})}
		env := []string{
			"INSPRAAK_ENV=development", "INSPRAAK_ADDR=" + addr, "INSPRAAK_BASE_URL=http://" + addr,
			"INSPRAAK_DATABASE_URL=" + dbURL, "INSPRAAK_SEED_DEMO=true", "INSPRAAK_DEV_IDP=true",
			"INSPRAAK_SESSION_KEY=" + instSessionKey, "INSPRAAK_PSEUDONYM_KEY=" + instPseudonymKey,
			"INSPRAAK_SMTP_URL=smtp://" + sink.Addr, "INSPRAAK_DRAIN_DELAY=" + drainDelay.String(),
			// One client address plays every resident: the limits on abuse
			// would measure that, not the instances.
			"INSPRAAK_RATE_LIMITS=off", "INSPRAAK_DB_MAX_OPEN_CONNS=10", "INSPRAAK_DB_MAX_IDLE_CONNS=10",
			"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		}
		f, err := os.Create(insts[i].logPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cmd := exec.Command(bin, "serve")
		cmd.Env, cmd.Stdout, cmd.Stderr, cmd.Dir = env, f, f, dir
		insts[i].cmd = cmd
	}
	for _, in := range insts {
		if err := in.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { in.waitErr = in.cmd.Wait(); close(in.done) }()
	}
	t.Cleanup(func() {
		for _, in := range insts {
			select {
			case <-in.done:
			default:
				_ = in.cmd.Process.Kill()
				<-in.done
			}
		}
	})
	for _, in := range insts {
		waitReady(t, in)
	}
	started := time.Since(began)
	startups := ""
	for _, in := range insts {
		b, err := os.ReadFile(in.logPath)
		if err != nil {
			t.Fatal(err)
		}
		if m := regexp.MustCompile(`msg="Inspraak is ready".* startup=(\S+)`).FindSubmatch(b); m != nil {
			startups += fmt.Sprintf(" %s %s", in.name, m[1])
		}
	}

	db, err := store.Open(context.Background(), store.Options{URL: dbURL, MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := func(dest any, sql string, args ...any) {
		t.Helper()
		if err := db.Raw(sql, args...).Scan(dest).Error; err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	instrumentID := func(path string) int64 {
		parts := strings.Split(strings.TrimPrefix(path, "/projecten/"), "/")
		var id int64
		q(&id, "SELECT i.id FROM instruments i JOIN projects p ON p.id = i.project_id WHERE p.slug = ? AND i.slug = ?", parts[0], parts[1])
		if id == 0 {
			t.Fatalf("demo content: no %s", path)
		}
		return id
	}
	poll1, poll2, survey, green, play := instrumentID(poll1Path), instrumentID(poll2Path), instrumentID(surveyPath), instrumentID(greenBoard), instrumentID(playBoardPath)
	var opts1, opts2, greenIdeas, playThemes []int64
	q(&opts1, "SELECT id FROM poll_options WHERE instrument_id = ? ORDER BY position", poll1)
	q(&opts2, "SELECT id FROM poll_options WHERE instrument_id = ? ORDER BY position", poll2)
	q(&greenIdeas, "SELECT id FROM ideas WHERE instrument_id = ? AND moderation = 'approved' AND status IN ('new', 'under_consideration') ORDER BY id", green)
	q(&playThemes, "SELECT id FROM idea_themes WHERE instrument_id = ? ORDER BY position", play)
	cons, err := consultation.NewService(db, []byte(instPseudonymKey)).Get(context.Background(), survey)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts1) == 0 || len(opts2) == 0 || len(greenIdeas) < 2 || len(playThemes) == 0 || len(cons.Questions) == 0 {
		t.Fatalf("demo content changed: poll options %d/%d, ideas to support %d, themes %d, questions %d", len(opts1), len(opts2), len(greenIdeas), len(playThemes), len(cons.Questions))
	}
	type counts struct{ ballots1, ballots2, responses, ideas, supports, items, lastItem, lastEvent int64 }
	snapshot := func() counts {
		var c counts
		q(&c.ballots1, "SELECT count(*) FROM ballots WHERE instrument_id = ?", poll1)
		q(&c.ballots2, "SELECT count(*) FROM ballots WHERE instrument_id = ?", poll2)
		q(&c.responses, "SELECT count(*) FROM responses WHERE instrument_id = ? AND status = 'submitted'", survey)
		q(&c.ideas, "SELECT count(*) FROM ideas WHERE instrument_id = ?", play)
		q(&c.supports, "SELECT count(*) FROM idea_supports s JOIN ideas i ON i.id = s.idea_id WHERE i.instrument_id = ?", green)
		q(&c.items, "SELECT count(*) FROM moderation_items")
		q(&c.lastItem, "SELECT COALESCE(max(id), 0) FROM moderation_items")
		q(&c.lastEvent, "SELECT COALESCE(max(id), 0) FROM moderation_events")
		return c
	}
	before := snapshot()

	d := &driver{t: t, insts: insts, tl: &tally{ok: map[string]map[string]int{}, afterTerm: map[string]int{}},
		tr: &http.Transport{MaxIdleConnsPerHost: 32, IdleConnTimeout: 30 * time.Second}}

	// Moderators log in through the built-in staff provider, one on each
	// instance; their sessions serve on both.
	mods := make([]*http.Client, 2)
	for i := range mods {
		jar, _ := cookiejar.New(nil)
		mods[i] = d.client(jar)
		in := insts[i]
		loc, ok := d.do(mods[i], "staff login", in, "POST", "/beheer/inloggen", url.Values{"terug": {"/beheer/moderatie"}}, http.StatusSeeOther)
		if !ok {
			t.Fatalf("moderator %d: staff login did not start", i+1)
		}
		auth, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		form := auth.Query()
		form.Set("name", fmt.Sprintf("Moderator %d", i+1))
		form["groups"] = []string{"inspraak-moderatoren"}
		if loc, ok = d.do(mods[i], "staff login", in, "POST", in.base+auth.Path, form, http.StatusSeeOther); !ok {
			t.Fatalf("moderator %d: the provider refused", i+1)
		}
		if _, ok = d.do(mods[i], "staff login", in, "GET", loc, nil, http.StatusSeeOther); !ok {
			t.Fatalf("moderator %d: callback failed", i+1)
		}
	}

	var (
		stopLoad   atomic.Bool // no new residents
		loadOver   atomic.Bool // moderators: once the queue is empty, stop
		next       atomic.Int64
		votes1     atomic.Int64
		votes2     atomic.Int64
		responses  atomic.Int64
		ideas      atomic.Int64
		supports   atomic.Int64
		emails     atomic.Int64
		confirms   atomic.Int64
		noticed    atomic.Int64 // ideas by residents with a confirmed address: each decision mails them
		mu         sync.Mutex
		byEmail    = map[string]*resident{}
		handed     = map[int64][]int{} // item → moderators it was handed to
		decided    = map[int64]int{}   // item → decisions the driver got 303 for
		observed   []string
		drainStart time.Time
	)

	postIdea := func(c *http.Client, i int, r *rand.Rand) bool {
		in := d.pick()
		if in == nil {
			return false
		}
		if _, ok := d.do(c, "new idea", in, "POST", playBoardPath+"/ideeen", url.Values{
			"titel":        {fmt.Sprintf("Een idee van inwoner %d", i)},
			"beschrijving": {"Een plek in de schaduw om even te zitten terwijl de kinderen spelen."},
			"thema":        {strconv.FormatInt(playThemes[r.IntN(len(playThemes))], 10)},
		}, http.StatusSeeOther); ok {
			ideas.Add(1)
			return true
		}
		return false
	}
	residentRun := func(i int) {
		home := d.pick()
		if home == nil {
			return
		}
		jar, _ := cookiejar.New(nil) // one jar: 127.0.0.1 is one host, so both instances get the cookie
		c := d.client(jar)
		loc, ok := d.do(c, "login", home, "POST", "/inloggen/digid", url.Values{"terug": {"/"}}, http.StatusSeeOther)
		if !ok {
			return
		}
		auth, err := url.Parse(loc)
		if err != nil {
			t.Error(err)
			return
		}
		form := auth.Query()
		form.Set("bsn", testBSN(i))
		form.Set("loa", "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract")
		if loc, ok = d.do(c, "login", home, "POST", home.base+auth.Path, form, http.StatusSeeOther); !ok {
			return
		}
		if loc, ok = d.do(c, "login", home, "GET", loc, nil, http.StatusSeeOther); !ok {
			return
		}
		if strings.Contains(loc, "reden=") {
			d.tl.add("login", home.name, nil, 0, 303, false, "refused: "+loc)
			return
		}
		r := rand.New(rand.NewPCG(uint64(i), 7))
		step := func(kind, method, path string, form url.Values, want int) bool {
			in := d.pick()
			if in == nil {
				return false
			}
			_, ok := d.do(c, kind, in, method, path, form, want)
			return ok
		}
		step("page", "GET", greenBoard, nil, http.StatusOK)
		if step("vote", "POST", poll1Path+"/stem", url.Values{"keuze": {strconv.FormatInt(opts1[r.IntN(len(opts1))], 10)}}, http.StatusSeeOther) {
			votes1.Add(1)
		}
		if step("vote", "POST", poll2Path+"/stem", url.Values{"keuze": {strconv.FormatInt(opts2[r.IntN(len(opts2))], 10)}}, http.StatusSeeOther) {
			votes2.Add(1)
		}
		if step("questionnaire", "POST", surveyPath+"/antwoorden", surveyAnswers(cons, r), http.StatusSeeOther) {
			responses.Add(1)
		}
		a := r.IntN(len(greenIdeas))
		for _, k := range []int{a, (a + 1) % len(greenIdeas)} {
			if step("support", "POST", fmt.Sprintf("%s/ideeen/%d/steun", greenBoard, greenIdeas[k]), url.Values{}, http.StatusSeeOther) {
				supports.Add(1)
			}
		}
		switch i % 3 {
		case 0: // gives an address; posts an idea once it is confirmed (below)
			email := fmt.Sprintf("inwoner%d@inwoners.example", i)
			mu.Lock()
			byEmail[email] = &resident{c: c, email: email, n: i}
			mu.Unlock()
			if step("e-mail address", "POST", "/mijn-inspraak/meldingen", url.Values{"actie": {"adres"}, "email": {email}, "toestemming": {"ja"}}, http.StatusSeeOther) {
				emails.Add(1)
			}
		case 1:
			postIdea(c, i, r)
		}
		step("page", "GET", "/projecten/speeltuin-de-brink", nil, http.StatusOK)
	}

	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for !stopLoad.Load() {
				residentRun(int(next.Add(1)))
			}
		})
	}
	var modWG sync.WaitGroup
	for m, c := range mods {
		modWG.Go(func() {
			empty := 0
			for {
				in := d.pick()
				if in == nil {
					return
				}
				loc, ok := d.do(c, "moderation: next", in, "POST", "/beheer/moderatie/volgende", url.Values{}, http.StatusSeeOther)
				if !ok {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				id, err := strconv.ParseInt(strings.TrimPrefix(loc, "/beheer/moderatie/"), 10, 64)
				if err != nil { // nothing waits
					if loadOver.Load() {
						if empty++; empty >= 2 {
							return
						}
					}
					time.Sleep(100 * time.Millisecond)
					continue
				}
				empty = 0
				mu.Lock()
				handed[id] = append(handed[id], m+1)
				mu.Unlock()
				form := url.Values{"besluit": {"approve"}, "geen_persoonsgegevens": {"ja"}}
				if id%4 == 0 {
					form = url.Values{"besluit": {"reject"}, "toelichting": {"Dit idee past niet bij de speeltuin."}}
				}
				in = d.pick()
				if in == nil {
					return
				}
				if _, ok := d.do(c, "moderation: decide", in, "POST", fmt.Sprintf("/beheer/moderatie/%d/besluit", id), form, http.StatusSeeOther); ok {
					mu.Lock()
					decided[id]++
					mu.Unlock()
				}
			}
		})
	}
	// Residents confirm their address with the link in the mail, which
	// makes the moderators' decisions reach them by mail as well.
	confirmLink := regexp.MustCompile(`/mijn-inspraak/email/bevestigen\?token=[A-Za-z0-9_-]+`)
	stopConfirm := make(chan struct{})
	var confirmWG sync.WaitGroup
	confirmWG.Go(func() {
		seen, stopping := 0, false
		for {
			select {
			case <-stopConfirm:
				stopping = true // one last pass over what has arrived
			default:
			}
			msgs := sink.Messages()
			for _, m := range msgs[seen:] {
				body, _ := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(m.Data)))
				link := confirmLink.Find(body)
				if link == nil || len(m.To) != 1 {
					continue
				}
				mu.Lock()
				r := byEmail[strings.Trim(m.To[0], "<>")]
				mu.Unlock()
				in := d.pick()
				if r == nil || in == nil {
					continue
				}
				if _, ok := d.do(r.c, "e-mail confirmation", in, "GET", string(link), nil, http.StatusSeeOther); ok {
					confirms.Add(1)
					// Now the moderator's decision on this idea reaches
					// its author by mail too.
					if postIdea(r.c, r.n, rand.New(rand.NewPCG(uint64(r.n), 8))) {
						noticed.Add(1)
					}
				}
			}
			seen = len(msgs)
			if stopping {
				return
			}
			select {
			case <-stopConfirm:
			case <-time.After(200 * time.Millisecond):
			}
		}
	})

	// The rolling update: SIGTERM to B a while into the load. The load
	// balancer (this driver) polls its /readyz and takes it out at the
	// first 503; the listener must stay open until then.
	stopped := insts[1]
	loadStart := time.Now()
	time.Sleep(loadFor * 2 / 5)
	drainStart = time.Now()
	d.term.Store(stopped)
	if err := stopped.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Like a load balancer's health check, the first look comes a probe
	// interval after the signal (it does not know when that came).
	probe := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	var sawDraining, sawClosed time.Duration
	probes := map[string]int{}
	time.Sleep(lbProbeEvery)
	for sawClosed == 0 && time.Since(drainStart) < drainDelay+shutdownSlack {
		resp, err := probe.Get(stopped.base + "/readyz")
		if err != nil {
			sawClosed = time.Since(drainStart)
			probes["connection error"]++
			if sawDraining == 0 {
				observed = append(observed, fmt.Sprintf("/readyz on %s failed before it said 503: %v", stopped.name, err))
				stopped.out.Store(true)
			}
			break
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		probes[strconv.Itoa(resp.StatusCode)]++
		switch {
		case resp.StatusCode != http.StatusServiceUnavailable:
			observed = append(observed, fmt.Sprintf("/readyz on %s said %d after SIGTERM, want 503", stopped.name, resp.StatusCode))
		case !strings.Contains(string(b), `"status":"draining"`):
			observed = append(observed, fmt.Sprintf("/readyz on %s said 503 without \"draining\": %s", stopped.name, b))
		case sawDraining == 0:
			sawDraining = time.Since(drainStart)
			stopped.out.Store(true) // no new requests from here on
		}
		// Once out of the rotation, look more often: when does the
		// listener close?
		if sawDraining != 0 {
			time.Sleep(50 * time.Millisecond)
		} else {
			time.Sleep(lbProbeEvery)
		}
	}
	select {
	case <-stopped.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("instance %s did not exit within 20 s of SIGTERM", stopped.name)
	}
	exitedAfter := time.Since(drainStart)
	if stopped.waitErr != nil {
		t.Errorf("instance %s after SIGTERM: %v (want exit 0)", stopped.name, stopped.waitErr)
	}
	if rest := loadFor - time.Since(loadStart); rest > 0 {
		time.Sleep(rest)
	}
	stopLoad.Store(true)
	wg.Wait()
	// The confirmations still on their way, and the ideas posted after
	// them; then the moderators empty the queue; then the notices go out.
	var pending int64
	waitOutbox := func() {
		for deadline := time.Now().Add(20 * time.Second); ; {
			q(&pending, "SELECT count(*) FROM mail_outbox WHERE status = 'pending'")
			if pending == 0 || time.Now().After(deadline) {
				return
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
	waitOutbox()
	close(stopConfirm) // after one more pass over the mail received

	confirmWG.Wait()
	loadEnded := time.Since(began)
	loadOver.Store(true)
	modWG.Wait()
	waitOutbox()
	last := insts[0]
	if err := last.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-last.done:
	case <-time.After(20 * time.Second):
		t.Fatalf("instance %s did not exit within 20 s of SIGTERM", last.name)
	}
	if last.waitErr != nil {
		t.Errorf("instance %s after SIGTERM: %v (want exit 0)", last.name, last.waitErr)
	}

	// The promises.
	var broken []string
	fail := func(format string, args ...any) { broken = append(broken, fmt.Sprintf(format, args...)) }
	after := snapshot()
	if got := after.ballots1 - before.ballots1; got != votes1.Load() {
		fail("poll %s: %d new ballots in the database, %d votes answered 303", poll1Path, got, votes1.Load())
	}
	if got := after.ballots2 - before.ballots2; got != votes2.Load() {
		fail("poll %s: %d new ballots in the database, %d votes answered 303", poll2Path, got, votes2.Load())
	}
	if got := after.responses - before.responses; got != responses.Load() {
		fail("questionnaire: %d new submitted responses in the database, %d submits answered 303", got, responses.Load())
	}
	if got := after.ideas - before.ideas; got != ideas.Load() {
		fail("new ideas: %d in the database, %d answered 303", got, ideas.Load())
	}
	if got := after.supports - before.supports; got != supports.Load() {
		fail("supports: %d new in the database, %d answered 303", got, supports.Load())
	}
	var badTallies []struct{ ID, Tally, Recount int64 }
	q(&badTallies, `SELECT o.id, COALESCE((SELECT sum(votes) FROM poll_tallies t WHERE t.option_id = o.id), 0) AS tally,
		(SELECT count(*) FROM ballot_choices c WHERE c.option_id = o.id) AS recount FROM poll_options o`)
	pollOptions := len(badTallies)
	for _, b := range badTallies {
		if b.Tally != b.Recount {
			fail("poll option %d: tally %d, recount of ballots %d", b.ID, b.Tally, b.Recount)
		}
	}
	var badSupportCounts int64
	q(&badSupportCounts, "SELECT count(*) FROM ideas i WHERE support_count <> (SELECT count(*) FROM idea_supports s WHERE s.idea_id = i.id)")
	if badSupportCounts > 0 {
		fail("%d ideas whose support count differs from their supports", badSupportCounts)
	}
	tallyOut, tallyErr := runTallies(bin, dbURL, dir)
	if tallyErr != nil || !strings.Contains(tallyOut, " 0 differ") {
		fail("inspraak tallies: %v\n%s", tallyErr, tallyOut)
	}

	// Moderation: every item handed out once, to one moderator, decided
	// once; none left waiting; every new idea became an item.
	var twice, undecided int
	for id, ms := range handed {
		if len(ms) != 1 {
			twice++
			fail("moderation item %d handed out %d times (moderators %v)", id, len(ms), ms)
		}
		if decided[id] != 1 {
			undecided++
			fail("moderation item %d: %d decisions answered 303", id, decided[id])
		}
	}
	var waiting, newItems int64
	q(&waiting, "SELECT count(*) FROM moderation_items WHERE waiting")
	q(&newItems, "SELECT count(*) FROM moderation_items WHERE id > ?", before.lastItem)
	if waiting != 0 {
		fail("%d moderation items still waiting after the moderators emptied the queue", waiting)
	}
	if newItems != ideas.Load() {
		fail("%d new moderation items for %d new ideas on the pre-moderated board", newItems, ideas.Load())
	}
	var perItem []struct {
		ItemID            int64
		Claims, Decisions int64
	}
	q(&perItem, `SELECT item_id, count(*) FILTER (WHERE action = 'claim') AS claims,
		count(*) FILTER (WHERE action IN ('approve', 'reject', 'hide')) AS decisions
		FROM moderation_events WHERE id > ? AND action IN ('claim', 'approve', 'reject', 'hide') GROUP BY item_id`, before.lastEvent)
	for _, p := range perItem {
		if _, ok := handed[p.ItemID]; !ok {
			fail("moderation item %d claimed or decided in the database but never handed to a moderator", p.ItemID)
		}
		if p.Claims != 1 || p.Decisions != 1 {
			fail("moderation item %d: %d claims and %d decisions recorded, want 1 and 1", p.ItemID, p.Claims, p.Decisions)
		}
	}
	if len(perItem) != len(handed) {
		fail("%d items handed out, %d with claims or decisions in the database", len(handed), len(perItem))
	}

	// Mail: every outbox row sent once, and nothing else arrived.
	var sent, failed int64
	var outbox []string
	q(&sent, "SELECT count(*) FROM mail_outbox WHERE status = 'sent'")
	q(&failed, "SELECT count(*) FROM mail_outbox WHERE status = 'failed'")
	q(&outbox, "SELECT message_id FROM mail_outbox WHERE status = 'sent'")
	msgs := sink.Messages()
	if pending != 0 || failed != 0 {
		fail("mail: %d still pending, %d failed in the outbox", pending, failed)
	}
	if int64(len(msgs)) != sent {
		fail("mail: the SMTP server received %d messages, the outbox has %d sent", len(msgs), sent)
	}
	byID := sink.CountByID()
	for _, id := range outbox {
		if n := byID["<"+strings.Trim(id, "<>")+">"] + byID[strings.Trim(id, "<>")]; n != 1 {
			fail("mail %s received %d times", id, n)
		}
	}
	seenMail := map[string]int{}
	kinds := map[string]int{}
	for _, m := range msgs {
		subject := "?"
		if parsed, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
			subject = parsed.Header.Get("Subject")
		}
		key := strings.Join(m.To, ",") + " | " + subject
		if seenMail[key]++; seenMail[key] == 2 {
			fail("mail to %s with subject %q received more than once", strings.Join(m.To, ","), subject)
		}
		if confirmLink.Match(m.Data) || bytes.Contains(m.Data, []byte("bevestigen")) {
			kinds["confirmation"]++
		} else {
			kinds["moderation notice"]++
		}
	}

	if got := kinds["confirmation"]; int64(got) != emails.Load() || confirms.Load() != emails.Load() {
		fail("mail: %d addresses set, %d confirmation mails arrived, %d confirmed with their link", emails.Load(), got, confirms.Load())
	}
	if got := kinds["moderation notice"]; int64(got) != noticed.Load() {
		fail("mail: %d notices arrived, want one per decided idea of a resident with a confirmed address (%d)", got, noticed.Load())
	}

	// What the processes logged at ERROR level.
	var errorLines []string
	for _, in := range insts {
		b, err := os.ReadFile(in.logPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "level=ERROR") {
				errorLines = append(errorLines, in.name+": "+line)
			}
		}
	}
	d.tl.mu.Lock()
	for _, u := range d.tl.unexpected {
		fail("unexpected: %s", u)
	}
	d.tl.mu.Unlock()

	if sawDraining == 0 {
		fail("instance %s never answered /readyz with 503 after SIGTERM", stopped.name)
	}
	if sawClosed == 0 {
		fail("instance %s still accepted connections %s after SIGTERM", stopped.name, drainDelay+shutdownSlack)
	} else if sawClosed < drainDelay {
		fail("instance %s closed its listener %s after SIGTERM, before the drain delay (%s) was over", stopped.name, sawClosed, drainDelay)
	}
	for _, o := range observed {
		fail("%s", o)
	}
	for _, l := range errorLines {
		fail("logged: %.400s", l)
	}
	// The summary.
	var b strings.Builder
	fmt.Fprintf(&b, "\n=== two instances on PostgreSQL: %s load, %d resident workers + 2 moderators, drain delay %s\n", loadFor, workers, drainDelay)
	fmt.Fprintf(&b, "both ready %s after start (each one's start-up:%s); load ended at %s; all checks done at %s\n", started.Round(time.Millisecond), startups, loadEnded.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	fmt.Fprintf(&b, "\nrequests answered as expected, per kind and instance:\n")
	var kindNames []string
	for k := range d.tl.ok {
		kindNames = append(kindNames, k)
	}
	sort.Strings(kindNames)
	total := 0
	for _, k := range kindNames {
		fmt.Fprintf(&b, "  %-22s A %6d   B %6d\n", k, d.tl.ok[k]["A"], d.tl.ok[k]["B"])
		total += d.tl.ok[k]["A"] + d.tl.ok[k]["B"]
	}
	fmt.Fprintf(&b, "  %-22s %d\n", "in all", total)
	fmt.Fprintf(&b, "\ndrain of %s: SIGTERM at %s into the load; first /readyz 503 \"draining\" seen after %s; listener closed after %s; process exited after %s (%v)\n",
		stopped.name, drainStart.Sub(loadStart).Round(time.Millisecond), orNever(sawDraining), orNever(sawClosed), exitedAfter.Round(time.Millisecond), exitStatus(stopped.waitErr))
	fmt.Fprintf(&b, "  its /readyz after SIGTERM (every %s, then every 50 ms): %v\n", lbProbeEvery, probes)
	fmt.Fprintf(&b, "  requests the load sent to %s after its SIGTERM: %v\n", stopped.name, d.tl.afterTerm)
	fmt.Fprintf(&b, "\nin the database (new during the run = answered 303):\n")
	fmt.Fprintf(&b, "  ballots        %d + %d (two polls)   %d poll options' tallies equal their recount\n", after.ballots1-before.ballots1, after.ballots2-before.ballots2, pollOptions)
	fmt.Fprintf(&b, "  responses      %d   inspraak tallies: %s\n", after.responses-before.responses, strings.TrimSpace(tallyOut))
	fmt.Fprintf(&b, "  ideas          %d (pre-moderated)   supports %d   ideas with a wrong support count %d\n", after.ideas-before.ideas, after.supports-before.supports, badSupportCounts)
	fmt.Fprintf(&b, "  moderation     %d items handed out (%d twice), %d decided, %d new items, %d waiting\n", len(handed), twice, len(decided), newItems, waiting)
	fmt.Fprintf(&b, "  e-mail         %d addresses set, %d confirmed through the link in the mail\n", emails.Load(), confirms.Load())
	fmt.Fprintf(&b, "  mail           %d received by the SMTP server %v, %d sent in the outbox, %d pending, %d failed\n", len(msgs), kinds, sent, pending, failed)
	fmt.Fprintf(&b, "\nunexpected: %d (connection errors %d); ERROR log lines %d\n", len(d.tl.unexpected), d.tl.connErrs, len(errorLines))
	if len(broken) == 0 {
		fmt.Fprintf(&b, "every promise kept\n")
	}
	fmt.Print(b.String())
	if len(broken) > 0 {
		if len(broken) > 40 {
			broken = append(broken[:40], fmt.Sprintf("… and %d more", len(broken)-40))
		}
		t.Errorf("broken promises:\n  %s", strings.Join(broken, "\n  "))
		for _, in := range insts {
			if b, err := os.ReadFile(in.logPath); err == nil {
				lines := strings.Split(strings.TrimSpace(string(b)), "\n")
				if len(lines) > 15 {
					lines = lines[len(lines)-15:]
				}
				t.Logf("last lines of instance %s's log:\n%s", in.name, strings.Join(lines, "\n"))
			}
		}
	}
}

// shutdownSlack is how long after the drain delay the probe keeps
// looking for the listener to close (the shutdown itself waits for
// requests in flight).
const shutdownSlack = 12 * time.Second

// lbProbeEvery is how often the driver, as a load balancer, asks the
// stopped instance's /readyz (Kubernetes asks every 10 s by default,
// load balancers every few seconds; the drain delay must be longer).
const lbProbeEvery = 500 * time.Millisecond

func orNever(d time.Duration) string {
	if d == 0 {
		return "never"
	}
	return d.Round(time.Millisecond).String()
}

func exitStatus(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

// surveyAnswers fills in the demo questionnaire and sends it.
func surveyAnswers(c *consultation.Consultation, r *rand.Rand) url.Values {
	v := url.Values{"actie": {"versturen"}}
	for _, q := range c.Questions {
		name := consultation.FieldName(q.ID)
		switch q.Kind {
		case consultation.Single, consultation.Multiple:
			if len(q.Options) > 0 {
				v.Set(name, strconv.FormatInt(q.Options[r.IntN(len(q.Options))].ID, 10))
			}
		case consultation.Scale:
			v.Set(name, strconv.Itoa(q.ScaleMin+r.IntN(q.ScaleMax-q.ScaleMin+1)))
		case consultation.Number:
			v.Set(name, "2")
		case consultation.Ranking:
			for i, o := range q.Options {
				v.Set(consultation.RankField(q.ID, o.ID), strconv.Itoa(i+1))
			}
		case consultation.ShortText:
			v.Set(name, "Het Groene Plein")
		case consultation.LongText:
			v.Set(name, "Meer bomen en bankjes in de schaduw, graag.")
		}
	}
	return v
}

// testBSN is the i-th made-up number (from 1) that passes the 11-test,
// from 900050000 up (well away from the demo's residents): each resident
// its own person.
func testBSN(i int) string {
	bsnMu.Lock()
	defer bsnMu.Unlock()
	v := 900050000
	if len(bsns) > 0 {
		v, _ = strconv.Atoi(bsns[len(bsns)-1])
		v++
	}
	for ; len(bsns) < i; v++ {
		s := strconv.Itoa(v)
		sum := 0
		for k := 0; k < 8; k++ {
			sum += int(s[k]-'0') * (9 - k)
		}
		if (sum-int(s[8]-'0'))%11 == 0 {
			bsns = append(bsns, s)
		}
	}
	return bsns[i-1]
}

var (
	bsnMu sync.Mutex
	bsns  []string
)

// newEmptyDatabase creates an empty database beside the one base names
// (named after it, so CI's clean-up finds a leftover) and drops it when
// the test ends.
func newEmptyDatabase(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := store.Open(context.Background(), store.Options{URL: base, MaxOpenConns: 1})
	if err != nil {
		t.Fatalf("PostgreSQL at %s cannot be reached: %v", u.Host, err)
	}
	b := make([]byte, 4)
	_, _ = rnd.Read(b)
	name := strings.TrimPrefix(u.Path, "/") + "_instances_" + hex.EncodeToString(b)
	if err := admin.Exec(`CREATE DATABASE "` + name + `"`).Error; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if err := admin.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`).Error; err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// waitReady polls /readyz until it says 200, or fails after 60 s.
func waitReady(t *testing.T, in *instance) {
	t.Helper()
	c := &http.Client{Timeout: 2 * time.Second}
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		select {
		case <-in.done:
			b, _ := os.ReadFile(in.logPath)
			t.Fatalf("instance %s exited before it was ready (%v):\n%s", in.name, in.waitErr, b)
		default:
		}
		if resp, err := c.Get(in.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("instance %s not ready within 60 s", in.name)
}

// runTallies runs the binary's own check of the running totals.
func runTallies(bin, dbURL, dir string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "tallies")
	cmd.Env = []string{"INSPRAAK_DATABASE_URL=" + dbURL, "INSPRAAK_SESSION_KEY=" + instSessionKey,
		"INSPRAAK_PSEUDONYM_KEY=" + instPseudonymKey, "PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(out), fmt.Errorf("exit %d", ee.ExitCode())
	}
	return string(out), err
}
