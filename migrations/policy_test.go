package migrations

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The migration policy for rolling updates (docs/operations.md, "Upgrades"):
// during a rollout the old and the new release run side by side on one
// database, so a migration only adds (expand); what the code no longer
// uses goes a release later (contract). A migration from policyFrom on
// that drops or renames a table or column must say so in a marked note
// naming the release whose code stopped using it:
//
//	-- contract: ideas.old_status, unused since release 1.4
//
// A SQLite table rebuild (create a copy, move the rows, drop the table,
// rename the copy to its name) drops nothing; it says so with
//
//	-- rebuild: instruments (keeps every column)
//
// and its DROP TABLE and RENAME TO must name that table and its copy.
const policyFrom = 23

var (
	rebuildNote  = regexp.MustCompile(`(?im)^\s*--\s*rebuild:\s*"?(\w+)"?\s+\(keeps every column\)\s*$`)
	dropTable    = regexp.MustCompile(`(?i)\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?`)
	dropColumn   = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"?(\w+)"?\s+DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?"?(\w+)"?`)
	renameColumn = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"?(\w+)"?\s+RENAME\s+(?:COLUMN\s+)?"?(\w+)"?\s+TO\b`)
	renameTable  = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?"?(\w+)"?\s+RENAME\s+TO\s+"?(\w+)"?`)
	anyDropCol   = regexp.MustCompile(`(?i)\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?"?(\w+)"?[^;]*?,\s*DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?"?(\w+)"?`)
	lineComment  = regexp.MustCompile(`--[^\n]*`)
	// ADD COLUMN name, up to the next action or the end of the statement.
	addColumn  = regexp.MustCompile(`(?i)\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?([^,;]*)`)
	notNull    = regexp.MustCompile(`(?i)\bNOT\s+NULL\b`)
	hasDefault = regexp.MustCompile(`(?i)\bDEFAULT\b`)
)

// policyProblems lists what a migration drops or renames without the
// note the policy asks for.
func policyProblems(sql string) []string {
	contracted := map[string]bool{}
	for _, m := range contractNote.FindAllStringSubmatch(sql, -1) {
		for _, name := range strings.Split(m[1], ",") {
			contracted[strings.ToLower(strings.TrimSpace(name))] = true
		}
	}
	rebuilt := map[string]bool{}
	for _, m := range rebuildNote.FindAllStringSubmatch(sql, -1) {
		rebuilt[strings.ToLower(m[1])] = true
	}
	code := strings.ToLower(lineComment.ReplaceAllString(sql, ""))
	var problems []string
	// Table renames: a rebuild's copy coming back to its table's name.
	renamedTo := map[string]bool{}
	for _, m := range renameTable.FindAllStringSubmatch(code, -1) {
		from, to := m[1], m[2]
		renamedTo[to] = true
		if rebuilt[to] || contracted[from] {
			continue
		}
		problems = append(problems, fmt.Sprintf("renames table %s to %s without a contract note for %s", from, to, from))
	}
	for _, m := range dropTable.FindAllStringSubmatch(code, -1) {
		t := m[1]
		if contracted[t] || rebuilt[t] && renamedTo[t] {
			continue
		}
		problems = append(problems, fmt.Sprintf("drops table %s without a contract note", t))
	}
	for _, m := range append(dropColumn.FindAllStringSubmatch(code, -1), anyDropCol.FindAllStringSubmatch(code, -1)...) {
		t, c := m[1], m[2]
		if c == "constraint" || c == "default" || c == "not" {
			continue // DROP CONSTRAINT, DROP DEFAULT, DROP NOT NULL: no data goes
		}
		if !contracted[t+"."+c] {
			problems = append(problems, fmt.Sprintf("drops column %s.%s without a contract note", t, c))
		}
	}
	// A new NOT NULL column without a default: the release still running
	// during a rollout inserts rows without it, and they fail.
	for _, m := range addColumn.FindAllStringSubmatch(code, -1) {
		if c := m[1]; c != "constraint" && notNull.MatchString(m[2]) && !hasDefault.MatchString(m[2]) {
			problems = append(problems, fmt.Sprintf("adds column %s NOT NULL without a default (the running release's inserts would fail)", c))
		}
	}
	for _, m := range renameColumn.FindAllStringSubmatch(code, -1) {
		t, c := m[1], m[2]
		if !contracted[t+"."+c] {
			problems = append(problems, fmt.Sprintf("renames column %s.%s without a contract note", t, c))
		}
	}
	return problems
}

// Every migration from policyFrom on, in both dialects, keeps the policy.
func TestNewMigrationsExpandOnly(t *testing.T) {
	for _, dialect := range []string{"postgres", "sqlite"} {
		files, err := fs.Glob(FS, dialect+"/*.sql")
		if err != nil || len(files) == 0 {
			t.Fatalf("%s migrations: %v (%d files)", dialect, err, len(files))
		}
		for _, f := range files {
			n, err := strconv.Atoi(strings.SplitN(path.Base(f), "_", 2)[0])
			if err != nil {
				t.Fatalf("%s: not named NNNN_name.sql", f)
			}
			if n < policyFrom {
				continue // before the policy
			}
			b, err := fs.ReadFile(FS, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range policyProblems(string(b)) {
				t.Errorf("%s %s (docs/operations.md, \"Upgrades\")", f, p)
			}
		}
	}
}

// The check refuses what it should and lets through what it should.
func TestPolicyCheckTellsContractFromRebuild(t *testing.T) {
	refused := map[string]string{
		"drop a table":           "DROP TABLE old_things;",
		"drop a column":          "ALTER TABLE ideas DROP COLUMN status_old;",
		"drop without word":      "alter table ideas drop status_old;",
		"rename a column":        "ALTER TABLE ideas RENAME COLUMN title TO heading;",
		"rename a table":         "ALTER TABLE ideas RENAME TO proposals;",
		"note for another":       "-- contract: ideas.other, unused since release 1.4\nALTER TABLE ideas DROP COLUMN status_old;",
		"note without a release": "-- contract: ideas.status_old\nALTER TABLE ideas DROP COLUMN status_old;",
		"rebuild without note":   "CREATE TABLE instruments_new (id INTEGER);\nDROP TABLE instruments;\nALTER TABLE instruments_new RENAME TO instruments;",
		"rebuild of another":     "-- rebuild: polls (keeps every column)\nDROP TABLE instruments;\nALTER TABLE instruments_new RENAME TO instruments;",
		"second action drops":    "ALTER TABLE ideas ADD COLUMN heading TEXT, DROP COLUMN status_old;",
		"not null, no default":   "ALTER TABLE ideas ADD COLUMN heading TEXT NOT NULL;",
		"second of two adds":     "ALTER TABLE ideas ADD COLUMN a TEXT, ADD COLUMN b INTEGER NOT NULL;",
	}
	for name, sql := range refused {
		if len(policyProblems(sql)) == 0 {
			t.Errorf("%s: let through:\n%s", name, sql)
		}
	}
	allowed := map[string]string{
		"add a column":        "ALTER TABLE ideas ADD COLUMN heading TEXT;",
		"not null, a default": "ALTER TABLE ideas ADD COLUMN heading TEXT NOT NULL DEFAULT '';",
		"a new table":         "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
		"add a constraint":    "ALTER TABLE ideas ADD CONSTRAINT ideas_ok CHECK (x IS NOT NULL);",
		"drop a constraint":   "ALTER TABLE ideas DROP CONSTRAINT ideas_status_check;",
		"drop a default":      "ALTER TABLE ideas ALTER COLUMN status DROP DEFAULT;",
		"drop an index":       "DROP INDEX IF EXISTS ideas_status;",
		"contracted column":   "-- contract: ideas.status_old, unused since release 1.4\nALTER TABLE ideas DROP COLUMN status_old;",
		"contracted table":    "-- contract: old_things, unused since release 2.0.1\nDROP TABLE IF EXISTS old_things;",
		"a rebuild":           "-- rebuild: instruments (keeps every column)\nCREATE TABLE instruments_new (id INTEGER);\nINSERT INTO instruments_new SELECT * FROM instruments;\nDROP TABLE instruments;\nALTER TABLE instruments_new RENAME TO instruments;",
		"a word in a comment": "-- we no longer DROP TABLE here\nALTER TABLE ideas ADD COLUMN x TEXT;",
	}
	for name, sql := range allowed {
		if p := policyProblems(sql); len(p) > 0 {
			t.Errorf("%s: refused (%v):\n%s", name, p, sql)
		}
	}
}

// On real files: the SQLite rebuilds before the policy (which carry no
// note) are found, so the patterns match how migrations here are written.
func TestPolicyCheckFindsTheRebuildsBeforeThePolicy(t *testing.T) {
	for _, f := range []string{"sqlite/0012_response_note_ideas.sql", "sqlite/0016_voter_register.sql", "postgres/0016_voter_register.sql"} {
		b, err := fs.ReadFile(FS, f)
		if err != nil {
			t.Fatal(err)
		}
		if p := policyProblems(string(b)); len(p) == 0 {
			t.Errorf("%s drops and renames tables, but the check finds nothing", f)
		} else {
			t.Logf("%s: %v", f, p)
		}
	}
}
