package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
)

// result is what one CLI invocation produced.
type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs the dispatcher exactly as main does, with args after "mmoauth".
func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return result{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// cleanEnv clears the variables the CLI reads, so a developer's own
// MMOAUTH_TOKEN or MMOAUTH_URL cannot change a test's outcome.
func cleanEnv(t *testing.T) {
	t.Helper()
	t.Setenv(envURL, "")
	t.Setenv(envToken, "")
}

// tripwire is a server that fails the test on any request: the bad-flag
// cases point at it to prove that flags are validated before any I/O.
func tripwire(t *testing.T) string {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "tripwire", http.StatusTeapot)
	}))
	t.Cleanup(func() {
		srv.Close()
		assert.Zero(t, hits.Load(), "a request reached the server although a flag was bad")
	})
	return srv.URL
}

// mock starts the mock Mattermost with dynamic client registration on.
func mock(t *testing.T, opts ...mockserver.Option) *mockserver.TestServer {
	t.Helper()
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	return mockserver.NewTestServer(t, append([]mockserver.Option{mockserver.WithConfig(cfg)}, opts...)...)
}

// usageCase is one invocation that must exit 2 naming a flag, without I/O.
type usageCase struct {
	name string
	args []string
	env  map[string]string
	want string // the flag (or argument) the one-line message must name
}

func runUsageCases(t *testing.T, cases []usageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			res := runCLI(t, tc.args...)
			assert.Equal(t, exitUsage, res.code, "stderr: %s", res.stderr)
			assert.Empty(t, res.stdout)
			assertOneLine(t, res.stderr)
			assert.Contains(t, res.stderr, tc.want)
		})
	}
}

// assertOneLine checks that an error report is exactly one line.
func assertOneLine(t *testing.T, s string) {
	t.Helper()
	require.NotEmpty(t, s)
	assert.Equal(t, 1, strings.Count(s, "\n"), "want one line, got %q", s)
	assert.True(t, strings.HasSuffix(s, "\n"))
}

// assertNoSecrets checks that none of secrets appears in s.
func assertNoSecrets(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, sec := range secrets {
		if sec != "" {
			assert.NotContains(t, s, sec, "a secret leaked")
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	for _, args := range [][]string{
		{"discover", "--help"},
		{"discover", "-h"},
		{"register", "--help"},
		{"apps", "--help"},
		{"apps", "list", "--help"},
		{"apps", "get", "--help"},
		{"apps", "create", "--help"},
		{"apps", "delete", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			res := runCLI(t, args...)
			assert.Equal(t, exitOK, res.code)
			assert.Empty(t, res.stderr)
			assert.Contains(t, res.stdout, "usage: mmoauth "+args[0])
			assert.Contains(t, res.stdout, "-o format")
		})
	}
}

func TestParseFlagsAnywhere(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		want       []string
		wantFormat string
	}{
		{"flags first", []string{"-o", "json", "a"}, []string{"a"}, outputJSON},
		{"flags last", []string{"a", "-o", "json"}, []string{"a"}, outputJSON},
		{"mixed", []string{"a", "-o", "json", "b"}, []string{"a", "b"}, outputJSON},
		{"double dash ends flags", []string{"a", "--", "-o", "json"}, []string{"a", "-o", "json"}, outputText},
		{"no positional", []string{"-o", "json"}, nil, outputJSON},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newFlagParser("x", "x", "", &bytes.Buffer{})
			var out outputFlags
			out.register(p.fs)
			got, err := p.parse(tc.args)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.wantFormat, out.format)
		})
	}
}

func TestCheckServerURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8065", true},
		{"https://chat.example.com/mattermost", true},
		{"ftp://example.com", false},
		{"example.com", false},
		{"http://", false},
		{"http://h/?q=1", false},
		{"http://h/?", false},
		{"http://h/#f", false},
		{"http://u:p@h/", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			err := checkServerURL(tc.url)
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}
