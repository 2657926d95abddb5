package conformance

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Category groups checks in reports (docs/ARCHITECTURE.md "Contracts").
type Category string

// The seven categories of the catalogue.
const (
	CategorySchema        Category = "schema"         // responses match the OpenAPI document
	CategoryBehaviour     Category = "behaviour"      // what the server does with valid input
	CategoryPermission    Category = "permission"     // who may do what (the permission checks of server/channels/api4/oauth.go)
	CategoryNegativeInput Category = "negative-input" // bad ids, bad bodies, bad forms
	CategoryRFC8414       Category = "rfc8414"        // authorization server metadata
	CategoryRFC7591       Category = "rfc7591"        // dynamic client registration
	CategoryPKCE          Category = "pkce"           // the authorize/token flow, RFC 7636
)

// Categories returns every category in report order.
func Categories() []Category {
	return []Category{CategorySchema, CategoryBehaviour, CategoryPermission, CategoryNegativeInput,
		CategoryRFC8414, CategoryRFC7591, CategoryPKCE}
}

// Kind says how a broken rule is judged.
type Kind string

const (
	// KindCompat rules are what the real Mattermost server does: breaking one
	// is a failure.
	KindCompat Kind = "mattermost-compat"
	// KindRFCStrict rules are RFC requirements that stock Mattermost itself
	// does not meet (server/public/model/oauth.go OAuthApp and server/channels/app/oauth.go GetAuthorizationServerMetadata): breaking one is a warning, or a failure
	// with Options.Strict.
	KindRFCStrict Kind = "rfc-strict"
)

// Role is an identity the suite acts as. Tokens for every role but
// Anonymous come from the user (the permission checks of server/channels/api4/oauth.go name the columns).
type Role string

// The identities of the permission matrix (the permission checks of server/channels/api4/oauth.go).
const (
	Anonymous Role = "anonymous" // no session
	Admin     Role = "admin"     // system admin: manage_system, manage_system_wide_oauth, edit_other_users
	Manager   Role = "manager"   // manage_oauth, the creator of the apps it makes (column C)
	Manager2  Role = "manager2"  // manage_oauth, not the creator (column N)
	PlainUser Role = "user"      // no manage_oauth (column U)
)

// Roles returns the roles that need a token, in flag order.
func Roles() []Role { return []Role{Admin, Manager, Manager2, PlainUser} }

// Gate is a requirement on a boolean server setting.
type Gate uint8

// Gate values. The zero value accepts either state.
const (
	Either Gate = iota
	On
	Off
)

// GateOf is On for true and Off for false.
func GateOf(on bool) Gate {
	if on {
		return On
	}
	return Off
}

// String is "on", "off" or "either".
func (g Gate) String() string {
	switch g {
	case On:
		return "on"
	case Off:
		return "off"
	default:
		return "either"
	}
}

// Needs lists what a check requires of the target. A check whose needs are
// not met is skipped with the reason, never failed (docs/ARCHITECTURE.md "Contracts").
type Needs struct {
	// Roles are the identities the check acts as (Anonymous needs no token).
	Roles []Role
	// ProviderOff runs the check only when EnableOAuthServiceProvider is
	// false; every other check needs it true, unless AnyProvider is set.
	ProviderOff bool
	// AnyProvider runs the check whether the provider is on or off.
	AnyProvider bool
	// DCR gates on EnableDynamicClientRegistration.
	DCR Gate
	// Allowlist needs a declared, non-empty DCRRedirectURIAllowlist.
	Allowlist bool
	// Creates is set when the check creates apps (or might, on a broken
	// server); --read-only skips it.
	Creates bool
	// Exclusive is set when the check's verdict depends on the set of apps
	// not changing while it runs (walking the pages of a list whose order
	// the server does not fix): no check that creates apps runs beside it,
	// so that its verdict is the same at any concurrency.
	Exclusive bool
	// CreatorScoped needs Manager and Manager2 to be limited to their own
	// apps, which a stock server's roles do not give (the permission checks of server/channels/api4/oauth.go,
	// "Default roles").
	CreatorScoped bool
	// ManagerNotAdmin needs the Manager identity to lack the system_admin
	// role (and so manage_system, which decides is_trusted: server/channels/api4/oauth.go).
	ManagerNotAdmin bool
}

// Check is one named rule of the catalogue.
type Check struct {
	// ID is stable, of the form area/operation/rule, e.g.
	// "permissions/get-app/non-creator-forbidden".
	ID       string
	Category Category
	// Rule says in one line what the server must do.
	Rule string
	// Source is where the rule comes from: the Mattermost source file and
	// function, and the RFC section (docs/RULES.md lists them per rule).
	Source string
	Kind   Kind
	Needs  Needs
	// RuleID is the id of the rule the check guards in docs/RULES.md, when
	// several checks guard one rule; empty means the check's own ID.
	RuleID string
	// Releases are the Mattermost releases the rule holds for; on a server
	// of another release the check is skipped as not applicable. The zero
	// value is every known release.
	Releases Releases
	// Run performs the check. It reports through t; a panic fails the check.
	Run func(ctx context.Context, t *T)
}

// RuleOf is the id of the rule c guards (docs/RULES.md).
func (c *Check) RuleOf() string {
	if c.RuleID != "" {
		return c.RuleID
	}
	return c.ID
}

var idPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*){2}$`)

// validate reports a malformed catalogue entry; it runs in tests and when a
// caller passes its own checks to Run.
func (c *Check) validate() error {
	switch {
	case !idPattern.MatchString(c.ID):
		return fmt.Errorf("check %q: id must be area/operation/rule in lower-case kebab words", c.ID)
	case !slices.Contains(Categories(), c.Category):
		return fmt.Errorf("check %s: unknown category %q", c.ID, c.Category)
	case c.Kind != KindCompat && c.Kind != KindRFCStrict:
		return fmt.Errorf("check %s: unknown kind %q", c.ID, c.Kind)
	case strings.TrimSpace(c.Rule) == "" || strings.ContainsAny(c.Rule, "\r\n"):
		return fmt.Errorf("check %s: rule must be one non-empty line", c.ID)
	case strings.TrimSpace(c.Source) == "":
		return fmt.Errorf("check %s: source is required", c.ID)
	case c.Run == nil:
		return fmt.Errorf("check %s: no Run function", c.ID)
	}
	for _, r := range c.Needs.Roles {
		if r != Anonymous && !slices.Contains(Roles(), r) {
			return fmt.Errorf("check %s: unknown role %q", c.ID, r)
		}
	}
	return nil
}

// PatternError is an --only/--skip pattern that is malformed or selects no
// check: a run filtered by it would silently test less than asked.
type PatternError struct {
	Pattern string
	Reason  string
}

// Error names the pattern and what is wrong with it, in one line.
func (e *PatternError) Error() string { return fmt.Sprintf("pattern %q %s", e.Pattern, e.Reason) }

// Select filters checks by pattern. A pattern is either a category name
// ("permission", "rfc7591", …), which selects that category, or a glob over
// check ids in which "*" matches within one id segment, "**" matches across
// segments, "?" matches one character of a segment and "[…]" a character
// class (so "rfc8414/**", "permissions/*/plain-user-forbidden" and
// "**/anonymous-unauthorized" all work). An empty only list selects every
// check; skip wins over only. A malformed pattern, or one that matches no
// check of checks, is a *PatternError.
func Select(checks []Check, only, skip []string) ([]Check, error) {
	all := slices.Concat(only, skip)
	matchers := make(map[string]*regexp.Regexp, len(all))
	for _, p := range all {
		re, err := compileGlob(p)
		if err != nil {
			return nil, &PatternError{Pattern: p, Reason: "is malformed: " + err.Error()}
		}
		matchers[p] = re
	}
	for _, p := range all {
		if !slices.ContainsFunc(checks, func(c Check) bool { return matchCheck(p, matchers[p], &c) }) {
			return nil, &PatternError{Pattern: p, Reason: "matches no check (see --list; a category name or an id glob)"}
		}
	}
	matchesAny := func(patterns []string, c *Check) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return matchCheck(p, matchers[p], c) })
	}
	var out []Check
	for i := range checks {
		c := &checks[i]
		if (len(only) > 0 && !matchesAny(only, c)) || matchesAny(skip, c) {
			continue
		}
		out = append(out, *c)
	}
	return out, nil
}

func matchCheck(pattern string, re *regexp.Regexp, c *Check) bool {
	return string(c.Category) == pattern || re.MatchString(c.ID)
}

// MatchID reports whether a check id matches a glob ("*" within a segment,
// "**" across segments; see Select). A malformed glob matches nothing.
func MatchID(glob, id string) bool {
	re, err := compileGlob(glob)
	return err == nil && re.MatchString(id)
}

// compileGlob turns an id glob into an anchored regular expression.
func compileGlob(glob string) (*regexp.Regexp, error) {
	if strings.TrimSpace(glob) == "" {
		return nil, errors.New("empty pattern")
	}
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch ch := glob[i]; ch {
		case '*':
			if i+1 < len(glob) && glob[i+1] == '*' {
				i++
				// "a/**/b" also matches "a/b": the slash after ** is optional.
				if i+1 < len(glob) && glob[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?")
				} else {
					b.WriteString(".*")
				}
				continue
			}
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		case '[':
			end := strings.IndexByte(glob[i+1:], ']')
			if end < 0 {
				return nil, errors.New("unclosed [")
			}
			class := glob[i+1 : i+1+end]
			if class == "" || class == "!" || class == "^" {
				return nil, errors.New("empty character class")
			}
			if class[0] == '!' {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += end + 1
		case '\\':
			if i+1 == len(glob) {
				return nil, errors.New("trailing backslash")
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(glob[i])))
		default:
			b.WriteString(regexp.QuoteMeta(string(ch)))
		}
	}
	b.WriteString("$")
	return regexp.Compile(b.String())
}
