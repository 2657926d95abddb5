package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMockVerboseLogsRequests: mock -v logs one line per request with the
// method, path, status, latency and identity, and never a token.
func TestMockVerboseLogsRequests(t *testing.T) {
	var stderr lockedBuffer
	base, banner, stop := startMockLogging(t, &stderr, "-v")
	var adminToken string
	for _, l := range banner {
		if strings.Contains(l, "system admin") {
			f := strings.Fields(l)
			adminToken = f[len(f)-1]
		}
	}
	require.NotEmpty(t, adminToken)

	status, _ := get(t, base+"/api/v4/oauth/apps?page=0&per_page=5", adminToken)
	assert.Equal(t, http.StatusOK, status)
	status, _ = get(t, base+"/api/v4/oauth/apps", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = get(t, base+"/api/v4/oauth/apps", "notatokenofanyseededuserxx")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Equal(t, exitOK, stop())

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.Len(t, lines, 3, stderr.String())
	assert.Regexp(t, `^mmoauth mock: GET /api/v4/oauth/apps 200 \S+ as sysadmin$`, lines[0])
	assert.Regexp(t, `^mmoauth mock: GET /api/v4/oauth/apps 401 \S+ as anonymous$`, lines[1])
	assert.Regexp(t, `^mmoauth mock: GET /api/v4/oauth/apps 401 \S+ as unknown token$`, lines[2])
	assert.NotContains(t, stderr.String(), adminToken)
	assert.NotContains(t, stderr.String(), "per_page", "no query")
}
