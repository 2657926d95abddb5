package mockserver

import (
	"slices"
	"time"

	"github.com/mmoauth/mmoauth/models"
)

// Config mirrors the server settings that change the OAuth service
// provider's behaviour (server/public/model/config.go ServiceSettings, model/config.go ServiceSettings).
type Config struct {
	// SiteURL is ServiceSettings.SiteURL: the issuer and the base of every
	// endpoint in the metadata document. Empty makes the metadata endpoint
	// answer 500, as on a fresh install. NewTestServer and the CLI fill it
	// with the listener's URL when it is left empty.
	SiteURL string
	// EnableOAuthServiceProvider is ServiceSettings.EnableOAuthServiceProvider
	// (default true). Off: 501 on every app endpoint, 400
	// unsupported_operation on registration (server/channels/api4/oauth.go, server/channels/api4/oauth.go registerOAuthClient).
	EnableOAuthServiceProvider bool
	// EnableDynamicClientRegistration is
	// ServiceSettings.EnableDynamicClientRegistration (default false).
	EnableDynamicClientRegistration bool
	// DCRRedirectURIAllowlist is ServiceSettings.DCRRedirectURIAllowlist,
	// matched per URL component as in v11.9 (server/channels/api4/oauth.go registerOAuthClient). Empty allows all.
	DCRRedirectURIAllowlist []string
	// EnableDCRRateLimit turns on the registration endpoint's limiter: 2 per
	// second, burst 1, per client IP; 429 text/plain "limit exceeded"
	// (api4/oauth.go, app/ratelimit.go).
	EnableDCRRateLimit bool
	// EnableDeveloper is ServiceSettings.EnableDeveloper (default false).
	// Off, every AppError is sent with an empty detailed_error, as
	// web/handlers.go wipes it ("Block out detailed error when not in
	// developer mode"); on, detailed_error says more, e.g. which permission
	// a 403 lacked ("userId=…, permission=manage_oauth").
	EnableDeveloper bool
	// Release is the Mattermost release to emulate (zero: the newest the
	// rule book knows, models.ReleaseNewestKnown). It is announced in
	// X-Version-Id, and the rules that changed across releases follow it
	// (release.go).
	Release models.Release
}

// DefaultConfig returns the settings of a stock server (server/public/model/config.go ServiceSettings):
// provider on, registration off, no allowlist, no rate limit, no site URL,
// developer mode off.
func DefaultConfig() Config {
	return Config{EnableOAuthServiceProvider: true}
}

// clone returns a deep copy, so callers never share the allowlist slice.
func (c Config) clone() Config {
	c.DCRRedirectURIAllowlist = slices.Clone(c.DCRRedirectURIAllowlist)
	return c
}

// Fixed lifetimes of the real server.
const (
	// authCodeLifetime is model.AuthCodeExpireTime (600 s): a code older than
	// this is refused with 403 expired_code (model.AuthData.IsExpired).
	authCodeLifetime = 600 * time.Second
	// sessionLengthSSO is ServiceSettings.SessionLengthSSOInHours' default
	// (30 days): the lifetime of access tokens issued by the token endpoint.
	sessionLengthSSO = 30 * 24 * time.Hour
	// maxBodyBytes caps request bodies; larger ones get 413.
	maxBodyBytes = 1 << 20
)
