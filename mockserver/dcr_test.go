package mockserver

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const registerPath = "/api/v4/oauth/apps/register"

func dcrServer(t *testing.T, opts ...Option) *TestServer {
	t.Helper()
	ts := NewTestServer(t, opts...)
	ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
	return ts
}

// TestDCRDefaults: the real server's answer to a minimal registration and to
// a public one (server/public/model/oauth.go OAuthApp, server/channels/api4/oauth.go registerOAuthClient, docs/RULES.md.6).
func TestDCRDefaults(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantMethod string
		wantSecret bool
		wantName   string
		wantURI    string
	}{
		{"minimal", `{"redirect_uris":["https://c.example.com/cb"]}`, "client_secret_post", true, "Dynamically Registered Client", ""},
		{"public", `{"redirect_uris":["https://c.example.com/cb"],"token_endpoint_auth_method":"none","client_name":"Tool"}`, "none", false, "Tool", ""},
		{"explicit confidential", `{"redirect_uris":["https://c.example.com/cb"],"token_endpoint_auth_method":"client_secret_post","client_uri":"https://c.example.com"}`,
			"client_secret_post", true, "Dynamically Registered Client", "https://c.example.com"},
		{"unknown RFC 7591 fields are ignored", `{"redirect_uris":["https://c.example.com/cb"],"grant_types":["implicit"],"scope":"openid","logo_uri":5}`,
			"client_secret_post", true, "Dynamically Registered Client", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := dcrServer(t)
			r := do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: tt.body})
			require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
			var raw map[string]any
			require.NoError(t, json.Unmarshal(r.Body, &raw))
			assert.NotContains(t, raw, "client_id_issued_at")
			assert.NotContains(t, raw, "client_secret_expires_at")
			var resp models.ClientRegistrationResponse
			r.decode(t, &resp)
			assert.True(t, models.IsValidID(resp.ClientID))
			assert.Equal(t, tt.wantMethod, resp.TokenEndpointAuthMethod)
			assert.Equal(t, tt.wantSecret, resp.ClientSecret.IsSet())
			assert.Equal(t, "user", resp.Scope)
			assert.Equal(t, []string{"authorization_code", "refresh_token"}, resp.GrantTypes)
			assert.Equal(t, []string{"code"}, resp.ResponseTypes)
			assert.Equal(t, []string{"https://c.example.com/cb"}, resp.RedirectURIs)
			assert.Equal(t, tt.wantName, resp.ClientName)
			assert.Equal(t, tt.wantURI, resp.ClientURI)

			get := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + resp.ClientID, Token: tokenOf(ts, colSA)})
			require.Equal(t, http.StatusOK, get.Status)
			var app models.OAuthApp
			get.decode(t, &app)
			assert.True(t, app.IsDynamicallyRegistered)
			assert.Empty(t, app.CreatorID)
			assert.Equal(t, resp.ClientSecret.Reveal(), app.ClientSecret.Reveal())
		})
	}
}

// TestDCRErrors: order and bodies of the registration endpoint's refusals.
func TestDCRErrors(t *testing.T) {
	cb := `"https://c.example.com/cb"`
	tests := []struct {
		name      string
		config    func(*Config)
		body      string
		want      int
		wantCode  string
		wantDescr string
	}{
		{"bad JSON", nil, `{"redirect_uris":`, 400, "invalid_client_metadata", "Invalid JSON in request body"},
		{"wrong type", nil, `{"redirect_uris":"https://c.example.com/cb"}`, 400, "invalid_client_metadata", "Invalid JSON in request body"},
		{"bad JSON before provider off", func(c *Config) { c.EnableOAuthServiceProvider = false }, `{`, 400, "invalid_client_metadata", "Invalid JSON in request body"},
		{"provider off", func(c *Config) { c.EnableOAuthServiceProvider = false }, `{"redirect_uris":[` + cb + `]}`, 400, "unsupported_operation", "OAuth service provider is disabled"},
		{"registration off", func(c *Config) { c.EnableDynamicClientRegistration = false }, `{"redirect_uris":[` + cb + `]}`, 400, "unsupported_operation", "Dynamic client registration is disabled"},
		{"registration off before IsValid", func(c *Config) { c.EnableDynamicClientRegistration = false }, `{}`, 400, "unsupported_operation", "Dynamic client registration is disabled"},
		{"no redirect uris", nil, `{}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.redirect_uris.app_error"]},
		{"custom scheme", nil, `{"redirect_uris":["cursor://cb"]}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.redirect_uri_format.app_error"]},
		{"relative redirect", nil, `{"redirect_uris":["/cb"]}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.redirect_uri_format.app_error"]},
		{"client name too long", nil, `{"redirect_uris":[` + cb + `],"client_name":"` + strings.Repeat("n", 65) + `"}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.client_name.app_error"]},
		{"bad client uri", nil, `{"redirect_uris":[` + cb + `],"client_uri":"nope"}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.client_uri_format.app_error"]},
		{"long client uri", nil, `{"redirect_uris":[` + cb + `],"client_uri":"https://c.example.com/` + strings.Repeat("p", 256) + `"}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.client_uri_length.app_error"]},
		{"client_secret_basic", nil, `{"redirect_uris":[` + cb + `],"token_endpoint_auth_method":"client_secret_basic"}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.unsupported_auth_method.app_error"]},
		{"empty auth method", nil, `{"redirect_uris":[` + cb + `],"token_endpoint_auth_method":""}`, 400, "invalid_client_metadata", messages["model.dcr.is_valid.unsupported_auth_method.app_error"]},
		{"empty client name fails the app's name check", nil, `{"redirect_uris":[` + cb + `],"client_name":""}`, 400, "invalid_client_metadata", messages["model.oauth.is_valid.name.app_error"]},
		{"allowlist miss, one of many", func(c *Config) { c.DCRRedirectURIAllowlist = []string{"https://*.example.com/**"} },
			`{"redirect_uris":[` + cb + `,"https://evil.test/cb"]}`, 400, "invalid_redirect_uri", "One or more redirect URIs do not match the allowlist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := dcrServer(t)
			if tt.config != nil {
				ts.Server.UpdateConfig(tt.config)
			}
			r := do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: tt.body})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			e := r.dcrError(t)
			assert.Equal(t, tt.wantCode, e.Error)
			assert.Equal(t, tt.wantDescr, e.ErrorDescription)
		})
	}
}

// TestDCRAllowlistEndToEnd: a matching URI registers.
func TestDCRAllowlistEndToEnd(t *testing.T) {
	ts := dcrServer(t)
	ts.Server.UpdateConfig(func(c *Config) { c.DCRRedirectURIAllowlist = []string{" ", "http://localhost:*/callback"} })
	r := do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: `{"redirect_uris":["http://localhost:33418/callback"]}`})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
}

// TestDCRRateLimit: 2 per second with a burst of 1 per client address; the
// third immediate request gets 429 text/plain "limit exceeded" with the
// X-RateLimit headers; half a second later one more is allowed.
func TestDCRRateLimit(t *testing.T) {
	clock := newFakeClock()
	ts := dcrServer(t, WithClock(clock.Now))
	ts.Server.UpdateConfig(func(c *Config) { c.EnableDCRRateLimit = true })
	body := `{"redirect_uris":["https://c.example.com/cb"]}`
	send := func() reply { return do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: body}) }

	first := send()
	require.Equal(t, http.StatusCreated, first.Status)
	assert.Equal(t, "2", first.Header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "1", first.Header.Get("X-RateLimit-Remaining"))
	require.Equal(t, http.StatusCreated, send().Status)
	limited := send()
	require.Equal(t, http.StatusTooManyRequests, limited.Status)
	assert.Equal(t, "limit exceeded\n", string(limited.Body))
	assert.True(t, strings.HasPrefix(limited.Header.Get("Content-Type"), "text/plain"))
	assert.Equal(t, "0", limited.Header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, "1", limited.Header.Get("Retry-After"))

	clock.Advance(500 * time.Millisecond)
	assert.Equal(t, http.StatusCreated, send().Status)
	assert.Equal(t, http.StatusTooManyRequests, send().Status)

	ts.Server.UpdateConfig(func(c *Config) { c.EnableDCRRateLimit = false })
	assert.Equal(t, http.StatusCreated, send().Status, "no limiter when it is off")
}
