package conformance

import (
	"context"
	"net/http"
	"net/url"
	"slices"

	"github.com/mmoauth/mmoauth/models"
)

// metadata fetches the RFC 8414 document anonymously and ends the check
// unless it is served.
func (t *T) metadata(ctx context.Context) *models.AuthorizationServerMetadata {
	return call(t.Client(Anonymous).GetAuthorizationServerMetadata(ctx)).must(t, "GET "+metadataPath)
}

// endpointURL is url.JoinPath(SiteURL, p), as the server builds its
// endpoints (server/channels/app/oauth.go GetAuthorizationServerMetadata).
func endpointURL(base, p string) string {
	u, err := url.JoinPath(base, p)
	if err != nil {
		return base + p
	}
	return u
}

func rfc8414Checks() []Check {
	return []Check{
		{
			ID: "rfc8414/metadata/served", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "GET /.well-known/oauth-authorization-server needs no session and answers 200 application/json with Mattermost's values: each list has what the server supports, only that, and no value twice",
			Source:   "RFC 8414 §3.2; server/channels/app/oauth.go GetAuthorizationServerMetadata (GetDefaultMetadata), the permission checks of server/channels/api4/oauth.go (metadata row)",
			Run: func(ctx context.Context, t *T) {
				r := t.raw(ctx, Anonymous, http.MethodGet, metadataPath, "", nil)
				if !r.expect(t, "anonymous GET of the metadata", http.StatusOK, "") {
					return
				}
				if !r.isJSON() {
					t.Errorf("the metadata is served as %q, want application/json (RFC 8414 §3.2)", r.Header.Get("Content-Type"))
				}
				m := t.metadata(ctx)
				for _, l := range []struct {
					name           string
					got            []string
					want, possible []string
				}{
					// possible: values the server implements (server/channels/app/oauth.go:
					// response types code and token; token endpoint methods
					// client_secret_post and none, which one variant lists).
					{"response_types_supported", m.ResponseTypesSupported,
						[]string{models.ResponseTypeCode}, []string{models.ResponseTypeCode, models.ResponseTypeToken}},
					{"grant_types_supported", m.GrantTypesSupported,
						[]string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken},
						[]string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken, "implicit"}},
					{"scopes_supported", m.ScopesSupported, []string{models.DefaultScope}, []string{models.DefaultScope}},
					{"token_endpoint_auth_methods_supported", m.TokenEndpointAuthMethodsSupported,
						[]string{models.AuthMethodClientSecretPost}, []string{models.AuthMethodClientSecretPost, models.AuthMethodNone}},
					// S256 itself is rfc8414/metadata/s256-offered's rule.
					{"code_challenge_methods_supported", m.CodeChallengeMethodsSupported, nil, []string{models.PKCEMethodS256}},
				} {
					checkList(t, l.name, l.got, l.want...)
					checkOnly(t, l.name, l.got, l.possible)
				}
			},
		},
		{
			ID: "rfc8414/metadata/issuer-matches-url", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "issuer is identical (string comparison) to the server URL (SiteURL) the document was fetched from",
			Source:   "RFC 8414 §3.3; server/channels/app/oauth.go GetAuthorizationServerMetadata (issuer = SiteURL), docs/RULES.md",
			Run: func(ctx context.Context, t *T) {
				if m := t.metadata(ctx); m.Issuer != t.BaseURL() {
					t.Errorf("issuer is %q, want %q", m.Issuer, t.BaseURL())
				}
			},
		},
		{
			ID: "rfc8414/metadata/endpoints-under-issuer", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "authorization_endpoint and token_endpoint are absolute URLs under the issuer: /oauth/authorize and /oauth/access_token",
			Source:   "RFC 8414 §2; server/channels/app/oauth.go GetAuthorizationServerMetadata (url.JoinPath(SiteURL, …))",
			Run: func(ctx context.Context, t *T) {
				m := t.metadata(ctx)
				checkEndpoint(t, "authorization_endpoint", m.AuthorizationEndpoint, endpointURL(t.BaseURL(), "/oauth/authorize"))
				checkEndpoint(t, "token_endpoint", m.TokenEndpoint, endpointURL(t.BaseURL(), "/oauth/access_token"))
			},
		},
		{
			ID: "rfc8414/metadata/s256-offered", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "code_challenge_methods_supported lists S256 (and not plain)",
			Source:   "RFC 8414 §2 (absent means no PKCE); RFC 7636 §4.2; server/channels/app/oauth.go GetAuthorizationServerMetadata, docs/RULES.md",
			Run: func(ctx context.Context, t *T) {
				m := t.metadata(ctx)
				if !m.SupportsS256() {
					t.Errorf("code_challenge_methods_supported is %v: S256 is not offered", m.CodeChallengeMethodsSupported)
				}
				if slices.Contains(m.CodeChallengeMethodsSupported, "plain") {
					t.Errorf("code_challenge_methods_supported offers plain, which Mattermost refuses (server/channels/app/oauth.go)")
				}
			},
		},
		{
			ID: "rfc8414/metadata/no-registration-endpoint-when-dcr-off", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "With dynamic client registration disabled the document has no registration_endpoint",
			Source:   "server/channels/app/oauth.go GetAuthorizationServerMetadata (registration_endpoint only when EnableDynamicClientRegistration), docs/RULES.md",
			Needs:    Needs{DCR: Off},
			Run: func(ctx context.Context, t *T) {
				if m := t.metadata(ctx); m.RegistrationEndpoint != "" {
					t.Errorf("registration_endpoint %q is advertised while registration is disabled", m.RegistrationEndpoint)
				}
			},
		},
		{
			ID: "rfc8414/metadata/registration-endpoint-when-dcr-on", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "With dynamic client registration enabled, registration_endpoint is the absolute URL of /api/v4/oauth/apps/register",
			Source:   "RFC 8414 §2; server/channels/app/oauth.go GetAuthorizationServerMetadata, docs/RULES.md",
			Needs:    Needs{DCR: On},
			Run: func(ctx context.Context, t *T) {
				m := t.metadata(ctx)
				checkEndpoint(t, "registration_endpoint", m.RegistrationEndpoint, endpointURL(t.BaseURL(), registerPath))
			},
		},
		{
			ID: "rfc8414/metadata/auth-methods-include-none", Category: CategoryRFC8414, Kind: KindCompat,
			Releases: sinceOAuth21,
			Rule:     "token_endpoint_auth_methods_supported lists \"none\", since public clients are supported",
			Source: "server/public/model/oauth_metadata.go GetDefaultMetadata ([none, client_secret_post] in the 11.2, 11.5 and 11.6 sources; " +
				"seen on 11.6); RFC 8414 §2; RFC 7591 §2 (none: public client)",
			Run: func(ctx context.Context, t *T) {
				m := t.metadata(ctx)
				if !slices.Contains(m.TokenEndpointAuthMethodsSupported, models.AuthMethodNone) {
					t.Errorf("token_endpoint_auth_methods_supported is %v: public clients (none) are accepted but not advertised",
						m.TokenEndpointAuthMethodsSupported)
				}
			},
		},
	}
}

func checkList(t *T, name string, got []string, want ...string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s is %v: it lacks %q", name, got, w)
		}
	}
}

// checkOnly fails a list with a value twice or a value the server does not
// implement: a client would try a grant or method that cannot work.
func checkOnly(t *T, name string, got, possible []string) {
	for i, v := range got {
		switch {
		case slices.Contains(got[:i], v):
			t.Errorf("%s lists %q twice", name, v)
		case !slices.Contains(possible, v):
			t.Errorf("%s lists %q, which Mattermost does not implement (it implements %v)", name, v, possible)
		}
	}
}

func checkEndpoint(t *T, name, got, want string) {
	u, err := url.Parse(got)
	switch {
	case got == "":
		t.Errorf("%s is missing", name)
	case err != nil || !u.IsAbs() || u.Host == "":
		t.Errorf("%s %q is not an absolute URL (RFC 8414 §2)", name, got)
	case got != want:
		t.Errorf("%s is %q, want %q", name, got, want)
	}
}
