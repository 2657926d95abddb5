package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// fieldValue returns the value of the "key: value" line of a text record.
func fieldValue(t *testing.T, out, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(key) + `:\s+(.*)$`).FindStringSubmatch(out)
	require.NotNil(t, m, "no %q line in %q", key, out)
	return strings.TrimSpace(m[1])
}

func TestRegisterConfidentialText(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	res := runCLI(t, "register", ts.URL,
		"--redirect-uri", "http://127.0.0.1:9999/callback",
		"--redirect-uri", "http://127.0.0.1:9999/other",
		"--name", "shell bot", "--client-uri", "https://bot.example.com", "-v")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)

	id := fieldValue(t, res.stdout, "client_id")
	secret := fieldValue(t, res.stdout, "client_secret")
	assert.True(t, models.IsValidID(id))
	assert.Equal(t, models.AuthMethodClientSecretPost, fieldValue(t, res.stdout, "token_endpoint_auth_method"))
	assert.Equal(t, "http://127.0.0.1:9999/callback, http://127.0.0.1:9999/other", fieldValue(t, res.stdout, "redirect_uris"))
	assert.Equal(t, "shell bot", fieldValue(t, res.stdout, "client_name"))
	assert.Equal(t, 1, strings.Count(res.stdout, secret), "the secret is printed exactly once")
	assertNoSecrets(t, res.stderr, secret)
	assert.Contains(t, res.stderr, "shown only this once")
	assert.Contains(t, res.stderr, "path=/api/v4/oauth/apps/register", "-v logs the attempt")

	// The printed secret is the app's real one.
	admin, err := client.New(ts.URL, client.WithToken(ts.Identities.SystemAdmin.Token))
	require.NoError(t, err)
	app, _, err := admin.GetOAuthApp(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, secret, app.ClientSecret.Reveal())
	assert.True(t, app.IsDynamicallyRegistered)
}

func TestRegisterPublicJSON(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	t.Setenv(envURL, ts.URL)
	res := runCLI(t, "register", "--public", "--redirect-uri", "http://localhost:8080/cb", "-o", "json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	assert.Empty(t, res.stderr, "a public client has no secret to warn about")

	var reg models.ClientRegistrationResponse
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &reg))
	assert.True(t, models.IsValidID(reg.ClientID))
	assert.True(t, reg.IsPublic())
	assert.False(t, reg.ClientSecret.IsSet())
	assert.NotContains(t, res.stdout, "client_secret")
	assert.Equal(t, []string{"http://localhost:8080/cb"}, reg.RedirectURIs)
}

func TestRegisterConfidentialJSONCarriesSecret(t *testing.T) {
	cleanEnv(t)
	ts := mock(t)
	res := runCLI(t, "register", ts.URL, "--redirect-uri", "http://localhost:8080/cb", "-o", "json")
	require.Equal(t, exitOK, res.code, "stderr: %s", res.stderr)
	var reg models.ClientRegistrationResponse
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &reg))
	require.True(t, reg.ClientSecret.IsSet())
	assertNoSecrets(t, res.stderr, reg.ClientSecret.Reveal())
}

func TestRegisterServerFailures(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(*mockserver.Config)
		want []string
	}{
		{"registration disabled", func(c *mockserver.Config) { c.EnableDynamicClientRegistration = false },
			[]string{"400", "unsupported_operation"}},
		{"allowlist miss", func(c *mockserver.Config) { c.DCRRedirectURIAllowlist = []string{"https://*.example.com/**"} },
			[]string{"400", "invalid_redirect_uri"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			ts := mock(t)
			ts.Server.UpdateConfig(tc.cfg)
			res := runCLI(t, "register", ts.URL, "--redirect-uri", "http://localhost:8080/cb")
			assert.Equal(t, exitFailure, res.code)
			assert.Empty(t, res.stdout)
			assertOneLine(t, res.stderr)
			assert.True(t, strings.HasPrefix(res.stderr, "mmoauth register: POST /api/v4/oauth/apps/register: "), res.stderr)
			for _, w := range tc.want {
				assert.Contains(t, res.stderr, w)
			}
		})
	}
}

func TestRegisterBadFlags(t *testing.T) {
	trip := tripwire(t)
	long := strings.Repeat("n", models.MaxClientNameBytes+1)
	runUsageCases(t, []usageCase{
		{"no redirect URI", []string{"register", trip}, nil, "--redirect-uri"},
		{"redirect URI not http", []string{"register", trip, "--redirect-uri", "myapp://cb"}, nil, "--redirect-uri"},
		{"redirect URI relative", []string{"register", trip, "--redirect-uri", "/cb"}, nil, "--redirect-uri"},
		{"name too long", []string{"register", trip, "--redirect-uri", "http://h/cb", "--name", long}, nil, "--name"},
		{"client URI", []string{"register", trip, "--redirect-uri", "http://h/cb", "--client-uri", "nope"}, nil, "--client-uri"},
		{"output", []string{"register", trip, "--redirect-uri", "http://h/cb", "-o", "table"}, nil, "-o"},
		{"missing URL", []string{"register", "--redirect-uri", "http://h/cb"}, nil, "URL"},
		{"bad URL", []string{"register", "localhost:8065", "--redirect-uri", "http://h/cb"}, nil, "URL"},
		{"unknown flag", []string{"register", trip, "--redirect-uri", "http://h/cb", "--secret", "x"}, nil, "-secret"},
		{"public takes no value", []string{"register", trip, "--redirect-uri", "http://h/cb", "--public=maybe"}, nil, "-public"},
	})
}
