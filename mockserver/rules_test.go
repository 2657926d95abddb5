package mockserver

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// changedRules names the hooks of after whose function differs from before.
func changedRules(t *testing.T, before, after rules) []string {
	t.Helper()
	b, a := reflect.ValueOf(before), reflect.ValueOf(after)
	var out []string
	for i := range b.NumField() {
		require.Equal(t, reflect.Func, b.Field(i).Kind(), "rule %s is not a hook", b.Type().Field(i).Name)
		if b.Field(i).Pointer() != a.Field(i).Pointer() {
			out = append(out, b.Type().Field(i).Name)
		}
	}
	return out
}

// TestFaithfulRulesComplete: every hook has a faithful implementation, so
// no handler can find a nil rule.
func TestFaithfulRulesComplete(t *testing.T) {
	v := reflect.ValueOf(faithfulRules())
	for i := range v.NumField() {
		assert.False(t, v.Field(i).IsNil(), "rule %s has no faithful implementation", v.Type().Field(i).Name)
	}
}

// TestDeviationTable: every deviation has exactly one table entry, and the
// entry replaces exactly the hook it names (the one Deviation.Replaces
// gives the rule book), nothing else.
func TestDeviationTable(t *testing.T) {
	require.Len(t, deviationTable, len(allDeviations))
	for _, d := range allDeviations {
		entry, ok := deviationTable[d]
		require.True(t, ok, "%s has no table entry", d)
		after := faithfulRules()
		entry.apply(&after)
		assert.Equal(t, []string{entry.rule}, changedRules(t, faithfulRules(), after), "%s", d)
		assert.Equal(t, entry.rule, d.Replaces())
	}
}

// TestReleaseReplacements: each release replacement replaces the hook it
// names, and the newest release replaces none.
func TestReleaseReplacements(t *testing.T) {
	assert.Empty(t, rulesOf(models.ReleaseNewestKnown).replacements())
	for _, r := range []models.Release{models.ReleaseObserved, models.ReleaseOAuth21, {Major: 9, Minor: 10}} {
		for _, x := range rulesOf(r).replacements() {
			after := faithfulRules()
			x.apply(&after)
			assert.Equal(t, []string{x.rule}, changedRules(t, faithfulRules(), after), "%v", r)
		}
	}
}

// TestDeviationPrecedence: when two deviations replace the same rule, the
// one declared first in deviation.go wins, as before the rules existed.
func TestDeviationPrecedence(t *testing.T) {
	admin := &account{perms: map[string]bool{PermManageSystem: true}}
	r := buildRules(models.ReleaseNewestKnown, deviations{DevTrustedNotForced: true, DevTrustedIgnoredForAdmin: true})
	assert.True(t, r.mayTrust(admin))
	r = buildRules(models.ReleaseNewestKnown, deviations{DevIgnorePerPage: true, DevNoPerPageCap: true})
	assert.Equal(t, models.DefaultPerPage, r.perPageParam(url.Values{"per_page": {"500"}}))
	r = buildRules(models.ReleaseNewestKnown, deviations{DevAuthorizedOtherAllowed: true, DevEditOtherUsersIgnored: true})
	assert.True(t, r.mayReadOthersAuthorized(admin))
	r = buildRules(models.ReleaseNewestKnown, deviations{DevNoPerPageCap: true})
	assert.Equal(t, 500, r.perPageParam(url.Values{"per_page": {"500"}}))
	assert.Equal(t, models.MaxPerPage, faithfulRules().perPageParam(url.Values{"per_page": {"500"}}))
}

// TestRulesFollowRelease: UpdateConfig rebuilds the rules when the release
// changes, and only then.
func TestRulesFollowRelease(t *testing.T) {
	s, err := New(WithDeviations(DevNoS256))
	require.NoError(t, err)
	_, before := s.snapshot()
	s.UpdateConfig(func(c *Config) { c.EnableDeveloper = true })
	_, same := s.snapshot()
	assert.Same(t, before, same)
	s.UpdateConfig(func(c *Config) { c.Release = models.ReleaseOldestKnown })
	_, after := s.snapshot()
	assert.NotSame(t, before, after)
	assert.Equal(t, http.StatusForbidden, after.wrongSecretError("d").Status, "9.10's wrong-secret answer")
	assert.Equal(t, http.StatusUnauthorized, before.wrongSecretError("d").Status, "11.2's")
	assert.Nil(t, after.codeChallengeMethodsSupported(), "the deviations stay on")
}
