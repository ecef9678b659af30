package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The benchmark machine is shared: the server, this driver and whatever
// else runs compete for the same cores. cpuSnap records, from /proc, how
// much CPU each of them used, so a report can say how much of a result is
// contention. Where /proc is missing, ok is false and nothing is reported.

// clockTick is USER_HZ, 100 on every Linux we run on.
const clockTick = 100

type cpuSnap struct {
	ok          bool
	at          time.Time
	machineBusy float64 // seconds of CPU busy, all cores, since boot
	self        float64 // seconds used by this process
	server      float64 // seconds used by the server (-server-pid)
	db          float64 // seconds used by local PostgreSQL processes
}

func takeCPU(serverPID int) cpuSnap {
	s := cpuSnap{at: time.Now()}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return s
	}
	var busy float64
	for i, v := range f[1:9] {
		n, _ := strconv.ParseFloat(v, 64)
		if i == 3 || i == 4 { // idle, iowait
			continue
		}
		busy += n
	}
	s.machineBusy = busy / clockTick
	var ok bool
	if s.self, ok = procCPU("self"); !ok {
		return s
	}
	if serverPID > 0 {
		if s.server, ok = procCPU(strconv.Itoa(serverPID)); !ok {
			return s
		}
	}
	s.db = postgresCPU()
	s.ok = true
	return s
}

// postgresCPU sums the CPU of local processes named postgres: the
// database's work for the server is part of the system under test, not
// interference.
func postgresCPU() float64 {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total float64
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(b), "(postgres)") {
			continue
		}
		// Children's time too: backends that exit between two snapshots
		// leave their CPU in the postmaster's cutime and cstime.
		if v, ok := procCPUFields(strings.TrimSuffix(strings.TrimPrefix(p, "/proc/"), "/stat"), true); ok {
			total += v
		}
	}
	return total
}

// procCPU returns utime+stime of a process in seconds.
func procCPU(pid string) (float64, bool) { return procCPUFields(pid, false) }

// procCPUFields returns utime+stime, plus cutime+cstime of waited-for
// children when children is set, in seconds.
func procCPUFields(pid string, children bool) (float64, bool) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, false
	}
	// The command name is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 15 {
		return 0, false
	}
	n := 2
	if children {
		n = 4
	}
	var sum float64
	for _, v := range f[11 : 11+n] {
		x, _ := strconv.ParseFloat(v, 64)
		sum += x
	}
	return sum / clockTick, true
}

// cpuUse is the CPU spent between two snapshots, in cores (1.0 = one
// core fully busy for the whole window).
type cpuUse struct {
	ok                        bool
	window                    time.Duration
	server, driver, db, other float64
	serverSeconds             float64
}

func usage(a, b cpuSnap) cpuUse {
	if !a.ok || !b.ok {
		return cpuUse{}
	}
	w := b.at.Sub(a.at).Seconds()
	if w <= 0 {
		return cpuUse{}
	}
	srv := b.server - a.server
	drv := b.self - a.self
	db := max(b.db-a.db, 0)
	all := b.machineBusy - a.machineBusy
	return cpuUse{
		ok: true, window: b.at.Sub(a.at), serverSeconds: srv,
		server: srv / w, driver: drv / w, db: db / w, other: max(all-srv-drv-db, 0) / w,
	}
}

func (u cpuUse) String() string {
	if !u.ok {
		return "n/a"
	}
	return fmt.Sprintf("server %.2f, load driver %.2f, postgres %.2f, other processes %.2f cores (of %d)", u.server, u.driver, u.db, u.other, runtime.NumCPU())
}

// awaitQuiet waits, at most limit, until other processes use under
// threshold cores for two one-second windows in a row. It reports what it
// saw; a busy machine is not an error, only a caveat.
func awaitQuiet(limit time.Duration, threshold float64, serverPID int) string {
	deadline := time.Now().Add(limit)
	quiet := 0
	var last cpuUse
	waited := time.Now()
	for {
		a := takeCPU(serverPID)
		time.Sleep(time.Second)
		last = usage(a, takeCPU(serverPID))
		if !last.ok {
			return "machine load unknown (/proc unreadable)"
		}
		if last.other < threshold {
			quiet++
		} else {
			quiet = 0
		}
		if quiet >= 2 {
			return fmt.Sprintf("machine quiet after %s (other processes %.2f cores)", time.Since(waited).Round(time.Second), last.other)
		}
		if time.Now().After(deadline) {
			return fmt.Sprintf("machine still busy after %s (other processes %.2f cores); running anyway", limit, last.other)
		}
	}
}
