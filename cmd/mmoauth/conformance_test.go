package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// cleanConformanceEnv clears every variable the conformance command reads.
func cleanConformanceEnv(t *testing.T) {
	t.Helper()
	cleanEnv(t)
	for _, r := range conformance.Roles() {
		t.Setenv(r.TokenEnv(), "")
	}
}

// TestConformanceEmbedded is `make run`: the whole catalogue against the
// embedded mock passes, in every configuration, and writes its reports.
func TestConformanceEmbedded(t *testing.T) {
	cleanConformanceEnv(t)
	dir := t.TempDir()
	jsonFile, junitFile := filepath.Join(dir, "report.json"), filepath.Join(dir, "report.xml")
	res := runCLI(t, "conformance", "--json", jsonFile, "--junit", junitFile)
	require.Equal(t, exitOK, res.code, "stdout: %s\nstderr: %s", res.stdout, res.stderr)
	// Without a terminal, CI logs still see the run progress: a line a check.
	assert.Equal(t, len(conformance.Catalogue()), strings.Count(res.stderr, "\n"), res.stderr)
	assert.NotContains(t, res.stderr, "\r", "no rewritten progress line when stderr is not a terminal")
	first, _, _ := strings.Cut(res.stdout, "\n")
	assert.Contains(t, first, "target: embedded mock (no --url)")
	for _, want := range []string{"provider on, DCR off", "DCR on with an allowlist", "provider off", "server version: 11.",
		"PASS: ", " 0 failed", "; 0 skipped, 0 blocked"} {
		assert.Contains(t, res.stdout, want)
	}

	var rep conformance.Report
	b, err := os.ReadFile(jsonFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	assert.Len(t, rep.Results, len(conformance.Catalogue()))
	assert.Len(t, rep.Targets, len(embeddedConfigs))
	assert.Equal(t, "embedded mock (no --url)", rep.Target)
	assert.Equal(t, len(conformance.Catalogue()), rep.Summary.Ran)
	for _, tg := range rep.Targets {
		assert.NotEmpty(t, tg.URL)
		assert.Regexp(t, `^\d+\.\d+\.\d+$`, tg.ServerVersion)
	}

	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Properties []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
		} `xml:"testsuite"`
	}
	b, err = os.ReadFile(junitFile)
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &junit))
	assert.Equal(t, len(conformance.Catalogue()), junit.Tests)
	assert.Zero(t, junit.Failures)
	require.NotEmpty(t, junit.Suites)
	props := map[string]string{}
	for _, p := range junit.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	assert.Equal(t, "embedded mock (no --url)", props["target"])
	assert.NotEmpty(t, props["target.1.url"])
	assert.Regexp(t, `^11\.`, props["target.1.server_version"])
}

func TestConformanceMockDeviation(t *testing.T) {
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--mock-deviation", "noncreator-can-access", "--only", "permissions/**")
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stdout, "FAIL permissions/get-app/non-creator-forbidden")
	assert.Contains(t, res.stdout, "FAIL: ")
}

// TestConformanceMockDeveloperMode: the embedded mocks send detailed_error,
// so a 403 for the wrong reason shows.
func TestConformanceMockDeveloperMode(t *testing.T) {
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--mock-deviation", "oauth-gate-missing", "--only", "permissions/*/plain-user-forbidden")
	assert.Equal(t, exitFailure, res.code, res.stdout)
	assert.Contains(t, res.stdout, "FAIL permissions/get-app/plain-user-forbidden")
	assert.Contains(t, res.stdout, "does not name manage_oauth")
}

func TestConformanceStrict(t *testing.T) {
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--strict", "--only", "rfc7591/register/**")
	assert.Equal(t, exitFailure, res.code, "the real server's RFC deviations fail with --strict")
	assert.Contains(t, res.stdout, "FAIL rfc7591/register/fragment-redirect-uri-rejected")
}

func TestConformanceList(t *testing.T) {
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--list")
	require.Equal(t, exitOK, res.code)
	for _, c := range conformance.Catalogue() {
		assert.Contains(t, res.stdout, c.ID+"  ["+string(c.Category))
	}
	help := runCLI(t, "conformance", "--help")
	assert.Equal(t, exitOK, help.code)
	for _, flag := range []string{"--url", "--admin-token", "--manager2-token", "--token-file", "--strict", "--read-only", "--json", "--junit",
		"--timeout", "--max-time", "--concurrency", "--only", "--skip", "--list", "--dcr-allowlist"} {
		assert.Contains(t, help.stdout, flag)
	}
}

// TestConformanceLiveServer runs against a server given by --url, with the
// identities from the environment and from a token file.
func TestConformanceLiveServer(t *testing.T) {
	ts := mock(t)
	id := ts.Identities
	t.Run("environment", func(t *testing.T) {
		cleanConformanceEnv(t)
		t.Setenv("MMOAUTH_ADMIN_TOKEN", id.SystemAdmin.Token)
		t.Setenv("MMOAUTH_MANAGER_TOKEN", id.OAuthManager.Token)
		t.Setenv("MMOAUTH_MANAGER2_TOKEN", id.OAuthManager2.Token)
		t.Setenv("MMOAUTH_USER_TOKEN", id.PlainUser.Token)
		res := runCLI(t, "conformance", "--url", ts.URL, "--read-only")
		require.Equal(t, exitOK, res.code, res.stdout+res.stderr)
		assert.Contains(t, res.stdout, "DCR on") // detected
		assert.Contains(t, res.stdout, "read-only run")
		assertNoSecrets(t, res.stdout, id.SystemAdmin.Token, id.OAuthManager.Token, id.PlainUser.Token)
	})
	t.Run("token file", func(t *testing.T) {
		cleanConformanceEnv(t)
		file := filepath.Join(t.TempDir(), "tokens")
		content := "# identities\nadmin=" + id.SystemAdmin.Token + "\nMMOAUTH_MANAGER_TOKEN=" + id.OAuthManager.Token + "\n"
		require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
		res := runCLI(t, "conformance", "--url", ts.URL, "--token-file", file, "--only", "permissions/*/admin-allowed")
		require.Equal(t, exitOK, res.code, res.stdout+res.stderr)
		assert.Contains(t, res.stdout, "4 passed")
	})
	t.Run("missing identities skip", func(t *testing.T) {
		cleanConformanceEnv(t)
		res := runCLI(t, "conformance", "--url", ts.URL, "--only", "permissions/get-app/**")
		require.Equal(t, exitOK, res.code, res.stdout+res.stderr)
		assert.Contains(t, res.stdout, "no manager identity given")
	})
}

// TestConformanceBadServers: each unusable server gives one line and exit 1.
func TestConformanceBadServers(t *testing.T) {
	closed := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		u := "http://" + l.Addr().String()
		require.NoError(t, l.Close())
		return u
	}
	server := func(t *testing.T, h http.HandlerFunc) string {
		s := httptest.NewServer(h)
		t.Cleanup(s.Close)
		return s.URL
	}
	tests := []struct {
		name string
		url  func(t *testing.T) string
		args []string
		want string
	}{
		{"unreachable", closed, nil, "cannot connect"},
		{"html", func(t *testing.T) string {
			return server(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = w.Write([]byte("<!doctype html><title>hello</title>"))
			})
		}, nil, "does not look like a Mattermost server"},
		{"garbage", func(t *testing.T) string {
			return server(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte{0xff, 0x00, 0x13}) })
		}, nil, "does not look like a Mattermost server"},
		{"hanging", func(t *testing.T) string {
			return server(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
		}, []string{"--timeout", "200ms"}, "no answer within 200ms"},
		// From the environment: --admin-token would add its process-list
		// warning to the one line.
		{"wrong token", func(t *testing.T) string {
			t.Setenv("MMOAUTH_ADMIN_TOKEN", "notavalidtokennotavalidtok")
			return mock(t).URL
		}, nil, "the admin token was refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cleanConformanceEnv(t)
			res := runCLI(t, append([]string{"conformance", "--url", tc.url(t)}, tc.args...)...)
			assert.Equal(t, exitFailure, res.code)
			assertOneLine(t, res.stderr)
			assert.Contains(t, res.stderr, tc.want)
			assert.NotContains(t, res.stderr, "notavalidtoken")
			assert.Empty(t, res.stdout)
		})
	}
}

func TestConformanceUsageErrors(t *testing.T) {
	url := tripwire(t)
	missing := filepath.Join(t.TempDir(), "absent")
	bad := filepath.Join(t.TempDir(), "bad")
	require.NoError(t, os.WriteFile(bad, []byte("root=secretsecretsecret\n"), 0o600))
	runUsageCases(t, []usageCase{
		{"unknown flag", []string{"conformance", "--bogus"}, nil, "-bogus"},
		{"positional", []string{"conformance", "extra"}, nil, `"extra"`},
		{"timeout", []string{"conformance", "--timeout", "0s"}, nil, "--timeout"},
		{"bad duration", []string{"conformance", "--max-time", "soon"}, nil, "-max-time"},
		{"max-time", []string{"conformance", "--max-time", "-1s"}, nil, "--max-time"},
		{"concurrency", []string{"conformance", "--concurrency", "0"}, nil, "--concurrency"},
		{"only glob", []string{"conformance", "--only", "["}, nil, "--only"},
		{"dcr value", []string{"conformance", "--url", url, "--dcr", "maybe"}, nil, "--dcr"},
		{"provider value", []string{"conformance", "--url", url, "--provider", "yes"}, nil, "--provider"},
		{"url", []string{"conformance", "--url", "ftp://x"}, nil, "--url"},
		{"token without url", []string{"conformance", "--admin-token", "x"}, nil, "--admin-token"},
		{"allowlist without url", []string{"conformance", "--dcr-allowlist", "https://x/*"}, nil, "--dcr-allowlist"},
		{"deviation with url", []string{"conformance", "--url", url, "--mock-deviation", "no-s256"}, nil, "--mock-deviation"},
		{"token file missing", []string{"conformance", "--url", url, "--token-file", missing}, nil, "--token-file"},
		{"token file malformed", []string{"conformance", "--url", url, "--token-file", bad}, nil, "--token-file"},
	})
	// The malformed token file's content is never echoed.
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--url", url, "--token-file", bad)
	assert.NotContains(t, res.stderr, "secretsecret")
}

// TestConformanceReadOnlyFlag: --read-only against the embedded mock
// creates nothing and still passes.
func TestConformanceReadOnlyFlag(t *testing.T) {
	cleanConformanceEnv(t)
	res := runCLI(t, "conformance", "--read-only", "--concurrency", "1")
	require.Equal(t, exitOK, res.code, res.stdout)
	assert.Contains(t, res.stdout, "apps created and deleted: 0")
	assert.True(t, strings.Contains(res.stdout, "creates apps (read-only run)"))
}

// The embedded configurations reach every gate of the catalogue.
func TestEmbeddedConfigsCoverGates(t *testing.T) {
	var cfgs []mockserver.Config
	for _, ec := range embeddedConfigs {
		c := mockserver.DefaultConfig()
		ec.edit(&c)
		cfgs = append(cfgs, c)
	}
	has := func(f func(mockserver.Config) bool) bool {
		for _, c := range cfgs {
			if f(c) {
				return true
			}
		}
		return false
	}
	assert.True(t, has(func(c mockserver.Config) bool {
		return c.EnableOAuthServiceProvider && !c.EnableDynamicClientRegistration
	}))
	assert.True(t, has(func(c mockserver.Config) bool {
		return c.EnableOAuthServiceProvider && c.EnableDynamicClientRegistration
	}))
	assert.True(t, has(func(c mockserver.Config) bool { return len(c.DCRRedirectURIAllowlist) > 0 }))
	assert.True(t, has(func(c mockserver.Config) bool { return !c.EnableOAuthServiceProvider }))
}
