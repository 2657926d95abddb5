package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

func TestDiscoverText(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	res := runCLI(t, "discover", ts.URL)
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Empty(t, res.stderr)
	for _, line := range []string{
		"issuer:                                " + ts.URL + "\n",
		"authorization_endpoint:                " + ts.URL + "/oauth/authorize\n",
		"token_endpoint:                        " + ts.URL + "/oauth/access_token\n",
		"registration_endpoint:                 " + ts.URL + "/api/v4/oauth/apps/register\n",
		"code_challenge_methods_supported:      S256\n",
	} {
		assert.Contains(t, res.stdout, line)
	}
}

func TestDiscoverJSON(t *testing.T) {
	tests := []struct {
		name    string
		dcr     bool
		args    func(url string) []string
		env     bool
		wantReg bool
	}{
		{"argument, flags after it", true, func(u string) []string { return []string{"discover", u, "-o", "json"} }, false, true},
		{"--url, --output", true, func(u string) []string { return []string{"discover", "--output=json", "--url", u} }, false, true},
		{"MMOAUTH_URL, DCR off", false, func(string) []string { return []string{"discover", "-o", "json"} }, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			cfg := mockserver.DefaultConfig()
			cfg.EnableDynamicClientRegistration = tc.dcr
			ts := mockserver.NewTestServer(t, mockserver.WithConfig(cfg))
			if tc.env {
				t.Setenv(envURL, ts.URL)
			}
			res := runCLI(t, tc.args(ts.URL)...)
			require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
			var meta models.AuthorizationServerMetadata
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &meta))
			assert.Equal(t, ts.URL, meta.Issuer)
			assert.True(t, meta.SupportsS256())
			assert.Equal(t, tc.wantReg, meta.SupportsRegistration())
		})
	}
}

func TestDiscoverServerFailures(t *testing.T) {
	tests := []struct {
		name string
		opts []mockserver.Option
		url  func(string) string
		want string
	}{
		{"issuer differs (RFC 8414 §3.3)", []mockserver.Option{mockserver.WithDeviations(mockserver.DevWrongIssuer)}, nil, "issuer"},
		{"no S256", []mockserver.Option{mockserver.WithDeviations(mockserver.DevNoS256)}, nil, "S256"},
		{"trailing slash is another issuer", nil, func(u string) string { return u + "/" }, "issuer"},
		{"provider off", []mockserver.Option{mockserver.WithConfig(mockserver.Config{EnableOAuthServiceProvider: false})}, nil, "501"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			ts := mockserver.NewTestServer(t, tc.opts...)
			u := ts.URL
			if tc.url != nil {
				u = tc.url(u)
			}
			res := runCLI(t, "discover", u)
			assert.Equal(t, exitFailure, res.code)
			assert.Empty(t, res.stdout)
			assertOneLine(t, res.stderr)
			assert.Contains(t, res.stderr, "mmoauth discover: ")
			assert.Contains(t, res.stderr, tc.want)
		})
	}
}

func TestDiscoverBadFlags(t *testing.T) {
	trip := tripwire(t)
	runUsageCases(t, []usageCase{
		{"unknown output format", []string{"discover", "-o", "xml", trip}, nil, "-o"},
		{"unknown output format, long flag", []string{"discover", "--output", "yaml", trip}, nil, "-o"},
		{"missing URL", []string{"discover"}, nil, "URL"},
		{"not http", []string{"discover", "ftp://example.com"}, nil, "URL"},
		{"query", []string{"discover", trip + "/?x=1"}, nil, "URL"},
		{"bad MMOAUTH_URL", []string{"discover"}, map[string]string{envURL: "example.com"}, envURL},
		{"bad --url", []string{"discover", "--url", "nohost"}, nil, "--url"},
		{"--url and argument differ", []string{"discover", "--url", trip, trip + "/x"}, nil, "--url"},
		{"two arguments", []string{"discover", trip, trip}, nil, "unexpected argument"},
		{"unknown flag", []string{"discover", "--nope", trip}, nil, "-nope"},
		{"timeout", []string{"discover", "--timeout", "0s", trip}, nil, "--timeout"},
		{"timeout not a duration", []string{"discover", "--timeout", "soon", trip}, nil, "-timeout"},
	})
}
