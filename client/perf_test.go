package client

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the allocation savings measured by bench_test.go: they must not
// change what the client reads or reports.

// TestReadCappedTrustsTheHintOnlyForSizing: the announced length only sizes
// the first buffer; the bytes read and the too-large verdict depend on the
// body alone, whatever the hint says.
func TestReadCappedTrustsTheHintOnlyForSizing(t *testing.T) {
	const limit = 100
	tests := []struct {
		name     string
		body     string
		hint     int64
		want     string
		tooLarge bool
	}{
		{"unknown length", "hello", -1, "hello", false},
		{"exact length", "hello", 5, "hello", false},
		{"hint too small", "hello world", 3, "hello world", false},
		{"hint too large", "hi", 90, "hi", false},
		{"hint beyond the limit", "hi", 1 << 40, "hi", false},
		{"empty body", "", 0, "", false},
		{"exactly the limit", strings.Repeat("a", limit), limit, strings.Repeat("a", limit), false},
		{"over the limit", strings.Repeat("b", limit+7), -1, strings.Repeat("b", limit), true},
		{"over the limit, lying hint", strings.Repeat("c", 3*limit), 10, strings.Repeat("c", limit), true},
		{"grows past 512 bytes", strings.Repeat("d", 1500), -1, strings.Repeat("d", 1500)[:limit], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, tooLarge, err := readCapped(iotest.HalfReader(strings.NewReader(tt.body)), limit, tt.hint)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(got))
			assert.Equal(t, tt.tooLarge, tooLarge)
		})
	}
}

func TestReadCappedLargeBodyUnderTheLimit(t *testing.T) {
	t.Parallel()
	body := bytes.Repeat([]byte("x"), 70_000)
	got, tooLarge, err := readCapped(bytes.NewReader(body), MaxResponseBytes, -1)
	require.NoError(t, err)
	assert.False(t, tooLarge)
	assert.Equal(t, body, got)
}

func TestReadCappedKeepsWhatCameBeforeAnError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	got, tooLarge, err := readCapped(io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom)), 100, 50)
	require.ErrorIs(t, err, boom)
	assert.False(t, tooLarge)
	assert.Equal(t, "partial", string(got))
}

// TestRateLimitHeadersAnySpelling: the canonical constants find the headers
// however the server spelled them, as http.Header.Get did.
func TestRateLimitHeadersAnySpelling(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("x-ratelimit-limit", "10")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RATELIMIT-RESET", "3")
	rl := parseRateLimit(h, time.Now())
	assert.Equal(t, RateLimit{Known: true, Limit: 10, Remaining: 0, Reset: 3e9, ResetKnown: true}, rl)
	assert.Equal(t, RateLimit{}, parseRateLimit(http.Header{}, time.Now()))
	h.Set("X-RateLimit-Limit", " x")
	assert.Equal(t, RateLimit{Reset: 3e9, ResetKnown: true}, parseRateLimit(h, time.Now()))
}

// TestPooledCallsStartClean: a recycled call carries nothing of the call
// before it (attempts, last error, credential, client).
func TestPooledCallsStartClean(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{{status: http.StatusServiceUnavailable, body: "{}"}, {status: http.StatusOK, body: appJSON}})
	_, resp, err := f.c.GetOAuthApp(t.Context(), appID)
	require.NoError(t, err)
	assert.Equal(t, 2, resp.Attempts)

	st := newCall(f.c.WithToken(""), http.MethodPost, "/other", "")
	defer st.release()
	assert.Equal(t, 0, st.attempt)
	assert.Nil(t, st.last)
	assert.Nil(t, st.wire)
	assert.Empty(t, st.secret)
	assert.Equal(t, "/other", st.path)
	assert.False(t, st.idempotent)
	assert.Same(t, f.c.hc, st.retryClient().HTTPClient)
	assert.Equal(t, f.c.policy.MaxAttempts-1, st.retryClient().RetryMax)
	assert.Nil(t, st.retryClient().Logger)
}
