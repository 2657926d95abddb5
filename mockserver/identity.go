package mockserver

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Permissions the OAuth endpoints check (model/permission.go).
const (
	PermManageOAuth           = "manage_oauth"
	PermManageSystemWideOAuth = "manage_system_wide_oauth"
	PermManageSystem          = "manage_system"
	PermEditOtherUsers        = "edit_other_users"
)

// Role names of a stock server (model/role.go).
const (
	RoleSystemUser  = "system_user"
	RoleSystemAdmin = "system_admin"
)

// rolePermissions maps a role to the OAuth-relevant permissions it holds on a
// stock server. Only system_admin holds any of them; system_user holds none,
// which is why upstream tests grant manage_oauth explicitly (the permission checks of server/channels/api4/oauth.go,
// "Default roles").
var rolePermissions = map[string][]string{
	RoleSystemAdmin: {PermManageOAuth, PermManageSystemWideOAuth, PermManageSystem, PermEditOtherUsers},
	RoleSystemUser:  nil,
}

// User is a seeded identity: a Mattermost user and the personal access token
// that authenticates as them. Roles is the space-separated role list
// ("system_user system_admin"); Permissions are granted on top of the roles'
// (what an administrator does in System Console → Permissions).
//
// Token is a plain string so it can be handed straight to a client; String
// and LogValue redact it.
type User struct {
	ID          string   `json:"id"`
	Username    string   `json:"username"`
	Email       string   `json:"email"`
	Roles       string   `json:"roles"`
	Permissions []string `json:"permissions,omitempty"`
	Token       string   `json:"token"`
}

// String implements fmt.Stringer without the token.
func (u User) String() string {
	return fmt.Sprintf("%s (%s, roles %q, permissions %v, token %v)", u.Username, u.ID, u.Roles, u.Permissions, models.Secret(u.Token))
}

// LogValue implements slog.LogValuer without the token.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", u.ID),
		slog.String("username", u.Username),
		slog.String("roles", u.Roles),
		slog.Any("permissions", u.Permissions),
		slog.Any("token", models.Secret(u.Token)),
	)
}

// permissionSet returns every permission the user holds: the roles' plus the
// extra grants.
func (u User) permissionSet() map[string]bool {
	set := map[string]bool{}
	for _, role := range strings.Fields(u.Roles) {
		for _, p := range rolePermissions[role] {
			set[p] = true
		}
	}
	for _, p := range u.Permissions {
		set[p] = true
	}
	return set
}

// Identities are the four identities the permission matrix needs
// (the permission checks of server/channels/api4/oauth.go): SA, two users with manage_oauth but not system-wide (C and
// N, depending on who created the app) and U without manage_oauth.
type Identities struct {
	SystemAdmin   User
	OAuthManager  User
	OAuthManager2 User
	PlainUser     User
}

// The default seed. Ids and tokens are fixed so that scripts and docs can
// use them; every token is 26 characters of Mattermost's id alphabet.
var defaultUsers = []User{
	{
		ID: "sysadminuseridxxxxxxxxxxxx", Username: "sysadmin", Email: "sysadmin@example.com",
		Roles: RoleSystemUser + " " + RoleSystemAdmin, Token: "sysadmintokenxxxxxxxxxxxxx",
	},
	{
		ID: "oauthmanageruseridxxxxxxxx", Username: "oauth.manager", Email: "oauth.manager@example.com",
		Roles: RoleSystemUser, Permissions: []string{PermManageOAuth}, Token: "oauthmanagertokenxxxxxxxxx",
	},
	{
		ID: "oauthmanagerbuseridxxxxxxx", Username: "oauth.manager.b", Email: "oauth.manager.b@example.com",
		Roles: RoleSystemUser, Permissions: []string{PermManageOAuth}, Token: "oauthmanagerbtokenxxxxxxxx",
	},
	{
		ID: "basicuseridxxxxxxxxxxxxxxx", Username: "basic.user", Email: "basic.user@example.com",
		Roles: RoleSystemUser, Token: "basicusertokenxxxxxxxxxxxx",
	},
}

// DefaultUsers returns a copy of the default seed: a system admin, two users
// granted manage_oauth and a plain user (see the package documentation for
// their fixed ids and tokens).
func DefaultUsers() []User {
	out := make([]User, len(defaultUsers))
	for i, u := range defaultUsers {
		u.Permissions = slices.Clone(u.Permissions)
		out[i] = u
	}
	return out
}

// identitiesOf picks the matrix roles out of a user list: the first
// system-wide OAuth manager is SystemAdmin, the first two users with
// manage_oauth but not system-wide are OAuthManager and OAuthManager2, and
// the first user without manage_oauth is PlainUser. Missing ones stay zero.
func identitiesOf(users []User) Identities {
	var id Identities
	var managers []User
	for _, u := range users {
		perms := u.permissionSet()
		switch {
		case perms[PermManageSystemWideOAuth] && perms[PermManageOAuth]:
			if id.SystemAdmin.ID == "" {
				id.SystemAdmin = u
			}
		case perms[PermManageOAuth]:
			managers = append(managers, u)
		default:
			if id.PlainUser.ID == "" {
				id.PlainUser = u
			}
		}
	}
	if len(managers) > 0 {
		id.OAuthManager = managers[0]
	}
	if len(managers) > 1 {
		id.OAuthManager2 = managers[1]
	}
	return id
}

// checkUsers fills missing ids and tokens with fresh ones and refuses
// malformed or duplicate ids, usernames and tokens.
func checkUsers(in []User) ([]User, error) {
	out := make([]User, 0, len(in))
	ids, names, tokens := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, u := range in {
		u.Permissions = slices.Clone(u.Permissions)
		if u.ID == "" {
			u.ID = newID()
		}
		if !models.IsValidID(u.ID) {
			return nil, fmt.Errorf("user %d: id %q is not 26 letters or digits", i, u.ID)
		}
		if u.Username == "" {
			u.Username = "user" + u.ID[:6]
		}
		if u.Token == "" {
			u.Token = newID()
		}
		if u.Roles == "" {
			u.Roles = RoleSystemUser
		}
		switch {
		case ids[u.ID]:
			return nil, fmt.Errorf("user %d: duplicate id %q", i, u.ID)
		case names[u.Username]:
			return nil, fmt.Errorf("user %d: duplicate username %q", i, u.Username)
		case tokens[u.Token]:
			return nil, fmt.Errorf("user %d (%s): duplicate token", i, u.Username)
		}
		ids[u.ID], names[u.Username], tokens[u.Token] = true, true, true
		out = append(out, u)
	}
	return out, nil
}
