package mockserver

import (
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// registerOAuthClient is api4/oauth.go registerOAuthClient (RFC 7591). The
// limiter wraps it (RateLimitedHandler); then: decode (400
// invalid_client_metadata "Invalid JSON in request body") → provider off (400
// unsupported_operation) → registration off (400 unsupported_operation) →
// IsValid (400 invalid_client_metadata, the AppError's message as
// description) → allowlist (400 invalid_redirect_uri) → app layer (its
// status, invalid_client_metadata) → 201. Every error is an RFC 7591 body.
func (c *call) registerOAuthClient() {
	if c.cfg.EnableDCRRateLimit {
		res := c.s.limiter.take(clientKey(c.r), c.now)
		res.setHeaders(c.w.Header())
		if res.limited {
			http.Error(c.w, "limit exceeded", http.StatusTooManyRequests)
			return
		}
	}
	var req dcrRequest
	if err := c.decodeJSON(&req); err != nil {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorInvalidClientMetadata, "Invalid JSON in request body")
		return
	}
	if !c.cfg.EnableOAuthServiceProvider && !c.dev(DevProviderOffIgnored) {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorUnsupportedOperation, "OAuth service provider is disabled")
		return
	}
	// dcr-disabled-persists answers the refusal only after saving the client.
	disabled := !c.cfg.EnableDynamicClientRegistration && !c.dev(DevDCREnabledIgnored)
	if disabled && !c.dev(DevDCRDisabledPersists) {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorUnsupportedOperation, "Dynamic client registration is disabled")
		return
	}
	if e := req.isValid(!c.dev(DevDCRAcceptsBadRedirect)); e != nil {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorInvalidClientMetadata, e.message())
		return
	}
	if allow := c.cfg.DCRRedirectURIAllowlist; len(allow) > 0 && c.release().allowlist && !c.dev(DevAllowlistIgnored) {
		for _, u := range req.RedirectURIs {
			if !c.release().redirectURIAllowed(u, allow) {
				c.writeDCRError(http.StatusBadRequest, models.DCRErrorInvalidRedirectURI, "One or more redirect URIs do not match the allowlist")
				return
			}
		}
	}
	// app.RegisterOAuthClient → model.NewOAuthAppFromClientRegistration →
	// store SaveApp (PreSave, IsValid). The creator is "" (no session is
	// used); the name defaults; the homepage is client_uri or "".
	app := models.OAuthApp{
		CallbackURLs:            req.RedirectURIs,
		IsDynamicallyRegistered: true,
		Name:                    "Dynamically Registered Client",
	}
	if req.ClientName != nil {
		app.Name = *req.ClientName
	}
	if req.TokenEndpointAuthMethod == nil || *req.TokenEndpointAuthMethod != models.AuthMethodNone {
		app.ClientSecret = models.Secret(newID())
	}
	if req.ClientURI != nil && !c.dev(DevDCRClientURIDropped) {
		app.Homepage = *req.ClientURI
	}
	if c.dev(DevDCRRedirectURIsTruncated) {
		app.CallbackURLs = app.CallbackURLs[:1]
	}
	app.ID = newID()
	app.CreateAt = c.millis()
	app.UpdateAt = app.CreateAt
	check := app
	if c.dev(DevDCRAcceptsBadRedirect) {
		// The app layer would refuse the URIs too; the deviation skips both.
		check.CallbackURLs = []string{"https://redirect.invalid/cb"}
	}
	if e := validateApp(check); e != nil {
		c.writeDCRError(e.Status, models.DCRErrorInvalidClientMetadata, e.message())
		return
	}
	c.st.insertApp(app)
	if disabled {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorUnsupportedOperation, "Dynamic client registration is disabled")
		return
	}
	c.writeJSON(http.StatusCreated, c.registrationResponse(app))
}

// registrationResponse is OAuthApp.ToClientRegistrationResponse: no
// client_id_issued_at, no client_secret_expires_at, scope "user", fixed grant
// and response types, client_name and client_uri only when set.
func (c *call) registrationResponse(app models.OAuthApp) models.ClientRegistrationResponse {
	resp := models.ClientRegistrationResponse{
		ClientID:                app.ID,
		RedirectURIs:            app.CallbackURLs,
		TokenEndpointAuthMethod: models.AuthMethodClientSecretPost,
		GrantTypes:              []string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken},
		ResponseTypes:           []string{models.ResponseTypeCode},
		Scope:                   models.DefaultScope,
		ClientName:              app.Name,
		ClientURI:               app.Homepage,
	}
	if app.IsPublic() {
		resp.TokenEndpointAuthMethod = models.AuthMethodNone
		if c.dev(DevDCRPublicGetsSecret) {
			resp.ClientSecret = models.Secret(newID())
		}
	} else {
		resp.ClientSecret = app.ClientSecret
		if c.dev(DevDCRSecretMismatch) {
			resp.ClientSecret = models.Secret(newID())
		}
	}
	return resp
}
