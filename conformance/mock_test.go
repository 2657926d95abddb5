package conformance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// mockSetup describes one mock server a test runs the suite against.
type mockSetup struct {
	// edit changes the default settings (provider on, DCR off).
	edit func(*mockserver.Config)
	// devs are the mock's deviations.
	devs []mockserver.Deviation
	// shim wraps the mock, to watch its traffic (see redact_test.go).
	shim shim
	// declared overrides the settings the suite is told; nil declares the
	// mock's real settings.
	declared *conformance.Declared
	// faults are injected at start.
	faults []mockserver.Fault
	// validate fails the test on any mock response that breaks the
	// document (only meaningful for a faithful mock).
	validate bool
	// tick gives the mock a clock that moves 1 ms on every reading, so that
	// two requests never share a millisecond (create_at/update_at).
	tick bool
	// announce replaces the X-Version-Id the mock sends, so that a test can
	// show the suite a release other than the one the mock emulates.
	announce string
}

// tickingClock starts at the real time and moves 1 ms on every reading.
func tickingClock() func() time.Time {
	var mu sync.Mutex
	now := time.Now()
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
}

// A shim wraps the mock's handler. Rules the mock should break are
// mockserver Deviations, never shims: a shim only watches.
type shim func(next http.Handler, id mockserver.Identities) http.Handler

// startMock starts a mock on 127.0.0.1 with SiteURL = its URL and returns
// the suite's target for it with all four identities.
func startMock(t testing.TB, s mockSetup) conformance.Target {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	cfg := mockserver.DefaultConfig()
	if s.edit != nil {
		s.edit(&cfg)
	}
	cfg.SiteURL = url
	opts := []mockserver.Option{mockserver.WithConfig(cfg), mockserver.WithDeviations(s.devs...), mockserver.WithFaults(s.faults...)}
	if s.tick {
		opts = append(opts, mockserver.WithClock(tickingClock()))
	}
	if s.validate {
		opts = append(opts, mockserver.WithResponseValidation(func(err error) {
			t.Errorf("mock response does not match the OpenAPI document: %v", err)
		}))
	}
	srv, err := mockserver.New(opts...)
	require.NoError(t, err)
	var h http.Handler = srv
	if s.shim != nil {
		h = s.shim(srv, srv.Identities())
	}
	if s.announce != "" {
		h = announcing(h, s.announce)
	}
	hs.Config.Handler = h
	hs.Start()
	t.Cleanup(hs.Close)

	declared := conformance.Declared{Provider: gate(cfg.EnableOAuthServiceProvider), DCR: gate(cfg.EnableDynamicClientRegistration),
		Allowlist: slices.Clone(cfg.DCRRedirectURIAllowlist)}
	if s.declared != nil {
		declared = *s.declared
	}
	return conformance.Target{URL: url, Tokens: tokens(srv.Identities()), Declared: declared}
}

func tokens(id mockserver.Identities) map[conformance.Role]string {
	return map[conformance.Role]string{
		conformance.Admin:     id.SystemAdmin.Token,
		conformance.Manager:   id.OAuthManager.Token,
		conformance.Manager2:  id.OAuthManager2.Token,
		conformance.PlainUser: id.PlainUser.Token,
	}
}

func gate(on bool) conformance.Gate {
	if on {
		return conformance.On
	}
	return conformance.Off
}

// Settings of the configurations the deviation cases use.
func dcrOn(c *mockserver.Config) { c.EnableDynamicClientRegistration = true }

// developerMode sends detailed_error (ServiceSettings.EnableDeveloper), which
// a stock server leaves empty.
func developerMode(c *mockserver.Config) { c.EnableDeveloper = true }

// providerOff keeps registration on, so that only the provider switch can
// explain a refused registration (server/channels/api4/oauth.go registerOAuthClient, step 2 before step 3).
func providerOff(c *mockserver.Config) {
	c.EnableOAuthServiceProvider = false
	c.EnableDynamicClientRegistration = true
}

// testAllowlist is the allowlist of the allowlist configuration.
var testAllowlist = []string{"https://allowed.mmoauth.invalid/callback/*"}

func allowlisted(c *mockserver.Config) {
	c.EnableDynamicClientRegistration = true
	c.DCRRedirectURIAllowlist = slices.Clone(testAllowlist)
}

// run runs the whole catalogue (or opts' selection) and fails the test if
// the run cannot start.
func run(t testing.TB, opts conformance.Options, targets ...conformance.Target) *conformance.Report {
	t.Helper()
	rep, err := conformance.Run(context.Background(), opts, targets...)
	require.NoError(t, err)
	return rep
}
