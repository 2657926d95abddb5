package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/internal/har/hartest"
)

// TestConformanceBaselineWorkflow: write the failures of a broken server as
// a baseline, run again with it (passes, known), then against a faithful
// server with --strict-baseline (fails: the entry is fixed).
func TestConformanceBaselineWorkflow(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	only := []string{"conformance", "--only", "rfc8414/**"}

	res := runCLI(t, append(only, "--mock-deviation", "wrong-issuer", "--write-baseline", base)...)
	assert.Equal(t, exitFailure, res.code)
	data, err := os.ReadFile(base)
	require.NoError(t, err)
	assert.Contains(t, string(data), "rfc8414/metadata/issuer-matches-url")

	res = runCLI(t, append(only, "--mock-deviation", "wrong-issuer", "--baseline", base)...)
	assert.Equal(t, exitOK, res.code, res.stdout+res.stderr)
	assert.Contains(t, res.stdout, "baseline: 1 known, 0 fixed")

	res = runCLI(t, append(only, "--baseline", base)...)
	assert.Equal(t, exitOK, res.code, "fixed does not fail without --strict-baseline")
	assert.Contains(t, res.stdout, "baseline: 0 known, 1 fixed")

	res = runCLI(t, append(only, "--baseline", base, "--strict-baseline")...)
	assert.Equal(t, exitFailure, res.code)
	assert.Contains(t, res.stdout, "--strict-baseline")
}

func TestConformanceHARAndVerbose(t *testing.T) {
	cleanEnv(t)
	harPath := filepath.Join(t.TempDir(), "run.har")
	res := runCLI(t, "conformance", "--only", "rfc8414/**", "--har", harPath, "-v")
	require.Equal(t, exitOK, res.code, res.stderr)
	assert.Contains(t, res.stderr, "mmoauth conformance: [rfc8414/metadata/issuer-matches-url] GET /.well-known/oauth-authorization-server as anonymous -> 200 OK")
	data, err := os.ReadFile(harPath)
	require.NoError(t, err)
	log, err := hartest.Parse(data)
	require.NoError(t, err)
	assert.NotEmpty(t, log.Entries)
	assert.Equal(t, "mmoauth conformance", log.Creator.Name)
	lines := 0
	for _, l := range strings.Split(res.stderr, "\n") {
		if strings.HasPrefix(l, "mmoauth conformance: [") {
			lines++
		}
	}
	assert.Equal(t, len(log.Entries), lines, "-v prints every exchange the HAR log holds")
}

func TestConformanceQABadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
		return p
	}
	malformed := write("malformed.json", `{"known_failures": [`)
	unknown := write("unknown.json", `{"known_failures": [{"id": "no/such/check"}]}`)
	srv := tripwire(t)
	env := map[string]string{"MMOAUTH_ADMIN_TOKEN": "admintokenadmintokenadmint"}
	runUsageCases(t, []usageCase{
		{"malformed baseline", []string{"conformance", "--url", srv, "--baseline", malformed}, env, "--baseline"},
		{"unknown check id", []string{"conformance", "--url", srv, "--baseline", unknown}, env, `unknown check id "no/such/check"`},
		{"missing baseline", []string{"conformance", "--url", srv, "--baseline", filepath.Join(dir, "none.json")}, env, "--baseline"},
		{"strict without baseline", []string{"conformance", "--url", srv, "--strict-baseline"}, env, "--strict-baseline"},
		{"unwritable HAR", []string{"conformance", "--url", srv, "--har", filepath.Join(dir, "no", "x.har")}, env, "--har"},
		{"unwritable baseline", []string{"conformance", "--url", srv, "--write-baseline", filepath.Join(dir, "no", "b.json")}, env, "--write-baseline"},
		{"embedded: malformed baseline", []string{"conformance", "--baseline", malformed}, nil, "--baseline"},
	})
}
