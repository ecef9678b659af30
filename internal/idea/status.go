package idea

import "inspraak/internal/apperror"

// One rule says which statuses end support: the municipality has decided
// on the idea (not accepted, or done) or its author withdrew it. The page
// shows SupportClosed's line instead of the button; the service refuses
// with SupportRefusal's (supporting and taking a support back alike: the
// municipality decided with that count); the group statement on
// PostgreSQL checks the same list (supportableSQL, support_batch.go).

// Supportable says whether an idea with this status can be supported.
func (st Status) Supportable() bool { return st.SupportClosed() == "" }

// SupportClosed says why an idea with this status can no longer be
// supported, as a message key, or "" while it can: the municipality has
// decided on it (not accepted, or done) or its author withdrew it. The
// page shows this line instead of the support button.
func (st Status) SupportClosed() string {
	switch st {
	case StatusRejected, StatusDone, StatusWithdrawn:
		return "idea.support.closed." + string(st)
	}
	return ""
}

// SupportRefusal is the service's refusal for supporting, or taking back a
// support of, an idea in this status; nil while it can be supported.
func (st Status) SupportRefusal() error {
	switch st {
	case StatusRejected:
		return apperror.New(apperror.Conflict, "idea.error.support_rejected")
	case StatusDone:
		return apperror.New(apperror.Conflict, "idea.error.support_done")
	case StatusWithdrawn:
		return apperror.New(apperror.Conflict, "idea.error.support_withdrawn")
	}
	return nil
}
