package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		reply    reply
		sentinel error
		check    func(t *testing.T, e *Error)
		line     []string // substrings of Error()
	}{
		{
			name: "AppError 403",
			reply: reply{status: 403, header: http.Header{"X-Request-Id": {"hdr-id"}}, body: `{"id":"api.context.permissions.app_error",
				"message":"You do not have the appropriate permissions.","detailed_error":"userId=x, permission=manage_oauth","request_id":"body-id","status_code":403}`},
			sentinel: ErrForbidden,
			check: func(t *testing.T, e *Error) {
				assert.Equal(t, "api.context.permissions.app_error", e.ID)
				assert.Equal(t, "You do not have the appropriate permissions.", e.Message)
				assert.Equal(t, "userId=x, permission=manage_oauth", e.DetailedError)
				assert.Equal(t, "body-id", e.RequestID, "the AppError's request id wins over the header")
				assert.Empty(t, e.OAuthError)
			},
			line: []string{"GET /api/v4/oauth/apps: 403 Forbidden: api.context.permissions.app_error: You do not have the appropriate permissions.", "request id body-id"},
		},
		{
			name:     "AppError 401 without request_id",
			reply:    reply{status: 401, header: http.Header{"X-Request-Id": {"hdr-id"}}, body: `{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","detailed_error":"","status_code":401}`},
			sentinel: ErrUnauthorized,
			check:    func(t *testing.T, e *Error) { assert.Equal(t, "hdr-id", e.RequestID) },
			line:     []string{"401 Unauthorized: api.context.session_expired.app_error"},
		},
		{
			name:     "AppError 400",
			reply:    reply{status: 400, body: `{"id":"api.context.invalid_url_param.app_error","message":"Invalid or missing app_id parameter in request URL.","detailed_error":"","status_code":400}`},
			sentinel: ErrBadRequest,
			line:     []string{"400 Bad Request: api.context.invalid_url_param.app_error"},
		},
		{
			name:     "AppError 404",
			reply:    reply{status: 404, body: `{"id":"app.oauth.get_app.find.app_error","message":"Unable to find the requested app.","detailed_error":"","status_code":404}`},
			sentinel: ErrNotFound,
			line:     []string{"404 Not Found"},
		},
		{
			name:     "AppError 501",
			reply:    reply{status: 501, body: `{"id":"api.oauth.allow_oauth.turn_off.app_error","message":"The system admin has turned off OAuth2 Service Provider.","detailed_error":"","status_code":501}`},
			sentinel: ErrNotImplemented,
			line:     []string{"501 Not Implemented: api.oauth.allow_oauth.turn_off.app_error"},
		},
		{
			name:     "RFC 7591 body",
			reply:    reply{status: 400, body: `{"error":"invalid_client_metadata","error_description":"Invalid JSON in request body"}`},
			sentinel: ErrBadRequest,
			check: func(t *testing.T, e *Error) {
				assert.Equal(t, "invalid_client_metadata", e.OAuthError)
				assert.Equal(t, "Invalid JSON in request body", e.OAuthErrorDescription)
				assert.Empty(t, e.ID)
				assert.Empty(t, e.Message)
			},
			line: []string{"400 Bad Request: invalid_client_metadata: Invalid JSON in request body"},
		},
		{
			name: "plain-text 429 of the rate limiter",
			reply: reply{status: 429, header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Ratelimit-Limit": {"1"},
				"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1"}, "Retry-After": {"1"}}, body: "limit exceeded\n"},
			sentinel: ErrRateLimited,
			check: func(t *testing.T, e *Error) {
				assert.Equal(t, "limit exceeded", e.Message)
				assert.Equal(t, "limit exceeded\n", string(e.Body))
				assert.Equal(t, time.Second, e.RetryAfter)
				assert.Equal(t, RateLimit{Known: true, Limit: 1, Remaining: 0, Reset: time.Second, ResetKnown: true}, e.RateLimit)
			},
			line: []string{"429 Too Many Requests: limit exceeded (retry after 1s)"},
		},
		{
			name:  "HTML 502 from a proxy",
			reply: reply{status: 502, header: http.Header{"Content-Type": {"text/html"}}, body: "<html>\n<body>Bad gateway</body></html>"},
			check: func(t *testing.T, e *Error) {
				assert.Equal(t, "<html>", e.Message)
				assert.Contains(t, string(e.Body), "Bad gateway")
			},
			line: []string{"502 Bad Gateway: <html>"},
		},
		{
			name:  "empty 500",
			reply: reply{status: 500, body: ""},
			check: func(t *testing.T, e *Error) { assert.Empty(t, e.Message) },
			line:  []string{"GET /api/v4/oauth/apps: 500 Internal Server Error"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []reply{tt.reply}, WithRetryPolicy(NoRetry()))
			apps, resp, err := f.c.GetOAuthApps(t.Context(), 3, 7)
			assert.Nil(t, apps)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.NotNil(t, resp, "the *Response comes with the error")
			assert.Equal(t, tt.reply.status, resp.StatusCode)
			assert.Equal(t, tt.reply.status, e.StatusCode)
			assert.Equal(t, "GET", e.Method)
			assert.Equal(t, "/api/v4/oauth/apps", e.Path)
			assert.Equal(t, 1, e.Attempts)
			for _, s := range []error{ErrBadRequest, ErrUnauthorized, ErrForbidden, ErrNotFound, ErrRateLimited, ErrNotImplemented} {
				want := tt.sentinel != nil && errors.Is(tt.sentinel, s) // sentinels are distinct values
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(%v)", s)
			}
			msg := err.Error()
			assert.NotContains(t, msg, "\n", "one line")
			assert.NotContains(t, msg, "per_page", "never the query")
			for _, s := range tt.line {
				assert.Contains(t, msg, s)
			}
			if tt.check != nil {
				tt.check(t, e)
			}
		})
	}
}

func TestErrorBodyIsCappedAndRedacted(t *testing.T) {
	t.Parallel()
	echo := fmt.Sprintf(`{"id":"x.app_error","message":"you sent Bearer %s","detailed_error":"client_secret=%s&a=b",
"client_secret":"%s","access_token":"%s","pad":"%s"}`, testToken, secretVal, secretVal, "at-"+secretVal, strings.Repeat("p", 2*MaxErrorBodyBytes))
	f := newFixture(t, []reply{{status: 400, body: echo}}, WithRetryPolicy(NoRetry()))
	_, _, err := f.c.GetMe(t.Context())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.LessOrEqual(t, len(e.Body), MaxErrorBodyBytes)
	assert.Greater(t, len(e.Body), MaxErrorBodyBytes-200, "capped, not dropped")
	for i, s := range []string{string(e.Body), err.Error(), e.Message, fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
		assertNoSecret(t, fmt.Sprintf("rendering %d", i), s)
	}
	assert.True(t, strings.Contains(string(e.Body), redactedMark))
	assert.Empty(t, e.ID, "a capped JSON body no longer parses; the raw body stays available")
}

func TestErrorSentinelsMatchByStatusOnly(t *testing.T) {
	t.Parallel()
	e := &Error{StatusCode: 404}
	assert.ErrorIs(t, e, ErrNotFound)
	assert.NotErrorIs(t, e, ErrForbidden)
	assert.NotErrorIs(t, &Error{StatusCode: 500}, ErrNotFound)
	assert.False(t, e.Is(nil))
	wrapped := fmt.Errorf("outer: %w", e)
	assert.ErrorIs(t, wrapped, ErrNotFound)
}

func TestErrorLineAttemptsAndTruncation(t *testing.T) {
	t.Parallel()
	e := &Error{StatusCode: 503, Method: "GET", Path: "/x", Message: "a\nb", Attempts: 4}
	assert.Equal(t, "mmoauth: GET /x: 503 Service Unavailable: a b (4 attempts)", e.Error())
	assert.Equal(t, "ab…", truncate("abc", 2))
	assert.Equal(t, "…", truncate("é", 1), "never splits a UTF-8 sequence")
}

func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	big := `{"name":"` + strings.Repeat("x", MaxResponseBytes) + `"}`
	tests := []struct {
		name   string
		body   string
		status int
		check  func(t *testing.T, de *DecodeError)
	}{
		{"not JSON", "<html>oops</html>", 200, func(t *testing.T, de *DecodeError) {
			var se *json.SyntaxError
			assert.ErrorAs(t, de, &se)
			assert.Equal(t, "<html>oops</html>", de.Excerpt)
		}},
		{"empty", "", 200, func(t *testing.T, de *DecodeError) { assert.Error(t, de.Err) }},
		{"wrong types, secret redacted", `{"id":5,"client_secret":"` + secretVal + `"}`, 201, func(t *testing.T, de *DecodeError) {
			var te *json.UnmarshalTypeError
			assert.ErrorAs(t, de, &te)
			assert.NotContains(t, de.Excerpt, secretVal)
			assert.NotContains(t, de.Error(), secretVal)
			assert.Contains(t, de.Excerpt, redactedMark)
		}},
		{"too large", big, 200, func(t *testing.T, de *DecodeError) {
			assert.ErrorIs(t, de, ErrResponseTooLarge)
			assert.LessOrEqual(t, len(de.Excerpt), maxExcerptBytes+len("…"))
		}},
		{"trailing garbage", appJSON + "x", 200, func(t *testing.T, de *DecodeError) { assert.Error(t, de.Err) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []reply{{status: tt.status, body: tt.body, header: http.Header{"Content-Type": {"text/plain"}}}})
			app, resp, err := f.c.GetOAuthApp(t.Context(), appID)
			assert.Nil(t, app)
			require.NotNil(t, resp)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.status, de.StatusCode)
			assert.Equal(t, "GET", de.Method)
			assert.Equal(t, "/api/v4/oauth/apps/"+appID, de.Path)
			assert.Equal(t, "text/plain", de.ContentType)
			assert.NotContains(t, err.Error(), "\n")
			var ae *Error
			assert.False(t, errors.As(err, &ae), "a 2xx is not an *Error")
			tt.check(t, de)
			assert.Len(t, f.s.requests(), 1, "decode errors are not retried")
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`{"client_secret":"abc","name":"n"}`, `{"client_secret":"[REDACTED]","name":"n"}`},
		{`{"access_token" : "a\"b","refresh_token":"r"}`, `{"access_token" : "[REDACTED]","refresh_token":"[REDACTED]"}`},
		{`{"redirect":"https://x/cb?code=c&state=s"}`, `{"redirect":"[REDACTED]"}`},
		{`go to https://x/cb?state=s&code=thecode#frag`, `go to https://x/cb?state=s&code=[REDACTED]#frag`},
		{`Authorization: Bearer abcdefghijklmnop`, `Authorization: Bearer [REDACTED]`},
		{`{"name":"n","client_secret":"cut-by-the-ca`, `{"name":"n","client_secret":"[REDACTED]"`},
		{`the token expired`, `the token expired`},
		{`ends with tok3nv`, `ends with [REDACTED]`}, // a known credential cut by the cap
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(redact([]byte(tt.in), testToken)), tt.in)
	}
	in := []byte(`{"client_secret":"x"}`)
	_ = redact(in)
	assert.Equal(t, `{"client_secret":"x"}`, string(in), "the input is not modified")
}
