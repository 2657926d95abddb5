package loadgen

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingServer answers 201 to POST /ok (echoing nothing) and 500 to
// everything else, and records what it received.
type recordingServer struct {
	mu     sync.Mutex
	bodies []string
	auth   []string
	conns  map[string]bool
}

func (s *recordingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.bodies = append(s.bodies, string(b))
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	s.conns[r.RemoteAddr] = true
	s.mu.Unlock()
	if r.URL.Path == "/ok" && r.URL.RawQuery == "a=1" {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("done"))
		return
	}
	http.Error(w, "no", http.StatusInternalServerError)
}

func TestRunCountsEveryAnswerOnKeepAliveConnections(t *testing.T) {
	t.Parallel()
	rs := &recordingServer{conns: map[string]bool{}}
	srv := httptest.NewServer(rs)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	tests := []struct {
		name       string
		path       string
		status     int
		wantErrors bool
	}{
		{"expected status", "/ok?a=1", http.StatusCreated, false},
		{"any 2xx", "/ok?a=1", 0, false},
		{"wrong status", "/nope", http.StatusCreated, true},
		{"5xx without a status", "/nope", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rq := Request{Method: http.MethodPost, Path: tt.path, Body: []byte(`{"x":1}`),
				Header: http.Header{"Authorization": {"Bearer t"}}, Status: tt.status}
			res, err := Run(t.Context(), Options{Addr: addr, Concurrency: 3, Count: 5}, rq)
			require.NoError(t, err)
			if tt.wantErrors {
				assert.Equal(t, 15, res.Errors)
				assert.Contains(t, res.FirstError, "status 500")
				assert.Zero(t, res.Requests)
				return
			}
			assert.Zero(t, res.Errors, res.FirstError)
			assert.Equal(t, 15, res.Requests)
			assert.Positive(t, res.Throughput)
			assert.LessOrEqual(t, res.P50, res.P99)
			assert.LessOrEqual(t, res.P99, res.Max)
		})
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	assert.Len(t, rs.bodies, 60)
	for i := range rs.bodies {
		assert.Equal(t, `{"x":1}`, rs.bodies[i])
		assert.Equal(t, "Bearer t", rs.auth[i])
	}
	// 4 runs × 3 workers, one connection each (plus a probe per run that
	// sends nothing): keep-alive held.
	assert.Len(t, rs.conns, 12)
}

func TestRunRefusesAnUnreachableTarget(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	_, err := Run(t.Context(), Options{Addr: addr, Concurrency: 1, Count: 1}, Request{Method: http.MethodGet, Path: "/"})
	require.Error(t, err)
	_, err = Run(t.Context(), Options{Addr: addr}, Request{Method: http.MethodGet, Path: "/"})
	require.Error(t, err)
}

func TestRunForADuration(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	t.Cleanup(srv.Close)
	res, err := Run(t.Context(), Options{Addr: strings.TrimPrefix(srv.URL, "http://"), Concurrency: 2, Duration: 20 * time.Millisecond},
		Request{Method: http.MethodGet, Path: "/"})
	require.NoError(t, err)
	assert.Zero(t, res.Errors, res.FirstError)
	assert.Equal(t, 20*time.Millisecond, res.Elapsed)
	assert.Positive(t, res.Requests)
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of four", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of 100", ms(seq(100)...), 99, 99 * time.Millisecond},
		{"p99 of 1000", ms(seq(1000)...), 99, 990 * time.Millisecond},
		{"p100", ms(1, 2, 3), 100, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Percentile(tt.sorted, tt.p))
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestEncodeIsAKeepAliveHTTP11Request(t *testing.T) {
	t.Parallel()
	b, err := Encode(t.Context(), Request{Method: http.MethodPost, Path: "/p?q=1", Body: []byte("abc"),
		Header: http.Header{"Content-Type": {"application/json"}}}, "127.0.0.1:1")
	require.NoError(t, err)
	s := string(b)
	assert.True(t, strings.HasPrefix(s, "POST /p?q=1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\n"), s)
	assert.Contains(t, s, "Content-Length: 3\r\n")
	assert.Contains(t, s, "Content-Type: application/json\r\n")
	assert.NotContains(t, s, "Connection: close")
	assert.True(t, strings.HasSuffix(s, "\r\n\r\nabc"), s)
}

func TestMerge(t *testing.T) {
	t.Parallel()
	a := Result{Requests: 2, Elapsed: time.Second, Latencies: []time.Duration{1, 4}, FirstError: ""}
	b := Result{Requests: 3, Errors: 1, FirstError: "boom", Elapsed: time.Second, Latencies: []time.Duration{2, 3, 100}}
	m := Merge(a, b)
	assert.Equal(t, 5, m.Requests)
	assert.Equal(t, 1, m.Errors)
	assert.Equal(t, "boom", m.FirstError)
	assert.Equal(t, 2*time.Second, m.Elapsed)
	assert.InDelta(t, 2.5, m.Throughput, 1e-9)
	assert.Equal(t, []time.Duration{1, 2, 3, 4, 100}, m.Latencies)
	assert.Equal(t, time.Duration(3), m.P50)
	assert.Equal(t, time.Duration(100), m.P99)
	assert.Equal(t, time.Duration(100), m.Max)
	assert.Equal(t, Result{}, Merge())
}
