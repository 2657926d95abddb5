package client

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// metadataServer serves a metadata document at the given paths; edit
// changes the document built for issuer. It records request paths and
// Authorization headers.
type metadataServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
	auth  []string
}

func newMetadataServer(t *testing.T, issuerPath string, servedAt []string, edit func(m *models.AuthorizationServerMetadata)) *metadataServer {
	t.Helper()
	ms := &metadataServer{}
	ms.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ms.mu.Lock()
		ms.paths = append(ms.paths, r.URL.Path)
		ms.auth = append(ms.auth, r.Header.Get("Authorization"))
		ms.mu.Unlock()
		for _, p := range servedAt {
			if r.URL.Path == p {
				issuer := ms.URL + issuerPath
				m := &models.AuthorizationServerMetadata{
					Issuer:                            issuer,
					AuthorizationEndpoint:             issuer + "/oauth/authorize",
					TokenEndpoint:                     issuer + "/oauth/access_token",
					ResponseTypesSupported:            []string{"code"},
					RegistrationEndpoint:              issuer + "/api/v4/oauth/apps/register",
					ScopesSupported:                   []string{"user"},
					GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
					TokenEndpointAuthMethodsSupported: []string{"client_secret_post"},
					CodeChallengeMethodsSupported:     []string{"S256"},
				}
				if edit != nil {
					edit(m)
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(m)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"id":"api.context.404.app_error","message":"Sorry, we could not find the page.","detailed_error":"","status_code":404}`))
	}))
	t.Cleanup(ms.Close)
	return ms
}

func (ms *metadataServer) seen() (paths, auth []string) {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]string(nil), ms.paths...), append([]string(nil), ms.auth...)
}

const wellKnown = "/.well-known/oauth-authorization-server"

func TestDiscoverValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		issuerPath string
		servedAt   []string
		wantPaths  []string
	}{
		{"issuer without path", "", []string{wellKnown}, []string{wellKnown}},
		{"issuer with path, RFC 8414 URL", "/mm", []string{wellKnown + "/mm"}, []string{wellKnown + "/mm"}},
		{"issuer with path, Mattermost's URL below SiteURL", "/mm", []string{"/mm" + wellKnown}, []string{wellKnown + "/mm", "/mm" + wellKnown}},
		{"issuer with nested path", "/a/b", []string{wellKnown + "/a/b"}, []string{wellKnown + "/a/b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms := newMetadataServer(t, tt.issuerPath, tt.servedAt, nil)
			meta, err := Discover(t.Context(), ms.URL+tt.issuerPath, WithToken(testToken), WithRetryPolicy(NoRetry()))
			require.NoError(t, err)
			assert.Equal(t, ms.URL+tt.issuerPath, meta.Issuer)
			assert.True(t, meta.SupportsRegistration())
			paths, auth := ms.seen()
			assert.Equal(t, tt.wantPaths, paths)
			for _, a := range auth {
				assert.Empty(t, a, "Discover never sends Authorization")
			}
		})
	}
}

func TestDiscoverRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(m *models.AuthorizationServerMetadata)
		rule   DiscoveryRule
		reason string
	}{
		{"issuer with trailing slash", func(m *models.AuthorizationServerMetadata) { m.Issuer += "/" }, RuleIssuer, "is not identical"},
		{"issuer of another host", func(m *models.AuthorizationServerMetadata) { m.Issuer = "https://evil.example" }, RuleIssuer, "evil.example"},
		{"no S256", func(m *models.AuthorizationServerMetadata) { m.CodeChallengeMethodsSupported = nil }, RuleS256, "lacks \"S256\""},
		{"plain only", func(m *models.AuthorizationServerMetadata) { m.CodeChallengeMethodsSupported = []string{"plain"} }, RuleS256, "plain"},
		{"relative authorization endpoint", func(m *models.AuthorizationServerMetadata) { m.AuthorizationEndpoint = "/oauth/authorize" }, RuleEndpoints, "authorization_endpoint"},
		{"missing token endpoint", func(m *models.AuthorizationServerMetadata) { m.TokenEndpoint = "" }, RuleEndpoints, "token_endpoint"},
		{"relative registration endpoint", func(m *models.AuthorizationServerMetadata) { m.RegistrationEndpoint = "api/v4/oauth/apps/register" }, RuleEndpoints, "registration_endpoint"},
		{"endpoint with fragment", func(m *models.AuthorizationServerMetadata) { m.TokenEndpoint += "#x" }, RuleEndpoints, "token_endpoint"},
		{"non-http endpoint", func(m *models.AuthorizationServerMetadata) { m.AuthorizationEndpoint = "javascript:alert(1)" }, RuleEndpoints, "authorization_endpoint"},
		{"no code response type", func(m *models.AuthorizationServerMetadata) { m.ResponseTypesSupported = []string{"token"} }, RuleResponseTypes, "lacks \"code\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms := newMetadataServer(t, "", []string{wellKnown}, tt.edit)
			meta, err := Discover(t.Context(), ms.URL)
			assert.Nil(t, meta)
			var de *DiscoveryError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.rule, de.Rule)
			assert.Contains(t, de.Reason, tt.reason)
			assert.Equal(t, ms.URL+wellKnown, de.URL)
			require.NotNil(t, de.Metadata, "the refused document is kept for diagnostics")
			assert.Contains(t, err.Error(), string(tt.rule))
		})
	}
}

func TestDiscoverFetchFailures(t *testing.T) {
	t.Parallel()
	t.Run("disabled provider: 501", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(501)
			_, _ = w.Write([]byte(`{"id":"api.oauth.authorization_server_metadata.disabled.app_error","message":"m","detailed_error":"","status_code":501}`))
		}))
		defer srv.Close()
		_, err := Discover(t.Context(), srv.URL)
		var de *DiscoveryError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, RuleFetch, de.Rule)
		assert.ErrorIs(t, err, ErrNotImplemented)
	})
	t.Run("not JSON", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>")) }))
		defer srv.Close()
		_, err := Discover(t.Context(), srv.URL)
		var dec *DecodeError
		require.ErrorAs(t, err, &dec)
		var de *DiscoveryError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, RuleFetch, de.Rule)
	})
	t.Run("404 on both URLs", func(t *testing.T) {
		t.Parallel()
		ms := newMetadataServer(t, "/mm", nil, nil)
		_, err := Discover(t.Context(), ms.URL+"/mm")
		var de *DiscoveryError
		require.ErrorAs(t, err, &de)
		assert.ErrorIs(t, err, ErrNotFound)
		assert.Equal(t, ms.URL+"/mm"+wellKnown, de.URL)
		paths, _ := ms.seen()
		assert.Len(t, paths, 2)
	})
}

func TestDiscoverBadServerURL(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{"", "/relative", "ftp://h", "http://", "http://h/?q=1", "http://h/#f", "http://h/#", "http://u:p@h", "http://h\x7f"} {
		_, err := Discover(t.Context(), raw)
		var de *DiscoveryError
		require.ErrorAs(t, err, &de, raw)
		assert.Equal(t, RuleServerURL, de.Rule, raw)
		assert.Empty(t, de.URL, "nothing fetched for %q", raw)
		assert.NotContains(t, err.Error(), ":p@", "no password echoed")
	}
}

func TestWellKnownURLs(t *testing.T) {
	t.Parallel()
	tests := []struct{ issuer, want string }{
		{"https://h", "https://h/.well-known/oauth-authorization-server"},
		{"https://h/", "https://h/.well-known/oauth-authorization-server"},
		{"https://h:8443/tenant/x", "https://h:8443/.well-known/oauth-authorization-server/tenant/x https://h:8443/tenant/x/.well-known/oauth-authorization-server"},
		{"https://h/a%2Fb", "https://h/.well-known/oauth-authorization-server/a%2Fb https://h/a%2Fb/.well-known/oauth-authorization-server"},
	}
	for _, tt := range tests {
		u, err := parseIssuer(tt.issuer)
		require.NoError(t, err)
		var got []string
		for _, w := range wellKnownURLs(u) {
			got = append(got, w.String())
		}
		assert.Equal(t, tt.want, strings.Join(got, " "), tt.issuer)
	}
}

func TestDiscoveryErrorUnwrap(t *testing.T) {
	t.Parallel()
	inner := errors.New("inner")
	de := &DiscoveryError{ServerURL: "https://h", Rule: RuleFetch, Reason: "r", Err: inner}
	assert.ErrorIs(t, de, inner)
	assert.Equal(t, `mmoauth: discovery of "https://h": fetch: r: inner`, de.Error())
}
