// Command dcr-bot is a bot that needs no administrator: it discovers the
// server (RFC 8414), registers itself as a public client (RFC 7591,
// token_endpoint_auth_method "none"), gets a user's approval with the
// authorization code flow and PKCE (RFC 7636) using golang.org/x/oauth2,
// exchanges the code, calls the API with the access token, and finally
// revokes its access.
//
// A real bot would send the user's browser to the authorization URL; here the
// user's approval is the JSON call Mattermost's own web app makes (POST
// /oauth/authorize with the user's session), so the flow runs unattended.
//
// With no arguments it runs against an embedded mock server:
//
//	go run ./examples/dcr-bot
//
// Against a real server (Mattermost v11.2+ with
// ServiceSettings.EnableDynamicClientRegistration on) it needs the token of
// the user who approves the bot:
//
//	MMOAUTH_TOKEN=... go run ./examples/dcr-bot -url https://chat.example.com
//
// It prints no secret, token, code or verifier.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/url"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/examples/internal/exampleenv"
	"github.com/mmoauth/mmoauth/examples/internal/exampleflow"
	"github.com/mmoauth/mmoauth/models"
)

func main() { exampleenv.Main(run) }

func run(ctx context.Context, args []string, stdout io.Writer) (err error) {
	env, redirectURI, err := exampleflow.Setup(ctx, "dcr-bot", args, stdout, "http://127.0.0.1:8976/callback")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.Close()) }()

	// 1. Discover: the metadata is refused unless its issuer is exactly
	// env.URL (RFC 8414 §3.3) and it offers PKCE S256.
	meta, err := client.Discover(ctx, env.URL)
	if err != nil {
		return err
	}
	if !meta.SupportsRegistration() {
		return errors.New("the server does not advertise a registration_endpoint: dynamic client registration is off")
	}
	fmt.Fprintf(stdout, "discovered the server: PKCE S256=%t, registration endpoint advertised=%t\n", meta.SupportsS256(), meta.SupportsRegistration())

	// 2. Register a public client. No token: the endpoint is anonymous.
	reg, err := exampleflow.Register(ctx, env.URL, redirectURI, models.AuthMethodNone, "mmoauth dcr-bot example")
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.DeleteRegisteredClient(ctx, reg.ClientID, stdout)) }()
	fmt.Fprintf(stdout, "registered a public client: token_endpoint_auth_method=%s, client secret issued=%t\n", reg.TokenEndpointAuthMethod, reg.ClientSecret.IsSet())

	// 3. The x/oauth2 configuration, and a fresh PKCE verifier and state.
	conf, err := client.OAuth2Config(meta, reg, redirectURI)
	if err != nil {
		return err
	}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	authURL, err := url.Parse(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "a browser would be sent to %s with code_challenge_method=%s\n", authURL.Path, authURL.Query().Get("code_challenge_method"))

	// 4. The user approves. Mattermost requires the challenge from public
	// clients (400 pkce_required_public without it).
	user, err := client.New(env.URL, client.WithToken(env.UserToken))
	if err != nil {
		return err
	}
	code, err := exampleflow.Approve(ctx, user, conf, state, verifier)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "the user approved: got an authorization code and the state matches")

	// 5. Exchange the code with the verifier (no client secret: x/oauth2
	// sends client_id in the form, AuthStyleInParams).
	tok, err := conf.Exchange(ctx, code.Reveal(), oauth2.VerifierOption(verifier))
	if err != nil {
		return fmt.Errorf("exchange: %w", err)
	}
	fmt.Fprintf(stdout, "exchanged the code with the PKCE verifier: token type %s\n", tok.Type())

	// 6. Call the API as the user, with the access token.
	api, err := client.New(env.URL, client.WithTokenSource(oauth2.StaticTokenSource(tok)))
	if err != nil {
		return err
	}
	me, _, err := api.GetMe(ctx)
	if err != nil {
		return fmt.Errorf("users/me: %w", err)
	}
	fmt.Fprintf(stdout, "GET /api/v4/users/me with the access token: @%s\n", me.Username)

	// 7. Public clients never get a refresh token (server/channels/app/oauth.go): when the
	// access token expires, the bot runs the flow again.
	fmt.Fprintf(stdout, "refresh token issued=%t: a public client must authorize again when the token expires\n", tok.RefreshToken != "")

	// 8. Revoke: the user withdraws the approval, which kills the token.
	if _, _, err := user.DeauthorizeOAuthApp(ctx, reg.ClientID); err != nil {
		return fmt.Errorf("deauthorize: %w", err)
	}
	_, _, err = api.GetMe(ctx)
	if !errors.Is(err, client.ErrUnauthorized) {
		return fmt.Errorf("after deauthorizing, want 401 for the access token, got %w", err)
	}
	fmt.Fprintln(stdout, "deauthorized: the access token now gets 401")
	return nil
}
