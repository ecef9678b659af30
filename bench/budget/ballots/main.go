// Command ballots measures knapsack ballots over HTTP (issue 17): it logs
// in many distinct residents through the built-in development login
// provider (the same code path as DigiD, bench/internal/residents), then
// has each of them cast one valid ballot the way a resident without
// JavaScript does, in two measured phases:
//
//  1. the basket: a form post per plan (POST …/mandje, actie=toevoegen,
//     carrying the basket cookie the last answer set) and the
//     confirmation page (GET …/bevestigen), whose form's plan fields are
//     read and checked against what was put in the basket;
//  2. the casts: every resident posts that form (POST …/uitbrengen) at
//     the same concurrency, as bench/votes posts poll votes.
//
// The redirects after each post (to the budget page, to the receipt) are
// not followed. It reports ballots/s (phase 2), latencies (p50/p95/p99)
// of every step, and the server's CPU per cast and per whole ballot.
//
// With -seed it instead fills a migrated database with the benchmark
// budget (one area of € 1.000.000, 30 plans, knapsack, counted by equal
// shares, DigiD, open) and exits. bench/budget/ballots.sh runs both.
//
// It only talks to loopback addresses.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata"

	"inspraak/bench/internal/residents"
	"inspraak/internal/budget"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/store"
)

var (
	seedDB       = flag.String("seed", "", "fill this database (postgres://… or sqlite:PATH) with the benchmark budget and exit")
	planCount    = flag.Int("plans", 30, "plans of the seeded budget")
	base         = flag.String("base", "http://127.0.0.1:18084", "server base URL (loopback only)")
	path         = flag.String("budget", "/projecten/"+projectSlug+"/"+budgetSlug, "the budget's address")
	plansFile    = flag.String("plan-costs", "", "file of 'id cost' lines (cost in cents), the budget's plans (required to cast)")
	amount       = flag.Int64("amount", amountCents, "the area's amount in cents: every ballot fits it")
	people       = flag.Int("residents", 20000, "residents to log in; each casts one ballot")
	concurrency  = flag.Int("concurrency", 32, "residents voting at the same time")
	offset       = flag.Int("offset", 0, "skip this many test BSNs (use a different range per run)")
	loginWorkers = flag.Int("login-workers", 8, "parallel logins while preparing")
	forwarded    = flag.Bool("forwarded", false, "give each resident its own client address in X-Forwarded-For (server with INSPRAAK_TRUSTED_PROXIES=127.0.0.1)")
	serverPID    = flag.Int("server-pid", 0, "the server's process id: report its CPU per ballot (from /proc)")
	profileURL   = flag.String("pprof", "", "server profiler base (INSPRAAK_PPROF_ADDR), e.g. http://127.0.0.1:6060; with -profile-out")
	profileOut   = flag.String("profile-out", "", "write the server's CPU profile taken while casting to this file")
	profileSecs  = flag.Int("profile-seconds", 5, "length of that profile")
)

const (
	projectSlug = "begroting-bench"
	budgetSlug  = "wijkbudget"
	amountCents = 100_000_000 // € 1.000.000
)

func main() {
	flag.Parse()
	if *seedDB != "" {
		if err := seed(context.Background(), *seedDB, *planCount); err != nil {
			fmt.Fprintln(os.Stderr, "ballots:", err)
			os.Exit(1)
		}
		return
	}
	u, err := residents.Base(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ballots:", err)
		os.Exit(2)
	}
	plans, err := readPlans(*plansFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ballots:", err)
		os.Exit(2)
	}
	clients, err := residents.LogIn(u, residents.TestBSNs(*offset, *people), *loginWorkers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "ballots:", err)
		os.Exit(1)
	}
	rng := rand.New(rand.NewPCG(17, uint64(*offset)))
	jobs := make([]job, len(clients))
	lines := 0
	for i, c := range clients {
		jobs[i] = job{cookie: residents.Cookie(u, c), fwd: residents.Forwarded(i, *forwarded), plans: choose(rng, plans, *amount)}
		lines += len(jobs[i].plans)
	}
	fmt.Printf("%d ballots of 1–4 plans (%.2f on average) over %d plans, each fitting € %d\n",
		len(jobs), float64(lines)/float64(len(jobs)), len(plans), *amount/100)
	cpu0 := residents.ProcessCPU(*serverPID)
	prep := prepare(u, jobs, *concurrency)
	cpu1 := residents.ProcessCPU(*serverPID)
	fmt.Printf("baskets and confirmations: %d residents at concurrency %d in %s → %.0f residents/s\n",
		len(jobs), *concurrency, prep.elapsed.Round(time.Millisecond), float64(len(jobs))/prep.elapsed.Seconds())
	step("basket post (each plan)", prep.basket)
	step("confirmation page", prep.confirm)
	if *serverPID > 0 {
		fmt.Printf("server CPU: %.2f ms per resident for basket and confirmation\n", (cpu1-cpu0).Seconds()*1000/float64(len(jobs)))
	}
	for i, e := range prep.errs {
		if i == 5 {
			break
		}
		fmt.Fprintln(os.Stderr, "failed:", e)
	}
	if len(prep.errs) > 0 {
		fmt.Fprintf(os.Stderr, "ballots: %d residents could not fill their basket\n", len(prep.errs))
		os.Exit(1)
	}
	var profDone chan struct{}
	if *profileURL != "" && *profileOut != "" {
		profDone = make(chan struct{})
		go func() {
			defer close(profDone)
			if err := residents.Profile(*profileURL, *profileSecs, *profileOut); err != nil {
				fmt.Fprintln(os.Stderr, "profile:", err)
			}
		}()
	}
	cpu2 := residents.ProcessCPU(*serverPID)
	r := residents.Send(u, prep.casts, *concurrency)
	cpu3 := residents.ProcessCPU(*serverPID)
	if profDone != nil {
		<-profDone
	}
	ok := r.Report("ballots", "ballot cast and redirected to the receipt", *concurrency)
	if *serverPID > 0 {
		fmt.Printf("server CPU: %.2f ms per cast; %.2f ms per ballot with its basket and confirmation\n",
			(cpu3-cpu2).Seconds()*1000/float64(len(jobs)), (cpu3-cpu2+cpu1-cpu0).Seconds()*1000/float64(len(jobs)))
	}
	if !ok {
		os.Exit(1)
	}
}

// plan is one plan of the budget and its cost in cents.
type plan struct {
	id   int64
	cost int64
}

func readPlans(p string) ([]plan, error) {
	if p == "" {
		return nil, fmt.Errorf("-plan-costs is required")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out []plan
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		f := strings.Fields(strings.ReplaceAll(l, "|", " "))
		if len(f) != 2 {
			return nil, fmt.Errorf("%s: %q is not 'id cost'", p, l)
		}
		id, err1 := strconv.ParseInt(f[0], 10, 64)
		cost, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: %q is not 'id cost'", p, l)
		}
		out = append(out, plan{id, cost})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no plans", p)
	}
	return out, nil
}

// choose draws a ballot of 1–4 distinct plans whose costs fit the amount.
func choose(rng *rand.Rand, plans []plan, amount int64) []int64 {
	want := 1 + rng.IntN(4)
	var out []int64
	var total int64
	for _, i := range rng.Perm(len(plans)) {
		if len(out) == want {
			break
		}
		if total+plans[i].cost <= amount {
			out = append(out, plans[i].id)
			total += plans[i].cost
		}
	}
	return out
}

// job is one resident's ballot: their session cookie and chosen plans.
type job struct {
	cookie string
	fwd    string
	plans  []int64
}

// prepared is what the basket phase gave: each resident's cast post (the
// confirmation's form as a browser would send it) and the latencies.
type prepared struct {
	casts   [][]byte
	basket  []time.Duration
	confirm []time.Duration
	errs    []string
	elapsed time.Duration
}

func step(name string, lat []time.Duration) {
	p := residents.Percentiles(lat, .50, .95, .99, 1)
	fmt.Printf("  %-24s %6d  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  max %.2f ms\n", name, len(lat), p[0], p[1], p[2], p[3])
}

// The confirmation form's plan fields, as a browser posts them.
var confirmForm = regexp.MustCompile(`(?s)<form method="post" action="[^"]*/uitbrengen".*?</form>`)
var planField = regexp.MustCompile(`name="plan" value="(\d+)"`)

// prepare has every resident fill their basket and open the
// confirmation, concurrency at a time, each worker over its own
// keep-alive connection, and keeps the cast post each confirmation page
// offers.
func prepare(u *url.URL, jobs []job, concurrency int) *prepared {
	r := &prepared{casts: make([][]byte, len(jobs))}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	begin := time.Now()
	for range concurrency {
		wg.Go(func() {
			w := &worker{u: u}
			defer w.close()
			var basket, confirm []time.Duration
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					break
				}
				req, err := w.basket(jobs[i], &basket, &confirm)
				if err != nil {
					mu.Lock()
					r.errs = append(r.errs, fmt.Sprintf("resident %d: %v", i, err))
					mu.Unlock()
					continue
				}
				r.casts[i] = req
			}
			mu.Lock()
			r.basket = append(r.basket, basket...)
			r.confirm = append(r.confirm, confirm...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r.elapsed = time.Since(begin)
	return r
}

// worker is one connection to the server.
type worker struct {
	u    *url.URL
	conn net.Conn
	br   *bufio.Reader
}

func (w *worker) close() {
	if w.conn != nil {
		w.conn.Close()
		w.conn = nil
	}
}

// do sends one request, dialing first when needed.
func (w *worker) do(req []byte, keepBody bool) (*http.Response, []byte, error) {
	if w.conn == nil {
		c, err := net.Dial("tcp", w.u.Host)
		if err != nil {
			return nil, nil, err
		}
		w.conn, w.br = c, bufio.NewReader(c)
	}
	resp, body, err := residents.Exchange(w.conn, w.br, req, keepBody)
	if err != nil {
		w.close()
		if resp != nil {
			err = nil // answered, then closed: dial again next time
		}
	}
	return resp, body, err
}

// basket fills one resident's basket and opens the confirmation; it
// returns the cast post that page's form makes.
func (w *worker) basket(j job, basket, confirm *[]time.Duration) ([]byte, error) {
	var basketCookie string
	cookie := func() string {
		if basketCookie == "" {
			return j.cookie
		}
		return j.cookie + "; " + basketCookie
	}
	for _, id := range j.plans {
		t0 := time.Now()
		resp, _, err := w.do(residents.Raw(w.u, "POST", *path+"/mandje", cookie(),
			"actie=toevoegen&plan="+strconv.FormatInt(id, 10)+"&terug=", j.fwd), false)
		*basket = append(*basket, time.Since(t0))
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusSeeOther {
			return nil, fmt.Errorf("basket: %s", resp.Status)
		}
		for _, c := range resp.Cookies() {
			if strings.HasPrefix(c.Name, "inspraak_mandje_") {
				basketCookie = c.Name + "=" + c.Value
			}
		}
	}
	t0 := time.Now()
	resp, body, err := w.do(residents.Raw(w.u, "GET", *path+"/bevestigen", cookie(), "", j.fwd), true)
	*confirm = append(*confirm, time.Since(t0))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("confirmation: %s", resp.Status)
	}
	form := confirmForm.Find(body)
	if form == nil {
		return nil, fmt.Errorf("confirmation page has no cast form")
	}
	var fields []string
	var shown []int64
	for _, m := range planField.FindAllSubmatch(form, -1) {
		fields = append(fields, "plan="+string(m[1]))
		id, _ := strconv.ParseInt(string(m[1]), 10, 64)
		shown = append(shown, id)
	}
	want := slices.Clone(j.plans)
	slices.Sort(want)
	slices.Sort(shown)
	if !slices.Equal(want, shown) {
		return nil, fmt.Errorf("confirmation shows plans %v, the basket had %v", shown, want)
	}
	return residents.Raw(w.u, "POST", *path+"/uitbrengen", cookie(), strings.Join(fields, "&"), j.fwd), nil
}

// seed makes the benchmark budget: a published project with an open
// knapsack budget of € 1.000.000 (one area), counted by equal shares,
// for DigiD residents, and plans costing € 20.000–€ 400.000.
func seed(ctx context.Context, dbURL string, n int) error {
	db, err := store.Open(ctx, store.Options{URL: dbURL, MaxOpenConns: 2, MaxIdleConns: 1})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sys := identity.SystemActor("bench")
	now := time.Now().UTC().Truncate(time.Second)
	opens, closes := now.AddDate(0, 0, -1), now.AddDate(0, 0, 30)
	projects := project.NewService(db)
	p, err := projects.Create(ctx, sys, project.Draft{Slug: projectSlug, Title: "Wijkbudget", Wijk: "Hele gemeente",
		Summary: "Verdeel het wijkbudget over de plannen die u het belangrijkst vindt.",
		Body:    "Kies plannen die samen binnen het budget passen.",
		Phases:  []project.PhaseDraft{{Title: "Stemmen", StartsOn: opens, EndsOn: &closes}}})
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	if err := projects.Move(ctx, sys, p.ID, project.StatusPublished); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	budgets := budget.NewService(db, []byte("bench: the seed computes no tokens"))
	b, err := budgets.Create(ctx, sys, budget.Draft{ProjectID: p.ID, Slug: budgetSlug, Title: "Wijkbudget " + strconv.Itoa(now.Year()),
		Description: "Kies plannen die samen niet meer kosten dan het budget.", Published: true,
		Rules:    instrument.Instrument{Who: instrument.WhoDigiD, OpensAt: &opens, ClosesAt: &closes},
		Settings: budget.Settings{Method: budget.MethodKnapsack, Rule: budget.RuleMES},
		Areas:    []budget.AreaInput{{Amount: amountCents}}})
	if err != nil {
		return fmt.Errorf("budget: %w", err)
	}
	themes := []string{"Groen", "Verkeer", "Spelen", "Samen"}
	rng := rand.New(rand.NewPCG(17, 17))
	for i := range n {
		cost := int64(20_000+rng.IntN(381)*1_000) * 100
		if _, err := budgets.AddPlan(ctx, sys, b.InstrumentID, budget.PlanInput{AreaID: b.Areas[0].ID,
			Title: fmt.Sprintf("Plan %d", i+1), Summary: "Een plan voor de wijk.", Description: "Wat het plan doet en wat het kost.",
			Cost: cost, Theme: themes[i%len(themes)]}); err != nil {
			return fmt.Errorf("plan %d: %w", i+1, err)
		}
	}
	fmt.Printf("seeded budget %d at /projecten/%s/%s with %d plans\n", b.InstrumentID, projectSlug, budgetSlug, n)
	return nil
}
