package conformance

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

//go:generate go test -run TestRuleBookUpToDate -update .

// RuleBookEntry is one rule of the rule book, docs/RULES.md: what the
// server must do, where that comes from, the releases it holds for, the
// checks that guard it and the mock deviations that break it.
type RuleBookEntry struct {
	ID       string
	Rule     string
	Category Category
	Kind     Kind
	Releases Releases
	// Sources are the checks' sources: Mattermost files and functions, RFC
	// sections.
	Sources []string
	// Checks are the ids of the checks that guard the rule.
	Checks []string
	// Deviations name the mock deviations (or the faithful mock, for an
	// rfc-strict rule stock Mattermost breaks) under which a check of the
	// rule fails.
	Deviations []string
	// DeviationRules names, for a deviation of Deviations, the mock's rule
	// hook it replaces (mockserver Deviation.Replaces; docs/ARCHITECTURE.md
	// "The mock's rules"), so the rule book points from a rule to the one
	// place the mock implements it. The caller fills it: conformance does
	// not import the mock.
	DeviationRules map[string]string
}

// The rules several checks guard: one check per endpoint, one rule.
const (
	ruleAnonymousUnauthorized = "permissions/session-endpoints/anonymous-unauthorized"
	rulePlainUserForbidden    = "permissions/app-endpoints/plain-user-forbidden"
	ruleNonCreatorForbidden   = "permissions/app-endpoints/non-creator-forbidden"
	ruleAdminAllowed          = "permissions/app-endpoints/admin-allowed"
)

// groupRules are the texts of the rules several checks guard; each check's
// own Rule says how it applies the rule to its endpoint.
var groupRules = map[string]string{
	ruleAnonymousUnauthorized: "Every endpoint that needs a session (the app endpoints, the authorized-apps list, authorize and deauthorize) " +
		"answers 401 " + idSessionExpired + " to a request without one, before any id or body is looked at",
	rulePlainUserForbidden: "A user without manage_oauth gets 403 " + idPermissions + " on GET, PUT, DELETE and regen_secret of an app, " +
		"and the app is unchanged",
	ruleNonCreatorForbidden: "A manage_oauth user without manage_system_wide_oauth gets 403 " + idPermissions + " on GET, PUT, DELETE and " +
		"regen_secret of an app another user created, and the app is unchanged",
	ruleAdminAllowed: "The system admin (manage_system_wide_oauth) may GET, PUT, DELETE and regenerate the secret of an app another user created",
}

// RuleBook groups checks by the rule they guard (Check.RuleOf), in
// catalogue order. deviations maps a check id to what proves it can fail.
func RuleBook(checks []Check, deviations map[string][]string) []RuleBookEntry {
	var out []RuleBookEntry
	index := map[string]int{}
	for _, c := range checks {
		id := c.RuleOf()
		i, ok := index[id]
		if !ok {
			i = len(out)
			index[id] = i
			rule := c.Rule
			if g, ok := groupRules[id]; ok {
				rule = g
			}
			out = append(out, RuleBookEntry{ID: id, Rule: rule, Category: c.Category, Kind: c.Kind, Releases: c.Releases})
		}
		e := &out[i]
		e.Checks = append(e.Checks, c.ID)
		if !slices.Contains(e.Sources, c.Source) {
			e.Sources = append(e.Sources, c.Source)
		}
		for _, d := range deviations[c.ID] {
			if !slices.Contains(e.Deviations, d) {
				e.Deviations = append(e.Deviations, d)
			}
		}
	}
	return out
}

// UncheckedRule is a rule of the real server the suite knows and does not
// check, with the reason.
type UncheckedRule struct {
	ID, Rule, Source, Releases, Why string
}

// uncheckedRules are the rules the rule book records without a check: each
// says why no check can judge it without a false verdict on some server.
var uncheckedRules = []UncheckedRule{
	{
		ID:       "sessions/refresh/old-token-revoked",
		Rule:     "A refresh grant replaces the access token: the old token's session is removed",
		Source:   "server/channels/app/oauth.go newSessionUpdateToken (RemoveSession of the old token, then a new session)",
		Releases: "seen on 11.6",
		Why: "the session is removed from the store, not from the session cache: on a real 11.6.0 an old token that was used " +
			"before the refresh keeps working until its cache entry expires, one that was not is refused at once, so " +
			"neither answer is a rule a check could hold a server to",
	},
	{
		ID:       "sessions/bearer/expired-token-unauthorized",
		Rule:     "An OAuth access token past its expires_in gets 401 " + idSessionExpired,
		Source:   "server/channels/app/session.go GetSession (IsExpired); server/channels/app/oauth.go (ExpiresAt from ServiceSettings.SessionLengthSSOInHours)",
		Releases: "every known release",
		Why:      "tokens live for SessionLengthSSOInHours (30 days by default); a check cannot wait for one to expire nor shorten it without changing the server's settings",
	},
	{
		ID:       "pkce/token/code-expires",
		Rule:     "An authorization code older than 10 minutes is refused with 400 " + idExpiredCode,
		Source:   "server/public/model/oauth.go AuthCodeExpireTime (600 s); server/channels/app/oauth.go handleAuthorizationCodeGrant (IsExpired)",
		Releases: "every known release",
		Why:      "a check would have to wait ten minutes; the mock's clock-driven tests cover the mock, not a server",
	},
	{
		ID:       "authorize/implicit/second-grant",
		Rule:     "A second implicit grant for the same user and app answers a redirect with error=server_error",
		Source:   "server/channels/app/oauth.go GetOAuthAccessTokenForImplicitFlow (SaveAccessData), AllowOAuthAppAccessToUser (the server_error redirect); the OAuthAccessData table's UNIQUE (clientid, userid) constraint",
		Releases: "seen on 9.10 and 11.6 (the constraint is in every release's schema)",
		Why:      "a storage conflict surfacing as server_error, not a rule a client may rely on; the mock answers the same (after an implicit grant or a code exchange, until a deauthorization)",
	},
	{
		ID: "permissions/authorized-apps/edit-other-users-protects-admins",
		Rule: "A caller holding edit_other_users but not manage_system gets 403 " + idPermissions + " for the authorized-apps " +
			"list of a system admin or of a user id that does not exist (9.10: 200 [] for both)",
		Source:   "server/channels/app/authorization.go SessionHasPermissionToUser (GetUser, IsSystemAdmin); mattermost/mattermost PR #30292 (MM-62687)",
		Releases: "after 9.10 (PR #30292, opened 2025-02-21; first release not pinned), seen on 11.6",
		Why: "the stock roles give edit_other_users only with manage_system (the system admin), whom the rule lets through; " +
			"judging it needs a custom role the suite's four identities do not have",
	},
	{
		ID: "rfc7591/register/custom-scheme-redirect",
		Rule: "Registration and app callbacks accept only http(s) redirect URIs: cursor://cb is 400 invalid_client_metadata " +
			"(model.oauth.is_valid.callback.app_error on app create)",
		Source: "server/public/model/utils.go IsValidHTTPURL via ClientRegistrationRequest.IsValid and OAuthApp.IsValid; " +
			"a later source's server/public/model/oauth_dcr.go IsValidDCRRedirectURI accepts custom schemes and refuses javascript:, data:, file: and the like",
		Releases: "refused on 9.10 and 11.6 (observed) and in the 11.2 and 11.5 sources; accepted by a later source whose release is not known",
		Why: "a check would fail a release that adopts custom schemes, and no release is known to; " +
			"rfc7591/register/bad-redirect-uri-rejected sends only URIs every variant refuses (javascript:, relative, schemeless)",
	},
	{
		ID:       "paging/authorized-apps/negative-page",
		Rule:     "page=-1 on the authorized-apps list is taken as page 0, as on the app list",
		Source:   "server/channels/web/params.go (routes with a user id keep a negative page); server/channels/app/oauth.go GetAuthorizedAppsForUser",
		Releases: "9.10 (page 0); 11.6 answers 500 app.oauth.get_apps.find.app_error (a negative SQL offset)",
		Why:      "11.6's answer is a defect rather than a rule, and holding 11.6 to 9.10's answer would fail a real server",
	},
	{
		ID:       "authorize/browser/consent-page",
		Rule:     "GET /oauth/authorize for an app not yet approved serves the web app's consent page (root.html, X-Frame-Options SAMEORIGIN)",
		Source:   "server/channels/web/oauth.go authorizeOAuthPage (http.ServeFile root.html)",
		Releases: "every known release",
		Why: "the page exists only where the web client is installed (a server without it answers 404 text/plain); the suite checks what " +
			"matters on every server, that no grant is issued without consent (authorize/browser/unapproved-app-needs-consent)",
	},
}

// UncheckedRules returns the rules the rule book records without a check.
func UncheckedRules() []UncheckedRule { return slices.Clone(uncheckedRules) }

// releaseEvidence is the rule book's account of each known release: what
// changed there and how that is known.
var releaseEvidence = []struct {
	release  models.Release
	evidence string
}{
	{models.ReleaseOldestKnown, "The oldest release the rule book records, observed on a real Mattermost 9.10.0 server: " +
		"`GET /.well-known/oauth-authorization-server` is 404 (the web app's static handler), " +
		"`POST /api/v4/oauth/apps/register` is 404 `api.context.404.app_error`, " +
		"`is_public` on create is ignored (the app gets a secret, and regenerating it succeeds), " +
		"authorize ignores `code_challenge` (even `plain` and malformed ones), a token request without `client_secret` is 400 `api.oauth.get_access_token.bad_client_secret.app_error` and one with a wrong secret 403 `api.oauth.get_access_token.credentials.app_error`. " +
		"The authorized-apps list of a system admin or of a user id that does not exist is 200 `[]` to an `edit_other_users` holder (403 by 11.6: PR #30292). " +
		"App management, permissions, paging, authorize and the confidential code and refresh flows behave as in later releases."},
	{models.ReleaseOAuth21, "Dynamic client registration (RFC 7591), the RFC 8414 metadata endpoint, public clients and PKCE (RFC 7636): " +
		"mattermost/mattermost PR #33642 (DCR and metadata), PR #33664 (public clients through DCR, PKCE for public and confidential clients), " +
		"PR #34435 (MM-65811: `is_public` on `POST /api/v4/oauth/apps`, regen_secret refused for public clients, merged 2025-11-07); " +
		"mattermost-developer-documentation PR #1484 (MM-65810, MM-65811): \"We added support for the following in v11.2: DCR, Public clients, PKCE\"; " +
		"mattermost/docs PR #8536 (the EnableDynamicClientRegistration setting). " +
		"With public clients came `OAuthApp.ValidateForGrantType`: a wrong or missing client secret is 401 `model.oauth.validate_grant.credentials.app_error`, " +
		"and the metadata lists `none` in `token_endpoint_auth_methods_supported` (the 11.2, 11.5 and 11.6 sources; a `client_secret_post`-only source predates public clients)."},
	{models.ReleaseDCRAllowlist, "`ServiceSettings.DCRRedirectURIAllowlist`, one glob over the whole redirect URI: mattermost/mattermost PR #35291 (MM-67605), cherry-picked to release-11.5 as #35394; mattermost/docs PR #8807 (\"added in Mattermost server v11.5\")."},
	{models.ReleaseObserved, "The newest release observed on a real server (11.6.0): `token_endpoint_auth_methods_supported` is `[\"none\",\"client_secret_post\"]`, `is_public` is honoured, public clients get no refresh token; " +
		"custom redirect schemes (`cursor://`) are refused in registration and on app create, as on 9.10; an old access token keeps working after a refresh while its session is cached (see the rules not checked)."},
	{models.ReleaseAllowlistPerComponent, "Allowlist patterns matched per URL component (the scheme exactly; host, path and query globbed separately): mattermost/mattermost PR #37170 (MM-69392), `server/public/model/oauth_dcr.go` RedirectURIMatchesAllowlist. The newest release the rule book was read from."},
}

// WriteRuleBook writes the rule book in Markdown: the summary counts, the
// releases with their evidence, then one entry per rule.
func WriteRuleBook(w io.Writer, entries []RuleBookEntry) error {
	var b strings.Builder
	noDeviation := 0
	checks := 0
	for _, e := range entries {
		checks += len(e.Checks)
		if len(e.Deviations) == 0 {
			noDeviation++
		}
	}
	b.WriteString("# The rule book\n\n")
	b.WriteString("<!-- Generated from the conformance catalogue by `go generate ./conformance`; do not edit. -->\n\n")
	b.WriteString("Every rule the conformance suite holds a Mattermost server to: what the server must do, where that comes from (the Mattermost source file and function, the RFC section), the releases it holds for, the checks that guard it and the mock deviations that prove those checks can fail, each with the rule hook of the mock it replaces (`mockserver/rules.go`, whose faithful implementation is the mock's one place for the rule). Rule ids are stable; code, reports and docs cite them.\n\n")
	fmt.Fprintf(&b, "**%d rules**, guarded by %d checks. Rules without a deviation: %d. Rules known and not checked: %d (listed at the end, each with the reason).\n\n",
		len(entries), checks, noDeviation, len(uncheckedRules))
	b.WriteString("Kinds: **mattermost-compat** rules are what the real server does, and breaking one fails the run; **rfc-strict** rules are RFC requirements stock Mattermost does not meet, so breaking one is a warning (a failure with `--strict`); the faithful mock breaks them too, which proves their checks can fail.\n\n")
	b.WriteString("## Releases\n\n")
	b.WriteString("Each rule holds for a span of releases. On a server of a release outside the span the rule's checks are skipped as *not applicable*; on a server outside the releases below (older or newer), a failure is a warning, \"not verified for vX.Y\".\n\n")
	b.WriteString("| release | what changed, and the evidence |\n|---|---|\n")
	for _, r := range releaseEvidence {
		fmt.Fprintf(&b, "| %s | %s |\n", r.release, r.evidence)
	}
	b.WriteString("\n## Rules\n")
	for _, cat := range Categories() {
		first := true
		for _, e := range entries {
			if e.Category != cat {
				continue
			}
			if first {
				fmt.Fprintf(&b, "\n### %s\n", cat)
				first = false
			}
			fmt.Fprintf(&b, "\n#### `%s`\n\n%s\n\n", e.ID, e.Rule)
			fmt.Fprintf(&b, "- kind: %s\n- releases: %s\n", e.Kind, e.Releases)
			fmt.Fprintf(&b, "- sources: %s\n", strings.Join(e.Sources, "; "))
			fmt.Fprintf(&b, "- checks: %s\n", codeList(e.Checks))
			if len(e.Deviations) == 0 {
				b.WriteString("- deviations: none\n")
			} else {
				fmt.Fprintf(&b, "- deviations: %s\n", deviationList(e))
			}
		}
	}
	b.WriteString("\n## Rules not checked\n\n")
	b.WriteString("Rules of the real server that no check judges, and why: a check that cannot give the same verdict on every faithful server would be a false failure somewhere.\n")
	for _, u := range uncheckedRules {
		fmt.Fprintf(&b, "\n#### `%s`\n\n%s\n\n- releases: %s\n- sources: %s\n- why not checked: %s\n", u.ID, u.Rule, u.Releases, u.Source, u.Why)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// deviationList is the entry's deviations, each with the mock rule hook it
// replaces when known.
func deviationList(e RuleBookEntry) string {
	q := make([]string, len(e.Deviations))
	for i, d := range e.Deviations {
		q[i] = "`" + d + "`"
		if rule := e.DeviationRules[d]; rule != "" {
			q[i] += " (replaces mockserver rule `" + rule + "`)"
		}
	}
	return strings.Join(q, ", ")
}

func codeList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "`" + x + "`"
	}
	return strings.Join(q, ", ")
}
