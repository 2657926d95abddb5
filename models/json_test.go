package models

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// keys returns the top-level JSON keys v encodes to.
func keys(t *testing.T, v any) map[string]bool {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// The server's omitempty choices are part of the wire contract
// (server/public/model/oauth.go OAuthApp): zero values must encode exactly these keys.
func TestZeroValueKeys(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want []string
	}{
		{"OAuthApp", OAuthApp{}, []string{"id", "creator_id", "create_at", "update_at", "client_secret", "name", "description", "icon_url", "callback_urls", "homepage", "is_trusted", "mattermost_app_id"}},
		{"ClientRegistrationResponse", ClientRegistrationResponse{}, []string{"client_id", "redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types"}},
		{"AuthorizationServerMetadata", AuthorizationServerMetadata{}, []string{"issuer", "response_types_supported"}},
		{"AppError", AppError{}, []string{"id", "message", "detailed_error"}},
		{"AccessResponse", AccessResponse{}, []string{"access_token", "token_type", "expires_in", "scope", "refresh_token", "id_token"}},
		{"DCRError", DCRError{}, []string{"error"}},
		{"AuthorizeRequest", AuthorizeRequest{}, []string{"response_type", "client_id", "redirect_uri", "scope", "state"}},
		{"ClientRegistrationRequest", ClientRegistrationRequest{}, []string{"redirect_uris"}},
		{"CreateOAuthAppRequest", CreateOAuthAppRequest{}, []string{"name", "description", "callback_urls", "homepage", "is_trusted", "is_public"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]bool{}
			for _, k := range tt.want {
				want[k] = true
			}
			assert.Equal(t, want, keys(t, tt.v))
		})
	}
}

func TestDecodeRealServerBodies(t *testing.T) {
	// Shapes as the real server sends them (server/public/model/oauth.go OAuthApp, server/channels/api4/oauth.go registerOAuthClient, server/channels/app/oauth.go GetAuthorizationServerMetadata).
	var app OAuthApp
	require.NoError(t, json.Unmarshal([]byte(`{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa","creator_id":"","create_at":1,"update_at":2,
		"client_secret":"","name":"Dynamically Registered Client","description":"","icon_url":"",
		"callback_urls":["https://a/cb"],"homepage":"","is_trusted":false,"mattermost_app_id":"","is_dynamically_registered":true}`), &app))
	assert.True(t, app.IsDynamicallyRegistered)
	assert.True(t, app.IsPublic())

	var reg ClientRegistrationResponse
	require.NoError(t, json.Unmarshal([]byte(`{"client_id":"c","redirect_uris":["https://a/cb"],"token_endpoint_auth_method":"none",
		"grant_types":["authorization_code","refresh_token"],"response_types":["code"],"scope":"user"}`), &reg))
	assert.True(t, reg.IsPublic())
	assert.Nil(t, reg.ClientSecretExpiresAt, "Mattermost never sends client_secret_expires_at")

	var meta AuthorizationServerMetadata
	require.NoError(t, json.Unmarshal([]byte(`{"issuer":"https://mm.example.com","response_types_supported":["code"],
		"code_challenge_methods_supported":["S256"]}`), &meta))
	assert.True(t, meta.SupportsS256())
	assert.False(t, meta.SupportsRegistration())
}
