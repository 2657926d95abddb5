package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrOutcomeUnknown is matched (errors.Is) by the error of a request that is
// not idempotent (create, register, regenerate a secret, authorize, the
// token exchange: every POST) when it was sent but its answer never came
// whole: the connection broke, the answer was cut off, its body was
// garbled, or a gateway answered 502 or 504 in the server's place. The server may have acted on it, or not: trying again blindly
// can create a second app. The error is an *OutcomeUnknownError, which says
// what was sent, so that the caller can find out (see the package
// documentation, "Unknown outcomes").
var ErrOutcomeUnknown = errors.New("mmoauth: outcome unknown: the server may have acted on the request")

// OutcomeUnknownError is the error of a non-idempotent request whose answer
// was lost after it was sent. errors.Is(err, ErrOutcomeUnknown) holds, and
// Err (a transport error, a *DecodeError for a cut or garbled answer, or the
// *Error of a gateway's 502 or 504) is reachable with errors.Is / errors.As.
type OutcomeUnknownError struct {
	Method string
	Path   string // escaped, never the query; for a secret regeneration it names the app
	// Name is the app name sent by CreateOAuthApp, or the client_name sent
	// by RegisterOAuthClient ("" when none was sent): what to match when
	// listing the apps to see whether the request took effect.
	Name string
	// Status is the status of a cut or garbled answer, or the gateway's
	// (0 when no answer came): a 2xx means the server did act, but what it
	// created is unknown.
	Status int
	Err    error
}

// Error says that the server may have acted, what was sent, and why the
// answer was lost.
func (e *OutcomeUnknownError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mmoauth: %s %s: outcome unknown, the server may have acted on the request", e.Method, e.Path)
	if e.Name != "" {
		fmt.Fprintf(&b, " (name %q)", e.Name)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (it answered %d)", e.Status)
	}
	// The cause starts with the same method and path: said once is enough.
	cause := strings.TrimPrefix(e.Err.Error(), fmt.Sprintf("mmoauth: %s %s: ", e.Method, e.Path))
	b.WriteString(": the answer was lost: " + cause)
	return b.String()
}

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// Unwrap returns the cause.
func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// outcomeUnknown wraps the error of a non-idempotent call whose request may
// have reached the server: a transport error after a byte of it was
// written, or a cut or garbled answer. Other errors are returned as they are.
func (st *call) outcomeUnknown(rq request, err error) error {
	if err == nil || st.idempotent {
		return err
	}
	var (
		de *DecodeError
		ae *Error
	)
	switch {
	case errors.As(err, &de):
		return &OutcomeUnknownError{Method: st.method, Path: st.path, Name: rq.name, Status: de.StatusCode, Err: err}
	case errors.As(err, &ae):
		if ae.StatusCode == http.StatusBadGateway || ae.StatusCode == http.StatusGatewayTimeout {
			// A gateway's answer: it may have passed the request on before
			// losing the server's answer.
			return &OutcomeUnknownError{Method: st.method, Path: st.path, Name: rq.name, Status: ae.StatusCode, Err: err}
		}
		return err
	case st.wire != nil && st.wire.wrote.Load():
		return &OutcomeUnknownError{Method: st.method, Path: st.path, Name: rq.name, Err: err}
	}
	return err
}
