package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// call is the retry state of one API call. go-retryablehttp's hooks are
// plain functions shared by every request of a client, so each call has
// a small retryablehttp.Client around the shared *http.Client with its
// own state; the state is only touched from the goroutine running Do, except
// the atomic write flags set by httptrace callbacks. Calls are recycled
// through callPool (see there).
type call struct {
	c          *Client
	method     string
	path       string // escaped, no query: the only request detail logged or put in errors
	secret     string // the credential sent, redacted from stored bodies
	idempotent bool

	attempt int           // 1-based number of the attempt in flight
	wait    time.Duration // the wait checkRetry decided, returned by backoff
	last    error         // the last retried outcome (*Error or transport error)

	baseCtx context.Context // the caller's context, to derive per-attempt traces
	wire    *wireFlags      // write tracking of the attempt in flight (non-idempotent methods only)

	rc retryablehttp.Client // hooks bound to this call once, by callPool.New
}

// callPool recycles calls together with their retryablehttp.Client: binding
// the five hooks to a call allocates a closure each, which made up a third
// of the client's extra allocations over a bare net/http call
// (docs/BENCHMARKS.md). A call is released when send returns; nothing it
// returns (responses, errors) points back to the call.
var callPool = sync.Pool{New: func() any {
	st := &call{}
	// Logger stays nil: retryablehttp's own logging (stderr by default, full
	// URLs) stays off.
	st.rc = retryablehttp.Client{
		Logger:         nil,
		RequestLogHook: st.beforeAttempt,
		CheckRetry:     st.checkRetry,
		Backoff:        st.backoff,
		PrepareRetry:   st.prepareRetry,
		ErrorHandler:   st.handleError,
	}
	return st
}}

// wireFlags records whether any part of an attempt's request may have left
// the process. WroteHeaders fires once the headers are handed to the
// connection's buffer, before they are flushed, so "not set" proves that the
// server cannot have seen the request.
type wireFlags struct{ wrote atomic.Bool }

func (f *wireFlags) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		WroteHeaders: func() { f.wrote.Store(true) },
		WroteRequest: func(httptrace.WroteRequestInfo) { f.wrote.Store(true) },
	}
}

// newCall takes a call from callPool and resets every field of its state.
func newCall(c *Client, method, path, secret string) *call {
	st := callPool.Get().(*call)
	st.c, st.method, st.path, st.secret, st.idempotent = c, method, path, secret, isIdempotent(method)
	st.attempt, st.wait, st.last, st.baseCtx, st.wire = 0, 0, nil, nil, nil
	st.rc.HTTPClient = c.hc
	st.rc.RetryMax = c.policy.MaxAttempts - 1 // checkRetry stops first; this is a backstop
	return st
}

// release returns the call to callPool without keeping the client, the
// credential or the context alive.
func (st *call) release() {
	st.c, st.secret, st.last, st.baseCtx, st.wire = nil, "", nil, nil, nil
	st.rc.HTTPClient = nil
	callPool.Put(st)
}

// isIdempotent lists the idempotent methods of RFC 9110 §9.2.2 that this
// client may send.
func isIdempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// context returns the context the first attempt runs with: for a
// non-idempotent method it carries an httptrace that records writes.
func (st *call) context(ctx context.Context) context.Context {
	st.baseCtx = ctx
	if st.idempotent {
		return ctx
	}
	st.wire = &wireFlags{}
	return httptrace.WithClientTrace(ctx, st.wire.trace())
}

// retryClient is go-retryablehttp wired to this call's hooks. (retryablehttp
// also calls CloseIdleConnections on the shared *http.Client when a call
// fails; that only costs idle connections, never a request.)
func (st *call) retryClient() *retryablehttp.Client { return &st.rc }

func (st *call) beforeAttempt(_ retryablehttp.Logger, _ *http.Request, retry int) {
	st.attempt = retry + 1
}

// prepareRetry gives every retry fresh write flags: a late trace callback of
// the previous attempt must not count for this one.
func (st *call) prepareRetry(req *http.Request) error {
	if st.wire != nil {
		st.wire = &wireFlags{}
		*req = *req.WithContext(httptrace.WithClientTrace(st.baseCtx, st.wire.trace()))
	}
	return nil
}

// backoff returns the wait checkRetry decided for this retry.
func (st *call) backoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration {
	return st.c.clock.sleep(st.wait)
}

// handleError hands the last response and error back unchanged, so that
// send can turn them into an *Error (with status, body and Attempts) instead
// of retryablehttp's "giving up after N attempt(s)" string.
func (st *call) handleError(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}

// checkRetry is the retry policy documented on RetryPolicy. It runs once per
// attempt, so it also logs each attempt's outcome.
func (st *call) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retryable, hint, hinted := st.classify(ctx, resp, err)
	if !retryable {
		st.log(ctx, "mmoauth: response", resp, err)
		return false, nil
	}
	p := st.c.policy
	if st.attempt >= p.MaxAttempts {
		st.log(ctx, "mmoauth: giving up: attempts exhausted", resp, err)
		return false, nil
	}
	wait := hint
	if !hinted {
		wait = st.c.clock.jitter(p.backoffCeiling(st.attempt))
	} else if hint > p.MaxRetryAfter {
		st.log(ctx, "mmoauth: giving up: server asked to wait longer than MaxRetryAfter", resp, err, slog.Duration("wait", hint))
		return false, nil
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
		st.log(ctx, "mmoauth: giving up: the wait would pass the context deadline", resp, err, slog.Duration("wait", wait))
		stop := &retryStopped{Method: st.method, Path: st.path, Cause: context.DeadlineExceeded, Wait: wait}
		if resp == nil {
			stop.Last = st.failure(err) // with a response, send sets Last to its *Error
		}
		return false, stop
	}
	st.remember(resp, err)
	st.wait = wait
	st.log(ctx, "mmoauth: retrying", resp, err, slog.Duration("wait", wait))
	return true, nil
}

// classify says whether an attempt's outcome may be retried and, for 429 and
// 503, how long the server asked to wait.
func (st *call) classify(ctx context.Context, resp *http.Response, err error) (retryable bool, hint time.Duration, hinted bool) {
	if ctx.Err() != nil {
		return false, 0, false
	}
	if err != nil {
		if !retryableTransportError(err) {
			return false, 0, false
		}
		return st.idempotent || st.notSent(err), 0, false
	}
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		hint, hinted = serverWait(resp.Header, st.c.clock.now())
		return true, hint, hinted
	case code >= 500 && code != http.StatusNotImplemented:
		return st.idempotent, 0, false
	}
	return false, 0, false
}

// notSent reports whether a failed attempt provably never reached the
// server: the dialer failed, and no request header was written.
func (st *call) notSent(err error) bool {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		return false
	}
	return st.wire == nil || !st.wire.wrote.Load()
}

// retryableTransportError excludes failures a retry cannot fix: context
// cancellation and TLS certificate errors (as go-retryablehttp's own policy).
func retryableTransportError(err error) bool {
	var (
		unknownCA   x509.UnknownAuthorityError
		invalidCert x509.CertificateInvalidError
		hostname    x509.HostnameError
		verify      *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return false
	case errors.As(err, &unknownCA), errors.As(err, &invalidCert), errors.As(err, &hostname), errors.As(err, &verify):
		return false
	}
	return true
}

// remember keeps the outcome of an attempt that will be retried, so that a
// context ending during the wait still reports the last status and body.
// The body is read (capped) and replaced, which also lets retryablehttp
// drain it for connection reuse.
func (st *call) remember(resp *http.Response, err error) {
	if resp == nil {
		st.last = st.failure(err)
		return
	}
	body, _, _ := readCapped(resp.Body, MaxErrorBodyBytes, resp.ContentLength)
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	st.last = newError(st.method, st.path, newResponse(resp, st.attempt, st.c.clock.now()), redactCapped(body, st.secret))
}

// failure describes a transport error without the URL.
func (st *call) failure(err error) error {
	return fmt.Errorf("mmoauth: %s %s: %w", st.method, st.path, stripURLError(err))
}

func (st *call) log(ctx context.Context, msg string, resp *http.Response, err error, extra ...slog.Attr) {
	l := st.c.logger
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := make([]slog.Attr, 0, 5+len(extra))
	attrs = append(attrs, slog.String("method", st.method), slog.String("path", st.path), slog.Int("attempt", st.attempt))
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", stripURLError(err).Error()))
	}
	attrs = append(attrs, extra...)
	l.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}

// stripURLError drops net/http's *url.Error wrapper, whose message repeats
// the full URL with its query; what it wraps is kept (errors.Is still works
// for context errors and net errors).
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// retryStopped is returned when the context ends a call between attempts:
// either the next wait would pass the deadline (Cause is
// context.DeadlineExceeded, returned at once instead of sleeping), or the
// context was cancelled during a wait. It matches Cause and the last
// attempt's error (an *Error or a transport error) with errors.Is / As.
type retryStopped struct {
	Method, Path string
	Cause        error
	Wait         time.Duration
	Last         error
}

// Error says why the call stopped and what the last attempt got.
func (e *retryStopped) Error() string {
	msg := fmt.Sprintf("mmoauth: %s %s: %v", e.Method, e.Path, e.Cause)
	if e.Wait > 0 {
		msg += fmt.Sprintf(" (a %s wait before retrying would pass the deadline)", e.Wait)
	} else {
		msg += " while waiting to retry"
	}
	if e.Last != nil {
		msg += "; last attempt: " + e.Last.Error()
	}
	return msg
}

// Unwrap exposes the context error and the last attempt's error.
func (e *retryStopped) Unwrap() []error {
	if e.Last == nil {
		return []error{e.Cause}
	}
	return []error{e.Cause, e.Last}
}
