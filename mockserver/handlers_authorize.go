package mockserver

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// authorizeOAuthApp is web/oauth.go authorizeOAuthApp (POST /oauth/authorize,
// the consent form): decode (400 invalid_body_param authorize_request) →
// AuthorizeRequest.IsValid (400 model.authorize.is_valid.*) → an OAuth
// session may not approve apps (403) → AllowOAuthAppAccessToUser →
// {"redirect": …}.
func (c *call) authorizeOAuthApp() {
	var ar *models.AuthorizeRequest
	if err := c.decodeJSON(&ar); err != nil || ar == nil {
		c.writeError(errInvalidBodyParam("authorize_request", "unable to decode the request"))
		return
	}
	if e := c.rules.authorizeRequestError(ar); e != nil {
		c.writeError(e)
		return
	}
	if c.rules.refusesOAuthSession(c.sess) {
		e := errPermission(c.userID(), PermEditOtherUsers)
		e.Detail += ", attempted access by oauth app"
		c.writeError(e)
		return
	}
	redirect, e := c.allowAccess(ar)
	if e != nil {
		c.writeError(e)
		return
	}
	c.writeJSON(http.StatusOK, map[string]string{"redirect": redirect})
}

// redirectRegistered is OAuthApp.IsValidRedirectURL (rule redirectURIMatches).
func (c *call) redirectRegistered(app models.OAuthApp, uri string) bool {
	return c.rules.redirectURIMatches(app, uri)
}

// allowAccess is app.AllowOAuthAppAccessToUser: provider gate (501) → empty
// scope becomes "user" → app (404) → exact redirect URI (400) → a public
// client needs a code_challenge for response_type=code (400) → a code or an
// implicit token, or an unsupported_response_type redirect → the approval is
// remembered (it feeds the authorized-apps list and GET /oauth/authorize).
func (c *call) allowAccess(ar *models.AuthorizeRequest) (string, *apiError) {
	if c.rules.providerOff(c.cfg) {
		return "", errProviderOff()
	}
	if ar.Scope == "" {
		ar.Scope = models.DefaultScope
	}
	app, ok := c.st.getApp(ar.ClientID)
	if !ok {
		return "", errAppNotFound()
	}
	if !c.redirectRegistered(app, ar.RedirectURI) {
		return "", newError(http.StatusBadRequest, "api.oauth.allow_oauth.redirect_callback.app_error", "")
	}
	if app.IsPublic() && ar.ResponseType == models.ResponseTypeCode && ar.CodeChallenge == "" && c.rules.publicClientNeedsPKCE() {
		return "", newError(http.StatusBadRequest, "api.oauth.allow_oauth.pkce_required_public.app_error", "")
	}
	var redirect string
	switch c.rules.responseTypeServed(ar.ResponseType) {
	case models.ResponseTypeCode:
		redirect = c.codeRedirect(ar)
	case models.ResponseTypeToken:
		var ok bool
		if redirect, ok = c.implicitRedirect(app, ar); !ok {
			return ar.RedirectURI + "?error=server_error&state=" + ar.State, nil
		}
	default:
		return ar.RedirectURI + "?error=unsupported_response_type&state=" + ar.State, nil
	}
	c.st.authorize(c.userID(), app.ID)
	return redirect, nil
}

// codeRedirect is app.GetOAuthCodeRedirect: a 52-character code valid for
// 600 s, added with the state to the redirect URI's own query.
func (c *call) codeRedirect(ar *models.AuthorizeRequest) string {
	ad := authData{
		Code: newCode(), ClientID: ar.ClientID, UserID: c.userID(), RedirectURI: ar.RedirectURI,
		State: ar.State, Scope: ar.Scope, CodeChallenge: ar.CodeChallenge,
		CodeChallengeMethod: ar.CodeChallengeMethod, Resource: ar.Resource, CreateAt: c.now,
	}
	u, err := url.Parse(ar.RedirectURI)
	if err != nil {
		return ar.RedirectURI + "?error=redirect_uri_parse_error&state=" + ar.State
	}
	c.st.saveCode(ad)
	q := u.Query()
	q.Set("code", ad.Code)
	q.Set("state", c.rules.codeRedirectState(ad.State))
	u.RawQuery = q.Encode()
	return u.String()
}

// implicitRedirect is app.GetOAuthImplicitRedirect: an access token (no
// refresh token) in the fragment; false when the user and client already
// have access data (rule implicitNeedsNoAccessData).
func (c *call) implicitRedirect(app models.OAuthApp, ar *models.AuthorizeRequest) (string, bool) {
	if _, exists := c.st.previousAccess(c.userID(), app.ID); exists && c.rules.implicitNeedsNoAccessData() {
		return "", false
	}
	ad := accessData{
		ClientID: app.ID, UserID: c.userID(), Token: newID(), RedirectURI: ar.RedirectURI,
		ExpiresAt: c.now.Add(sessionLengthSSO), Scope: ar.Scope,
	}
	c.st.saveAccess(ad)
	v := url.Values{}
	v.Add("access_token", ad.Token)
	v.Add("token_type", "bearer")
	v.Add("expires_in", strconv.FormatInt(int64(sessionLengthSSO.Seconds()), 10))
	v.Add("scope", ar.Scope)
	v.Add("state", ar.State)
	return c.rules.implicitRedirectURL(ar.RedirectURI, v), true
}

// authorizeOAuthPage is web/oauth.go authorizeOAuthPage (GET
// /oauth/authorize, the browser entry point): provider gate (HTML 501) →
// IsValid (HTML 400) → app (HTML 404) → no session: 302 to the login page →
// exact redirect URI (HTML 400) → public client without PKCE (HTML 400) →
// trusted or already approved: 302 to the redirect URI with a code → else
// the consent page (200 HTML).
func (c *call) authorizeOAuthPage() {
	if c.rules.providerOff(c.cfg) {
		c.renderWebError(newError(http.StatusNotImplemented, "api.oauth.authorize_oauth.disabled.app_error", ""))
		return
	}
	q := c.r.URL.Query()
	ar := &models.AuthorizeRequest{
		ResponseType: q.Get("response_type"), ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		Scope: q.Get("scope"), State: q.Get("state"), CodeChallenge: q.Get("code_challenge"),
		CodeChallengeMethod: q.Get("code_challenge_method"), Resource: q.Get("resource"),
	}
	if e := c.rules.authorizeRequestError(ar); e != nil {
		c.renderWebError(e)
		return
	}
	app, ok := c.st.getApp(ar.ClientID)
	if !ok {
		c.renderWebError(errAppNotFound())
		return
	}
	if c.acct == nil {
		c.rules.anonymousAuthorizePage(c)
		return
	}
	if !c.redirectRegistered(app, ar.RedirectURI) {
		c.rules.unregisteredRedirectPage(c, ar)
		return
	}
	if app.IsPublic() && ar.ResponseType == models.ResponseTypeCode && ar.CodeChallenge == "" && c.rules.publicClientNeedsPKCE() {
		c.renderWebError(newError(http.StatusBadRequest, "api.oauth.allow_oauth.pkce_required_public.app_error", ""))
		return
	}
	approved := func() bool { return c.st.isAuthorized(c.userID(), app.ID) }
	if c.rules.consentSkipped(app.IsTrusted, approved) {
		redirect, e := c.allowAccess(ar)
		if e != nil {
			c.renderWebError(e)
			return
		}
		c.redirect(redirect)
		return
	}
	h := c.w.Header()
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Content-Security-Policy", "frame-ancestors 'self'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache, max-age=31556926")
	c.w.WriteHeader(http.StatusOK)
	_, _ = fmt.Fprintf(c.w, consentPage, html.EscapeString(app.Name), html.EscapeString(ar.RedirectURI))
}

// consentPage stands in for the web app's root.html, which renders the
// consent screen; approving posts the request to POST /oauth/authorize.
const consentPage = `<!DOCTYPE html>
<html><head><title>Authorize %s</title></head>
<body><p>The mock Mattermost asks whether to let this app access your account.
Approve it with POST /oauth/authorize; it will then redirect to %s.</p></body></html>
`

// siteURL is the site URL without a trailing slash, or the request's own
// origin when none is configured (Context.GetSiteURLHeader).
func (c *call) siteURL() string {
	if s := strings.TrimRight(c.cfg.SiteURL, "/"); s != "" {
		return s
	}
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.r.Host
}

// renderWebError is utils.RenderWebError as the OAuth flow calls it: an
// HTML page with the error's status that sends the browser to the web
// app's /error page with type=oauth_error.
func (c *call) renderWebError(e *apiError) { c.renderWebPage(e, "oauth_error") }

// renderWebAppError is utils.RenderWebAppError, which web/handlers.go
// ServeHTTP uses for the c.Err of a web (not API) handler such as the
// metadata: the same page without a type. Seen on Mattermost 11.6: the
// metadata's 501 is text/html.
func (c *call) renderWebAppError(e *apiError) { c.renderWebPage(e, "") }

func (c *call) renderWebPage(e *apiError, typ string) {
	v := url.Values{"message": {e.message()}}
	if typ != "" {
		v.Set("type", typ)
	}
	dest := c.siteURL() + "/error?" + v.Encode()
	// utils.RenderWebError: text/html without a charset (seen on 11.6).
	c.w.Header().Set("Content-Type", "text/html")
	c.w.WriteHeader(e.Status)
	_, _ = fmt.Fprintf(c.w, "<!DOCTYPE html>\n<html><head></head><body onload=\"window.location = '%s'\"><p>%s</p><a href=\"%s\">Continue</a></body></html>\n",
		html.EscapeString(dest), html.EscapeString(e.message()), html.EscapeString(dest))
}

// redirect answers 302 to location as web/oauth.go authorizeOAuthPage does:
// through an API handler, whose ServeHTTP has already set the JSON
// Content-Type (seen on 11.6), which http.Redirect then keeps.
func (c *call) redirect(location string) {
	c.w.Header().Set("Content-Type", c.contentTypeJSON())
	http.Redirect(c.w, c.r, location, http.StatusFound)
}

// deauthorizeOAuthApp is web/oauth.go deauthorizeOAuthApp: the body is read
// as a string map (model.MapFromJSON: a body that does not decode is an empty
// map) → client_id must be a valid id (400 invalid_body_param client_id) →
// provider gate (501) → the user's tokens, codes and approval for the app
// are removed → {"status":"OK"}.
func (c *call) deauthorizeOAuthApp() {
	var m map[string]string
	if err := c.decodeJSON(&m); err != nil {
		m = nil
	}
	clientID := m["client_id"]
	if !c.rules.deauthorizeClientIDValid(clientID) {
		c.writeError(errInvalidBodyParam("client_id", ""))
		return
	}
	if c.rules.providerOff(c.cfg) {
		c.writeError(errProviderOff())
		return
	}
	if e := c.rules.deauthorizeError(c.st, c.userID(), clientID); e != nil {
		c.writeError(e)
		return
	}
	c.rules.deauthorize(c.st, c.userID(), clientID)
	c.writeStatusOK()
}
