package identity

import (
	"net/url"
	"strings"

	"inspraak/internal/apperror"
)

// Reasons a login fails. Each has a message key "login.failed.<reason>"
// in the catalogues and is written to the audit log (never with the
// identifier that caused it).
const (
	ReasonCancelled     = "cancelled"
	ReasonProviderError = "provider_error"
	ReasonState         = "state"
	ReasonTokenExchange = "token_exchange"
	ReasonTokenInvalid  = "token_invalid"
	ReasonNonce         = "nonce"
	ReasonIssuer        = "issuer"
	ReasonAudience      = "audience"
	ReasonExpired       = "expired"
	ReasonAlgorithm     = "algorithm"
	ReasonSignature     = "signature"
	ReasonUserinfo      = "userinfo"
	ReasonMissingClaim  = "missing_claim"
	ReasonInvalidBSN    = "invalid_bsn"
	ReasonSOFI          = "sofi"
	ReasonInvalidKVK    = "invalid_kvk"
	ReasonLoA           = "loa"
	ReasonUnavailable   = "unavailable"
)

// LoginError is a failed login with a reason.
type LoginError struct {
	Reason string
	Err    error
}

func (e *LoginError) Error() string {
	if e.Err != nil {
		return "login failed (" + e.Reason + "): " + e.Err.Error()
	}
	return "login failed (" + e.Reason + ")"
}

func (e *LoginError) Unwrap() error {
	return apperror.Wrap(e.Err, apperror.Unauthenticated, "login.failed."+e.Reason)
}

func loginFailure(reason string, err error) error {
	return &LoginError{Reason: reason, Err: err}
}

// ReasonOf returns the reason of a login failure, or "".
func ReasonOf(err error) string {
	for err != nil {
		if le, ok := err.(*LoginError); ok {
			return le.Reason
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return ""
		}
		err = u.Unwrap()
	}
	return ""
}

// providerError turns the error parameters of a callback into a failure.
// Cancellation (access_denied, or Signicat's IDP-3200 in the description)
// is its own reason, so the page can say "Inloggen geannuleerd" calmly.
func providerError(q url.Values) error {
	code := q.Get("error")
	desc := q.Get("error_description")
	if code == "access_denied" || strings.Contains(desc, "IDP-3200") || strings.Contains(strings.ToLower(desc), "cancel") {
		return loginFailure(ReasonCancelled, nil)
	}
	// The description is the provider's text; keep it short in logs.
	if len(desc) > 200 {
		desc = desc[:200]
	}
	return loginFailure(ReasonProviderError, &providerErr{code: code, desc: desc})
}

type providerErr struct{ code, desc string }

func (p *providerErr) Error() string { return "provider returned " + p.code + ": " + p.desc }

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func urlEscape(s string) string { return url.QueryEscape(s) }
