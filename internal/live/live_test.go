//go:build live

// Package live holds the live tests: they run against the server named by
// MMOAUTH_LIVE_URL with the identities of MMOAUTH_LIVE_TOKENS (make
// test-live), any Mattermost a user points them at. CI points them at the
// real Mattermost servers it starts (.ci/run).
package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/internal/differ"
	"github.com/mmoauth/mmoauth/internal/livetarget"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// TestLiveConformance runs the whole catalogue at concurrency 1 and 4: a
// faithful server has no failure and nothing blocked, and the run leaves
// nothing behind. Warnings are logged.
func TestLiveConformance(t *testing.T) {
	srv := livetarget.FromEnv(t)
	for _, n := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			rep, err := conformance.Run(context.Background(), conformance.Options{Concurrency: n},
				conformance.Target{URL: srv.URL, Tokens: srv.Tokens})
			require.NoError(t, err)
			var text bytes.Buffer
			require.NoError(t, rep.WriteText(&text))
			for _, r := range rep.Results {
				switch r.Status {
				case conformance.StatusFail, conformance.StatusBlocked:
					t.Errorf("%s %s: %s", r.ID, r.Status, summary(r))
				case conformance.StatusWarn:
					t.Logf("warning: %s: %s", r.ID, summary(r))
				}
			}
			assert.True(t, rep.OK(), "%s\n%s", rep.VerdictLine(), text.String())
			assert.Positive(t, rep.Summary.Ran)
			for _, tg := range rep.Targets {
				assert.Empty(t, tg.Leftovers)
			}
			left, err := conformance.Sweep(context.Background(), conformance.Target{URL: srv.URL, Tokens: srv.Tokens}, conformance.Options{})
			require.NoError(t, err)
			for _, a := range left.Deleted {
				if a.Run == rep.RunID {
					t.Errorf("the run left its app %s (%s) behind", a.ID, a.Name)
				}
			}
			t.Log(rep.VerdictLine())
		})
	}
}

func summary(r conformance.Result) string {
	msgs := []string{r.Reason}
	for _, f := range r.Failures {
		msgs = append(msgs, f.Message)
	}
	return strings.Join(msgs, "; ")
}

// TestLiveExamples runs the runnable examples against the live server, as
// its administrator: app management, the authorized-apps list, and, on a
// release with registration (11.2+) that has it on, discovery, RFC 7591
// registration and the authorization-code flow with PKCE through x/oauth2,
// public and confidential. Each example deletes what it made.
func TestLiveExamples(t *testing.T) {
	srv := livetarget.FromEnv(t)
	dir := t.TempDir()
	gobin, err := exec.LookPath("go")
	require.NoError(t, err)
	build := exec.CommandContext(t.Context(), gobin, "build", "-o", dir+string(filepath.Separator), "github.com/mmoauth/mmoauth/examples/...")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	dcr := srv.Version.AtLeast(11, 2) && registrationOn(t, srv.URL)
	for _, tc := range []struct {
		name     string
		needsDCR bool
		want     string
	}{
		{"manage-apps", false, "deleted"},
		{"authorized-apps", false, "deauthorize"},
		{"dcr-bot", true, "deauthorized: the access token now gets 401"},
		{"confidential-client", true, "refresh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsDCR && !dcr {
				t.Skipf("needs dynamic client registration: Mattermost %s has it %s", srv.Version,
					map[bool]string{true: "off", false: "not (it arrived in 11.2)"}[srv.Version.AtLeast(11, 2)])
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(dir, tc.name), "-url", srv.URL)
			cmd.Env = append(os.Environ(), "MMOAUTH_TOKEN="+srv.Tokens[conformance.Admin])
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Contains(t, strings.ToLower(string(out)), strings.ToLower(tc.want))
			assert.NotContains(t, string(out), srv.Tokens[conformance.Admin], "an example printed the token")
		})
	}
}

// registrationOn reads whether the metadata lists a registration endpoint.
func registrationOn(t *testing.T, url string) bool {
	resp, err := http.Get(url + "/.well-known/oauth-authorization-server") //nolint:noctx // a test's one-shot read
	require.NoError(t, err)
	defer resp.Body.Close()
	var m struct {
		RegistrationEndpoint string `json:"registration_endpoint"`
	}
	return resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&m) == nil && m.RegistrationEndpoint != ""
}

// TestLiveSettings turns registration and then the provider off through
// the server's config API, runs the checks of that state, and restores each
// setting (MMOAUTH_LIVE_MAY_CONFIGURE=1 only).
func TestLiveSettings(t *testing.T) {
	srv := livetarget.FromEnv(t)
	livetarget.MayConfigure(t)
	tests := []struct {
		name    string
		setting string
		since   [2]int
		only    []string
	}{
		{"registration off", "EnableDynamicClientRegistration", [2]int{11, 2},
			[]string{"setup/dcr/**", "rfc7591/disabled/**", "rfc8414/metadata/no-registration-endpoint-when-dcr-off"}},
		{"provider off", "EnableOAuthServiceProvider", [2]int{0, 0},
			[]string{"setup/provider/**", "provider-off/**"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !srv.Version.AtLeast(tc.since[0], tc.since[1]) {
				t.Skipf("Mattermost %s has no ServiceSettings.%s", srv.Version, tc.setting)
			}
			was := serviceSetting(t, srv, tc.setting)
			t.Cleanup(func() { patchServiceSetting(t, srv, tc.setting, was) })
			patchServiceSetting(t, srv, tc.setting, false)
			rep, err := conformance.Run(context.Background(), conformance.Options{Only: tc.only},
				conformance.Target{URL: srv.URL, Tokens: srv.Tokens})
			require.NoError(t, err)
			for _, r := range rep.Results {
				if r.Status == conformance.StatusFail || r.Status == conformance.StatusBlocked {
					t.Errorf("%s %s: %s", r.ID, r.Status, summary(r))
				}
			}
			assert.True(t, rep.OK(), rep.VerdictLine())
		})
	}
}

// serviceSetting reads a boolean ServiceSettings value as the admin.
func serviceSetting(t *testing.T, srv livetarget.Server, name string) bool {
	t.Helper()
	var cfg struct {
		ServiceSettings map[string]any
	}
	adminJSON(t, srv, http.MethodGet, "/api/v4/config", nil, &cfg)
	v, ok := cfg.ServiceSettings[name].(bool)
	require.True(t, ok, "ServiceSettings.%s is not a boolean: %v", name, cfg.ServiceSettings[name])
	return v
}

// patchServiceSetting sets a boolean ServiceSettings value through
// PUT /api/v4/config/patch (server/channels/api4/config.go patchConfig).
func patchServiceSetting(t *testing.T, srv livetarget.Server, name string, v bool) {
	t.Helper()
	adminJSON(t, srv, http.MethodPut, "/api/v4/config/patch", map[string]any{"ServiceSettings": map[string]any{name: v}}, nil)
	require.Equal(t, v, serviceSetting(t, srv, name), "ServiceSettings.%s did not change", name)
}

func adminJSON(t *testing.T, srv livetarget.Server, method, path string, body, out any) {
	t.Helper()
	var rd bytes.Buffer
	if body != nil {
		require.NoError(t, json.NewEncoder(&rd).Encode(body))
	}
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL+path, &rd)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Tokens[conformance.Admin])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s %s", method, path)
	if out != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	}
}

// TestLiveDifferential sends the differential plan to the live server and
// to the embedded mock emulating the server's release: every difference
// must be one the release's reviewed allowlist explains
// (internal/differ/testdata/allow-X.Y.json; none means no difference).
func TestLiveDifferential(t *testing.T) {
	srv := livetarget.FromEnv(t)
	release := models.Release{Major: srv.Version.Major, Minor: srv.Version.Minor}
	var allow []differ.Allowed
	if b, err := os.ReadFile(filepath.Join("..", "differ", "testdata", "allow-"+release.String()+".json")); err == nil {
		require.NoError(t, json.Unmarshal(b, &allow))
	}
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = registrationOn(t, srv.URL)
	cfg.Release = release
	mock, err := mockserver.Listen(t.Context(), "127.0.0.1:0", mockserver.WithConfig(cfg))
	require.NoError(t, err)
	defer mock.Close()
	id := mock.Server.Identities()
	tokens := map[string]string{}
	for r, tok := range srv.Tokens {
		tokens[string(r)] = tok
	}
	res, err := differ.Run(context.Background(), differ.Server{URL: srv.URL, Tokens: tokens},
		differ.Server{URL: mock.URL, Tokens: map[string]string{"admin": id.SystemAdmin.Token, "manager": id.OAuthManager.Token,
			"manager2": id.OAuthManager2.Token, "user": id.PlainUser.Token}}, differ.Plan(), allow)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, res.Requests, 300)
	for _, d := range res.Differences {
		if d.Explained == "" {
			t.Errorf("%s: %s: the server answered %s, the mock at %s %s", d.Request.Name, d.Field, d.A, release, d.B)
		}
	}
	t.Logf("%d requests, %d differences, %d unexplained", res.Requests, len(res.Differences), res.Unexplained())
}
