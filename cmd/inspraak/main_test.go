package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"inspraak/internal/app"
	"inspraak/internal/config"
	"inspraak/internal/testdb"
)

func TestVersionAndUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "inspraak ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	// With -m, every module the binary links, with its version: the
	// database drivers and the web framework among them.
	out.Reset()
	if code := run([]string{"version", "-m"}, &out, &errb); code != 0 {
		t.Fatalf("version -m: %d %q", code, errb.String())
	}
	for _, m := range []string{"\ngorm.io/gorm v", "\ngithub.com/gin-gonic/gin v", "\ngithub.com/glebarez/sqlite v", "\ngithub.com/jackc/pgx/v5 v", "\nbuilt with go1."} {
		if !strings.Contains(out.String(), m) {
			t.Errorf("version -m lacks %q:\n%s", strings.TrimPrefix(m, "\n"), out.String())
		}
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

// The export command writes the demo questionnaire's submitted responses
// and puts the export in the audit log; bad arguments change nothing.
func TestExportCommand(t *testing.T) {
	url := testdb.URL(t)
	t.Setenv("INSPRAAK_DATABASE_URL", url)
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	// Demo content through the app, as serve would add it.
	a := newDemoApp(t)
	var submitted int64
	testdb.NoError(t, a.DB.Table("responses").Where("status = ?", "submitted").Count(&submitted).Error)
	if submitted == 0 {
		t.Fatal("the demo has no submitted responses")
	}
	out.Reset()
	errb.Reset()
	if code := run([]string{"export", "-project", "herinrichting-marktplein", "-instrument", "bestaat-niet"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "no consultation") {
		t.Fatalf("unknown consultation: %d %q", code, errb.String())
	}
	if code := run([]string{"export", "-format", "pdf"}, &out, &errb); code != 2 {
		t.Fatalf("bad arguments: %d", code)
	}
	errb.Reset()
	if code := run([]string{"export", "-project", "herinrichting-marktplein", "-instrument", "vragenlijst-schetsontwerp", "-semicolon"}, &out, &errb); code != 0 {
		t.Fatalf("export: %d %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "\uFEFFrespondent;ingediend;") || int64(len(lines)-1) < 1 {
		t.Fatalf("export: %d lines, header %q", len(lines), lines[0])
	}
	if !strings.Contains(errb.String(), "exported ") {
		t.Fatalf("report: %q", errb.String())
	}
	var logged int64
	testdb.NoError(t, a.DB.Table("audit_log").Where("action = ? AND actor = ?", "results.export", "cli").Count(&logged).Error)
	if logged != 1 {
		t.Fatalf("%d exports in the audit log", logged)
	}
}

// newDemoApp builds the application on INSPRAAK_DATABASE_URL with the demo
// content, as serve does, and closes it after the test.
func newDemoApp(t *testing.T) *app.App {
	t.Helper()
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

// inspraak tallies finds the demo's running totals equal to a recount;
// after a total is spoilt by hand it says which consultation differs and
// exits 1 without changing anything; -repair puts it right.
func TestTalliesCommand(t *testing.T) {
	t.Setenv("INSPRAAK_DATABASE_URL", testdb.URL(t))
	var out, errb bytes.Buffer
	if code := run([]string{"migrate"}, &out, &errb); code != 0 {
		t.Fatalf("migrate: %s", errb.String())
	}
	a := newDemoApp(t)
	check := func(args ...string) (int, string) {
		t.Helper()
		out.Reset()
		errb.Reset()
		code := run(append([]string{"tallies"}, args...), &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, text := check(); code != 0 || !strings.Contains(text, "differ") || !strings.Contains(text, ", 0 differ") {
		t.Fatalf("demo: %d %q", code, text)
	}
	var id int64
	testdb.NoError(t, a.DB.Raw(`SELECT instrument_id FROM answer_tallies WHERE kind = 1 ORDER BY question_id LIMIT 1`).Scan(&id).Error)
	if err := a.DB.Exec(`UPDATE answer_tallies SET n = n + 3 WHERE instrument_id = ? AND kind = 1`, id).Error; err != nil {
		t.Fatal(err)
	}
	if code, text := check(); code != 1 || !strings.Contains(text, fmt.Sprintf("consultation %d: totals differ", id)) {
		t.Fatalf("spoilt: %d %q", code, text)
	}
	if code, _ := check(); code != 1 {
		t.Fatal("checking repaired something")
	}
	if code, text := check("-repair"); code != 0 || !strings.Contains(text, "replaced by the recount") {
		t.Fatalf("repair: %d %q", code, text)
	}
	if code, text := check(); code != 0 {
		t.Fatalf("after the repair: %d %q", code, text)
	}
	if code, _ := check("-nonsense"); code != 2 {
		t.Fatalf("bad flag: %d", code)
	}
}
