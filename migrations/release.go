package migrations

import (
	"regexp"
	"strconv"
	"strings"
)

// contractNote is the marked note of a migration that drops or renames a
// table or column (docs/operations.md, "Migration policy"): what goes, and
// the release whose code stopped using it.
//
//	-- contract: ideas.old_status, unused since release 1.4
var contractNote = regexp.MustCompile(`(?im)^\s*--\s*contract:\s*(\S.*?),?\s+unused since release\s+v?(\d+\.\d+(?:\.\d+)?)\s*$`)

// OldestRelease is the oldest release whose code still runs on the schema
// once the migration sql is applied: the newest release its contract notes
// name, or "" when it contracts nothing (it only adds, so any older code
// runs on it).
func OldestRelease(sql string) string {
	oldest := ""
	for _, m := range contractNote.FindAllStringSubmatch(sql, -1) {
		if c, _ := CompareReleases(m[2], oldest); oldest == "" || c > 0 {
			oldest = m[2]
		}
	}
	return oldest
}

// CompareReleases compares two release numbers such as "1.4" and
// "v1.4.2" (a missing part counts as 0): -1, 0 or 1, and whether both are
// release numbers at all ("dev" is not).
func CompareReleases(a, b string) (int, bool) {
	pa, oka := releaseParts(a)
	pb, okb := releaseParts(b)
	if !oka || !okb {
		return 0, false
	}
	for i := range 3 {
		switch {
		case pa[i] < pb[i]:
			return -1, true
		case pa[i] > pb[i]:
			return 1, true
		}
	}
	return 0, true
}

func releaseParts(s string) ([3]int, bool) {
	var p [3]int
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 { // 1.4.0-rc1: its release is 1.4.0
		s = s[:i]
	}
	fields := strings.Split(s, ".")
	if len(fields) < 2 || len(fields) > 3 {
		return p, false
	}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 {
			return p, false
		}
		p[i] = n
	}
	return p, true
}
