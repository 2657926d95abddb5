package mockserver

import (
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// getAccessToken is web/oauth.go getAccessToken with
// app.GetOAuthAccessTokenForCodeFlow (server/channels/app/oauth.go). Request shape (grant
// type, code or refresh token present, client_id) → provider gate (501) →
// app (404 credentials) → client authentication (OAuthApp.ValidateForGrantType)
// → the grant → 200 with Cache-Control: no-store.
func (c *call) getAccessToken() {
	if err := c.r.ParseForm(); err != nil {
		c.writeError(newError(http.StatusBadRequest, "api.oauth.get_access_token.bad_request.app_error", ""))
		return
	}
	f := c.r.Form
	code, refresh, grant := f.Get("code"), f.Get("refresh_token"), f.Get("grant_type")
	clientID := f.Get("client_id")
	if e := c.rules.tokenRequestError(grant, code, refresh, clientID); e != nil {
		c.writeError(e)
		return
	}
	if c.rules.providerOff(c.cfg) {
		c.writeError(newError(http.StatusNotImplemented, "api.oauth.get_access_token.disabled.app_error", ""))
		return
	}
	app, ok := c.st.getApp(clientID)
	if !ok {
		c.writeError(c.rules.unknownClientError())
		return
	}
	verifier := f.Get("code_verifier")
	if e := c.validateClient(app, grant, f.Get("client_secret"), verifier); e != nil {
		c.writeError(e)
		return
	}
	var resp *models.AccessResponse
	var e *apiError
	if grant == models.GrantTypeAuthorizationCode {
		resp, e = c.codeGrant(app, f.Get("redirect_uri"), code, verifier, f.Get("resource"))
	} else {
		resp, e = c.refreshGrant(app, refresh, f.Get("resource"))
	}
	if e != nil {
		c.writeError(e)
		return
	}
	h := c.w.Header()
	h.Set("Content-Type", c.contentTypeJSON())
	if cc := c.rules.tokenCacheControl(); cc != "" {
		h.Set("Cache-Control", cc)
	}
	if p := c.rules.tokenPragma(); p != "" {
		h.Set("Pragma", p)
	}
	c.writeJSON(http.StatusOK, resp)
}

// tokenRequestError is the request-shape check of web/oauth.go
// getAccessToken (server/channels/app/oauth.go): a known grant type, the code or refresh
// token it needs, a well-formed client_id.
func tokenRequestError(grant, code, refresh, clientID string) *apiError {
	switch {
	case grant == models.GrantTypeAuthorizationCode && code == "":
		return newError(http.StatusBadRequest, "api.oauth.get_access_token.missing_code.app_error", "")
	case grant == models.GrantTypeRefreshToken && refresh == "":
		return newError(http.StatusBadRequest, "api.oauth.get_access_token.missing_refresh_token.app_error", "")
	case grant != models.GrantTypeAuthorizationCode && grant != models.GrantTypeRefreshToken:
		return newError(http.StatusBadRequest, "api.oauth.get_access_token.bad_grant.app_error", "")
	case !models.IsValidID(clientID):
		return newError(http.StatusBadRequest, "api.oauth.get_access_token.bad_client_id.app_error", "")
	}
	return nil
}

// errCredentials is the 401 of a client secret that does not match
// (model OAuthApp.ValidateForGrantType).
func errCredentials(detail string) *apiError {
	return newError(http.StatusUnauthorized, "model.oauth.validate_grant.credentials.app_error", detail)
}

// validateClient is OAuthApp.ValidateForGrantType. A public client must not
// send a secret, cannot refresh and must send a code_verifier; a
// confidential client must send its secret (constant-time comparison, 401).
func (c *call) validateClient(app models.OAuthApp, grant, secret, verifier string) *apiError {
	detail := "app_id=" + app.ID
	if !app.IsPublic() {
		if secret == "" {
			return c.rules.missingClientSecretError(detail)
		}
		if !secretEqual(app.ClientSecret.Reveal(), secret) {
			return c.rules.wrongSecretError(detail)
		}
		return nil
	}
	switch {
	case secret != "" && c.rules.refusesPublicSecret():
		return newError(http.StatusBadRequest, "model.oauth.validate_grant.public_client_secret.app_error", detail)
	case grant == models.GrantTypeRefreshToken && !c.rules.issuesRefreshToken(app):
		return newError(http.StatusBadRequest, "model.oauth.validate_grant.public_client_refresh_token.app_error", detail)
	case grant == models.GrantTypeAuthorizationCode && verifier == "" && c.rules.publicClientNeedsPKCE():
		return newError(http.StatusBadRequest, "model.oauth.validate_grant.pkce_required.app_error", detail)
	}
	return nil
}

// codeGrant is handleAuthorizationCodeGrant: unknown code (400 expired_code)
// → expired (removed, 403 expired_code) → redirect_uri must equal the one of
// the authorization (400) → PKCE for the client type → the code is consumed
// → resource (RFC 8707) → the user's unexpired token for the client is
// returned again, or a new one is issued.
//
// As on the real server, the code's client is not compared with client_id.
func (c *call) codeGrant(app models.OAuthApp, redirectURI, code, verifier, resource string) (*models.AccessResponse, *apiError) {
	ad, ok := c.st.getCode(code)
	if !ok {
		return nil, newError(http.StatusBadRequest, "api.oauth.get_access_token.expired_code.app_error", "")
	}
	if ad.expired(c.now) {
		c.st.removeCode(code)
		return nil, newError(http.StatusForbidden, "api.oauth.get_access_token.expired_code.app_error", "")
	}
	if c.rules.codeRedirectMismatch(ad.RedirectURI, redirectURI) {
		return nil, newError(http.StatusBadRequest, "api.oauth.get_access_token.redirect_uri.app_error", "")
	}
	if e := c.validatePKCE(app, ad, verifier); e != nil {
		return nil, e
	}
	if c.s.account(ad.UserID) == nil {
		return nil, newError(http.StatusNotFound, "api.oauth.get_access_token.internal_user.app_error", "")
	}
	if !c.rules.spendCode(c.st, code) {
		// Spent by a concurrent exchange since it was read.
		return nil, newError(http.StatusBadRequest, "api.oauth.get_access_token.expired_code.app_error", "")
	}
	audience := ad.Resource
	if resource != "" {
		if e := resourceError(resource, app.ID); e != nil {
			return nil, e
		}
		if ad.Resource != "" && resource != ad.Resource {
			return nil, newError(http.StatusBadRequest, "api.oauth.get_access_token.resource_mismatch.app_error", "client_id="+app.ID)
		}
		audience = resource
	}
	if prev, ok := c.st.previousAccess(ad.UserID, app.ID); ok && c.rules.reissuesLiveToken() {
		if !c.now.After(prev.ExpiresAt) { // AccessData.IsExpired: now > ExpiresAt
			return c.accessResponse(app, prev, int32(prev.ExpiresAt.Sub(c.now).Seconds())), nil
		}
		if resp, ok := c.rotate(app, prev, audience); ok {
			return resp, nil
		}
		return nil, newError(http.StatusInternalServerError, "web.get_access_token.internal_saving.app_error", "")
	}
	next := accessData{
		ClientID: app.ID, UserID: ad.UserID, Token: newID(), RedirectURI: redirectURI,
		ExpiresAt: c.now.Add(sessionLengthSSO), Scope: ad.Scope, Audience: audience,
	}
	if c.rules.issuesRefreshToken(app) {
		next.RefreshToken = newID()
	}
	c.st.saveAccess(next)
	return c.accessResponse(app, next, int32(sessionLengthSSO.Seconds())), nil
}

// validatePKCE is AuthData.ValidatePKCEForClientType: a public client's
// authorization must have had a challenge; with a challenge the verifier is
// required and must hash to it (S256, RFC 7636 §4.6); a confidential client
// that used no challenge must not send a verifier.
func (c *call) validatePKCE(app models.OAuthApp, ad authData, verifier string) *apiError {
	bad := func(id string) *apiError { return newError(http.StatusBadRequest, id, "client_id="+ad.ClientID) }
	switch {
	case !c.rules.verifiesPKCE():
		// A release without PKCE ignores the verifier.
	case app.IsPublic() && ad.CodeChallenge == "":
		if !c.rules.publicClientNeedsPKCE() {
			return nil
		}
		return bad("model.authorize.validate_pkce.public_client_required.app_error")
	case ad.CodeChallenge != "" && verifier == "":
		return bad("model.authorize.validate_pkce.verifier_required.app_error")
	case ad.CodeChallenge != "":
		if !c.rules.verifierMatches(ad.CodeChallengeMethod, ad.CodeChallenge, verifier) {
			return bad("model.authorize.validate_pkce.verification_failed.app_error")
		}
	case verifier != "" && c.rules.refusesUnusedVerifier():
		return bad("model.authorize.validate_pkce.not_used_in_auth.app_error")
	}
	return nil
}

// refreshGrant is handleRefreshTokenGrant: the refresh token must be known
// (404 refresh_token) → resource must match the original audience → the
// session is replaced and the refresh token rotated (newSessionUpdateToken).
// As on the real server, the token's client is not compared with client_id.
func (c *call) refreshGrant(app models.OAuthApp, refresh, resource string) (*models.AccessResponse, *apiError) {
	ad, ok := c.st.accessByRefresh(refresh)
	if !ok {
		return nil, newError(http.StatusNotFound, "api.oauth.get_access_token.refresh_token.app_error", "")
	}
	if c.s.account(ad.UserID) == nil {
		return nil, newError(http.StatusNotFound, "api.oauth.get_access_token.internal_user.app_error", "")
	}
	audience := ad.Audience
	if resource != "" {
		if e := resourceError(resource, app.ID); e != nil {
			return nil, e
		}
		if ad.Audience != "" && resource != ad.Audience {
			return nil, newError(http.StatusBadRequest, "api.oauth.get_access_token.resource_mismatch.app_error", "client_id="+app.ID)
		}
		audience = resource
	}
	if resp, ok := c.rotate(app, ad, audience); ok {
		return resp, nil
	}
	// Rotated by a concurrent request since it was read: spent.
	return nil, newError(http.StatusNotFound, "api.oauth.get_access_token.refresh_token.app_error", "")
}

// rotate is newSessionUpdateToken: the old access token stops working, a new
// one and (for confidential clients) a new refresh token replace it. false
// when the old access data changed meanwhile.
func (c *call) rotate(app models.OAuthApp, old accessData, audience string) (*models.AccessResponse, bool) {
	next := old
	next.Token = newID()
	next.RefreshToken = c.rules.refreshTokenOnRefresh(c.rules, app, old.RefreshToken)
	next.ExpiresAt = c.now.Add(sessionLengthSSO)
	if audience != "" {
		next.Audience = audience
	}
	if !c.st.rotateAccess(old, next) {
		return nil, false
	}
	return c.accessResponse(app, next, int32(sessionLengthSSO.Seconds())), true
}

// accessResponse is model.AccessResponse; public clients never see a refresh
// token. Like the real server (createNewAccessData, handleExistingAccessData,
// newSessionUpdateToken), it leaves scope empty.
func (c *call) accessResponse(app models.OAuthApp, ad accessData, expiresIn int32) *models.AccessResponse {
	refresh := ad.RefreshToken
	if !c.rules.issuesRefreshToken(app) {
		refresh = ""
	}
	return &models.AccessResponse{
		AccessToken:  models.Secret(ad.Token),
		TokenType:    "bearer",
		ExpiresIn:    expiresIn,
		RefreshToken: models.Secret(refresh),
		Audience:     ad.Audience,
	}
}
