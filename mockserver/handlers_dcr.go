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
	if c.rules.providerOff(c.cfg) {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorUnsupportedOperation, "OAuth service provider is disabled")
		return
	}
	if c.rules.registrationDisabled(c.cfg) {
		c.rules.refusedRegistration(c, func() bool { _, ok := c.storeRegistration(req); return ok })
		return
	}
	if app, ok := c.storeRegistration(req); ok {
		c.writeJSON(http.StatusCreated, c.registrationResponse(app))
	}
}

// storeRegistration is registration from IsValid to the store's SaveApp;
// it answers its own errors.
func (c *call) storeRegistration(req dcrRequest) (models.OAuthApp, bool) {
	checkRedirects := c.rules.checksRegisteredRedirectURIs()
	if e := req.isValid(checkRedirects); e != nil {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorInvalidClientMetadata, e.message())
		return models.OAuthApp{}, false
	}
	if c.rules.allowlistRefuses(c.cfg.DCRRedirectURIAllowlist, req.RedirectURIs) {
		c.writeDCRError(http.StatusBadRequest, models.DCRErrorInvalidRedirectURI, "One or more redirect URIs do not match the allowlist")
		return models.OAuthApp{}, false
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
	app = c.rules.registeredApp(app, req)
	app.ID = newID()
	app.CreateAt = c.millis()
	app.UpdateAt = app.CreateAt
	check := app
	if !checkRedirects {
		// The app layer would refuse the URIs too; without the check both pass.
		check.CallbackURLs = []string{"https://redirect.invalid/cb"}
	}
	if e := validateApp(check); e != nil {
		c.writeDCRError(e.Status, models.DCRErrorInvalidClientMetadata, e.message())
		return models.OAuthApp{}, false
	}
	c.st.insertApp(app)
	return app, true
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
	}
	resp.ClientSecret = c.rules.registeredSecret(app)
	return resp
}
