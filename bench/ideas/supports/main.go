// Command supports measures supports over HTTP: it logs in many distinct
// residents through the built-in development login provider (the same
// code path as DigiD), then has each of them support one idea of a board
// at a fixed concurrency, spread over the ideas given, and reports
// supports/s and latency percentiles. bench/ideas/supports.sh runs it.
//
// It only talks to loopback addresses.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"inspraak/bench/internal/residents"
)

var (
	base         = flag.String("base", "http://127.0.0.1:18083", "server base URL (loopback only)")
	board        = flag.String("board", "/projecten/ideeen-bench/ideeenbord", "board page path")
	idsFile      = flag.String("ids", "", "file with the ids of the ideas to support, one per line (required)")
	people       = flag.Int("residents", 10000, "residents to log in; each supports one idea")
	concurrency  = flag.Int("concurrency", 16, "parallel supporters")
	offset       = flag.Int("offset", 0, "skip this many test BSNs (use a different range per run)")
	loginWorkers = flag.Int("login-workers", 8, "parallel logins while preparing")
	forwarded    = flag.Bool("forwarded", false, "give each resident its own client address in X-Forwarded-For (server with INSPRAAK_TRUSTED_PROXIES=127.0.0.1)")
)

func main() {
	flag.Parse()
	u, err := residents.Base(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "supports:", err)
		os.Exit(2)
	}
	ids, err := readIDs(*idsFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "supports:", err)
		os.Exit(2)
	}
	clients, err := residents.LogIn(u, residents.TestBSNs(*offset, *people), *loginWorkers)
	if err != nil {
		fmt.Fprintln(os.Stderr, "supports:", err)
		os.Exit(1)
	}
	// Resident i supports idea i mod len(ids), so every idea gets its
	// share and supports of one idea arrive together.
	reqs := make([][]byte, len(clients))
	for i, c := range clients {
		reqs[i] = residents.Post(u, c, i, *board+"/ideeen/"+ids[i%len(ids)]+"/steun",
			"steun=ja&terug="+url.QueryEscape(*board), *forwarded)
	}
	fmt.Printf("spread over %d ideas\n", min(len(ids), len(reqs)))
	if !residents.Send(u, reqs, *concurrency).Report("supports", "support stored and redirected to the board", *concurrency) {
		os.Exit(1)
	}
}

// readIDs reads the idea ids, one per line.
func readIDs(path string) ([]string, error) {
	if path == "" {
		return nil, fmt.Errorf("-ids is required")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, l := range strings.Fields(string(b)) {
		if _, err := strconv.ParseInt(l, 10, 64); err != nil {
			return nil, fmt.Errorf("%s: %q is not an idea id", path, l)
		}
		ids = append(ids, l)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("%s: no idea ids", path)
	}
	return ids, nil
}
