package mockserver

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/models"
)

// TestReleaseEmulation checks what the emulated release decides: the
// version announced, the 11.2 endpoints, is_public, and the allowlist's
// matching.
func TestReleaseEmulation(t *testing.T) {
	t.Parallel()
	for _, r := range models.KnownReleases() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			cfg := DefaultConfig()
			cfg.Release = r
			cfg.EnableDynamicClientRegistration = true
			ts := NewTestServer(t, WithConfig(cfg))
			oauth21 := !r.Before(models.ReleaseOAuth21)

			meta := do(t, ts, req{Method: http.MethodGet, Path: "/.well-known/oauth-authorization-server"})
			assert.Equal(t, r.String()+".0.mock.mock.false", meta.Header.Get("X-Version-Id"))
			reg := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/register",
				Body: map[string]any{"redirect_uris": []string{"https://a.example.com/cb"}}})
			app := createApp(t, ts, ts.Identities.OAuthManager.Token, map[string]any{
				"name": "public", "homepage": "https://a.example.com", "callback_urls": []string{"https://a.example.com/cb"}, "is_public": true})
			if oauth21 {
				assert.Equal(t, http.StatusOK, meta.Status)
				assert.Equal(t, http.StatusCreated, reg.Status)
				assert.Empty(t, app.ClientSecret.Reveal(), "is_public is honoured from 11.2")
			} else {
				assert.Equal(t, http.StatusNotFound, meta.Status)
				assert.Equal(t, "text/plain; charset=utf-8", meta.Header.Get("Content-Type"))
				assert.Equal(t, http.StatusNotFound, reg.Status)
				assert.Equal(t, "api.context.404.app_error", reg.appError(t).ID)
				assert.NotEmpty(t, app.ClientSecret.Reveal(), "before 11.2 is_public is ignored")
			}
			if oauth21 {
				var m models.AuthorizationServerMetadata
				meta.decode(t, &m)
				assert.Equal(t, []string{models.AuthMethodNone, models.AuthMethodClientSecretPost}, m.TokenEndpointAuthMethodsSupported,
					"every release with the metadata lists none (the 11.2, 11.5 and 11.6 sources; seen on 11.6)")
			}
		})
	}
}

// TestReleaseAllowlistMatching: a host wildcard reaches into the path when
// the whole URI is globbed (11.5 to 11.8), not when components are matched
// apart (11.9); before 11.5 there is no allowlist.
func TestReleaseAllowlistMatching(t *testing.T) {
	t.Parallel()
	allow := []string{"https://*/cb"}
	const uri = "https://example.com/cb"
	tests := []struct {
		release models.Release
		uri     string
		want    bool
	}{
		{models.ReleaseDCRAllowlist, uri, true},
		{models.ReleaseDCRAllowlist, "https://example.com/other", false},
		{models.ReleaseObserved, "https://example.com/cb?x=1", false},
		{models.ReleaseAllowlistPerComponent, uri, true},
		{models.ReleaseAllowlistPerComponent, "https://example.com/other", false},
	}
	for _, tc := range tests {
		got := rulesOf(tc.release).redirectURIAllowed(tc.uri, allow)
		assert.Equal(t, tc.want, got, "%s: %s against %v", tc.release, tc.uri, allow)
	}
	// Where the two matchers disagree: "**" in the host swallows the path
	// of a whole-URI glob, but a host has no "/" to match per component.
	deep := []string{"https://**/cb"}
	assert.True(t, rulesOf(models.ReleaseObserved).redirectURIAllowed("https://example.com/x/cb", deep))
	assert.False(t, rulesOf(models.ReleaseAllowlistPerComponent).redirectURIAllowed("https://example.com/x/cb", deep))
	assert.False(t, rulesOf(models.ReleaseOAuth21).allowlist)
}
