package mockserver

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// dcrLimiter is the registration endpoint's limiter: the GCRA of
// throttled/throttled that Mattermost configures with PerSec 2, MaxBurst 1
// (api4/oauth.go), keyed by the client's address (RateLimitSettings
// VaryByRemoteAddr, app/ratelimit.go). Its clock is the server's, so tests
// control it.
type dcrLimiter struct {
	mu  sync.Mutex
	tat map[string]time.Time // theoretical arrival time per key
}

const (
	dcrEmission = time.Second / 2        // PerSec 2
	dcrBurst    = 1                      // MaxBurst 1
	dcrTau      = dcrBurst * dcrEmission // delay variation tolerance
	dcrLimit    = dcrBurst + 1           // X-RateLimit-Limit
)

// limitResult is throttled.RateLimitResult.
type limitResult struct {
	limited    bool
	remaining  int
	resetAfter time.Duration
	retryAfter time.Duration // -1 when not limited
}

func newDCRLimiter() *dcrLimiter { return &dcrLimiter{tat: map[string]time.Time{}} }

// take spends one request for key at now.
func (l *dcrLimiter) take(key string, now time.Time) limitResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(dcrEmission)
	allowAt := newTAT.Add(-dcrTau - dcrEmission)
	if now.Before(allowAt) {
		diff := tat.Sub(now)
		return limitResult{limited: true, remaining: 0, resetAfter: diff, retryAfter: allowAt.Sub(now)}
	}
	l.tat[key] = newTAT
	ttl := newTAT.Sub(now)
	remaining := int((dcrTau + dcrEmission - ttl) / dcrEmission)
	return limitResult{remaining: max(remaining, 0), resetAfter: ttl, retryAfter: -1}
}

// setHeaders writes the X-RateLimit-* headers (and Retry-After when limited)
// as app/ratelimit.go setRateLimitHeaders does, rounding durations up to
// whole seconds.
func (r limitResult) setHeaders(h http.Header) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(dcrLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(r.remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil(r.resetAfter.Seconds()))))
	if r.retryAfter >= 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(r.retryAfter.Seconds()))))
	}
}

// clientKey is the remote IP without the port.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
