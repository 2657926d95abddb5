package mockserver

import (
	"fmt"
	"slices"
	"strings"
)

// Deviation is a deliberate break of exactly one rule of the real server.
// Deviations exist to prove that the conformance suite's checks can fail:
// each check is run against a mock that breaks the rule it guards
// (docs/ARCHITECTURE.md "Quality bars"). A faithful mock has none. Each
// replaces one rule hook of the mock (Replaces; deviations_table.go holds
// the replacements, rules.go the faithful rules), so no handler mentions a
// deviation.
type Deviation string

// The deviations, one per rule. The comment says what changes.
//
//nolint:gosec // G101: rule names that mention secrets, not credentials
const (
	// DevInfoLeaksSecret: GET /oauth/apps/{id}/info returns client_secret.
	DevInfoLeaksSecret Deviation = "info-leaks-secret"
	// DevAuthorizedListLeaksSecret: the authorized-apps list returns secrets.
	DevAuthorizedListLeaksSecret Deviation = "authorized-list-leaks-secret"
	// DevGetHidesSecret: GET /oauth/apps/{id} blanks client_secret.
	DevGetHidesSecret Deviation = "get-hides-secret"
	// DevNonCreatorCanAccess: a manage_oauth user who is not the creator gets
	// 200 on GET, PUT, DELETE and regen of another user's app.
	DevNonCreatorCanAccess Deviation = "noncreator-can-access"
	// DevListIgnoresCreator: the list returns every app to a caller without
	// manage_system_wide_oauth.
	DevListIgnoresCreator Deviation = "list-ignores-creator"
	// DevListForbiddenWrongID: the list's 403 uses
	// api.context.permissions.app_error instead of api.command.admin_only.app_error.
	DevListForbiddenWrongID Deviation = "list-forbidden-wrong-id"
	// DevPlainUserCanCreate: a user without manage_oauth can create apps.
	DevPlainUserCanCreate Deviation = "plain-user-can-create"
	// DevTrustedNotForced: is_trusted is honoured for callers without
	// manage_system on create and update.
	DevTrustedNotForced Deviation = "trusted-not-forced"
	// DevIgnorePerPage: per_page is ignored; every page has 60 items.
	DevIgnorePerPage Deviation = "ignore-per-page"
	// DevNoPerPageCap: per_page above 200 is not clamped.
	DevNoPerPageCap Deviation = "no-per-page-cap"
	// DevPagePastEndError: a page past the end is a 404 instead of [].
	DevPagePastEndError Deviation = "page-past-end-error"
	// DevWrongIssuer: the metadata issuer has a trailing slash added.
	DevWrongIssuer Deviation = "wrong-issuer"
	// DevNoS256: the metadata has no code_challenge_methods_supported.
	DevNoS256 Deviation = "no-s256"
	// DevRegistrationEndpointAlways: registration_endpoint is advertised even
	// while registration is disabled.
	DevRegistrationEndpointAlways Deviation = "registration-endpoint-always"
	// DevRelativeEndpoints: metadata endpoints are relative paths.
	DevRelativeEndpoints Deviation = "relative-endpoints"
	// DevDCRAcceptsBadRedirect: registration skips the redirect URI format
	// check, so non-http(s) URIs are accepted.
	DevDCRAcceptsBadRedirect Deviation = "dcr-accepts-bad-redirect"
	// DevDCRAppErrorBody: registration errors use the AppError body instead of
	// the RFC 7591 {error, error_description}.
	DevDCRAppErrorBody Deviation = "dcr-apperror-body"
	// DevDCRPublicGetsSecret: a client registered with method "none" is sent a
	// client_secret.
	DevDCRPublicGetsSecret Deviation = "dcr-public-gets-secret"
	// DevDCRRequiresSession: registration answers 401 without a session.
	DevDCRRequiresSession Deviation = "dcr-requires-session"
	// DevDCREnabledIgnored: registration works while it is disabled.
	DevDCREnabledIgnored Deviation = "dcr-enabled-ignored"
	// DevPublicRegenAllowed: regenerating a public client's secret succeeds.
	DevPublicRegenAllowed Deviation = "public-regen-allowed"
	// DevPublicHasSecret: an app created with is_public gets a secret anyway.
	DevPublicHasSecret Deviation = "public-has-secret"
	// DevPKCENotRequiredPublic: public clients may authorize without a
	// code_challenge and exchange the code without a verifier.
	DevPKCENotRequiredPublic Deviation = "pkce-not-required-public"
	// DevPKCEVerifierNotChecked: any code_verifier is accepted.
	DevPKCEVerifierNotChecked Deviation = "pkce-verifier-not-checked"
	// DevCodeReusable: authorization codes are not consumed by the exchange.
	DevCodeReusable Deviation = "code-reusable"
	// DevPublicRefreshToken: public clients are issued refresh tokens.
	DevPublicRefreshToken Deviation = "public-refresh-token"
	// DevRegenKeepsOldSecret: regen_secret answers 200 with the old secret.
	DevRegenKeepsOldSecret Deviation = "regen-keeps-old-secret"
	// DevBadID404: a malformed app_id or user_id is a 404 instead of a 400.
	DevBadID404 Deviation = "bad-id-404"
	// DevUnknownID400: a well-formed unknown app_id is a 400 instead of a 404.
	DevUnknownID400 Deviation = "unknown-id-400"
	// DevUpdateIgnoresIDMismatch: PUT accepts a body id that differs from the path.
	DevUpdateIgnoresIDMismatch Deviation = "update-ignores-id-mismatch"
	// DevBadJSONAfterPermission: create checks manage_oauth before decoding,
	// so a user without it gets 403 for a malformed body.
	DevBadJSONAfterPermission Deviation = "bad-json-after-permission"
	// DevDeleteNoop: DELETE answers 200 but keeps the app.
	DevDeleteNoop Deviation = "delete-noop"
	// DevDeauthorizeNoop: deauthorize answers 200 but keeps tokens and approval.
	DevDeauthorizeNoop Deviation = "deauthorize-noop"
	// DevAuthorizeNotListed: approved apps never appear in the authorized list.
	DevAuthorizeNotListed Deviation = "authorize-not-listed"
	// DevAnonymousAllowed: session endpoints serve requests without a session
	// (as a user with no permissions) instead of answering 401.
	DevAnonymousAllowed Deviation = "anonymous-allowed"
	// DevProviderOffIgnored: EnableOAuthServiceProvider=false has no effect.
	DevProviderOffIgnored Deviation = "provider-off-ignored"
	// DevWrongContentType: JSON bodies are served as text/plain.
	DevWrongContentType Deviation = "wrong-content-type"
	// DevAppMissingCreateAt: OAuthApp bodies lack create_at (schema drift).
	DevAppMissingCreateAt Deviation = "app-missing-create-at"
	// DevStatusOKLowercase: status bodies are {"status":"ok"}.
	DevStatusOKLowercase Deviation = "status-ok-lowercase"
	// DevRedirectURIPrefixMatch: authorize accepts a redirect_uri that merely
	// starts with a registered callback.
	DevRedirectURIPrefixMatch Deviation = "redirect-uri-prefix-match"
	// DevNoStoreMissing: the token response lacks Cache-Control: no-store.
	DevNoStoreMissing Deviation = "no-store-missing"
	// DevListHidesSecret: GET /api/v4/oauth/apps blanks every client_secret.
	// Breaks: the list is not sanitized, secrets are included (server/channels/api4/oauth.go
	// GET /oauth/apps; api4/oauth.go getOAuthApps).
	DevListHidesSecret Deviation = "list-hides-secret"
	// DevAdminNotSystemWide: manage_system_wide_oauth is ignored, so the
	// system admin gets 403 on other users' apps (GET, PUT, DELETE, regen)
	// and lists only its own. Breaks: manage_system_wide_oauth reaches every
	// app (the permission checks of server/channels/api4/oauth.go, SA column; api4/oauth.go).
	DevAdminNotSystemWide Deviation = "admin-not-system-wide"
	// DevTrustedIgnoredForAdmin: is_trusted is forced to false on create and
	// kept on update even for a manage_system caller. Breaks: only callers
	// without manage_system lose is_trusted (server/channels/api4/oauth.go POST step 3 and PUT,
	// the permission checks of server/channels/api4/oauth.go SA column; api4/oauth.go).
	DevTrustedIgnoredForAdmin Deviation = "trusted-ignored-for-admin"
	// DevOAuthGateMissing: GET, PUT, DELETE and regen of one app skip the
	// manage_oauth check, so a user without it is refused by the creator
	// rule, whose 403 names manage_system_wide_oauth. Breaks: manage_oauth is
	// checked right after the app id (server/channels/api4/oauth.go rows GET/PUT/DELETE/regen;
	// api4/oauth.go).
	DevOAuthGateMissing Deviation = "oauth-gate-missing"
	// DevInfoRequiresManageOAuth: GET /oauth/apps/{id}/info answers 403
	// (manage_oauth) to users without manage_oauth. Breaks: /info needs a
	// session and no permission (server/channels/api4/oauth.go, the permission checks of server/channels/api4/oauth.go;
	// TestGetOAuthAppInfo). The 403 is not in the document either.
	DevInfoRequiresManageOAuth Deviation = "info-requires-manage-oauth"
	// DevAuthorizedSelfForbidden: a user's own authorized-apps list answers
	// 403 unless the user holds edit_other_users. Breaks: a user may always
	// read its own list (SessionHasPermissionToUser; server/channels/api4/oauth.go, the permission checks of server/channels/api4/oauth.go).
	DevAuthorizedSelfForbidden Deviation = "authorized-self-forbidden"
	// DevAuthorizedOtherAllowed: edit_other_users is not checked, so anyone
	// may read another user's authorized-apps list. Breaks:
	// SessionHasPermissionToUser (server/channels/api4/oauth.go, the permission checks of server/channels/api4/oauth.go).
	DevAuthorizedOtherAllowed Deviation = "authorized-other-allowed"
	// DevEditOtherUsersIgnored: edit_other_users is not honoured, so the
	// system admin gets 403 on other users' authorized-apps lists. Breaks:
	// SessionHasPermissionToUser (server/channels/api4/oauth.go, the permission checks of server/channels/api4/oauth.go SA column).
	DevEditOtherUsersIgnored Deviation = "edit-other-users-ignored"
	// DevLenientJSON: an app create or update body that fails to decode is
	// taken as {} (update: only the path's id) instead of being refused with
	// 400 invalid_body_param, so the app's own validation answers instead.
	// Breaks: json.Decode failures are 400 api.context.invalid_body_param
	// (server/channels/api4/oauth.go POST step 1 and PUT "decode body"; api4/oauth.go).
	DevLenientJSON Deviation = "lenient-json"
	// DevSkipAppValidation: create stores the app without OAuthApp.IsValid,
	// so apps without a name, callback or homepage are created. Breaks: the
	// store's SaveApp refuses them with 400 model.oauth.is_valid.*
	// (server/channels/api4/oauth.go POST errors, server/public/model/oauth.go OAuthApp limits; model/oauth.go).
	DevSkipAppValidation Deviation = "skip-app-validation"
	// DevTokenRequestUnchecked: the token endpoint skips its grant_type,
	// code/refresh_token and client_id checks and goes straight to the client
	// lookup (404 credentials for an unknown or malformed client). Breaks:
	// the request-shape 400s (server/channels/app/oauth.go Token; web/oauth.go getAccessToken).
	DevTokenRequestUnchecked Deviation = "token-request-unchecked"
	// DevStrictPagingParams: a non-numeric or negative page or per_page is
	// refused with 400 invalid_url_param. Breaks: such values fall back to
	// the defaults (server/channels/web/params.go; web/params.go).
	DevStrictPagingParams Deviation = "strict-paging-params"
	// DevAllowlistIgnored: DCRRedirectURIAllowlist is not enforced, so any
	// redirect URI registers. Breaks: registration step 5, 400
	// invalid_redirect_uri when a URI misses the allowlist (server/channels/api4/oauth.go registerOAuthClient;
	// TestRegisterOAuthClient_RedirectURIAllowlist).
	DevAllowlistIgnored Deviation = "allowlist-ignored"
	// DevRefusedCreatePersists: a user without manage_oauth still gets 403
	// on create, but the app is saved first. Breaks: a refused create has no
	// effect (server/channels/api4/oauth.go POST /oauth/apps: the permission check comes
	// before anything is saved; the permission checks of server/channels/api4/oauth.go U column).
	DevRefusedCreatePersists Deviation = "refused-create-persists"
	// DevPublicRegenPersists: regen_secret on a public client answers the
	// 400 public_client error after storing a new secret, which turns the app
	// confidential. Breaks: the refused regeneration changes nothing
	// (Mattermost's release history (models/release.go) PR #34435, server/channels/api4/oauth.go regen_secret).
	DevPublicRegenPersists Deviation = "public-regen-persists"
	// DevDCRDisabledPersists: with registration disabled, registration
	// answers 400 unsupported_operation but saves the client anyway.
	// Breaks: the disabled gate (step 3) stops the request before the app
	// layer (server/channels/api4/oauth.go registerOAuthClient).
	DevDCRDisabledPersists Deviation = "dcr-disabled-persists"
	// DevUpdateClearsSecret: PUT takes client_secret from the body (which
	// clients leave out), so an update blanks the secret and makes the app
	// public. Breaks: UpdateOAuthApp keeps the stored secret (server/channels/api4/oauth.go
	// PUT; app/oauth.go UpdateOAuthApp).
	DevUpdateClearsSecret Deviation = "update-clears-secret"
	// DevUpdateAtFrozen: PUT leaves update_at at its old value. Breaks:
	// PreUpdate sets update_at to the time of the update (server/public/model/oauth.go OAuthApp
	// OAuthApp create_at/update_at).
	DevUpdateAtFrozen Deviation = "update-at-frozen"
	// DevUpdateKeepsHomepage: PUT ignores the homepage of the body and keeps
	// the stored one. Breaks: an update stores the fields it is sent
	// (server/channels/api4/oauth.go PUT; app/oauth.go UpdateOAuthApp).
	DevUpdateKeepsHomepage Deviation = "update-keeps-homepage"
	// DevTimestampsInSeconds: create_at and update_at are Unix seconds.
	// Breaks: they are milliseconds (model.GetMillis; server/public/model/oauth.go OAuthApp).
	DevTimestampsInSeconds Deviation = "timestamps-in-seconds"
	// DevPageIgnored: the page parameter is ignored, so every page repeats
	// page 0. Breaks: offset = page*per_page (server/channels/web/params.go).
	DevPageIgnored Deviation = "page-ignored"
	// DevRefreshNotRotated: the refresh grant returns the same refresh token,
	// which stays usable. Breaks: refresh rotates the refresh token
	// (server/channels/app/oauth.go Success; app/oauth.go newSessionUpdateToken).
	DevRefreshNotRotated Deviation = "refresh-not-rotated"
	// DevDeauthorizeKeepsRefreshToken: deauthorize ends the user's sessions
	// for the app but keeps the access data, so its refresh token still gets
	// new tokens. Breaks: DeauthorizeOAuthAppForUser revokes the tokens and
	// removes their access data (server/channels/api4/oauth.go POST /oauth/deauthorize).
	DevDeauthorizeKeepsRefreshToken Deviation = "deauthorize-keeps-refresh-token"
	// DevCodeRedirectUnchecked: the token endpoint does not compare
	// redirect_uri with the one the code was issued for. Breaks: 400
	// api.oauth.get_access_token.redirect_uri.app_error (server/channels/app/oauth.go Code;
	// RFC 6749 §4.1.3).
	DevCodeRedirectUnchecked Deviation = "code-redirect-uri-unchecked"
	// DevVerifierWithoutChallenge: a confidential client may send a
	// code_verifier for a code issued without a challenge. Breaks: 400
	// model.authorize.validate_pkce.not_used_in_auth (server/channels/app/oauth.go PKCE).
	DevVerifierWithoutChallenge Deviation = "verifier-without-challenge-accepted"
	// DevPKCEChallengeUnchecked: authorize skips the code_challenge checks,
	// so code_challenge_method=plain and challenges shorter than 43
	// characters are accepted. Breaks: AuthorizeRequest.IsValid (S256 only,
	// 43–128 base64url characters; server/channels/app/oauth.go Authorize).
	DevPKCEChallengeUnchecked Deviation = "pkce-challenge-unchecked"
	// DevMissingSecretAccepted: a confidential client that sends no
	// client_secret is let through to the grant. Breaks: a confidential
	// client must authenticate with its secret (server/channels/app/oauth.go Client: 401, or
	// 400/403 in older versions).
	DevMissingSecretAccepted Deviation = "missing-secret-accepted"
	// DevDeleteKeepsSessions: deleting an app keeps the sessions of the
	// access tokens issued to it, so they keep authenticating. Breaks: the
	// store deletes the app's sessions and access data with it
	// (oauth_store.go deleteApp → deleteOAuthAppSessions; app.DeleteOAuthApp
	// invalidates the caches).
	DevDeleteKeepsSessions Deviation = "delete-keeps-sessions"
	// DevDCRClientURIDropped: registration ignores client_uri: the app gets
	// no homepage and the answer no client_uri. Breaks: homepage = client_uri
	// (server/channels/api4/oauth.go registerOAuthClient success; model.NewOAuthAppFromClientRegistration).
	DevDCRClientURIDropped Deviation = "dcr-client-uri-dropped"
	// DevDCRSecretMismatch: the registration answer carries a client_secret
	// other than the one stored for the app. Breaks: the answer is the
	// stored app (server/channels/api4/oauth.go registerOAuthClient; ToClientRegistrationResponse).
	DevDCRSecretMismatch Deviation = "dcr-secret-mismatch"
	// DevDCRRedirectURIsTruncated: only the first redirect URI is kept.
	// Breaks: callback_urls = redirect_uris (server/channels/api4/oauth.go registerOAuthClient success).
	DevDCRRedirectURIsTruncated Deviation = "dcr-redirect-uris-truncated"
	// DevMetadataUnsupportedGrant: grant_types_supported also lists
	// client_credentials, which Mattermost does not implement. Breaks:
	// grant_types_supported = ["authorization_code","refresh_token"]
	// (server/channels/app/oauth.go GetAuthorizationServerMetadata; model.GetDefaultMetadata).
	DevMetadataUnsupportedGrant Deviation = "metadata-unsupported-grant"
	// DevStatusCodeMismatch: the AppError of a 404 says status_code 400.
	// Breaks: status_code is the HTTP status of the answer (server/public/model/oauth.go OAuthApp
	// AppError; web/handlers.go writes c.Err.StatusCode as the status).
	DevStatusCodeMismatch Deviation = "status-code-mismatch"
	// DevLongIDAccepted: an app_id longer than 26 alphanumerics passes
	// RequireAppId (and is then not found: 404). Breaks: an id is exactly
	// 26 characters, else 400 invalid_url_param (server/channels/api4/oauth.go,
	// model.IsValidId).
	DevLongIDAccepted Deviation = "long-id-accepted"
	// DevTrustedOnlyInAnswer: for a caller without manage_system, create and
	// update answer is_trusted forced (create) or kept (update), but store
	// the value sent. Breaks: is_trusted is only set with manage_system
	// (server/channels/api4/oauth.go POST step 3 and PUT) — in the store, not
	// just in the answer.
	DevTrustedOnlyInAnswer Deviation = "trusted-only-in-answer"
	// DevMeWithoutRoles: GET /api/v4/users/me answers the user without its
	// roles, so a client cannot tell who the token belongs to.
	DevMeWithoutRoles Deviation = "me-without-roles"
	// DevMetadataIgnoresProviderOff: the metadata is served while
	// EnableOAuthServiceProvider is false (the app API still answers 501).
	DevMetadataIgnoresProviderOff Deviation = "metadata-ignores-provider-off"
	// DevUnknownTokenAccepted: a bearer token the server never issued
	// authenticates as the plain user. Breaks: an unknown token is 401
	// session_expired (server/channels/app/session.go GetSession).
	DevUnknownTokenAccepted Deviation = "unknown-token-accepted"
	// DevOAuthTokenMayAuthorize: POST /oauth/authorize accepts an OAuth
	// access token as the session. Breaks: an app cannot approve apps
	// (server/channels/web/oauth.go authorizeOAuthApp, Session().IsOAuth).
	DevOAuthTokenMayAuthorize Deviation = "oauth-token-may-authorize"
	// DevPublicSecretAccepted: a public client's token request with a
	// client_secret is accepted. Breaks: 400 public_client_secret
	// (server/public/model/oauth.go OAuthApp.ValidateForGrantType).
	DevPublicSecretAccepted Deviation = "public-secret-accepted"
	// DevDeauthorizeAnyClientID: deauthorize answers OK for a client_id that
	// is not an id. Breaks: 400 invalid_body_param client_id
	// (server/channels/web/oauth.go deauthorizeOAuthApp).
	DevDeauthorizeAnyClientID Deviation = "deauthorize-any-client-id"
	// DevAuthorizeStateDropped: the code redirect carries an empty state instead of the one sent.
	// Breaks: the state exactly as sent (server/channels/app/oauth.go GetOAuthCodeRedirect; RFC 6749 §4.1.2).
	DevAuthorizeStateDropped Deviation = "authorize-state-dropped"
	// DevImplicitTokenInQuery: the implicit grant's access token and parameters are sent in the redirect's query instead of its fragment.
	// Breaks: the fragment (server/channels/app/oauth.go GetOAuthImplicitRedirect; RFC 6749 §4.2.2).
	DevImplicitTokenInQuery Deviation = "implicit-token-in-query"
	// DevUnknownResponseTypeGetsCode: an unsupported response_type is served as response_type=code.
	// Breaks: the unsupported_response_type redirect (server/channels/app/oauth.go AllowOAuthAppAccessToUser; RFC 6749 §4.1.2.1).
	DevUnknownResponseTypeGetsCode Deviation = "unknown-response-type-gets-code"
	// DevAuthorizePageAnonymous401: GET /oauth/authorize without a session answers 401 JSON instead of redirecting to the login page.
	// Breaks: the 302 to /login?redirect_to= (server/channels/web/oauth.go authorizeOAuthPage).
	DevAuthorizePageAnonymous401 Deviation = "authorize-page-anonymous-401"
	// DevAuthorizePageOpenRedirect: GET /oauth/authorize redirects to a redirect_uri the app did not register, with error=invalid_request.
	// Breaks: the error page (server/channels/web/oauth.go authorizeOAuthPage; RFC 6749 §4.1.2.1).
	DevAuthorizePageOpenRedirect Deviation = "authorize-page-open-redirect"
	// DevAuthorizePageAlwaysConsent: GET /oauth/authorize shows the consent page even for trusted and already approved apps.
	// Breaks: the 302 with a code (server/channels/web/oauth.go authorizeOAuthPage).
	DevAuthorizePageAlwaysConsent Deviation = "authorize-page-always-consent"
	// DevAuthorizePageSkipsConsent: GET /oauth/authorize redirects with a code for any app, approved or not.
	// Breaks: the consent page (server/channels/web/oauth.go authorizeOAuthPage; RFC 6749 §10.2).
	DevAuthorizePageSkipsConsent Deviation = "authorize-page-skips-consent"
	// DevDeauthorizeUnapproved404: deauthorizing an app the user never approved, or no app, answers 404.
	// Breaks: 200 {"status":"OK"} (server/channels/app/oauth.go DeauthorizeOAuthAppForUser).
	DevDeauthorizeUnapproved404 Deviation = "deauthorize-unapproved-404"
	// DevQueryTokenAnySession: a user's session token is accepted in the access_token query parameter.
	// Breaks: 401 api.context.token_provided.app_error (server/channels/web/handlers.go ServeHTTP).
	DevQueryTokenAnySession Deviation = "query-token-any-session"
	// DevBearerSchemeCaseSensitive: the Authorization header carries a token only as "Bearer <token>", spelled exactly so.
	// Breaks: bearer in any case and Token (server/channels/app/session.go ParseAuthTokenFromRequest; RFC 7235 §2.1).
	DevBearerSchemeCaseSensitive Deviation = "bearer-scheme-case-sensitive"
	// DevTokenUnknownClient401: the token endpoint answers a client_id of no app with 401 instead of 404.
	// Breaks: 404 api.oauth.get_access_token.credentials.app_error (server/channels/app/oauth.go GetOAuthAccessTokenForCodeFlow).
	DevTokenUnknownClient401 Deviation = "token-unknown-client-401"
	// DevCodeExchangeNewToken: every code exchange issues a new access token, even while the user's token for the client is unexpired.
	// Breaks: the unexpired token answered again (server/channels/app/oauth.go GetOAuthAccessTokenForCodeFlow, GetPreviousAccessData).
	DevCodeExchangeNewToken Deviation = "code-exchange-new-token"
	// DevMetadataNoAuthMethodNone: the metadata's token_endpoint_auth_methods_supported lacks none.
	// Breaks: [none, client_secret_post] (server/public/model/oauth_metadata.go GetDefaultMetadata, 11.2+).
	DevMetadataNoAuthMethodNone Deviation = "metadata-no-auth-method-none"
	// DevAuthorizeLongStateAccepted: authorize accepts a state longer than 1024 characters.
	// Breaks: 400 model.authorize.is_valid.state.app_error (server/public/model/authorize.go AuthorizeRequest.IsValid).
	DevAuthorizeLongStateAccepted Deviation = "authorize-long-state-accepted"
	// DevOAuthTokenNoPermissions: an OAuth access token authenticates its user without the user's permissions.
	// Breaks: the user's permissions (server/channels/app/oauth.go newSession: the session has the user's roles).
	DevOAuthTokenNoPermissions Deviation = "oauth-token-no-permissions"
	// DevUpdateSkipsValidation: PUT stores an app OAuthApp.IsValid refuses.
	// Breaks: 400 model.oauth.is_valid.* on update (server/channels/app/oauth.go UpdateOAuthApp).
	DevUpdateSkipsValidation Deviation = "update-skips-validation"
	// DevPragmaMissing: the token response lacks Pragma: no-cache.
	// Breaks: Pragma: no-cache (server/channels/web/oauth.go getAccessToken).
	DevPragmaMissing Deviation = "pragma-missing"
)

// AllDeviations lists every deviation, in declaration order.
func AllDeviations() []Deviation {
	return slices.Clone(allDeviations)
}

var allDeviations = []Deviation{
	DevInfoLeaksSecret, DevAuthorizedListLeaksSecret, DevGetHidesSecret, DevNonCreatorCanAccess,
	DevListIgnoresCreator, DevListForbiddenWrongID, DevPlainUserCanCreate, DevTrustedNotForced,
	DevIgnorePerPage, DevNoPerPageCap, DevPagePastEndError, DevWrongIssuer, DevNoS256,
	DevRegistrationEndpointAlways, DevRelativeEndpoints, DevDCRAcceptsBadRedirect, DevDCRAppErrorBody,
	DevDCRPublicGetsSecret, DevDCRRequiresSession, DevDCREnabledIgnored, DevPublicRegenAllowed,
	DevPublicHasSecret, DevPKCENotRequiredPublic, DevPKCEVerifierNotChecked, DevCodeReusable,
	DevPublicRefreshToken, DevRegenKeepsOldSecret, DevBadID404, DevUnknownID400,
	DevUpdateIgnoresIDMismatch, DevBadJSONAfterPermission, DevDeleteNoop, DevDeauthorizeNoop,
	DevAuthorizeNotListed, DevAnonymousAllowed, DevProviderOffIgnored, DevWrongContentType,
	DevAppMissingCreateAt, DevStatusOKLowercase, DevRedirectURIPrefixMatch, DevNoStoreMissing,
	DevListHidesSecret, DevAdminNotSystemWide, DevTrustedIgnoredForAdmin, DevOAuthGateMissing,
	DevInfoRequiresManageOAuth, DevAuthorizedSelfForbidden, DevAuthorizedOtherAllowed, DevEditOtherUsersIgnored,
	DevLenientJSON, DevSkipAppValidation, DevTokenRequestUnchecked, DevStrictPagingParams, DevAllowlistIgnored,
	DevRefusedCreatePersists, DevPublicRegenPersists, DevDCRDisabledPersists, DevUpdateClearsSecret, DevUpdateAtFrozen,
	DevUpdateKeepsHomepage, DevTimestampsInSeconds, DevPageIgnored, DevRefreshNotRotated, DevDeauthorizeKeepsRefreshToken,
	DevCodeRedirectUnchecked, DevVerifierWithoutChallenge, DevPKCEChallengeUnchecked, DevMissingSecretAccepted,
	DevDeleteKeepsSessions, DevDCRClientURIDropped, DevDCRSecretMismatch, DevDCRRedirectURIsTruncated,
	DevMetadataUnsupportedGrant, DevStatusCodeMismatch, DevLongIDAccepted, DevTrustedOnlyInAnswer,
	DevMeWithoutRoles, DevMetadataIgnoresProviderOff, DevUnknownTokenAccepted, DevOAuthTokenMayAuthorize,
	DevPublicSecretAccepted, DevDeauthorizeAnyClientID,
	DevAuthorizeStateDropped, DevImplicitTokenInQuery, DevUnknownResponseTypeGetsCode, DevAuthorizePageAnonymous401, DevAuthorizePageOpenRedirect, DevAuthorizePageAlwaysConsent, DevAuthorizePageSkipsConsent,
	DevDeauthorizeUnapproved404, DevQueryTokenAnySession, DevBearerSchemeCaseSensitive, DevTokenUnknownClient401, DevCodeExchangeNewToken, DevMetadataNoAuthMethodNone, DevAuthorizeLongStateAccepted,
	DevOAuthTokenNoPermissions, DevUpdateSkipsValidation, DevPragmaMissing,
}

// ParseDeviation returns the named deviation, or an error naming the valid ones.
func ParseDeviation(name string) (Deviation, error) {
	d := Deviation(name)
	if slices.Contains(allDeviations, d) {
		return d, nil
	}
	names := make([]string, len(allDeviations))
	for i, x := range allDeviations {
		names[i] = string(x)
	}
	return "", fmt.Errorf("unknown deviation %q (known: %s)", name, strings.Join(names, ", "))
}

// deviations is the set a server runs with.
type deviations map[Deviation]bool

func (d deviations) has(x Deviation) bool { return d[x] }
