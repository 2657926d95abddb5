package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Targets of issue 6.
const (
	maxClientRatio   = 1.15 // client time / bare net/http time
	maxClientAllocs  = 20   // extra allocations per call
	minMockShare     = 0.5  // mock (request validation on) / bare handler throughput
	maxScaleRatio    = 2.0  // page latency at 100,000 apps / at 100 apps
	maxHeapMB        = 150  // live heap of 100,000 apps
	maxSuiteDuration = 3 * time.Second
	minPrismFactor   = 10.0 // mock / Prism throughput
)

// Targets of issue 13.
const (
	maxStoreSlowdown = 1.5  // throughput at 0 apps / at 100,000 apps, per store and operation
	minSQLiteCreates = 2000 // creates per second with the embedded store
)

// clientRows: BenchmarkOverhead of package client.
func (r *runner) clientRows(ctx context.Context) ([]row, error) {
	bt := "2s"
	if r.quick {
		bt = "500ms"
	}
	set, err := r.goBench(ctx, "./client/", "^BenchmarkOverhead$", "-benchtime", bt)
	if err != nil {
		return nil, err
	}
	ops := []struct{ bench, label string }{
		{"GetOAuthApp", "GetOAuthApp"},
		{"GetOAuthApps60", "GetOAuthApps (60 apps)"},
		{"CreateOAuthApp", "CreateOAuthApp"},
	}
	var rows []row
	for _, op := range ops {
		m, ok := set["BenchmarkOverhead/"+op.bench]
		if !ok {
			return rows, fmt.Errorf("no result for BenchmarkOverhead/%s", op.bench)
		}
		v := m.Metrics
		ratio, extra := v["x-bare"], v["extra-allocs/op"]
		rows = append(rows, row{
			Area:    "client",
			Measure: op.label + ", default retry policy",
			Result: fmt.Sprintf("%s, %.0f allocs, %.1f KB", fmtDur(time.Duration(v["client-ns/op"])),
				v["client-allocs/op"], v["client-B/op"]/1024),
			Baseline: fmt.Sprintf("net/http+json %s, %.0f allocs, %.1f KB", fmtDur(time.Duration(v["bare-ns/op"])),
				v["bare-allocs/op"], v["bare-B/op"]/1024),
			Ratio:  fmt.Sprintf("%.2f×, %+.0f allocs", ratio, extra),
			Target: fmt.Sprintf("≤ %.2f×, ≤ +%d allocs", maxClientRatio, maxClientAllocs),
			Status: verdict(ratio <= maxClientRatio && extra <= maxClientAllocs),
		})
	}
	return rows, nil
}

// mockRows: BenchmarkThroughput of package mockserver, under a CPU profile
// that is then searched for start-up work done per request.
func (r *runner) mockRows(ctx context.Context) ([]row, error) {
	rounds := "5x"
	if r.quick {
		rounds = "1x"
	}
	profile := filepath.Join(r.tmp, "mock.cpu")
	set, err := r.goBench(ctx, "./mockserver/", "^BenchmarkThroughput$", "-benchtime", rounds,
		"-cpuprofile", profile, "-o", filepath.Join(r.tmp, "mockserver.test"))
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, op := range []string{"GetOAuthApp", "GetOAuthApps", "CreateOAuthApp", "GetAuthorizationServerMetadata"} {
		for _, conc := range []int{1, 8, 64} {
			name := fmt.Sprintf("BenchmarkThroughput/%s/c=%d", op, conc)
			m, ok := set[name]
			if !ok {
				return rows, fmt.Errorf("no result for %s", name)
			}
			v := m.Metrics
			label := op
			if op == "GetOAuthApps" {
				label += " (60 apps)"
			}
			share := v["on/bare"]
			rows = append(rows, row{
				Area:    "mock",
				Measure: fmt.Sprintf("%s, %d keep-alive client(s)", label, conc),
				Result: fmt.Sprintf("%s, p50 %s, p99 %s (validation off %s; + responses %s)",
					fmtRate(v["on-req/s"]), fmtMicros(v["on-p50-µs"]), fmtMicros(v["on-p99-µs"]),
					fmtRate(v["off-req/s"]), fmtRate(v["on+resp-req/s"])),
				Baseline: fmt.Sprintf("bare handler %s, p50 %s, p99 %s", fmtRate(v["bare-req/s"]),
					fmtMicros(v["bare-p50-µs"]), fmtMicros(v["bare-p99-µs"])),
				Ratio:  fmt.Sprintf("%.3f", share),
				Target: fmt.Sprintf("≥ %.2f", minMockShare),
				Status: verdict(share >= minMockShare),
			})
		}
	}
	startup, total, err := startupWork(ctx, r.goCmd, profile)
	if err != nil {
		return rows, err
	}
	rows = append(rows, row{
		Area:    "mock",
		Measure: "start-up work per request (CPU profile of the runs above)",
		Result: fmt.Sprintf("%s of %s under ServeHTTP in spec loading, routing tables, schema or regexp compilation",
			fmtDur(startup), fmtDur(total)),
		Target: "none",
		Status: verdict(startup == 0 && total > 0),
	})
	return rows, nil
}

// scaleRows: BenchmarkScale of package mockserver.
func (r *runner) scaleRows(ctx context.Context) ([]row, error) {
	bt := "1s"
	if r.quick {
		bt = "300ms"
	}
	set, err := r.goBench(ctx, "./mockserver/", "^BenchmarkScale$", "-benchtime", bt)
	if err != nil {
		return nil, err
	}
	median := func(n int) (float64, error) {
		v, ok := set.metric(fmt.Sprintf("BenchmarkScale/apps=%d", n), "median-µs")
		if !ok {
			return 0, fmt.Errorf("no result for BenchmarkScale/apps=%d", n)
		}
		return v, nil
	}
	small, err := median(100)
	if err != nil {
		return nil, err
	}
	rows := []row{{Area: "scale", Measure: "list a page of 60, 100 apps in the store", Result: fmtMicros(small) + " (median)"}}
	for _, n := range []int{10_000, 100_000} {
		v, err := median(n)
		if err != nil {
			return rows, err
		}
		rw := row{Area: "scale", Measure: fmt.Sprintf("list a page of 60 from the middle, %s apps", thousands(n)),
			Result: fmtMicros(v) + " (median)", Baseline: "100 apps " + fmtMicros(small), Ratio: fmt.Sprintf("%.2f×", v/small)}
		if n == 100_000 {
			rw.Target, rw.Status = fmt.Sprintf("≤ %.0f×", maxScaleRatio), verdict(v/small <= maxScaleRatio)
		}
		rows = append(rows, rw)
	}
	heap, ok1 := set.metric("BenchmarkScale/apps=100000", "heap-MB")
	total, ok2 := set.metric("BenchmarkScale/apps=100000", "total-heap-MB")
	if !ok1 || !ok2 {
		return rows, errors.New("no heap figures for 100,000 apps")
	}
	rows = append(rows, row{Area: "scale", Measure: "live heap of 100,000 apps",
		Result: fmt.Sprintf("%.1f MB (whole process %.1f MB)", heap, total),
		Target: fmt.Sprintf("≤ %d MB", maxHeapMB), Status: verdict(total <= maxHeapMB)})
	return rows, nil
}

// storeRows: BenchmarkStoreScale of package mockserver.
func (r *runner) storeRows(ctx context.Context) ([]row, error) {
	rounds := "2x"
	if r.quick {
		rounds = "1x"
	}
	set, err := r.goBench(ctx, "./mockserver/", "^BenchmarkStoreScale$", "-benchtime", rounds, "-timeout", "30m")
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, store := range []string{"memory", "sqlite", "postgres"} {
		for _, op := range []string{"create", "get"} {
			rate := func(n int) (float64, bool) {
				return set.metric("BenchmarkStoreScale/store="+store, fmt.Sprintf("%s-%d-req/s", op, n))
			}
			base, ok := rate(0)
			if !ok {
				rows = append(rows, row{Area: "stores", Measure: fmt.Sprintf("%s %s, 8 clients", store, op),
					Result: "not run (no PostgreSQL binaries; see the test log)", Status: statusSkipped})
				continue
			}
			for _, n := range storeScaleSizes {
				v, ok := rate(n)
				if !ok {
					return rows, fmt.Errorf("no result for %s %s at %d apps", store, op, n)
				}
				rw := row{Area: "stores", Measure: fmt.Sprintf("%s %s, 8 clients, %s apps", store, op, thousands(n)),
					Result: fmtRate(v)}
				var targets []string
				met := true
				if n > 0 {
					rw.Baseline, rw.Ratio = "0 apps "+fmtRate(base), fmt.Sprintf("%.2f× slower", base/v)
				}
				if n == storeScaleSizes[len(storeScaleSizes)-1] {
					targets = append(targets, fmt.Sprintf("≤ %.1f× slower", maxStoreSlowdown))
					met = met && base/v <= maxStoreSlowdown
				}
				if store == "sqlite" && op == "create" {
					targets = append(targets, fmt.Sprintf("≥ %d/s", minSQLiteCreates))
					met = met && v >= minSQLiteCreates
				}
				if len(targets) > 0 {
					rw.Target, rw.Status = strings.Join(targets, ", "), verdict(met)
				}
				rows = append(rows, rw)
			}
		}
	}
	return rows, nil
}

// storeScaleSizes are BenchmarkStoreScale's numbers of apps.
var storeScaleSizes = []int{0, 10_000, 100_000}

// conformanceRows: BenchmarkCatalogue of package conformance, and the CLI
// (mmoauth conformance: the four embedded mock configurations) timed as a
// process, as CI runs it.
func (r *runner) conformanceRows(ctx context.Context) ([]row, error) {
	set, err := r.goBench(ctx, "./conformance/", "^BenchmarkCatalogue$", "-benchtime", "3x")
	if err != nil {
		return nil, err
	}
	m, ok := set["BenchmarkCatalogue"]
	if !ok {
		return nil, errors.New("no result for BenchmarkCatalogue")
	}
	d := time.Duration(m.Metrics["ns/op"])
	rows := []row{{Area: "conformance", Measure: fmt.Sprintf("whole catalogue (%.0f checks), one stock mock, in process", m.Metrics["checks"]),
		Result: fmtDur(d) + " (mean of 3)", Target: "≤ " + fmtDur(maxSuiteDuration), Status: verdict(d <= maxSuiteDuration)}}

	cli := row{Area: "conformance", Measure: "`mmoauth conformance` (4 embedded mock configurations), process wall time",
		Target: "≤ " + fmtDur(maxSuiteDuration)}
	d, err = r.timeCLI(ctx)
	if err != nil {
		cli.Result, cli.Status = "not run: "+firstLine(err.Error()), statusFailed
		r.logf("mmoauth conformance: %v", err)
	} else {
		cli.Result, cli.Status = fmtDur(d)+" (median of 3)", verdict(d <= maxSuiteDuration)
	}
	return append(rows, cli), nil
}

// timeCLI builds cmd/mmoauth and times three runs of `mmoauth conformance`.
func (r *runner) timeCLI(ctx context.Context) (time.Duration, error) {
	bin := filepath.Join(r.tmp, "mmoauth")
	build := exec.CommandContext(ctx, r.goCmd, "build", "-o", bin, "./cmd/mmoauth") //nolint:gosec // G204: the go tool
	build.Dir, build.Stderr = r.root, os.Stderr
	if err := build.Run(); err != nil {
		return 0, fmt.Errorf("building cmd/mmoauth: %w", err)
	}
	var took []time.Duration
	for range 3 {
		cmd := exec.CommandContext(ctx, bin, "conformance") //nolint:gosec // G204: the binary just built
		cmd.Dir = r.tmp
		t0 := time.Now()
		out, err := cmd.CombinedOutput()
		took = append(took, time.Since(t0))
		if err != nil {
			return 0, fmt.Errorf("%w: %s", err, lastLine(string(out)))
		}
	}
	slices.Sort(took)
	return took[1], nil
}

func lastLine(s string) string {
	lines := slices.DeleteFunc(strings.Split(s, "\n"), func(l string) bool { return l == "" })
	if len(lines) == 0 {
		return ""
	}
	return lines[len(lines)-1]
}

// thousands writes n with comma separators (100000 → 100,000).
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
