package project_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/project"
	"inspraak/internal/testdb"
)

func draft(slug string) project.Draft {
	start := time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, 0)
	return project.Draft{
		Slug: slug, Title: "Nieuwe speeltuin", Summary: "De buurt kiest nieuwe toestellen.",
		Body: "## Waarom\n\nDe toestellen zijn **oud**.", Wijk: "Noord",
		Phases: []project.PhaseDraft{
			{Title: "Ideeën", StartsOn: start, EndsOn: &end},
			{Title: "Keuze", StartsOn: end},
		},
	}
}

func TestCreateValidatesEveryField(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	ctx := context.Background()
	long := strings.Repeat("a", project.MaxTitle+1)
	end := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		edit  func(d *project.Draft)
		field string
		key   string
	}{
		{"no slug", func(d *project.Draft) { d.Slug = "" }, "slug", "project.error.slug_required"},
		{"slug with capitals", func(d *project.Draft) { d.Slug = "Speeltuin" }, "slug", "project.error.slug_format"},
		{"slug with slash", func(d *project.Draft) { d.Slug = "a/b" }, "slug", "project.error.slug_format"},
		{"slug double dash", func(d *project.Draft) { d.Slug = "a--b" }, "slug", "project.error.slug_format"},
		{"no title", func(d *project.Draft) { d.Title = "   " }, "title", "project.error.title_required"},
		{"title too long", func(d *project.Draft) { d.Title = long }, "title", "project.error.title_too_long"},
		{"no summary", func(d *project.Draft) { d.Summary = "" }, "summary", "project.error.summary_required"},
		{"phase without title", func(d *project.Draft) { d.Phases[0].Title = "" }, "phases", "project.error.phase_incomplete"},
		{"phase ends before start", func(d *project.Draft) { d.Phases[0].EndsOn = &end }, "phases", "project.error.phase_ends_before_start"},
		{"phases out of order", func(d *project.Draft) { d.Phases[1].StartsOn = end }, "phases", "project.error.phase_order"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := draft("speeltuin")
			tc.edit(&d)
			_, err := svc.Create(ctx, identity.SystemActor("test"), d)
			e, ok := apperror.As(err)
			if !ok || e.Code != apperror.Invalid {
				t.Fatalf("want Invalid, got %v", err)
			}
			if e.Fields[tc.field] != tc.key {
				t.Fatalf("field %s: got %q, want %q (all: %v)", tc.field, e.Fields[tc.field], tc.key, e.Fields)
			}
			if n, _ := svc.CountAll(ctx); n != 0 {
				t.Fatalf("invalid input stored a project")
			}
		})
	}
}

func TestCreateRendersSafeBodyAndKeepsPhaseOrder(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	ctx := context.Background()
	d := draft("speeltuin")
	d.Body += "\n\n<script>alert('x')</script>"
	p, err := svc.Create(ctx, identity.SystemActor("test"), d)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != project.StatusDraft {
		t.Errorf("new project status = %s, want draft", p.Status)
	}
	if !strings.Contains(p.BodyHTML, "<strong>oud</strong>") || strings.Contains(p.BodyHTML, "<script") {
		t.Errorf("body html = %q", p.BodyHTML)
	}
	if err := svc.Move(ctx, identity.SystemActor("test"), p.ID, project.StatusPublished); err != nil {
		t.Fatal(err)
	}
	got, err := svc.GetPublic(ctx, "speeltuin")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Phases) != 2 || got.Phases[0].Title != "Ideeën" || got.Phases[1].Position != 2 {
		t.Errorf("phases = %+v", got.Phases)
	}
	if got.PublishedAt == nil {
		t.Error("published project has no publication time")
	}
}

func TestSlugIsUniqueEvenUnderConcurrency(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	ctx := context.Background()
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = svc.Create(ctx, identity.SystemActor("test"), draft("zelfde-adres"))
		}()
	}
	wg.Wait()
	ok, conflicts := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperror.CodeOf(err) == apperror.Conflict:
			conflicts++
			if e, _ := apperror.As(err); e.Fields["slug"] != "project.error.slug_taken" {
				t.Errorf("conflict without field message: %v", err)
			}
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || conflicts != n-1 {
		t.Fatalf("created %d, conflicts %d; want exactly one project", ok, conflicts)
	}
}

func TestDraftsAreInvisibleAndLifeCycleIsEnforced(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	ctx := context.Background()
	p, err := svc.Create(ctx, identity.SystemActor("test"), draft("concept"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.GetPublic(ctx, "concept"); apperror.CodeOf(err) != apperror.NotFound {
		t.Fatalf("draft is readable: %v", err)
	}
	if open, _ := svc.ListOpen(ctx, 10); len(open) != 0 {
		t.Fatalf("draft listed: %v", open)
	}
	steps := []struct {
		to    project.Status
		allow bool
	}{
		{project.StatusClosed, false},
		{project.StatusArchived, false},
		{project.StatusPublished, true},
		{project.StatusPublished, false},
		{project.StatusClosed, true},
		{project.StatusArchived, true},
		{project.StatusPublished, false},
		{project.StatusDraft, false},
	}
	for i, s := range steps {
		err := svc.Move(ctx, identity.SystemActor("test"), p.ID, s.to)
		if s.allow && err != nil {
			t.Fatalf("step %d → %s refused: %v", i, s.to, err)
		}
		if !s.allow && apperror.CodeOf(err) != apperror.Conflict {
			t.Fatalf("step %d → %s: want Conflict, got %v", i, s.to, err)
		}
	}
	got, err := svc.GetPublic(ctx, "concept")
	if err != nil || got.Status != project.StatusArchived {
		t.Fatalf("archived project must stay readable: %v %v", got, err)
	}
	if err := svc.Move(ctx, identity.SystemActor("test"), 999999, project.StatusPublished); apperror.CodeOf(err) != apperror.NotFound {
		t.Fatalf("moving a missing project: %v", err)
	}
}

func TestListPublicPagesAndFilters(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	ctx := context.Background()
	total := project.PageSize + 3
	for i := range total {
		p, err := svc.Create(ctx, identity.SystemActor("test"), draft(fmt.Sprintf("project-%02d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Move(ctx, identity.SystemActor("test"), p.ID, project.StatusPublished); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			if err := svc.Move(ctx, identity.SystemActor("test"), p.ID, project.StatusClosed); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := svc.Create(ctx, identity.SystemActor("test"), draft("verborgen")); err != nil {
		t.Fatal(err)
	}

	first, err := svc.ListPublic(ctx, "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if first.Total != int64(total) || first.Pages != 2 || len(first.Items) != project.PageSize {
		t.Fatalf("page 1: total %d pages %d items %d", first.Total, first.Pages, len(first.Items))
	}
	// Open projects come before closed ones.
	seenClosed := false
	for _, it := range first.Items {
		if it.Status == project.StatusClosed {
			seenClosed = true
		} else if seenClosed {
			t.Fatalf("an open project follows a closed one: %+v", first.Items)
		}
	}
	second, _ := svc.ListPublic(ctx, "", 2)
	if len(second.Items) != 3 {
		t.Fatalf("page 2 has %d items", len(second.Items))
	}
	seen := map[string]bool{}
	for _, it := range append(first.Items, second.Items...) {
		if seen[it.Slug] {
			t.Fatalf("%s on two pages", it.Slug)
		}
		seen[it.Slug] = true
	}
	closed, _ := svc.ListPublic(ctx, project.StatusClosed, 1)
	if closed.Total != 3 {
		t.Fatalf("closed filter total = %d, want 3", closed.Total)
	}
	if _, err := svc.ListPublic(ctx, "", 3); apperror.CodeOf(err) != apperror.NotFound {
		t.Fatalf("page past the end: %v", err)
	}
	if _, err := svc.ListPublic(ctx, project.StatusDraft, 1); apperror.CodeOf(err) != apperror.Invalid {
		t.Fatalf("draft filter must be refused: %v", err)
	}
}

func TestPhaseState(t *testing.T) {
	t.Parallel() // each test has its own database
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	end := day(10)
	a := project.Phase{StartsOn: day(1), EndsOn: &end}
	b := project.Phase{StartsOn: day(15)}
	cases := []struct {
		ph   project.Phase
		next *project.Phase
		now  time.Time
		want project.PhaseState
	}{
		{a, &b, day(1), project.PhaseCurrent},
		{a, &b, day(9), project.PhaseCurrent},
		{a, &b, day(10), project.PhaseDone},
		{a, &b, day(1).Add(-time.Second), project.PhaseUpcoming},
		{b, nil, day(20), project.PhaseCurrent},
		{project.Phase{StartsOn: day(1)}, &b, day(15), project.PhaseDone},
	}
	for i, c := range cases {
		if got := c.ph.State(c.now, c.next); got != c.want {
			t.Errorf("case %d: got %s, want %s", i, got, c.want)
		}
	}
}

func TestGetPublicRejectsMalformedSlugsWithoutQuerying(t *testing.T) {
	t.Parallel() // each test has its own database
	svc := project.NewService(testdb.Open(t))
	for _, slug := range []string{"", "../etc", "a b", strings.Repeat("a", 200), "'; DROP TABLE projects; --"} {
		if _, err := svc.GetPublic(context.Background(), slug); apperror.CodeOf(err) != apperror.NotFound {
			t.Errorf("slug %q: %v", slug, err)
		}
	}
}
