package models

import "slices"

// AuthorizationServerMetadata is the RFC 8414 §2 document served at
// /.well-known/oauth-authorization-server (model/oauth_metadata.go). issuer
// and response_types_supported are always sent; the rest are omitted when
// empty (registration_endpoint appears only when dynamic client registration
// is enabled).
type AuthorizationServerMetadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                     string   `json:"token_endpoint,omitempty"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	RegistrationEndpoint              string   `json:"registration_endpoint,omitempty"`
	ScopesSupported                   []string `json:"scopes_supported,omitempty"`
	GrantTypesSupported               []string `json:"grant_types_supported,omitempty"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported,omitempty"`
}

// SupportsS256 reports whether the server advertises PKCE with S256
// (RFC 8414 §2: an absent list means PKCE is not supported).
func (m *AuthorizationServerMetadata) SupportsS256() bool {
	return slices.Contains(m.CodeChallengeMethodsSupported, PKCEMethodS256)
}

// SupportsRegistration reports whether the server advertises RFC 7591 dynamic
// client registration.
func (m *AuthorizationServerMetadata) SupportsRegistration() bool {
	return m.RegistrationEndpoint != ""
}
