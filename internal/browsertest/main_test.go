//go:build browser

package browsertest

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestMain raises the default of -parallel, and stops the application
// that the tests share when they are done. A tab spends most of its time
// waiting (for the server, for Chromium, for axe-core), not on this
// process's CPU, so the default of GOMAXPROCS tabs leaves a small machine
// idle and makes the check slow. An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		n := min(max(2*runtime.GOMAXPROCS(0), 4), 8)
		_ = flag.Set("test.parallel", strconv.Itoa(n))
	}
	code := m.Run()
	if err := stopApp(); err != nil {
		fmt.Fprintln(os.Stderr, "stopping the application:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}
