package conformance_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

const issuerCheck = "rfc8414/metadata/issuer-matches-url"

func readBaseline(t *testing.T, text string) *conformance.Baseline {
	t.Helper()
	b, err := conformance.ReadBaseline(strings.NewReader(text), nil)
	require.NoError(t, err)
	return b
}

// TestBaseline: a known failure does not fail the run; an entry whose check
// passes is fixed, which fails the run only with a strict baseline.
func TestBaseline(t *testing.T) {
	broken := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevWrongIssuer}})
	faithful := startMock(t, mockSetup{})
	opts := conformance.Options{Only: []string{"rfc8414/**"}}
	baseline := `{"known_failures": [{"id": "` + issuerCheck + `", "reason": "our proxy adds a slash", "release": ""}]}`

	tests := []struct {
		name       string
		target     conformance.Target
		strict     bool
		wantStatus conformance.Status
		wantOK     bool
	}{
		{"known failure passes the run", broken, false, conformance.StatusKnown, true},
		{"known failure, strict: still passes", broken, true, conformance.StatusKnown, true},
		{"fixed entry passes the run", faithful, false, conformance.StatusFixed, true},
		{"fixed entry, strict: fails the run", faithful, true, conformance.StatusFixed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := run(t, opts, tt.target)
			rep.ApplyBaseline(readBaseline(t, baseline), "known.json", tt.strict)
			res, ok := rep.Result(issuerCheck)
			require.True(t, ok)
			assert.Equal(t, tt.wantStatus, res.Status)
			assert.Contains(t, res.Reason, "our proxy adds a slash")
			assert.Equal(t, tt.wantOK, rep.OK(), rep.Problems)

			var text bytes.Buffer
			require.NoError(t, rep.WriteText(&text))
			assert.Contains(t, text.String(), "baseline: ")
			assert.Contains(t, text.String(), issuerCheck)

			var junit bytes.Buffer
			require.NoError(t, rep.WriteJUnit(&junit))
			var doc struct {
				Suites []struct {
					Cases []struct {
						Name    string `xml:"name,attr"`
						Skipped *struct {
							Message string `xml:"message,attr"`
						} `xml:"skipped"`
						Failure   *struct{} `xml:"failure"`
						SystemOut string    `xml:"system-out"`
					} `xml:"testcase"`
				} `xml:"testsuite"`
			}
			require.NoError(t, xml.Unmarshal(junit.Bytes(), &doc))
			found := false
			for _, s := range doc.Suites {
				for _, c := range s.Cases {
					if c.Name != issuerCheck {
						continue
					}
					found = true
					assert.Nil(t, c.Failure)
					if tt.wantStatus == conformance.StatusKnown {
						require.NotNil(t, c.Skipped)
						assert.Contains(t, c.Skipped.Message, "known failure")
						assert.Contains(t, c.SystemOut, "KNOWN FAILURE")
					} else {
						assert.Contains(t, c.SystemOut, "FIXED")
					}
				}
			}
			assert.True(t, found)
		})
	}
}

// TestBaselineRelease: an entry for another release does not apply.
func TestBaselineRelease(t *testing.T) {
	broken := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevWrongIssuer}})
	rep := run(t, conformance.Options{Only: []string{issuerCheck}}, broken)
	rep.ApplyBaseline(readBaseline(t, `{"known_failures": [{"id": "`+issuerCheck+`", "release": "1.0"}]}`), "b.json", false)
	res, _ := rep.Result(issuerCheck)
	assert.Equal(t, conformance.StatusFail, res.Status)
	assert.False(t, rep.OK())
}

// TestCurrentBaseline: the written baseline lists the failures, keeps the
// notes of known ones, and reads back.
func TestCurrentBaseline(t *testing.T) {
	broken := startMock(t, mockSetup{devs: []mockserver.Deviation{mockserver.DevWrongIssuer}})
	rep := run(t, conformance.Options{Only: []string{"rfc8414/**"}}, broken)
	cur := rep.CurrentBaseline(nil)
	require.NotEmpty(t, cur.KnownFailures)
	ids := map[string]conformance.KnownFailure{}
	for _, kf := range cur.KnownFailures {
		ids[kf.ID] = kf
	}
	require.Contains(t, ids, issuerCheck)
	assert.NotEmpty(t, ids[issuerCheck].Reason, "the first failure message")

	var buf bytes.Buffer
	require.NoError(t, cur.WriteBaseline(&buf))
	back, err := conformance.ReadBaseline(&buf, nil)
	require.NoError(t, err)
	assert.Equal(t, cur, back)

	rep.ApplyBaseline(back, "b.json", true)
	assert.True(t, rep.OK(), rep.Problems)
	kept := rep.CurrentBaseline(readBaseline(t, `{"known_failures": [{"id": "`+issuerCheck+`", "reason": "mine", "release": "11.6"}]}`))
	for _, kf := range kept.KnownFailures {
		if kf.ID == issuerCheck {
			assert.Equal(t, conformance.KnownFailure{ID: issuerCheck, Reason: "mine", Release: "11.6"}, kf)
		}
	}
}

func TestReadBaselineRefusesBadFiles(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"not JSON", `{"known_failures": [`, "not JSON"},
		{"wrong shape", `["x"]`, "not a baseline"},
		{"unknown member", `{"known_failures": [], "extra": 1}`, "not a baseline"},
		{"unknown check id", `{"known_failures": [{"id": "no/such/check"}]}`, `entry 1: unknown check id "no/such/check"`},
		{"no id", `{"known_failures": [{"reason": "x"}]}`, "entry 1: no id"},
		{"twice", `{"known_failures": [{"id": "` + issuerCheck + `"}, {"id": "` + issuerCheck + `"}]}`, "entry 2"},
		{"two documents", `{"known_failures": []} {}`, "more than one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conformance.ReadBaseline(strings.NewReader(tt.text), nil)
			var be *conformance.BaselineError
			require.ErrorAs(t, err, &be)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}
