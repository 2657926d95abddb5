package client

import (
	"bytes"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/require"
)

const (
	testBase  = "http://mm.test"
	testToken = "tok3nvalu3xyzabcdefghijklm"    // 26 characters, like a Mattermost token
	appID     = "abcdefghijklmnopqrstuvwxyz"    // a valid 26-character id
	userID    = "zyxwvutsrqponmlkjihgfedcba"    // another valid id
	secretVal = "s3cr3tsecretsecretsecret00"    // a client secret that must never print
	bigWait   = time.Hour                       // longer than any test may sleep
	fixedNow  = "Wed, 21 Oct 2026 07:28:00 GMT" // the fake clock, as an HTTP-date
)

// exchange is one request as the transport saw it.
type exchange struct {
	Method   string
	Path     string // escaped
	RawQuery string
	Header   http.Header
	Body     []byte
}

// reply scripts one answer of the fake transport.
type reply struct {
	status int
	header http.Header
	body   string
	err    error  // a transport error instead of an answer
	before func() // runs before answering
}

// script is a catch-all httpmock responder: it records every request and
// answers with the scripted replies in order, repeating the last one.
type script struct {
	mu      sync.Mutex
	seen    []exchange
	replies []reply
}

func (s *script) respond(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, exchange{req.Method, req.URL.EscapedPath(), req.URL.RawQuery, req.Header.Clone(), body})
	r := reply{status: http.StatusOK, body: "{}"}
	if len(s.replies) > 0 {
		r = s.replies[0]
		if len(s.replies) > 1 {
			s.replies = s.replies[1:]
		}
	}
	if r.before != nil {
		r.before()
	}
	if r.err != nil {
		return nil, r.err
	}
	resp := httpmock.NewStringResponse(r.status, r.body)
	resp.Request = req
	for k, v := range r.header {
		resp.Header[k] = v
	}
	if resp.Header.Get("Content-Type") == "" {
		resp.Header.Set("Content-Type", "application/json")
	}
	return resp, nil
}

func (s *script) requests() []exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]exchange(nil), s.seen...)
}

// waits records the waits the retry policy decided; nothing really sleeps.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// testClock makes the retry policy deterministic: jitter returns its
// ceiling, now is fixedNow, and sleep records the wait and returns 0.
func testClock(w *waits) *clock {
	now, _ := http.ParseTime(fixedNow)
	return &clock{
		now:    func() time.Time { return now },
		jitter: func(ceiling time.Duration) time.Duration { return ceiling },
		sleep: func(d time.Duration) time.Duration {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.d = append(w.d, d)
			return 0
		},
	}
}

// tinyPolicy retries with microsecond backoff ceilings.
func tinyPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinWait: time.Microsecond, MaxWait: 8 * time.Microsecond, MaxRetryAfter: 10 * time.Second}
}

type fixture struct {
	c     *Client
	s     *script
	waits *waits
}

// newFixture returns a client whose own *http.Client goes to a fresh
// httpmock transport scripted with replies. Default options: testToken and
// tinyPolicy; opts come after them.
func newFixture(t *testing.T, replies []reply, opts ...Option) *fixture {
	t.Helper()
	s := &script{replies: replies}
	mt := httpmock.NewMockTransport()
	mt.RegisterNoResponder(s.respond)
	hc := &http.Client{Transport: mt}
	all := append([]Option{WithToken(testToken), WithRetryPolicy(tinyPolicy()), WithHTTPClient(hc)}, opts...)
	c, err := New(testBase, all...)
	require.NoError(t, err)
	w := &waits{}
	c.clock = testClock(w)
	return &fixture{c: c, s: s, waits: w}
}

// debugLog returns a logger writing text records at debug level into buf.
func debugLog() (*slog.Logger, *syncBuffer) {
	buf := &syncBuffer{}
	return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})), buf
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var url0 = url.URL{Scheme: "http", Host: "h"}

// assertNoSecret fails if s contains any of the secrets, without dumping s.
func assertNoSecret(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	if len(secrets) == 0 {
		secrets = []string{testToken, secretVal}
	}
	for _, sec := range secrets {
		if i := strings.Index(s, sec); i >= 0 {
			t.Errorf("%s reveals a secret at byte %d: ...%s...", what, i, s[max(0, i-20):i])
		}
	}
}

// io_Copy drains a request body.
func io_Copy(r *http.Request) (int64, error) { return io.Copy(io.Discard, r.Body) }

// quietLog discards a test server's log output.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
