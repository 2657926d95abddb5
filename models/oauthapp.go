package models

import (
	"fmt"
	"log/slog"
)

// OAuthApp is an OAuth 2.0 client registered with Mattermost
// (server/public/model/oauth.go). Every field is always present in the JSON
// except IsDynamicallyRegistered, which the server omits when false.
type OAuthApp struct {
	ID           string `json:"id"`
	CreatorID    string `json:"creator_id"` // "" for dynamically registered apps
	CreateAt     int64  `json:"create_at"`  // milliseconds since the epoch
	UpdateAt     int64  `json:"update_at"`  // milliseconds since the epoch
	ClientSecret Secret `json:"client_secret"`
	Name         string `json:"name"`
	Description  string `json:"description"`
	IconURL      string `json:"icon_url"`
	// CallbackURLs are the redirect URIs; /oauth/authorize only accepts an
	// exact match with one of them.
	CallbackURLs            []string `json:"callback_urls"`
	Homepage                string   `json:"homepage"`
	IsTrusted               bool     `json:"is_trusted"`
	MattermostAppID         string   `json:"mattermost_app_id"`
	IsDynamicallyRegistered bool     `json:"is_dynamically_registered,omitempty"`
}

// IsPublic reports whether the app is a public client. The server stores no
// such flag: an app without a client secret is public and authenticates at
// the token endpoint with method "none" (model.OAuthApp.GetTokenEndpointAuthMethod).
// Only meaningful on responses that carry the secret (not /info, not the
// authorized-apps list, which blank it for every app).
func (a *OAuthApp) IsPublic() bool { return a.ClientSecret == "" }

// Format implements fmt.Formatter: every verb prints the app with its secret
// masked.
func (a OAuthApp) Format(f fmt.State, verb rune) {
	type redactedOAuthApp OAuthApp
	a.ClientSecret = mask(a.ClientSecret)
	formatRedacted(f, verb, redactedOAuthApp(a))
}

// LogValue implements slog.LogValuer: the app without its secret, so that a
// JSON log handler cannot marshal the secret either.
func (a OAuthApp) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("id", a.ID),
		slog.String("name", a.Name),
		slog.String("creator_id", a.CreatorID),
		slog.Any("client_secret", a.ClientSecret),
		slog.Bool("is_trusted", a.IsTrusted),
		slog.Bool("is_dynamically_registered", a.IsDynamicallyRegistered),
	)
}

// CreateOAuthAppRequest is the body of POST /api/v4/oauth/apps
// (model.OAuthAppRequest). The server ignores any other field.
type CreateOAuthAppRequest struct {
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	IconURL      string   `json:"icon_url,omitempty"`
	CallbackURLs []string `json:"callback_urls"`
	Homepage     string   `json:"homepage"`
	// IsTrusted skips the consent screen. The server forces it to false unless
	// the caller has manage_system.
	IsTrusted bool `json:"is_trusted"`
	// IsPublic creates a public client: no secret, PKCE required (Mattermost v11.2+).
	IsPublic bool `json:"is_public"`
}

// Validate applies the server's OAuthApp.IsValid rules so that bad input is
// refused before any request is sent. It returns a *ValidationError.
func (r *CreateOAuthAppRequest) Validate() error {
	if r == nil {
		return invalid("body", "api.context.invalid_body_param.app_error", "request is nil")
	}
	return validateAppFields(r.Name, r.Description, r.IconURL, r.CallbackURLs, r.Homepage)
}

// UpdateOAuthAppRequest is the body of PUT /api/v4/oauth/apps/{app_id}. The
// server decodes a whole OAuthApp but only takes these fields from it; ID must
// equal the app_id in the path. A missing is_trusted means false, and the
// server keeps the stored value anyway unless the caller has manage_system.
type UpdateOAuthAppRequest struct {
	ID              string   `json:"id"`
	Name            string   `json:"name"`
	Description     string   `json:"description"`
	IconURL         string   `json:"icon_url"`
	CallbackURLs    []string `json:"callback_urls"`
	Homepage        string   `json:"homepage"`
	IsTrusted       bool     `json:"is_trusted"`
	MattermostAppID string   `json:"mattermost_app_id"`
}

// Validate applies the server's OAuthApp.IsValid rules; it returns a *ValidationError.
func (r *UpdateOAuthAppRequest) Validate() error {
	if r == nil {
		return invalid("body", "api.context.invalid_body_param.app_error", "request is nil")
	}
	if !IsValidID(r.ID) {
		return invalid("id", "api.context.invalid_body_param.app_error", "%q is not a valid Mattermost id", r.ID)
	}
	if err := validateAppFields(r.Name, r.Description, r.IconURL, r.CallbackURLs, r.Homepage); err != nil {
		return err
	}
	if len(r.MattermostAppID) > MaxMattermostAppIDLength {
		return invalid("mattermost_app_id", "model.oauth.is_valid.mattermost_app_id.app_error", "is %d characters; at most %d", len(r.MattermostAppID), MaxMattermostAppIDLength)
	}
	return nil
}

// UpdateRequest returns the update body that keeps every field of a as it is;
// change the fields you want and pass it to UpdateOAuthApp.
func (a *OAuthApp) UpdateRequest() *UpdateOAuthAppRequest {
	return &UpdateOAuthAppRequest{
		ID:              a.ID,
		Name:            a.Name,
		Description:     a.Description,
		IconURL:         a.IconURL,
		CallbackURLs:    append([]string(nil), a.CallbackURLs...),
		Homepage:        a.Homepage,
		IsTrusted:       a.IsTrusted,
		MattermostAppID: a.MattermostAppID,
	}
}

// StatusOK is the body of a successful DELETE or deauthorize: {"status":"OK"}.
// The published yaml says "ok"; the server sends "OK" (model.StatusOk).
type StatusOK struct {
	Status string `json:"status"`
}

// StatusOKValue is the value of StatusOK.Status the server sends.
const StatusOKValue = "OK"
