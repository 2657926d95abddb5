package mockserver

import (
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// This file holds the app handlers of api4/oauth.go. Each runs the real
// server's checks in the real order (server/channels/api4/oauth.go); comments name the step.

// requireAppID is Context.RequireAppId: 400 invalid_url_param unless app_id
// is a valid id (rules appIDValid, malformedIDError).
func (c *call) requireAppID() (string, bool) {
	id := c.params["app_id"]
	if c.rules.appIDValid(id) {
		return id, true
	}
	c.writeError(c.rules.malformedIDError("app_id"))
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

// trustedAsSent is the app to store: app with the is_trusted the store
// keeps (rule trustedStored), given the one the caller sent.
func (c *call) trustedAsSent(app models.OAuthApp, sent bool) models.OAuthApp {
	app.IsTrusted = c.rules.trustedStored(app.IsTrusted, sent)
	return app
}

// decodeAppBody is the json.Decode of create and update; a body that does
// not decode is answered by rule undecodableApp, or taken as empty: reset
// empties v, which decoding may have filled in part before it failed.
func (c *call) decodeAppBody(v any, reset func()) bool {
	if err := c.decodeJSON(v); err != nil {
		if !c.rules.undecodableApp(c) {
			return false
		}
		reset()
	}
	return true
}

// loadApp is app.GetOAuthApp: 501 while the provider is off, 404 for an
// unknown app.
func (c *call) loadApp(id string) (models.OAuthApp, bool) {
	if c.rules.providerOff(c.cfg) {
		c.writeError(errProviderOff())
		return models.OAuthApp{}, false
	}
	app, ok := c.st.getApp(id)
	if !ok {
		c.writeError(c.rules.unknownAppError())
		return models.OAuthApp{}, false
	}
	return app, true
}

// requireOwner is the "creator or manage_system_wide_oauth" check of GET,
// PUT, DELETE and regen (rule mayAccessApp).
func (c *call) requireOwner(app models.OAuthApp) bool {
	if c.rules.mayAccessApp(c, app) {
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
	if !ok || !c.rules.manageOAuthGate(c) {
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
	if !c.rules.beforeAppDecode(c) {
		return
	}
	var req createRequest
	if !c.decodeAppBody(&req, func() { req = createRequest{} }) {
		return
	}
	if !c.rules.mayCreateApp(c.acct) {
		c.rules.refusedCreate(c, func() bool { _, ok := c.storeNewApp(req); return ok })
		return
	}
	if app, ok := c.storeNewApp(req); ok {
		c.writeApp(http.StatusCreated, app)
	}
}

// storeNewApp is create from its is_trusted step to the store's SaveApp
// (app/oauth.go CreateOAuthApp); it answers its own errors, and returns the
// app as answered.
func (c *call) storeNewApp(req createRequest) (models.OAuthApp, bool) {
	app := models.OAuthApp{
		Name: req.Name, Description: req.Description, IconURL: req.IconURL,
		CallbackURLs: req.CallbackURLs, Homepage: req.Homepage, IsTrusted: req.IsTrusted,
	}
	if !c.rules.mayTrust(c.acct) {
		app.IsTrusted = false
	}
	app.CreatorID = c.userID()
	if c.rules.providerOff(c.cfg) {
		c.writeError(newError(http.StatusNotImplemented, "api.oauth.register_oauth_app.turn_off.app_error", ""))
		return models.OAuthApp{}, false
	}
	if c.rules.secretOnCreate(req.IsPublic) {
		app.ClientSecret = models.Secret(newID())
	}
	app.ID = newID()
	app.CreateAt = c.millis()
	app.UpdateAt = app.CreateAt
	if e := c.rules.createdAppError(app); e != nil {
		c.writeError(e)
		return models.OAuthApp{}, false
	}
	c.st.insertApp(c.trustedAsSent(app, req.IsTrusted))
	return app, true
}

// getOAuthApps: manage_oauth (403 api.command.admin_only) → all apps with
// manage_system_wide_oauth, else the caller's own → provider gate → page.
// Secrets are included (the list is not sanitized).
func (c *call) getOAuthApps() {
	if !c.can(PermManageOAuth) {
		c.writeError(c.rules.listForbiddenError(c.userID()))
		return
	}
	var creator *string
	if c.rules.listsOwnAppsOnly(c) {
		id := c.userID()
		creator = &id
	}
	if c.rules.providerOff(c.cfg) {
		c.writeError(errProviderOff())
		return
	}
	page, perPage, ok := c.paging()
	if !ok {
		return
	}
	apps := c.st.pageApps(creator, page, perPage)
	if len(apps) == 0 {
		if e := c.rules.pagePastEnd(page); e != nil {
			c.writeError(e)
			return
		}
	}
	for i := range apps {
		apps[i].ClientSecret = c.rules.secretOnList(apps[i].ClientSecret)
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
	app.ClientSecret = c.rules.secretOnGet(app.ClientSecret)
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
		if c.rules.bodyIDMismatch(upd.ID, id) {
			c.writeError(errInvalidBodyParam("app_id", ""))
			return false
		}
		return true
	})
	if !ok {
		return
	}
	sentTrusted := upd.IsTrusted
	if !c.rules.mayTrust(c.acct) {
		upd.IsTrusted = old.IsTrusted
	}
	upd = c.rules.updatedApp(upd, old, c.millis())
	if e := c.rules.updatedAppError(upd); e != nil {
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
	c.rules.deleteApp(c.st, app.ID)
	c.writeStatusOK()
}

// regenerateOAuthAppSecret: app id → manage_oauth → load → owner → a public
// client is refused (400, PR #34435) → new secret → 200.
func (c *call) regenerateOAuthAppSecret() {
	app, ok := c.loadOwnedApp(nil)
	if !ok {
		return
	}
	if c.rules.regenRefused(app) {
		c.rules.refusedRegen(c.st, app)
		c.writeError(newError(http.StatusBadRequest, "api.oauth.regenerate_secret.public_client.app_error", "app_id="+app.ID))
		return
	}
	app, save := c.rules.regeneratedApp(app, c.millis())
	if save && !c.saveApp(app) {
		return
	}
	c.writeApp(http.StatusOK, app)
}

// getOAuthAppInfo: app id → load → sanitize. No permission is needed (rule
// infoGate).
func (c *call) getOAuthAppInfo() {
	id, ok := c.requireAppID()
	if !ok || !c.rules.infoGate(c) {
		return
	}
	app, ok := c.loadApp(id)
	if !ok {
		return
	}
	app.ClientSecret = c.rules.secretOnInfo(app.ClientSecret)
	c.writeApp(http.StatusOK, app)
}
