package mockserver

import (
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// This file holds the app handlers of api4/oauth.go. Each runs the real
// server's checks in the real order (server/channels/api4/oauth.go); comments name the step.

// requireAppID is Context.RequireAppId: 400 invalid_url_param unless app_id
// is a valid id.
func (c *call) requireAppID() (string, bool) {
	id := c.params["app_id"]
	// long-id-accepted checks only the first 26 characters.
	if models.IsValidID(id) || c.dev(DevLongIDAccepted) && len(id) > models.IDLength && models.IsValidID(id[:models.IDLength]) {
		return id, true
	}
	if c.dev(DevBadID404) {
		c.writeError(errAppNotFound())
	} else {
		c.writeError(errInvalidURLParam("app_id"))
	}
	return "", false
}

// requirePermission answers 403 unless the session holds permission.
func (c *call) requirePermission(permission string) bool {
	if c.can(permission) {
		return true
	}
	c.writeError(errPermission(c.userID(), permission))
	return false
}

// requireOAuthManager is the manage_oauth gate GET, PUT, DELETE and regen of
// one app pass right after the app id (api4/oauth.go; server/channels/api4/oauth.go). The
// oauth-gate-missing deviation skips it.
func (c *call) requireOAuthManager() bool {
	return c.dev(DevOAuthGateMissing) || c.requirePermission(PermManageOAuth)
}

// systemWide reports manage_system_wide_oauth: every app, whoever created it
// (the permission checks of server/channels/api4/oauth.go). The admin-not-system-wide deviation ignores it.
func (c *call) systemWide() bool {
	return c.can(PermManageSystemWideOAuth) && !c.dev(DevAdminNotSystemWide)
}

// mayTrust reports whether the caller may set is_trusted: only with
// manage_system; without it create forces false and update keeps the stored
// value (server/channels/api4/oauth.go POST step 3 and PUT). trusted-not-forced lets everyone
// set it; trusted-ignored-for-admin lets no one.
func (c *call) mayTrust() bool {
	if c.dev(DevTrustedNotForced) {
		return true
	}
	return c.can(PermManageSystem) && !c.dev(DevTrustedIgnoredForAdmin)
}

// trustedAsSent is the app to store: app itself, or, under the
// trusted-only-in-answer deviation, app with the is_trusted the caller sent,
// while the answer keeps the value mayTrust decided.
func (c *call) trustedAsSent(app models.OAuthApp, sent bool) models.OAuthApp {
	if c.dev(DevTrustedOnlyInAnswer) {
		app.IsTrusted = sent
	}
	return app
}

// decodeAppBody is the json.Decode of create and update: a body that does not
// decode is 400 invalid_body_param (server/channels/api4/oauth.go). Under lenient-json it is
// taken as empty instead: v is left as reset made it.
func (c *call) decodeAppBody(v any, reset func()) bool {
	if err := c.decodeJSON(v); err != nil {
		if c.dev(DevLenientJSON) {
			reset() // decoding may have filled some fields before it failed
			return true
		}
		c.writeError(errInvalidBodyParam("oauth_app", "unable to decode the app"))
		return false
	}
	return true
}

// loadApp is app.GetOAuthApp: 501 while the provider is off, 404 for an
// unknown app.
func (c *call) loadApp(id string) (models.OAuthApp, bool) {
	if c.providerOff() {
		c.writeError(errProviderOff())
		return models.OAuthApp{}, false
	}
	app, ok := c.st.getApp(id)
	if !ok {
		if c.dev(DevUnknownID400) {
			c.writeError(errInvalidURLParam("app_id"))
		} else {
			c.writeError(errAppNotFound())
		}
		return models.OAuthApp{}, false
	}
	return app, true
}

// providerOff reports EnableOAuthServiceProvider=false (unless the
// provider-off-ignored deviation hides it).
func (c *call) providerOff() bool {
	return !c.cfg.EnableOAuthServiceProvider && !c.dev(DevProviderOffIgnored)
}

// requireOwner is the "creator or manage_system_wide_oauth" check of GET,
// PUT, DELETE and regen. A DCR app has no creator, so only system-wide
// managers pass (server/channels/api4/oauth.go registerOAuthClient).
func (c *call) requireOwner(app models.OAuthApp) bool {
	if app.CreatorID == c.userID() && app.CreatorID != "" || c.systemWide() {
		return true
	}
	if c.dev(DevNonCreatorCanAccess) && c.can(PermManageOAuth) {
		return true
	}
	c.writeError(errPermission(c.userID(), PermManageSystemWideOAuth))
	return false
}

// loadOwnedApp runs the checks GET, PUT, DELETE and regen of one app share,
// in the real server's order (server/channels/api4/oauth.go, api4/oauth.go): RequireAppId →
// manage_oauth → load (501/404) → creator or manage_system_wide_oauth. PUT
// decodes and checks its body between the permission and the load; it passes
// that step as beforeLoad (given the path id), the others pass nil. On false
// the error is already written.
func (c *call) loadOwnedApp(beforeLoad func(id string) bool) (models.OAuthApp, bool) {
	id, ok := c.requireAppID()
	if !ok || !c.requireOAuthManager() {
		return models.OAuthApp{}, false
	}
	if beforeLoad != nil && !beforeLoad(id) {
		return models.OAuthApp{}, false
	}
	app, ok := c.loadApp(id)
	if !ok || !c.requireOwner(app) {
		return models.OAuthApp{}, false
	}
	return app, true
}

// saveApp is the app layer's UpdateOAuthApp store call shared by PUT and
// regen: an app that vanished since it was loaded is 400
// app.oauth.update_app.find.app_error (server/channels/api4/oauth.go PUT errors). On false the
// error is already written.
func (c *call) saveApp(app models.OAuthApp) bool {
	if c.st.replaceApp(app) {
		return true
	}
	c.writeError(newError(http.StatusBadRequest, "app.oauth.update_app.find.app_error", ""))
	return false
}

// createRequest is model.OAuthAppRequest: the only fields create reads.
type createRequest struct {
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	IconURL      string   `json:"icon_url"`
	CallbackURLs []string `json:"callback_urls"`
	Homepage     string   `json:"homepage"`
	IsTrusted    bool     `json:"is_trusted"`
	IsPublic     bool     `json:"is_public"`
}

// createOAuthApp: decode (400 before 403) → manage_oauth → is_trusted forced
// false without manage_system → creator = caller → provider gate (501) →
// secret unless is_public → IsValid (400) → 201.
func (c *call) createOAuthApp() {
	if c.dev(DevBadJSONAfterPermission) && !c.can(PermManageOAuth) {
		c.writeError(errPermission(c.userID(), PermManageOAuth))
		return
	}
	var req createRequest
	if !c.decodeAppBody(&req, func() { req = createRequest{} }) {
		return
	}
	// refused-create-persists answers the 403 only after the app is saved.
	denied := !c.can(PermManageOAuth) && !c.dev(DevPlainUserCanCreate)
	if denied && !c.dev(DevRefusedCreatePersists) {
		c.writeError(errPermission(c.userID(), PermManageOAuth))
		return
	}
	app := models.OAuthApp{
		Name: req.Name, Description: req.Description, IconURL: req.IconURL,
		CallbackURLs: req.CallbackURLs, Homepage: req.Homepage, IsTrusted: req.IsTrusted,
	}
	if !c.mayTrust() {
		app.IsTrusted = false
	}
	app.CreatorID = c.userID()
	if !c.cfg.EnableOAuthServiceProvider && !c.dev(DevProviderOffIgnored) {
		c.writeError(newError(http.StatusNotImplemented, "api.oauth.register_oauth_app.turn_off.app_error", ""))
		return
	}
	if !req.IsPublic || !c.release().oauth21 || c.dev(DevPublicHasSecret) {
		app.ClientSecret = models.Secret(newID())
	}
	app.ID = newID()
	app.CreateAt = c.millis()
	app.UpdateAt = app.CreateAt
	if e := validateApp(app); e != nil && !c.dev(DevSkipAppValidation) {
		c.writeError(e)
		return
	}
	c.st.insertApp(c.trustedAsSent(app, req.IsTrusted))
	if denied {
		c.writeError(errPermission(c.userID(), PermManageOAuth))
		return
	}
	c.writeApp(http.StatusCreated, app)
}

// getOAuthApps: manage_oauth (403 api.command.admin_only) → all apps with
// manage_system_wide_oauth, else the caller's own → provider gate → page.
// Secrets are included (the list is not sanitized).
func (c *call) getOAuthApps() {
	if !c.can(PermManageOAuth) {
		if c.dev(DevListForbiddenWrongID) {
			c.writeError(errPermission(c.userID(), PermManageOAuth))
		} else {
			c.writeError(newError(http.StatusForbidden, "api.command.admin_only.app_error", ""))
		}
		return
	}
	var creator *string
	if !c.systemWide() && !c.dev(DevListIgnoresCreator) {
		id := c.userID()
		creator = &id
	}
	if c.providerOff() {
		c.writeError(errProviderOff())
		return
	}
	page, perPage, ok := c.paging()
	if !ok {
		return
	}
	apps := c.st.pageApps(creator, page, perPage)
	if len(apps) == 0 && page > 0 && c.dev(DevPagePastEndError) {
		c.writeError(newError(http.StatusNotFound, "app.oauth.get_apps.find.app_error", ""))
		return
	}
	if c.dev(DevListHidesSecret) {
		for i := range apps {
			apps[i].ClientSecret = ""
		}
	}
	c.writeApps(apps)
}

// getOAuthApp: app id → manage_oauth → load (501/404) → owner → 200 with the
// secret.
func (c *call) getOAuthApp() {
	app, ok := c.loadOwnedApp(nil)
	if !ok {
		return
	}
	if c.dev(DevGetHidesSecret) {
		app.ClientSecret = ""
	}
	c.writeApp(http.StatusOK, app)
}

// updateOAuthApp: app id → manage_oauth → decode → body id must equal the
// path id (400 invalid_body_param app_id) → load → owner → is_trusted kept
// without manage_system → app layer keeps id, creator, create_at, secret and
// is_dynamically_registered → IsValid → 200.
func (c *call) updateOAuthApp() {
	var upd models.OAuthApp
	old, ok := c.loadOwnedApp(func(id string) bool {
		if !c.decodeAppBody(&upd, func() { upd = models.OAuthApp{ID: id} }) {
			return false
		}
		if upd.ID != id && !c.dev(DevUpdateIgnoresIDMismatch) {
			c.writeError(errInvalidBodyParam("app_id", ""))
			return false
		}
		return true
	})
	if !ok {
		return
	}
	sentTrusted := upd.IsTrusted
	if !c.mayTrust() {
		upd.IsTrusted = old.IsTrusted
	}
	upd.ID = old.ID
	upd.CreatorID = old.CreatorID
	upd.CreateAt = old.CreateAt
	if !c.dev(DevUpdateClearsSecret) { // else the body's (absent) secret is kept
		upd.ClientSecret = old.ClientSecret
	}
	upd.IsDynamicallyRegistered = old.IsDynamicallyRegistered
	upd.UpdateAt = c.millis()
	if c.dev(DevUpdateAtFrozen) {
		upd.UpdateAt = old.UpdateAt
	}
	if c.dev(DevUpdateKeepsHomepage) {
		upd.Homepage = old.Homepage
	}
	if e := validateApp(upd); e != nil {
		c.writeError(e)
		return
	}
	if !c.saveApp(c.trustedAsSent(upd, sentTrusted)) {
		return
	}
	c.writeApp(http.StatusOK, upd)
}

// deleteOAuthApp: app id → manage_oauth → load → owner → delete (with its
// tokens, codes and authorizations) → {"status":"OK"}.
func (c *call) deleteOAuthApp() {
	app, ok := c.loadOwnedApp(nil)
	if !ok {
		return
	}
	if !c.dev(DevDeleteNoop) {
		var kept []session
		if c.dev(DevDeleteKeepsSessions) {
			kept = c.st.appSessions(app.ID)
		}
		c.st.deleteApp(app.ID)
		for _, sess := range kept {
			c.st.addSession(sess)
		}
	}
	c.writeStatusOK()
}

// regenerateOAuthAppSecret: app id → manage_oauth → load → owner → a public
// client is refused (400, PR #34435) → new secret → 200.
func (c *call) regenerateOAuthAppSecret() {
	app, ok := c.loadOwnedApp(nil)
	if !ok {
		return
	}
	if app.IsPublic() && !c.dev(DevPublicRegenAllowed) {
		if c.dev(DevPublicRegenPersists) {
			app.ClientSecret = models.Secret(newID())
			c.st.replaceApp(app)
		}
		c.writeError(newError(http.StatusBadRequest, "api.oauth.regenerate_secret.public_client.app_error", "app_id="+app.ID))
		return
	}
	if !c.dev(DevRegenKeepsOldSecret) {
		app.ClientSecret = models.Secret(newID())
		app.UpdateAt = c.millis()
		if !c.saveApp(app) {
			return
		}
	}
	c.writeApp(http.StatusOK, app)
}

// getOAuthAppInfo: app id → load → sanitize. No permission is needed (the
// info-requires-manage-oauth deviation asks for manage_oauth).
func (c *call) getOAuthAppInfo() {
	id, ok := c.requireAppID()
	if !ok || (c.dev(DevInfoRequiresManageOAuth) && !c.requirePermission(PermManageOAuth)) {
		return
	}
	app, ok := c.loadApp(id)
	if !ok {
		return
	}
	if !c.dev(DevInfoLeaksSecret) {
		app.ClientSecret = ""
	}
	c.writeApp(http.StatusOK, app)
}
