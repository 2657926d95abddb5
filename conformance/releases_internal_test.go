package conformance

import (
	"strings"
	"testing"

	"github.com/mmoauth/mmoauth/models"
)

func mustVersion(t *testing.T, h string) Version {
	t.Helper()
	v, err := ParseVersion(h)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNotApplicable(t *testing.T) {
	t.Parallel()
	dcr := &Check{ID: "rfc7591/register/x", Releases: sinceOAuth21}
	allow := &Check{ID: "rfc7591/allowlist/x", Releases: sinceAllowlist}
	always := &Check{ID: "apps/crud/x"}
	gone := &Check{ID: "old/rule/x", Releases: Releases{Until: models.ReleaseOAuth21, Change: "replaced in 11.2"}}
	for _, tc := range []struct {
		version string // "" is a server that announced none
		check   *Check
		want    string // a substring of the reason; "" means applicable
	}{
		{"9.10.0.x", dcr, "not applicable to Mattermost 9.10.0: dynamic client registration"},
		{"11.1.3.x", dcr, "arrived in 11.2"},
		{"11.2.0.x", dcr, ""},
		{"11.4.0.x", allow, "the DCR redirect URI allowlist arrived in 11.5"},
		{"11.5.0.x", allow, ""},
		{"9.10.0.x", always, ""},
		{"12.0.0.x", always, ""},
		{"9.10.0.x", gone, ""},
		{"11.2.0.x", gone, "replaced in 11.2"},
		{"", dcr, ""}, // judged as the newest known release
	} {
		var v Version
		if tc.version != "" {
			v = mustVersion(t, tc.version)
		}
		got := notApplicable(tc.check, v)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("notApplicable(%s, %q) = %q, want %q", tc.check.ID, tc.version, got, tc.want)
		}
	}
}

func TestUnverified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		version string
		want    bool
	}{
		{"9.10.0.x", false}, {"11.9.4.x", false}, {"10.5.0.x", false},
		{"9.9.0.x", true}, {"12.0.0.x", true}, {"11.10.0.x", true},
	} {
		got := unverified(mustVersion(t, tc.version))
		if (got != "") != tc.want {
			t.Errorf("unverified(%s) = %q, want set %v", tc.version, got, tc.want)
		}
		if tc.want && !strings.HasPrefix(got, "not verified for v") {
			t.Errorf("unverified(%s) = %q, want \"not verified for vX.Y…\"", tc.version, got)
		}
	}
	if unverified(Version{}) != "" {
		t.Error("an unknown version is judged as the newest known release, not as unverified")
	}
}

func TestReleasesString(t *testing.T) {
	t.Parallel()
	for rs, want := range map[Releases]string{
		{}:                             "every known release (9.10 and later)",
		sinceOAuth21:                   "11.2 and later",
		{Until: models.ReleaseOAuth21}: "before 11.2",
		{Since: models.ReleaseOAuth21, Until: models.ReleaseAllowlistPerComponent}: "11.2 up to, not including, 11.9",
	} {
		if got := rs.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", rs, got, want)
		}
	}
}
