package models

// User is the part of Mattermost's user object (model/user.go) that this
// toolkit reads, from GET /api/v4/users/me. Roles is the space-separated role
// list, e.g. "system_user system_admin".
type User struct {
	ID        string `json:"id"`
	CreateAt  int64  `json:"create_at,omitempty"`
	UpdateAt  int64  `json:"update_at,omitempty"`
	DeleteAt  int64  `json:"delete_at"`
	Username  string `json:"username"`
	Email     string `json:"email"`
	Nickname  string `json:"nickname"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Roles     string `json:"roles"`
	Locale    string `json:"locale"`

	// The rest of what GET /api/v4/users/me sends for a user without an
	// auth service (model/user.go User, sanitized; seen on Mattermost
	// 11.6).
	AuthService         string            `json:"auth_service"`
	Position            string            `json:"position"`
	NotifyProps         map[string]string `json:"notify_props,omitempty"`
	LastPasswordUpdate  int64             `json:"last_password_update,omitempty"`
	Timezone            map[string]string `json:"timezone,omitempty"`
	RemoteID            string            `json:"remote_id"`
	DisableWelcomeEmail bool              `json:"disable_welcome_email"`
}
