package models

import (
	"fmt"
	"log/slog"
)

// ClientRegistrationRequest is the RFC 7591 §2 client metadata sent to
// POST /api/v4/oauth/apps/register (model/oauth_dcr.go). Mattermost reads
// redirect_uris, token_endpoint_auth_method, client_name and client_uri; the
// other RFC 7591 fields are accepted and ignored by it, and kept here for
// servers that honour them.
type ClientRegistrationRequest struct {
	RedirectURIs []string `json:"redirect_uris"`
	// TokenEndpointAuthMethod is "client_secret_post" (the default when
	// empty) or "none" for a public client. Mattermost refuses
	// client_secret_basic, although RFC 7591 §2 makes it the default.
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	GrantTypes              []string `json:"grant_types,omitempty"`    // ignored by Mattermost
	ResponseTypes           []string `json:"response_types,omitempty"` // ignored by Mattermost
	Scope                   string   `json:"scope,omitempty"`          // ignored by Mattermost
	LogoURI                 string   `json:"logo_uri,omitempty"`       // ignored by Mattermost
}

// Validate applies ClientRegistrationRequest.IsValid's rules
// (model/oauth_dcr.go). ServerErrorID of the returned *ValidationError is the
// RFC 7591 error code the server answers with.
func (r *ClientRegistrationRequest) Validate() error {
	const metadataErr = DCRErrorInvalidClientMetadata
	if r == nil {
		return invalid("body", metadataErr, "request is nil")
	}
	if len(r.RedirectURIs) == 0 {
		return invalid("redirect_uris", metadataErr, "at least one redirect URI is required")
	}
	for _, u := range r.RedirectURIs {
		if !IsValidHTTPURL(u) {
			return invalid("redirect_uris", metadataErr, "%q is not an absolute http(s) URL", u)
		}
	}
	if len(r.ClientName) > MaxClientNameBytes {
		return invalid("client_name", metadataErr, "is %d bytes; at most %d", len(r.ClientName), MaxClientNameBytes)
	}
	if r.ClientURI != "" {
		// Format before length, as the server checks them
		// (model.dcr.is_valid.client_uri_format, then client_uri_length).
		if !IsValidHTTPURL(r.ClientURI) {
			return invalid("client_uri", metadataErr, "%q is not an absolute http(s) URL", r.ClientURI)
		}
		if len(r.ClientURI) > MaxClientURILength {
			return invalid("client_uri", metadataErr, "is %d characters; at most %d", len(r.ClientURI), MaxClientURILength)
		}
	}
	switch r.TokenEndpointAuthMethod {
	case "", AuthMethodClientSecretPost, AuthMethodNone:
	default:
		return invalid("token_endpoint_auth_method", metadataErr, "%q is not supported; use %q or %q",
			r.TokenEndpointAuthMethod, AuthMethodClientSecretPost, AuthMethodNone)
	}
	return nil
}

// ClientRegistrationResponse is the RFC 7591 §3.2.1 answer of a successful
// registration (model.ToClientRegistrationResponse).
//
// Mattermost always sends grant_types ["authorization_code","refresh_token"],
// response_types ["code"] and scope "user", and never sends
// client_id_issued_at, client_secret_expires_at or the RFC 7592 management
// pair; those fields are nil or empty then.
type ClientRegistrationResponse struct {
	ClientID                string   `json:"client_id"`
	ClientSecret            Secret   `json:"client_secret,omitempty"` // absent for public clients
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope,omitempty"`
	ClientName              string   `json:"client_name,omitempty"`
	ClientURI               string   `json:"client_uri,omitempty"`
	// RFC 7591 fields Mattermost omits; pointers tell "absent" from zero.
	ClientIDIssuedAt        *int64 `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken Secret `json:"registration_access_token,omitempty"` // RFC 7592
	RegistrationClientURI   string `json:"registration_client_uri,omitempty"`   // RFC 7592
}

// IsPublic reports whether the registered client authenticates with "none".
func (r *ClientRegistrationResponse) IsPublic() bool {
	return r.TokenEndpointAuthMethod == AuthMethodNone
}

// Format implements fmt.Formatter with the secrets masked.
func (r ClientRegistrationResponse) Format(f fmt.State, verb rune) {
	type redactedClientRegistrationResponse ClientRegistrationResponse
	r.ClientSecret = mask(r.ClientSecret)
	r.RegistrationAccessToken = mask(r.RegistrationAccessToken)
	formatRedacted(f, verb, redactedClientRegistrationResponse(r))
}

// LogValue implements slog.LogValuer without the secrets.
func (r ClientRegistrationResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("client_id", r.ClientID),
		slog.Any("client_secret", r.ClientSecret),
		slog.String("token_endpoint_auth_method", r.TokenEndpointAuthMethod),
		slog.Any("redirect_uris", r.RedirectURIs),
	)
}

// RFC 7591 §3.2.2 error codes, plus Mattermost's unsupported_operation for a
// disabled provider or disabled registration.
const (
	DCRErrorInvalidRedirectURI    = "invalid_redirect_uri"
	DCRErrorInvalidClientMetadata = "invalid_client_metadata"
	DCRErrorUnsupportedOperation  = "unsupported_operation"
)

// DCRError is the RFC 7591 §3.2.2 error body the registration endpoint uses
// instead of AppError.
type DCRError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}
