package mockserver

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Endpoint paths relative to SiteURL (model/oauth.go, model/oauth_metadata.go).
//
//nolint:gosec // G101: URL paths, not credentials
const (
	pathAuthorize   = "/oauth/authorize"
	pathAccessToken = "/oauth/access_token"
	pathRegister    = "/api/v4/oauth/apps/register"
	pathMetadata    = "/.well-known/oauth-authorization-server"
)

// getAuthorizationServerMetadata is web/oauth.go getAuthorizationServerMetadata
// with app.GetAuthorizationServerMetadata and model.GetDefaultMetadata
// (server/channels/app/oauth.go GetAuthorizationServerMetadata): 501 while the provider is off, 500 without a SiteURL (both
// as the HTML error page of a web handler),
// issuer = SiteURL verbatim, endpoints joined to it, registration_endpoint
// only while registration is enabled.
func (c *call) getAuthorizationServerMetadata() {
	if c.providerOff() && !c.dev(DevMetadataIgnoresProviderOff) {
		c.renderWebAppError(newError(http.StatusNotImplemented, "api.oauth.authorization_server_metadata.disabled.app_error", ""))
		return
	}
	site := c.cfg.SiteURL
	if site == "" {
		c.renderWebAppError(newError(http.StatusInternalServerError, "api.oauth.authorization_server_metadata.site_url_required.app_error", ""))
		return
	}
	join := func(p string) (string, bool) {
		if c.dev(DevRelativeEndpoints) {
			return p, true
		}
		u, err := url.JoinPath(site, p)
		if err != nil {
			c.renderWebAppError(newError(http.StatusInternalServerError, "api.oauth.authorization_server_metadata.invalid_url.app_error", ""))
			return "", false
		}
		return u, true
	}
	authz, ok := join(pathAuthorize)
	if !ok {
		return
	}
	token, ok := join(pathAccessToken)
	if !ok {
		return
	}
	meta := models.AuthorizationServerMetadata{
		Issuer:                            site,
		AuthorizationEndpoint:             authz,
		TokenEndpoint:                     token,
		ResponseTypesSupported:            []string{models.ResponseTypeCode},
		ScopesSupported:                   []string{models.DefaultScope},
		GrantTypesSupported:               []string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken},
		TokenEndpointAuthMethodsSupported: []string{models.AuthMethodClientSecretPost},
		CodeChallengeMethodsSupported:     []string{models.PKCEMethodS256},
	}
	if c.release().authMethodNone {
		meta.TokenEndpointAuthMethodsSupported = []string{models.AuthMethodNone, models.AuthMethodClientSecretPost}
	}
	if c.cfg.EnableDynamicClientRegistration || c.dev(DevRegistrationEndpointAlways) {
		if meta.RegistrationEndpoint, ok = join(pathRegister); !ok {
			return
		}
	}
	if c.dev(DevWrongIssuer) {
		meta.Issuer = strings.TrimSuffix(site, "/") + "/"
		if meta.Issuer == site {
			meta.Issuer += "/"
		}
	}
	if c.dev(DevMetadataUnsupportedGrant) {
		meta.GrantTypesSupported = append(meta.GrantTypesSupported, "client_credentials")
	}
	if c.dev(DevNoS256) {
		meta.CodeChallengeMethodsSupported = nil
	}
	c.writeJSON(http.StatusOK, meta)
}
