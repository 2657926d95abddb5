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
			out = append(out, RuleBookEntry{ID: id, Rule: c.Rule, Category: c.Category, Kind: c.Kind, Releases: c.Releases})
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
		"authorize ignores `code_challenge` (even `plain` and malformed ones), and a token request without `client_secret` is 400 `api.oauth.get_access_token.bad_client_secret.app_error`. " +
		"App management, permissions, paging, authorize and the confidential code and refresh flows behave as in later releases."},
	{models.ReleaseOAuth21, "Dynamic client registration (RFC 7591), the RFC 8414 metadata endpoint, public clients and PKCE (RFC 7636): " +
		"mattermost/mattermost PR #33642 (DCR and metadata), PR #33664 (public clients through DCR, PKCE for public and confidential clients), " +
		"PR #34435 (MM-65811: `is_public` on `POST /api/v4/oauth/apps`, regen_secret refused for public clients, merged 2025-11-07); " +
		"mattermost-developer-documentation PR #1484 (MM-65810, MM-65811): \"We added support for the following in v11.2: DCR, Public clients, PKCE\"; " +
		"mattermost/docs PR #8536 (the EnableDynamicClientRegistration setting)."},
	{models.ReleaseDCRAllowlist, "`ServiceSettings.DCRRedirectURIAllowlist`, one glob over the whole redirect URI: mattermost/mattermost PR #35291 (MM-67605), cherry-picked to release-11.5 as #35394; mattermost/docs PR #8807 (\"added in Mattermost server v11.5\")."},
	{models.ReleaseObserved, "The newest release observed on a real server (11.6.0): `token_endpoint_auth_methods_supported` is `[\"none\",\"client_secret_post\"]`, `is_public` is honoured, public clients get no refresh token."},
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
	fmt.Fprintf(&b, "**%d rules**, guarded by %d checks. Rules without a check: 0 (every rule is a check's). Rules without a deviation: %d.\n\n", len(entries), checks, noDeviation)
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
