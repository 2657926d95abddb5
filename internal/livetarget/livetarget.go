// Package livetarget gives the live tests (make test-live) their server:
// MMOAUTH_LIVE_URL and the token file MMOAUTH_LIVE_TOKENS, in the KEY=TOKEN
// format the conformance suite reads (admin=, manager=, manager2=, user=).
// Without MMOAUTH_LIVE_URL a live test is skipped; with it, an unreachable
// server, an unreadable token file or a missing identity fails the test
// with one line, at once.
package livetarget

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/conformance"
)

// Environment variables of the live tests.
const (
	EnvURL          = "MMOAUTH_LIVE_URL"
	EnvTokens       = "MMOAUTH_LIVE_TOKENS" //nolint:gosec // G101: a variable's name, not a credential
	EnvMayConfigure = "MMOAUTH_LIVE_MAY_CONFIGURE"
)

// Server is the live server under test.
type Server struct {
	URL    string
	Tokens map[conformance.Role]string
	// Version is the release it announces (X-Version-Id).
	Version conformance.Version
}

// FromEnv returns the live server, or skips the test when none is named.
// Every identity must be given: the live tests play the whole permission
// matrix.
func FromEnv(t testing.TB) Server {
	t.Helper()
	url := strings.TrimRight(strings.TrimSpace(os.Getenv(EnvURL)), "/")
	if url == "" {
		t.Skipf("no live server: set %s (and %s) or run make test-live", EnvURL, EnvTokens)
	}
	path := os.Getenv(EnvTokens)
	if path == "" {
		t.Fatalf("%s is set but %s is not: give the token file (admin=, manager=, manager2=, user=)", EnvURL, EnvTokens)
	}
	f, err := os.Open(path) //nolint:gosec // G304: the tester names the file
	if err != nil {
		t.Fatalf("%s: %v", EnvTokens, err)
	}
	defer f.Close()
	tokens, err := conformance.ParseTokenFile(f)
	if err != nil {
		t.Fatalf("%s: %s %v", EnvTokens, path, err)
	}
	for _, r := range conformance.Roles() {
		if tokens[r] == "" {
			t.Fatalf("%s: %s has no %s token; the live tests need all four identities", EnvTokens, path, r)
		}
	}
	v, err := ping(url)
	if err != nil {
		t.Fatalf("live server %s: %v", url, err)
	}
	return Server{URL: url, Tokens: tokens, Version: v}
}

// ping checks that the server answers GET /api/v4/system/ping within 10 s
// and reads the release it announces.
func ping(url string) (conformance.Version, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v4/system/ping", nil) //nolint:gosec // G704: the tester names the server on purpose
	if err != nil {
		return conformance.Version{}, err
	}
	resp, err := http.DefaultClient.Do(req) //nolint:gosec // G704: the tester names the server on purpose
	if err != nil {
		return conformance.Version{}, fmt.Errorf("unreachable: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return conformance.Version{}, fmt.Errorf("GET /api/v4/system/ping answered %d: not a running Mattermost", resp.StatusCode)
	}
	v, err := conformance.ParseVersion(resp.Header.Get("X-Version-Id"))
	if err != nil {
		return conformance.Version{}, err
	}
	return v, nil
}

// MayConfigure skips the test unless the tester allowed the live tests to
// change the server's settings (MMOAUTH_LIVE_MAY_CONFIGURE=1); they restore
// what they change.
func MayConfigure(t testing.TB) {
	t.Helper()
	if os.Getenv(EnvMayConfigure) != "1" {
		t.Skipf("changes a server setting: set %s=1 to allow it (the setting is restored afterwards)", EnvMayConfigure)
	}
}
