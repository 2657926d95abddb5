package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// TestConformanceReadsMMOAUTHURL: with $MMOAUTH_URL set and no --url, the
// suite tests that server, as apps/discover/register do, and says so.
func TestConformanceReadsMMOAUTHURL(t *testing.T) {
	ts := mock(t)
	cleanConformanceEnv(t)
	t.Setenv(envURL, ts.URL)
	t.Setenv(envToken, ts.Identities.SystemAdmin.Token) // MMOAUTH_TOKEN: the admin identity
	res := runCLI(t, "conformance", "--only", "trusted/*/admin-honoured")
	require.Equal(t, exitOK, res.code, res.stdout+res.stderr)
	first, _, _ := strings.Cut(res.stdout, "\n")
	assert.Equal(t, "mmoauth conformance — target: "+ts.URL, first)
	assert.NotContains(t, res.stdout, "embedded mock")
	assert.Contains(t, res.stdout, "identities: admin=")
	assert.Contains(t, res.stdout, "(2 passed, 0 warnings, 0 failed)")

	// A flag meant for the embedded mock names where the URL came from.
	res = runCLI(t, "conformance", "--mock-deviation", "wrong-issuer")
	assert.Equal(t, exitUsage, res.code)
	assert.Contains(t, res.stderr, "$MMOAUTH_URL")
}

// TestConformanceNothingRanFails: a run in which no check exercised the
// server is not a pass, whatever the reason.
func TestConformanceNothingRanFails(t *testing.T) {
	ts := mock(t)
	cleanConformanceEnv(t)
	// No identities: every permission check that needs one is skipped.
	res := runCLI(t, "conformance", "--url", ts.URL, "--only", "permissions/*/non-creator-forbidden")
	assert.Equal(t, exitFailure, res.code, res.stdout)
	assert.Contains(t, res.stdout, "FAIL: no check ran: all 4 selected checks were skipped or blocked — 0 of ")
	assertOneLine(t, res.stderr[strings.LastIndex(strings.TrimSuffix(res.stderr, "\n"), "\n")+1:])
	assert.Contains(t, res.stderr, "mmoauth conformance: FAIL: no check ran")
}

func TestConformanceCoverageFlags(t *testing.T) {
	ts := mock(t)
	cleanConformanceEnv(t)
	t.Setenv("MMOAUTH_ADMIN_TOKEN", ts.Identities.SystemAdmin.Token)
	// get-app has checks for the admin and for identities not given.
	base := []string{"conformance", "--url", ts.URL, "--only", "permissions/get-app/*"}
	res := runCLI(t, base...)
	require.Equal(t, exitOK, res.code, "skips alone do not fail a run: %s", res.stdout)
	assert.Regexp(t, `PASS: \d+ of \d+ checks ran .*; [1-9]\d* skipped, 0 blocked, \d+ not selected`, res.stdout)

	res = runCLI(t, append(base, "--fail-on-skip")...)
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stdout, "skipped (--fail-on-skip)")

	res = runCLI(t, append(base, "--min-checks", "1000")...)
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stdout, "checks required by --min-checks ran")

	res = runCLI(t, append(base, "--min-checks", "1")...)
	assert.Equal(t, exitOK, res.code, res.stdout)
}

func TestConformancePatterns(t *testing.T) {
	cleanConformanceEnv(t)
	url := tripwire(t)
	runUsageCases(t, []usageCase{
		{"only matches nothing", []string{"conformance", "--url", url, "--only", "permissions/nothing/**"}, nil, `--only: pattern "permissions/nothing/**" matches no check`},
		{"skip matches nothing", []string{"conformance", "--url", url, "--skip", "rfc9999"}, nil, `--skip: pattern "rfc9999" matches no check`},
		{"list too", []string{"conformance", "--list", "--only", "nope"}, nil, `--only: pattern "nope"`},
		{"list format without list", []string{"conformance", "--url", url, "-o", "json"}, nil, "-o: only with --list"},
	})

	res := runCLI(t, "conformance", "--list", "--only", "rfc8414", "--skip", "**/served", "-o", "json")
	require.Equal(t, exitOK, res.code, res.stderr)
	var listed []struct{ ID, Category, Rule, Source string }
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &listed))
	require.NotEmpty(t, listed)
	for _, c := range listed {
		assert.Equal(t, "rfc8414", c.Category, c.ID)
		assert.NotEqual(t, "rfc8414/metadata/served", c.ID)
		assert.NotEmpty(t, c.Rule)
	}
	text := runCLI(t, "conformance", "--list", "--only", "**/anonymous-unauthorized")
	require.Equal(t, exitOK, text.code)
	for _, line := range strings.Split(strings.TrimSpace(text.stdout), "\n") {
		if !strings.HasPrefix(line, " ") {
			assert.Contains(t, line, "/anonymous-unauthorized  [", line)
		}
	}
}

// TestConformanceReportPaths: report paths are checked before any request,
// and "-" writes the report to stdout (the text report moves to stderr).
func TestConformanceReportPaths(t *testing.T) {
	cleanConformanceEnv(t)
	url := tripwire(t)
	dir := t.TempDir()
	runUsageCases(t, []usageCase{
		{"json in a missing dir", []string{"conformance", "--url", url, "--json", filepath.Join(dir, "no", "such", "r.json")}, nil, "--json: cannot write the report"},
		{"junit is a dir", []string{"conformance", "--url", url, "--junit", dir}, nil, "--junit: " + dir + " is a directory"},
		{"same file", []string{"conformance", "--url", url, "--json", "-", "--junit", "-"}, nil, "--junit"},
	})
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "checking a path leaves no file behind")

	res := runCLI(t, "conformance", "--only", "rfc8414/**", "--json", "-")
	require.Equal(t, exitOK, res.code, res.stderr)
	var rep conformance.Report
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &rep), "stdout is one JSON document")
	assert.Equal(t, "embedded mock (no --url)", rep.Target)
	assert.Contains(t, res.stderr, "target: embedded mock (no --url)")
}

func TestReadTokenFileShellSyntax(t *testing.T) {
	write := func(t *testing.T, content string) string {
		p := filepath.Join(t.TempDir(), "tokens.env")
		require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
		return p
	}
	good := write(t, strings.Join([]string{
		"# written by a script",
		"export MMOAUTH_ADMIN_TOKEN=aaaaaaaaaaaaaaaaaaaaaaaaaa",
		`manager="bbbbbbbbbbbbbbbbbbbbbbbbbb"`,
		"manager2='cccccccccccccccccccccccccc'  # second manager",
		"\texport\tuser=dddddddddddddddddddddddddd # plain",
		"",
	}, "\n"))
	got, err := readTokenFile(good)
	require.NoError(t, err)
	assert.Equal(t, map[conformance.Role]string{
		conformance.Admin: strings.Repeat("a", 26), conformance.Manager: strings.Repeat("b", 26),
		conformance.Manager2: strings.Repeat("c", 26), conformance.PlainUser: strings.Repeat("d", 26),
	}, got)

	for name, tc := range map[string]struct{ content, want string }{
		"unterminated quote": {"admin=ok\nmanager=\"secretvalue\n", "line 2: manager: unterminated \" quote"},
		"space in value":     {"admin=secret value\n", "line 1: admin: a token with spaces or quotes must be quoted"},
		"unknown key":        {"\n\nroot=secretvalue\n", `line 3: unknown key "root"`},
		"no equals":          {"export admin\n", "line 1: want KEY=TOKEN"},
		"empty":              {"admin=''\n", "line 1: admin has no token"},
		"trailing text":      {"admin='secret'value\n", "line 1: admin: unexpected text after the closing quote"},
		"expansion":          {"admin=\"$TOKEN\"\n", "line 1: admin: a shell would expand"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readTokenFile(write(t, tc.content))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "secret")
		})
	}
}

// TestConformanceSetupRuleBroken: a server that breaks a setup probe's rule
// fails the run, naming the rule, and lists what it blocked.
func TestConformanceSetupRuleBroken(t *testing.T) {
	ts := mock(t, mockserver.WithDeviations(mockserver.DevMeWithoutRoles))
	cleanConformanceEnv(t)
	t.Setenv("MMOAUTH_ADMIN_TOKEN", ts.Identities.SystemAdmin.Token)
	t.Setenv("MMOAUTH_USER_TOKEN", ts.Identities.PlainUser.Token)
	res := runCLI(t, "conformance", "--url", ts.URL, "--only", "setup/**,permissions/get-app/**")
	assert.Equal(t, exitFailure, res.code, res.stdout)
	assert.Contains(t, res.stdout, "FAIL setup/users-me/identity-resolved")
	assert.Contains(t, res.stdout, "during setup: GET /api/v4/users/me as admin: the user has no roles")
	assert.Contains(t, res.stdout, "Blocked by a rule broken during setup (")
	assert.Contains(t, res.stdout, "blocked by setup/users-me/identity-resolved: setup could not learn the admin identity")
	assert.Regexp(t, `FAIL: 1 check failed; \d+ checks blocked by a rule broken during setup`, res.stdout)
}

// TestConformanceSweep: --sweep deletes what earlier runs left (apps with
// the suite's marker) and nothing else.
func TestConformanceSweep(t *testing.T) {
	ts := mock(t)
	cleanConformanceEnv(t)
	admin, err := client.New(ts.URL, client.WithToken(ts.Identities.SystemAdmin.Token))
	require.NoError(t, err)
	ctx := context.Background()
	for _, req := range []*models.CreateOAuthAppRequest{
		{Name: "left over", Description: "Created by the mmoauth conformance suite; deleted when the run ends. [mmoauth-conformance run zz9plural]",
			Homepage: "https://conformance.mmoauth.invalid", CallbackURLs: []string{"https://conformance.mmoauth.invalid/callback"}},
		{Name: "mine", Homepage: "https://deploy.example.com", CallbackURLs: []string{"https://deploy.example.com/cb"}},
	} {
		_, _, err := admin.CreateOAuthApp(ctx, req)
		require.NoError(t, err)
	}
	t.Setenv("MMOAUTH_ADMIN_TOKEN", ts.Identities.SystemAdmin.Token)
	res := runCLI(t, "conformance", "--url", ts.URL, "--sweep")
	require.Equal(t, exitOK, res.code, res.stdout+res.stderr)
	assert.Regexp(t, `deleted [a-z0-9]{26}  left over  \(run zz9plural, created `, res.stdout)
	assert.Contains(t, res.stdout, "swept "+ts.URL+" as admin: 1 deleted, 0 could not be deleted")
	apps, _, err := admin.GetOAuthApps(ctx, 0, 200)
	require.NoError(t, err)
	require.Len(t, apps, 1)
	assert.Equal(t, "mine", apps[0].Name)

	res = runCLI(t, "conformance", "--sweep")
	assert.Equal(t, exitUsage, res.code)
	t.Setenv("MMOAUTH_ADMIN_TOKEN", "")
	res = runCLI(t, "conformance", "--url", ts.URL, "--sweep")
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stderr, "sweeping needs the admin identity")
}
