package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
	"github.com/mmoauth/mmoauth/mockserver"
)

// flow is what the bot prints up to its clean-up, whoever runs it.
var flow = []string{
	"discovered the server: PKCE S256=true, registration endpoint advertised=true",
	"registered a public client: token_endpoint_auth_method=none, client secret issued=false",
	"a browser would be sent to /oauth/authorize with code_challenge_method=S256",
	"the user approved: got an authorization code and the state matches",
	"exchanged the code with the PKCE verifier: token type Bearer",
	"GET /api/v4/users/me with the access token: @basic.user",
	"refresh token issued=false: a public client must authorize again when the token expires",
	"deauthorized: the access token now gets 401",
}

func TestEmbedded(t *testing.T) {
	exampletest.RunEmbedded(t, run, append(flow, "deleted the registered client"))
}

func TestAgainstServer(t *testing.T) {
	ts := mockserver.NewTestServer(t, exampletest.DCRConfig())

	// A user without manage_system_wide_oauth runs the whole flow but cannot
	// delete the client it registered: the example says how to.
	user := ts.Identities.PlainUser
	lines := exampletest.RunAgainst(t, run, ts, user.Token, "-redirect-uri", "http://localhost:9999/cb")
	assert.Equal(t, flow, lines[:len(flow)])
	assert.Len(t, lines, len(flow)+1)
	assert.Regexp(t, `^the registered client (\w{26}) stays: an administrator can remove it with 'mmoauth apps delete \w{26}'$`, lines[len(lines)-1])

	// An administrator's token removes it.
	lines = exampletest.RunAgainst(t, run, ts, ts.Identities.SystemAdmin.Token)
	assert.Equal(t, "deleted the registered client", lines[len(lines)-1])
	assert.Equal(t, "GET /api/v4/users/me with the access token: @"+ts.Identities.SystemAdmin.Username, lines[5])
	exampletest.AssertNoSecretLike(t, strings.Join(lines, "\n"))
}

func TestRegistrationDisabled(t *testing.T) {
	ts := mockserver.NewTestServer(t) // a stock server: DCR off
	err := exampletest.Fail(t, run, "-url", ts.URL, "-token", ts.Identities.PlainUser.Token)
	assert.ErrorContains(t, err, "dynamic client registration is off")
}

func TestUsage(t *testing.T) {
	exampletest.UsageCases(t, run)
}
