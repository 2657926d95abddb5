package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRawRequestsWaitOutRateLimits: a 429 is sent again after the wait it
// asks for (the server did not act), a second when it gives no hint; a wait
// past maxRateLimitWait, or endless 429s, reach the check.
func TestRawRequestsWaitOutRateLimits(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		limited    int32 // how many 429s before a 200
		wantStatus int
		wantCalls  int32
	}{
		{"short wait", "0", 2, http.StatusOK, 3},
		{"no hint", "", 1, http.StatusOK, 2},
		{"too long", "60", 1, http.StatusTooManyRequests, 1},
		{"gives up", "0", 100, http.StatusTooManyRequests, maxRateLimitRetries + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if calls.Add(1) <= tc.limited {
					if tc.retryAfter != "" {
						w.Header().Set("Retry-After", tc.retryAfter)
					}
					w.Header().Set("Content-Type", "text/plain")
					w.WriteHeader(http.StatusTooManyRequests)
					_, _ = w.Write([]byte("limit exceeded"))
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{}`))
			}))
			t.Cleanup(srv.Close)
			opts := Options{}.withDefaults()
			e, err := newEnv(Target{URL: srv.URL}, &opts, newScrubber())
			require.NoError(t, err)
			r, err := e.do(context.Background(), Anonymous, http.MethodPost, registerPath, contentJSON, []byte(`{}`))
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, r.Status)
			assert.Equal(t, tc.wantCalls, calls.Load())
		})
	}
}

// TestErrorShape: an error id is only accepted in the body it belongs in,
// so a server that sends an RFC 7591 code as an AppError id (or the
// reverse) fails the check that expects it.
func TestErrorShape(t *testing.T) {
	tests := []struct {
		name, id, body string
		fits           bool
	}{
		{"AppError id in an AppError", idInvalidURLParam, `{"id":"` + idInvalidURLParam + `","message":"m"}`, true},
		{"AppError id in an RFC 7591 body", idInvalidURLParam, `{"error":"` + idInvalidURLParam + `"}`, false},
		{"RFC 7591 code in its body", "invalid_client_metadata", `{"error":"invalid_client_metadata","error_description":"d"}`, true},
		{"RFC 7591 code as an AppError id", "invalid_client_metadata", `{"id":"invalid_client_metadata","message":"m"}`, false},
		{"RFC 7591 code in a body that is both", "invalid_client_metadata", `{"error":"invalid_client_metadata","id":"x.y"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &rawResponse{Status: http.StatusBadRequest, Body: []byte(tc.body)}
			assert.Equal(t, tc.fits, r.shapeFits(tc.id))
		})
	}
}

// TestAppErrorStatusMismatch: an AppError whose status_code contradicts the
// HTTP status is reported; an omitted one, another body or another content
// type is not.
func TestAppErrorStatusMismatch(t *testing.T) {
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		report bool
	}{
		{"equal", 404, jsonCT, `{"id":"a.b","status_code":404}`, false},
		{"different", 404, jsonCT, `{"id":"a.b","status_code":400}`, true},
		{"omitted", 404, jsonCT, `{"id":"a.b"}`, false},
		{"not an AppError", 400, jsonCT, `{"error":"invalid_client_metadata","status_code":200}`, false},
		{"not JSON", 429, http.Header{"Content-Type": {"text/plain"}}, `{"id":"a.b","status_code":400}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := appErrorStatusMismatch(tc.status, tc.header, []byte(tc.body))
			assert.Equal(t, tc.report, got != "", got)
		})
	}
}
