package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

func init() {
	register(command{
		name:    "register",
		summary: "register an OAuth client with RFC 7591 dynamic client registration",
		run:     runRegister,
	})
}

const registerAbout = `
Registers a client with POST /api/v4/oauth/apps/register (RFC 7591; no token
is sent: the endpoint is unauthenticated) and prints its client id and, for a
confidential client, its client secret. The secret is printed only this once,
on stdout: store it now. The server must have EnableDynamicClientRegistration
on (Mattermost v11.2+).

--public registers a public client (token_endpoint_auth_method "none": no
secret, PKCE required); otherwise the client authenticates with
client_secret_post.

URL defaults to --url, then $MMOAUTH_URL.`

func runRegister(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return finish(stderr, "register", registerClient(ctx, args, stdout, stderr))
}

func registerClient(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p := newFlagParser("register", "mmoauth register [flags] --redirect-uri URI [--redirect-uri URI ...] URL", registerAbout, stdout)
	var redirects stringList
	var public bool
	var name, clientURI string
	p.fs.Var(&redirects, "redirect-uri", "a redirect `URI` the client may use (repeatable; at least one)")
	p.fs.BoolVar(&public, "public", false, "register a public client (no secret; PKCE required)")
	p.fs.StringVar(&name, "name", "", "client `name` shown to users (at most 64 bytes)")
	p.fs.StringVar(&clientURI, "client-uri", "", "the client's home page `URL`")
	out, serverURL, err := parseURLCommand(p, args)
	if err != nil {
		return err
	}
	req := &models.ClientRegistrationRequest{
		RedirectURIs:            redirects,
		TokenEndpointAuthMethod: models.AuthMethodClientSecretPost,
		ClientName:              name,
		ClientURI:               clientURI,
	}
	if public {
		req.TokenEndpointAuthMethod = models.AuthMethodNone
	}
	// The server's own rules (models mirrors ClientRegistrationRequest.IsValid),
	// checked before any I/O and reported against the flag that set the field.
	if err := req.Validate(); err != nil {
		return flagError(err, registerFlagOf)
	}

	c, err := client.New(serverURL, out.clientOptions(stderr)...)
	if err != nil {
		return usagef("URL: %v", err)
	}
	ctx, cancel := out.withTimeout(ctx)
	defer cancel()
	reg, _, err := c.RegisterOAuthClient(ctx, req)
	if err != nil {
		return err
	}
	if out.json() {
		// The JSON encoding of models.Secret is the secret itself: this is the
		// one place it is meant to be shown.
		return writeJSON(stdout, reg)
	}
	if err := writeFields(stdout, registrationFields(reg)); err != nil {
		return err
	}
	if reg.ClientSecret.IsSet() {
		fmt.Fprintln(stderr, "mmoauth register: the client secret above is shown only this once; store it now")
	}
	return nil
}

// registerFlagOf maps the JSON field a *models.ValidationError names to the
// register flag that sets it.
var registerFlagOf = map[string]string{
	"redirect_uris":              "--redirect-uri",
	"client_name":                "--name",
	"client_uri":                 "--client-uri",
	"token_endpoint_auth_method": "--public",
}

// flagError turns a *models.ValidationError into a usage error naming the flag
// behind the offending field.
func flagError(err error, flagOf map[string]string) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return usagef("%v", err)
	}
	name, ok := flagOf[ve.Field]
	if !ok {
		name = ve.Field
	}
	return usagef("%s: %s", name, ve.Reason)
}

// registrationFields is the text form of a registration. It is the only text
// output of the CLI that reveals a secret, on purpose: RFC 7591 §3.2.1 returns
// it once and Mattermost cannot show it again to an anonymous client.
func registrationFields(r *models.ClientRegistrationResponse) []field {
	secret := "- (public client: none issued)"
	if r.ClientSecret.IsSet() {
		secret = r.ClientSecret.Reveal()
	}
	return []field{
		{"client_id", r.ClientID},
		{"client_secret", secret},
		{"token_endpoint_auth_method", r.TokenEndpointAuthMethod},
		{"redirect_uris", list(r.RedirectURIs)},
		{"grant_types", list(r.GrantTypes)},
		{"response_types", list(r.ResponseTypes)},
		{"scope", orDash(r.Scope)},
		{"client_name", orDash(r.ClientName)},
		{"client_uri", orDash(r.ClientURI)},
	}
}
