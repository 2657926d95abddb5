package conformance

import (
	"io"
	"net/http"
	"time"
)

// Target is one server to test.
type Target struct {
	// Name labels the target in reports when a run has several (the embedded
	// mock's configurations); optional.
	Name string
	// URL is the server root, Mattermost's SiteURL (e.g.
	// https://mattermost.example.com or http://127.0.0.1:8065).
	URL string
	// Tokens are the identities' personal access (or session) tokens; a role
	// without a token has its checks skipped. Anonymous needs none.
	Tokens map[Role]string
	// Declared are the settings the suite cannot read from the server.
	Declared Declared
	// Transport carries the requests (nil: a new http.Transport). In-process
	// servers and tests can pass their own.
	Transport http.RoundTripper
}

// Declared are server settings given by the user instead of detected. The
// suite never changes a setting (docs/ARCHITECTURE.md "Contracts"): what it cannot detect, it is
// told, or it skips the checks that need it.
type Declared struct {
	// Provider is EnableOAuthServiceProvider; Either detects it from the
	// metadata endpoint (200 on, 501 off).
	Provider Gate
	// DCR is EnableDynamicClientRegistration; Either detects it by sending
	// the registration endpoint an invalid request that cannot create
	// anything (400 unsupported_operation: off; 400 invalid_client_metadata:
	// on — server/channels/api4/oauth.go registerOAuthClient order).
	DCR Gate
	// Allowlist is DCRRedirectURIAllowlist. It cannot be detected; the
	// allowlist checks run only when it is declared.
	Allowlist []string
}

// Settings are what a run knows about a target's settings after setup.
type Settings struct {
	// Provider is EnableOAuthServiceProvider.
	Provider bool
	// DCR is EnableDynamicClientRegistration: On, Off, or Either when it
	// could not be detected.
	DCR Gate
	// Allowlist is the declared DCRRedirectURIAllowlist.
	Allowlist []string
	// ManagersSystemWide is On when the two manage_oauth identities can see
	// every app (a stock server's roles: the permission checks of server/channels/api4/oauth.go "Default roles"), Off
	// when they are limited to their own, Either when unknown.
	ManagersSystemWide Gate
}

// Defaults of Options.
const (
	DefaultRequestTimeout = 15 * time.Second
	DefaultMaxTime        = 10 * time.Minute
	DefaultConcurrency    = 4
)

// Options configure a run.
type Options struct {
	// Checks is the catalogue to run; nil means Catalogue().
	Checks []Check
	// Only and Skip filter checks by id glob (see MatchID).
	Only, Skip []string
	// Strict turns warnings (RFC rules the real server breaks) into failures.
	Strict bool
	// ReadOnly runs only the checks that create nothing.
	ReadOnly bool
	// RequestTimeout bounds each HTTP request (default DefaultRequestTimeout).
	RequestTimeout time.Duration
	// MaxTime bounds the whole run, cleanup excluded (default DefaultMaxTime).
	MaxTime time.Duration
	// Concurrency is the number of checks run at once (default
	// DefaultConcurrency; 1 runs them one by one).
	Concurrency int
	// Progress, when set, receives a progress line ("\r"-rewritten) while
	// the run goes on.
	Progress io.Writer
	// ProgressLines, when set, receives one line per finished check (for
	// logs, where a rewritten line would be noise).
	ProgressLines io.Writer
	// Label says what the run tests, for the first line of every report
	// (e.g. "embedded mock (no --url)"); default: the targets' URLs.
	Label string
	// FailOnSkip fails the run when any selected check was skipped.
	FailOnSkip bool
	// MinChecks fails the run when fewer checks ran (passed, failed or
	// warned).
	MinChecks int
	// OnExchange, when set, is called for every exchange of the run (setup,
	// checks and cleanup) as it completes, from the goroutine that made it:
	// for exchange logs (NewHARWriter) and -v. Everything it gets is
	// redacted.
	OnExchange func(ExchangeRecord)
}

func (o Options) withDefaults() Options {
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = DefaultRequestTimeout
	}
	if o.MaxTime <= 0 {
		o.MaxTime = DefaultMaxTime
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Checks == nil {
		o.Checks = Catalogue()
	}
	return o
}
