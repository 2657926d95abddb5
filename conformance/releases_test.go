package conformance_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// announcing replaces the X-Version-Id of every answer of next.
func announcing(next http.Handler, version string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(&versionWriter{ResponseWriter: w, version: version}, r)
	})
}

type versionWriter struct {
	http.ResponseWriter
	version string
	wrote   bool
}

func (w *versionWriter) WriteHeader(status int) {
	if !w.wrote {
		w.wrote = true
		w.Header().Set("X-Version-Id", w.version)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *versionWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// releaseTargets are the four configurations of embeddedTargets, with the
// mock emulating release r and announcing announce ("" for r's own
// version).
func releaseTargets(t *testing.T, r models.Release, announce string) []conformance.Target {
	var targets []conformance.Target
	for _, edit := range []func(*mockserver.Config){nil, dcrOn, allowlisted, providerOff} {
		targets = append(targets, startMock(t, mockSetup{announce: announce, validate: announce == "", edit: func(c *mockserver.Config) {
			if edit != nil {
				edit(c)
			}
			c.Release = r
		}}))
	}
	return targets
}

// TestEmulatedReleasesPass runs the catalogue against the mock emulating
// each release the rule book knows: nothing fails, the report names the
// release, and exactly the checks whose rule the release lacks are skipped,
// as not applicable.
func TestEmulatedReleasesPass(t *testing.T) {
	t.Parallel()
	for _, r := range models.KnownReleases() {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			rep := run(t, conformance.Options{Skip: []string{bulkCheck}}, releaseTargets(t, r, "")...)
			for _, tg := range rep.Targets {
				assert.Equal(t, r.String()+".0", tg.ServerVersion, "the version the suite detected on %s", tg.Name)
			}
			for _, c := range conformance.Catalogue() {
				if c.ID == bulkCheck {
					continue
				}
				res, ok := rep.Result(c.ID)
				if !assert.True(t, ok, c.ID) {
					continue
				}
				switch {
				case res.Status == conformance.StatusFail || res.Status == conformance.StatusBlocked:
					t.Errorf("%s: %s against the mock of %s: %s", c.ID, res.Status, r, failureSummary(res))
				case !c.Releases.Holds(r):
					assert.Equal(t, conformance.StatusSkip, res.Status, "%s is not a rule of %s", c.ID, r)
					assert.True(t, strings.HasPrefix(res.Reason, "not applicable to Mattermost "+r.String()+".0"), "%s: reason %q", c.ID, res.Reason)
				case res.Status == conformance.StatusSkip:
					t.Errorf("%s was skipped against the mock of %s: %s", c.ID, r, res.Reason)
				case res.Status == conformance.StatusWarn:
					assert.Contains(t, rfcStrictBaseline, c.ID, "%s warned against the mock of %s", c.ID, r)
				}
			}
			assert.True(t, rep.OK(), rep.VerdictLine())
		})
	}
}

// TestVersionLogicIsLive shows the suite a release other than the one the
// mock emulates: the rules of the announced release are the ones applied.
func TestVersionLogicIsLive(t *testing.T) {
	t.Parallel()
	newRule := []string{"rfc8414/metadata/served", "secrets/create/public-client-no-secret", "pkce/authorize/challenge-validated"}

	t.Run("9.10 announced as 11.9", func(t *testing.T) {
		t.Parallel()
		rep := run(t, conformance.Options{Only: newRule}, releaseTargets(t, models.ReleaseOldestKnown, "11.9.0.mock.mock.false")...)
		for _, id := range newRule {
			res, _ := rep.Result(id)
			assert.Equal(t, conformance.StatusFail, res.Status, "%s: a 9.10 server claiming 11.9 breaks the rules of 11.9", id)
		}
	})
	t.Run("11.9 announced as 9.10", func(t *testing.T) {
		t.Parallel()
		rep := run(t, conformance.Options{Only: newRule}, releaseTargets(t, models.ReleaseNewestKnown, "9.10.0.mock.mock.false")...)
		for _, id := range newRule {
			res, _ := rep.Result(id)
			assert.Equal(t, conformance.StatusSkip, res.Status, id)
			assert.Contains(t, res.Reason, "not applicable to Mattermost 9.10.0", id)
		}
	})
	t.Run("9.10 announced as an unknown 12.0", func(t *testing.T) {
		t.Parallel()
		rep := run(t, conformance.Options{Only: newRule}, releaseTargets(t, models.ReleaseOldestKnown, "12.0.0.mock.mock.false")...)
		for _, id := range newRule {
			res, _ := rep.Result(id)
			assert.Equal(t, conformance.StatusWarn, res.Status, "%s: a rule broken on a release nobody has read is a warning", id)
			assert.Contains(t, res.Notes, "not verified for v12.0 (the rule book knows 9.10 to 11.9)", id)
		}
		assert.True(t, rep.OK(), rep.VerdictLine())
	})
}
