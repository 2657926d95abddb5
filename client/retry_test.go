package client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

var (
	errReset = errors.New("read: connection reset by peer")
	errDial  = &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
)

// callByMethod runs an operation that uses the given HTTP method.
func callByMethod(ctx context.Context, c *Client, method string) (*Response, error) {
	var (
		r   *Response
		err error
	)
	switch method {
	case http.MethodGet:
		_, r, err = c.GetOAuthApp(ctx, appID)
	case http.MethodPut:
		_, r, err = c.UpdateOAuthApp(ctx, validUpdate())
	case http.MethodDelete:
		_, r, err = c.DeleteOAuthApp(ctx, appID)
	case http.MethodPost:
		_, r, err = c.CreateOAuthApp(ctx, validCreate())
	default:
		panic(method)
	}
	return r, err
}

func status(code int, header ...string) reply {
	h := http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	body := appJSON
	if code >= 300 {
		body = `{"id":"x.app_error","message":"m","detailed_error":"","status_code":` + strconv.Itoa(code) + `}`
	}
	return reply{status: code, header: h, body: body}
}

func failure(err error) reply { return reply{err: err} }

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	const us = time.Microsecond
	now, err := http.ParseTime(fixedNow)
	require.NoError(t, err)
	inFive := now.Add(5 * time.Second).Format(http.TimeFormat)
	past := now.Add(-time.Hour).Format(http.TimeFormat)
	epoch := strconv.FormatInt(now.Add(7*time.Second).Unix(), 10)

	tests := []struct {
		name       string
		method     string
		replies    []reply
		attempts   int
		wantStatus int // final status; 0 for a transport error
		waits      []time.Duration
	}{
		// 429 and 503: any method.
		{"GET 503 503 200", "GET", []reply{status(503), status(503), status(200)}, 3, 200, []time.Duration{us, 2 * us}},
		{"POST 503 201", "POST", []reply{status(503), status(201)}, 2, 201, []time.Duration{us}},
		{"POST 429 201", "POST", []reply{status(429), status(201)}, 2, 201, []time.Duration{us}},
		{"PUT 429 200", "PUT", []reply{status(429), status(200)}, 2, 200, []time.Duration{us}},
		// other 5xx: idempotent methods only; never 501.
		{"GET 500 200", "GET", []reply{status(500), status(200)}, 2, 200, []time.Duration{us}},
		{"GET 502 504 200", "GET", []reply{status(502), status(504), status(200)}, 3, 200, []time.Duration{us, 2 * us}},
		{"PUT 502 200", "PUT", []reply{status(502), status(200)}, 2, 200, []time.Duration{us}},
		{"DELETE 500 200", "DELETE", []reply{status(500), status(200)}, 2, 200, []time.Duration{us}},
		{"POST 500 not retried", "POST", []reply{status(500), status(201)}, 1, 500, nil},
		{"POST 502 not retried", "POST", []reply{status(502), status(201)}, 1, 502, nil},
		{"POST 504 not retried", "POST", []reply{status(504), status(201)}, 1, 504, nil},
		{"GET 501 not retried", "GET", []reply{status(501), status(200)}, 1, 501, nil},
		{"GET 400 not retried", "GET", []reply{status(400), status(200)}, 1, 400, nil},
		{"GET 401 not retried", "GET", []reply{status(401), status(200)}, 1, 401, nil},
		{"GET 403 not retried", "GET", []reply{status(403), status(200)}, 1, 403, nil},
		{"GET 404 not retried", "GET", []reply{status(404), status(200)}, 1, 404, nil},
		{"GET 409 not retried", "GET", []reply{status(409), status(200)}, 1, 409, nil},
		// attempts are bounded; the backoff ceiling doubles up to MaxWait.
		{"GET 503 forever", "GET", []reply{status(503)}, 4, 503, []time.Duration{us, 2 * us, 4 * us}},
		{"POST 429 forever", "POST", []reply{status(429)}, 4, 429, []time.Duration{us, 2 * us, 4 * us}},
		// transport errors: idempotent methods; POST only when the dial failed.
		{"GET reset 200", "GET", []reply{failure(errReset), status(200)}, 2, 200, []time.Duration{us}},
		{"DELETE reset 200", "DELETE", []reply{failure(errReset), status(200)}, 2, 200, []time.Duration{us}},
		{"PUT reset 200", "PUT", []reply{failure(errReset), status(200)}, 2, 200, []time.Duration{us}},
		{"POST reset not retried", "POST", []reply{failure(errReset), status(201)}, 1, 0, nil},
		{"POST dial error retried", "POST", []reply{failure(errDial), status(201)}, 2, 201, []time.Duration{us}},
		{"GET reset forever", "GET", []reply{failure(errReset)}, 4, 0, []time.Duration{us, 2 * us, 4 * us}},
		// server-requested waits.
		{"Retry-After seconds", "POST", []reply{status(429, "Retry-After", "3"), status(201)}, 2, 201, []time.Duration{3 * time.Second}},
		{"Retry-After HTTP-date", "GET", []reply{status(503, "Retry-After", inFive), status(200)}, 2, 200, []time.Duration{5 * time.Second}},
		{"Retry-After date in the past", "GET", []reply{status(503, "Retry-After", past), status(200)}, 2, 200, []time.Duration{0}},
		{"Retry-After 0", "POST", []reply{status(429, "Retry-After", "0"), status(201)}, 2, 201, []time.Duration{0}},
		{"Retry-After garbage: backoff", "GET", []reply{status(503, "Retry-After", "soon"), status(200)}, 2, 200, []time.Duration{us}},
		{"X-RateLimit-Reset seconds", "POST", []reply{status(429, "X-RateLimit-Limit", "1", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2"), status(201)}, 2, 201, []time.Duration{2 * time.Second}},
		{"X-RateLimit-Reset alone", "POST", []reply{status(429, "X-RateLimit-Reset", "4"), status(201)}, 2, 201, []time.Duration{4 * time.Second}},
		{"X-RateLimit-Reset Unix time", "GET", []reply{status(429, "X-RateLimit-Remaining", "0", "X-RateLimit-Limit", "5", "X-RateLimit-Reset", epoch), status(200)}, 2, 200, []time.Duration{7 * time.Second}},
		{"X-RateLimit-Reset ignored while requests remain", "GET", []reply{status(429, "X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "9"), status(200)}, 2, 200, []time.Duration{us}},
		{"Retry-After wins over X-RateLimit-Reset", "POST", []reply{status(429, "Retry-After", "1", "X-RateLimit-Remaining", "0", "X-RateLimit-Limit", "1", "X-RateLimit-Reset", "9"), status(201)}, 2, 201, []time.Duration{time.Second}},
		{"Retry-After on a 500 is not a 429/503 hint", "GET", []reply{status(500, "Retry-After", "9"), status(200)}, 2, 200, []time.Duration{us}},
		{"Retry-After above MaxRetryAfter: not waited for", "POST", []reply{status(429, "Retry-After", "60"), status(201)}, 1, 429, nil},
		{"X-RateLimit-Reset above MaxRetryAfter", "GET", []reply{status(503, "X-RateLimit-Reset", "11"), status(200)}, 1, 503, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.replies)
			resp, err := callByMethod(t.Context(), f.c, tt.method)

			reqs := f.s.requests()
			assert.Len(t, reqs, tt.attempts, "attempts")
			assert.Equal(t, tt.waits, f.waits.all(), "decided waits")
			for _, r := range reqs[1:] {
				assert.Equal(t, reqs[0].Body, r.Body, "every attempt sends the same body")
				assert.Equal(t, reqs[0].Header.Get("Authorization"), r.Header.Get("Authorization"))
			}
			switch {
			case tt.wantStatus == 0:
				require.Error(t, err)
				assert.Nil(t, resp)
				var e *Error
				assert.False(t, errors.As(err, &e))
				if tt.attempts > 1 {
					assert.Contains(t, err.Error(), strconv.Itoa(tt.attempts)+" attempts")
				}
			case tt.wantStatus >= 300:
				var e *Error
				require.ErrorAs(t, err, &e)
				assert.Equal(t, tt.wantStatus, e.StatusCode)
				assert.Equal(t, tt.attempts, e.Attempts)
				require.NotNil(t, resp)
				assert.Equal(t, tt.attempts, resp.Attempts)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, resp.StatusCode)
				assert.Equal(t, tt.attempts, resp.Attempts)
			}
		})
	}
}

func TestRetryAfterAboveCapIsReported(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: 429, body: "limit exceeded", header: http.Header{"Retry-After": {"60"}, "Content-Type": {"text/plain"}}}})
	_, resp, err := f.c.RegisterOAuthClient(t.Context(), validRegistration())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, time.Minute, e.RetryAfter)
	assert.Equal(t, time.Minute, resp.RetryAfter)
	assert.Equal(t, "limit exceeded", e.Message)
}

func TestRegistrationRateLimitIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{
		{status: 429, body: "limit exceeded\n", header: http.Header{"Content-Type": {"text/plain"}, "Retry-After": {"1"},
			"X-Ratelimit-Limit": {"1"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1"}}},
		{status: 201, body: `{"client_id":"abcdefghijklmnopqrstuvwxyz","token_endpoint_auth_method":"none"}`},
	})
	reg, resp, err := f.c.RegisterOAuthClient(t.Context(), validRegistration())
	require.NoError(t, err)
	assert.Equal(t, appID, reg.ClientID)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, []time.Duration{time.Second}, f.waits.all())
	for _, r := range f.s.requests() {
		assert.Empty(t, r.Header.Values("Authorization"), "registration never sends the token, not even on retries")
	}
}

func TestRetryNeverWaitsPastTheDeadline(t *testing.T) {
	t.Parallel()
	slow := RetryPolicy{MaxAttempts: 4, MinWait: time.Hour, MaxWait: time.Hour, MaxRetryAfter: 3 * time.Hour}
	tests := []struct {
		name    string
		method  string
		reply   reply
		status  int
		wrapped error
	}{
		{"Retry-After beyond the deadline", "POST", status(429, "Retry-After", "7200"), 429, ErrRateLimited},
		{"X-RateLimit-Reset beyond the deadline", "GET", status(503, "X-RateLimit-Reset", "7200"), 503, nil},
		{"backoff beyond the deadline", "GET", status(500), 500, nil},
		{"transport error, backoff beyond the deadline", "GET", failure(errReset), 0, errReset},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, []reply{tt.reply, status(200)}, WithRetryPolicy(slow))
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			resp, err := callByMethod(ctx, f.c, tt.method)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NoError(t, ctx.Err(), "returned at once, long before the deadline")
			assert.Len(t, f.s.requests(), 1)
			assert.Empty(t, f.waits.all(), "no wait was started")
			assert.Contains(t, err.Error(), "would pass the deadline")
			if tt.wrapped != nil {
				assert.ErrorIs(t, err, tt.wrapped)
			}
			if tt.status == 0 {
				assert.Nil(t, resp)
				return
			}
			var e *Error
			require.ErrorAs(t, err, &e, "the last status comes with the deadline error")
			assert.Equal(t, tt.status, e.StatusCode)
			require.NotNil(t, resp)
			assert.Equal(t, tt.status, resp.StatusCode)
		})
	}
}

func TestCancelDuringWaitReportsLastAttempt(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{status(503), status(200)})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The wait is long; cancelling from the sleep hook ends it at once.
	f.c.clock.sleep = func(time.Duration) time.Duration {
		cancel()
		return bigWait
	}
	_, resp, err := f.c.GetOAuthApp(ctx, appID)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.Canceled)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 503, e.StatusCode)
	assert.Equal(t, "x.app_error", e.ID)
	assert.Contains(t, err.Error(), "while waiting to retry")
	assert.Len(t, f.s.requests(), 1)
}

func TestCancelledContextIsNotRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{failure(errReset), status(200)})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := f.c.GetOAuthApp(ctx, appID)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, f.s.requests(), "a dead context sends nothing")
	assert.Empty(t, f.waits.all())
}

func TestNoRetryPolicy(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{status(503), status(200)}, WithRetryPolicy(NoRetry()))
	_, resp, err := f.c.GetOAuthApp(t.Context(), appID)
	require.Error(t, err)
	assert.Equal(t, 1, resp.Attempts)
	assert.Len(t, f.s.requests(), 1)
}

func TestBackoffCeiling(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, MinWait: time.Second, MaxWait: 5 * time.Second}
	var got []time.Duration
	for n := 1; n <= 5; n++ {
		got = append(got, p.backoffCeiling(n))
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}, got)
	huge := RetryPolicy{MinWait: time.Duration(1 << 61), MaxWait: time.Duration(1<<63 - 1)}
	assert.Positive(t, huge.backoffCeiling(60), "no overflow")
	for range 100 {
		j := systemClock.jitter(time.Millisecond)
		require.GreaterOrEqual(t, j, time.Duration(0))
		require.LessOrEqual(t, j, time.Millisecond)
	}
	assert.Zero(t, systemClock.jitter(0))
}

func TestRetryPolicyValidation(t *testing.T) {
	t.Parallel()
	for _, p := range []RetryPolicy{
		{MaxAttempts: 0},
		{MaxAttempts: 1, MinWait: -1},
		{MaxAttempts: 1, MinWait: 2, MaxWait: 1},
		{MaxAttempts: 1, MaxRetryAfter: -time.Second},
	} {
		_, err := New(testBase, WithRetryPolicy(p))
		assert.Error(t, err, "%+v", p)
	}
	for _, p := range []RetryPolicy{DefaultRetryPolicy(), NoRetry(), tinyPolicy()} {
		_, err := New(testBase, WithRetryPolicy(p))
		assert.NoError(t, err, "%+v", p)
	}
}

// hitCounter serves h and counts the requests that reached the handler.
func hitCounter(h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	return srv, &n
}

// dropFirst closes the connection of the first request after reading it
// completely (so the request was written), then answers normally.
func dropFirst(t *testing.T, okStatus int) http.HandlerFunc {
	var first atomic.Bool
	first.Store(true)
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io_Copy(r)
		if first.CompareAndSwap(true, false) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if !assert.NoError(t, err) {
				return
			}
			_ = conn.Close()
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(okStatus)
		_, _ = w.Write([]byte(appJSON))
	}
}

func TestDroppedConnectionAfterWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method string
		hits   int32
		ok     bool
	}{
		{"POST", 1, false}, // the server may have created the app: never retried
		{"GET", 2, true},
		{"PUT", 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			srv, hits := hitCounter(dropFirst(t, 200))
			defer srv.Close()
			c, err := New(srv.URL, WithToken(testToken), WithRetryPolicy(tinyPolicy()))
			require.NoError(t, err)
			_, err = callByMethod(t.Context(), c, tt.method)
			assert.Equal(t, tt.hits, hits.Load())
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			var e *Error
			assert.False(t, errors.As(err, &e))
		})
	}
}

func TestPostRetriedWhenDialFails(t *testing.T) {
	t.Parallel()
	srv, hits := hitCounter(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(201)
		_, _ = w.Write([]byte(appJSON))
	})
	defer srv.Close()
	var dials atomic.Int32
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c, err := New(srv.URL, WithHTTPClient(&http.Client{Transport: tr}), WithRetryPolicy(tinyPolicy()))
	require.NoError(t, err)
	app, resp, err := c.CreateOAuthApp(t.Context(), validCreate())
	require.NoError(t, err)
	assert.Equal(t, appID, app.ID)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, int32(1), hits.Load())
}

func TestPostRetriedWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there any more: connection refused
	p := tinyPolicy()
	p.MaxAttempts = 3
	c, err := New("http://"+addr, WithRetryPolicy(p))
	require.NoError(t, err)
	_, resp, err := c.RegisterOAuthClient(t.Context(), validRegistration())
	require.Error(t, err)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, syscall.ECONNREFUSED)
	assert.Contains(t, err.Error(), "(3 attempts)")
	assert.NotContains(t, err.Error(), "http://", "the URL is not repeated")
}

// countingTransport counts the attempts that reached the transport.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int32
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	srv.Config.ErrorLog = quietLog() // the failed handshakes are expected
	srv.StartTLS()
	defer srv.Close()
	ct := &countingTransport{base: http.DefaultTransport.(*http.Transport).Clone()} // does not trust the test CA
	c, err := New(srv.URL, WithHTTPClient(&http.Client{Transport: ct}), WithRetryPolicy(tinyPolicy()))
	require.NoError(t, err)
	_, _, err = c.GetMe(t.Context())
	require.Error(t, err)
	assert.Equal(t, int32(1), ct.n.Load())
}

func TestLoggingIsQuietByDefaultAndRedacted(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	assert.Nil(t, newCall(f.c, "GET", "/", "").retryClient().Logger, "go-retryablehttp's own logger stays off")

	logger, buf := debugLog()
	f = newFixture(t, []reply{
		{status: 503, body: `{"client_secret":"` + secretVal + `"}`},
		failure(errReset),
		{status: 200, body: "[]"},
	}, WithLogger(logger))
	_, _, err := f.c.GetOAuthApps(t.Context(), 1, 2)
	require.NoError(t, err)
	out := buf.String()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Contains(t, lines[0], `msg="mmoauth: retrying" method=GET path=/api/v4/oauth/apps attempt=1 status=503 wait=1µs`)
	assert.Contains(t, lines[1], `msg="mmoauth: retrying" method=GET path=/api/v4/oauth/apps attempt=2 error="read: connection reset by peer" wait=2µs`)
	assert.Contains(t, lines[2], `msg="mmoauth: response" method=GET path=/api/v4/oauth/apps attempt=3 status=200`)
	assert.Contains(t, lines[0], "level=DEBUG")
	assertNoSecret(t, "log", out)
	assert.NotContains(t, out, "per_page", "no query")
	assert.NotContains(t, out, "Bearer")
	assert.NotContains(t, out, "mm.test", "no host, no URL")
}

func TestGivingUpIsLogged(t *testing.T) {
	t.Parallel()
	logger, buf := debugLog()
	f := newFixture(t, []reply{status(429, "Retry-After", "60")}, WithLogger(logger))
	_, _, err := f.c.CreateOAuthApp(t.Context(), validCreate())
	require.Error(t, err)
	assert.Contains(t, buf.String(), `msg="mmoauth: giving up: server asked to wait longer than MaxRetryAfter" method=POST path=/api/v4/oauth/apps attempt=1 status=429 wait=1m0s`)
}

// TestActivateNonDefault shows the documented way to mock the client's own
// *http.Client (go-retryablehttp builds its own, so httpmock.Activate would
// not intercept it) and that retries still run.
func TestActivateNonDefault(t *testing.T) { //nolint:paralleltest // uses httpmock's global transport
	c, err := New(testBase, WithRetryPolicy(tinyPolicy()))
	require.NoError(t, err)
	c.clock = testClock(&waits{})
	httpmock.ActivateNonDefault(c.hc)
	defer httpmock.DeactivateAndReset()
	defer httpmock.DeactivateNonDefault(c.hc)
	httpmock.RegisterResponder("GET", testBase+"/api/v4/users/me",
		httpmock.NewStringResponder(503, "busy").Then(httpmock.NewStringResponder(200, `{"id":"`+userID+`","username":"u"}`)))
	me, resp, err := c.GetMe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "u", me.Username)
	assert.Equal(t, 2, resp.Attempts)
	assert.Equal(t, 2, httpmock.GetTotalCallCount())
}

func TestDefaultClientDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	srv := httptest.NewServer(http.RedirectHandler(other.URL+"/api/v4/users/me", http.StatusFound))
	defer srv.Close()
	c, err := New(srv.URL, WithToken(testToken))
	require.NoError(t, err)
	_, resp, err := c.GetMe(t.Context())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusFound, e.StatusCode)
	assert.Equal(t, http.StatusFound, resp.StatusCode)
	assert.Zero(t, elsewhere.Load(), "the client talks only to the URL it was given")
}

var _ = models.DefaultPerPage

func TestContextEndingDuringAnAttempt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The transport ignores the context and reports its own error.
	f := newFixture(t, []reply{{err: errReset, before: cancel}, status(200)})
	_, resp, err := f.c.GetOAuthApp(ctx, appID)
	assert.Nil(t, resp)
	assert.ErrorIs(t, err, context.Canceled) // from net/http or from transportError, whichever sees it first
	assert.Len(t, f.s.requests(), 1, "not retried")
	assert.Empty(t, f.waits.all())

	// transportError itself keeps both causes.
	st := newCall(f.c, "GET", "/p", "")
	err = st.transportError(ctx, errReset)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, errReset)
}

func TestNotSentNeedsADialErrorAndNoWrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := []struct {
		name  string
		err   error
		wrote bool
		want  bool
	}{
		{"dial error, nothing written", errDial, false, true},
		{"dial error wrapped by net/http", &url.Error{Op: "Post", URL: "http://h", Err: errDial}, false, true},
		{"dial error but headers were written", errDial, true, false},
		{"other net error", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, false, false},
		{"plain error", errReset, false, false},
	}
	for _, tt := range tests {
		st := newCall(f.c, "POST", "/p", "")
		_ = st.context(t.Context())
		st.wire.wrote.Store(tt.wrote)
		assert.Equal(t, tt.want, st.notSent(tt.err), tt.name)
	}
}

// TestWriteTraceIsRecorded checks that a real transport reports writes
// through the per-attempt trace, also after prepareRetry renewed it.
func TestWriteTraceIsRecorded(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	f := newFixture(t, nil)
	st := newCall(f.c, "POST", "/p", "")
	req, err := http.NewRequestWithContext(st.context(t.Context()), "POST", srv.URL, strings.NewReader("{}"))
	require.NoError(t, err)
	first := st.wire
	require.NoError(t, st.prepareRetry(req))
	require.NotSame(t, first, st.wire, "each attempt gets fresh flags")
	assert.False(t, st.wire.wrote.Load())
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.True(t, st.wire.wrote.Load())
	assert.False(t, first.wrote.Load(), "the old attempt's flags are not touched")
}
