package main

import (
	"flag"
	"fmt"
	"io"

	"inspraak/internal/consultation"
)

// tallies checks the running totals the results pages read against a
// recount of the stored answers, and with -repair replaces them:
//
//	inspraak tallies            # exit 1 when any consultation disagrees
//	inspraak tallies -repair
func tallies(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tallies", flag.ContinueOnError)
	fs.SetOutput(stderr)
	repair := fs.Bool("repair", false, "replace the running totals by the recount")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		return 2
	}
	_, ctx, db, done, ok := openStore("tallies", stderr)
	if !ok {
		return 1
	}
	defer done()
	if st, err := db.CheckSchema(ctx); err != nil || !st.UpToDate() {
		fmt.Fprintln(stderr, "inspraak tallies: the database schema is not up to date; run inspraak migrate first")
		return 1
	}
	checks, err := consultation.CheckTallies(ctx, db, *repair)
	if err != nil {
		fmt.Fprintln(stderr, "inspraak tallies:", err)
		return 1
	}
	differ := 0
	for _, c := range checks {
		switch {
		case c.Repaired:
			fmt.Fprintf(stdout, "consultation %d: totals differed from a recount; replaced by the recount\n", c.InstrumentID)
		case !c.Agree:
			differ++
			fmt.Fprintf(stdout, "consultation %d: totals differ from a recount (inspraak tallies -repair replaces them)\n", c.InstrumentID)
		}
	}
	fmt.Fprintf(stdout, "%d consultations checked, %d differ\n", len(checks), differ)
	if differ > 0 {
		return 1
	}
	return 0
}
