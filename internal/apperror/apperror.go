// Package apperror defines the few kinds of failure the domain reports. An
// Error carries a safe, translatable message key for the person using the
// site apart from its internal cause, so the web layer can map it to an HTTP
// status and plain Dutch in one place.
package apperror

import (
	"errors"
	"fmt"
)

// Code is the kind of failure.
type Code string

// The codes, each mapped once to an HTTP status by the web layer.
const (
	NotFound        Code = "not_found"
	Invalid         Code = "invalid"
	Forbidden       Code = "forbidden"
	Unauthenticated Code = "unauthenticated"
	Conflict        Code = "conflict"
	Closed          Code = "closed"
	Unavailable     Code = "unavailable"
	Internal        Code = "internal"
)

// Error is a domain failure with a message key from the catalogues.
type Error struct {
	Code Code
	// Key is a message catalogue key shown to the user; empty means the
	// generic message for Code.
	Key  string
	Args []any
	// Fields maps a form field name to a message key, for per-field
	// validation messages and the error summary.
	Fields map[string]string
	// Err is the internal cause: logged, never shown.
	Err error
}

// WithFields makes an Error of this code with per-field message keys.
func (c Code) WithFields(fields map[string]string) *Error {
	return &Error{Code: c, Key: "error.form_invalid", Fields: fields}
}

// WithField adds one per-field message key and returns e.
func (e *Error) WithField(field, key string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	e.Fields[field] = key
	return e
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s (%s): %v", e.Code, e.Key, e.Err)
	}
	return fmt.Sprintf("%s (%s)", e.Code, e.Key)
}

func (e *Error) Unwrap() error { return e.Err }

// New makes an Error with a user-facing message key.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Wrap attaches a code and message key to an internal cause.
func Wrap(err error, code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Err: err}
}

// CodeOf returns the code of the first *Error in err's chain, or Internal.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
