package consultation_test

import (
	"context"
	"testing"

	"inspraak/internal/apperror"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
	"inspraak/internal/testdb"
)

// A project that is closed, archived or back in draft closes its
// questionnaires at once, whatever their own dates: Save refuses a draft
// and a submission itself, without any web handler, and stores nothing.
func TestProjectNotPublishedRefusesAnswers(t *testing.T) {
	t.Parallel() // each test has its own database
	for _, st := range []project.Status{project.StatusClosed, project.StatusArchived, project.StatusDraft} {
		t.Run(string(st), func(t *testing.T) {
			f := setup(t, nil)
			ctx := context.Background()
			id := f.c.InstrumentID
			who := f.person(t, 1)
			testdb.SetProjectStatusOf(t, f.db, id, string(st))
			for _, submit := range []bool{false, true} {
				_, err := f.svc.Save(ctx, id, who, f.complete(), submit)
				if e, ok := apperror.As(err); !ok || e.Code != apperror.Closed || e.Key != instrument.ReasonClosed {
					t.Fatalf("save (submit %v) on a project that is %s: %v, want closed (%s)", submit, st, err, instrument.ReasonClosed)
				}
			}
			for _, table := range []string{"responses", "participations", "answer_tallies"} {
				var n int64
				if err := f.db.Table(table).Where("instrument_id = ?", id).Count(&n).Error; err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					t.Fatalf("%d rows in %s after refused answers", n, table)
				}
			}
			// Published again, the same submission is taken: the
			// project's status was what refused it.
			testdb.SetProjectStatusOf(t, f.db, id, string(project.StatusPublished))
			if _, err := f.svc.Save(ctx, id, who, f.complete(), true); err != nil {
				t.Fatal(err)
			}
			if n, err := f.svc.CountSubmitted(ctx, id); err != nil || n != 1 {
				t.Fatalf("%d submitted after reopening (%v), want 1", n, err)
			}
		})
	}
}
