package mockserver

import (
	"net/http"
	"time"
)

// Option configures a Server.
type Option func(*options)

type options struct {
	config      Config
	users       []User
	seed        *Seed
	onResponse  func(error)
	deviations  []Deviation
	faults      []Fault
	clock       func() time.Time
	randSeed    int64
	randSeedSet bool
	statePath   string
	storeURL    string
	limits      *ServerLimits                   // Listen's; nil: DefaultServerLimits
	middleware  func(http.Handler) http.Handler // Listen's; nil: none
}

// WithConfig replaces the default settings (DefaultConfig).
func WithConfig(c Config) Option {
	return func(o *options) { o.config = c.clone() }
}

// WithUsers replaces the default identities with users. Missing ids and
// tokens are generated; Server.Identities picks the matrix roles out of them.
func WithUsers(users []User) Option {
	return func(o *options) { o.users = append([]User(nil), users...) }
}

// WithSeed applies a seed file: its users replace the default identities and
// its config keys override the settings given so far.
func WithSeed(s Seed) Option {
	return func(o *options) { o.seed = &s }
}

// WithResponseValidation validates every response the server writes against
// the OpenAPI document and calls report with each mismatch (a *spec
// ResponseError wrapped with the method and path). Tests pass a function
// that fails the test; NewTestServer turns it on by default.
func WithResponseValidation(report func(error)) Option {
	return func(o *options) { o.onResponse = report }
}

// WithDeviations makes the server break the named rules on purpose (see
// Deviation).
func WithDeviations(d ...Deviation) Option {
	return func(o *options) { o.deviations = append(o.deviations, d...) }
}

// WithFaults installs fault rules at start; Server.Faults adds more later.
func WithFaults(f ...Fault) Option {
	return func(o *options) { o.faults = append(o.faults, f...) }
}

// WithClock replaces time.Now: code expiry (600 s), token lifetimes,
// create_at/update_at and the registration rate limiter all read it, so
// tests can move time without sleeping.
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.clock = now }
}

// WithRandSeed seeds the generator that decides random-rate faults, so a
// run with the same seed and the same request order injects the same faults.
func WithRandSeed(seed int64) Option {
	return func(o *options) { o.randSeed, o.randSeedSet = seed, true }
}
