// Command confidential-client runs the authorization code flow for a
// confidential client, one that can keep a secret (a server-side
// integration): it discovers the server (RFC 8414), registers with RFC 7591
// and token_endpoint_auth_method "client_secret_post", gets a user's approval
// (with PKCE, which Mattermost accepts from confidential clients too and
// RFC 9700 §2.1.1 recommends), exchanges the code, calls the API, and then
// refreshes the access token through an x/oauth2 TokenSource.
//
// With no arguments it runs against an embedded mock server:
//
//	go run ./examples/confidential-client
//
// Against a real server (Mattermost v11.2+ with
// ServiceSettings.EnableDynamicClientRegistration on) it needs the token of
// the user who approves the client:
//
//	MMOAUTH_TOKEN=... go run ./examples/confidential-client -url https://chat.example.com
//
// It prints no secret, token, code or verifier.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/examples/internal/exampleflow"
	"github.com/mmoauth/mmoauth/models"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, redirectURI, err := exampleflow.Setup(ctx, "confidential-client", args, stdout, "http://127.0.0.1:8977/callback")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()

	meta, err := client.Discover(ctx, env.URL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "discovered the server: token endpoint auth methods %v\n", meta.TokenEndpointAuthMethodsSupported)

	reg, err := exampleflow.Register(ctx, env.URL, redirectURI, models.AuthMethodClientSecretPost, "mmoauth confidential-client example")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.DeleteRegisteredClient(ctx, reg.ClientID, stdout)) }()
	// The secret is returned this once; a real integration stores it now.
	fmt.Fprintf(stdout, "registered a confidential client: token_endpoint_auth_method=%s, client secret issued=%t\n", reg.TokenEndpointAuthMethod, reg.ClientSecret.IsSet())

	// OAuth2Config sends the secret in the form (AuthStyleInParams): Mattermost
	// refuses HTTP Basic client authentication.
	conf, err := client.OAuth2Config(meta, reg, redirectURI)
	if err != nil {
		return err
	}

	user, err := client.New(env.URL, client.WithToken(env.UserToken))
	if err != nil {
		return err
	}
	verifier, state := oauth2.GenerateVerifier(), rand.Text()
	code, err := exampleflow.Approve(ctx, user, conf, state, verifier)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "the user approved: got an authorization code and the state matches")

	tok, err := conf.Exchange(ctx, code.Reveal(), oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	fmt.Fprintf(stdout, "exchanged the code with the client secret and the verifier: refresh token issued=%t\n", tok.RefreshToken != "")
	if tok.RefreshToken == "" {
		return errors.New("a confidential client should get a refresh token")
	}

	// client.TokenSource refreshes through a context of its own, not ctx: an
	// x/oauth2 token source keeps the context it was made with for every later
	// refresh. Pretend the access token expired, so the next use refreshes it.
	expired := *tok
	expired.Expiry = time.Now().Add(-time.Minute)
	src := client.TokenSource(conf, &expired, nil) //nolint:contextcheck // deliberately not ctx: see client.TokenSource
	api, err := client.New(env.URL, client.WithTokenSource(src))
	if err != nil {
		return err
	}
	me, _, err := api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("users/me: %w", err)
	}
	fresh, err := src.Token()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "GET /api/v4/users/me after a refresh: @%s\n", me.Username)
	fmt.Fprintf(stdout, "the refresh issued a new access token=%t and rotated the refresh token=%t\n",
		fresh.AccessToken != tok.AccessToken, fresh.RefreshToken != tok.RefreshToken)

	// Refreshing rotates the refresh token: the first one is refused from
	// now on. (The first access token's session is removed from the
	// server's store, but a copy the server cached may keep it working for
	// up to ServiceSettings.SessionCacheInMinutes: server/channels/app/
	// oauth.go newSessionUpdateToken; seen on Mattermost 11.6. Do not rely
	// on a refresh to revoke an access token; deauthorize does.)
	if _, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err == nil {
		return errors.New("the refresh token the refresh replaced was accepted again")
	}
	fmt.Fprintln(stdout, "the replaced refresh token is refused")

	if _, _, err := user.DeauthorizeOAuthApp(ctx, reg.ClientID); err != nil {
		return fmt.Errorf("deauthorize: %w", err)
	}
	fmt.Fprintln(stdout, "deauthorized the client")
	return nil
}
