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

// TestRawRequestsWaitOutRateLimits: a 429 with a short Retry-After is sent
// again (the server did not act); a long one is returned as is.
func TestRawRequestsWaitOutRateLimits(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		limited    int32 // how many 429s before a 200
		wantStatus int
		wantCalls  int32
	}{
		{"short wait", "0", 2, http.StatusOK, 3},
		{"no hint", "", 1, http.StatusTooManyRequests, 1},
		{"too long", "60", 1, http.StatusTooManyRequests, 1},
		{"gives up", "0", 10, http.StatusTooManyRequests, rawAttempts},
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
