package client

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/models"
)

func testMetadata(base string) *models.AuthorizationServerMetadata {
	return &models.AuthorizationServerMetadata{
		Issuer:                        base,
		AuthorizationEndpoint:         base + "/oauth/authorize",
		TokenEndpoint:                 base + "/oauth/access_token",
		ResponseTypesSupported:        []string{"code"},
		CodeChallengeMethodsSupported: []string{"S256"},
	}
}

func testRegistration(method string, secret models.Secret) *models.ClientRegistrationResponse {
	return &models.ClientRegistrationResponse{ClientID: appID, ClientSecret: secret, TokenEndpointAuthMethod: method,
		RedirectURIs: []string{"http://127.0.0.1:9999/cb", "http://127.0.0.1:9999/other"}}
}

func TestOAuth2Config(t *testing.T) {
	t.Parallel()
	meta := testMetadata("https://mm.example")
	tests := []struct {
		name     string
		meta     *models.AuthorizationServerMetadata
		reg      *models.ClientRegistrationResponse
		redirect string
		style    oauth2.AuthStyle
		secret   string
		scopes   []string
		err      string
	}{
		{"client_secret_post", meta, testRegistration("client_secret_post", secretVal), "http://127.0.0.1:9999/cb", oauth2.AuthStyleInParams, secretVal, []string{"user"}, ""},
		{"default method is client_secret_post", meta, testRegistration("", secretVal), "http://127.0.0.1:9999/other", oauth2.AuthStyleInParams, secretVal, []string{"user"}, ""},
		{"none: public client", meta, testRegistration("none", ""), "http://127.0.0.1:9999/cb", oauth2.AuthStyleInParams, "", []string{"user"}, ""},
		{"none ignores a stray secret", meta, testRegistration("none", secretVal), "http://127.0.0.1:9999/cb", oauth2.AuthStyleInParams, "", []string{"user"}, ""},
		{"client_secret_basic elsewhere", meta, testRegistration("client_secret_basic", secretVal), "http://127.0.0.1:9999/cb", oauth2.AuthStyleInHeader, secretVal, []string{"user"}, ""},
		{"scopes from metadata", func() *models.AuthorizationServerMetadata {
			m := *meta
			m.ScopesSupported = []string{"user", "extra"}
			return &m
		}(), testRegistration("none", ""), "http://127.0.0.1:9999/cb", oauth2.AuthStyleInParams, "", []string{"user", "extra"}, ""},
		{"unknown method", meta, testRegistration("private_key_jwt", ""), "http://127.0.0.1:9999/cb", 0, "", nil, "unsupported"},
		{"post without secret", meta, testRegistration("client_secret_post", ""), "http://127.0.0.1:9999/cb", 0, "", nil, "needs a client secret"},
		{"unregistered redirect", meta, testRegistration("none", ""), "http://127.0.0.1:9999/cb2", 0, "", nil, "not one of the registered"},
		{"nil metadata", nil, testRegistration("none", ""), "http://127.0.0.1:9999/cb", 0, "", nil, "nil metadata"},
		{"nil registration", meta, nil, "http://127.0.0.1:9999/cb", 0, "", nil, "nil registration"},
		{"no client id", meta, &models.ClientRegistrationResponse{RedirectURIs: []string{"http://127.0.0.1:9999/cb"}}, "http://127.0.0.1:9999/cb", 0, "", nil, "client_id"},
		{"relative endpoints", &models.AuthorizationServerMetadata{AuthorizationEndpoint: "/oauth/authorize", TokenEndpoint: "/oauth/access_token"},
			testRegistration("none", ""), "http://127.0.0.1:9999/cb", 0, "", nil, "absolute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conf, err := OAuth2Config(tt.meta, tt.reg, tt.redirect)
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				assert.Nil(t, conf)
				assertNoSecret(t, "error", err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, appID, conf.ClientID)
			assert.Equal(t, tt.secret, conf.ClientSecret)
			assert.Equal(t, tt.style, conf.Endpoint.AuthStyle)
			assert.Equal(t, tt.redirect, conf.RedirectURL)
			assert.Equal(t, tt.scopes, conf.Scopes)
			assert.Equal(t, tt.meta.AuthorizationEndpoint, conf.Endpoint.AuthURL)
			assert.Equal(t, tt.meta.TokenEndpoint, conf.Endpoint.TokenURL)
		})
	}
}

// tokenEndpoint is a fake /oauth/access_token that records each form.
type tokenEndpoint struct {
	*httptest.Server
	mu    sync.Mutex
	forms []url.Values
	basic []bool
}

func newTokenEndpoint(t *testing.T) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		_, _, basic := r.BasicAuth()
		te.mu.Lock()
		te.forms = append(te.forms, r.PostForm)
		te.basic = append(te.basic, basic)
		n := len(te.forms)
		te.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("access-%d", n), "token_type": "bearer",
			"expires_in": 3600, "refresh_token": fmt.Sprintf("refresh-%d", n), "scope": "user"})
	}))
	t.Cleanup(te.Close)
	return te
}

func TestExchangeWithPKCE(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method     string
		secret     models.Secret
		wantSecret string
	}{
		{"client_secret_post", secretVal, secretVal},
		{"none", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.method, func(t *testing.T) {
			t.Parallel()
			te := newTokenEndpoint(t)
			conf, err := OAuth2Config(testMetadata(te.URL), testRegistration(tt.method, tt.secret), "http://127.0.0.1:9999/cb")
			require.NoError(t, err)
			pkce := NewPKCE()

			authURL, err := url.Parse(conf.AuthCodeURL("state-1", pkce.ChallengeOption()))
			require.NoError(t, err)
			q := authURL.Query()
			assert.Equal(t, "S256", q.Get("code_challenge_method"))
			assert.Equal(t, pkce.Challenge(), q.Get("code_challenge"))
			assert.Equal(t, appID, q.Get("client_id"))
			assert.Equal(t, "user", q.Get("scope"))
			assert.Empty(t, q.Get("client_secret"))

			tok, err := conf.Exchange(t.Context(), "the-code", pkce.VerifierOption())
			require.NoError(t, err)
			assert.Equal(t, "access-1", tok.AccessToken)
			te.mu.Lock()
			form, basic := te.forms[0], te.basic[0]
			te.mu.Unlock()
			assert.False(t, basic, "never HTTP Basic: Mattermost reads the form")
			assert.Equal(t, pkce.Verifier.Reveal(), form.Get("code_verifier"))
			assert.True(t, models.VerifyS256(q.Get("code_challenge"), form.Get("code_verifier")))
			assert.Equal(t, appID, form.Get("client_id"))
			assert.Equal(t, tt.wantSecret, form.Get("client_secret"))
			_, sent := form["client_secret"]
			assert.Equal(t, tt.wantSecret != "", sent, "a public client sends no client_secret at all")
		})
	}
}

// TestTokenSourceOutlivesRequestContext shows the x/oauth2 pitfall and that
// TokenSource avoids it: a refresh after the creating context ended.
func TestTokenSourceOutlivesRequestContext(t *testing.T) {
	t.Parallel()
	te := newTokenEndpoint(t)
	conf, err := OAuth2Config(testMetadata(te.URL), testRegistration("client_secret_post", secretVal), "http://127.0.0.1:9999/cb")
	require.NoError(t, err)
	expired := &oauth2.Token{AccessToken: "old", RefreshToken: "r0", Expiry: time.Now().Add(-time.Hour)}

	requestCtx, cancel := context.WithCancel(t.Context())
	pitfall := conf.TokenSource(requestCtx, expired)
	cancel() // the request that created the source is over
	_, err = pitfall.Token()
	require.ErrorIs(t, err, context.Canceled, "x/oauth2 keeps the creating context for refreshes")

	src := TokenSource(conf, expired, te.Client())
	tok, err := src.Token()
	require.NoError(t, err)
	assert.Equal(t, "access-1", tok.AccessToken)
	again, err := src.Token()
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, again.AccessToken, "cached until it expires")

	// The client sends the source's token.
	f := newFixture(t, []reply{{status: 200, body: `{"id":"` + userID + `"}`}})
	c := f.c.WithToken("")
	c.ts = src
	_, _, err = c.GetMe(t.Context())
	require.NoError(t, err)
	assert.Equal(t, "Bearer access-1", f.s.requests()[0].Header.Get("Authorization"))
}

func TestPKCE(t *testing.T) {
	t.Parallel()
	p := NewPKCE()
	assert.True(t, models.IsValidCodeVerifier(p.Verifier.Reveal()))
	assert.Equal(t, models.S256Challenge(p.Verifier.Reveal()), p.Challenge())
	assert.NotEqual(t, p.Verifier, NewPKCE().Verifier, "fresh randomness")

	req := validAuthorize()
	p.ApplyTo(req)
	assert.Equal(t, "S256", req.CodeChallengeMethod)
	assert.Equal(t, p.Challenge(), req.CodeChallenge)
	require.NoError(t, req.Validate())

	var logged syncBuffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("pkce", "p", p, "value", *p, "v", p.Verifier)
	for _, s := range []string{fmt.Sprintf("%v", p), fmt.Sprintf("%+v", p), fmt.Sprintf("%#v", p), fmt.Sprintf("%+v", *p), fmt.Sprintf("%s", p.Verifier), logged.String()} {
		assertNoSecret(t, "PKCE rendering", s, p.Verifier.Reveal())
	}
}
