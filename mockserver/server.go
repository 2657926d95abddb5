package mockserver

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/spec"
)

// Server is the mock Mattermost: an http.Handler that serves the operations
// of the project's OpenAPI document with the real server's behaviour
// (docs/RULES.md), from in-memory state. It is safe for
// concurrent use.
type Server struct {
	validator *spec.Validator
	store     stateStore
	// personal are the sessions of the seeded users' tokens: they come
	// from the options at every start and are no part of the state.
	personal   map[secretKey]session
	faults     *Faults
	limiter    *dcrLimiter
	now        func() time.Time
	dev        deviations
	onResponse func(error)
	started    int64 // ms; create_at of the seeded users
	// onLatency, when set (tests only), is called as an injected latency
	// starts, so a test can cancel the request at the right moment.
	onLatency func()
	// skipRequestValidation (benchmarks only, bench_test.go) bypasses request
	// validation, to measure what it costs; handlers then see every body as
	// the JSON decoder does.
	skipRequestValidation bool
	// encodings caches the JSON of listed apps (encodings.go).
	encodings appEncodings

	closeOnce sync.Once
	closeErr  error

	mu  sync.RWMutex
	cfg Config
	// rules are the rules of cfg's release with dev applied (rules.go),
	// rebuilt only when the release changes.
	rules    *rules
	users    []User
	accounts map[string]*account // by user id
	ident    Identities
}

// account is a seeded user with its resolved permissions.
type account struct {
	User
	perms map[string]bool
}

func (a *account) can(permission string) bool { return a != nil && a.perms[permission] }

// New builds a server. Without options it behaves like a stock server
// (DefaultConfig) with the default identities (DefaultUsers). With
// WithStateFile or WithStore it opens the store, which the caller releases
// with Close.
func New(opts ...Option) (*Server, error) {
	// No context to inherit: opening a database is bounded by its own
	// timeout (pgConnectTimeout).
	return newServer(context.Background(), opts...)
}

// newServer is New with the context that bounds opening the store.
func newServer(ctx context.Context, opts ...Option) (*Server, error) {
	o := options{config: DefaultConfig(), clock: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	users := DefaultUsers()
	if o.users != nil {
		users = o.users
	}
	if o.seed != nil {
		if len(o.seed.Users) > 0 {
			users = o.seed.Users
		}
		o.seed.Config.Apply(&o.config)
	}
	users, err := checkUsers(users)
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	v, err := spec.NewValidator()
	if err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	dev := deviations{}
	for _, d := range o.deviations {
		if _, err := ParseDeviation(string(d)); err != nil {
			return nil, fmt.Errorf("mockserver: %w", err)
		}
		dev[d] = true
	}
	seed := o.randSeed
	if !o.randSeedSet {
		seed = rand.Int64() //nolint:gosec // G404: picks which requests get injected faults, not a secret
	}
	s := &Server{
		validator:  v,
		personal:   map[secretKey]session{},
		faults:     newFaults(seed),
		limiter:    newDCRLimiter(),
		now:        o.clock,
		dev:        dev,
		onResponse: o.onResponse,
		started:    o.clock().UnixMilli(),
		cfg:        o.config.clone(),
		rules:      buildRules(o.config.emulated(), dev),
		users:      users,
		accounts:   map[string]*account{},
		ident:      identitiesOf(users),
	}
	for _, u := range users {
		s.accounts[u.ID] = &account{User: u, perms: u.permissionSet()}
		s.personal[keyOf(u.Token)] = session{Token: u.Token, UserID: u.ID}
	}
	if err := s.faults.Add(o.faults...); err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	// Last, so that nothing above can fail with the store open.
	if s.store, err = openStore(ctx, &o); err != nil {
		return nil, fmt.Errorf("mockserver: %w", err)
	}
	return s, nil
}

// Close releases the server's store: the state file and its lock, or the
// database connections. Call it once the server serves no more requests;
// the in-memory store needs no Close.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.store.close() })
	return s.closeErr
}

// sessionFor finds the session of a bearer token: a seeded user's, or one
// the state holds (constant-time confirm after a hashed lookup).
func (c *call) sessionFor(token string) (session, bool) {
	if sess, ok := c.s.personal[keyOf(token)]; ok && secretEqual(sess.Token, token) {
		return sess, true
	}
	return c.st.sessionFor(token)
}

// Config returns a copy of the current settings.
func (s *Server) Config() Config {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.clone()
}

// UpdateConfig changes the settings, as an administrator saving the System
// Console would; requests already running keep the settings they started with.
func (s *Server) UpdateConfig(update func(*Config)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.cfg.clone()
	update(&c)
	if c.emulated() != s.cfg.emulated() {
		s.rules = buildRules(c.emulated(), s.dev)
	}
	s.cfg = c.clone()
}

// snapshot is the settings and the rules a request starts with.
func (s *Server) snapshot() (Config, *rules) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.clone(), s.rules
}

// setSiteURLIfEmpty fills SiteURL with the listener's URL (NewTestServer, CLI).
func (s *Server) setSiteURLIfEmpty(url string) {
	s.UpdateConfig(func(c *Config) {
		if c.SiteURL == "" {
			c.SiteURL = url
		}
	})
}

// Identities returns the seeded users that play the roles of the permission
// matrix (the permission checks of server/channels/api4/oauth.go).
func (s *Server) Identities() Identities {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ident
}

// Users returns every seeded user, tokens included.
func (s *Server) Users() []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]User, len(s.users))
	copy(out, s.users)
	return out
}

// Faults returns the server's fault rules, to add or clear rules while it runs.
func (s *Server) Faults() *Faults { return s.faults }

func (s *Server) account(userID string) *account {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accounts[userID]
}

// ServeHTTP runs the pipeline: body limit → route → faults → Prefer →
// authentication → request validation → handler (see pipeline.go). With
// response validation on, or a durable store, the response is buffered: it
// is sent only once the request's transaction has committed, and checked
// against the document.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	req := s.withinSite(r)
	if s.onResponse == nil && !s.store.durable() {
		c := s.newCall(w, req)
		c.serve(ctx)
		_ = c.endState() // the memory store never fails
		c.finishFaults()
		return
	}
	rec := newRecorder(w)
	c := s.newCall(rec, req)
	// A dropped connection may end the call with a panic: the view of
	// the state must still end (the server has acted, so it commits).
	defer func() { _ = c.endState() }()
	c.serve(ctx)
	c.finishFaults()
	if err := c.endState(); err != nil && !rec.hijacked {
		// Not committed, so not acknowledged.
		rec.reset()
		c.unchecked = false
		c.failCommit(err)
	}
	if s.onResponse != nil && !rec.hijacked && !c.unchecked {
		// A cancelled client does not make the response less checkable.
		if err := s.validator.ValidateResponse(context.WithoutCancel(ctx), req, rec.status, rec.header, rec.body.Bytes()); err != nil {
			s.onResponse(fmt.Errorf("mockserver: %s %s answered %d: %w", req.Method, req.URL.Path, rec.status, err))
		}
	}
	rec.flush()
}

// withinSite strips the SiteURL's path from the request path, so that a mock
// configured with a subpath SiteURL (https://host/mattermost) answers at
// /mattermost/api/v4/... like a subpath install; requests without the prefix
// are served as they are.
func (s *Server) withinSite(r *http.Request) *http.Request {
	site, err := url.Parse(s.Config().SiteURL)
	if err != nil {
		return r
	}
	prefix := strings.TrimSuffix(site.EscapedPath(), "/")
	if prefix == "" {
		return r
	}
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
	if !ok || (rest != "" && rest[0] != '/') {
		return r
	}
	if rest == "" {
		rest = "/"
	}
	u, err := url.Parse(rest)
	if err != nil {
		return r
	}
	// A shallow copy with its own URL: same context, same body.
	r2 := *r
	u2 := *r.URL
	u2.Path, u2.RawPath = u.Path, u.RawPath
	r2.URL = &u2
	return &r2
}
