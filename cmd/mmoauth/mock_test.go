package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// startMock runs "mmoauth mock args..." on 127.0.0.1:0 and returns its URL,
// the banner lines, a stop function and the channel of its exit code.
func startMock(t *testing.T, args ...string) (string, []string, func() int) {
	t.Helper()
	return startMockLogging(t, &lockedBuffer{}, args...)
}

// startMockLogging is startMock with the command's stderr going to stderr
// (which must be safe to write from the server's goroutines).
func startMockLogging(t *testing.T, stderr interface {
	io.Writer
	String() string
}, args ...string) (string, []string, func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"mock", "--addr", "127.0.0.1:0"}, args...), pw, stderr)
		_ = pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var banner []string
	for sc.Scan() {
		banner = append(banner, sc.Text())
		if strings.HasPrefix(sc.Text(), "Press Ctrl-C") {
			break
		}
	}
	require.NotEmpty(t, banner, "no banner; stderr: %s", stderr.String())
	base, ok := strings.CutPrefix(banner[0], "mmoauth mock: serving ")
	require.True(t, ok, banner[0])
	drained := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, pr)
		close(drained)
	}()
	stop := func() int {
		cancel()
		c := <-code
		<-drained
		return c
	}
	t.Cleanup(func() {
		cancel()
	})
	return base, banner, stop
}

func get(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// TestMockCommand starts the subcommand, talks to it with the printed
// tokens and stops it as a signal would (the context is cancelled).
func TestMockCommand(t *testing.T) {
	base, banner, stop := startMock(t, "--enable-dcr", "--fault", "route=GetOAuthApps,status=503,count=1")
	text := strings.Join(banner, "\n")
	for _, want := range []string{"sysadmintokenxxxxxxxxxxxxx", "basicusertokenxxxxxxxxxxxx", "dynamic client registration on", "SiteURL " + base, "1 fault rule"} {
		assert.Contains(t, text, want)
	}

	status, body := get(t, base+"/api/v4/users/me", "sysadmintokenxxxxxxxxxxxxx")
	require.Equal(t, http.StatusOK, status, "%s", body)
	var me models.User
	require.NoError(t, json.Unmarshal(body, &me))
	assert.Equal(t, "sysadmin", me.Username)

	status, body = get(t, base+"/.well-known/oauth-authorization-server", "")
	require.Equal(t, http.StatusOK, status)
	var meta models.AuthorizationServerMetadata
	require.NoError(t, json.Unmarshal(body, &meta))
	assert.Equal(t, base, meta.Issuer)
	assert.Equal(t, base+"/api/v4/oauth/apps/register", meta.RegistrationEndpoint)

	status, _ = get(t, base+"/api/v4/oauth/apps", "sysadmintokenxxxxxxxxxxxxx")
	assert.Equal(t, http.StatusServiceUnavailable, status, "the injected fault")
	status, _ = get(t, base+"/api/v4/oauth/apps", "sysadmintokenxxxxxxxxxxxxx")
	assert.Equal(t, http.StatusOK, status, "count=1")

	assert.Equal(t, exitOK, stop())
}

// TestMockCommandSeed: a seed file sets users and settings; flags win.
func TestMockCommandSeed(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.json")
	require.NoError(t, os.WriteFile(seed, []byte(`{
	  "users": [{"username": "alice", "roles": "system_user system_admin", "token": "alicetoken"}],
	  "config": {"site_url": "https://mm.example.com", "enable_dynamic_client_registration": true}
	}`), 0o600))
	base, banner, stop := startMock(t, "--seed", seed, "--enable-dcr=false")
	assert.Contains(t, strings.Join(banner, "\n"), "alicetoken")
	status, body := get(t, base+"/.well-known/oauth-authorization-server", "")
	require.Equal(t, http.StatusOK, status)
	var meta models.AuthorizationServerMetadata
	require.NoError(t, json.Unmarshal(body, &meta))
	assert.Equal(t, "https://mm.example.com", meta.Issuer)
	assert.Empty(t, meta.RegistrationEndpoint, "--enable-dcr=false wins over the seed")
	status, _ = get(t, base+"/api/v4/users/me", "alicetoken")
	assert.Equal(t, http.StatusOK, status)
	status, _ = get(t, base+"/api/v4/users/me", "sysadmintokenxxxxxxxxxxxxx")
	assert.Equal(t, http.StatusUnauthorized, status, "the seed replaces the default identities")
	assert.Equal(t, exitOK, stop())
}

// TestMockCommandUsage: bad flags exit 2 with one line on stderr naming the
// flag, before anything listens.
func TestMockCommandUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"colour": 1}`), 0o600))
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "-nope"},
		{"negative latency", []string{"--latency", "-1s"}, "--latency"},
		{"bad site URL", []string{"--site-url", "ftp://x"}, "--site-url"},
		{"bad address", []string{"--addr", "nope"}, "--addr"},
		{"missing seed", []string{"--seed", missing}, "--seed"},
		{"invalid seed", []string{"--seed", bad}, "--seed"},
		{"positional argument", []string{"extra"}, "extra"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runCLI(t, append([]string{"mock"}, tt.args...)...)
			assert.Equal(t, exitUsage, res.code, res.stderr)
			assert.Equal(t, 1, strings.Count(res.stderr, "\n"), "one line: %q", res.stderr)
			assert.Contains(t, res.stderr, tt.want)
			assert.Empty(t, res.stdout)
		})
	}
}

// TestMockCommandHelp documents the flags and the fault syntax.
func TestMockCommandHelp(t *testing.T) {
	res := runCLI(t, "mock", "--help")
	require.Equal(t, exitOK, res.code)
	for _, want := range []string{"--addr", "--site-url", "--seed", "--enable-dcr", "--disable-oauth", "--dcr-allowlist", "--dcr-rate-limit", "--fault", "--latency", "retry-after"} {
		assert.Contains(t, res.stdout, want)
	}
}

// TestMockCommandListenError: an address in use is a failure (exit 1).
func TestMockCommandListenError(t *testing.T) {
	base, _, stop := startMock(t)
	addr := strings.TrimPrefix(base, "http://")
	res := runCLI(t, "mock", "--addr", addr)
	assert.Equal(t, exitFailure, res.code, res.stderr)
	assert.Contains(t, res.stderr, "listen")
	assert.Equal(t, exitOK, stop())
}
