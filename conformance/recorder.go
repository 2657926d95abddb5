package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// Limits on what the recorder reads and keeps.
const (
	maxResponseBody = 4 << 20 // read at most this much of a response
	maxRecordedBody = 2048    // keep at most this much of a body in a report
)

// responseValidator is the part of *spec.Validator the recorder uses; tests
// may substitute it.
type responseValidator interface {
	ValidateResponse(ctx context.Context, r *http.Request, status int, header http.Header, body []byte) error
}

// recorder is an http.RoundTripper that records every exchange, validates
// every response against the OpenAPI document, and tells the tracker about
// every app the run creates or deletes — at the transport level, so an app
// is tracked even when the client cannot decode the answer.
type recorder struct {
	next      http.RoundTripper
	validator responseValidator
	scrub     *scrubber
	tracker   *tracker
	// basePath is the target URL's path ("" or "/mattermost"); it is cut
	// from request paths before validation because the document's server is
	// "/".
	basePath string

	mu    sync.RWMutex
	roles map[string]Role // bearer token -> identity

	// observe receives every exchange with its whole redacted bodies
	// (Options.OnExchange); nil when nobody asked.
	observe func(owner string, started time.Time, ex *Exchange, reqBody, respBody []byte, reqType, respType string)
}

func (r *recorder) setRole(token string, role Role) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.roles == nil {
		r.roles = map[string]Role{}
	}
	r.roles[token] = role
}

func (r *recorder) roleOf(req *http.Request) Role {
	auth := req.Header.Get("Authorization")
	if auth == "" {
		return Anonymous
	}
	_, token, _ := strings.Cut(auth, " ")
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.roles[token]
}

// RoundTrip implements http.RoundTripper.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("reading request body: %w", err)
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	ex := &Exchange{
		Method:        req.Method,
		URL:           r.relativeURL(req),
		As:            r.roleOf(req),
		RequestHeader: r.scrub.redactHeader(req.Header),
		RequestBody:   r.scrub.redactBody(req.Header.Get("Content-Type"), reqBody, maxRecordedBody),
	}
	s := sinkFrom(req.Context())
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		r.lost(req)
		ex.Duration = time.Since(start)
		ex.Error = r.scrub.scrub(transportMessage(err))
		r.deliver(s, ex)
		r.notify(s, start, ex, req, reqBody, nil, "")
		return nil, err
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	_ = resp.Body.Close()
	ex.Duration = time.Since(start)
	ex.Status = resp.StatusCode
	ex.ResponseHeader = r.scrub.redactHeader(resp.Header)
	if readErr != nil {
		r.lost(req)
		ex.Error = r.scrub.scrub("reading response body: " + transportMessage(readErr))
		r.deliver(s, ex)
		return nil, readErr
	}
	truncated := len(body) > maxResponseBody
	if truncated {
		body = body[:maxResponseBody]
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	// The response body is redacted before anything else is recorded so that
	// the secrets it carries are known to the scrubber.
	ex.ResponseBody = r.scrub.redactBody(resp.Header.Get("Content-Type"), body, maxRecordedBody)
	owner := ""
	if s != nil {
		owner = s.owner()
	}
	r.track(req, ex.As, owner, resp.StatusCode, body)
	switch {
	case truncated:
		ex.SchemaError = fmt.Sprintf("response body larger than %d bytes; not validated", maxResponseBody)
	case r.validator != nil:
		if verr := r.validator.ValidateResponse(req.Context(), r.validationRequest(req), resp.StatusCode, resp.Header, body); verr != nil {
			ex.SchemaError = r.scrub.scrub(oneLine(verr.Error()))
		}
	}
	if ex.SchemaError == "" {
		ex.SchemaError = appErrorStatusMismatch(resp.StatusCode, resp.Header, body)
	}
	r.deliver(s, ex)
	r.notify(s, start, ex, req, reqBody, body, resp.Header.Get("Content-Type"))
	return resp, nil
}

// notify hands the exchange to the run's observer, if any.
func (r *recorder) notify(s sink, start time.Time, ex *Exchange, req *http.Request, reqBody, respBody []byte, respType string) {
	if r.observe == nil {
		return
	}
	owner := ""
	if s != nil {
		owner = s.owner()
	}
	r.observe(owner, start, ex, reqBody, respBody, req.Header.Get("Content-Type"), respType)
}

func (r *recorder) deliver(s sink, ex *Exchange) {
	if s != nil {
		s.record(ex)
	}
}

// relativeURL is the request's path below the target plus its redacted query.
func (r *recorder) relativeURL(req *http.Request) string {
	p := strings.TrimPrefix(req.URL.EscapedPath(), r.basePath)
	if req.URL.RawQuery != "" {
		q := r.scrub.redactURL("?" + req.URL.RawQuery)
		p += q
	}
	return p
}

// validationRequest returns req with the target's base path removed, so the
// document's routes (served at "/") match a server under a subpath.
func (r *recorder) validationRequest(req *http.Request) *http.Request {
	if r.basePath == "" {
		return req
	}
	vr := req.Clone(req.Context())
	vr.URL.Path = strings.TrimPrefix(req.URL.Path, r.basePath)
	vr.URL.RawPath = ""
	return vr
}

// Paths the tracker watches (server/channels/api4/oauth.go).
const (
	appsPath     = "/api/v4/oauth/apps"
	registerPath = "/api/v4/oauth/apps/register"
)

// lost notes a create or registration whose answer never arrived.
func (r *recorder) lost(req *http.Request) {
	p := strings.TrimPrefix(req.URL.Path, r.basePath)
	if r.tracker != nil && req.Method == http.MethodPost && (p == appsPath || p == registerPath) {
		r.tracker.lostCreate()
	}
}

// track registers created apps for deletion the moment their answer
// arrives, and notes deletions, so cleanup never misses or repeats one. A
// create or registration is tracked whatever status it was answered with
// (a server that answers 200, or an error status, may still have created
// the app): what counts is an app id in the body. An AppError's id is a
// dotted error id, never an app id (model.IsValidId), so error bodies are
// never mistaken for apps.
func (r *recorder) track(req *http.Request, as Role, owner string, status int, body []byte) {
	if r.tracker == nil {
		return
	}
	p := strings.TrimPrefix(req.URL.Path, r.basePath)
	switch {
	case req.Method == http.MethodPost && p == appsPath:
		var app struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}
		if json.Unmarshal(body, &app) == nil && models.IsValidID(app.ID) {
			r.tracker.add(app.ID, app.Name, false, as, owner)
		}
	case req.Method == http.MethodPost && p == registerPath:
		var reg struct {
			ClientID   string `json:"client_id"`
			ClientName string `json:"client_name"`
		}
		if json.Unmarshal(body, &reg) == nil && models.IsValidID(reg.ClientID) {
			r.tracker.add(reg.ClientID, reg.ClientName, true, as, owner)
		}
	case req.Method == http.MethodDelete && status == http.StatusOK && strings.HasPrefix(p, appsPath+"/"):
		id := strings.TrimPrefix(p, appsPath+"/")
		if !strings.Contains(id, "/") {
			r.tracker.markDeleted(id)
		}
	}
}

// appErrorStatusMismatch describes an AppError body whose status_code is not
// the HTTP status it came with ("" when there is none). The server writes
// c.Err.StatusCode as the status of the very answer whose body it is
// (web/handlers.go; server/public/model/utils.go AppError), so a client may trust either;
// a body that contradicts its status is a contract failure the document's
// types cannot express. An omitted status_code (0) is allowed.
func appErrorStatusMismatch(status int, h http.Header, body []byte) string {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != contentJSON {
		return ""
	}
	var e struct {
		ID         string `json:"id"`
		StatusCode int    `json:"status_code"`
	}
	if json.Unmarshal(body, &e) != nil || e.ID == "" || e.StatusCode == 0 || e.StatusCode == status {
		return ""
	}
	return fmt.Sprintf("the AppError %s says status_code %d on a %d answer (server/public/model/utils.go AppError)", e.ID, e.StatusCode, status)
}

// transportMessage shortens a transport error to its cause.
func transportMessage(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	return oneLine(err.Error())
}

// oneLine collapses whitespace runs so a message fits one report line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// exchangeList is a concurrency-safe list of exchanges.
type exchangeList struct {
	mu    sync.Mutex
	items []*Exchange
}

func (l *exchangeList) add(ex *Exchange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.items = append(l.items, ex)
}

func (l *exchangeList) all() []*Exchange {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Exchange(nil), l.items...)
}
