package models

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func validCreate() *CreateOAuthAppRequest {
	return &CreateOAuthAppRequest{
		Name:         "app",
		Description:  "desc",
		CallbackURLs: []string{"https://example.com/cb"},
		Homepage:     "https://example.com",
	}
}

func TestCreateOAuthAppRequestValidate(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(r *CreateOAuthAppRequest)
		field    string
		serverID string
	}{
		{"valid", func(*CreateOAuthAppRequest) {}, "", ""},
		{"valid without description", func(r *CreateOAuthAppRequest) { r.Description = "" }, "", ""},
		{"name empty", func(r *CreateOAuthAppRequest) { r.Name = "" }, "name", "model.oauth.is_valid.name.app_error"},
		{"name 64 bytes", func(r *CreateOAuthAppRequest) { r.Name = strings.Repeat("n", 64) }, "", ""},
		{"name 65 bytes", func(r *CreateOAuthAppRequest) { r.Name = strings.Repeat("n", 65) }, "name", "model.oauth.is_valid.name.app_error"},
		{"name limit is bytes not runes", func(r *CreateOAuthAppRequest) { r.Name = strings.Repeat("é", 33) }, "name", "model.oauth.is_valid.name.app_error"},
		{"no callbacks", func(r *CreateOAuthAppRequest) { r.CallbackURLs = nil }, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"callback not http", func(r *CreateOAuthAppRequest) { r.CallbackURLs = []string{"ftp://x.com/cb"} }, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"callback custom scheme", func(r *CreateOAuthAppRequest) { r.CallbackURLs = []string{"myapp://cb"} }, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"callback relative", func(r *CreateOAuthAppRequest) { r.CallbackURLs = []string{"/cb"} }, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"callback no host", func(r *CreateOAuthAppRequest) { r.CallbackURLs = []string{"http:///cb"} }, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		// "[" + 1022 + "]" = 1024 is the largest accepted rendering.
		{"callbacks render to 1024", func(r *CreateOAuthAppRequest) {
			r.CallbackURLs = []string{"https://e.com/" + strings.Repeat("a", 1022-14)}
		}, "", ""},
		{"callbacks render to 1025", func(r *CreateOAuthAppRequest) {
			r.CallbackURLs = []string{"https://e.com/" + strings.Repeat("a", 1023-14)}
		}, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"separator spaces count", func(r *CreateOAuthAppRequest) {
			u := "https://e.com/" + strings.Repeat("a", 511-14)
			r.CallbackURLs = []string{u, u} // 2 + 511*2 + 1 = 1025
		}, "callback_urls", "model.oauth.is_valid.callback.app_error"},
		{"homepage empty", func(r *CreateOAuthAppRequest) { r.Homepage = "" }, "homepage", "model.oauth.is_valid.homepage.app_error"},
		{"homepage not url", func(r *CreateOAuthAppRequest) { r.Homepage = "example.com" }, "homepage", "model.oauth.is_valid.homepage.app_error"},
		{"homepage 257", func(r *CreateOAuthAppRequest) { r.Homepage = "https://e.com/" + strings.Repeat("h", 257-14) }, "homepage", "model.oauth.is_valid.homepage.app_error"},
		{"description 512 runes", func(r *CreateOAuthAppRequest) { r.Description = strings.Repeat("é", 512) }, "", ""},
		{"description 513 runes", func(r *CreateOAuthAppRequest) { r.Description = strings.Repeat("d", 513) }, "description", "model.oauth.is_valid.description.app_error"},
		{"icon not url", func(r *CreateOAuthAppRequest) { r.IconURL = "icon.png" }, "icon_url", "model.oauth.is_valid.icon_url.app_error"},
		{"icon 513", func(r *CreateOAuthAppRequest) { r.IconURL = "https://e.com/" + strings.Repeat("i", 513-14) }, "icon_url", "model.oauth.is_valid.icon_url.app_error"},
		{"server order: name before callbacks", func(r *CreateOAuthAppRequest) { r.Name = ""; r.CallbackURLs = nil }, "name", "model.oauth.is_valid.name.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validCreate()
			tt.mutate(r)
			err := r.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "want *ValidationError, got %v", err)
			assert.Equal(t, tt.field, ve.Field)
			assert.Equal(t, tt.serverID, ve.ServerErrorID)
			assert.Contains(t, err.Error(), tt.field)
		})
	}
}

func TestNilRequestsAreRefused(t *testing.T) {
	validators := map[string]interface{ Validate() error }{
		"create":    (*CreateOAuthAppRequest)(nil),
		"update":    (*UpdateOAuthAppRequest)(nil),
		"register":  (*ClientRegistrationRequest)(nil),
		"authorize": (*AuthorizeRequest)(nil),
	}
	for name, v := range validators {
		assert.Error(t, v.Validate(), name)
	}
}

func TestUpdateOAuthAppRequestValidate(t *testing.T) {
	app := &OAuthApp{
		ID: "abcdefghijklmnopqrstuvwxyz", Name: "a", CallbackURLs: []string{"http://localhost/cb"},
		Homepage: "http://localhost", MattermostAppID: "m",
	}
	require.NoError(t, app.UpdateRequest().Validate())

	bad := app.UpdateRequest()
	bad.ID = "junk"
	var ve *ValidationError
	require.ErrorAs(t, bad.Validate(), &ve)
	assert.Equal(t, "id", ve.Field)

	bad = app.UpdateRequest()
	bad.MattermostAppID = strings.Repeat("m", 33)
	require.ErrorAs(t, bad.Validate(), &ve)
	assert.Equal(t, "mattermost_app_id", ve.Field)

	// UpdateRequest copies the callbacks: editing the request leaves the app alone.
	req := app.UpdateRequest()
	req.CallbackURLs[0] = "http://changed/cb"
	assert.Equal(t, "http://localhost/cb", app.CallbackURLs[0])
}

func TestClientRegistrationRequestValidate(t *testing.T) {
	tests := []struct {
		name  string
		req   ClientRegistrationRequest
		field string
	}{
		{"minimal", ClientRegistrationRequest{RedirectURIs: []string{"http://127.0.0.1:8080/cb"}}, ""},
		{"public", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, TokenEndpointAuthMethod: "none"}, ""},
		{"post", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, TokenEndpointAuthMethod: "client_secret_post"}, ""},
		{"basic refused", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, TokenEndpointAuthMethod: "client_secret_basic"}, "token_endpoint_auth_method"},
		{"no redirect", ClientRegistrationRequest{}, "redirect_uris"},
		{"custom scheme", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb", "cursor://cb"}}, "redirect_uris"},
		{"client_name 65", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, ClientName: strings.Repeat("c", 65)}, "client_name"},
		{"client_uri bad", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, ClientURI: "a.com"}, "client_uri"},
		{"client_uri 257", ClientRegistrationRequest{RedirectURIs: []string{"https://a.com/cb"}, ClientURI: "https://a.com/" + strings.Repeat("u", 257-14)}, "client_uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.req.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Equal(t, DCRErrorInvalidClientMetadata, ve.ServerErrorID)
		})
	}
}

func TestAuthorizeRequestValidate(t *testing.T) {
	verifier := strings.Repeat("v", 43)
	base := AuthorizeRequest{
		ResponseType: "code", ClientID: "abcdefghijklmnopqrstuvwxyz",
		RedirectURI: "https://a.com/cb", State: "s",
	}
	tests := []struct {
		name     string
		mutate   func(*AuthorizeRequest)
		serverID string
	}{
		{"valid", func(*AuthorizeRequest) {}, ""},
		{"valid pkce", func(r *AuthorizeRequest) { r.CodeChallenge = S256Challenge(verifier); r.CodeChallengeMethod = "S256" }, ""},
		{"bad client", func(r *AuthorizeRequest) { r.ClientID = "x" }, "model.authorize.is_valid.client_id.app_error"},
		{"no response type", func(r *AuthorizeRequest) { r.ResponseType = "" }, "model.authorize.is_valid.response_type.app_error"},
		{"no redirect", func(r *AuthorizeRequest) { r.RedirectURI = "" }, "model.authorize.is_valid.redirect_uri.app_error"},
		{"state too long", func(r *AuthorizeRequest) { r.State = strings.Repeat("s", 1025) }, "model.authorize.is_valid.state.app_error"},
		{"scope too long", func(r *AuthorizeRequest) { r.Scope = strings.Repeat("s", 129) }, "model.authorize.is_valid.scope.app_error"},
		{"plain refused", func(r *AuthorizeRequest) { r.CodeChallenge = verifier; r.CodeChallengeMethod = "plain" }, "model.authorize.is_valid.code_challenge_method.unsupported.app_error"},
		{"method without challenge", func(r *AuthorizeRequest) { r.CodeChallengeMethod = "S256" }, "model.authorize.is_valid.code_challenge.app_error"},
		{"challenge without method", func(r *AuthorizeRequest) { r.CodeChallenge = S256Challenge(verifier) }, "model.authorize.is_valid.code_challenge_method.app_error"},
		{"challenge short", func(r *AuthorizeRequest) { r.CodeChallenge = "abc"; r.CodeChallengeMethod = "S256" }, "model.authorize.is_valid.code_challenge.length.app_error"},
		{"challenge padded", func(r *AuthorizeRequest) {
			r.CodeChallenge = strings.Repeat("a", 42) + "="
			r.CodeChallengeMethod = "S256"
		}, "model.authorize.is_valid.code_challenge.format.app_error"},
		{"resource with fragment", func(r *AuthorizeRequest) { r.Resource = "https://api.example.com/#x" }, "model.authorize.is_valid.resource.app_error"},
		{"resource relative", func(r *AuthorizeRequest) { r.Resource = "/api" }, "model.authorize.is_valid.resource.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.mutate(&r)
			err := r.Validate()
			if tt.serverID == "" {
				require.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.serverID, ve.ServerErrorID)
		})
	}
}

func TestIsValidID(t *testing.T) {
	assert.True(t, IsValidID("ybndrfg8ejkmcpqxot1uwisza3"))
	assert.True(t, IsValidID("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "model.IsValidId accepts any letter")
	for _, bad := range []string{"", "junk", "ybndrfg8ejkmcpqxot1uwisza", "ybndrfg8ejkmcpqxot1uwisza3x", "../usersxxxxxxxxxxxxxxxxxx", "ybndrfg8ejkmcpqxot1uwis-a3", "ybndrfg8ejkmcpqxot1uwis a3"} {
		assert.False(t, IsValidID(bad), bad)
	}
}

func TestPKCE(t *testing.T) {
	// RFC 7636 Appendix B.
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	const challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
	assert.Equal(t, challenge, S256Challenge(verifier))
	assert.True(t, VerifyS256(challenge, verifier))
	assert.False(t, VerifyS256(challenge, verifier[:42]+"x"))
	assert.False(t, VerifyS256(S256Challenge("short"), "short"), "a verifier under 43 characters is refused")
	assert.False(t, VerifyS256(S256Challenge(verifier+"!"), verifier+"!"), "non-unreserved characters are refused")
	assert.True(t, IsValidCodeVerifier(strings.Repeat("~", 128)))
	assert.False(t, IsValidCodeVerifier(strings.Repeat("a", 129)))
}

func TestAuthorizeResponseCode(t *testing.T) {
	r := AuthorizeResponse{Redirect: "https://a.com/cb?code=abc&state=xyz"}
	code, err := r.Code()
	require.NoError(t, err)
	assert.Equal(t, "abc", code.Reveal())

	r = AuthorizeResponse{Redirect: "https://a.com/cb?error=access_denied&error_description=no"}
	_, err = r.Code()
	require.ErrorContains(t, err, "access_denied")

	r = AuthorizeResponse{Redirect: "https://a.com/cb#access_token=tok&token_type=bearer"}
	p, err := r.Params()
	require.NoError(t, err)
	assert.Equal(t, "tok", p.Get("access_token"))

	r = AuthorizeResponse{Redirect: "https://a.com/cb?state=x"}
	_, err = r.Code()
	require.Error(t, err)

	r = AuthorizeResponse{Redirect: "http://a.com/%zz?code=supersecret"}
	_, err = r.Code()
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "supersecret")
}
