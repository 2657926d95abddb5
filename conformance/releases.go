package conformance

import (
	"fmt"
	"strings"

	"github.com/mmoauth/mmoauth/models"
)

// Releases is the span of Mattermost releases a rule holds for: from Since
// up to, not including, Until. A zero end is open: a zero Since means every
// release the rule book knows (models.ReleaseOldestKnown and later), a
// zero Until that the rule still holds.
type Releases struct {
	Since, Until models.Release
	// Change names what arrived at Since (or left at Until), for the
	// report's "not applicable" reason.
	Change string
}

// The spans of the catalogue (models' release constants give the evidence).
var (
	// sinceOAuth21 is every rule of DCR, the metadata endpoint, public
	// clients and PKCE.
	sinceOAuth21 = Releases{Since: models.ReleaseOAuth21,
		Change: "dynamic client registration, the RFC 8414 metadata endpoint, public clients and PKCE arrived in 11.2"}
	// sinceAllowlist is the DCR redirect URI allowlist.
	sinceAllowlist = Releases{Since: models.ReleaseDCRAllowlist,
		Change: "the DCR redirect URI allowlist arrived in 11.5"}
)

// Holds reports whether the span includes release r.
func (rs Releases) Holds(r models.Release) bool {
	return (rs.Since.IsZero() || !r.Before(rs.Since)) && (rs.Until.IsZero() || r.Before(rs.Until))
}

// String is the span for the rule book: "11.2 and later", "9.10 to 11.4",
// "every known release".
func (rs Releases) String() string {
	switch {
	case rs.Since.IsZero() && rs.Until.IsZero():
		return "every known release (" + models.ReleaseOldestKnown.String() + " and later)"
	case rs.Until.IsZero():
		return rs.Since.String() + " and later"
	case rs.Since.IsZero():
		return "before " + rs.Until.String()
	default:
		return rs.Since.String() + " up to, not including, " + rs.Until.String()
	}
}

// Release is the feature release of v (the zero Release when v is
// unknown).
func (v Version) Release() models.Release {
	if !v.Known() {
		return models.Release{}
	}
	return models.Release{Major: v.Major, Minor: v.Minor}
}

// effectiveRelease is the release whose rules apply to a server that
// announced v: its own, or the newest known one when it announced none
// (a server that hides its version is judged by today's rules).
func effectiveRelease(v Version) models.Release {
	if r := v.Release(); !r.IsZero() {
		return r
	}
	return models.ReleaseNewestKnown
}

// notApplicable says why check c does not apply to a server that announced
// v ("" when it does): its rule is of releases that exclude the server's.
// The reason is distinct from every skip for a missing identity or setting.
func notApplicable(c *Check, v Version) string {
	r := effectiveRelease(v)
	if c.Releases.Holds(r) {
		return ""
	}
	reason := fmt.Sprintf("not applicable to Mattermost %s", v)
	if c.Releases.Change != "" {
		reason += ": " + c.Releases.Change
	}
	return reason
}

// unverified says, for a server outside the releases the rule book knows,
// that its verdicts are not established ("" for a known release or an
// unknown version). A failure there is a warning: the rule may have
// changed in a release nobody here has read.
func unverified(v Version) string {
	r := v.Release()
	if r.IsZero() || (!r.Before(models.ReleaseOldestKnown) && !models.ReleaseNewestKnown.Before(r)) {
		return ""
	}
	return fmt.Sprintf("not verified for v%s (the rule book knows %s to %s)", r, models.ReleaseOldestKnown, models.ReleaseNewestKnown)
}

// releaseNote is the report's line on what the server's release means for
// the run ("" when nothing needs saying).
func releaseNote(v Version) string {
	r := v.Release()
	if r.IsZero() {
		return fmt.Sprintf("no release announced: judged by the rules of the newest known release, %s", models.ReleaseNewestKnown)
	}
	note := ""
	if r.Before(models.ReleaseOAuth21) {
		note = fmt.Sprintf("Mattermost %s predates 11.2: it has no dynamic client registration, metadata endpoint, public clients or PKCE, so their checks are not applicable", v)
	}
	if u := unverified(v); u != "" {
		note = strings.TrimPrefix(note+"; "+u+": failures of the rules that apply are warnings", "; ")
	}
	return note
}

// releaseBefore reports whether the server announced a release older than
// r. A server that announces none is judged by the newest rules, so it is
// never "before" anything.
func (t *T) releaseBefore(r models.Release) bool {
	got := t.ServerVersion().Release()
	return !got.IsZero() && got.Before(r)
}
