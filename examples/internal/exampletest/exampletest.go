// Package exampletest runs an example program's body in a test and checks
// what it printed, so that `make test` keeps every example working.
package exampletest

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/mockserver"
)

// RunFunc is the body of an example: its main is exampleenv.Main(run).
type RunFunc func(ctx context.Context, args []string, stdout io.Writer) error

// Run runs an example with args and returns its output lines; the example
// must succeed.
func Run(t *testing.T, run RunFunc, args ...string) []string {
	t.Helper()
	t.Setenv(exampleenv.EnvToken, "")
	var out bytes.Buffer
	err := run(context.Background(), args, &out)
	require.NoError(t, err, "output so far:\n%s", out.String())
	return strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// RunEmbedded runs an example with no arguments, against its embedded mock,
// and checks its lines after the "server:" line.
func RunEmbedded(t *testing.T, run RunFunc, want []string) {
	t.Helper()
	lines := Run(t, run)
	require.NotEmpty(t, lines)
	assert.Regexp(t, `^server: embedded mock Mattermost at http://127\.0\.0\.1:\d+$`, lines[0])
	assert.Equal(t, want, lines[1:])
	AssertNoSecretLike(t, strings.Join(lines, "\n"))
}

// RunAgainst runs an example with -url and -token against ts, as against a
// real server, and returns its lines after the "server:" line. Tokens of the
// seeded users must not appear in the output.
func RunAgainst(t *testing.T, run RunFunc, ts *mockserver.TestServer, token string, extra ...string) []string {
	t.Helper()
	lines := Run(t, run, append([]string{"-url", ts.URL, "-token", token}, extra...)...)
	require.NotEmpty(t, lines)
	assert.Equal(t, "server: "+ts.URL, lines[0])
	out := strings.Join(lines, "\n")
	for _, u := range ts.Server.Users() {
		assert.NotContains(t, out, u.Token, "a token leaked")
	}
	return lines[1:]
}

// AdminCases runs the tests every example that manages apps with an
// administrator's token shares: against its embedded mock and against a
// server given with -url, where it prints want after the "server:" line; with
// a plain user's token, which lacks manage_oauth (the permission checks of server/channels/api4/oauth.go), where it
// fails with an error containing forbidden; and the shared flag cases.
func AdminCases(t *testing.T, run RunFunc, want []string, forbidden string) {
	t.Helper()
	t.Run("embedded", func(t *testing.T) {
		RunEmbedded(t, run, want)
	})
	t.Run("against server", func(t *testing.T) {
		ts := mockserver.NewTestServer(t)
		lines := RunAgainst(t, run, ts, ts.Identities.SystemAdmin.Token)
		assert.Equal(t, want, lines)
		AssertNoSecretLike(t, strings.Join(lines, "\n"))
	})
	t.Run("needs manage_oauth", func(t *testing.T) {
		ts := mockserver.NewTestServer(t)
		err := Fail(t, run, "-url", ts.URL, "-token", ts.Identities.PlainUser.Token)
		assert.ErrorContains(t, err, forbidden)
	})
	t.Run("usage", func(t *testing.T) {
		UsageCases(t, run)
	})
}

// secretLike matches what Mattermost secrets, tokens and codes look like:
// 26 (ids, secrets, tokens) or 52 (codes) lowercase base32 characters, or a
// 43-character base64url PKCE verifier.
var secretLike = regexp.MustCompile(`[a-z0-9]{26,}|[A-Za-z0-9_-]{43,}`)

// AssertNoSecretLike fails if out holds anything shaped like a secret, a
// token, a code or a verifier. Examples print no ids either, so that this
// check stays strict.
func AssertNoSecretLike(t *testing.T, out string) {
	t.Helper()
	assert.Empty(t, secretLike.FindAllString(out, -1), "output holds secret-like strings:\n%s", out)
}

// DCRConfig is a stock server's settings with dynamic client registration on.
func DCRConfig() mockserver.Option {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	return mockserver.WithConfig(cfg)
}
