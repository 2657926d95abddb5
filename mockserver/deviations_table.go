package mockserver

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// replacement is one change to the rules: the hook it replaces (a field of
// rules, by name) and the function that replaces it. A replacement may
// read the hook it replaces to wrap it.
type replacement struct {
	rule  string
	apply func(r *rules)
}

// Replaces names the rule hook of the mock (a field of its rules, see
// rules.go) that the deviation replaces, so that the rule book can point
// from a deviation to the one place that implements the rule it breaks.
func (d Deviation) Replaces() string { return deviationTable[d].rule }

// deviationTable is every deviation's replacement: the only place the
// mock's mutations live. Handlers ask the rules and never a deviation.
// TestDeviationTable checks that each entry replaces exactly the hook it
// names.
//
//nolint:gosec // G101: rule names that mention secrets, not credentials
var deviationTable = map[Deviation]replacement{
	DevInfoLeaksSecret: {"secretOnInfo", func(r *rules) { r.secretOnInfo = keepSecret }},
	DevAuthorizedListLeaksSecret: {"secretOnAuthorizedList", func(r *rules) {
		r.secretOnAuthorizedList = keepSecret
	}},
	DevGetHidesSecret:  {"secretOnGet", func(r *rules) { r.secretOnGet = dropSecret }},
	DevListHidesSecret: {"secretOnList", func(r *rules) { r.secretOnList = dropSecret }},
	DevNonCreatorCanAccess: {"mayAccessApp", func(r *rules) {
		prev := r.mayAccessApp
		r.mayAccessApp = func(c *call, app models.OAuthApp) bool { return prev(c, app) || c.can(PermManageOAuth) }
	}},
	DevListIgnoresCreator: {"listsOwnAppsOnly", func(r *rules) { r.listsOwnAppsOnly = func(*call) bool { return false } }},
	DevListForbiddenWrongID: {"listForbiddenError", func(r *rules) {
		r.listForbiddenError = func(userID string) *apiError { return errPermission(userID, PermManageOAuth) }
	}},
	DevPlainUserCanCreate:     {"mayCreateApp", func(r *rules) { r.mayCreateApp = func(*account) bool { return true } }},
	DevTrustedNotForced:       {"mayTrust", func(r *rules) { r.mayTrust = func(*account) bool { return true } }},
	DevTrustedIgnoredForAdmin: {"mayTrust", func(r *rules) { r.mayTrust = func(*account) bool { return false } }},
	DevTrustedOnlyInAnswer: {"trustedStored", func(r *rules) {
		r.trustedStored = func(_, sent bool) bool { return sent }
	}},
	DevIgnorePerPage: {"perPageParam", func(r *rules) {
		r.perPageParam = func(url.Values) int { return models.DefaultPerPage }
	}},
	DevNoPerPageCap: {"perPageParam", func(r *rules) { r.perPageParam = perPageOf }},
	DevPageIgnored:  {"pageParam", func(r *rules) { r.pageParam = func(url.Values) int { return 0 } }},
	DevStrictPagingParams: {"pagingParamsError", func(r *rules) {
		r.pagingParamsError = func(q url.Values) *apiError {
			for _, name := range []string{"page", "per_page"} {
				if v := q.Get(name); v != "" {
					if n, err := strconv.Atoi(v); err != nil || n < 0 {
						return errInvalidURLParam(name)
					}
				}
			}
			return nil
		}
	}},
	DevPagePastEndError: {"pagePastEnd", func(r *rules) {
		r.pagePastEnd = func(page int) *apiError {
			if page > 0 {
				return newError(http.StatusNotFound, "app.oauth.get_apps.find.app_error", "")
			}
			return nil
		}
	}},
	DevWrongIssuer: {"metadataIssuer", func(r *rules) {
		r.metadataIssuer = func(site string) string {
			issuer := strings.TrimSuffix(site, "/") + "/"
			if issuer == site {
				issuer += "/"
			}
			return issuer
		}
	}},
	DevNoS256:                     {"codeChallengeMethodsSupported", func(r *rules) { r.codeChallengeMethodsSupported = func() []string { return nil } }},
	DevRegistrationEndpointAlways: {"advertisesRegistration", func(r *rules) { r.advertisesRegistration = func(Config) bool { return true } }},
	DevRelativeEndpoints: {"metadataEndpoint", func(r *rules) {
		r.metadataEndpoint = func(_, path string) (string, error) { return path, nil }
	}},
	DevMetadataUnsupportedGrant: {"grantTypesSupported", func(r *rules) {
		prev := r.grantTypesSupported
		r.grantTypesSupported = func() []string { return append(prev(), "client_credentials") }
	}},
	DevMetadataIgnoresProviderOff: {"metadataDisabled", func(r *rules) { r.metadataDisabled = func(*call) bool { return false } }},
	DevDCRAcceptsBadRedirect: {"checksRegisteredRedirectURIs", func(r *rules) {
		r.checksRegisteredRedirectURIs = func() bool { return false }
	}},
	DevDCRAppErrorBody: {"dcrErrorBody", func(r *rules) {
		r.dcrErrorBody = func(status int, code, description, requestID string) any {
			return models.AppError{
				ID: "api.oauth.register_oauth_client." + code, Message: description,
				RequestID: requestID, StatusCode: status,
			}
		}
	}},
	DevDCRPublicGetsSecret: {"registeredSecret", func(r *rules) {
		prev := r.registeredSecret
		r.registeredSecret = func(app models.OAuthApp) models.Secret {
			if app.IsPublic() {
				return models.Secret(newID())
			}
			return prev(app)
		}
	}},
	DevDCRSecretMismatch: {"registeredSecret", func(r *rules) {
		prev := r.registeredSecret
		r.registeredSecret = func(app models.OAuthApp) models.Secret {
			if !app.IsPublic() {
				return models.Secret(newID())
			}
			return prev(app)
		}
	}},
	DevDCRRequiresSession: {"sessionRequirement", func(r *rules) {
		r.sessionRequirement = func(op string, mode authMode) authMode {
			if op == "RegisterOAuthClient" {
				return authRequired
			}
			return mode
		}
	}},
	DevDCREnabledIgnored: {"registrationDisabled", func(r *rules) { r.registrationDisabled = func(Config) bool { return false } }},
	DevDCRDisabledPersists: {"refusedRegistration", func(r *rules) {
		prev := r.refusedRegistration
		r.refusedRegistration = func(c *call, register func() bool) {
			if register() {
				prev(c, register)
			}
		}
	}},
	DevDCRClientURIDropped: {"registeredApp", func(r *rules) {
		prev := r.registeredApp
		r.registeredApp = func(app models.OAuthApp, req dcrRequest) models.OAuthApp {
			req.ClientURI = nil
			return prev(app, req)
		}
	}},
	DevDCRRedirectURIsTruncated: {"registeredApp", func(r *rules) {
		prev := r.registeredApp
		r.registeredApp = func(app models.OAuthApp, req dcrRequest) models.OAuthApp {
			app = prev(app, req)
			app.CallbackURLs = app.CallbackURLs[:1]
			return app
		}
	}},
	DevAllowlistIgnored:   {"allowlistRefuses", func(r *rules) { r.allowlistRefuses = func(_, _ []string) bool { return false } }},
	DevPublicRegenAllowed: {"regenRefused", func(r *rules) { r.regenRefused = func(models.OAuthApp) bool { return false } }},
	DevPublicRegenPersists: {"refusedRegen", func(r *rules) {
		r.refusedRegen = func(st stateTx, app models.OAuthApp) {
			app.ClientSecret = models.Secret(newID())
			st.replaceApp(app)
		}
	}},
	DevRegenKeepsOldSecret: {"regeneratedApp", func(r *rules) {
		r.regeneratedApp = func(app models.OAuthApp, _ int64) (models.OAuthApp, bool) { return app, false }
	}},
	DevPublicHasSecret:       {"secretOnCreate", func(r *rules) { r.secretOnCreate = func(bool) bool { return true } }},
	DevPKCENotRequiredPublic: {"publicClientNeedsPKCE", func(r *rules) { r.publicClientNeedsPKCE = func() bool { return false } }},
	DevPKCEVerifierNotChecked: {"verifierMatches", func(r *rules) {
		r.verifierMatches = func(_, _, _ string) bool { return true }
	}},
	DevVerifierWithoutChallenge: {"refusesUnusedVerifier", func(r *rules) { r.refusesUnusedVerifier = func() bool { return false } }},
	DevPKCEChallengeUnchecked: {"authorizeRequestError", func(r *rules) {
		r.authorizeRequestError = func(ar *models.AuthorizeRequest) *apiError { return validateAuthorizeRequest(ar, false) }
	}},
	DevCodeReusable:       {"spendCode", func(r *rules) { r.spendCode = func(stateTx, string) bool { return true } }},
	DevPublicRefreshToken: {"issuesRefreshToken", func(r *rules) { r.issuesRefreshToken = func(models.OAuthApp) bool { return true } }},
	DevRefreshNotRotated: {"refreshTokenOnRefresh", func(r *rules) {
		r.refreshTokenOnRefresh = func(_ *rules, _ models.OAuthApp, old string) string { return old }
	}},
	DevCodeRedirectUnchecked: {"codeRedirectMismatch", func(r *rules) {
		r.codeRedirectMismatch = func(_, _ string) bool { return false }
	}},
	DevMissingSecretAccepted: {"missingClientSecretError", func(r *rules) {
		r.missingClientSecretError = func(string) *apiError { return nil }
	}},
	DevPublicSecretAccepted: {"refusesPublicSecret", func(r *rules) { r.refusesPublicSecret = func() bool { return false } }},
	DevTokenRequestUnchecked: {"tokenRequestError", func(r *rules) {
		r.tokenRequestError = func(_, _, _, _ string) *apiError { return nil }
	}},
	DevNoStoreMissing: {"tokenCacheControl", func(r *rules) { r.tokenCacheControl = func() string { return "" } }},
	DevPragmaMissing:  {"tokenPragma", func(r *rules) { r.tokenPragma = func() string { return "" } }},
	DevBadID404: {"malformedIDError", func(r *rules) {
		r.malformedIDError = func(param string) *apiError {
			if param == "user_id" {
				return newError(http.StatusNotFound, "app.user.missing_account.const", "")
			}
			return errAppNotFound()
		}
	}},
	DevLongIDAccepted: {"appIDValid", func(r *rules) {
		// Only the first 26 characters are checked.
		r.appIDValid = func(id string) bool {
			return models.IsValidID(id) || len(id) > models.IDLength && models.IsValidID(id[:models.IDLength])
		}
	}},
	DevUnknownID400: {"unknownAppError", func(r *rules) {
		r.unknownAppError = func() *apiError { return errInvalidURLParam("app_id") }
	}},
	DevUpdateIgnoresIDMismatch: {"bodyIDMismatch", func(r *rules) { r.bodyIDMismatch = func(_, _ string) bool { return false } }},
	DevUpdateClearsSecret: {"updatedApp", amendUpdate(func(out *models.OAuthApp, upd, _ models.OAuthApp) {
		out.ClientSecret = upd.ClientSecret // the body's, absent
	})},
	DevUpdateAtFrozen: {"updatedApp", amendUpdate(func(out *models.OAuthApp, _, old models.OAuthApp) {
		out.UpdateAt = old.UpdateAt
	})},
	DevUpdateKeepsHomepage: {"updatedApp", amendUpdate(func(out *models.OAuthApp, _, old models.OAuthApp) {
		out.Homepage = old.Homepage
	})},
	DevBadJSONAfterPermission: {"beforeAppDecode", func(r *rules) {
		r.beforeAppDecode = func(c *call) bool {
			if c.can(PermManageOAuth) {
				return true
			}
			c.writeError(errPermission(c.userID(), PermManageOAuth))
			return false
		}
	}},
	DevLenientJSON: {"undecodableApp", func(r *rules) {
		r.undecodableApp = func(*call) bool { return true }
	}},
	DevSkipAppValidation:     {"createdAppError", func(r *rules) { r.createdAppError = func(models.OAuthApp) *apiError { return nil } }},
	DevUpdateSkipsValidation: {"updatedAppError", func(r *rules) { r.updatedAppError = func(models.OAuthApp) *apiError { return nil } }},
	DevRefusedCreatePersists: {"refusedCreate", func(r *rules) {
		prev := r.refusedCreate
		r.refusedCreate = func(c *call, create func() bool) {
			if create() {
				prev(c, create)
			}
		}
	}},
	DevDeleteNoop: {"deleteApp", func(r *rules) { r.deleteApp = func(stateTx, string) {} }},
	DevDeleteKeepsSessions: {"deleteApp", func(r *rules) {
		prev := r.deleteApp
		r.deleteApp = func(st stateTx, appID string) {
			kept := st.appSessions(appID)
			prev(st, appID)
			for _, sess := range kept {
				st.addSession(sess)
			}
		}
	}},
	DevDeauthorizeNoop: {"deauthorize", func(r *rules) { r.deauthorize = func(stateTx, string, string) {} }},
	DevDeauthorizeKeepsRefreshToken: {"deauthorize", func(r *rules) {
		r.deauthorize = func(st stateTx, userID, appID string) { st.deauthorizeKeepingGrants(userID, appID) }
	}},
	DevDeauthorizeAnyClientID: {"deauthorizeClientIDValid", func(r *rules) {
		r.deauthorizeClientIDValid = func(string) bool { return true }
	}},
	DevAuthorizeNotListed: {"authorizedApps", func(r *rules) {
		r.authorizedApps = func(stateTx, string, int, int) []models.OAuthApp { return nil }
	}},
	DevAnonymousAllowed: {"anonymousOK", func(r *rules) { r.anonymousOK = func(authMode) bool { return true } }},
	DevUnknownTokenAccepted: {"unknownToken", func(r *rules) {
		r.unknownToken = func(token string, ident Identities) (session, bool) {
			return session{Token: token, UserID: ident.PlainUser.ID}, true
		}
	}},
	DevOAuthTokenMayAuthorize: {"refusesOAuthSession", func(r *rules) { r.refusesOAuthSession = func(*session) bool { return false } }},
	DevRedirectURIPrefixMatch: {"redirectURIMatches", func(r *rules) {
		prev := r.redirectURIMatches
		r.redirectURIMatches = func(app models.OAuthApp, uri string) bool {
			if prev(app, uri) {
				return true
			}
			for _, cb := range app.CallbackURLs {
				if strings.HasPrefix(uri, cb) {
					return true
				}
			}
			return false
		}
	}},
	DevProviderOffIgnored: {"providerOff", func(r *rules) { r.providerOff = func(Config) bool { return false } }},
	DevWrongContentType: {"jsonContentType", func(r *rules) {
		r.jsonContentType = func() string { return "text/plain; charset=utf-8" }
	}},
	DevAppMissingCreateAt: {"appFieldsDropped", func(r *rules) { r.appFieldsDropped = func() []string { return []string{"create_at"} } }},
	DevStatusOKLowercase:  {"statusOK", func(r *rules) { r.statusOK = func() string { return "ok" } }},
	DevStatusCodeMismatch: {"appErrorStatusCode", func(r *rules) {
		r.appErrorStatusCode = func(status int) int {
			if status == http.StatusNotFound {
				return http.StatusBadRequest
			}
			return status
		}
	}},
	DevTimestampsInSeconds: {"timestamp", func(r *rules) { r.timestamp = func(now time.Time) int64 { return now.Unix() } }},
	DevAdminNotSystemWide:  {"systemWide", func(r *rules) { r.systemWide = func(*account) bool { return false } }},
	DevOAuthGateMissing:    {"manageOAuthGate", func(r *rules) { r.manageOAuthGate = func(*call) bool { return true } }},
	DevInfoRequiresManageOAuth: {"infoGate", func(r *rules) {
		r.infoGate = func(c *call) bool { return c.requirePermission(PermManageOAuth) }
	}},
	DevAuthorizedSelfForbidden: {"mayReadOwnAuthorized", func(r *rules) {
		r.mayReadOwnAuthorized = func(a *account) bool { return a.can(PermEditOtherUsers) }
	}},
	DevAuthorizedOtherAllowed: {"mayReadOthersAuthorized", func(r *rules) {
		r.mayReadOthersAuthorized = func(*account) bool { return true }
	}},
	DevEditOtherUsersIgnored: {"mayReadOthersAuthorized", func(r *rules) {
		r.mayReadOthersAuthorized = func(*account) bool { return false }
	}},
	DevMeWithoutRoles:        {"meRoles", func(r *rules) { r.meRoles = func(string) string { return "" } }},
	DevAuthorizeStateDropped: {"codeRedirectState", func(r *rules) { r.codeRedirectState = func(string) string { return "" } }},
	DevImplicitTokenInQuery: {"implicitRedirectURL", func(r *rules) {
		r.implicitRedirectURL = func(redirectURI string, params url.Values) string { return redirectURI + "?" + params.Encode() }
	}},
	DevUnknownResponseTypeGetsCode: {"responseTypeServed", func(r *rules) {
		r.responseTypeServed = func(responseType string) string {
			if responseType == models.ResponseTypeToken {
				return responseType
			}
			return models.ResponseTypeCode
		}
	}},
	DevAuthorizePageAnonymous401: {"anonymousAuthorizePage", func(r *rules) {
		r.anonymousAuthorizePage = func(c *call) { c.writeError(errSessionExpired("UserRequired")) }
	}},
	DevAuthorizePageOpenRedirect: {"unregisteredRedirectPage", func(r *rules) {
		r.unregisteredRedirectPage = func(c *call, ar *models.AuthorizeRequest) {
			c.redirect(ar.RedirectURI + "?error=invalid_request&state=" + url.QueryEscape(ar.State))
		}
	}},
	DevAuthorizePageAlwaysConsent: {"consentSkipped", func(r *rules) { r.consentSkipped = func(bool, func() bool) bool { return false } }},
	DevAuthorizePageSkipsConsent:  {"consentSkipped", func(r *rules) { r.consentSkipped = func(bool, func() bool) bool { return true } }},
	DevDeauthorizeUnapproved404: {"deauthorizeError", func(r *rules) {
		r.deauthorizeError = func(st stateTx, userID, appID string) *apiError {
			if st.isAuthorized(userID, appID) {
				return nil
			}
			return errAppNotFound()
		}
	}},
	DevQueryTokenAnySession: {"queryTokenAccepted", func(r *rules) { r.queryTokenAccepted = func(session) bool { return true } }},
	DevBearerSchemeCaseSensitive: {"headerToken", func(r *rules) {
		r.headerToken = func(auth string) string {
			if t, ok := strings.CutPrefix(auth, "Bearer "); ok {
				return t
			}
			return ""
		}
	}},
	DevTokenUnknownClient401: {"unknownClientError", func(r *rules) {
		r.unknownClientError = func() *apiError {
			return newError(http.StatusUnauthorized, "api.oauth.get_access_token.credentials.app_error", "")
		}
	}},
	DevCodeExchangeNewToken: {"reissuesLiveToken", func(r *rules) { r.reissuesLiveToken = func() bool { return false } }},
	DevMetadataNoAuthMethodNone: {"tokenAuthMethodsSupported", func(r *rules) {
		r.tokenAuthMethodsSupported = func() []string { return []string{models.AuthMethodClientSecretPost} }
	}},
	DevOAuthTokenNoPermissions: {"sessionAccount", func(r *rules) {
		r.sessionAccount = func(user *account, sess session) *account {
			if !sess.IsOAuth || user == nil {
				return user
			}
			return &account{User: user.User}
		}
	}},
	DevAuthorizeLongStateAccepted: {"authorizeRequestError", func(r *rules) {
		prev := r.authorizeRequestError
		r.authorizeRequestError = func(ar *models.AuthorizeRequest) *apiError {
			if len(ar.State) > models.MaxStateLength {
				cp := *ar
				cp.State = cp.State[:models.MaxStateLength]
				return prev(&cp)
			}
			return prev(ar)
		}
	}},
}

// amendUpdate replaces updatedApp with the faithful update followed by
// amend, which changes the app stored (out) given the body and the old app.
func amendUpdate(amend func(out *models.OAuthApp, upd, old models.OAuthApp)) func(r *rules) {
	return func(r *rules) {
		prev := r.updatedApp
		r.updatedApp = func(upd, old models.OAuthApp, now int64) models.OAuthApp {
			out := prev(upd, old, now)
			amend(&out, upd, old)
			return out
		}
	}
}

// dropFields is app's JSON without the named fields.
func dropFields(app models.OAuthApp, fields []string) any {
	b, _ := json.Marshal(app) //nolint:gosec // G117: the app is answered to the client, secret included, as the real server does
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for _, f := range fields {
		delete(m, f)
	}
	return m
}
