// Package exampleflow holds the steps of the authorization code flow that the
// flow examples (confidential-client, dcr-bot) share: registering a client
// with RFC 7591 and having a user approve it with PKCE. Each example keeps
// its own story (what it prints, what it does with the tokens); the protocol
// steps are written once, here.
package exampleflow

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/models"
)

// Setup is exampleenv.Setup for a flow example: the shared flags plus
// -redirect-uri, the URI the example registers (it must pass the server's DCR
// redirect URI allowlist; server/channels/api4/oauth.go registerOAuthClient), which defaults to redirectURI. It
// returns the server and the redirect URI to use.
func Setup(ctx context.Context, name string, args []string, stdout io.Writer, redirectURI string) (*exampleenv.Env, string, error) {
	env, err := exampleenv.Setup(ctx, name, args, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&redirectURI, "redirect-uri", redirectURI, "the redirect URI to register (must pass the server's DCR allowlist)")
	})
	return env, redirectURI, err
}

// Register registers a client with one redirect URI and the given
// token_endpoint_auth_method (models.AuthMethodNone for a public client). It
// sends no token: Mattermost's registration endpoint is anonymous
// (server/channels/api4/oauth.go registerOAuthClient, RFC 7591 §3).
func Register(ctx context.Context, serverURL, redirectURI, authMethod, name string) (*models.ClientRegistrationResponse, error) {
	anon, err := client.New(serverURL)
	if err != nil {
		return nil, err
	}
	reg, _, err := anon.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{
		RedirectURIs:            []string{redirectURI},
		TokenEndpointAuthMethod: authMethod,
		ClientName:              name,
	})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	return reg, nil
}

// Approve has user approve conf's client the way Mattermost's own consent
// screen does (POST /oauth/authorize with the user's session; server/channels/app/oauth.go),
// with the S256 challenge of verifier (RFC 7636 §4.2: Mattermost requires it
// from public clients and accepts it from confidential ones). It checks that
// the redirect brings state back (RFC 6749 §10.12) and returns the
// authorization code, to be exchanged with the same verifier.
func Approve(ctx context.Context, user *client.Client, conf *oauth2.Config, state, verifier string) (models.Secret, error) {
	approval, _, err := user.AuthorizeOAuthApp(ctx, &models.AuthorizeRequest{
		ResponseType:        models.ResponseTypeCode,
		ClientID:            conf.ClientID,
		RedirectURI:         conf.RedirectURL,
		Scope:               models.DefaultScope,
		State:               state,
		CodeChallenge:       oauth2.S256ChallengeFromVerifier(verifier),
		CodeChallengeMethod: models.PKCEMethodS256,
	})
	if err != nil {
		return "", fmt.Errorf("authorize: %w", err)
	}
	params, err := approval.Params()
	if err != nil {
		return "", err
	}
	if params.Get("state") != state {
		return "", errors.New("the redirect's state does not match: possible CSRF (RFC 6749 §10.12)")
	}
	return approval.Code()
}
