package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinels for errors.Is: an *Error matches the one for its status.
var (
	ErrBadRequest     = errors.New("mmoauth: bad request")                    // 400
	ErrUnauthorized   = errors.New("mmoauth: unauthorized")                   // 401
	ErrForbidden      = errors.New("mmoauth: forbidden")                      // 403
	ErrNotFound       = errors.New("mmoauth: not found")                      // 404
	ErrRateLimited    = errors.New("mmoauth: rate limited")                   // 429
	ErrNotImplemented = errors.New("mmoauth: feature disabled on the server") // 501 Not Implemented
)

// ErrResponseTooLarge is wrapped by the *DecodeError for a 2xx body longer
// than MaxResponseBytes.
var ErrResponseTooLarge = errors.New("response body exceeds the size limit")

// Body size limits. A 2xx body longer than MaxResponseBytes is refused; an
// error body is kept up to MaxErrorBodyBytes.
const (
	MaxResponseBytes  = 4 << 20
	MaxErrorBodyBytes = 16 << 10
	maxExcerptBytes   = 256
	maxMessageBytes   = 512
)

// Error is a non-2xx answer. Exactly one body shape fills it: Mattermost's
// AppError (ID, Message, DetailedError, RequestID), the RFC 7591 §3.2.2 /
// RFC 6749 §5.2 error body (OAuthError, OAuthErrorDescription: the
// registration endpoint), or plain text (Message: e.g. the rate limiter's
// "limit exceeded"). Body always holds the raw body, capped at
// MaxErrorBodyBytes and redacted.
type Error struct {
	StatusCode int
	Method     string
	Path       string // escaped request path, never the query

	ID            string // AppError id, e.g. "api.context.permissions.app_error"
	Message       string // AppError message, or the first line of a plain-text body
	DetailedError string
	RequestID     string // AppError request_id, else the X-Request-Id header

	OAuthError            string // RFC 7591 / RFC 6749 "error"
	OAuthErrorDescription string // "error_description"

	Body []byte // capped at MaxErrorBodyBytes; tokens and secrets redacted

	RetryAfter time.Duration // Retry-After of this answer
	RateLimit  RateLimit
	Attempts   int
}

// Error is one line: method, path, status, then the AppError id and message,
// the RFC 7591 code and description, or the plain-text message.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mmoauth: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	for _, part := range []string{e.ID, e.OAuthError, e.Message, e.OAuthErrorDescription} {
		if part != "" {
			b.WriteString(": " + oneLine(part))
		}
	}
	var notes []string
	if e.RequestID != "" {
		notes = append(notes, "request id "+oneLine(e.RequestID))
	}
	if e.RetryAfter > 0 {
		notes = append(notes, "retry after "+e.RetryAfter.String())
	}
	if e.Attempts > 1 {
		notes = append(notes, strconv.Itoa(e.Attempts)+" attempts")
	}
	if len(notes) > 0 {
		b.WriteString(" (" + strings.Join(notes, ", ") + ")")
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status.
func (e *Error) Is(target error) bool {
	return target != nil && target == sentinelFor(e.StatusCode)
}

func sentinelFor(status int) error {
	switch status {
	case http.StatusBadRequest:
		return ErrBadRequest
	case http.StatusUnauthorized:
		return ErrUnauthorized
	case http.StatusForbidden:
		return ErrForbidden
	case http.StatusNotFound:
		return ErrNotFound
	case http.StatusTooManyRequests:
		return ErrRateLimited
	case http.StatusNotImplemented:
		return ErrNotImplemented
	}
	return nil
}

// errorBody is the union of the error shapes the server sends.
type errorBody struct {
	ID               string `json:"id"`
	Message          string `json:"message"`
	DetailedError    string `json:"detailed_error"`
	RequestID        string `json:"request_id"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// newError builds the *Error for a non-2xx answer; body is already capped
// and redacted.
func newError(method, path string, r *Response, body []byte) *Error {
	e := &Error{
		StatusCode: r.StatusCode,
		Method:     method,
		Path:       path,
		Body:       body,
		RetryAfter: r.RetryAfter,
		RateLimit:  r.RateLimit,
		Attempts:   r.Attempts,
		RequestID:  r.RequestID,
	}
	var eb errorBody
	if json.Unmarshal(body, &eb) == nil {
		e.ID, e.Message, e.DetailedError = eb.ID, eb.Message, eb.DetailedError
		e.OAuthError, e.OAuthErrorDescription = eb.Error, eb.ErrorDescription
		if eb.RequestID != "" {
			e.RequestID = eb.RequestID
		}
		return e
	}
	e.Message = firstLine(body)
	return e
}

// DecodeError is a 2xx answer whose body is not the expected JSON, is
// larger than MaxResponseBytes (then Err wraps ErrResponseTooLarge), or was
// cut off while it was read (then Err wraps the read error, such as
// io.ErrUnexpectedEOF). The server acted on the request either way.
type DecodeError struct {
	StatusCode  int
	Method      string
	Path        string // never the query
	ContentType string
	Excerpt     string // the body's first bytes, redacted
	Err         error
}

// Error is one line: method, path, status, the decoding error and a
// redacted excerpt of the body.
func (e *DecodeError) Error() string {
	msg := fmt.Sprintf("mmoauth: %s %s: %d %s: decoding response: %v", e.Method, e.Path, e.StatusCode, http.StatusText(e.StatusCode), e.Err)
	if e.ContentType != "" {
		msg += fmt.Sprintf(" (content type %q)", e.ContentType)
	}
	if e.Excerpt != "" {
		msg += fmt.Sprintf(" (body %q)", e.Excerpt)
	}
	return msg
}

// Unwrap returns the json or size error.
func (e *DecodeError) Unwrap() error { return e.Err }

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// firstLine is the first non-empty line of a plain-text body, truncated.
func firstLine(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return truncate(strings.TrimSpace(s), maxMessageBytes)
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
