package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// faultRig is the mock server behind a counter of the requests that reach
// it, and clients for it whose retry waits are recorded, not slept.
type faultRig struct {
	srv   *mockserver.Server
	url   string
	waits *waits

	mu   sync.Mutex
	hits map[string]int // "METHOD /path" → requests that reached the server
}

func (g *faultRig) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.mu.Lock()
	g.hits[r.Method+" "+r.URL.Path]++
	g.mu.Unlock()
	g.srv.ServeHTTP(w, r)
}

func (g *faultRig) hitsOf(method, path string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hits[method+" "+path]
}

func newFaultRig(t *testing.T) *faultRig {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithResponseValidation(func(err error) {
		t.Errorf("mock response does not match the document: %v", err)
	}))
	require.NoError(t, err)
	g := &faultRig{srv: srv, hits: map[string]int{}, waits: &waits{}}
	hs := httptest.NewServer(g)
	t.Cleanup(hs.Close)
	g.url = hs.URL
	srv.UpdateConfig(func(c *mockserver.Config) { c.SiteURL = hs.URL })
	return g
}

// client returns a client with tinyPolicy's budget (4 attempts) whose
// waits are recorded by the rig instead of slept.
func (g *faultRig) client(t *testing.T, token string, hc *http.Client) *Client {
	t.Helper()
	if hc == nil {
		hc = &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	}
	c, err := New(g.url, WithToken(token), WithRetryPolicy(tinyPolicy()), WithHTTPClient(hc))
	require.NoError(t, err)
	c.clock = testClock(g.waits)
	return c
}

// appsNamed counts the apps (created or registered) named name.
func (g *faultRig) appsNamed(t *testing.T, name string) int {
	t.Helper()
	sa := g.client(t, g.srv.Identities().SystemAdmin.Token, nil)
	n := 0
	for app, err := range sa.OAuthApps(t.Context(), 200) {
		require.NoError(t, err)
		if app.Name == name {
			n++
		}
	}
	return n
}

// outcome is what a call under a fault must end with.
type outcome struct {
	status   int  // the status of the last answer (0: no answer, a transport error)
	decode   bool // a *DecodeError (2xx with a broken body) rather than an *Error
	attempts int  // client attempts; -1: any number up to the budget
	hits     int  // requests that reached the server; -1: at most 2 × attempts (see below)
	effects  int  // apps created, registrations made or secrets regenerated
	unknown  bool // an *OutcomeUnknownError: a POST was sent and its answer lost
}

// TestClientUnderFaults runs the client against the mock's fault injection:
// 502/503/429, dropped connections before and after the server acted,
// truncated and non-JSON answers, a stalled server. Whatever happens, the
// client
//   - never creates an app or registration, or regenerates a secret, twice:
//     a POST is re-sent only after a 429 or 503 (the server did not act) or
//     a dial failure (nothing was sent);
//   - never makes more attempts than its policy allows;
//   - returns a typed error carrying the last status (*Error for non-2xx,
//     *DecodeError for a 2xx whose body is cut off or not JSON), or a
//     transport error when no answer came.
func TestClientUnderFaults(t *testing.T) {
	const maxAttempts = 4 // tinyPolicy
	type op struct {
		method, path string
		// run calls the operation on app (already created) and reports
		// its effects: apps with the unique name, or secrets changed.
		run func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error)
	}
	create := op{http.MethodPost, "/api/v4/oauth/apps", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		_, r, err := c.CreateOAuthApp(t.Context(), &models.CreateOAuthAppRequest{Name: t.Name()[len(t.Name())-20:], CallbackURLs: []string{"https://f.example.com/cb"}, Homepage: "https://f.example.com"})
		return r, err
	}}
	register := op{http.MethodPost, "/api/v4/oauth/apps/register", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		_, r, err := c.RegisterOAuthClient(t.Context(), &models.ClientRegistrationRequest{RedirectURIs: []string{"https://f.example.com/cb"}, ClientName: t.Name()[len(t.Name())-20:]})
		return r, err
	}}
	regen := op{http.MethodPost, "/regen", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		_, r, err := c.RegenerateOAuthAppSecret(t.Context(), app.ID)
		return r, err
	}}
	update := op{http.MethodPut, "/app", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		req := app.UpdateRequest()
		req.Name = "renamed"
		_, r, err := c.UpdateOAuthApp(t.Context(), req)
		return r, err
	}}
	del := op{http.MethodDelete, "/app", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		_, r, err := c.DeleteOAuthApp(t.Context(), app.ID)
		return r, err
	}}
	get := op{http.MethodGet, "/app", func(t *testing.T, g *faultRig, c *Client, app *models.OAuthApp) (*Response, error) {
		_, r, err := c.GetOAuthApp(t.Context(), app.ID)
		return r, err
	}}
	routes := map[string]string{
		"/api/v4/oauth/apps": "CreateOAuthApp", "/api/v4/oauth/apps/register": "RegisterOAuthClient",
		"/regen": "RegenerateOAuthAppSecret", http.MethodPut: "UpdateOAuthApp", http.MethodDelete: "DeleteOAuthApp", http.MethodGet: "GetOAuthApp",
	}
	routeOf := func(o op) string {
		if r, ok := routes[o.path]; ok && o.path != "/app" {
			return r
		}
		return routes[o.method]
	}

	tests := []struct {
		name  string
		op    op
		fault mockserver.Fault // Route is filled from op
		want  outcome
	}{
		// Statuses the server answers without acting: retried for any method.
		{"create 503 twice then created", create, mockserver.Fault{Status: 503, Count: 2}, outcome{201, false, 3, 3, 1, false}},
		{"create 429 for ever", create, mockserver.Fault{Status: 429}, outcome{429, false, maxAttempts, maxAttempts, 0, false}},
		{"register 429 once then registered", register, mockserver.Fault{Status: 429, Count: 1, RetryAfter: time.Second}, outcome{201, false, 2, 2, 1, false}},
		{"regen 503 once then regenerated", regen, mockserver.Fault{Status: 503, Count: 1}, outcome{200, false, 2, 2, 1, false}},
		{"get 503 for ever", get, mockserver.Fault{Status: 503}, outcome{503, false, maxAttempts, maxAttempts, 0, false}},
		// Other 5xx: the server may have acted, so a POST is not re-sent.
		{"create 502 not re-sent", create, mockserver.Fault{Status: 502}, outcome{502, false, 1, 1, 0, true}},
		{"create 500 not re-sent", create, mockserver.Fault{Status: 500}, outcome{500, false, 1, 1, 0, false}},
		{"register 502 with an HTML body", register, mockserver.Fault{Status: 502, Garbage: true}, outcome{502, false, 1, 1, 0, true}},
		{"update 502 once then updated", update, mockserver.Fault{Status: 502, Count: 1}, outcome{200, false, 2, 2, 0, false}},
		{"get 502 HTML for ever", get, mockserver.Fault{Status: 502, Garbage: true}, outcome{502, false, maxAttempts, maxAttempts, 0, false}},
		{"get 503 truncated for ever", get, mockserver.Fault{Status: 503, Truncate: true}, outcome{503, false, maxAttempts, maxAttempts, 0, false}},
		// The connection drops before the server acted: a POST was written,
		// so it is not re-sent; a GET is.
		{"create dropped before acting", create, mockserver.Fault{Drop: true}, outcome{0, false, 1, 1, 0, true}},
		{"regen dropped before acting", regen, mockserver.Fault{Drop: true}, outcome{0, false, 1, 1, 0, true}},
		{"get dropped twice then served", get, mockserver.Fault{Drop: true, Count: 2}, outcome{200, false, -1, -1, 0, false}},
		// The connection drops after the server acted: exactly one effect.
		{"create dropped after acting", create, mockserver.Fault{DropAfter: true}, outcome{0, false, 1, 1, 1, true}},
		{"register dropped after acting", register, mockserver.Fault{DropAfter: true}, outcome{0, false, 1, 1, 1, true}},
		{"regen dropped after acting", regen, mockserver.Fault{DropAfter: true}, outcome{0, false, 1, 1, 1, true}},
		{"delete dropped after acting, the retry finds it gone", del, mockserver.Fault{DropAfter: true, Count: 1}, outcome{404, false, 2, 2, 0, false}},
		// Broken 2xx answers after the server acted: a *DecodeError, no retry.
		{"create answer truncated", create, mockserver.Fault{Truncate: true}, outcome{201, true, 1, 1, 1, true}},
		{"create answer not JSON", create, mockserver.Fault{Garbage: true}, outcome{201, true, 1, 1, 1, true}},
		{"regen answer truncated", regen, mockserver.Fault{Truncate: true}, outcome{200, true, 1, 1, 1, true}},
		{"get answer not JSON", get, mockserver.Fault{Garbage: true}, outcome{200, true, 1, 1, 0, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFaultRig(t)
			id := g.srv.Identities()
			c := g.client(t, id.OAuthManager.Token, nil)
			app, _, err := c.CreateOAuthApp(t.Context(), &models.CreateOAuthAppRequest{Name: "target", CallbackURLs: []string{"https://t.example.com/cb"}, Homepage: "https://t.example.com"})
			require.NoError(t, err)
			path := tt.op.path
			switch path {
			case "/regen":
				path = "/api/v4/oauth/apps/" + app.ID + "/regen_secret"
			case "/app":
				path = "/api/v4/oauth/apps/" + app.ID
			}
			f := tt.fault
			f.Route = routeOf(tt.op)
			require.NoError(t, g.srv.Faults().Add(f))
			before := g.hitsOf(tt.op.method, path)

			r, err := tt.op.run(t, g, c, app)
			g.srv.Faults().Clear()

			checkOutcome(t, tt.want, r, err)
			hits := g.hitsOf(tt.op.method, path) - before
			if tt.want.hits >= 0 {
				assert.Equal(t, tt.want.hits, hits, "requests that reached the server")
			} else {
				// net/http replays a GET once on a kept-alive connection
				// that died before any byte of the answer: a read, harmless.
				assert.LessOrEqual(t, hits, 2*maxAttempts)
			}

			switch tt.op.path {
			case "/api/v4/oauth/apps", "/api/v4/oauth/apps/register":
				assert.Equal(t, tt.want.effects, g.appsNamed(t, t.Name()[len(t.Name())-20:]), "apps created")
			case "/regen":
				sa := g.client(t, id.SystemAdmin.Token, nil)
				now, _, err := sa.GetOAuthApp(t.Context(), app.ID)
				require.NoError(t, err)
				changed := 0
				if now.ClientSecret != app.ClientSecret {
					changed = 1
				}
				assert.Equal(t, tt.want.effects, changed, "secret regenerated")
			}
		})
	}
}

// checkOutcome checks the call's result against want.
func checkOutcome(t *testing.T, want outcome, r *Response, err error) {
	t.Helper()
	ok := want.status >= 200 && want.status <= 299 && !want.decode
	checkAttempts := func(got int) {
		t.Helper()
		if want.attempts < 0 {
			assert.LessOrEqual(t, got, tinyPolicy().MaxAttempts)
			return
		}
		assert.Equal(t, want.attempts, got)
	}
	if ok {
		require.NoError(t, err)
		require.NotNil(t, r)
		assert.Equal(t, want.status, r.StatusCode)
		checkAttempts(r.Attempts)
		return
	}
	require.Error(t, err)
	var unknown *OutcomeUnknownError
	if want.unknown {
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorAs(t, err, &unknown)
		assert.Equal(t, want.status, unknown.Status)
		assert.Contains(t, err.Error(), "the server may have acted")
	} else {
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "the outcome is known: %v", err)
	}
	var apiErr *Error
	var decErr *DecodeError
	switch {
	case want.status == 0:
		assert.False(t, errors.As(err, &apiErr), "no answer came: %v", err)
		assert.Nil(t, r)
		assert.NotContains(t, err.Error(), "http://", "transport errors never repeat the URL")
	case want.decode:
		require.ErrorAs(t, err, &decErr)
		assert.Equal(t, want.status, decErr.StatusCode)
		require.NotNil(t, r)
		assert.Equal(t, want.status, r.StatusCode)
	default:
		require.ErrorAs(t, err, &apiErr, "%v", err)
		assert.Equal(t, want.status, apiErr.StatusCode, "the last status")
		checkAttempts(apiErr.Attempts)
		require.NotNil(t, r)
		assert.Equal(t, want.status, r.StatusCode)
	}
	if r != nil {
		checkAttempts(r.Attempts)
	}
}

// TestClientStalledServer: a server that never answers holds the call only
// until the caller's deadline, after one attempt; the mock's handler never
// runs, so nothing is created.
func TestClientStalledServer(t *testing.T) {
	g := newFaultRig(t)
	c := g.client(t, g.srv.Identities().OAuthManager.Token, nil)
	require.NoError(t, g.srv.Faults().Add(mockserver.Fault{Route: "CreateOAuthApp", Latency: time.Hour}))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, r, err := c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: "stalled", CallbackURLs: []string{"https://s.example.com/cb"}, Homepage: "https://s.example.com"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Nil(t, r)
	assert.LessOrEqual(t, g.hitsOf(http.MethodPost, "/api/v4/oauth/apps"), 1, "a POST is not re-sent")
	g.srv.Faults().Clear()
	assert.Zero(t, g.appsNamed(t, "stalled"))

	// Without a deadline on the call, the *http.Client's per-attempt
	// timeout bounds each attempt, and the policy the number of attempts.
	require.NoError(t, g.srv.Faults().Add(mockserver.Fault{Route: "GetMe", Latency: time.Hour}))
	short := g.client(t, g.srv.Identities().OAuthManager.Token, &http.Client{Transport: &http.Transport{}, Timeout: 50 * time.Millisecond})
	_, r, err = short.GetMe(t.Context())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Nil(t, r)
	assert.LessOrEqual(t, g.hitsOf(http.MethodGet, "/api/v4/users/me"), tinyPolicy().MaxAttempts)
}

// TestClientPostRetriedOnlyWhenNothingWasSent: a create whose first dial is
// refused (nothing was written) is sent again and creates exactly one app.
func TestClientPostRetriedOnlyWhenNothingWasSent(t *testing.T) {
	g := newFaultRig(t)
	var lc net.ListenConfig
	closed, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := closed.Addr().String()
	require.NoError(t, closed.Close())
	var mu sync.Mutex
	dials := 0
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		dials++
		first := dials == 1
		mu.Unlock()
		if first {
			addr = refused // a real ECONNREFUSED
		}
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	c := g.client(t, g.srv.Identities().OAuthManager.Token, &http.Client{Transport: tr})
	app, r, err := c.CreateOAuthApp(t.Context(), &models.CreateOAuthAppRequest{Name: "redialled", CallbackURLs: []string{"https://r.example.com/cb"}, Homepage: "https://r.example.com"})
	require.NoError(t, err)
	assert.Equal(t, 2, r.Attempts)
	assert.Equal(t, 1, g.hitsOf(http.MethodPost, "/api/v4/oauth/apps"), "the refused attempt never reached the server")
	assert.Equal(t, 1, g.appsNamed(t, app.Name))
}

// TestClientFaultErrorsCarryNoSecret: the errors of the fault scenarios
// never show the token or a secret, in any rendering.
func TestClientFaultErrorsCarryNoSecret(t *testing.T) {
	g := newFaultRig(t)
	tok := g.srv.Identities().SystemAdmin.Token
	c := g.client(t, tok, nil)
	app, _, err := c.CreateOAuthApp(t.Context(), &models.CreateOAuthAppRequest{Name: "s", CallbackURLs: []string{"https://s.example.com/cb"}, Homepage: "https://s.example.com"})
	require.NoError(t, err)
	for _, f := range []mockserver.Fault{
		{Route: "GetOAuthApp", Truncate: true}, {Route: "GetOAuthApp", Garbage: true},
		{Route: "GetOAuthApp", DropAfter: true}, {Route: "GetOAuthApp", Status: 503},
	} {
		require.NoError(t, g.srv.Faults().Add(f))
		_, _, err := c.GetOAuthApp(t.Context(), app.ID)
		g.srv.Faults().Clear()
		require.Error(t, err)
		for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			assertNoSecret(t, "error", s, tok, app.ClientSecret.Reveal())
		}
	}
}
