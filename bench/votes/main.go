// Command votes measures vote ingestion over HTTP: it logs in many
// participants through the built-in development login provider (the same
// code path as DigiD), then has each of them cast one ballot on a poll at
// a fixed concurrency, and reports votes/s and latency percentiles.
//
// It only talks to loopback addresses.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"

	"inspraak/bench/internal/residents"
)

var (
	base         = flag.String("base", "http://127.0.0.1:18080", "server base URL (loopback only)")
	pollPath     = flag.String("poll", "/projecten/veilig-naar-school/welke-plek-eerst", "poll page path")
	participants = flag.Int("participants", 2000, "participants to log in; each votes once")
	concurrency  = flag.Int("concurrency", 16, "parallel voters")
	offset       = flag.Int("offset", 0, "skip this many test BSNs (use a different range per run)")
	loginWorkers = flag.Int("login-workers", 8, "parallel logins while preparing")
	profileURL   = flag.String("pprof", "", "server profiler base (INSPRAAK_PPROF_ADDR), e.g. http://127.0.0.1:6060; with -profile-out")
	profileOut   = flag.String("profile-out", "", "write the server's CPU profile taken while voting to this file")
	profileSecs  = flag.Int("profile-seconds", 3, "length of that profile")
	forwarded    = flag.Bool("forwarded", false, "give each voter its own client address in X-Forwarded-For (server with INSPRAAK_TRUSTED_PROXIES=127.0.0.1), as residents voting from their own homes")
)

func main() {
	flag.Parse()
	u, err := residents.Base(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "votes:", err)
		os.Exit(2)
	}
	clients, err := residents.LogIn(u, residents.TestBSNs(*offset, *participants), *loginWorkers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "votes:", err)
		os.Exit(1)
	}
	options, err := pollOptions(clients[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "votes:", err)
		os.Exit(1)
	}
	reqs := make([][]byte, len(clients))
	for i, c := range clients {
		reqs[i] = residents.Post(u, c, i, *pollPath+"/stem", "keuze="+options[i%len(options)], *forwarded)
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
	run := residents.Send(u, reqs, *concurrency)
	if profDone != nil {
		<-profDone
	}
	if !run.Report("votes", "vote stored and redirected to the result", *concurrency) {
		os.Exit(1)
	}
}

var optionRE = regexp.MustCompile(`name="keuze" value="(\d+)"`)

func pollOptions(c *http.Client) ([]string, error) {
	resp, err := c.Get(*base + *pollPath)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var ids []string
	for _, m := range optionRE.FindAllStringSubmatch(string(b), -1) {
		ids = append(ids, m[1])
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no options on %s (status %d)", *pollPath, resp.StatusCode)
	}
	return ids, nil
}
