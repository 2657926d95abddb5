package client

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Response is what the server said besides the body. It is returned whenever
// an HTTP answer arrived, also together with an error.
type Response struct {
	StatusCode    int
	Header        http.Header
	RequestID     string // X-Request-Id
	ServerVersion string // X-Version-Id
	Etag          string // Etag
	RateLimit     RateLimit
	// RetryAfter is the Retry-After header (delta-seconds or HTTP-date),
	// 0 when absent.
	RetryAfter time.Duration
	// Attempts is how many attempts the call made (1 without retries).
	Attempts int
}

// RateLimit holds the X-RateLimit-* headers Mattermost's rate limiter sends
// (app/ratelimit.go, copied from throttled's http.go).
type RateLimit struct {
	// Known reports whether X-RateLimit-Limit and X-RateLimit-Remaining were
	// both present and numeric; Limit and Remaining are 0 otherwise.
	Known     bool
	Limit     int
	Remaining int
	// Reset is the time until the quota is fully replenished. Mattermost sends
	// X-RateLimit-Reset as whole seconds until the reset (ceil of throttled's
	// ResetAfter), not as a Unix time. A value of 10⁹ or more would be an
	// absurd delay but is a plausible Unix time, so such values are read as
	// Unix seconds (as GitHub and others send it) and converted to a delay.
	Reset time.Duration
	// ResetKnown reports whether X-RateLimit-Reset was present and numeric.
	ResetKnown bool
}

// unixTimeThreshold separates delta-seconds from Unix seconds in
// X-RateLimit-Reset: 10⁹ seconds is 31 years as a delay and 2001 as a date.
const unixTimeThreshold = 1_000_000_000

func newResponse(r *http.Response, attempts int, now time.Time) *Response {
	h := r.Header
	return &Response{
		StatusCode:    r.StatusCode,
		Header:        h,
		RequestID:     h.Get("X-Request-Id"),
		ServerVersion: h.Get("X-Version-Id"),
		Etag:          h.Get("Etag"),
		RateLimit:     parseRateLimit(h, now),
		RetryAfter:    parseRetryAfter(h, now),
		Attempts:      attempts,
	}
}

// The rate-limit headers in canonical form (textproto.CanonicalMIMEHeaderKey),
// so that looking them up allocates nothing; they match any spelling the
// server sends, since received header names are canonicalised.
const (
	headerRateLimitLimit     = "X-Ratelimit-Limit"
	headerRateLimitRemaining = "X-Ratelimit-Remaining"
	headerRateLimitReset     = "X-Ratelimit-Reset"
)

func parseRateLimit(h http.Header, now time.Time) RateLimit {
	var rl RateLimit
	// Absent headers (the common case) are skipped before strconv, whose
	// errors allocate: every answer goes through here.
	limitS, remainingS := h.Get(headerRateLimitLimit), h.Get(headerRateLimitRemaining)
	if limitS != "" && remainingS != "" {
		limit, errL := strconv.Atoi(strings.TrimSpace(limitS))
		remaining, errR := strconv.Atoi(strings.TrimSpace(remainingS))
		if errL == nil && errR == nil {
			rl.Known, rl.Limit, rl.Remaining = true, limit, remaining
		}
	}
	resetS := h.Get(headerRateLimitReset)
	if resetS == "" {
		return rl
	}
	if reset, err := strconv.ParseInt(strings.TrimSpace(resetS), 10, 64); err == nil && reset >= 0 {
		rl.ResetKnown = true
		if reset >= unixTimeThreshold {
			rl.Reset = max(time.Unix(reset, 0).Sub(now), 0)
		} else {
			rl.Reset = time.Duration(reset) * time.Second
		}
	}
	return rl
}

// parseRetryAfter reads Retry-After as delta-seconds or an HTTP-date
// (RFC 9110 §10.2.3); a date in the past means 0. Absent or malformed: 0.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	d, _ := retryAfter(h, now)
	return d
}

func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > math.MaxInt64/int64(time.Second) {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(secs) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// ServerWait is the wait a server asked for with a 429 or 503 answer's
// headers: Retry-After (delta-seconds or HTTP-date), else X-RateLimit-Reset
// when the quota is exhausted. ok is false when the headers give no usable
// hint. It is the rule the client's own retries follow, for callers that
// pace requests themselves.
func ServerWait(h http.Header, now time.Time) (wait time.Duration, ok bool) {
	return serverWait(h, now)
}

// serverWait is the wait the server asked for on a 429 or 503: Retry-After
// when present, else X-RateLimit-Reset when the quota is exhausted (or its
// state unknown). ok is false when the server gave no usable hint.
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if d, ok := retryAfter(h, now); ok {
		return d, true
	}
	rl := parseRateLimit(h, now)
	if rl.ResetKnown && (!rl.Known || rl.Remaining <= 0) {
		return rl.Reset, true
	}
	return 0, false
}
