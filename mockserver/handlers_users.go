package mockserver

import (
	"net/http"

	"github.com/mmoauth/mmoauth/models"
)

// getAuthorizedOAuthApps is api4/oauth.go getAuthorizedOAuthApps: user id
// ("me" is the caller) → the caller themselves or edit_other_users (403
// naming edit_other_users) → provider gate (501) → page of the apps the user
// approved, sanitized.
func (c *call) getAuthorizedOAuthApps() {
	userID := c.params["user_id"]
	if userID == "me" {
		userID = c.userID()
	}
	if !models.IsValidID(userID) {
		if c.dev(DevBadID404) {
			c.writeError(newError(http.StatusNotFound, "app.user.missing_account.const", ""))
		} else {
			c.writeError(errInvalidURLParam("user_id"))
		}
		return
	}
	// SessionHasPermissionToUser: yourself, or edit_other_users.
	if userID != c.userID() && !c.can(PermEditOtherUsers) {
		c.writeError(errPermission(c.userID(), PermEditOtherUsers))
		return
	}
	if c.providerOff() {
		c.writeError(errProviderOff())
		return
	}
	page, perPage := c.paging()
	apps := c.s.store.pageAuthorized(userID, page, perPage)
	if c.dev(DevAuthorizeNotListed) {
		apps = nil
	}
	for i := range apps {
		if !c.dev(DevAuthorizedListLeaksSecret) {
			apps[i].ClientSecret = ""
		}
	}
	c.writeApps(apps)
}

// getMe is GET /api/v4/users/me: the session's user (api4/user.go getUser).
// Seeded users were created when the server started.
func (c *call) getMe() {
	u := models.User{Locale: "en"}
	if c.acct != nil {
		created := c.s.started
		u.ID, u.Username, u.Email, u.Roles = c.acct.ID, c.acct.Username, c.acct.Email, c.acct.Roles
		u.CreateAt, u.UpdateAt = created, created
	}
	c.writeJSON(http.StatusOK, u)
}
