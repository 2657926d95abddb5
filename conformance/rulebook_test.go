package conformance_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
)

var update = flag.Bool("update", false, "rewrite docs/RULES.md from the catalogue")

const ruleBookPath = "../docs/RULES.md"

// TestRuleBookUpToDate fails when docs/RULES.md is not what the catalogue
// and the deviation cases generate; `go generate ./conformance` rewrites it.
func TestRuleBookUpToDate(t *testing.T) {
	deviations := map[string][]string{}
	rules := map[string]string{}
	for _, tc := range deviationCases {
		for _, id := range tc.intended {
			deviations[id] = append(deviations[id], tc.name)
		}
		if len(tc.setup.devs) == 1 {
			rules[tc.name] = tc.setup.devs[0].Replaces()
		}
	}
	for _, id := range rfcStrictBaseline {
		deviations[id] = append(deviations[id], "faithful mock (stock Mattermost breaks this RFC rule)")
	}
	var buf bytes.Buffer
	book := conformance.RuleBook(conformance.Catalogue(), deviations)
	for i := range book {
		book[i].DeviationRules = rules
	}
	require.NoError(t, conformance.WriteRuleBook(&buf, book))
	if *update {
		require.NoError(t, os.WriteFile(ruleBookPath, buf.Bytes(), 0o644))
		return
	}
	got, err := os.ReadFile(ruleBookPath)
	require.NoError(t, err, "docs/RULES.md is missing: run go generate ./conformance")
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatal("docs/RULES.md is stale: run go generate ./conformance")
	}
}
