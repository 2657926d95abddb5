package main

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/examples/internal/exampletest"
	"github.com/mmoauth/mmoauth/mockserver"
)

// junit is the part of the JUnit XML report the test reads.
type junit struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Suites   []struct {
		Name  string `xml:"name,attr"`
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// parse checks the summary line and decodes the XML that follows it.
func parse(t *testing.T, lines []string) junit {
	t.Helper()
	require.GreaterOrEqual(t, len(lines), 2)
	assert.Regexp(t, `^checks: \d+ passed, 0 failed, \d+ warned, \d+ skipped$`, lines[0])
	var report junit
	require.NoError(t, xml.Unmarshal([]byte(strings.Join(lines[1:], "\n")), &report))
	assert.Zero(t, report.Failures)
	return report
}

func TestEmbedded(t *testing.T) {
	lines := exampletest.Run(t, run)
	assert.Regexp(t, `^server: embedded mock Mattermost at http://127\.0\.0\.1:\d+$`, lines[0])
	// The evidence of warnings quotes ids, so the report is checked for the
	// seeded tokens (the embedded mocks use the default seed) rather than for
	// anything id-shaped.
	out := strings.Join(lines, "\n")
	for _, u := range mockserver.DefaultUsers() {
		assert.NotContains(t, out, u.Token)
	}
	report := parse(t, lines[1:])

	// Every check of the catalogue is in the report, one suite per category.
	assert.Equal(t, len(conformance.Catalogue()), report.Tests)
	var names []string
	for _, s := range report.Suites {
		names = append(names, s.Name)
	}
	for _, c := range conformance.Categories() {
		assert.Contains(t, names, string(c))
	}
}

func TestAgainstServer(t *testing.T) {
	ts := mockserver.NewTestServer(t, exampletest.DCRConfig())
	lines := exampletest.RunAgainst(t, run, ts, ts.Identities.SystemAdmin.Token, "-only", "rfc8414/**")
	report := parse(t, lines)
	ran := 0
	for _, s := range report.Suites {
		for _, c := range s.Cases {
			assert.True(t, conformance.MatchID("rfc8414/**", c.Name), c.Name)
			ran++
		}
	}
	assert.Positive(t, ran)
}

func TestUsage(t *testing.T) {
	exampletest.UsageCases(t, run)
}
