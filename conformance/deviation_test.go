package conformance_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

// The proof that every check can fail (docs/ARCHITECTURE.md "Quality bars", issue 4 item
// 8): the suite runs against mocks that each break one rule, and the
// intended checks — and only a small set of related ones — must fail.

// deviationCase is one broken mock and what the suite must say about it.
type deviationCase struct {
	name  string
	setup mockSetup
	// intended must fail.
	intended []string
	// allowed may fail too (id globs): checks that build on the broken rule.
	allowed []string
	// schemaDrift: the deviation breaks the document for many responses, so
	// any check may fail, but only through a schema failure (or a failed
	// assertion on the drifted field for the intended checks).
	schemaDrift bool
}

// rfcStrictBaseline are the RFC rules the real server (and so the faithful
// mock) breaks: they warn on every run and fail with --strict.
var rfcStrictBaseline = []string{
	"rfc7591/register/fragment-redirect-uri-rejected",
	"rfc7591/register/secret-expires-at",
	"rfc7591/disabled/registered-error-code",
	"pkce/token/wrong-verifier-invalid-grant",
}

func dev(d mockserver.Deviation, edit func(*mockserver.Config)) mockSetup {
	return mockSetup{devs: []mockserver.Deviation{d}, edit: edit}
}

var deviationCases = []deviationCase{
	{name: "authorize-state-dropped", setup: dev(mockserver.DevAuthorizeStateDropped, nil),
		intended: []string{"authorize/code/redirect-carries-code-and-state", "authorize/browser/approved-app-redirects", "authorize/browser/trusted-app-no-consent"}},
	{name: "implicit-token-in-query", setup: dev(mockserver.DevImplicitTokenInQuery, nil),
		intended: []string{"authorize/implicit/token-in-fragment"}},
	{name: "unknown-response-type-gets-code", setup: dev(mockserver.DevUnknownResponseTypeGetsCode, nil),
		intended: []string{"authorize/response-type/unsupported-error-redirect"}},
	{name: "authorize-page-anonymous-401", setup: dev(mockserver.DevAuthorizePageAnonymous401, nil),
		intended: []string{"authorize/browser/anonymous-login-redirect"}},
	{name: "authorize-page-open-redirect", setup: dev(mockserver.DevAuthorizePageOpenRedirect, nil),
		intended: []string{"authorize/browser/unregistered-redirect-refused"}},
	{name: "authorize-page-always-consent", setup: dev(mockserver.DevAuthorizePageAlwaysConsent, nil),
		intended: []string{"authorize/browser/approved-app-redirects", "authorize/browser/trusted-app-no-consent"}},
	{name: "authorize-page-skips-consent", setup: dev(mockserver.DevAuthorizePageSkipsConsent, nil),
		intended: []string{"authorize/browser/unapproved-app-needs-consent"}},
	{name: "deauthorize-unapproved-404", setup: dev(mockserver.DevDeauthorizeUnapproved404, nil),
		intended: []string{"authorized/deauthorize/unapproved-ok"}},
	{name: "query-token-any-session", setup: dev(mockserver.DevQueryTokenAnySession, nil),
		intended: []string{"sessions/query-token/oauth-only"}},
	{name: "bearer-scheme-case-sensitive", setup: dev(mockserver.DevBearerSchemeCaseSensitive, nil),
		intended: []string{"sessions/bearer/authorization-schemes"}},
	{name: "token-unknown-client-401", setup: dev(mockserver.DevTokenUnknownClient401, nil),
		intended: []string{"input/access-token/credential-errors"}},
	{name: "code-exchange-new-token", setup: dev(mockserver.DevCodeExchangeNewToken, nil),
		intended: []string{"pkce/token/live-token-reissued"}},
	{name: "metadata-no-auth-method-none", setup: dev(mockserver.DevMetadataNoAuthMethodNone, nil),
		intended: []string{"rfc8414/metadata/auth-methods-include-none"}},
	{name: "pragma-missing", setup: dev(mockserver.DevPragmaMissing, nil),
		intended: []string{"pkce/token/pragma-no-cache"}},
	{name: "update-skips-validation", setup: dev(mockserver.DevUpdateSkipsValidation, nil), schemaDrift: true,
		intended: []string{"input/update-app/invalid-fields-400"}},
	{name: "oauth-token-no-permissions", setup: dev(mockserver.DevOAuthTokenNoPermissions, nil),
		intended: []string{"sessions/oauth-token/acts-as-user"},
		// An app's own token then cannot approve for its user either way
		// (403), and the token-in-query check reads only users/me.
		allowed: []string{"sessions/authorize/oauth-token-refused"}},
	{name: "authorize-long-state-accepted", setup: dev(mockserver.DevAuthorizeLongStateAccepted, nil),
		intended: []string{"input/authorize/invalid-request-400"}},
	{name: "info-leaks-secret", setup: dev(mockserver.DevInfoLeaksSecret, nil),
		intended: []string{"secrets/app-info/blanked"}},
	{name: "authorized-list-leaks-secret", setup: dev(mockserver.DevAuthorizedListLeaksSecret, nil),
		intended: []string{"secrets/authorized-apps/blanked"}},
	{name: "get-hides-secret", setup: dev(mockserver.DevGetHidesSecret, nil),
		intended: []string{"secrets/get-app/returned-to-creator", "permissions/get-app/admin-allowed"},
		// GET answers differ from the create and update answers.
		allowed: []string{"permissions/regen-secret/*", "secrets/regen-secret/rotates", "apps/*/server-set-fields"}},
	{name: "noncreator-can-access", setup: dev(mockserver.DevNonCreatorCanAccess, nil),
		intended: []string{"setup/managers/scope-consistent", "permissions/get-app/non-creator-forbidden", "permissions/update-app/non-creator-forbidden",
			"permissions/delete-app/non-creator-forbidden", "permissions/regen-secret/non-creator-forbidden"}},
	{name: "noncreator-can-access on a registered app", setup: dev(mockserver.DevNonCreatorCanAccess, dcrOn),
		intended: []string{"setup/managers/scope-consistent", "permissions/registered-app/admin-only", "permissions/get-app/non-creator-forbidden"},
		allowed:  []string{"permissions/*/non-creator-forbidden"}},
	{name: "list-ignores-creator", setup: dev(mockserver.DevListIgnoresCreator, nil),
		intended: []string{"setup/managers/scope-consistent", "permissions/list-apps/manager-sees-own-only"}},
	{name: "list-forbidden-wrong-id", setup: dev(mockserver.DevListForbiddenWrongID, nil),
		intended: []string{"permissions/list-apps/plain-user-admin-only"}},
	{name: "plain-user-can-create", setup: dev(mockserver.DevPlainUserCanCreate, nil),
		intended: []string{"permissions/create-app/plain-user-forbidden"}},
	{name: "trusted-not-forced", setup: dev(mockserver.DevTrustedNotForced, nil),
		intended: []string{"trusted/create/forced-false-for-manager", "trusted/update/kept-for-manager"}},
	{name: "ignore-per-page", setup: dev(mockserver.DevIgnorePerPage, nil),
		intended: []string{"paging/list-apps/per-page-honoured", "paging/authorized-apps/per-page-honoured"},
		// Iterating a list stops at the first short page.
		allowed: []string{"paging/list-apps/page-size-limits", "permissions/list-apps/*", "secrets/list-apps/returned", "apps/crud/round-trip"}},
	{name: "no-per-page-cap", setup: dev(mockserver.DevNoPerPageCap, nil),
		intended: []string{"paging/list-apps/page-size-limits"}},
	{name: "page-past-end-error", setup: dev(mockserver.DevPagePastEndError, nil),
		intended: []string{"paging/list-apps/past-end-empty"},
		// A walk whose last page is full asks for the empty page after it.
		allowed: []string{"paging/list-apps/pages-disjoint"}},
	{name: "wrong-issuer", setup: dev(mockserver.DevWrongIssuer, nil),
		intended: []string{"rfc8414/metadata/issuer-matches-url"}},
	{name: "no-s256", setup: dev(mockserver.DevNoS256, nil),
		intended: []string{"rfc8414/metadata/s256-offered"}},
	{name: "registration-endpoint-always", setup: dev(mockserver.DevRegistrationEndpointAlways, nil),
		intended: []string{"setup/dcr/state-consistent", "rfc8414/metadata/no-registration-endpoint-when-dcr-off"}},
	{name: "relative-endpoints", setup: dev(mockserver.DevRelativeEndpoints, dcrOn),
		intended: []string{"rfc8414/metadata/endpoints-under-issuer", "rfc8414/metadata/registration-endpoint-when-dcr-on"}},
	{name: "dcr-accepts-bad-redirect", setup: dev(mockserver.DevDCRAcceptsBadRedirect, dcrOn),
		intended: []string{"rfc7591/register/bad-redirect-uri-rejected"}},
	{name: "dcr-apperror-body", setup: dev(mockserver.DevDCRAppErrorBody, dcrOn),
		intended: []string{"setup/dcr/state-consistent", "rfc7591/errors/rfc7591-body"},
		allowed:  []string{"rfc7591/register/bad-redirect-uri-rejected"}},
	{name: "dcr-public-gets-secret", setup: dev(mockserver.DevDCRPublicGetsSecret, dcrOn),
		intended: []string{"rfc7591/register/public-client-no-secret"}},
	{name: "dcr-requires-session", setup: dev(mockserver.DevDCRRequiresSession, dcrOn),
		intended: []string{"setup/dcr/state-consistent", "rfc7591/register/no-session-required"},
		allowed:  []string{"rfc7591/**", "permissions/registered-app/admin-only"}},
	{name: "dcr-enabled-ignored", setup: dev(mockserver.DevDCREnabledIgnored, nil),
		intended: []string{"setup/dcr/state-consistent", "rfc7591/disabled/refused"}},
	{name: "public-regen-allowed", setup: dev(mockserver.DevPublicRegenAllowed, nil),
		intended: []string{"secrets/regen-secret/public-client-refused"}},
	{name: "public-has-secret", setup: dev(mockserver.DevPublicHasSecret, nil),
		intended: []string{"secrets/create/public-client-no-secret"},
		allowed:  []string{"pkce/**", "secrets/regen-secret/public-client-refused"}},
	{name: "pkce-not-required-public", setup: dev(mockserver.DevPKCENotRequiredPublic, nil),
		intended: []string{"pkce/authorize/public-needs-challenge"},
		allowed:  []string{"pkce/token/verifier-checked"}},
	{name: "pkce-verifier-not-checked", setup: dev(mockserver.DevPKCEVerifierNotChecked, nil),
		intended: []string{"pkce/token/verifier-checked"}},
	{name: "code-reusable", setup: dev(mockserver.DevCodeReusable, nil),
		intended: []string{"pkce/token/code-single-use"}},
	{name: "unknown-token-accepted", setup: dev(mockserver.DevUnknownTokenAccepted, nil),
		intended: []string{"sessions/bearer/unknown-token-unauthorized"},
		// A revoked token is an unknown one.
		allowed: []string{"authorized/deauthorize/revokes", "apps/delete/revokes-grants"}},
	{name: "oauth-token-may-authorize", setup: dev(mockserver.DevOAuthTokenMayAuthorize, nil),
		intended: []string{"sessions/authorize/oauth-token-refused"}},
	{name: "public-secret-accepted", setup: dev(mockserver.DevPublicSecretAccepted, nil),
		intended: []string{"pkce/token/public-client-secret-refused"}},
	{name: "deauthorize-any-client-id", setup: dev(mockserver.DevDeauthorizeAnyClientID, nil),
		intended: []string{"input/deauthorize/malformed-client-id-400"}},
	{name: "public-refresh-token", setup: dev(mockserver.DevPublicRefreshToken, nil),
		intended: []string{"pkce/token/public-flow-no-refresh-token", "pkce/token/public-client-refresh-refused"}},
	{name: "regen-keeps-old-secret", setup: dev(mockserver.DevRegenKeepsOldSecret, nil),
		intended: []string{"secrets/regen-secret/rotates", "permissions/regen-secret/admin-allowed"}},
	{name: "bad-id-404", setup: dev(mockserver.DevBadID404, nil),
		intended: []string{"input/app-id/malformed-400", "input/user-id/malformed-400"},
		allowed:  []string{"schema/app-error/documented"}},
	{name: "unknown-id-400", setup: dev(mockserver.DevUnknownID400, nil),
		intended: []string{"input/app-id/unknown-404"},
		allowed: []string{"schema/app-error/documented", "apps/crud/round-trip", "permissions/delete-app/admin-allowed",
			"apps/delete/revokes-grants"}},
	{name: "update-ignores-id-mismatch", setup: dev(mockserver.DevUpdateIgnoresIDMismatch, nil),
		intended: []string{"input/update-app/id-mismatch-400"}},
	{name: "bad-json-after-permission", setup: dev(mockserver.DevBadJSONAfterPermission, nil),
		intended: []string{"permissions/create-app/bad-json-before-permission"}},
	{name: "delete-noop", setup: dev(mockserver.DevDeleteNoop, nil),
		intended: []string{"apps/crud/round-trip", "permissions/delete-app/admin-allowed", "apps/delete/revokes-grants"}},
	{name: "deauthorize-noop", setup: dev(mockserver.DevDeauthorizeNoop, nil),
		intended: []string{"authorized/deauthorize/revokes"}},
	{name: "authorize-not-listed", setup: dev(mockserver.DevAuthorizeNotListed, nil),
		intended: []string{"authorized/authorize/listed"},
		allowed:  []string{"secrets/authorized-apps/blanked", "authorized/deauthorize/revokes", "paging/authorized-apps/per-page-honoured"}},
	{name: "anonymous-allowed", setup: dev(mockserver.DevAnonymousAllowed, nil),
		intended: anonymousChecks(),
		// A revoked or unknown token is then served as an anonymous session.
		allowed: []string{"schema/app-error/documented", "authorized/deauthorize/revokes", "apps/delete/revokes-grants",
			"sessions/bearer/unknown-token-unauthorized", "sessions/bearer/authorization-schemes"}},
	{name: "provider-off-ignored", setup: dev(mockserver.DevProviderOffIgnored, providerOff),
		intended: []string{"setup/provider/state-consistent", "provider-off/session-endpoints/not-implemented", "provider-off/metadata/not-implemented",
			"provider-off/register/unsupported-operation"}},
	{name: "wrong-content-type", setup: dev(mockserver.DevWrongContentType, nil), schemaDrift: true,
		intended: []string{"schema/oauth-app/documented", "schema/app-error/documented", "schema/access-token/documented",
			"rfc8414/metadata/served"}},
	{name: "app-missing-create-at", setup: dev(mockserver.DevAppMissingCreateAt, nil), schemaDrift: true,
		intended: []string{"schema/oauth-app/documented", "apps/create/server-set-fields"}},
	{name: "status-ok-lowercase", setup: dev(mockserver.DevStatusOKLowercase, nil), schemaDrift: true,
		intended: []string{"schema/status-ok/value", "permissions/delete-app/admin-allowed", "authorized/deauthorize/revokes"}},
	{name: "redirect-uri-prefix-match", setup: dev(mockserver.DevRedirectURIPrefixMatch, nil),
		intended: []string{"pkce/authorize/redirect-uri-exact"}},
	{name: "no-store-missing", setup: dev(mockserver.DevNoStoreMissing, nil), schemaDrift: true,
		intended: []string{"pkce/token/no-store"}},

	{name: "list-hides-secret", setup: dev(mockserver.DevListHidesSecret, nil),
		intended: []string{"secrets/list-apps/returned"}},
	{name: "admin-not-system-wide", setup: dev(mockserver.DevAdminNotSystemWide, nil),
		intended: []string{"permissions/list-apps/admin-sees-all", "permissions/get-app/admin-allowed", "permissions/update-app/admin-allowed",
			"permissions/delete-app/admin-allowed", "permissions/regen-secret/admin-allowed"},
		allowed: []string{"trusted/update/kept-for-manager", "secrets/app-info/blanked"}},
	{name: "trusted-ignored-for-admin", setup: dev(mockserver.DevTrustedIgnoredForAdmin, nil),
		intended: []string{"trusted/create/admin-honoured", "trusted/update/admin-honoured"},
		// The trusted app the browser check needs is not trusted.
		allowed: []string{"trusted/update/kept-for-manager", "authorize/browser/trusted-app-no-consent"}},
	// The 403 is the same; only detailed_error, which servers send in
	// developer mode only, names the other permission.
	{name: "oauth-gate-missing", setup: dev(mockserver.DevOAuthGateMissing, developerMode),
		intended: []string{"permissions/get-app/plain-user-forbidden", "permissions/update-app/plain-user-forbidden",
			"permissions/delete-app/plain-user-forbidden", "permissions/regen-secret/plain-user-forbidden"}},
	{name: "info-requires-manage-oauth", setup: dev(mockserver.DevInfoRequiresManageOAuth, nil), schemaDrift: true,
		intended: []string{"permissions/app-info/any-user-allowed"},
		allowed:  []string{"secrets/app-info/blanked"}},
	{name: "authorized-self-forbidden", setup: dev(mockserver.DevAuthorizedSelfForbidden, nil),
		intended: []string{"permissions/authorized-apps/self-allowed"},
		allowed: []string{"authorized/**", "secrets/authorized-apps/blanked", "apps/delete/revokes-grants",
			"paging/authorized-apps/per-page-honoured", "authorize/browser/unapproved-app-needs-consent"}},
	{name: "authorized-other-allowed", setup: dev(mockserver.DevAuthorizedOtherAllowed, nil),
		intended: []string{"permissions/authorized-apps/other-user-forbidden"}},
	{name: "edit-other-users-ignored", setup: dev(mockserver.DevEditOtherUsersIgnored, nil),
		intended: []string{"permissions/authorized-apps/admin-reads-others"}},
	{name: "lenient-json", setup: dev(mockserver.DevLenientJSON, nil),
		intended: []string{"input/create-app/malformed-json-400", "input/update-app/malformed-json-400"},
		allowed:  []string{"permissions/create-app/bad-json-before-permission"}},
	// The invalid apps it stores break the OpenAPI document's OAuthApp
	// constraints wherever another check lists them.
	{name: "skip-app-validation", setup: dev(mockserver.DevSkipAppValidation, nil), schemaDrift: true,
		intended: []string{"input/create-app/invalid-fields-400"}},
	{name: "token-request-unchecked", setup: dev(mockserver.DevTokenRequestUnchecked, nil),
		intended: []string{"input/access-token/malformed-form-400"}},
	{name: "strict-paging-params", setup: dev(mockserver.DevStrictPagingParams, nil),
		intended: []string{"input/list-apps/garbage-paging-defaults"}},
	{name: "allowlist-ignored", setup: dev(mockserver.DevAllowlistIgnored, allowlisted),
		intended: []string{"rfc7591/allowlist/enforced"}},

	// Refused writes that act anyway, and answers that differ from what
	// was stored: the checks look at the state after the request.
	{name: "refused-create-persists", setup: dev(mockserver.DevRefusedCreatePersists, nil),
		intended: []string{"permissions/create-app/plain-user-forbidden"}},
	{name: "public-regen-persists", setup: dev(mockserver.DevPublicRegenPersists, nil),
		intended: []string{"secrets/regen-secret/public-client-refused"}},
	{name: "dcr-disabled-persists", setup: dev(mockserver.DevDCRDisabledPersists, nil),
		intended: []string{"setup/dcr/state-consistent", "rfc7591/disabled/refused"}},
	{name: "update-clears-secret", setup: dev(mockserver.DevUpdateClearsSecret, nil),
		intended: []string{"apps/update/server-set-fields"},
		// The apps they update become public clients.
		allowed: []string{"schema/oauth-app/documented"}},
	{name: "update-at-frozen", setup: mockSetup{devs: []mockserver.Deviation{mockserver.DevUpdateAtFrozen}, tick: true},
		intended: []string{"apps/update/server-set-fields"}},
	{name: "update-keeps-homepage", setup: dev(mockserver.DevUpdateKeepsHomepage, nil),
		intended: []string{"apps/update/server-set-fields"},
		// A homepage-less update then keeps the old homepage and passes.
		allowed: []string{"input/update-app/invalid-fields-400"}},
	{name: "timestamps-in-seconds", setup: dev(mockserver.DevTimestampsInSeconds, dcrOn),
		intended: []string{"apps/create/server-set-fields", "apps/update/server-set-fields", "rfc7591/register/stored-as-app"}},
	{name: "page-ignored", setup: dev(mockserver.DevPageIgnored, nil),
		intended: []string{"paging/list-apps/pages-disjoint", "paging/authorized-apps/per-page-honoured"},
		allowed:  []string{"paging/list-apps/past-end-empty"}},
	{name: "refresh-not-rotated", setup: dev(mockserver.DevRefreshNotRotated, nil),
		intended: []string{"pkce/token/refresh-rotates"}},
	{name: "deauthorize-keeps-refresh-token", setup: dev(mockserver.DevDeauthorizeKeepsRefreshToken, nil),
		intended: []string{"authorized/deauthorize/revokes"}},
	{name: "code-redirect-uri-unchecked", setup: dev(mockserver.DevCodeRedirectUnchecked, nil),
		intended: []string{"pkce/token/redirect-uri-bound"}},
	{name: "verifier-without-challenge-accepted", setup: dev(mockserver.DevVerifierWithoutChallenge, nil),
		intended: []string{"pkce/token/verifier-without-challenge-refused"}},
	{name: "pkce-challenge-unchecked", setup: dev(mockserver.DevPKCEChallengeUnchecked, nil),
		intended: []string{"pkce/authorize/challenge-validated"}},
	{name: "missing-secret-accepted", setup: dev(mockserver.DevMissingSecretAccepted, nil),
		intended: []string{"pkce/token/confidential-needs-secret"}},
	{name: "delete-keeps-sessions", setup: dev(mockserver.DevDeleteKeepsSessions, nil),
		intended: []string{"apps/delete/revokes-grants"}},
	{name: "dcr-client-uri-dropped", setup: dev(mockserver.DevDCRClientURIDropped, dcrOn),
		intended: []string{"rfc7591/register/no-session-required", "rfc7591/register/stored-as-app"}},
	{name: "dcr-secret-mismatch", setup: dev(mockserver.DevDCRSecretMismatch, dcrOn),
		intended: []string{"rfc7591/register/stored-as-app"}},
	{name: "dcr-redirect-uris-truncated", setup: dev(mockserver.DevDCRRedirectURIsTruncated, dcrOn),
		intended: []string{"rfc7591/register/no-session-required", "rfc7591/register/stored-as-app"}},
	{name: "metadata-unsupported-grant", setup: dev(mockserver.DevMetadataUnsupportedGrant, nil),
		intended: []string{"rfc8414/metadata/served"}},
	{name: "status-code-mismatch", setup: dev(mockserver.DevStatusCodeMismatch, nil), schemaDrift: true,
		intended: []string{"schema/app-error/documented", "input/app-id/unknown-404"}},
	{name: "long-id-accepted", setup: dev(mockserver.DevLongIDAccepted, nil),
		intended: []string{"input/app-id/malformed-400"}},
	{name: "metadata-ignores-provider-off", setup: dev(mockserver.DevMetadataIgnoresProviderOff, providerOff),
		intended: []string{"setup/provider/state-consistent", "provider-off/metadata/not-implemented"}},
	{name: "me-without-roles", setup: dev(mockserver.DevMeWithoutRoles, nil),
		intended: []string{"setup/users-me/identity-resolved"}},
	{name: "trusted-only-in-answer", setup: dev(mockserver.DevTrustedOnlyInAnswer, nil),
		intended: []string{"trusted/create/forced-false-for-manager", "trusted/update/kept-for-manager"}},
}

// bulkCheck creates 201 apps (it needs more than the page-size cap).
const bulkCheck = "paging/list-apps/page-size-limits"

func anonymousChecks() []string {
	var ids []string
	for _, c := range conformance.Catalogue() {
		if strings.HasSuffix(c.ID, "/anonymous-unauthorized") {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func TestDeviationsFailTheirChecks(t *testing.T) {
	t.Parallel()
	for _, tc := range deviationCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := conformance.Options{Concurrency: 4}
			if !slices.Contains(slices.Concat(tc.intended, tc.allowed), bulkCheck) {
				// The one check that needs 201 apps is left to the cases about
				// paging (and the faithful run), to keep this test fast.
				opts.Skip = []string{bulkCheck}
			}
			rep := run(t, opts, startMock(t, tc.setup))
			failed := rep.IDs(conformance.StatusFail)
			for _, id := range tc.intended {
				res, ok := rep.Result(id)
				require.True(t, ok, "intended check %s is not in the catalogue", id)
				assert.Equal(t, conformance.StatusFail, res.Status, "intended check %s: %s %s", id, res.Status, res.Reason)
			}
			for _, id := range failed {
				if slices.Contains(tc.intended, id) || matchesAny(tc.allowed, id) {
					continue
				}
				res, _ := rep.Result(id)
				if tc.schemaDrift && hasSchemaFailure(res) {
					continue
				}
				t.Errorf("unrelated check %s failed: %s", id, failureSummary(res))
			}
		})
	}
}

func matchesAny(globs []string, id string) bool {
	return slices.ContainsFunc(globs, func(g string) bool { return conformance.MatchID(g, id) })
}

func hasSchemaFailure(r conformance.Result) bool {
	return slices.ContainsFunc(r.Failures, func(f conformance.Failure) bool { return f.Schema })
}

func failureSummary(r conformance.Result) string {
	var msgs []string
	for _, f := range r.Failures {
		msgs = append(msgs, f.Message)
	}
	return strings.Join(msgs, "; ")
}

// embeddedTargets are the faithful mock in the four configurations the CLI
// uses, so every check runs.
func embeddedTargets(t testing.TB) []conformance.Target {
	var targets []conformance.Target
	for _, edit := range []func(*mockserver.Config){nil, dcrOn, allowlisted, providerOff} {
		targets = append(targets, startMock(t, mockSetup{edit: edit, validate: true}))
	}
	return targets
}

func TestFaithfulMockPasses(t *testing.T) {
	t.Parallel()
	rep := run(t, conformance.Options{}, embeddedTargets(t)...)
	for _, r := range rep.Results {
		switch r.Status {
		case conformance.StatusFail:
			t.Errorf("%s failed against the faithful mock: %s", r.ID, failureSummary(r))
		case conformance.StatusSkip:
			t.Errorf("%s was skipped against the four configurations: %s", r.ID, r.Reason)
		}
	}
	assert.ElementsMatch(t, rfcStrictBaseline, rep.IDs(conformance.StatusWarn), "RFC-strict warnings")
	assert.True(t, rep.OK())
	for _, tg := range rep.Targets {
		assert.Empty(t, tg.Leftovers, "apps left on %s", tg.Name)
	}

	strict := run(t, conformance.Options{Strict: true}, embeddedTargets(t)...)
	assert.ElementsMatch(t, rfcStrictBaseline, strict.IDs(conformance.StatusFail), "--strict turns the warnings into failures")
	for _, r := range strict.Results {
		if r.Status != conformance.StatusPass && !slices.Contains(rfcStrictBaseline, r.ID) {
			t.Errorf("with --strict, %s is %s: %s %s", r.ID, r.Status, r.Reason, failureSummary(r))
		}
	}
	assert.False(t, strict.OK())
}

// TestEveryCheckCanFail: the union of the intended failures of all cases,
// plus the RFC-strict rules the faithful mock breaks, covers the catalogue.
// No check is exempt.
func TestEveryCheckCanFail(t *testing.T) {
	covered := map[string][]string{}
	for _, tc := range deviationCases {
		for _, id := range tc.intended {
			covered[id] = append(covered[id], tc.name)
		}
	}
	for _, id := range rfcStrictBaseline {
		covered[id] = append(covered[id], "faithful mock (rfc-strict warning)")
		c, ok := conformance.Lookup(id)
		require.True(t, ok, id)
		assert.Equal(t, conformance.KindRFCStrict, c.Kind, "%s is in the baseline but not rfc-strict", id)
	}
	var missing []string
	for _, c := range conformance.Catalogue() {
		if len(covered[c.ID]) == 0 {
			missing = append(missing, c.ID)
		}
		if c.Kind == conformance.KindRFCStrict && !slices.Contains(rfcStrictBaseline, c.ID) {
			t.Errorf("rfc-strict check %s is not in the baseline of rules the real server breaks", c.ID)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "checks no deviation case proves able to fail")

	// Every mock deviation is used by some case.
	for _, d := range mockserver.AllDeviations() {
		used := slices.ContainsFunc(deviationCases, func(tc deviationCase) bool { return slices.Contains(tc.setup.devs, d) })
		assert.True(t, used, "mock deviation %s has no case", d)
	}
	if testing.Verbose() {
		for _, c := range conformance.Catalogue() {
			fmt.Printf("%-62s %s\n", c.ID, strings.Join(covered[c.ID], ", "))
		}
	}
}
