package conformance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRuleGroups: each rule that groups checks has its own text and is
// guarded by more than one check, and each check's RuleID names a group.
func TestRuleGroups(t *testing.T) {
	guards := map[string]int{}
	for _, c := range Catalogue() {
		if c.RuleID != "" {
			guards[c.RuleID]++
			_, ok := groupRules[c.RuleID]
			assert.True(t, ok, "check %s names rule %s, which has no text in groupRules", c.ID, c.RuleID)
		}
	}
	for id := range groupRules {
		assert.Greater(t, guards[id], 1, "rule %s groups fewer than two checks", id)
		assert.True(t, idPattern.MatchString(id), "rule id %s is not of the form area/operation/rule", id)
	}
}

// TestUncheckedRules: the rules recorded without a check are complete,
// distinct from every checked rule, and say why they are not checked.
func TestUncheckedRules(t *testing.T) {
	checked := map[string]bool{}
	for _, c := range Catalogue() {
		checked[c.RuleOf()] = true
		checked[c.ID] = true
	}
	seen := map[string]bool{}
	for _, u := range UncheckedRules() {
		assert.True(t, idPattern.MatchString(u.ID), "unchecked rule id %q is not of the form area/operation/rule", u.ID)
		assert.False(t, checked[u.ID], "unchecked rule %s is a checked rule's id", u.ID)
		assert.False(t, seen[u.ID], "unchecked rule %s is listed twice", u.ID)
		seen[u.ID] = true
		for field, v := range map[string]string{"rule": u.Rule, "source": u.Source, "releases": u.Releases, "why": u.Why} {
			assert.NotEmpty(t, v, "unchecked rule %s has no %s", u.ID, field)
		}
	}
}
