package mockserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const metadataPath = "/.well-known/oauth-authorization-server"

// TestMetadata: the RFC 8414 document is built from SiteURL (server/channels/app/oauth.go GetAuthorizationServerMetadata).
func TestMetadata(t *testing.T) {
	tests := []struct {
		name    string
		site    string
		dcr     bool
		wantReg string
	}{
		{"registration off", "https://mm.example.com", false, ""},
		{"registration on", "https://mm.example.com", true, "https://mm.example.com/api/v4/oauth/apps/register"},
		{"subpath with a trailing slash, issuer verbatim", "https://example.com/mattermost/", true, "https://example.com/mattermost/api/v4/oauth/apps/register"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t, WithConfig(Config{SiteURL: tt.site, EnableOAuthServiceProvider: true, EnableDynamicClientRegistration: tt.dcr}))
			r := do(t, ts, req{Method: http.MethodGet, Path: metadataPath})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			var m models.AuthorizationServerMetadata
			r.decode(t, &m)
			base := tt.site
			if base[len(base)-1] == '/' {
				base = base[:len(base)-1]
			}
			assert.Equal(t, tt.site, m.Issuer)
			assert.Equal(t, base+"/oauth/authorize", m.AuthorizationEndpoint)
			assert.Equal(t, base+"/oauth/access_token", m.TokenEndpoint)
			assert.Equal(t, tt.wantReg, m.RegistrationEndpoint)
			assert.Equal(t, []string{"code"}, m.ResponseTypesSupported)
			assert.Equal(t, []string{"user"}, m.ScopesSupported)
			assert.Equal(t, []string{"authorization_code", "refresh_token"}, m.GrantTypesSupported)
			assert.Equal(t, []string{"none", "client_secret_post"}, m.TokenEndpointAuthMethodsSupported)
			assert.Equal(t, []string{"S256"}, m.CodeChallengeMethodsSupported)
		})
	}
}

// TestMetadataGates: 501 with the provider off, 500 without a SiteURL.
func TestMetadataGates(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		want   int
		wantID string
	}{
		{"provider off", Config{SiteURL: "https://x.example.com"}, 501, "api.oauth.authorization_server_metadata.disabled.app_error"},
		{"no site URL", Config{EnableOAuthServiceProvider: true}, 500, "api.oauth.authorization_server_metadata.site_url_required.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t, WithConfig(tt.cfg))
			ts.Server.UpdateConfig(func(c *Config) { c.SiteURL = tt.cfg.SiteURL })
			r := do(t, ts, req{Method: http.MethodGet, Path: metadataPath})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			// A web handler's error: the HTML page that sends a browser to
			// /error with the message (seen on Mattermost 11.6).
			assert.Equal(t, "text/html", r.Header.Get("Content-Type"))
			assert.Contains(t, string(r.Body), "/error?message="+url.QueryEscape(messages[tt.wantID]))
			assert.NotContains(t, string(r.Body), "type=")
		})
	}
}

// TestProviderOff: with EnableOAuthServiceProvider=false every app endpoint
// answers 501 once the checks before the app layer pass (the permission checks of server/channels/api4/oauth.go,
// docs/RULES.md.5); registration answers 400 unsupported_operation (TestDCRErrors).
func TestProviderOff(t *testing.T) {
	ts := NewTestServer(t)
	app := createApp(t, ts, tokenOf(ts, colC), newApp("off"))
	ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
	p := "/api/v4/oauth/apps/" + app.ID
	tests := []struct {
		name   string
		q      req
		wantID string
	}{
		{"create", req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: newApp("x")}, "api.oauth.register_oauth_app.turn_off.app_error"},
		{"list", req{Method: http.MethodGet, Path: "/api/v4/oauth/apps"}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"get", req{Method: http.MethodGet, Path: p}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"update", req{Method: http.MethodPut, Path: p, Body: app.UpdateRequest()}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"delete", req{Method: http.MethodDelete, Path: p}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"regen", req{Method: http.MethodPost, Path: p + "/regen_secret"}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"info", req{Method: http.MethodGet, Path: p + "/info"}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"authorized", req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized"}, "api.oauth.allow_oauth.turn_off.app_error"},
		{"deauthorize", req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: models.DeauthorizeRequest{ClientID: app.ID}}, "api.oauth.allow_oauth.turn_off.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Token = tokenOf(ts, colC)
			r := do(t, ts, tt.q)
			require.Equal(t, http.StatusNotImplemented, r.Status, "%s", r.Body)
			assert.Equal(t, tt.wantID, r.appError(t).ID)
		})
	}
	t.Run("checks before the app layer still win", func(t *testing.T) {
		r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colU)})
		require.Equal(t, http.StatusForbidden, r.Status)
		r = do(t, ts, req{Method: http.MethodGet, Path: p})
		require.Equal(t, http.StatusUnauthorized, r.Status)
	})
}

// TestSubpathSiteURL: with a SiteURL that has a path, the endpoints the
// metadata advertises are served under it (and the root paths still work).
func TestSubpathSiteURL(t *testing.T) {
	ts := NewTestServer(t)
	ts.Server.UpdateConfig(func(c *Config) { c.SiteURL = ts.URL + "/mattermost" })
	m := metadata(t, ts)
	require.Equal(t, ts.URL+"/mattermost/oauth/authorize", m.AuthorizationEndpoint)
	for _, p := range []string{"/mattermost/.well-known/oauth-authorization-server", metadataPath} {
		assert.Equal(t, http.StatusOK, do(t, ts, req{Method: http.MethodGet, Path: p}).Status, p)
	}
	assert.Equal(t, http.StatusOK, do(t, ts, req{Method: http.MethodGet, Path: "/mattermost/api/v4/users/me", Token: tokenOf(ts, colU)}).Status)
	assert.Equal(t, http.StatusNotFound, do(t, ts, req{Method: http.MethodGet, Path: "/mattermostx/api/v4/users/me", Token: tokenOf(ts, colU)}).Status)
}
