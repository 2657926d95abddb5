package readmecheck

import (
	"context"
	"crypto/rand"
	"errors"

	"golang.org/x/oauth2"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

// readme:bot

// Bot registers itself with the server (RFC 7591) and signs users in with the
// authorization code flow and PKCE. One sign-in at a time: a web app keeps
// the verifier and state per browser session.
type Bot struct {
	serverURL       string
	conf            *oauth2.Config
	verifier, state string
}

// NewBot discovers the server and registers the bot as a public client.
func NewBot(ctx context.Context, serverURL, redirectURL string) (*Bot, error) {
	meta, err := client.Discover(ctx, serverURL) // RFC 8414; the issuer must equal serverURL
	if err != nil {
		return nil, err
	}
	anon, err := client.New(serverURL) // registration needs no token
	if err != nil {
		return nil, err
	}
	reg, _, err := anon.RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{
		RedirectURIs:            []string{redirectURL},
		TokenEndpointAuthMethod: models.AuthMethodNone, // public: no secret, PKCE required
		ClientName:              "My bot",
	})
	if err != nil {
		return nil, err
	}
	conf, err := client.OAuth2Config(meta, reg, redirectURL)
	if err != nil {
		return nil, err
	}
	return &Bot{serverURL: serverURL, conf: conf}, nil
}

// LoginURL is where to send the user's browser.
func (b *Bot) LoginURL() string {
	b.verifier, b.state = oauth2.GenerateVerifier(), rand.Text()
	return b.conf.AuthCodeURL(b.state, oauth2.S256ChallengeOption(b.verifier))
}

// Callback handles the redirect back (?code=...&state=...) and returns a
// client that acts as the user.
func (b *Bot) Callback(ctx context.Context, code, state string) (*client.Client, error) {
	if state != b.state {
		return nil, errors.New("state mismatch")
	}
	tok, err := b.conf.Exchange(ctx, code, oauth2.VerifierOption(b.verifier))
	if err != nil {
		return nil, err
	}
	// A public client gets no refresh token: sign in again when it expires.
	return client.New(b.serverURL, client.WithToken(tok.AccessToken))
}

// readme:end
