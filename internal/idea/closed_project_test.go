package idea_test

import (
	"context"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/idea"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/testdb"
)

// A project that is closed, archived or back in draft closes its idea
// boards at once, whatever their own dates: the idea service itself,
// without any web handler, refuses a new idea, an edit, a support, taking
// a support back and a comment, and stores nothing of them.
func TestProjectNotPublishedRefusesIdeasSupportsAndComments(t *testing.T) {
	t.Parallel() // each test has its own database
	for _, st := range []project.Status{project.StatusClosed, project.StatusArchived, project.StatusDraft} {
		t.Run(string(st), func(t *testing.T) {
			f := setup(t)
			ctx := context.Background()
			b := f.board(t, nil)
			author, supporter, other := f.person(t, 1), f.person(t, 2), f.person(t, 3)
			i := f.submit(t, b, author, "Meer bomen in de straat")
			if err := f.ideas.Support(ctx, i.ID, supporter); err != nil {
				t.Fatal(err)
			}
			testdb.SetProjectStatusOf(t, f.db, b.InstrumentID, string(st))

			th := b.Themes[0].ID
			draft := idea.Draft{Title: "Een bankje bij de vijver", Description: "Een wat langere uitleg over dit idee voor de buurt.", ThemeID: &th}
			wantClosed := func(what string, err error) {
				t.Helper()
				e, ok := apperror.As(err)
				if !ok || e.Code != apperror.Closed || e.Key != instrument.ReasonClosed {
					t.Fatalf("%s on a project that is %s: %v, want closed (%s)", what, st, err, instrument.ReasonClosed)
				}
			}
			_, err := f.ideas.Submit(ctx, b.InstrumentID, other, draft)
			wantClosed("Submit", err)
			wantClosed("Edit", f.ideas.Edit(ctx, i.ID, author, draft))
			wantClosed("Support", f.ideas.Support(ctx, i.ID, other))
			wantClosed("Unsupport", f.ideas.Unsupport(ctx, i.ID, supporter))
			_, err = f.ideas.Comment(ctx, i.ID, nil, other, "Goed idee, doe het.")
			wantClosed("Comment", err)

			count := func(table, where string, arg int64) int64 {
				t.Helper()
				var n int64
				if err := f.db.Table(table).Where(where, arg).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := count("ideas", "instrument_id = ?", b.InstrumentID); n != 1 {
				t.Fatalf("%d ideas after a refused submit, want 1", n)
			}
			if n := count("idea_comments", "idea_id = ?", i.ID); n != 0 {
				t.Fatalf("%d comments after a refused comment", n)
			}
			if n := count("idea_supports", "idea_id = ?", i.ID); n != 1 {
				t.Fatalf("%d supports after refused support and unsupport, want 1", n)
			}
			f.checkCount(t, i.ID, 1)
			got, err := f.ideas.Get(ctx, i.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != i.Title || got.EditedAt != nil {
				t.Fatalf("refused edit changed the idea: %q, edited %v", got.Title, got.EditedAt)
			}
			// Published again, the same support is taken: the project's
			// status was what refused it.
			testdb.SetProjectStatusOf(t, f.db, b.InstrumentID, string(project.StatusPublished))
			if err := f.ideas.Support(ctx, i.ID, other); err != nil {
				t.Fatal(err)
			}
			f.checkCount(t, i.ID, 2)
		})
	}
}
