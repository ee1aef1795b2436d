// Package apperr defines the error kinds the domains return. The HTTP layer
// maps each kind to a status code in one place (httpx); domains never import
// net/http.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edges (HTTP status, CLI exit code).
type Kind string

const (
	KindNotFound     Kind = "not_found"
	KindInvalid      Kind = "invalid"
	KindConflict     Kind = "conflict"
	KindForbidden    Kind = "forbidden"
	KindUnauthorized Kind = "unauthorized"
	KindTooLarge     Kind = "too_large"
	KindRateLimited  Kind = "rate_limited"
)

// Error is a classified error. Field names the input field at fault (for
// KindInvalid), Message is safe to show to the user.
type Error struct {
	Kind    Kind
	Field   string
	Message string
	Err     error // optional cause, not shown to users
}

func (e *Error) Error() string {
	var s string
	if e.Field != "" {
		s = fmt.Sprintf("%s: %s: %s", e.Kind, e.Field, e.Message)
	} else {
		s = fmt.Sprintf("%s: %s", e.Kind, e.Message)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// NotFound reports a missing record: what names the thing ("customer").
func NotFound(what string) error {
	return &Error{Kind: KindNotFound, Message: what + " not found"}
}

// Invalid reports bad input in one field.
func Invalid(field, message string) error {
	return &Error{Kind: KindInvalid, Field: field, Message: message}
}

// Conflict reports a state conflict: a stale version, a duplicate, a
// transition not allowed from the current state.
func Conflict(field, message string) error {
	return &Error{Kind: KindConflict, Field: field, Message: message}
}

// Forbidden reports an authenticated caller without the right to act.
func Forbidden(message string) error {
	return &Error{Kind: KindForbidden, Message: message}
}

// Unauthorized reports a caller who is not (or no longer) authenticated.
func Unauthorized(message string) error {
	return &Error{Kind: KindUnauthorized, Message: message}
}

// TooLarge reports an input over a size limit.
func TooLarge(field, message string) error {
	return &Error{Kind: KindTooLarge, Field: field, Message: message}
}

// RateLimited reports a caller who must wait (e.g. login lock-out).
func RateLimited(message string) error {
	return &Error{Kind: KindRateLimited, Message: message}
}

// KindOf returns the kind of err, or "" for an unclassified (internal) error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool { return KindOf(err) == k }
