package conformance

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Exchange is one recorded HTTP request and its response, redacted: no
// token, client secret, authorization code or PKCE verifier ever appears in
// it (the Authorization header keeps only its scheme).
type Exchange struct {
	Method string `json:"method"`
	// URL is the path and redacted query, relative to the target's URL.
	URL string `json:"url"`
	// As is the identity the request was sent as ("" when unknown).
	As             Role        `json:"as,omitempty"`
	RequestHeader  http.Header `json:"request_headers,omitempty"`
	RequestBody    string      `json:"request_body,omitempty"`
	Status         int         `json:"status,omitempty"`
	ResponseHeader http.Header `json:"response_headers,omitempty"`
	ResponseBody   string      `json:"response_body,omitempty"`
	// Error is the transport error, when no response arrived.
	Error string `json:"error,omitempty"`
	// SchemaError says how the response breaks the OpenAPI document.
	SchemaError string        `json:"schema_error,omitempty"`
	Duration    time.Duration `json:"duration_ns"`
}

// RequestLine is "METHOD /path?query".
func (e *Exchange) RequestLine() string { return e.Method + " " + e.URL }

// Outcome is the status line or the transport error, for reports.
func (e *Exchange) Outcome() string {
	if e.Error != "" {
		return "no response: " + e.Error
	}
	if ct := e.ResponseHeader.Get("Content-Type"); ct != "" {
		return fmt.Sprintf("%d %s (%s)", e.Status, http.StatusText(e.Status), ct)
	}
	return fmt.Sprintf("%d %s", e.Status, http.StatusText(e.Status))
}

// sink receives the exchanges made under a context: the running check, the
// setup of a target or the cleanup.
type sink interface {
	record(ex *Exchange)
	owner() string // the check id, "" for setup and cleanup
}

type sinkKey struct{}

// withSink attributes the requests made with ctx to s.
func withSink(ctx context.Context, s sink) context.Context {
	return context.WithValue(ctx, sinkKey{}, s)
}

func sinkFrom(ctx context.Context) sink {
	s, _ := ctx.Value(sinkKey{}).(sink)
	return s
}

// logSink collects exchanges outside checks (setup and cleanup).
type logSink struct {
	list *exchangeList
}

func (l logSink) record(ex *Exchange) { l.list.add(ex) }
func (l logSink) owner() string       { return "" }
