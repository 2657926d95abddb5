package mockserver

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fixed RFC 7636 verifier and its S256 challenge.
var (
	testVerifier  = strings.Repeat("v", 43)
	testChallenge = models.S256Challenge(testVerifier)
)

// authorize posts the consent for app as token and returns the reply.
func authorize(t testing.TB, ts *TestServer, token string, ar models.AuthorizeRequest) reply {
	t.Helper()
	return do(t, ts, req{Method: http.MethodPost, Path: "/oauth/authorize", Token: token, Body: ar})
}

// authorizeCode approves app for the token's user and returns the code.
func authorizeCode(t testing.TB, ts *TestServer, token string, app models.OAuthApp, challenge string) string {
	t.Helper()
	ar := models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "st"}
	if challenge != "" {
		ar.CodeChallenge, ar.CodeChallengeMethod = challenge, "S256"
	}
	r := authorize(t, ts, token, ar)
	require.Equal(t, http.StatusOK, r.Status, "authorize: %s", r.Body)
	var ans models.AuthorizeResponse
	r.decode(t, &ans)
	code, err := ans.Code()
	require.NoError(t, err)
	return code.Reveal()
}

// exchange posts an authorization_code grant.
func exchange(t testing.TB, ts *TestServer, clientID, secret, code, redirect, verifier string) reply {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "code": {code}, "redirect_uri": {redirect}}
	if secret != "" {
		f.Set("client_secret", secret)
	}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return do(t, ts, req{Method: http.MethodPost, Path: "/oauth/access_token", Form: f})
}

func refreshGrant(t testing.TB, ts *TestServer, clientID, secret, refresh string) reply {
	t.Helper()
	f := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {refresh}}
	if secret != "" {
		f.Set("client_secret", secret)
	}
	return do(t, ts, req{Method: http.MethodPost, Path: "/oauth/access_token", Form: f})
}

func accessOf(t testing.TB, r reply) models.AccessResponse {
	t.Helper()
	require.Equal(t, http.StatusOK, r.Status, "token: %s", r.Body)
	var a models.AccessResponse
	r.decode(t, &a)
	return a
}

func meStatus(t testing.TB, ts *TestServer, token string) int {
	t.Helper()
	return do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me", Token: token}).Status
}

// TestConfidentialFlow: code → token → the token authenticates → the app is
// listed as authorized → the code is single use → refresh rotates both
// tokens and revokes the old ones.
func TestConfidentialFlow(t *testing.T) {
	ts := NewTestServer(t)
	u := ts.Identities.PlainUser
	app := createApp(t, ts, tokenOf(ts, colC), newApp("confidential"))

	r := authorize(t, ts, u.Token, models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "xyz"})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var ans models.AuthorizeResponse
	r.decode(t, &ans)
	params, err := ans.Params()
	require.NoError(t, err)
	assert.Equal(t, "xyz", params.Get("state"))
	assert.Len(t, params.Get("code"), 52)
	assert.True(t, strings.HasPrefix(ans.Redirect.Reveal(), app.CallbackURLs[0]+"?"))
	code := params.Get("code")

	r = exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
	tok := accessOf(t, r)
	assert.Equal(t, "no-store", r.Header.Get("Cache-Control"))
	assert.Equal(t, "no-cache", r.Header.Get("Pragma"))
	assert.Equal(t, "bearer", tok.TokenType)
	assert.Equal(t, int32(30*24*3600), tok.ExpiresIn)
	assert.Len(t, tok.RefreshToken.Reveal(), 26)

	me := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me", Token: tok.AccessToken.Reveal()})
	require.Equal(t, http.StatusOK, me.Status)
	var user models.User
	me.decode(t, &user)
	assert.Equal(t, u.ID, user.ID)

	list := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: u.Token})
	var apps []models.OAuthApp
	list.decode(t, &apps)
	require.Len(t, apps, 1)
	assert.Equal(t, app.ID, apps[0].ID)

	again := exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
	require.Equal(t, http.StatusBadRequest, again.Status, "a code is single use")
	assert.Equal(t, "api.oauth.get_access_token.expired_code.app_error", again.appError(t).ID)

	// A second authorization while the token is valid returns the same token.
	code2 := authorizeCode(t, ts, u.Token, app, "")
	same := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code2, app.CallbackURLs[0], ""))
	assert.Equal(t, tok.AccessToken.Reveal(), same.AccessToken.Reveal())

	rotated := accessOf(t, refreshGrant(t, ts, app.ID, app.ClientSecret.Reveal(), tok.RefreshToken.Reveal()))
	assert.NotEqual(t, tok.AccessToken.Reveal(), rotated.AccessToken.Reveal())
	assert.NotEqual(t, tok.RefreshToken.Reveal(), rotated.RefreshToken.Reveal())
	assert.Equal(t, http.StatusUnauthorized, meStatus(t, ts, tok.AccessToken.Reveal()), "the old access token is revoked")
	assert.Equal(t, http.StatusOK, meStatus(t, ts, rotated.AccessToken.Reveal()))
	old := refreshGrant(t, ts, app.ID, app.ClientSecret.Reveal(), tok.RefreshToken.Reveal())
	require.Equal(t, http.StatusNotFound, old.Status, "the old refresh token is spent")
	assert.Equal(t, "api.oauth.get_access_token.refresh_token.app_error", old.appError(t).ID)
}

// TestPublicClientFlow: PKCE is mandatory, no secret may be sent, no refresh
// token is issued and the refresh grant is refused (server/channels/app/oauth.go, docs/RULES.md.9).
func TestPublicClientFlow(t *testing.T) {
	ts := NewTestServer(t)
	u := ts.Identities.PlainUser
	body := newApp("public")
	body.IsPublic = true
	app := createApp(t, ts, tokenOf(ts, colC), body)

	r := authorize(t, ts, u.Token, models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0]})
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "api.oauth.allow_oauth.pkce_required_public.app_error", r.appError(t).ID)

	code := authorizeCode(t, ts, u.Token, app, testChallenge)
	cb := app.CallbackURLs[0]
	steps := []struct {
		name             string
		secret, verifier string
		want             int
		wantID           string
	}{
		{"no verifier", "", "", 400, "model.oauth.validate_grant.pkce_required.app_error"},
		{"a secret", "whatever", testVerifier, 400, "model.oauth.validate_grant.public_client_secret.app_error"},
		{"wrong verifier", "", strings.Repeat("w", 43), 400, "model.authorize.validate_pkce.verification_failed.app_error"},
		{"malformed verifier", "", "short", 400, "model.authorize.validate_pkce.verification_failed.app_error"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			r := exchange(t, ts, app.ID, s.secret, code, cb, s.verifier)
			require.Equal(t, s.want, r.Status, "%s", r.Body)
			assert.Equal(t, s.wantID, r.appError(t).ID)
		})
	}
	// Failed PKCE checks do not consume the code (the real server removes it
	// only after them).
	tok := accessOf(t, exchange(t, ts, app.ID, "", code, cb, testVerifier))
	assert.Empty(t, tok.RefreshToken.Reveal(), "public clients get no refresh token")
	assert.Equal(t, http.StatusOK, meStatus(t, ts, tok.AccessToken.Reveal()))

	r = refreshGrant(t, ts, app.ID, "", "anything")
	require.Equal(t, http.StatusBadRequest, r.Status)
	assert.Equal(t, "model.oauth.validate_grant.public_client_refresh_token.app_error", r.appError(t).ID)
}

// TestConfidentialPKCE: PKCE is optional for confidential clients but
// enforced once used, and a verifier without a challenge is refused.
func TestConfidentialPKCE(t *testing.T) {
	tests := []struct {
		name      string
		challenge string
		verifier  string
		want      int
		wantID    string
	}{
		{"challenge, no verifier", testChallenge, "", 400, "model.authorize.validate_pkce.verifier_required.app_error"},
		{"challenge, wrong verifier", testChallenge, strings.Repeat("x", 64), 400, "model.authorize.validate_pkce.verification_failed.app_error"},
		{"challenge, right verifier", testChallenge, testVerifier, 200, ""},
		{"no challenge, verifier", "", testVerifier, 400, "model.authorize.validate_pkce.not_used_in_auth.app_error"},
		{"no challenge, no verifier", "", "", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			app := createApp(t, ts, tokenOf(ts, colC), newApp("pkce"))
			code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, tt.challenge)
			r := exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], tt.verifier)
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			if tt.wantID != "" {
				assert.Equal(t, tt.wantID, r.appError(t).ID)
			}
		})
	}
}

// TestCodeExpiry: a code is good for exactly 600 s (model.AuthData.IsExpired:
// now > create_at + 600 s); an expired code is refused with 403 and removed.
func TestCodeExpiry(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		want    []int // first exchange, second exchange
	}{
		{"at 600 s", 600 * time.Second, []int{200}},
		{"at 601 s", 601 * time.Second, []int{403, 400}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			ts := NewTestServer(t, WithClock(clock.Now))
			app := createApp(t, ts, tokenOf(ts, colC), newApp("expiry"))
			code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, "")
			clock.Advance(tt.advance)
			for _, want := range tt.want {
				r := exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
				require.Equal(t, want, r.Status, "%s", r.Body)
				if want != 200 {
					assert.Equal(t, "api.oauth.get_access_token.expired_code.app_error", r.appError(t).ID)
				}
			}
		})
	}
}

// TestAccessTokenExpiry: tokens last SessionLengthSSOInHours (30 days).
func TestAccessTokenExpiry(t *testing.T) {
	clock := newFakeClock()
	ts := NewTestServer(t, WithClock(clock.Now))
	app := createApp(t, ts, tokenOf(ts, colC), newApp("expiry"))
	code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, "")
	tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
	clock.Advance(30 * 24 * time.Hour)
	assert.Equal(t, http.StatusOK, meStatus(t, ts, tok.AccessToken.Reveal()))
	clock.Advance(time.Second)
	assert.Equal(t, http.StatusUnauthorized, meStatus(t, ts, tok.AccessToken.Reveal()))
	// The refresh token still works and issues a fresh token.
	fresh := accessOf(t, refreshGrant(t, ts, app.ID, app.ClientSecret.Reveal(), tok.RefreshToken.Reveal()))
	assert.Equal(t, http.StatusOK, meStatus(t, ts, fresh.AccessToken.Reveal()))
}

// TestTokenEndpointErrors covers every error of the token endpoint's request
// and client checks (server/channels/app/oauth.go).
func TestTokenEndpointErrors(t *testing.T) {
	ts := NewTestServer(t)
	app := createApp(t, ts, tokenOf(ts, colC), newApp("errors"))
	secret := app.ClientSecret.Reveal()
	cb := app.CallbackURLs[0]
	unknown := "zzzzzzzzzzzzzzzzzzzzzzzzzz"
	tests := []struct {
		name   string
		form   func() url.Values
		want   int
		wantID string
	}{
		{"bad grant", func() url.Values {
			return url.Values{"grant_type": {"password"}, "client_id": {app.ID}}
		}, 400, "api.oauth.get_access_token.bad_grant.app_error"},
		{"no grant", func() url.Values { return url.Values{"client_id": {app.ID}} }, 400, "api.oauth.get_access_token.bad_grant.app_error"},
		{"missing code", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "client_id": {app.ID}}
		}, 400, "api.oauth.get_access_token.missing_code.app_error"},
		{"missing refresh token", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "client_id": {app.ID}}
		}, 400, "api.oauth.get_access_token.missing_refresh_token.app_error"},
		{"bad client id", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {"junk"}}
		}, 400, "api.oauth.get_access_token.bad_client_id.app_error"},
		{"unknown app", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {unknown}}
		}, 404, "api.oauth.get_access_token.credentials.app_error"},
		{"wrong secret", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {app.ID}, "client_secret": {"nope"}}
		}, 401, "model.oauth.validate_grant.credentials.app_error"},
		{"no secret", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {app.ID}}
		}, 401, "model.oauth.validate_grant.credentials.app_error"},
		{"unknown code", func() url.Values {
			return url.Values{"grant_type": {"authorization_code"}, "code": {"c"}, "client_id": {app.ID}, "client_secret": {secret}}
		}, 400, "api.oauth.get_access_token.expired_code.app_error"},
		{"redirect mismatch", func() url.Values {
			code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, "")
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ID}, "client_secret": {secret}, "redirect_uri": {cb + "/other"}}
		}, 400, "api.oauth.get_access_token.redirect_uri.app_error"},
		{"resource mismatch", func() url.Values {
			r := authorize(t, ts, ts.Identities.PlainUser.Token, models.AuthorizeRequest{
				ResponseType: "code", ClientID: app.ID, RedirectURI: cb, Resource: "https://api.example.com"})
			var ans models.AuthorizeResponse
			r.decode(t, &ans)
			code, err := ans.Code()
			require.NoError(t, err)
			return url.Values{"grant_type": {"authorization_code"}, "code": {code.Reveal()}, "client_id": {app.ID},
				"client_secret": {secret}, "redirect_uri": {cb}, "resource": {"https://other.example.com"}}
		}, 400, "api.oauth.get_access_token.resource_mismatch.app_error"},
		{"resource with a fragment", func() url.Values {
			code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, "")
			return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {app.ID},
				"client_secret": {secret}, "redirect_uri": {cb}, "resource": {"https://api.example.com/#frag"}}
		}, 400, "model.authorize.is_valid.resource.has_fragment.app_error"},
		{"unknown refresh token", func() url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {app.ID}, "client_secret": {secret}}
		}, 404, "api.oauth.get_access_token.refresh_token.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, ts, req{Method: http.MethodPost, Path: "/oauth/access_token", Form: tt.form()})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			assert.Equal(t, tt.wantID, r.appError(t).ID)
		})
	}
	t.Run("provider off", func(t *testing.T) {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
		defer ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = true })
		r := exchange(t, ts, app.ID, secret, "c", cb, "")
		require.Equal(t, http.StatusNotImplemented, r.Status)
		assert.Equal(t, "api.oauth.get_access_token.disabled.app_error", r.appError(t).ID)
	})
}

// TestAuthorizeErrors covers POST /oauth/authorize's checks.
func TestAuthorizeErrors(t *testing.T) {
	ts := NewTestServer(t)
	app := createApp(t, ts, tokenOf(ts, colC), newApp("authz"))
	cb := app.CallbackURLs[0]
	u := ts.Identities.PlainUser.Token
	tests := []struct {
		name   string
		ar     any
		want   int
		wantID string
	}{
		{"null body", "null", 400, "api.context.invalid_body_param.app_error"},
		{"bad json", `{"client_id":`, 400, "api.context.invalid_body_param.app_error"},
		{"bad client id", models.AuthorizeRequest{ResponseType: "code", ClientID: "junk", RedirectURI: cb}, 400, "model.authorize.is_valid.client_id.app_error"},
		{"no response type", models.AuthorizeRequest{ClientID: app.ID, RedirectURI: cb}, 400, "model.authorize.is_valid.response_type.app_error"},
		{"bad redirect uri", models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: "nope"}, 400, "model.authorize.is_valid.redirect_uri.app_error"},
		{"plain PKCE", models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb, CodeChallenge: testChallenge, CodeChallengeMethod: "plain"},
			400, "model.authorize.is_valid.code_challenge_method.unsupported.app_error"},
		{"short challenge", models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb, CodeChallenge: "abc", CodeChallengeMethod: "S256"},
			400, "model.authorize.is_valid.code_challenge.length.app_error"},
		{"relative resource", models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb, Resource: "/api"},
			400, "model.authorize.is_valid.resource.not_absolute.app_error"},
		{"unknown app", models.AuthorizeRequest{ResponseType: "code", ClientID: "zzzzzzzzzzzzzzzzzzzzzzzzzz", RedirectURI: cb}, 404, "app.oauth.get_app.find.app_error"},
		{"unregistered redirect", models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb + "/x"}, 400, "api.oauth.allow_oauth.redirect_callback.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, ts, req{Method: http.MethodPost, Path: "/oauth/authorize", Token: u, Body: tt.ar})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			assert.Equal(t, tt.wantID, r.appError(t).ID)
		})
	}
	t.Run("unsupported response type redirects with an error", func(t *testing.T) {
		r := authorize(t, ts, u, models.AuthorizeRequest{ResponseType: "id_token", ClientID: app.ID, RedirectURI: cb, State: "s1"})
		require.Equal(t, http.StatusOK, r.Status)
		var ans models.AuthorizeResponse
		r.decode(t, &ans)
		_, err := ans.Code()
		require.Error(t, err)
		assert.Equal(t, cb+"?error=unsupported_response_type&state=s1", ans.Redirect.Reveal())
	})
	t.Run("implicit grant puts a token in the fragment", func(t *testing.T) {
		r := authorize(t, ts, u, models.AuthorizeRequest{ResponseType: "token", ClientID: app.ID, RedirectURI: cb, State: "s2"})
		require.Equal(t, http.StatusOK, r.Status)
		var ans models.AuthorizeResponse
		r.decode(t, &ans)
		p, err := ans.Params()
		require.NoError(t, err)
		assert.Equal(t, "bearer", p.Get("token_type"))
		assert.Equal(t, "s2", p.Get("state"))
		assert.Equal(t, http.StatusOK, meStatus(t, ts, p.Get("access_token")))
	})
	t.Run("an OAuth session cannot approve apps", func(t *testing.T) {
		// detailed_error is only sent in developer mode (web/handlers.go).
		ts.Server.UpdateConfig(func(c *Config) { c.EnableDeveloper = true })
		defer ts.Server.UpdateConfig(func(c *Config) { c.EnableDeveloper = false })
		code := authorizeCode(t, ts, u, app, "")
		tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, cb, ""))
		r := authorize(t, ts, tok.AccessToken.Reveal(), models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb})
		require.Equal(t, http.StatusForbidden, r.Status)
		e := r.appError(t)
		assert.Equal(t, "api.context.permissions.app_error", e.ID)
		assert.Contains(t, e.DetailedError, "attempted access by oauth app")
	})
	t.Run("provider off", func(t *testing.T) {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
		defer ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = true })
		r := authorize(t, ts, u, models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: cb})
		require.Equal(t, http.StatusNotImplemented, r.Status)
		assert.Equal(t, "api.oauth.allow_oauth.turn_off.app_error", r.appError(t).ID)
	})
}

// TestAuthorizePage covers GET /oauth/authorize, the browser entry point.
func TestAuthorizePage(t *testing.T) {
	ts := NewTestServer(t)
	app := createApp(t, ts, tokenOf(ts, colC), newApp("page"))
	trustedBody := newApp("trusted")
	trustedBody.IsTrusted = true
	trusted := createApp(t, ts, tokenOf(ts, colSA), trustedBody)
	publicBody := newApp("public")
	publicBody.IsPublic = true
	public := createApp(t, ts, tokenOf(ts, colC), publicBody)
	cb := app.CallbackURLs[0]
	q := func(a models.OAuthApp, redirect string) string {
		return "/oauth/authorize?" + url.Values{"response_type": {"code"}, "client_id": {a.ID}, "redirect_uri": {redirect}, "state": {"s"}}.Encode()
	}
	u := ts.Identities.PlainUser.Token
	tests := []struct {
		name         string
		path         string
		token        string
		want         int
		wantLocation string // prefix
	}{
		{"no session: login", q(app, cb), "", 302, ts.URL + "/login?redirect_to="},
		{"session, not yet approved: consent page", q(app, cb), u, 200, ""},
		{"trusted app: straight to the redirect", q(trusted, cb), u, 302, cb + "?code="},
		{"unregistered redirect", q(app, cb+"/x"), u, 400, ""},
		{"invalid parameters", "/oauth/authorize?client_id=junk", u, 400, ""},
		{"unknown app", q(models.OAuthApp{ID: "zzzzzzzzzzzzzzzzzzzzzzzzzz"}, cb), u, 404, ""},
		{"public client without PKCE", q(public, cb), u, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, ts, req{Method: http.MethodGet, Path: tt.path, Token: tt.token})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			if tt.wantLocation != "" {
				assert.True(t, strings.HasPrefix(r.Header.Get("Location"), tt.wantLocation), r.Header.Get("Location"))
			} else {
				assert.Contains(t, r.Header.Get("Content-Type"), "text/html")
			}
		})
	}
	t.Run("after approval: straight to the redirect", func(t *testing.T) {
		authorizeCode(t, ts, u, app, "")
		r := do(t, ts, req{Method: http.MethodGet, Path: q(app, cb), Token: u})
		require.Equal(t, http.StatusFound, r.Status)
		assert.True(t, strings.HasPrefix(r.Header.Get("Location"), cb+"?code="))
	})
	t.Run("provider off", func(t *testing.T) {
		ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = false })
		defer ts.Server.UpdateConfig(func(c *Config) { c.EnableOAuthServiceProvider = true })
		r := do(t, ts, req{Method: http.MethodGet, Path: q(app, cb), Token: u})
		require.Equal(t, http.StatusNotImplemented, r.Status)
	})
}

// TestDeauthorizeAndDelete: deauthorizing revokes the user's tokens and
// approval; deleting an app revokes every token issued for it.
func TestDeauthorizeAndDelete(t *testing.T) {
	tests := []struct {
		name   string
		revoke func(t *testing.T, ts *TestServer, app models.OAuthApp, user string)
	}{
		{"deauthorize", func(t *testing.T, ts *TestServer, app models.OAuthApp, user string) {
			r := do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: user, Body: models.DeauthorizeRequest{ClientID: app.ID}})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			var ok models.StatusOK
			r.decode(t, &ok)
			assert.Equal(t, "OK", ok.Status)
		}},
		{"delete", func(t *testing.T, ts *TestServer, app models.OAuthApp, _ string) {
			r := do(t, ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, colC)})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			u := ts.Identities.PlainUser.Token
			app := createApp(t, ts, tokenOf(ts, colC), newApp("revoke"))
			code := authorizeCode(t, ts, u, app, "")
			tok := accessOf(t, exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], ""))
			pending := authorizeCode(t, ts, u, app, "")
			tt.revoke(t, ts, app, u)
			assert.Equal(t, http.StatusUnauthorized, meStatus(t, ts, tok.AccessToken.Reveal()))
			list := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: u})
			assert.JSONEq(t, "[]", string(list.Body))
			r := exchange(t, ts, app.ID, app.ClientSecret.Reveal(), pending, app.CallbackURLs[0], "")
			assert.NotEqual(t, http.StatusOK, r.Status, "pending codes are dropped")
		})
	}
}

// TestPublicClientRequiredAtToken: a public client's code that carries no
// challenge (stored before the app became public, or by a server that did
// not enforce PKCE at authorize) is refused at the token endpoint with
// public_client_required (AuthData.ValidatePKCEForClientType).
func TestPublicClientRequiredAtToken(t *testing.T) {
	clock := newFakeClock()
	ts := NewTestServer(t, WithClock(clock.Now))
	app := publicApp(t, ts)
	code := newCode()
	ts.Server.mem().saveCode(authData{Code: code, ClientID: app.ID, UserID: ts.Identities.PlainUser.ID,
		RedirectURI: app.CallbackURLs[0], Scope: "user", CreateAt: clock.Now()})
	r := exchange(t, ts, app.ID, "", code, app.CallbackURLs[0], testVerifier)
	require.Equal(t, http.StatusBadRequest, r.Status, "%s", r.Body)
	assert.Equal(t, "model.authorize.validate_pkce.public_client_required.app_error", r.appError(t).ID)
}

// TestImplicitGrantNeedsNoAccessData: OAuthAccessData holds one row per
// client and user, so an implicit grant for a user who already has access
// data for the app (an earlier implicit grant, or a code exchange) answers
// ?error=server_error&state= on the callback, as real 9.10.0 and 11.6.0 do; after
// a deauthorization (which removes the access data) the grant works again.
func TestImplicitGrantNeedsNoAccessData(t *testing.T) {
	ts := NewTestServer(t)
	u := ts.Identities.PlainUser
	implicit := func(app models.OAuthApp) models.AuthorizeResponse {
		t.Helper()
		r := authorize(t, ts, u.Token, models.AuthorizeRequest{ResponseType: "token", ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "s t"})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var ans models.AuthorizeResponse
		r.decode(t, &ans)
		return ans
	}
	authorizedIDs := func() []string {
		t.Helper()
		var apps []models.OAuthApp
		do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: u.Token}).decode(t, &apps)
		var ids []string
		for _, a := range apps {
			ids = append(ids, a.ID)
		}
		return ids
	}

	app := createApp(t, ts, tokenOf(ts, colC), newApp("implicit"))
	first := implicit(app)
	assert.Contains(t, first.Redirect.Reveal(), "#access_token=")
	second := implicit(app)
	assert.Equal(t, app.CallbackURLs[0]+"?error=server_error&state=s t", second.Redirect.Reveal(), "the state is appended as sent, unescaped")

	// After a code exchange, too.
	other := createApp(t, ts, tokenOf(ts, colC), newApp("code-then-implicit"))
	accessOf(t, exchange(t, ts, other.ID, other.ClientSecret.Reveal(), authorizeCode(t, ts, u.Token, other, ""), other.CallbackURLs[0], ""))
	assert.Contains(t, implicit(other).Redirect.Reveal(), "?error=server_error&state=")

	do(t, ts, req{Method: http.MethodPost, Path: "/oauth/deauthorize", Token: u.Token, Body: models.DeauthorizeRequest{ClientID: app.ID}})
	assert.NotContains(t, authorizedIDs(), app.ID)
	assert.Contains(t, implicit(app).Redirect.Reveal(), "#access_token=", "deauthorizing removed the access data")
	assert.Contains(t, authorizedIDs(), app.ID)
}
