package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
	"github.com/mmoauth/mmoauth/mockserver"
)

func flow(username string) []string {
	return []string{
		"discovered the server: token endpoint auth methods [none client_secret_post]",
		"registered a confidential client: token_endpoint_auth_method=client_secret_post, client secret issued=true",
		"the user approved: got an authorization code and the state matches",
		"exchanged the code with the client secret and the verifier: refresh token issued=true",
		"GET /api/v4/users/me after a refresh: @" + username,
		"the refresh issued a new access token=true and rotated the refresh token=true",
		"the replaced refresh token is refused",
		"deauthorized the client",
		"deleted the registered client",
	}
}

func TestEmbedded(t *testing.T) {
	exampletest.RunEmbedded(t, run, flow("basic.user"))
}

func TestAgainstServer(t *testing.T) {
	ts := mockserver.NewTestServer(t, exampletest.DCRConfig())
	admin := ts.Identities.SystemAdmin
	lines := exampletest.RunAgainst(t, run, ts, admin.Token, "-redirect-uri", "https://integration.example.com/cb")
	assert.Equal(t, flow(admin.Username), lines)
	exampletest.AssertNoSecretLike(t, strings.Join(lines, "\n"))
}

func TestAllowlistRefusesRedirect(t *testing.T) {
	ts := mockserver.NewTestServer(t, exampletest.DCRConfig())
	ts.Server.UpdateConfig(func(c *mockserver.Config) {
		c.DCRRedirectURIAllowlist = []string{"https://*.example.com/**"}
	})
	err := exampletest.Fail(t, run, "-url", ts.URL, "-token", ts.Identities.SystemAdmin.Token)
	assert.ErrorContains(t, err, "invalid_redirect_uri")
}

func TestUsage(t *testing.T) {
	exampletest.UsageCases(t, run)
}
