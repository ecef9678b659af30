package instrument_test

import (
	"testing"
	"time"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/instrument"
	"inspraak/internal/project"
)

// Only a published project's instruments can be open: the project's
// status comes before the instrument's own dates, for the state pages
// show, for Open (the API and the editor) and for Eligible.
func TestProjectStatusClosesInstruments(t *testing.T) {
	t.Parallel() // each test has its own database
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := now.Add(d); return &x }
	open := instrument.Instrument{Who: instrument.WhoAny, OpensAt: at(-time.Hour), ClosesAt: at(time.Hour)}
	upcoming := instrument.Instrument{Who: instrument.WhoAny, OpensAt: at(time.Hour)}
	ended := instrument.Instrument{Who: instrument.WhoAny, ClosesAt: at(-time.Hour)}
	person := instrument.Person{LoggedIn: true, Means: identity.DigiD, LoA: identity.Levels(identity.DigiD)[1]}
	cases := []struct {
		name   string
		in     instrument.Instrument
		ps     project.Status
		state  instrument.State
		reason string
	}{
		{"open in a published project", open, project.StatusPublished, instrument.StateOpen, ""},
		{"upcoming in a published project", upcoming, project.StatusPublished, instrument.StateUpcoming, instrument.ReasonNotOpenYet},
		{"ended in a published project", ended, project.StatusPublished, instrument.StateClosed, instrument.ReasonClosed},
		{"open in a closed project", open, project.StatusClosed, instrument.StateClosed, instrument.ReasonClosed},
		{"open in an archived project", open, project.StatusArchived, instrument.StateClosed, instrument.ReasonClosed},
		{"open in a draft project", open, project.StatusDraft, instrument.StateClosed, instrument.ReasonClosed},
		{"upcoming in a closed project", upcoming, project.StatusClosed, instrument.StateClosed, instrument.ReasonClosed},
	}
	for _, c := range cases {
		if got := c.in.StateIn(c.ps, now); got != c.state {
			t.Errorf("%s: state %s, want %s", c.name, got, c.state)
		}
		if got := c.in.Open(c.ps, now); got != (c.state != instrument.StateClosed) {
			t.Errorf("%s: Open %v", c.name, got)
		}
		v := instrument.Eligible(&c.in, c.ps, person, now)
		if v.OK != (c.reason == "") || v.Reason != c.reason {
			t.Errorf("%s: verdict %+v, want reason %q", c.name, v, c.reason)
		}
	}
}

// Err is the one way a verdict becomes the error services return: nil
// when someone may take part, Closed for reasons of time, Forbidden for
// reasons of the person, with the reason as the message key.
func TestVerdictErr(t *testing.T) {
	t.Parallel() // each test has its own database
	if err := (instrument.Verdict{OK: true}).Err(); err != nil {
		t.Fatalf("OK verdict gave %v", err)
	}
	for reason, want := range map[string]apperror.Code{
		instrument.ReasonClosed:     apperror.Closed,
		instrument.ReasonNotOpenYet: apperror.Closed,
		"rules.login_required":      apperror.Forbidden,
		"rules.loa_too_low":         apperror.Forbidden,
		"rules.not_resident":        apperror.Forbidden,
	} {
		e, ok := apperror.As(instrument.Verdict{Reason: reason}.Err())
		if !ok || e.Code != want || e.Key != reason {
			t.Errorf("%s: %v, want %s", reason, e, want)
		}
	}
}
