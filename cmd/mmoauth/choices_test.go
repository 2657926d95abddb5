package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/mockserver"
)

// TestBadChoicesListTheValidOnes: an unknown deviation or a bad fault exits
// 2 with one line naming the flag, followed by every valid name with a
// one-line description, before anything listens.
func TestBadChoicesListTheValidOnes(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		flag  string
		lines []string // lines the list must hold
	}{
		{"unknown deviation", []string{"mock", "--deviation", "nope"}, "--deviation",
			[]string{"  wrong-issuer ", "the metadata issuer has a trailing slash added."}},
		{"unknown mock deviation", []string{"conformance", "--mock-deviation", "nonsense"}, "--mock-deviation",
			[]string{"  pkce-verifier-not-checked ", "any code_verifier is accepted."}},
		{"bad fault status", []string{"mock", "--fault", "status=404"}, "--fault",
			[]string{"  status=N ", "answer 429, 500, 502 or 503"}},
		{"fault on an unknown route", []string{"mock", "--fault", "route=Nope,status=500"}, "--fault",
			[]string{"  GetOAuthApp ", "GET /api/v4/oauth/apps/{app_id}", "  route=OPERATION_ID "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cleanEnv(t)
			res := runCLI(t, tt.args...)
			assert.Equal(t, exitUsage, res.code)
			assert.Empty(t, res.stdout)
			first, rest, ok := strings.Cut(res.stderr, "\n")
			require.True(t, ok)
			assert.Contains(t, first, tt.flag)
			for _, l := range tt.lines {
				assert.Contains(t, rest, l)
			}
		})
	}
	// Every deviation is listed, each with its description.
	res := runCLI(t, "mock", "--deviation", "nope")
	for _, d := range mockserver.AllDeviations() {
		assert.Contains(t, res.stderr, "  "+string(d)+" ")
		assert.Contains(t, res.stderr, d.Description())
	}
}
