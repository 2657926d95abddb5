package mockserver

import (
	"net/http"

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
	if c.rules.metadataDisabled(c) {
		c.renderWebAppError(newError(http.StatusNotImplemented, "api.oauth.authorization_server_metadata.disabled.app_error", ""))
		return
	}
	site := c.cfg.SiteURL
	if site == "" {
		c.renderWebAppError(newError(http.StatusInternalServerError, "api.oauth.authorization_server_metadata.site_url_required.app_error", ""))
		return
	}
	join := func(p string) (string, bool) {
		u, err := c.rules.metadataEndpoint(site, p)
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
		Issuer:                            c.rules.metadataIssuer(site),
		AuthorizationEndpoint:             authz,
		TokenEndpoint:                     token,
		ResponseTypesSupported:            []string{models.ResponseTypeCode},
		ScopesSupported:                   []string{models.DefaultScope},
		GrantTypesSupported:               c.rules.grantTypesSupported(),
		TokenEndpointAuthMethodsSupported: c.rules.tokenAuthMethodsSupported(),
		CodeChallengeMethodsSupported:     c.rules.codeChallengeMethodsSupported(),
	}
	if c.rules.advertisesRegistration(c.cfg) {
		if meta.RegistrationEndpoint, ok = join(pathRegister); !ok {
			return
		}
	}
	c.writeJSON(http.StatusOK, meta)
}
