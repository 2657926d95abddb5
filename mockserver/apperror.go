package mockserver

import (
	"net/http"
	"strings"
)

// apiError is a Mattermost AppError before it is written: the HTTP status,
// the translation id clients match on, and the detailed_error.
type apiError struct {
	Status int
	ID     string
	Detail string
	// Params fill the {{.Name}} placeholder of some messages.
	Name string
}

func (e *apiError) Error() string { return e.ID }

// message renders the English translation of the id (server/i18n/en.json),
// or the id itself for ids the catalogue lacks.
func (e *apiError) message() string {
	m, ok := messages[e.ID]
	if !ok {
		return e.ID
	}
	return strings.ReplaceAll(m, "{{.Name}}", e.Name)
}

func newError(status int, id, detail string) *apiError {
	return &apiError{Status: status, ID: id, Detail: detail}
}

// Common errors of web/context.go and web/handlers.go.

func errSessionExpired(detail string) *apiError {
	return newError(http.StatusUnauthorized, "api.context.session_expired.app_error", detail)
}

func errInvalidURLParam(name string) *apiError {
	return &apiError{Status: http.StatusBadRequest, ID: "api.context.invalid_url_param.app_error", Name: name}
}

func errInvalidBodyParam(name, detail string) *apiError {
	return &apiError{Status: http.StatusBadRequest, ID: "api.context.invalid_body_param.app_error", Name: name, Detail: detail}
}

// errPermission is app.MakePermissionError: detailed_error names the user and
// the missing permission.
func errPermission(userID, permission string) *apiError {
	return newError(http.StatusForbidden, "api.context.permissions.app_error", "userId="+userID+", permission="+permission)
}

// errProviderOff is the 501 the app layer returns while
// EnableOAuthServiceProvider is false.
func errProviderOff() *apiError {
	return newError(http.StatusNotImplemented, "api.oauth.allow_oauth.turn_off.app_error", "")
}

func errAppNotFound() *apiError {
	return newError(http.StatusNotFound, "app.oauth.get_app.find.app_error", "")
}

// messages are the English texts of the ids the mock sends. The ids are the
// contract; texts follow server/i18n/en.json where it was read and are
// plausible paraphrases elsewhere.
//
//nolint:gosec // G101: translation ids and texts that mention tokens, not credentials
var messages = map[string]string{
	"api.context.session_expired.app_error":                  "Invalid or expired session, please login again.",
	"api.context.invalid_url_param.app_error":                "Invalid or missing {{.Name}} parameter in request URL.",
	"api.context.invalid_body_param.app_error":               "Invalid or missing {{.Name}} in request body.",
	"api.context.permissions.app_error":                      "You do not have the appropriate permissions.",
	"api.context.404.app_error":                              "Sorry, we could not find the page.",
	"api.oauth.get_access_token.bad_client_secret.app_error": "invalid_request: Missing client_secret.",
	"api.context.405.app_error":                              "Method not allowed.",
	"api.context.request_body_too_large.app_error":           "Unable to process request. Request body too large.",
	"api.context.token_provided.app_error":                   "Session is not OAuth but token was provided in the query string.",
	"api.context.server_busy.app_error":                      "Server is busy, non-critical services are temporarily unavailable.",
	"api.context.rate_limited.app_error":                     "Too many requests. Please try again later.",
	"api.context.internal.app_error":                         "An internal error occurred.",
	"api.context.bad_gateway.app_error":                      "Bad gateway.",
	"api.context.service_unavailable.app_error":              "The server is temporarily unavailable.",
	"api.command.admin_only.app_error":                       "Integrations have been limited to admins only.",
	"app.mock.save_state.app_error":                          "The mock server could not save its state file; the change may be lost.",

	"api.oauth.register_oauth_app.turn_off.app_error":                     "The system admin has turned off OAuth2 Service Provider.",
	"api.oauth.allow_oauth.turn_off.app_error":                            "The system admin has turned off OAuth2 Service Provider.",
	"api.oauth.authorize_oauth.disabled.app_error":                        "The system admin has turned off OAuth2 Service Provider.",
	"api.oauth.get_access_token.disabled.app_error":                       "The system admin has turned off OAuth2 Service Provider.",
	"api.oauth.authorization_server_metadata.disabled.app_error":          "OAuth service provider is disabled.",
	"api.oauth.authorization_server_metadata.site_url_required.app_error": "Site URL must be configured to provide authorization server metadata.",
	"api.oauth.authorization_server_metadata.invalid_url.app_error":       "Invalid URL configuration for authorization server metadata.",
	"app.oauth.get_app.find.app_error":                                    "Unable to find the requested app.",
	"app.oauth.update_app.find.app_error":                                 "Unable to find the existing app to update.",
	"api.oauth.regenerate_secret.public_client.app_error":                 "invalid_request: Cannot regenerate secret for public OAuth clients.",
	"api.oauth.allow_oauth.redirect_callback.app_error":                   "invalid_request: Supplied redirect_uri did not match registered callback_url.",
	"api.oauth.allow_oauth.pkce_required_public.app_error":                "PKCE (Proof Key for Code Exchange) is required for public OAuth clients using authorization code flow.",

	"api.oauth.get_access_token.bad_request.app_error":                 "invalid_request: Bad request.",
	"api.oauth.get_access_token.bad_grant.app_error":                   "invalid_request: Bad grant_type.",
	"api.oauth.get_access_token.missing_code.app_error":                "invalid_request: Missing code.",
	"api.oauth.get_access_token.missing_refresh_token.app_error":       "invalid_request: Missing refresh_token.",
	"api.oauth.get_access_token.bad_client_id.app_error":               "invalid_request: Bad client_id.",
	"api.oauth.get_access_token.credentials.app_error":                 "invalid_client: Invalid client credentials.",
	"api.oauth.get_access_token.expired_code.app_error":                "invalid_grant: Invalid or expired authorization code.",
	"api.oauth.get_access_token.redirect_uri.app_error":                "invalid_request: Supplied redirect_uri does not match authorization code redirect_uri.",
	"api.oauth.get_access_token.refresh_token.app_error":               "invalid_grant: Invalid refresh token.",
	"api.oauth.get_access_token.resource_mismatch.app_error":           "Resource parameter mismatch between authorization and token requests.",
	"model.oauth.validate_grant.public_client_secret.app_error":        "Public clients must not provide a client secret.",
	"model.oauth.validate_grant.public_client_refresh_token.app_error": "Public clients cannot use refresh token grant type.",
	"model.oauth.validate_grant.pkce_required.app_error":               "PKCE (Proof Key for Code Exchange) is required for public clients.",
	"model.oauth.validate_grant.credentials.app_error":                 "Invalid client credentials.",
	"model.authorize.validate_pkce.public_client_required.app_error":   "PKCE (Proof Key for Code Exchange) is required for public clients.",
	"model.authorize.validate_pkce.verifier_required.app_error":        "PKCE code verifier is required when PKCE is used.",
	"model.authorize.validate_pkce.verification_failed.app_error":      "PKCE code verifier does not match the code challenge.",
	"model.authorize.validate_pkce.not_used_in_auth.app_error":         "PKCE code verifier provided but PKCE was not used during authorization.",

	"model.authorize.is_valid.client_id.app_error":                         "Invalid client id.",
	"model.authorize.is_valid.response_type.app_error":                     "Invalid response type.",
	"model.authorize.is_valid.redirect_uri.app_error":                      "Invalid redirect uri.",
	"model.authorize.is_valid.state.app_error":                             "Invalid state.",
	"model.authorize.is_valid.scope.app_error":                             "Invalid scope.",
	"model.authorize.is_valid.code_challenge.app_error":                    "Code challenge is required when using PKCE.",
	"model.authorize.is_valid.code_challenge_method.app_error":             "Code challenge method is required when using PKCE.",
	"model.authorize.is_valid.code_challenge_method.unsupported.app_error": "Only 'S256' code challenge method is supported.",
	"model.authorize.is_valid.code_challenge.length.app_error":             "Code challenge must be between 43 and 128 characters long.",
	"model.authorize.is_valid.code_challenge.format.app_error":             "Code challenge must be base64url-encoded (using characters A-Z, a-z, 0-9, -, _).",
	"model.authorize.is_valid.resource.app_error":                          "Invalid resource.",

	"model.oauth.is_valid.app_id.app_error":            "Invalid app id.",
	"model.oauth.is_valid.create_at.app_error":         "Create at must be a valid time.",
	"model.oauth.is_valid.update_at.app_error":         "Update at must be a valid time.",
	"model.oauth.is_valid.creator_id.app_error":        "Invalid creator id.",
	"model.oauth.is_valid.client_secret.app_error":     "Invalid client secret.",
	"model.oauth.is_valid.name.app_error":              "Invalid name.",
	"model.oauth.is_valid.callback.app_error":          "Callback URL must be a valid URL and start with http:// or https://.",
	"model.oauth.is_valid.homepage.app_error":          "Homepage must be a valid URL and start with http:// or https://.",
	"model.oauth.is_valid.description.app_error":       "Invalid description.",
	"model.oauth.is_valid.icon_url.app_error":          "Icon URL must be a valid URL and start with http:// or https://.",
	"model.oauth.is_valid.mattermost_app_id.app_error": "The maximum length of MattermostAppID is 32 characters.",

	"model.dcr.is_valid.redirect_uris.app_error":           "At least one redirect URI is required.",
	"model.dcr.is_valid.redirect_uri_format.app_error":     "Invalid redirect URI format.",
	"model.dcr.is_valid.client_name.app_error":             "Client name must be 64 characters or less.",
	"model.dcr.is_valid.client_uri_format.app_error":       "Invalid client URI format.",
	"model.dcr.is_valid.client_uri_length.app_error":       "Client URI must be less than 256 characters.",
	"model.dcr.is_valid.unsupported_auth_method.app_error": "Unsupported token_endpoint_auth_method supplied.",
}
