package client

import (
	"errors"
	"math/rand/v2"
	"time"
)

// RetryPolicy bounds the retries of one call. Which failures are retried is
// fixed, because it follows from what is safe (docs/ARCHITECTURE.md "Retry policy"):
//
//   - 429 and 503, for every method: the server did not act on the request.
//     The wait is the server's Retry-After (delta-seconds or HTTP-date,
//     RFC 9110 §10.2.3) or, without it, X-RateLimit-Reset when no requests
//     remain (see RateLimit.Reset); otherwise the backoff below.
//   - Other 5xx except 501, and transport errors, for idempotent methods only
//     (GET, PUT, DELETE; also HEAD and OPTIONS, which this client never
//     sends; RFC 9110 §9.2.2).
//   - A POST after a transport error only when the connection failed before
//     any of the request was written: the error chain holds a dialer error
//     (*net.OpError with Op "dial": refused, unreachable, DNS, dial timeout)
//     and the request's httptrace never reported WroteHeaders. A POST that
//     was (or may have been) written is never retried, so a create,
//     registration or secret regeneration is never duplicated.
//   - Never: 501, other statuses, context cancellation, TLS certificate
//     errors.
//
// Waits without a server hint use full-jitter exponential backoff (uniform in
// [0, min(MaxWait, MinWait·2^(n-1))] before retry n). A server hint longer
// than MaxRetryAfter is not waited for: the call returns the 429/503 as an
// *Error whose RetryAfter tells the caller how long the server asked for
// (retrying earlier would only be refused again). A wait that would end after
// the context deadline is not started: the call returns at once with an
// error matching context.DeadlineExceeded that wraps the last *Error or
// transport error.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts, the first included (≥ 1).
	MaxAttempts int
	// MinWait is the first backoff ceiling; MaxWait caps every backoff ceiling.
	MinWait, MaxWait time.Duration
	// MaxRetryAfter is the longest server-requested wait (Retry-After,
	// X-RateLimit-Reset) the client will sleep through.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy is 4 attempts, backoff ceilings from 250 ms up to 5 s,
// and server-requested waits of up to 30 s (Mattermost's rate limiter asks
// for whole seconds: app/ratelimit.go rounds up).
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 4, MinWait: 250 * time.Millisecond, MaxWait: 5 * time.Second, MaxRetryAfter: 30 * time.Second}
}

// NoRetry sends every request exactly once.
func NoRetry() RetryPolicy {
	return RetryPolicy{MaxAttempts: 1}
}

func (p RetryPolicy) validate() error {
	switch {
	case p.MaxAttempts < 1:
		return errors.New("mmoauth: RetryPolicy.MaxAttempts must be at least 1")
	case p.MinWait < 0 || p.MaxWait < 0 || p.MaxRetryAfter < 0:
		return errors.New("mmoauth: RetryPolicy durations must not be negative")
	case p.MaxWait < p.MinWait:
		return errors.New("mmoauth: RetryPolicy.MaxWait must not be less than MinWait")
	}
	return nil
}

// backoffCeiling is min(MaxWait, MinWait·2^(retry-1)) for retry ≥ 1,
// computed without overflow.
func (p RetryPolicy) backoffCeiling(retry int) time.Duration {
	ceiling := p.MinWait
	for i := 1; i < retry && ceiling < p.MaxWait; i++ {
		if ceiling > p.MaxWait/2 {
			return p.MaxWait
		}
		ceiling *= 2
	}
	return min(ceiling, p.MaxWait)
}

// clock holds the time and randomness the retry policy uses, so tests can
// make waits deterministic and tiny without sleeping.
type clock struct {
	now func() time.Time
	// jitter returns a uniform duration in [0, ceiling].
	jitter func(ceiling time.Duration) time.Duration
	// sleep maps a decided wait to the time actually slept (identity outside tests).
	sleep func(time.Duration) time.Duration
}

var systemClock = &clock{
	now: time.Now,
	jitter: func(ceiling time.Duration) time.Duration {
		if ceiling <= 0 {
			return 0
		}
		return time.Duration(rand.Int64N(int64(ceiling) + 1)) //nolint:gosec // backoff jitter needs no cryptographic randomness
	},
	sleep: func(d time.Duration) time.Duration { return d },
}
