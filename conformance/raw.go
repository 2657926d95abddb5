package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Content types the raw helper sends.
const (
	contentJSON = "application/json"
	contentForm = "application/x-www-form-urlencoded"
)

// rawResponse is an answer to a request the client package would refuse to
// send (malformed ids, bad JSON, wrong types, token endpoint forms).
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// appError decodes an AppError body (server/channels/api4/oauth.go); ok is false when the
// body is not one (no id).
func (r *rawResponse) appError() (models.AppError, bool) {
	var e models.AppError
	if json.Unmarshal(r.Body, &e) != nil || e.ID == "" {
		return models.AppError{}, false
	}
	return e, true
}

// dcrError decodes an RFC 7591 §3.2.2 error body.
func (r *rawResponse) dcrError() (models.DCRError, bool) {
	var e models.DCRError
	if json.Unmarshal(r.Body, &e) != nil || e.Error == "" {
		return models.DCRError{}, false
	}
	return e, true
}

// isJSON reports whether the body is JSON served as application/json.
func (r *rawResponse) isJSON() bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == contentJSON && json.Valid(r.Body)
}

// errorID is the AppError id or the RFC 7591 / 6749 error code of the body.
func (r *rawResponse) errorID() string {
	if e, ok := r.appError(); ok {
		return e.ID
	}
	if e, ok := r.dcrError(); ok {
		return e.Error
	}
	return ""
}

// do sends a hand-built request through the recording client, once (the
// transport waits out rate limits: ratelimit.go). Malformed requests are
// meant to be answered, and a probe must see the first answer. path is
// relative to the target and may carry a query.
func (e *env) do(ctx context.Context, role Role, method, path, contentType string, body []byte) (*rawResponse, error) {
	h := http.Header{}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	if tok := e.tokens[role]; tok != "" {
		h.Set("Authorization", "Bearer "+tok)
	}
	return e.send(ctx, method, path, h, body)
}

// send is do with the request's headers given: Accept and User-Agent are
// added.
func (e *env) send(ctx context.Context, method, path string, header http.Header, body []byte) (*rawResponse, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, e.baseURL+path, rd)
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header = header.Clone()
	req.Header.Set("Accept", contentJSON)
	req.Header.Set("User-Agent", userAgent)
	resp, err := e.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// raw sends a hand-built request as role and ends the check if no answer
// arrives.
func (t *T) raw(ctx context.Context, role Role, method, path, contentType string, body []byte) *rawResponse {
	if role != Anonymous {
		t.Client(role) // skips the check when the identity is missing
	}
	r, err := t.env.do(ctx, role, method, path, contentType, body)
	if err != nil {
		t.Fatalf("%s %s: no answer: %s", method, path, transportMessage(err))
	}
	return r
}

// rawHeader sends a bodiless request with one header set as given (an
// Authorization header of a chosen shape) and no other credentials.
func (t *T) rawHeader(ctx context.Context, method, path, name, value string) *rawResponse {
	r, err := t.env.send(ctx, method, path, http.Header{name: {value}}, nil)
	if err != nil {
		t.Fatalf("%s %s: no answer: %s", method, path, transportMessage(err))
	}
	return r
}

// rawJSON sends a JSON body given as text, possibly malformed on purpose.
func (t *T) rawJSON(ctx context.Context, role Role, method, path, body string) *rawResponse {
	return t.raw(ctx, role, method, path, contentJSON, []byte(body))
}

// tokenRequest posts a form to the token endpoint (RFC 6749 §4.1.3; the
// client package has no token call, and these forms are often wrong on
// purpose). The form's secrets are remembered by the scrubber when recorded.
func (t *T) tokenRequest(ctx context.Context, form url.Values) *rawResponse {
	return t.raw(ctx, Anonymous, http.MethodPost, "/oauth/access_token", contentForm, []byte(form.Encode()))
}

// expect checks a raw answer's status and, when id is not empty, its error
// id (AppError id, or RFC 7591 error code). It reports a failure and returns
// false on a mismatch.
func (r *rawResponse) expect(t *T, step string, status int, id string) bool {
	got := r.errorID()
	if r.Status == status && (id == "" || got == id) {
		if id != "" && !r.shapeFits(id) {
			t.Errorf("%s: %s came in the wrong body, want %s", step, id, shapeName(id))
			return false
		}
		return true
	}
	t.Errorf("%s: got %s, want %s", step, describeStatus(r.Status, got), describeStatus(status, id))
	return false
}

// isAppErrorID tells a Mattermost AppError id (dotted, e.g.
// api.context.invalid_url_param.app_error) from an RFC 7591 / RFC 6749
// error code (invalid_client_metadata): each comes in its own body.
func isAppErrorID(id string) bool { return strings.Contains(id, ".") }

// shapeFits reports whether the body has the shape id belongs in: an AppError
// for Mattermost ids; for RFC error codes an {"error"} body that is not also
// an AppError (registration errors: server/channels/api4/oauth.go registerOAuthClient).
func (r *rawResponse) shapeFits(id string) bool {
	_, isApp := r.appError()
	if isAppErrorID(id) {
		return isApp
	}
	_, isDCR := r.dcrError()
	return isDCR && !isApp
}

func shapeName(id string) string {
	if isAppErrorID(id) {
		return "an AppError body {id, message, …} (server/public/model/utils.go AppError)"
	}
	return "an RFC 7591 body {error, error_description} (server/channels/api4/oauth.go registerOAuthClient)"
}

func describeStatus(status int, id string) string {
	s := fmt.Sprintf("%d", status)
	if id != "" {
		s += " " + id
	}
	return s
}

// userAgent identifies the suite's requests in server logs.
const userAgent = "mmoauth-conformance/0.1 (+https://github.com/mmoauth/mmoauth)"
