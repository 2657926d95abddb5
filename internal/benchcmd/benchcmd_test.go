package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseBench(t *testing.T) {
	t.Parallel()
	out := []byte(`goos: linux
cpu: Intel(R) Xeon(R) Processor @ 2.50GHz
BenchmarkOverhead/GetOAuthApp-2     6108   273689 ns/op   9316 bare-B/op   1.050 x-bare
BenchmarkThroughput/GetOAuthApps/c=8-16   3   1213016390 ns/op   0.2233 on/bare   4708 on-req/s
BenchmarkBroken-2   notanumber   12 ns/op
BenchmarkOdd-2   1   12 ns/op   7
--- FAIL: BenchmarkX
PASS
ok  	github.com/mmoauth/mmoauth/client	11.719s
`)
	got := parseBench(out)
	require.Len(t, got, 2)
	assert.Equal(t, benchLine{Name: "BenchmarkOverhead/GetOAuthApp", N: 6108,
		Metrics: map[string]float64{"ns/op": 273689, "bare-B/op": 9316, "x-bare": 1.05}}, got[0])
	assert.Equal(t, "BenchmarkThroughput/GetOAuthApps/c=8", got[1].Name)
	assert.InDelta(t, 0.2233, got[1].Metrics["on/bare"], 1e-9)

	set := benchSet{got[0].Name: got[0]}
	v, ok := set.metric("BenchmarkOverhead/GetOAuthApp", "x-bare")
	assert.True(t, ok)
	assert.InDelta(t, 1.05, v, 1e-9)
	_, ok = set.metric("BenchmarkOverhead/GetOAuthApp", "nope")
	assert.False(t, ok)
	_, ok = set.metric("BenchmarkNope", "x-bare")
	assert.False(t, ok)
}

func TestParsePprofTop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		out           string
		startup, tot  time.Duration
		wantErrSubstr string
	}{
		{
			name: "no start-up work",
			out: `Active filters:
   focus=mockserver\.\(\*Server\)\.ServeHTTP$
Showing nodes accounting for 3.47s, 40.12% of 8.65s total
      flat  flat%   sum%        cum   cum%
         0     0%     0%      3.47s 40.12%  github.com/mmoauth/mmoauth/mockserver.(*Server).ServeHTTP
     0.01s  0.12%  0.12%      0.85s  9.83%  github.com/mmoauth/mmoauth/spec.(*Validator).ValidateRequest
`,
			tot: 3470 * time.Millisecond,
		},
		{
			name: "spec loaded per request",
			out: `Showing nodes accounting for 2s, 40% of 5s total
      flat  flat%   sum%        cum   cum%
         0     0%     0%      2s 40%  github.com/mmoauth/mmoauth/mockserver.(*Server).ServeHTTP
         0     0%     0%      1.20s 24%  github.com/mmoauth/mmoauth/spec.Load
         0     0%     0%      900ms 18%  github.com/getkin/kin-openapi/openapi3.(*Loader).LoadFromData
         0     0%     0%      10ms 0.2%  regexp.Compile
`,
			startup: 1200 * time.Millisecond, tot: 2 * time.Second,
		},
		{
			name:          "no samples",
			out:           "Main binary filename not available.\n",
			wantErrSubstr: "no samples",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			startup, total, err := parsePprofTop([]byte(tt.out))
			if tt.wantErrSubstr != "" {
				require.ErrorContains(t, err, tt.wantErrSubstr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.startup, startup)
			assert.Equal(t, tt.tot, total)
		})
	}
}

func TestParsePprofDuration(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{
		"0": 0, "10ms": 10 * time.Millisecond, "1.20s": 1200 * time.Millisecond,
		"2.5mins": 150 * time.Second, "1hrs": time.Hour, "250us": 250 * time.Microsecond,
	} {
		got, err := parsePprofDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := parsePprofDuration("lots")
	assert.Error(t, err)
}

func TestStartupFuncs(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"github.com/mmoauth/mmoauth/spec.Load":                          true,
		"github.com/mmoauth/mmoauth/spec.NewValidator":                  true,
		"github.com/mmoauth/mmoauth/spec.newRouter":                     true,
		"github.com/getkin/kin-openapi/openapi3.(*Loader).LoadFromData": true,
		"github.com/getkin/kin-openapi/openapi3.(*T).Validate":          true,
		"regexp.Compile":                                                   true,
		"regexp.MustCompile":                                               true,
		"github.com/mmoauth/mmoauth/mockserver.New":                        true,
		"github.com/mmoauth/mmoauth/mockserver.newCall":                    false,
		"github.com/mmoauth/mmoauth/spec.(*Validator).ValidateRequest":     false,
		"github.com/getkin/kin-openapi/openapi3.(*Schema).VisitJSON":       false,
		"regexp.(*Regexp).MatchString":                                     false,
		"github.com/mmoauth/mmoauth/mockserver.(*Server).ServeHTTP":        false,
		"github.com/getkin/kin-openapi/openapi3filter.ValidateRequestBody": false,
	} {
		assert.Equal(t, want, startupFuncs.MatchString(name), name)
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	require.NoError(t, writeTable(&b, []row{
		{Area: "client", Measure: "GetOAuthApp", Result: "75 µs", Baseline: "72 µs", Ratio: "1.05×", Target: "≤ 1.15×", Status: statusMet},
		{Area: "prism", Measure: "x", Result: "skipped: npm is not installed", Status: statusSkipped},
	}))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.True(t, strings.HasPrefix(lines[0], "| area "), lines[0])
	assert.True(t, strings.HasPrefix(lines[1], "| ---"), lines[1])
	for _, l := range lines {
		assert.Equal(t, len([]rune(lines[0])), len([]rune(l)), "columns are aligned: %q", l)
		assert.Equal(t, 8, strings.Count(l, "|"), l)
	}
	assert.Contains(t, lines[2], "| met ")
}

func TestFormatting(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "75 µs", fmtDur(75*time.Microsecond))
	assert.Equal(t, "1.50 ms", fmtDur(1500*time.Microsecond))
	assert.Equal(t, "2.00 s", fmtDur(2*time.Second))
	assert.Equal(t, "250 µs", fmtMicros(250))
	assert.Equal(t, "9999/s", fmtRate(9999))
	assert.Equal(t, "12.3k/s", fmtRate(12_345))
	assert.Equal(t, "100,000", thousands(100_000))
	assert.Equal(t, "100", thousands(100))
	assert.Equal(t, "1,000,000", thousands(1_000_000))
	assert.Equal(t, "last", lastLine("first\nlast\n\n"))
	assert.Empty(t, lastLine(""))
	assert.Equal(t, "one", firstLine("one\ntwo"))
}
