package identity

import "context"

// Facts are what a verification service may tell about a resident at
// login. Only these derived facts are stored, with the time they were
// checked; they are checked again at every login, because people move.
type Facts struct {
	Resident bool   // registered in this municipality
	AgeBand  string // e.g. "18-29", "30-44", "45-64", "65+"; "" when under 16 or unknown
	Wijk     string // from the postcode → wijk table; "" when unknown
}

// Verifier looks up a resident by BSN. It must not keep the BSN.
type Verifier interface {
	// Verify returns the facts, or nil and no error when the service has
	// nothing to say; an error means it could not be asked.
	Verify(ctx context.Context, bsn string) (*Facts, error)
}

// NoVerification is the "none" verifier: no facts are known.
type NoVerification struct{}

// Verify returns no facts.
func (NoVerification) Verify(context.Context, string) (*Facts, error) { return nil, nil }
