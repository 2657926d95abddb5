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
		c.writeError(c.rules.malformedIDError("user_id"))
		return
	}
	if !c.hasPermissionToUser(userID) {
		c.writeError(errPermission(c.userID(), PermEditOtherUsers))
		return
	}
	if c.rules.providerOff(c.cfg) {
		c.writeError(errProviderOff())
		return
	}
	page, perPage, ok := c.paging()
	if !ok {
		return
	}
	apps := c.rules.authorizedApps(c.st, userID, page, perPage)
	for i := range apps {
		apps[i].ClientSecret = c.rules.secretOnAuthorizedList(apps[i].ClientSecret)
	}
	c.writeApps(apps)
}

// hasPermissionToUser is app.SessionHasPermissionToUser: the caller
// themselves, or edit_other_users (rules mayReadOwnAuthorized,
// mayReadOthersAuthorized).
func (c *call) hasPermissionToUser(userID string) bool {
	if userID == c.userID() {
		return c.rules.mayReadOwnAuthorized(c.acct)
	}
	return c.rules.mayReadOthersAuthorized(c.acct)
}

// getMe is GET /api/v4/users/me: the session's user (api4/user.go getUser).
// Seeded users were created when the server started.
func (c *call) getMe() {
	u := models.User{Locale: "en"}
	if c.acct != nil {
		created := c.s.started
		u.ID, u.Username, u.Email, u.Roles = c.acct.ID, c.acct.Username, c.acct.Email, c.rules.meRoles(c.acct.Roles)
		u.CreateAt, u.UpdateAt, u.LastPasswordUpdate = created, created, created
		u.NotifyProps = defaultNotifyProps()
		u.Timezone = map[string]string{"automaticTimezone": "", "manualTimezone": "", "useAutomaticTimezone": "true"}
	}
	c.writeJSON(http.StatusOK, u)
}

// defaultNotifyProps are a new user's notification settings
// (model/user.go SetDefaultNotifications).
func defaultNotifyProps() map[string]string {
	return map[string]string{
		"channel": "true", "comments": "never", "desktop": "mention", "desktop_sound": "true", "desktop_threads": "all",
		"email": "true", "email_threads": "all", "first_name": "false", "mention_keys": "", "push": "mention",
		"push_status": "online", "push_threads": "all",
	}
}
