package idea

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
