package client

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/models"
)

// DefaultUserAgent is the User-Agent sent unless WithUserAgent replaces it.
const DefaultUserAgent = "mmoauth-go-client/0.1 (+https://github.com/mmoauth/mmoauth)"

// defaultAttemptTimeout bounds one attempt (connect, send, headers and body)
// of the default *http.Client; the caller's context bounds the whole call.
const defaultAttemptTimeout = 30 * time.Second

// Client talks to one Mattermost server. It is safe for concurrent use;
// WithToken derives clients that share its connections.
type Client struct {
	base      *url.URL // server root; Path has no trailing slash
	hc        *http.Client
	token     models.Secret
	ts        oauth2.TokenSource
	userAgent string
	policy    RetryPolicy
	logger    *slog.Logger
	clock     *clock
}

// Option configures New (and Discover).
type Option func(*config)

type config struct {
	token     models.Secret
	ts        oauth2.TokenSource
	hc        *http.Client
	userAgent string
	policy    RetryPolicy
	logger    *slog.Logger
}

// WithToken authenticates every session request with "Authorization: Bearer
// <token>" (a personal access token, a session token or an OAuth access
// token). An empty token means anonymous requests.
func WithToken(token string) Option {
	return func(c *config) { c.token = models.Secret(token) }
}

// WithTokenSource authenticates with the token src returns, fetched once per
// call (before the first attempt). Use an oauth2.ReuseTokenSource (for
// example from TokenSource) so that it is not fetched from the network each
// time. src.Token takes no context: see TokenSource for the x/oauth2 pitfall.
func WithTokenSource(src oauth2.TokenSource) Option {
	return func(c *config) { c.ts = src }
}

// WithHTTPClient sends every attempt through hc. The retry layer wraps hc, so
// a recording or mocking transport on hc sees each attempt. hc is used as
// given and never modified. Without this option the client uses a pooled
// transport, a per-attempt timeout of 30 s, and does not follow redirects
// (the API never redirects; not following keeps requests on the given host).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) { c.hc = hc }
}

// WithUserAgent replaces DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(c *config) { c.userAgent = ua }
}

// WithRetryPolicy replaces DefaultRetryPolicy(); NoRetry() sends each request
// exactly once.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) { c.policy = p }
}

// WithLogger logs each attempt at debug level: method, path (without query),
// status or transport error, attempt number and the wait before a retry.
// Headers, bodies, tokens and secrets are never logged. Without this option
// the client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// New returns a client for the server whose root (Mattermost's SiteURL) is
// baseURL, e.g. "http://127.0.0.1:8065" or "https://example.com/mattermost".
// baseURL must be an absolute http(s) URL without query, fragment or user
// information.
func New(baseURL string, opts ...Option) (*Client, error) {
	base, err := parseBaseURL(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := config{userAgent: DefaultUserAgent, policy: DefaultRetryPolicy()}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	if cfg.token != "" && cfg.ts != nil {
		return nil, errors.New("mmoauth: WithToken and WithTokenSource are mutually exclusive")
	}
	if err := cfg.policy.validate(); err != nil {
		return nil, err
	}
	hc := cfg.hc
	if hc == nil {
		hc = defaultHTTPClient()
	}
	return &Client{
		base:      base,
		hc:        hc,
		token:     cfg.token,
		ts:        cfg.ts,
		userAgent: cfg.userAgent,
		policy:    cfg.policy,
		logger:    cfg.logger,
		clock:     systemClock,
	}, nil
}

// BaseURL returns the server root the client talks to, without a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// WithToken returns a copy of c that authenticates as another identity (an
// empty token means anonymous). The copy shares c's transport, retry policy
// and logger; c is unchanged.
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = models.Secret(token)
	cp.ts = nil
	return &cp
}

func defaultHTTPClient() *http.Client {
	rt := http.DefaultTransport
	if tr, ok := rt.(*http.Transport); ok {
		rt = tr.Clone() // our own pool: no shared state with other users of DefaultTransport
	}
	return &http.Client{
		Transport: rt,
		Timeout:   defaultAttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// parseBaseURL checks and normalises the server root. Errors never echo a
// URL that could carry a password.
func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the raw string
		}
		return nil, fmt.Errorf("mmoauth: invalid base URL: %w", err)
	}
	switch {
	case u.User != nil:
		return nil, errors.New("mmoauth: invalid base URL: user information is not allowed (use WithToken)")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("mmoauth: invalid base URL %q: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("mmoauth: invalid base URL %q: no host", u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("mmoauth: invalid base URL %q: query and fragment are not allowed", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}
