package mockserver

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is one fault-injection rule. A rule applies to the requests of its
// route; with Count it applies to the next Count of them, with Rate to each
// with that probability (decided by a generator seeded with WithRandSeed).
// Every rule that applies to a request adds its Latency; the first one with a
// Status, Drop, DropAfter, Truncate or Garbage decides the answer. Injected
// statuses have bodies that match the document (AppError, or plain-text
// "limit exceeded" for 429); DropAfter, Truncate and Garbage break the
// answer on purpose, as a failing network or proxy would, and are exempt
// from response validation.
type Fault struct {
	// Route is an operationId ("GetOAuthApp"); "" or "*" is every operation.
	Route string
	// Status is 429, 500, 502 or 503; 0 for none.
	Status int
	// RetryAfter is sent as Retry-After (whole seconds, rounded up) with a
	// 429 or 503.
	RetryAfter time.Duration
	// Latency delays the answer. The wait ends early when the client goes
	// away (the request's context is done).
	Latency time.Duration
	// Drop closes the connection before any byte of a response is written.
	// Note that Go's http.Transport silently retries an idempotent request
	// whose reused keep-alive connection is closed this way; a fresh
	// connection (or a POST) sees the error.
	Drop bool
	// DropAfter runs the operation (its effects are kept: an app is created,
	// a secret regenerated) and then closes the connection without sending
	// any byte of the answer: the response is lost on the way back, the case
	// where a client must not blindly retry a POST.
	DropAfter bool
	// Truncate sends the answer (the operation's, or Status's) with its full
	// Content-Length but only the first half of its body, then closes the
	// connection.
	Truncate bool
	// Garbage replaces the answer's body (the operation's, or Status's) with
	// an HTML page, as a misbehaving proxy would; status and headers other
	// than Content-Type and Content-Length are kept.
	Garbage bool
	// Count limits the rule to the next Count matching requests; 0 is no limit.
	Count int
	// Rate is the probability, in (0, 1], that a matching request is hit;
	// 0 means always.
	Rate float64
}

// validate refuses rules that would do nothing or that the document cannot
// describe.
func (f Fault) validate() error {
	switch f.Status {
	case 0, http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable:
	default:
		return fmt.Errorf("fault status %d: want 429, 500, 502 or 503", f.Status)
	}
	modes := 0
	for _, on := range []bool{f.Drop, f.DropAfter, f.Truncate, f.Garbage} {
		if on {
			modes++
		}
	}
	switch {
	case f.Status == 0 && modes == 0 && f.Latency <= 0:
		return errors.New("fault does nothing: set a status, drop, drop-after, truncate, garbage or latency")
	case modes > 1:
		return errors.New("fault can only be one of drop, drop-after, truncate and garbage")
	case f.Status != 0 && (f.Drop || f.DropAfter):
		return errors.New("fault cannot both answer a status and drop the connection")
	case f.Latency < 0 || f.RetryAfter < 0 || f.Count < 0:
		return errors.New("fault latency, retry-after and count must not be negative")
	case f.Rate < 0 || f.Rate > 1:
		return fmt.Errorf("fault rate %v: want a probability between 0 and 1", f.Rate)
	}
	if _, ok := operations[f.Route]; !ok && f.Route != "" && f.Route != "*" {
		return fmt.Errorf("fault route %q: not an operationId", f.Route)
	}
	return nil
}

// Faults holds a server's fault rules. It is safe for concurrent use.
type Faults struct {
	mu    sync.Mutex
	rules []*faultRule
	rng   *rand.Rand
}

type faultRule struct {
	Fault
	left int // remaining hits when Count > 0
}

func newFaults(seed int64) *Faults {
	//nolint:gosec // G404: a reproducible choice of which requests fail, not a secret
	return &Faults{rng: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))}
}

// Add appends rules; an invalid rule adds nothing and is reported.
func (f *Faults) Add(rules ...Fault) error {
	for _, r := range rules {
		if err := r.validate(); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rules {
		f.rules = append(f.rules, &faultRule{Fault: r, left: r.Count})
	}
	return nil
}

// Clear removes every rule.
func (f *Faults) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Rules returns the active rules; Count is what is left of each.
func (f *Faults) Rules() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Fault, 0, len(f.rules))
	for _, r := range f.rules {
		x := r.Fault
		if x.Count > 0 {
			x.Count = r.left
		}
		out = append(out, x)
	}
	return out
}

// hit is what the rules decide for one request.
type hit struct {
	latency    time.Duration
	status     int
	retryAfter time.Duration
	drop       bool
	mangle     mangleMode // what happens to the answer once it is written
}

// decide consumes the rules that apply to a request of operation op.
func (f *Faults) decide(op string) hit {
	f.mu.Lock()
	defer f.mu.Unlock()
	var h hit
	decided := false
	kept := f.rules[:0]
	for _, r := range f.rules {
		applies := r.Route == "" || r.Route == "*" || r.Route == op
		if applies && r.Rate > 0 && r.Rate < 1 {
			applies = f.rng.Float64() < r.Rate
		}
		if applies {
			h.latency += r.Latency
			if !decided && (r.Status != 0 || r.Drop || r.mangle() != mangleNone) {
				h.status, h.retryAfter, h.drop, h.mangle, decided = r.Status, r.RetryAfter, r.Drop, r.mangle(), true
			}
			if r.Count > 0 {
				r.left--
				if r.left == 0 {
					continue // spent
				}
			}
		}
		kept = append(kept, r)
	}
	clear(f.rules[len(kept):])
	f.rules = kept
	return h
}

// injectFaults applies the fault rules to the current request. It reports
// whether the request has been answered (or its connection dropped).
func (c *call) injectFaults(ctx context.Context) bool {
	h := c.s.faults.decide(c.op)
	if h.latency > 0 && c.s.onLatency != nil {
		c.s.onLatency()
	}
	if h.latency > 0 && !sleepCtx(ctx, h.latency) {
		// The client is gone: nothing can be delivered any more.
		c.unchecked = true
		return true
	}
	if h.mangle != mangleNone {
		// Everything written from here on is held back and broken when
		// the call ends (finishFaults).
		c.unchecked = true
		c.mangled = newMangler(c.w, h.mangle)
		c.w = c.mangled
	}
	switch {
	case h.drop:
		c.drop()
		return true
	case h.status != 0:
		c.writeSynthetic(h.status, h.retryAfter)
		return true
	}
	return false
}

// sleepCtx waits d or until ctx is done; false when ctx ended the wait.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drop closes the connection without writing a byte: through http.Hijacker
// when the writer supports it, else by aborting the handler, which makes
// net/http close the connection without a response.
func (c *call) drop() {
	c.unchecked = true
	if hj, ok := c.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// ParseFault reads a rule from its command-line form: comma-separated
// key=value pairs, e.g. "route=GetOAuthApp,status=503,retry-after=1,count=3",
// "rate=0.2,status=500", "latency=250ms", "route=CreateOAuthApp,drop",
// "route=CreateOAuthApp,drop-after", "status=502,garbage".
// Keys: route, status, retry-after (seconds or a duration), latency
// (a duration), drop, drop-after, truncate, garbage (flags: alone or
// =true/false), count, rate.
func ParseFault(s string) (Fault, error) {
	var f Fault
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, value, _ := strings.Cut(part, "=")
		var err error
		switch strings.ToLower(key) {
		case "route", "op", "operation":
			f.Route = value
		case "status":
			f.Status, err = strconv.Atoi(value)
		case "retry-after", "retry_after":
			f.RetryAfter, err = parseSecondsOrDuration(value)
		case "latency", "delay":
			f.Latency, err = time.ParseDuration(value)
		case "drop":
			f.Drop, err = parseFlag(value)
		case "drop-after", "drop_after":
			f.DropAfter, err = parseFlag(value)
		case "truncate":
			f.Truncate, err = parseFlag(value)
		case "garbage":
			f.Garbage, err = parseFlag(value)
		case "count":
			f.Count, err = strconv.Atoi(value)
		case "rate":
			f.Rate, err = strconv.ParseFloat(value, 64)
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown key %q (want route, status, retry-after, latency, drop, drop-after, truncate, garbage, count, rate)", s, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %w", s, key, err)
		}
	}
	if err := f.validate(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return f, nil
}

// parseFlag reads a flag key: alone ("drop") or with a boolean value.
func parseFlag(v string) (bool, error) {
	if v == "" {
		return true, nil
	}
	return strconv.ParseBool(v)
}

func parseSecondsOrDuration(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	return time.ParseDuration(v)
}
