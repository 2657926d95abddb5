package mockserver

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFaultStatus: injected statuses carry bodies the document allows (the
// server's own response validation would fail the test otherwise) and
// Retry-After where asked.
func TestFaultStatus(t *testing.T) {
	tests := []struct {
		name        string
		fault       Fault
		path        string
		method      string
		want        int
		wantRetry   string
		wantCType   string
		wantErrorID string
	}{
		{"503 with Retry-After", Fault{Route: "GetMe", Status: 503, RetryAfter: 2 * time.Second}, "/api/v4/users/me", http.MethodGet, 503, "2", "application/json", "api.context.server_busy.app_error"},
		{"500 on every route", Fault{Status: 500}, "/api/v4/users/me", http.MethodGet, 500, "", "application/json", "api.context.internal.app_error"},
		{"502", Fault{Route: "*", Status: 502}, "/.well-known/oauth-authorization-server", http.MethodGet, 502, "", "application/json", "api.context.bad_gateway.app_error"},
		{"429 is the limiter's plain text", Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, "/api/v4/users/me", http.MethodGet, 429, "2", "text/plain", ""},
		{"500 on registration is an RFC 7591 body", Fault{Route: "RegisterOAuthClient", Status: 500}, registerPath, http.MethodPost, 500, "", "application/json", ""},
		{"fault on the browser endpoint", Fault{Route: "AuthorizeOAuthAppPage", Status: 500}, "/oauth/authorize", http.MethodGet, 500, "", "text/html", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t, WithFaults(tt.fault))
			r := do(t, ts, req{Method: tt.method, Path: tt.path, Token: ts.Identities.PlainUser.Token, Body: nilIfGet(tt.method)})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			assert.Equal(t, tt.wantRetry, r.Header.Get("Retry-After"))
			assert.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), tt.wantCType), r.Header.Get("Content-Type"))
			if tt.wantErrorID != "" {
				assert.Equal(t, tt.wantErrorID, r.appError(t).ID)
			}
			if tt.want == 429 {
				assert.Equal(t, "limit exceeded\n", string(r.Body))
				assert.NotEmpty(t, r.Header.Get("X-RateLimit-Limit"))
			}
		})
	}
}

func nilIfGet(method string) any {
	if method == http.MethodGet {
		return nil
	}
	return `{}`
}

// TestFaultCount: a Count rule hits the next N matching requests only, and
// other routes are untouched.
func TestFaultCount(t *testing.T) {
	ts := NewTestServer(t, WithFaults(Fault{Route: "GetMe", Status: 503, Count: 2}))
	tok := ts.Identities.PlainUser.Token
	assert.Equal(t, http.StatusOK, do(t, ts, req{Method: http.MethodGet, Path: metadataPath}).Status, "other route")
	got := []int{}
	for range 4 {
		got = append(got, meStatus(t, ts, tok))
	}
	assert.Equal(t, []int{503, 503, 200, 200}, got)
	assert.Empty(t, ts.Server.Faults().Rules(), "a spent rule is removed")
}

// TestFaultRate: a seeded random rate injects the same faults in the same
// order on every run, and roughly at the rate asked.
func TestFaultRate(t *testing.T) {
	run := func() []int {
		ts := NewTestServer(t, WithRandSeed(42), WithFaults(Fault{Route: "GetMe", Status: 500, Rate: 0.5}))
		out := []int{}
		for range 40 {
			out = append(out, meStatus(t, ts, ts.Identities.PlainUser.Token))
		}
		return out
	}
	a, b := run(), run()
	assert.Equal(t, a, b, "same seed, same faults")
	fails := 0
	for _, s := range a {
		if s == 500 {
			fails++
		}
	}
	assert.Greater(t, fails, 5)
	assert.Less(t, fails, 35)
}

// TestFaultDrop: the connection is closed before any byte is written.
func TestFaultDrop(t *testing.T) {
	ts := NewTestServer(t, WithFaults(Fault{Route: "GetMe", Drop: true, Count: 1}))
	r, err := http.NewRequestWithContext(context.Background(), http.MethodGet, ts.URL+"/api/v4/users/me", nil)
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+ts.Identities.PlainUser.Token)
	resp, err := ts.Client().Do(r)
	if err == nil {
		resp.Body.Close()
	}
	require.Error(t, err)
	assert.True(t, errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "reset"), err.Error())
	assert.Equal(t, http.StatusOK, meStatus(t, ts, ts.Identities.PlainUser.Token), "count 1: the next request is served")
}

// TestFaultLatencyCancel: a long injected latency ends as soon as the client
// gives up; the handler never runs.
func TestFaultLatencyCancel(t *testing.T) {
	ts := NewTestServer(t, WithFaults(Fault{Route: "CreateOAuthApp", Latency: time.Hour}))
	waiting := make(chan struct{}, 1)
	ts.Server.onLatency = func() { waiting <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/api/v4/oauth/apps", strings.NewReader(`{"name":"late"}`))
		if err != nil {
			done <- err
			return
		}
		r.Header.Set("Authorization", "Bearer "+ts.Identities.OAuthManager.Token)
		resp, err := ts.Client().Do(r)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	<-waiting // the server is inside the injected latency
	cancel()
	err := <-done
	require.ErrorIs(t, err, context.Canceled)
	// Close waits for running handlers: it would block for an hour if the
	// latency ignored the cancellation.
	ts.http.Close()
	assert.Zero(t, ts.Server.mem().appCount(), "the handler never ran")
}

// TestFaultLatencyAdds: a latency rule delays without changing the answer.
func TestFaultLatencyAdds(t *testing.T) {
	ts := NewTestServer(t, WithFaults(Fault{Latency: time.Millisecond}, Fault{Route: "GetMe", Status: 503, Count: 1}))
	assert.Equal(t, http.StatusServiceUnavailable, meStatus(t, ts, ts.Identities.PlainUser.Token))
	assert.Equal(t, http.StatusOK, meStatus(t, ts, ts.Identities.PlainUser.Token))
	assert.Len(t, ts.Server.Faults().Rules(), 1)
	ts.Server.Faults().Clear()
	assert.Empty(t, ts.Server.Faults().Rules())
}

// TestParseFault covers the command-line form and its refusals.
func TestParseFault(t *testing.T) {
	tests := []struct {
		in      string
		want    Fault
		wantErr string
	}{
		{"route=GetOAuthApp,status=503,retry-after=1,count=3", Fault{Route: "GetOAuthApp", Status: 503, RetryAfter: time.Second, Count: 3}, ""},
		{"status=500,rate=0.25", Fault{Status: 500, Rate: 0.25}, ""},
		{"latency=250ms", Fault{Latency: 250 * time.Millisecond}, ""},
		{"route=CreateOAuthApp,drop", Fault{Route: "CreateOAuthApp", Drop: true}, ""},
		{"status=429,retry-after=1500ms", Fault{Status: 429, RetryAfter: 1500 * time.Millisecond}, ""},
		{"status=404", Fault{}, "want 429, 500, 502 or 503"},
		{"route=Nope,status=500", Fault{}, "not an operationId"},
		{"count=3", Fault{}, "does nothing"},
		{"status=500,drop", Fault{}, "cannot both"},
		{"status=500,rate=2", Fault{}, "probability"},
		{"colour=red", Fault{}, "unknown key"},
		{"status=abc", Fault{}, "status"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFault(tt.in)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestPrefer: "Prefer: code=NNN" answers that status with a valid body;
// statuses the operation does not declare, and successes, are ignored.
func TestPrefer(t *testing.T) {
	tests := []struct {
		name     string
		q        req
		prefer   string
		want     int
		wantBody string // "apperror", "dcr", "text"
	}{
		{"404 on get", req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/zzzzzzzzzzzzzzzzzzzzzzzzzz"}, "code=404", 404, "apperror"},
		{"401 even with a session", req{Method: http.MethodGet, Path: "/api/v4/users/me"}, "code=401", 401, "apperror"},
		{"combined preferences", req{Method: http.MethodGet, Path: "/api/v4/users/me"}, "dynamic=true, code=503", 503, "apperror"},
		{"400 on registration is RFC 7591", req{Method: http.MethodPost, Path: registerPath, Body: `{}`}, "code=400", 400, "dcr"},
		{"429", req{Method: http.MethodGet, Path: metadataPath}, "code=429", 429, "text"},
		{"undeclared status ignored", req{Method: http.MethodGet, Path: "/api/v4/users/me"}, "code=404", 200, ""},
		{"success ignored", req{Method: http.MethodGet, Path: "/api/v4/users/me"}, "code=201", 200, ""},
		{"garbage ignored", req{Method: http.MethodGet, Path: "/api/v4/users/me"}, "code=abc", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			tt.q.Token = ts.Identities.PlainUser.Token
			tt.q.Header = map[string]string{"Prefer": tt.prefer}
			r := do(t, ts, tt.q)
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			switch tt.wantBody {
			case "apperror":
				assert.NotEmpty(t, r.appError(t).ID)
			case "dcr":
				assert.Equal(t, "invalid_client_metadata", r.dcrError(t).Error)
			case "text":
				assert.Equal(t, "limit exceeded\n", string(r.Body))
			}
		})
	}
}
