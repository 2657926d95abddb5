package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/models"
)

// OAuth2Config builds the x/oauth2 configuration of a registered client:
// endpoints from meta (as validated by Discover), client id and secret from
// reg, and redirectURL, which must be one of reg's redirect URIs (the server
// accepts only an exact match; server/channels/app/oauth.go).
//
// The token endpoint authentication follows reg.TokenEndpointAuthMethod:
// client_secret_post (also when empty, Mattermost's default) sends the secret
// in the form (oauth2.AuthStyleInParams, never auto-detection, which would
// first try HTTP Basic); none is a public client: no secret, AuthStyleInParams,
// and PKCE is mandatory (see NewPKCE); client_secret_basic, which other
// servers offer, uses AuthStyleInHeader. Scopes are meta's scopes_supported,
// or "user", the only scope Mattermost knows.
//
// The returned config holds the client secret in plain text (x/oauth2 puts
// it on the wire): do not print or log it.
func OAuth2Config(meta *models.AuthorizationServerMetadata, reg *models.ClientRegistrationResponse, redirectURL string) (*oauth2.Config, error) {
	switch {
	case meta == nil:
		return nil, errors.New("mmoauth: OAuth2Config: nil metadata")
	case reg == nil:
		return nil, errors.New("mmoauth: OAuth2Config: nil registration")
	case reg.ClientID == "":
		return nil, errors.New("mmoauth: OAuth2Config: registration has no client_id")
	case !isAbsoluteEndpoint(meta.AuthorizationEndpoint) || !isAbsoluteEndpoint(meta.TokenEndpoint):
		return nil, errors.New("mmoauth: OAuth2Config: metadata lacks absolute authorization and token endpoints (use Discover)")
	case !slices.Contains(reg.RedirectURIs, redirectURL):
		return nil, fmt.Errorf("mmoauth: OAuth2Config: redirect URL %q is not one of the registered redirect URIs %q", redirectURL, reg.RedirectURIs)
	}
	conf := &oauth2.Config{
		ClientID:    reg.ClientID,
		RedirectURL: redirectURL,
		Endpoint:    oauth2.Endpoint{AuthURL: meta.AuthorizationEndpoint, TokenURL: meta.TokenEndpoint},
		Scopes:      []string{models.DefaultScope},
	}
	if len(meta.ScopesSupported) > 0 {
		conf.Scopes = slices.Clone(meta.ScopesSupported)
	}
	switch reg.TokenEndpointAuthMethod {
	case models.AuthMethodNone:
		conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	case models.AuthMethodClientSecretPost, "", authMethodClientSecretBasic:
		if !reg.ClientSecret.IsSet() {
			return nil, fmt.Errorf("mmoauth: OAuth2Config: method %q needs a client secret and the registration has none", reg.TokenEndpointAuthMethod)
		}
		conf.ClientSecret = reg.ClientSecret.Reveal()
		conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		if reg.TokenEndpointAuthMethod == authMethodClientSecretBasic {
			conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
		}
	default:
		return nil, fmt.Errorf("mmoauth: OAuth2Config: unsupported token_endpoint_auth_method %q", reg.TokenEndpointAuthMethod)
	}
	return conf, nil
}

// authMethodClientSecretBasic is RFC 7591 §2's default; Mattermost refuses it.
const authMethodClientSecretBasic = "client_secret_basic"

// TokenSource returns a token source that starts from tok and refreshes it
// with conf through hc (nil: http.DefaultClient), caching the current token
// (oauth2.ReuseTokenSource). Pass it to WithTokenSource.
//
// It exists because of an x/oauth2 pitfall: conf.TokenSource(ctx, tok) and
// conf.Client(ctx, tok) keep ctx and use it for every later refresh, so a
// per-request or per-handler context makes refreshes fail with "context
// canceled" long after that request ended. This helper binds the refreshes
// to context.Background, carrying only hc (via the oauth2.HTTPClient context
// key); bound a refresh with hc.Timeout instead.
func TokenSource(conf *oauth2.Config, tok *oauth2.Token, hc *http.Client) oauth2.TokenSource {
	ctx := context.Background()
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	return conf.TokenSource(ctx, tok)
}

// PKCE is one RFC 7636 proof key: a fresh random code verifier and its S256
// challenge. Use a new one for every authorization request. The verifier is a
// models.Secret, so printing or logging a PKCE never reveals it.
type PKCE struct {
	Verifier models.Secret
}

// LogValue implements slog.LogValuer, so that a JSON log handler cannot
// marshal the verifier either.
func (p PKCE) LogValue() slog.Value {
	return slog.GroupValue(slog.Any("verifier", p.Verifier), slog.String("challenge", p.Challenge()))
}

// NewPKCE generates a verifier with oauth2.GenerateVerifier (32 random
// octets, base64url: 43 characters, RFC 7636 §4.1).
func NewPKCE() *PKCE {
	return &PKCE{Verifier: models.Secret(oauth2.GenerateVerifier())}
}

// Challenge is BASE64URL(SHA256(verifier)) (RFC 7636 §4.2).
func (p PKCE) Challenge() string {
	return oauth2.S256ChallengeFromVerifier(p.Verifier.Reveal())
}

// ChallengeOption adds code_challenge and code_challenge_method=S256 to
// oauth2.Config.AuthCodeURL.
func (p PKCE) ChallengeOption() oauth2.AuthCodeOption {
	return oauth2.S256ChallengeOption(p.Verifier.Reveal())
}

// VerifierOption adds code_verifier to oauth2.Config.Exchange.
func (p PKCE) VerifierOption() oauth2.AuthCodeOption {
	return oauth2.VerifierOption(p.Verifier.Reveal())
}

// ApplyTo sets the S256 challenge on an AuthorizeOAuthApp request (the JSON
// authorize call of a logged-in user, which public clients must send with a
// challenge).
func (p PKCE) ApplyTo(r *models.AuthorizeRequest) {
	r.CodeChallenge = p.Challenge()
	r.CodeChallengeMethod = models.PKCEMethodS256
}
