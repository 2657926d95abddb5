package mockserver

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// rules are the real server's rules the handlers ask whenever the answer
// depends on one, each a named hook. faithfulRules holds the newest
// release's implementations, each citing where the real server has it;
// a release profile (release.go releaseProfile) and the deviations
// (deviations_table.go) replace hooks, never the handlers. A Server builds
// its rules once (buildRules), and again only when Config.Release changes,
// so a request pays for none of this.
//
// A hook takes the narrowest input that decides it: a value, the caller's
// account, or the call when it has to write an answer or read other rules.
// The field names are the names the rule book points to
// (Deviation.Replaces).
type rules struct {
	// Answers (call.go).

	// jsonContentType is the Content-Type of every API body (web/handlers.go
	// ServeHTTP sets application/json).
	jsonContentType func() string
	// appErrorStatusCode is AppError.status_code for an answer with status
	// (model.AppError.ToJSON: the status itself).
	appErrorStatusCode func(status int) int
	// dcrErrorBody is the registration endpoint's error body: RFC 7591
	// §3.2.2 {error, error_description} (api4/oauth.go registerOAuthClient).
	dcrErrorBody func(status int, code, description, requestID string) any
	// statusOK is the ReturnStatusOK value, "OK" (api4/api.go ReturnStatusOK).
	statusOK func() string
	// appFieldsDropped are the OAuthApp fields an answer leaves out: none,
	// model.OAuthApp's JSON has them all (server/public/model/oauth.go).
	appFieldsDropped func() []string
	// timestamp is model.GetMillis: milliseconds since the epoch.
	timestamp func(now time.Time) int64

	// Ids, permissions and gates (handlers_apps.go, handlers_users.go).

	// appIDValid is RequireAppId's model.IsValidId: 26 alphanumerics
	// (server/channels/web/context.go RequireAppId).
	appIDValid func(id string) bool
	// malformedIDError answers a malformed path id: 400
	// api.context.invalid_url_param.app_error (web/context.go Require*).
	malformedIDError func(param string) *apiError
	// unknownAppError answers a well-formed unknown app id: 404
	// app.oauth.get_app.find.app_error (app/oauth.go GetOAuthApp).
	unknownAppError func() *apiError
	// manageOAuthGate is the manage_oauth check GET, PUT, DELETE and regen of
	// one app make right after the app id (api4/oauth.go
	// SessionHasPermissionTo PermissionManageOAuth); on false the 403 is written.
	manageOAuthGate func(c *call) bool
	// systemWide is manage_system_wide_oauth: every app, whoever created it
	// (api4/oauth.go, the permission checks' SA column).
	systemWide func(a *account) bool
	// mayAccessApp is "creator or manage_system_wide_oauth" of GET, PUT,
	// DELETE and regen; a DCR app has no creator (api4/oauth.go
	// getOAuthApp: oauthApp.CreatorId != c.AppContext.Session().UserId).
	mayAccessApp func(c *call, app models.OAuthApp) bool
	// mayTrust is whether the caller may set is_trusted: manage_system only
	// (api4/oauth.go createOAuthApp step 3, updateOAuthApp).
	mayTrust func(a *account) bool
	// trustedStored is the is_trusted stored: the value decided, the one
	// answered (api4/oauth.go createOAuthApp, updateOAuthApp).
	trustedStored func(decided, sent bool) bool
	// providerOff is EnableOAuthServiceProvider=false, the 501 gate of the
	// app layer (app/oauth.go, every OAuth function).
	providerOff func(cfg Config) bool
	// mayReadOwnAuthorized: a user may always read its own authorized-apps
	// list (SessionHasPermissionToUser: the session's own user).
	mayReadOwnAuthorized func(a *account) bool
	// mayReadOthersAuthorized: another user's list needs edit_other_users
	// (SessionHasPermissionToUser).
	mayReadOthersAuthorized func(a *account) bool
	// infoGate is the permission GET /oauth/apps/{id}/info needs: none, a
	// session suffices (api4/oauth.go getOAuthAppInfo); on false the 403 is
	// written.
	infoGate func(c *call) bool

	// Create, update, delete, regen (handlers_apps.go).

	// beforeAppDecode is what create checks before decoding its body:
	// nothing, so a malformed body is 400 before any 403 (api4/oauth.go
	// createOAuthApp step 1); on false the answer is written.
	beforeAppDecode func(c *call) bool
	// undecodableApp answers a create or update body json.Decode refuses:
	// 400 api.context.invalid_body_param.app_error (api4/oauth.go
	// createOAuthApp, updateOAuthApp). true lets the handler go on with
	// the body taken as empty.
	undecodableApp func(c *call) bool
	// mayCreateApp is create's manage_oauth check (api4/oauth.go
	// createOAuthApp step 2).
	mayCreateApp func(a *account) bool
	// refusedCreate answers a create the caller may not make: 403 naming
	// manage_oauth, before anything is saved (api4/oauth.go createOAuthApp).
	// create would store the app (writing its own error on false).
	refusedCreate func(c *call, create func() bool)
	// secretOnCreate is whether a created app gets a secret: unless
	// is_public (app/oauth.go CreateOAuthApp, 11.2+).
	secretOnCreate func(isPublic bool) bool
	// createdAppError is the store's OAuthApp.IsValid on create
	// (server/public/model/oauth.go IsValid).
	createdAppError func(app models.OAuthApp) *apiError
	// updatedAppError is the store's OAuthApp.IsValid on update
	// (app/oauth.go UpdateOAuthApp; server/public/model/oauth.go IsValid).
	updatedAppError func(app models.OAuthApp) *apiError
	// bodyIDMismatch: PUT's body id must equal the path's (api4/oauth.go
	// updateOAuthApp, 400 invalid_body_param app_id).
	bodyIDMismatch func(bodyID, pathID string) bool
	// updatedApp is what UpdateOAuthApp stores from the body: the stored id,
	// creator, create_at, secret and is_dynamically_registered, update_at
	// now (app/oauth.go UpdateOAuthApp, model OAuthApp.PreUpdate).
	updatedApp func(upd, old models.OAuthApp, now int64) models.OAuthApp
	// deleteApp removes an app with its tokens, codes and authorizations
	// (app/oauth.go DeleteOAuthApp).
	deleteApp func(st stateTx, appID string)
	// regenRefused: a public client's secret cannot be regenerated
	// (api4/oauth.go regenerateOAuthAppSecret, 400 public_client, 11.2+).
	regenRefused func(app models.OAuthApp) bool
	// refusedRegen is what a refused regeneration changes: nothing
	// (api4/oauth.go regenerateOAuthAppSecret returns before the app layer).
	refusedRegen func(st stateTx, app models.OAuthApp)
	// regeneratedApp is the app regen_secret stores and answers: a new
	// secret, update_at now; save false keeps the stored app
	// (app/oauth.go RegenerateOAuthAppSecret).
	regeneratedApp func(app models.OAuthApp, now int64) (out models.OAuthApp, save bool)

	// Secrets in answers (handlers_apps.go, handlers_users.go).

	// secretOnList: the list is not sanitized (api4/oauth.go getOAuthApps).
	secretOnList func(s models.Secret) models.Secret
	// secretOnGet: GET of one app includes the secret (api4/oauth.go getOAuthApp).
	secretOnGet func(s models.Secret) models.Secret
	// secretOnInfo: /info is sanitized (api4/oauth.go getOAuthAppInfo, Sanitize).
	secretOnInfo func(s models.Secret) models.Secret
	// secretOnAuthorizedList: the authorized list is sanitized
	// (api4/oauth.go getAuthorizedOAuthApps, Sanitize).
	secretOnAuthorizedList func(s models.Secret) models.Secret

	// Lists and paging (handlers_apps.go, handlers_users.go, paging.go).

	// listForbiddenError is the list's 403 without manage_oauth
	// (api4/oauth.go getOAuthApps: api.command.admin_only.app_error).
	listForbiddenError func(userID string) *apiError
	// listsOwnAppsOnly: without manage_system_wide_oauth the list is the
	// caller's own apps (api4/oauth.go getOAuthApps).
	listsOwnAppsOnly func(c *call) bool
	// pagePastEnd answers an empty page past the end: nil, the page is []
	// (app/oauth.go GetOAuthApps).
	pagePastEnd func(page int) *apiError
	// authorizedApps is the page of apps userID approved
	// (app/oauth.go GetAuthorizedApps).
	authorizedApps func(st stateTx, userID string, page, perPage int) []models.OAuthApp
	// pagingParamsError: web/params.go refuses no page or per_page, it
	// falls back to the defaults.
	pagingParamsError func(q url.Values) *apiError
	// pageParam is page: non-numeric or negative is 0 (web/params.go).
	pageParam func(q url.Values) int
	// perPageParam is per_page, or pageSize when per_page does not parse:
	// 60 when absent, non-numeric or negative, clamped to 200 (web/params.go).
	perPageParam func(q url.Values) int

	// Users (handlers_users.go).

	// meRoles are the roles GET /users/me answers: the user's (api4/user.go getUser).
	meRoles func(roles string) string

	// Authorization (handlers_authorize.go).

	// authorizeRequestError is AuthorizeRequest.IsValid, code challenge
	// included (server/public/model/authorize.go IsValid, 11.2+).
	authorizeRequestError func(ar *models.AuthorizeRequest) *apiError
	// refusesOAuthSession: an app cannot approve apps
	// (web/oauth.go authorizeOAuthApp, Session().IsOAuth).
	refusesOAuthSession func(sess *session) bool
	// redirectURIMatches is OAuthApp.IsValidRedirectURL: an exact match
	// with a registered callback (server/public/model/oauth.go).
	redirectURIMatches func(app models.OAuthApp, uri string) bool
	// publicClientNeedsPKCE: a public client must authorize with a
	// code_challenge and exchange with a verifier (app/oauth.go
	// AllowOAuthAppAccessToUser, model OAuthApp.ValidateForGrantType).
	publicClientNeedsPKCE func() bool
	// codeRedirectState is the state the code redirect carries: the one
	// sent, unchanged (app/oauth.go GetOAuthCodeRedirect; RFC 6749 §4.1.2).
	codeRedirectState func(state string) string
	// implicitRedirectURL places the implicit grant's parameters: in the
	// fragment (app/oauth.go GetOAuthImplicitRedirect; RFC 6749 §4.2.2).
	implicitRedirectURL func(redirectURI string, params url.Values) string
	// implicitNeedsNoAccessData: an implicit grant for a user and client
	// that already have access data (an earlier implicit grant or code
	// exchange) fails: SaveAccessData hits the UNIQUE (clientid, userid)
	// constraint of OAuthAccessData, and AllowOAuthAppAccessToUser answers
	// the redirect ?error=server_error&state= without remembering the
	// approval (app/oauth.go GetOAuthAccessTokenForImplicitFlow,
	// AllowOAuthAppAccessToUser; seen on 9.10.0 and 11.6.0). The mock
	// looks before it writes, so two concurrent first grants for the same
	// user and app both succeed here, where the constraint fails one of
	// them (as with two concurrent code exchanges).
	implicitNeedsNoAccessData func() bool
	// responseTypeServed is the response type the server acts on: the one
	// sent; any but code and token is an unsupported_response_type redirect
	// (app/oauth.go AllowOAuthAppAccessToUser).
	responseTypeServed func(responseType string) string
	// anonymousAuthorizePage answers the browser entry point without a
	// session: 302 to the login page, redirect_to the request
	// (web/oauth.go authorizeOAuthPage).
	anonymousAuthorizePage func(c *call)
	// unregisteredRedirectPage answers the browser entry point for a
	// redirect_uri the app did not register: the HTML error page, 400, never
	// a redirect (web/oauth.go authorizeOAuthPage; RFC 6749 §4.1.2.1).
	unregisteredRedirectPage func(c *call, ar *models.AuthorizeRequest)
	// consentSkipped: a trusted or already approved app gets its code
	// without the consent page (web/oauth.go authorizeOAuthPage); approved
	// reads the store, so a trusted app costs no read.
	consentSkipped func(trusted bool, approved func() bool) bool
	// deauthorizeError is deauthorize's refusal of a well-formed client_id:
	// none, even for an app the user never approved or no app, as there is
	// nothing to revoke (app/oauth.go DeauthorizeOAuthAppForUser).
	deauthorizeError func(st stateTx, userID, appID string) *apiError
	// deauthorizeClientIDValid is deauthorize's model.IsValidId of
	// client_id (web/oauth.go deauthorizeOAuthApp).
	deauthorizeClientIDValid func(id string) bool
	// deauthorize ends the user's sessions for the app, revokes its access
	// data and forgets the approval (app/oauth.go DeauthorizeOAuthAppForUser).
	deauthorize func(st stateTx, userID, appID string)

	// Registration (handlers_dcr.go, pipeline.go).

	// sessionRequirement is how an operation authenticates: as its table
	// says; registration uses no session (api4/oauth.go registerOAuthClient).
	sessionRequirement func(op string, mode authMode) authMode
	// registrationDisabled is EnableDynamicClientRegistration=false
	// (api4/oauth.go registerOAuthClient step 3).
	registrationDisabled func(cfg Config) bool
	// refusedRegistration answers a registration while it is disabled: 400
	// unsupported_operation, before the app layer. register would store the
	// client (writing its own error on false).
	refusedRegistration func(c *call, register func() bool)
	// checksRegisteredRedirectURIs: ClientRegistrationRequest.IsValid and the
	// app layer refuse redirect URIs that are not http(s)
	// (server/public/model/oauth_dcr.go IsValid).
	checksRegisteredRedirectURIs func() bool
	// allowlistRefuses: a redirect URI missing DCRRedirectURIAllowlist is
	// 400 invalid_redirect_uri, the patterns matched per URL component
	// (api4/oauth.go registerOAuthClient step 5; 11.9+).
	allowlistRefuses func(allowlist, uris []string) bool
	// registeredApp is model.NewOAuthAppFromClientRegistration: client_uri
	// is the homepage, every redirect URI a callback.
	registeredApp func(app models.OAuthApp, req dcrRequest) models.OAuthApp
	// registeredSecret is the client_secret of the registration answer: the
	// app's, none for a public client (OAuthApp.ToClientRegistrationResponse).
	registeredSecret func(app models.OAuthApp) models.Secret
	// operationExists: every operation of the document exists in the newest
	// release; on false the answer is written and the handler must not run
	// (release.go absentBeforeOAuth21).
	operationExists func(c *call) bool

	// Metadata (handlers_metadata.go).

	// metadataDisabled: the metadata is 501 while the provider is off
	// (web/oauth.go authorizationServerMetadata).
	metadataDisabled func(c *call) bool
	// metadataEndpoint joins SiteURL and an endpoint path (url.JoinPath;
	// server/public/model/oauth_metadata.go GetDefaultMetadata).
	metadataEndpoint func(site, path string) (string, error)
	// advertisesRegistration: registration_endpoint only while registration
	// is enabled (GetDefaultMetadata).
	advertisesRegistration func(cfg Config) bool
	// metadataIssuer is the issuer: SiteURL as configured (GetDefaultMetadata).
	metadataIssuer func(site string) string
	// grantTypesSupported (GetDefaultMetadata).
	grantTypesSupported func() []string
	// codeChallengeMethodsSupported: S256 only (GetDefaultMetadata).
	codeChallengeMethodsSupported func() []string
	// tokenAuthMethodsSupported: none and client_secret_post
	// (GetDefaultMetadata since public clients, 11.2; seen on 11.6).
	tokenAuthMethodsSupported func() []string

	// Token endpoint (handlers_token.go, pipeline.go).

	// tokenRequestError is web/oauth.go getAccessToken's request-shape check.
	tokenRequestError func(grant, code, refresh, clientID string) *apiError
	// tokenCacheControl is the token answer's Cache-Control: no-store
	// (web/oauth.go getAccessToken; RFC 6749 §5.1).
	tokenCacheControl func() string
	// tokenPragma is the token answer's Pragma: no-cache (web/oauth.go
	// getAccessToken; RFC 6749 §5.1's example).
	tokenPragma func() string
	// unknownClientError answers a well-formed client_id of no app: 404
	// api.oauth.get_access_token.credentials.app_error (app/oauth.go
	// GetOAuthAccessTokenForCodeFlow).
	unknownClientError func() *apiError
	// wrongSecretError answers a confidential client's wrong secret: 401
	// model.oauth.validate_grant.credentials.app_error (model
	// OAuthApp.ValidateForGrantType, 11.2+).
	wrongSecretError func(detail string) *apiError
	// reissuesLiveToken: a code exchange for a user and client whose access
	// token is unexpired answers that token (app/oauth.go
	// GetOAuthAccessTokenForCodeFlow, GetPreviousAccessData).
	reissuesLiveToken func() bool
	// missingClientSecretError answers a confidential client that sends no
	// secret: the secret comparison fails, 401 credentials
	// (model OAuthApp.ValidateForGrantType). nil lets it through.
	missingClientSecretError func(detail string) *apiError
	// refusesPublicSecret: a public client must not send a secret, 400
	// public_client_secret (model OAuthApp.ValidateForGrantType).
	refusesPublicSecret func() bool
	// issuesRefreshToken: confidential clients get refresh tokens, public
	// ones not (app/oauth.go handleAuthorizationCodeGrant, 11.2+).
	issuesRefreshToken func(app models.OAuthApp) bool
	// codeRedirectMismatch: the exchange's redirect_uri must be the one the
	// code was issued for (app/oauth.go handleAuthorizationCodeGrant;
	// RFC 6749 §4.1.3).
	codeRedirectMismatch func(issued, sent string) bool
	// spendCode consumes an authorization code; false when it was spent
	// meanwhile (app/oauth.go handleAuthorizationCodeGrant RemoveAuthData).
	spendCode func(st stateTx, code string) bool
	// verifiesPKCE: the token endpoint checks code_verifier (11.2+;
	// app/oauth.go handleAuthorizationCodeGrant, AuthData.VerifyPKCE).
	verifiesPKCE func() bool
	// verifierMatches is the S256 comparison (model AuthData.VerifyPKCE).
	verifierMatches func(method, challenge, verifier string) bool
	// refusesUnusedVerifier: a verifier for a code issued without a
	// challenge is 400 not_used_in_auth (model AuthData.VerifyPKCE).
	refusesUnusedVerifier func() bool
	// refreshTokenOnRefresh is the refresh token after a refresh grant: a
	// new one, for clients that get refresh tokens (app/oauth.go
	// newSessionUpdateToken).
	refreshTokenOnRefresh func(r *rules, app models.OAuthApp, old string) string

	// Sessions (pipeline.go).

	// anonymousOK: only operations that use a session when present serve a
	// request without one; the others are 401 (web/handlers.go).
	anonymousOK func(mode authMode) bool
	// headerToken is the token of an Authorization header: after "Bearer "
	// or "Token ", the scheme in any case, taken as it is (app/session.go
	// ParseAuthTokenFromRequest); "" for any other header.
	headerToken func(auth string) string
	// queryTokenAccepted: a token in the access_token query parameter serves
	// an OAuth session only (web/handlers.go ServeHTTP, 401
	// api.context.token_provided.app_error).
	queryTokenAccepted func(sess session) bool
	// sessionAccount is what a session may do: its user's permissions, an
	// OAuth access token's too, as Mattermost has no scopes (app/session.go
	// GetSession; app/oauth.go newSession copies the user's roles).
	sessionAccount func(user *account, sess session) *account
	// unknownToken is the session of a token the server never issued: none,
	// 401 session_expired (app/session.go GetSession).
	unknownToken func(token string, ident Identities) (session, bool)
}

// faithfulRules are the newest release's rules.
func faithfulRules() rules {
	return rules{
		jsonContentType:    func() string { return "application/json" },
		appErrorStatusCode: func(status int) int { return status },
		dcrErrorBody: func(_ int, code, description, _ string) any {
			return models.DCRError{Error: code, ErrorDescription: description}
		},
		statusOK:         func() string { return models.StatusOKValue },
		appFieldsDropped: func() []string { return nil },
		timestamp:        func(now time.Time) int64 { return now.UnixMilli() },

		appIDValid:       models.IsValidID,
		malformedIDError: errInvalidURLParam,
		unknownAppError:  errAppNotFound,
		manageOAuthGate:  func(c *call) bool { return c.requirePermission(PermManageOAuth) },
		systemWide:       func(a *account) bool { return a.can(PermManageSystemWideOAuth) },
		mayAccessApp: func(c *call, app models.OAuthApp) bool {
			return app.CreatorID == c.userID() && app.CreatorID != "" || c.rules.systemWide(c.acct)
		},
		mayTrust:                func(a *account) bool { return a.can(PermManageSystem) },
		trustedStored:           func(decided, _ bool) bool { return decided },
		providerOff:             func(cfg Config) bool { return !cfg.EnableOAuthServiceProvider },
		mayReadOwnAuthorized:    func(*account) bool { return true },
		mayReadOthersAuthorized: func(a *account) bool { return a.can(PermEditOtherUsers) },
		infoGate:                func(*call) bool { return true },

		beforeAppDecode: func(*call) bool { return true },
		undecodableApp: func(c *call) bool {
			c.writeError(errInvalidBodyParam("oauth_app", "unable to decode the app"))
			return false
		},
		mayCreateApp: func(a *account) bool { return a.can(PermManageOAuth) },
		refusedCreate: func(c *call, _ func() bool) {
			c.writeError(errPermission(c.userID(), PermManageOAuth))
		},
		secretOnCreate:  func(isPublic bool) bool { return !isPublic },
		createdAppError: validateApp,
		updatedAppError: validateApp,
		bodyIDMismatch:  func(bodyID, pathID string) bool { return bodyID != pathID },
		updatedApp: func(upd, old models.OAuthApp, now int64) models.OAuthApp {
			upd.ID = old.ID
			upd.CreatorID = old.CreatorID
			upd.CreateAt = old.CreateAt
			upd.ClientSecret = old.ClientSecret
			upd.IsDynamicallyRegistered = old.IsDynamicallyRegistered
			upd.UpdateAt = now
			return upd
		},
		deleteApp:    func(st stateTx, appID string) { st.deleteApp(appID) },
		regenRefused: func(app models.OAuthApp) bool { return app.IsPublic() },
		refusedRegen: func(stateTx, models.OAuthApp) {},
		regeneratedApp: func(app models.OAuthApp, now int64) (models.OAuthApp, bool) {
			app.ClientSecret = models.Secret(newID())
			app.UpdateAt = now
			return app, true
		},

		secretOnList:           keepSecret,
		secretOnGet:            keepSecret,
		secretOnInfo:           dropSecret,
		secretOnAuthorizedList: dropSecret,

		listForbiddenError: func(string) *apiError {
			return newError(http.StatusForbidden, "api.command.admin_only.app_error", "")
		},
		listsOwnAppsOnly: func(c *call) bool { return !c.rules.systemWide(c.acct) },
		pagePastEnd:      func(int) *apiError { return nil },
		authorizedApps: func(st stateTx, userID string, page, perPage int) []models.OAuthApp {
			return st.pageAuthorized(userID, page, perPage)
		},
		pagingParamsError: func(url.Values) *apiError { return nil },
		pageParam: func(q url.Values) int {
			page, err := strconv.Atoi(q.Get("page"))
			if err != nil || page < 0 {
				return 0
			}
			return page
		},
		perPageParam: func(q url.Values) int { return min(perPageOf(q), models.MaxPerPage) },

		meRoles: func(roles string) string { return roles },

		authorizeRequestError: func(ar *models.AuthorizeRequest) *apiError { return validateAuthorizeRequest(ar, true) },
		refusesOAuthSession:   func(sess *session) bool { return sess != nil && sess.IsOAuth },
		redirectURIMatches: func(app models.OAuthApp, uri string) bool {
			return slices.Contains(app.CallbackURLs, uri)
		},
		publicClientNeedsPKCE:    func() bool { return true },
		deauthorizeClientIDValid: models.IsValidID,
		deauthorize:              func(st stateTx, userID, appID string) { st.deauthorize(userID, appID) },

		codeRedirectState:         func(state string) string { return state },
		implicitNeedsNoAccessData: func() bool { return true },
		implicitRedirectURL: func(redirectURI string, params url.Values) string {
			return redirectURI + "#" + params.Encode()
		},
		responseTypeServed: func(responseType string) string { return responseType },
		anonymousAuthorizePage: func(c *call) {
			c.redirect(c.siteURL() + "/login?redirect_to=" + url.QueryEscape(c.r.URL.RequestURI()))
		},
		unregisteredRedirectPage: func(c *call, _ *models.AuthorizeRequest) {
			c.renderWebError(newError(http.StatusBadRequest, "api.oauth.allow_oauth.redirect_callback.app_error", ""))
		},
		consentSkipped:   func(trusted bool, approved func() bool) bool { return trusted || approved() },
		deauthorizeError: func(stateTx, string, string) *apiError { return nil },

		sessionRequirement:   func(_ string, mode authMode) authMode { return mode },
		registrationDisabled: func(cfg Config) bool { return !cfg.EnableDynamicClientRegistration },
		refusedRegistration: func(c *call, _ func() bool) {
			c.writeDCRError(http.StatusBadRequest, models.DCRErrorUnsupportedOperation, "Dynamic client registration is disabled")
		},
		checksRegisteredRedirectURIs: func() bool { return true },
		allowlistRefuses: func(allowlist, uris []string) bool {
			return refusedBy(allowlist, uris, redirectURIAllowed)
		},
		registeredApp: func(app models.OAuthApp, req dcrRequest) models.OAuthApp {
			if req.ClientURI != nil {
				app.Homepage = *req.ClientURI
			}
			return app
		},
		registeredSecret: func(app models.OAuthApp) models.Secret {
			if app.IsPublic() {
				return ""
			}
			return app.ClientSecret
		},
		operationExists: func(*call) bool { return true },

		metadataDisabled:       func(c *call) bool { return c.rules.providerOff(c.cfg) },
		metadataEndpoint:       func(site, path string) (string, error) { return url.JoinPath(site, path) },
		advertisesRegistration: func(cfg Config) bool { return cfg.EnableDynamicClientRegistration },
		metadataIssuer:         func(site string) string { return site },
		grantTypesSupported: func() []string {
			return []string{models.GrantTypeAuthorizationCode, models.GrantTypeRefreshToken}
		},
		codeChallengeMethodsSupported: func() []string { return []string{models.PKCEMethodS256} },
		tokenAuthMethodsSupported: func() []string {
			return []string{models.AuthMethodNone, models.AuthMethodClientSecretPost}
		},

		tokenRequestError: tokenRequestError,
		unknownClientError: func() *apiError {
			return newError(http.StatusNotFound, "api.oauth.get_access_token.credentials.app_error", "")
		},
		wrongSecretError:         errCredentials,
		reissuesLiveToken:        func() bool { return true },
		tokenCacheControl:        func() string { return "no-store" },
		tokenPragma:              func() string { return "no-cache" },
		missingClientSecretError: errCredentials,
		refusesPublicSecret:      func() bool { return true },
		issuesRefreshToken:       func(app models.OAuthApp) bool { return !app.IsPublic() },
		codeRedirectMismatch:     func(issued, sent string) bool { return issued != sent },
		spendCode:                func(st stateTx, code string) bool { return st.takeCode(code) },
		verifiesPKCE:             func() bool { return true },
		verifierMatches: func(method, challenge, verifier string) bool {
			return method == models.PKCEMethodS256 && models.VerifyS256(challenge, verifier)
		},
		refusesUnusedVerifier: func() bool { return true },
		refreshTokenOnRefresh: func(r *rules, app models.OAuthApp, _ string) string {
			if r.issuesRefreshToken(app) {
				return newID()
			}
			return ""
		},

		anonymousOK:        func(mode authMode) bool { return mode == authOptional },
		headerToken:        headerToken,
		queryTokenAccepted: func(sess session) bool { return sess.IsOAuth },
		sessionAccount:     func(user *account, _ session) *account { return user },
		unknownToken:       func(string, Identities) (session, bool) { return session{}, false },
	}
}

func keepSecret(s models.Secret) models.Secret { return s }
func dropSecret(models.Secret) models.Secret   { return "" }

// perPageOf is per_page, or pageSize when per_page does not parse, before
// the cap: 60 when absent, non-numeric or negative (web/params.go).
func perPageOf(q url.Values) int {
	perPage, err := strconv.Atoi(q.Get("per_page"))
	if err != nil {
		perPage, err = strconv.Atoi(q.Get("pageSize"))
	}
	if err != nil || perPage < 0 {
		return models.DefaultPerPage
	}
	return perPage
}

// refusedBy reports whether one of uris misses a non-empty allowlist, as
// allowed matches.
func refusedBy(allowlist, uris []string, allowed func(uri string, allowlist []string) bool) bool {
	if len(allowlist) == 0 {
		return false
	}
	for _, u := range uris {
		if !allowed(u, allowlist) {
			return true
		}
	}
	return false
}

// buildRules are the rules of release r with the deviations in devs on top:
// the faithful rules, the release's replacements, then each deviation's.
// Deviations apply last-declared first, so when two replace the same rule
// the one declared first in deviation.go wins, as it always has.
func buildRules(r models.Release, devs deviations) *rules {
	out := faithfulRules()
	for _, x := range rulesOf(r).replacements() {
		x.apply(&out)
	}
	for i := len(allDeviations) - 1; i >= 0; i-- {
		if d := allDeviations[i]; devs.has(d) {
			deviationTable[d].apply(&out)
		}
	}
	return &out
}
