package models

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
)

// Response types of /oauth/authorize (model/authorize.go).
const (
	ResponseTypeCode  = "code"
	ResponseTypeToken = "token" // implicit grant; accepted by Mattermost, not advertised
)

// Grant types of /oauth/access_token (model/access.go).
const (
	GrantTypeAuthorizationCode = "authorization_code"
	GrantTypeRefreshToken      = "refresh_token"
)

// DefaultScope is the scope Mattermost substitutes for an empty one; it is
// also the only scope it knows.
const DefaultScope = "user"

// AuthorizeRequest is the JSON body of POST /oauth/authorize, sent with a
// user's session to approve an app (model/authorize.go).
type AuthorizeRequest struct {
	ResponseType        string `json:"response_type"`
	ClientID            string `json:"client_id"`
	RedirectURI         string `json:"redirect_uri"`
	Scope               string `json:"scope"`
	State               string `json:"state"`
	CodeChallenge       string `json:"code_challenge,omitempty"`
	CodeChallengeMethod string `json:"code_challenge_method,omitempty"`
	Resource            string `json:"resource,omitempty"` // RFC 8707
}

// Validate applies AuthorizeRequest.IsValid's rules in the server's order.
func (r *AuthorizeRequest) Validate() error {
	if r == nil {
		return invalid("body", "api.context.invalid_body_param.app_error", "request is nil")
	}
	if !IsValidID(r.ClientID) {
		return invalid("client_id", "model.authorize.is_valid.client_id.app_error", "%q is not a valid Mattermost id", r.ClientID)
	}
	if r.ResponseType == "" {
		return invalid("response_type", "model.authorize.is_valid.response_type.app_error", "must not be empty")
	}
	if r.RedirectURI == "" || len(r.RedirectURI) > MaxRedirectURILength || !IsValidHTTPURL(r.RedirectURI) {
		return invalid("redirect_uri", "model.authorize.is_valid.redirect_uri.app_error",
			"must be an absolute http(s) URL of at most %d characters", MaxRedirectURILength)
	}
	if len(r.State) > MaxStateLength {
		return invalid("state", "model.authorize.is_valid.state.app_error", "is %d characters; at most %d", len(r.State), MaxStateLength)
	}
	if len(r.Scope) > MaxScopeLength {
		return invalid("scope", "model.authorize.is_valid.scope.app_error", "is %d characters; at most %d", len(r.Scope), MaxScopeLength)
	}
	if r.CodeChallenge != "" || r.CodeChallengeMethod != "" {
		if err := ValidateCodeChallenge(r.CodeChallenge, r.CodeChallengeMethod); err != nil {
			return err
		}
	}
	if r.Resource != "" {
		if err := validateResource(r.Resource); err != nil {
			return err
		}
	}
	return nil
}

func validateResource(resource string) error {
	const id = "model.authorize.is_valid.resource.app_error"
	if len(resource) > MaxResourceLength {
		return invalid("resource", id, "is %d characters; at most %d", len(resource), MaxResourceLength)
	}
	u, err := url.Parse(resource)
	if err != nil || !u.IsAbs() || u.Fragment != "" || u.RawFragment != "" {
		return invalid("resource", id, "must be an absolute URI without a fragment (RFC 8707 §2)")
	}
	return nil
}

// ValidateCodeChallenge applies the server's PKCE parameter rules
// (model/authorize.go validatePKCEParameters, RFC 7636 §4.2): both fields
// present, method S256, challenge 43–128 base64url characters without padding.
func ValidateCodeChallenge(challenge, method string) error {
	switch {
	case challenge == "":
		return invalid("code_challenge", "model.authorize.is_valid.code_challenge.app_error", "is required with code_challenge_method")
	case method == "":
		return invalid("code_challenge_method", "model.authorize.is_valid.code_challenge_method.app_error", "is required with code_challenge")
	case method != PKCEMethodS256:
		return invalid("code_challenge_method", "model.authorize.is_valid.code_challenge_method.unsupported.app_error", "%q is not supported; only S256", method)
	case len(challenge) < MinCodeChallengeLength || len(challenge) > MaxCodeChallengeLength:
		return invalid("code_challenge", "model.authorize.is_valid.code_challenge.length.app_error",
			"is %d characters; must be %d–%d", len(challenge), MinCodeChallengeLength, MaxCodeChallengeLength)
	case !isBase64URL(challenge):
		return invalid("code_challenge", "model.authorize.is_valid.code_challenge.format.app_error", "must be base64url without padding")
	}
	return nil
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '_' {
			return false
		}
	}
	return s != ""
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// IsValidCodeVerifier reports whether v is a well-formed RFC 7636 §4.1 code
// verifier: 43–128 unreserved characters [A-Za-z0-9-._~].
func IsValidCodeVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' && c != '~' {
			return false
		}
	}
	return true
}

// S256Challenge returns BASE64URL(SHA256(verifier)) (RFC 7636 §4.2).
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// VerifyS256 reports whether verifier is well formed and hashes to challenge
// (RFC 7636 §4.6, model.AuthData.VerifyPKCE). The comparison is constant time.
func VerifyS256(challenge, verifier string) bool {
	if !IsValidCodeVerifier(verifier) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(S256Challenge(verifier)), []byte(challenge)) == 1
}

// AuthorizeResponse is the answer of POST /oauth/authorize: the URL the user
// agent should be sent to. For response_type=code it carries the
// authorization code, so it is a Secret.
type AuthorizeResponse struct {
	Redirect Secret `json:"redirect"`
}

// Format implements fmt.Formatter with the redirect (and its code) masked.
func (r AuthorizeResponse) Format(f fmt.State, verb rune) {
	type redactedAuthorizeResponse AuthorizeResponse
	r.Redirect = mask(r.Redirect)
	formatRedacted(f, verb, redactedAuthorizeResponse(r))
}

// LogValue implements slog.LogValuer with the redirect (and its code) masked.
func (r AuthorizeResponse) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("redirect", r.Redirect))
}

// Params parses the redirect URL and returns its query (code, state, error,
// error_description) merged with its fragment parameters (the implicit grant
// puts the token there).
func (r *AuthorizeResponse) Params() (url.Values, error) {
	u, err := url.Parse(r.Redirect.Reveal())
	if err != nil {
		// The URL holds the code: never echo it.
		return nil, fmt.Errorf("authorize redirect is not a URL")
	}
	v := u.Query()
	if u.Fragment != "" {
		frag, err := url.ParseQuery(u.Fragment)
		if err == nil {
			for k, vs := range frag {
				v[k] = append(v[k], vs...)
			}
		}
	}
	return v, nil
}

// Code returns the authorization code carried by the redirect, or an error
// when the redirect carries an OAuth error or no code.
func (r *AuthorizeResponse) Code() (Secret, error) {
	v, err := r.Params()
	if err != nil {
		return "", err
	}
	if e := v.Get("error"); e != "" {
		return "", fmt.Errorf("authorization refused: %s: %s", e, v.Get("error_description"))
	}
	code := v.Get("code")
	if code == "" {
		return "", fmt.Errorf("authorize redirect carries no code")
	}
	return Secret(code), nil
}

// AccessResponse is the RFC 6749 §5.1 token response of POST
// /oauth/access_token (model/access.go). refresh_token and id_token are
// always present ("" when not issued; public clients never get a refresh
// token); audience is omitted when empty.
type AccessResponse struct {
	AccessToken  Secret `json:"access_token"`
	TokenType    string `json:"token_type"` // "bearer"
	ExpiresIn    int32  `json:"expires_in"` // seconds
	Scope        string `json:"scope"`
	RefreshToken Secret `json:"refresh_token"`
	IDToken      Secret `json:"id_token"`
	Audience     string `json:"audience,omitempty"`
}

// Format implements fmt.Formatter with the tokens masked.
func (r AccessResponse) Format(f fmt.State, verb rune) {
	type redactedAccessResponse AccessResponse
	r.AccessToken = mask(r.AccessToken)
	r.RefreshToken = mask(r.RefreshToken)
	r.IDToken = mask(r.IDToken)
	formatRedacted(f, verb, redactedAccessResponse(r))
}

// LogValue implements slog.LogValuer without the tokens.
func (r AccessResponse) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("access_token", r.AccessToken),
		slog.String("token_type", r.TokenType),
		slog.Int("expires_in", int(r.ExpiresIn)),
		slog.String("scope", r.Scope),
		slog.Any("refresh_token", r.RefreshToken),
	)
}

// DeauthorizeRequest is the body of POST /oauth/deauthorize.
type DeauthorizeRequest struct {
	ClientID string `json:"client_id"`
}

// OAuthError is the RFC 6749 §5.2 error body. Mattermost's token endpoint
// answers with AppError instead; other servers use this shape.
type OAuthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
}
