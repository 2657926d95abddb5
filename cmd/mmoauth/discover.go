package main

import (
	"context"
	"io"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/models"
)

func init() {
	register(command{
		name:    "discover",
		summary: "fetch and validate a server's RFC 8414 authorization server metadata",
		run:     runDiscover,
	})
}

const discoverAbout = `
Fetches /.well-known/oauth-authorization-server from the server whose issuer
(Mattermost's SiteURL) is URL and validates it as client.Discover does: the
issuer must equal URL exactly (RFC 8414 §3.3), the endpoints must be absolute
http(s) URLs, and PKCE S256 must be offered. Prints the document.

URL defaults to --url, then $MMOAUTH_URL. No token is needed.`

func runDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return finish(stderr, "discover", discover(ctx, args, stdout, stderr))
}

func discover(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p := newFlagParser("discover", "mmoauth discover [flags] URL", discoverAbout, stdout)
	out, serverURL, err := parseURLCommand(p, args)
	if err != nil {
		return err
	}

	ctx, cancel := out.withTimeout(ctx)
	defer cancel()
	meta, err := client.Discover(ctx, serverURL, out.clientOptions(stderr)...)
	if err != nil {
		return err
	}
	if out.json() {
		return writeJSON(stdout, meta)
	}
	return writeFields(stdout, metadataFields(meta))
}

// metadataFields is the text form of the RFC 8414 document, in the order of
// RFC 8414 §2.
func metadataFields(m *models.AuthorizationServerMetadata) []field {
	registration := m.RegistrationEndpoint
	if registration == "" {
		// Mattermost omits it while EnableDynamicClientRegistration is off
		// (server/channels/app/oauth.go GetAuthorizationServerMetadata).
		registration = "- (dynamic client registration is not enabled)"
	}
	return []field{
		{"issuer", m.Issuer},
		{"authorization_endpoint", m.AuthorizationEndpoint},
		{"token_endpoint", m.TokenEndpoint},
		{"registration_endpoint", registration},
		{"scopes_supported", list(m.ScopesSupported)},
		{"response_types_supported", list(m.ResponseTypesSupported)},
		{"grant_types_supported", list(m.GrantTypesSupported)},
		{"token_endpoint_auth_methods_supported", list(m.TokenEndpointAuthMethodsSupported)},
		{"code_challenge_methods_supported", list(m.CodeChallengeMethodsSupported)},
	}
}
