package conformance

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmoauth/mmoauth/client"
)

// Rate limiting. With RateLimitSettings.Enable, Mattermost limits the
// registration endpoint to 2 requests a second with a burst of 1 per client
// address (server/channels/api4/oauth.go, the limiter of registerOAuthClient;
// seen on Mattermost 11.6), and its global limiter can answer 429 anywhere.
// A 429 means the server did not act, so the suite's transport waits as the
// answer asks (Retry-After, else X-RateLimit-Reset) and sends the request
// again, and it sends registrations one at a time, so that a rate-limited
// server gives no failure at any concurrency. Only when the waits for one
// request would pass maxRateLimitWait does the 429 reach the check, which
// then fails saying "rate limited".

// maxRateLimitWait bounds the rate-limit waits of one request.
const maxRateLimitWait = 30 * time.Second

// noHintWait is the wait after a 429 that gives no hint; minRateLimitWait
// the least wait after any (a server that asks for none is not hammered);
// maxRateLimitRetries bounds the retries of one request.
const (
	noHintWait          = time.Second
	minRateLimitWait    = 50 * time.Millisecond
	maxRateLimitRetries = 10
)

// rateGate is the http.RoundTripper under the recorder. It also bounds each
// attempt (not the waits between them) by the request timeout, answer body
// included.
type rateGate struct {
	next     http.RoundTripper
	timeout  time.Duration
	basePath string
	now      func() time.Time

	register  sync.Mutex // held while a registration is in flight
	mu        sync.Mutex
	notBefore map[string]time.Time // route class -> earliest next send
	waits     atomic.Int64         // 429s waited out
}

func newRateGate(next http.RoundTripper, timeout time.Duration, basePath string) *rateGate {
	return &rateGate{next: next, timeout: timeout, basePath: basePath, now: time.Now, notBefore: map[string]time.Time{}}
}

// class is the limiter a request falls under: the registration endpoint's
// own, or the server-wide one.
func (g *rateGate) class(req *http.Request) string {
	if req.Method == http.MethodPost && strings.TrimPrefix(req.URL.Path, g.basePath) == registerPath {
		return "register"
	}
	return ""
}

// RoundTrip implements http.RoundTripper.
func (g *rateGate) RoundTrip(req *http.Request) (*http.Response, error) {
	class := g.class(req)
	if class == "register" {
		g.register.Lock()
		defer g.register.Unlock()
	}
	var waited time.Duration
	for retries := 0; ; retries++ {
		if err := g.waitTurn(req.Context(), class); err != nil {
			return nil, err
		}
		resp, err := g.attempt(req)
		if err != nil || resp.StatusCode != http.StatusTooManyRequests || req.GetBody == nil && req.Body != nil && req.Body != http.NoBody {
			return resp, err
		}
		wait, ok := client.ServerWait(resp.Header, g.now())
		if !ok {
			wait = noHintWait
		}
		wait = max(wait, minRateLimitWait)
		if waited+wait > maxRateLimitWait || retries == maxRateLimitRetries {
			return resp, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
		_ = resp.Body.Close()
		g.mu.Lock()
		if until := g.now().Add(wait); until.After(g.notBefore[class]) {
			g.notBefore[class] = until
		}
		g.mu.Unlock()
		waited += wait
		g.waits.Add(1)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// waitTurn sleeps until the class's limiter allows the next request.
func (g *rateGate) waitTurn(ctx context.Context, class string) error {
	g.mu.Lock()
	until := g.notBefore[class]
	g.mu.Unlock()
	d := until.Sub(g.now())
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// attempt sends req once within the request timeout, which keeps running
// until the answer's body is closed.
func (g *rateGate) attempt(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), g.timeout)
	resp, err := g.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
