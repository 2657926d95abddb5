package client

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// TestOutcomeUnknownUnderFaults: creates and registrations against a mock
// that, at random, drops the connection after acting, cuts the answer in
// half or replaces it with an HTML page. Every call acted, so afterwards:
// no call succeeded without its app, no name exists twice (nothing was
// re-sent), and every call whose answer was lost says so with
// ErrOutcomeUnknown, carrying the method, path and name sent, with which
// listing the apps finds the one it created.
func TestOutcomeUnknownUnderFaults(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	var faults []mockserver.Fault
	for _, route := range []string{"CreateOAuthApp", "RegisterOAuthClient"} {
		faults = append(faults,
			mockserver.Fault{Route: route, DropAfter: true, Rate: 0.2},
			mockserver.Fault{Route: route, Truncate: true, Rate: 0.2},
			mockserver.Fault{Route: route, Garbage: true, Rate: 0.2})
	}
	srv, err := mockserver.New(mockserver.WithConfig(cfg), mockserver.WithRandSeed(13), mockserver.WithFaults(faults...),
		mockserver.WithResponseValidation(nil))
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	hc := &http.Client{Transport: &http.Transport{}, Timeout: 30 * time.Second}
	id := srv.Identities()
	c, err := New(hs.URL, WithToken(id.OAuthManager.Token), WithHTTPClient(hc)) // the default retry policy
	require.NoError(t, err)
	ctx := t.Context()

	const calls = 60
	type result struct {
		name, id, secret string
		unknown          *OutcomeUnknownError
	}
	var results []result
	for i := range calls {
		name := fmt.Sprintf("unknown-%02d", i)
		var res result
		var err error
		if i%2 == 0 {
			var app *models.OAuthApp
			app, _, err = c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{Name: name, CallbackURLs: []string{"https://u.example.com/cb"}, Homepage: "https://u.example.com"})
			if err == nil {
				res.id, res.secret = app.ID, app.ClientSecret.Reveal()
			}
		} else {
			var reg *models.ClientRegistrationResponse
			reg, _, err = c.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{RedirectURIs: []string{"https://u.example.com/cb"}, ClientName: name})
			if err == nil {
				res.id, res.secret = reg.ClientID, reg.ClientSecret.Reveal()
			}
		}
		res.name = name
		if err != nil {
			require.ErrorIs(t, err, ErrOutcomeUnknown, "call %d: every lost answer is an unknown outcome", i)
			require.ErrorAs(t, err, &res.unknown)
			assert.Equal(t, http.MethodPost, res.unknown.Method)
			assert.True(t, strings.HasPrefix(res.unknown.Path, "/api/v4/oauth/apps"), res.unknown.Path)
			assert.Equal(t, name, res.unknown.Name, "the name sent, to reconcile with")
			assert.Contains(t, err.Error(), "the server may have acted")
			assert.Contains(t, err.Error(), name)
		}
		results = append(results, res)
	}

	byName := map[string][]*models.OAuthApp{}
	sa := c.WithToken(id.SystemAdmin.Token)
	for app, err := range sa.OAuthApps(ctx, 200) {
		require.NoError(t, err)
		byName[app.Name] = append(byName[app.Name], app)
	}
	lost := 0
	for _, res := range results {
		apps := byName[res.name]
		require.Len(t, apps, 1, "%s: exactly one app per call: no duplicate, none missing", res.name)
		if res.unknown == nil {
			assert.Equal(t, res.id, apps[0].ID, "%s: a success names its app", res.name)
			assert.Equal(t, res.secret, apps[0].ClientSecret.Reveal())
			continue
		}
		lost++ // reconciled: listing by name found the app the call created
	}
	t.Logf("%d calls, %d answers lost and reconciled by name", calls, lost)
	assert.Positive(t, lost, "the faults hit")
	assert.Less(t, lost, calls, "some calls were answered")
}

// TestOutcomeUnknownNotForKnownOutcomes: a POST that provably never reached
// the server (nothing listens) and one the server refused (429, 503, a
// Mattermost 500) are not unknown outcomes; nor is a GET whose answer was
// lost (reading again is the reconciliation).
func TestOutcomeUnknownNotForKnownOutcomes(t *testing.T) {
	g := newFaultRig(t)
	c := g.client(t, g.srv.Identities().OAuthManager.Token, nil)
	req := &models.CreateOAuthAppRequest{Name: "known", CallbackURLs: []string{"https://k.example.com/cb"}, Homepage: "https://k.example.com"}
	for _, f := range []mockserver.Fault{{Status: 429}, {Status: 503}, {Status: 500}} {
		f.Route = "CreateOAuthApp"
		require.NoError(t, g.srv.Faults().Add(f))
		_, _, err := c.CreateOAuthApp(t.Context(), req)
		g.srv.Faults().Clear()
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrOutcomeUnknown, "%d: the server answered that it did not act", f.Status)
	}
	require.NoError(t, g.srv.Faults().Add(mockserver.Fault{Route: "GetOAuthApps", Truncate: true}))
	_, _, err := c.GetOAuthApps(t.Context(), 0, 60)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a read has no outcome to reconcile")

	closed, err := New("http://127.0.0.1:"+fmt.Sprint(freeLoopbackPort(t)), WithRetryPolicy(NoRetry()))
	require.NoError(t, err)
	_, _, err = closed.CreateOAuthApp(t.Context(), req)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "nothing was sent: %v", err)
	assert.False(t, errors.As(err, new(*OutcomeUnknownError)))
}

// freeLoopbackPort is a loopback port nothing listens on (it was free a
// moment ago).
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
