package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// TestMockCommandDeveloperMode: like a stock server, the mock sends an
// empty detailed_error (web/handlers.go wipes it unless EnableDeveloper is
// on); --enable-developer fills it.
func TestMockCommandDeveloperMode(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		banner string
		detail string
	}{
		{"stock", nil, "developer mode off", ""},
		{"developer", []string{"--enable-developer"}, "developer mode on", "permission=manage_oauth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base, banner, stop := startMock(t, tc.args...)
			assert.Contains(t, strings.Join(banner, "\n"), tc.banner)
			status, body := get(t, base+"/api/v4/oauth/apps/"+strings.Repeat("a", models.IDLength), "basicusertokenxxxxxxxxxxxx")
			require.Equal(t, http.StatusForbidden, status, "%s", body)
			var e models.AppError
			require.NoError(t, json.Unmarshal(body, &e))
			if tc.detail == "" {
				assert.Empty(t, e.DetailedError)
			} else {
				assert.Contains(t, e.DetailedError, tc.detail)
			}
			assert.Equal(t, exitOK, stop())
		})
	}
}
