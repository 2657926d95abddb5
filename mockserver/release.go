package mockserver

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// releaseRules are the rules of the OAuth provider that changed across
// Mattermost releases, as the emulated release has them (models' release
// constants give the evidence; docs/RULES.md "Releases" what the real
// servers were seen to do). No handler asks these or a version
// number: replacements turns them into rule hooks replaced (rules.go), so
// a release difference lives here and nowhere in the handlers.
type releaseRules struct {
	// oauth21: dynamic client registration and the metadata endpoint exist,
	// is_public is honoured, a public client's secret cannot be
	// regenerated, authorize validates code challenges and the token
	// endpoint verifies PKCE (11.2). Before it, both endpoints are 404,
	// every app gets a secret, code_challenge and code_verifier are
	// ignored, and a code exchange without client_secret is 400
	// bad_client_secret (observed on a real 9.10.0).
	oauth21 bool
	// allowlist: ServiceSettings.DCRRedirectURIAllowlist is applied
	// (11.5); before it the setting does not exist.
	allowlist bool
	// allowlistPerComponent: patterns are matched per URL component
	// (11.9); before it one glob covers the whole URI.
	allowlistPerComponent bool
}

// rulesOf returns the rules of release r.
func rulesOf(r models.Release) releaseRules {
	atLeast := func(o models.Release) bool { return !r.Before(o) }
	return releaseRules{
		oauth21:               atLeast(models.ReleaseOAuth21),
		allowlist:             atLeast(models.ReleaseDCRAllowlist),
		allowlistPerComponent: atLeast(models.ReleaseAllowlistPerComponent),
	}
}

// emulated is the release the mock behaves as: Config.Release, or the
// newest known one.
func (c Config) emulated() models.Release {
	if c.Release.IsZero() {
		return models.ReleaseNewestKnown
	}
	return c.Release
}

// versionHeader is the X-Version-Id of release r, shaped as the real
// server's (server/channels/web/handlers.go ServeHTTP: version, build
// number, config hash, licensed).
func versionHeader(r models.Release) string {
	return fmt.Sprintf("%d.%d.0.mock.mock.false", r.Major, r.Minor)
}

// replacements are the rule hooks (rules.go) release rr replaces in the
// newest release's rules: the one place a release difference is applied.
func (rr releaseRules) replacements() []replacement {
	var out []replacement
	if !rr.oauth21 {
		out = append(out,
			replacement{"operationExists", func(r *rules) { r.operationExists = absentBeforeOAuth21 }},
			replacement{"secretOnCreate", func(r *rules) { r.secretOnCreate = func(bool) bool { return true } }},
			replacement{"authorizeRequestError", func(r *rules) {
				r.authorizeRequestError = func(ar *models.AuthorizeRequest) *apiError { return validateAuthorizeRequest(ar, false) }
			}},
			replacement{"verifiesPKCE", func(r *rules) { r.verifiesPKCE = func() bool { return false } }},
			replacement{"wrongSecretError", func(r *rules) {
				// app.GetOAuthAccessTokenForCodeFlow of 9.10 compares the
				// secret itself (seen on a real 9.10.0).
				r.wrongSecretError = func(string) *apiError {
					return newError(http.StatusForbidden, "api.oauth.get_access_token.credentials.app_error", "")
				}
			}},
			replacement{"missingClientSecretError", func(r *rules) {
				// web/oauth.go getAccessToken of 9.10 requires the parameter.
				r.missingClientSecretError = func(string) *apiError {
					return newError(http.StatusBadRequest, "api.oauth.get_access_token.bad_client_secret.app_error", "")
				}
			}},
		)
	}
	switch {
	case !rr.allowlist:
		out = append(out, replacement{"allowlistRefuses", func(r *rules) { r.allowlistRefuses = func(_, _ []string) bool { return false } }})
	case !rr.allowlistPerComponent:
		out = append(out, replacement{"allowlistRefuses", func(r *rules) {
			r.allowlistRefuses = func(allowlist, uris []string) bool { return refusedBy(allowlist, uris, rr.redirectURIAllowed) }
		}})
	}
	return out
}

// absentBeforeOAuth21 answers, as a release before 11.2 does, an operation
// it does not have, and reports whether the operation exists: the
// registration route is an unknown API route (404 api.context.404.app_error)
// and the metadata path falls through to the web app's static files (404
// text/plain), as a real 9.10.0 answers.
func absentBeforeOAuth21(c *call) bool {
	switch c.op {
	case "RegisterOAuthClient":
		c.writeAPIRouteNotFound()
		return false
	case "GetAuthorizationServerMetadata":
		c.unchecked = true
		c.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		c.w.WriteHeader(http.StatusNotFound)
		_, _ = c.w.Write([]byte("404 page not found\n"))
		return false
	}
	return true
}

// redirectURIAllowed is the package function as the emulated release
// matches: per component from 11.9, one glob over the whole URI before.
func (rr releaseRules) redirectURIAllowed(uri string, allowlist []string) bool {
	if rr.allowlistPerComponent {
		return redirectURIAllowed(uri, allowlist)
	}
	for _, p := range allowlist {
		if p = strings.TrimSpace(p); p != "" && globMatch(uri, p) {
			return true
		}
	}
	return false
}
