package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// startupFuncs are the functions that build what the mock needs before its
// first request: parsing and validating the document (spec.Load →
// openapi3.Loader, T.Validate), building the route trie and compiling the
// route patterns (spec.NewValidator, newRouter, regexp.Compile), and the
// server itself (mockserver.New). Under ServeHTTP they must not appear.
var startupFuncs = regexp.MustCompile(`^(github\.com/mmoauth/mmoauth/spec\.(Load|NewValidator|newRouter)` +
	`|github\.com/getkin/kin-openapi/openapi3\.\(\*Loader\)\..*` +
	`|github\.com/getkin/kin-openapi/openapi3\.\(\*T\)\.Validate` +
	`|regexp\.(Must)?Compile` +
	`|github\.com/mmoauth/mmoauth/mockserver\.New)$`)

// startupWork reads a CPU profile with go tool pprof, focused on the mock's
// ServeHTTP, and returns the time spent there in start-up functions and the
// total time under ServeHTTP.
func startupWork(ctx context.Context, goCmd, profile string) (startup, total time.Duration, err error) {
	cmd := exec.CommandContext(ctx, goCmd, "tool", "pprof", "-top", "-cum", "-nodecount=1000000", //nolint:gosec // G204: the go tool
		`-focus=mockserver\.\(\*Server\)\.ServeHTTP$`, profile)
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, fmt.Errorf("go tool pprof: %w", err)
	}
	return parsePprofTop(out)
}

// parsePprofTop reads `pprof -top -cum` output: the total from "Showing
// nodes accounting for X, P% of Y total" (X: what the focus kept), and the
// largest cumulative time among start-up functions (they nest, so the
// largest covers the others).
func parsePprofTop(out []byte) (startup, total time.Duration, err error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	foundTotal := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if rest, ok := strings.CutPrefix(line, "Showing nodes accounting for "); ok {
			first, _, _ := strings.Cut(rest, ",")
			if total, err = parsePprofDuration(first); err != nil {
				return 0, 0, err
			}
			foundTotal = true
			continue
		}
		f := strings.Fields(line)
		// flat flat% sum% cum cum% name (the name may contain spaces)
		if len(f) < 6 || !strings.HasSuffix(f[1], "%") {
			continue
		}
		name := strings.Join(f[5:], " ")
		if !startupFuncs.MatchString(name) {
			continue
		}
		cum, err := parsePprofDuration(f[3])
		if err != nil {
			return 0, 0, err
		}
		startup = max(startup, cum)
	}
	if !foundTotal {
		return 0, 0, fmt.Errorf("no samples under ServeHTTP in the profile")
	}
	return startup, total, sc.Err()
}

// parsePprofDuration reads pprof's time values: 0, 10ms, 1.20s, 2.5mins, 1hrs.
func parsePprofDuration(s string) (time.Duration, error) {
	s = strings.NewReplacer("mins", "m", "hrs", "h").Replace(strings.TrimSpace(s))
	if s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("pprof value %q: %w", s, err)
	}
	return d, nil
}
