package mockserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDetailedErrorNeedsDeveloperMode: web/handlers.go wipes detailed_error
// unless ServiceSettings.EnableDeveloper is on, so a stock server (and the
// default mock) sends it empty; developer mode, set in Go or by a seed file,
// names the missing permission.
func TestDetailedErrorNeedsDeveloperMode(t *testing.T) {
	on := func(s string) Option {
		seed, err := LoadSeed(strings.NewReader(s))
		require.NoError(t, err)
		return WithSeed(seed)
	}
	tests := []struct {
		name     string
		opts     []Option
		detailed bool
	}{
		{"stock default", nil, false},
		{"EnableDeveloper", []Option{WithConfig(Config{EnableOAuthServiceProvider: true, EnableDeveloper: true})}, true},
		{"seed enable_developer", []Option{on(`{"config":{"enable_developer":true}}`)}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := NewTestServer(t, tc.opts...)
			r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU), Body: newApp("x")})
			require.Equal(t, http.StatusForbidden, r.Status)
			e := r.appError(t)
			assert.Equal(t, "api.context.permissions.app_error", e.ID, "the id is sent either way")
			want := ""
			if tc.detailed {
				want = "userId=" + ts.Identities.PlainUser.ID + ", permission=manage_oauth"
			}
			assert.Equal(t, want, e.DetailedError)
		})
	}
}
