package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"inspraak/internal/testdb"
)

func TestVersionAndUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "inspraak ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run([]string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "unknown command") {
		t.Fatalf("unknown: %d %q", code, errb.String())
	}
}

func TestMigrateAppliesAndReports(t *testing.T) {
	t.Setenv("INSPRAAK_DATABASE_URL", testdb.URL(t))
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %d %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "applied 0001_projects_settings") || !strings.Contains(out.String(), "migrated from version 0 to") {
		t.Fatalf("report: %q", out.String())
	}
	out.Reset()
	if code := run([]string{"migrate"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "up to date") {
		t.Fatalf("second migrate: %d %q", code, out.String())
	}
}

// The binary refuses to serve in production with unsafe settings, and
// says everything that is wrong in one message.
func TestServeRefusesUnsafeProductionConfig(t *testing.T) {
	t.Setenv("INSPRAAK_ENV", "production")
	t.Setenv("INSPRAAK_BASE_URL", "http://inspraak.example")
	t.Setenv("INSPRAAK_DEV_IDP", "true")
	t.Setenv("INSPRAAK_DATABASE_URL", "")
	t.Setenv("INSPRAAK_SESSION_KEY", "")
	t.Setenv("INSPRAAK_PSEUDONYM_KEY", "kort")
	var out, errb bytes.Buffer
	if code := run([]string{"serve"}, &out, &errb); code != 1 {
		t.Fatalf("serve exit %d, want 1", code)
	}
	msg := errb.String()
	for _, want := range []string{"https://", "INSPRAAK_SESSION_KEY is missing", "INSPRAAK_PSEUDONYM_KEY is too weak", "INSPRAAK_DATABASE_URL is not set", "INSPRAAK_DEV_IDP"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if _, err := os.Stat("inspraak.db"); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused start must not create the default database file")
	}
}
