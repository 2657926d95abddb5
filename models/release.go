package models

import (
	"fmt"
	"strconv"
	"strings"
)

// Release is a Mattermost feature release, MAJOR.MINOR: the unit in which
// the OAuth service provider's behaviour changes (a patch release only
// fixes). The zero Release is "unknown".
type Release struct {
	Major, Minor int
}

// The releases at which the OAuth service provider changed, each confirmed
// in Mattermost's history (docs/RULES.md "Releases" gives the evidence).
var (
	// ReleaseOldestKnown is the oldest release whose behaviour the rule book
	// records: observed on a real Mattermost 9.10.0 server. It predates
	// every change below.
	ReleaseOldestKnown = Release{9, 10}
	// ReleaseOAuth21 brought dynamic client registration (RFC 7591), the
	// RFC 8414 metadata endpoint, public clients (is_public on create,
	// token_endpoint_auth_method none), PKCE (RFC 7636) and the refusal to
	// regenerate a public client's secret: mattermost/mattermost PRs
	// #33642, #33664 and #34435 (MM-65810, MM-65811), announced for v11.2 in
	// mattermost-developer-documentation PR #1484.
	ReleaseOAuth21 = Release{11, 2}
	// ReleaseDCRAllowlist brought ServiceSettings.DCRRedirectURIAllowlist,
	// matched as one glob over the whole URI: mattermost/mattermost PR
	// #35291 (MM-67605), cherry-picked to release-11.5 as #35394.
	ReleaseDCRAllowlist = Release{11, 5}
	// ReleaseObserved is the newest release observed on a real server
	// (11.6.0): the metadata lists "none" among the token endpoint's
	// authentication methods, and is_public is honoured on create.
	ReleaseObserved = Release{11, 6}
	// ReleaseAllowlistPerComponent matches allowlist patterns per URL
	// component (scheme exactly; host, path and query globbed apart):
	// mattermost/mattermost PR #37170 (MM-69392).
	ReleaseAllowlistPerComponent = Release{11, 9}
	// ReleaseNewestKnown is the newest release whose source the rule book
	// was read from.
	ReleaseNewestKnown = ReleaseAllowlistPerComponent
)

// KnownReleases lists, oldest first, the releases the rule book tells
// apart: the oldest known, every release at which a rule changed, the
// newest observed and the newest known.
func KnownReleases() []Release {
	return []Release{ReleaseOldestKnown, ReleaseOAuth21, ReleaseDCRAllowlist, ReleaseObserved, ReleaseAllowlistPerComponent}
}

// ParseRelease reads "11.6", "v11.6" or "11.6.0" (anything after the
// second number, such as a patch or build, is ignored).
func ParseRelease(s string) (Release, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.SplitN(t, ".", 3)
	if len(parts) < 2 {
		return Release{}, fmt.Errorf("release %q: want MAJOR.MINOR, e.g. 11.6", s)
	}
	var n [2]int
	for i := range n {
		v, err := strconv.Atoi(parts[i])
		if err != nil || v < 0 {
			return Release{}, fmt.Errorf("release %q: %q is not a release number", s, parts[i])
		}
		n[i] = v
	}
	if n == [2]int{} {
		return Release{}, fmt.Errorf("release %q: 0.0 is not a release", s)
	}
	return Release{n[0], n[1]}, nil
}

// IsZero reports whether r is the unknown release.
func (r Release) IsZero() bool { return r == Release{} }

// Before reports whether r is an earlier release than o.
func (r Release) Before(o Release) bool {
	return r.Major < o.Major || (r.Major == o.Major && r.Minor < o.Minor)
}

// String is "11.6", or "unknown".
func (r Release) String() string {
	if r.IsZero() {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d", r.Major, r.Minor)
}
