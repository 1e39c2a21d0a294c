package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrorKind classifies a failed Graph or token call so callers can branch on
// meaning rather than on status codes.
type ErrorKind int

// The kinds of Error.
const (
	KindOther ErrorKind = iota
	KindNotFound
	KindThrottled
	KindForbidden
	KindUnauthorized // 401 from Graph or an AADSTS error from the token endpoint
	KindBadRequest
	KindConflict
	// KindUnreachable: Graph or the authority did not answer at all
	// (connection refused, name not resolved, no answer in time). Later
	// calls to that host fail at once with the same error for a while.
	KindUnreachable
)

// Error is a failed call. It carries Graph's error envelope
// (error.code, error.message, error.innerError.request-id/date).
type Error struct {
	Kind       ErrorKind
	StatusCode int
	Code       string // Graph error.code, or the AADSTS code for token errors
	Message    string
	RequestID  string
	Date       string
	// Operation names what was attempted, e.g. "GET /users/{id}".
	Operation string
	// RequiredPermission names the Graph application permission the call
	// needs when the call was refused for lack of it (Forbidden), if known.
	RequiredPermission string

	cause         error         // what the SDK returned, for errors.Is/As
	retryAfter    time.Duration // Graph's Retry-After, when sent
	hasRetryAfter bool
	// serverRetriesSpent: a 500/502 already retried maxServerErrorRetries times.
	serverRetriesSpent bool
}

// Unwrap exposes the underlying failure, e.g. context.DeadlineExceeded or
// the azidentity error, to errors.Is and errors.As.
func (e *Error) Unwrap() error { return e.cause }

// Error renders the operation, status, Graph's code and message, the missing
// permission if known and the request-id that Microsoft support asks for.
func (e *Error) Error() string {
	var msg string
	switch {
	case e.StatusCode == 0 && e.Code == "":
		msg = fmt.Sprintf("%s: %s", e.Operation, e.Message)
	case e.StatusCode == 0:
		msg = fmt.Sprintf("%s: %s: %s", e.Operation, e.Code, e.Message)
	default:
		msg = fmt.Sprintf("%s: %d %s: %s", e.Operation, e.StatusCode, e.Code, e.Message)
	}
	if e.RequiredPermission != "" {
		msg += fmt.Sprintf(" (the application needs the Microsoft Graph application permission %s, with admin consent)", e.RequiredPermission)
	}
	if e.RequestID != "" {
		msg += fmt.Sprintf(" (request-id: %s", e.RequestID)
		if e.Date != "" {
			msg += ", date: " + e.Date
		}
		msg += ")"
	}
	return msg
}

func kindOf(err error) ErrorKind {
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Kind
	}
	return KindOther
}

// IsNotFound reports whether err is a Graph 404.
func IsNotFound(err error) bool { return kindOf(err) == KindNotFound }

// IsThrottled reports whether err is a 429 (or 503/504) that outlived the retries.
func IsThrottled(err error) bool { return kindOf(err) == KindThrottled }

// IsForbidden reports whether err is a 403.
func IsForbidden(err error) bool { return kindOf(err) == KindForbidden }

// IsUnauthorized reports whether err is a 401 or a token endpoint refusal.
func IsUnauthorized(err error) bool { return kindOf(err) == KindUnauthorized }

// IsBadRequest reports whether err is a 400.
func IsBadRequest(err error) bool { return kindOf(err) == KindBadRequest }

// IsUnreachable reports whether err says that Graph or the authority host
// did not answer (the error message names the host and why).
func IsUnreachable(err error) bool { return kindOf(err) == KindUnreachable }

// IsConflict reports whether err is a 409.
func IsConflict(err error) bool { return kindOf(err) == KindConflict }

// IsProxyAuthRequired reports a 407: a proxy between this machine and Graph
// (or the authority) wants credentials; Graph itself never answers 407.
func IsProxyAuthRequired(err error) bool {
	var ge *Error
	return errors.As(err, &ge) && ge.StatusCode == 407
}

// IsOutcomeUnknown reports a failed call that may still have taken effect:
// the request went out and no answer came back (connection dropped or reset,
// no answer in time), or the answer was a 500, 502 or 504, which a gateway
// gives when Graph failed or did not answer in time behind it
// (https://learn.microsoft.com/graph/errors: 504 is "the server, while acting
// as a proxy, didn't receive a timely response from the upstream server").
// A write that failed so must not be sent again before its effect is looked
// up: POST /invitations is not idempotent (each one sends an email).
// An invitation answered with a success status but no body (errNoInvitation)
// took effect for a user the answer does not name: it is looked up the same way.
// A 429 or 503 is a refusal (Graph's throttling answers), not this.
func IsOutcomeUnknown(err error) bool {
	var ge *Error
	if !errors.As(err, &ge) {
		return false
	}
	if outcomeUnknownStatus(ge.StatusCode) || errors.Is(err, errNoInvitation) {
		return true
	}
	if !isTransportError(ge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var hd *hostDownError
	return !errors.As(err, &hd) || hd.sent
}

// outcomeUnknownStatus: the statuses after which a write may have happened.
func outcomeUnknownStatus(status int) bool {
	return status == http.StatusInternalServerError || status == http.StatusBadGateway || status == http.StatusGatewayTimeout
}
