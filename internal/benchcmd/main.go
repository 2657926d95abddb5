// Command benchcmd runs every benchmark of the project and prints one table
// (make bench; docs/BENCHMARKS.md explains each row and records the latest
// run):
//
//	go run ./internal/benchcmd                 # everything, about 3 minutes
//	go run ./internal/benchcmd -only client,scale
//	go run ./internal/benchcmd -only stores    # the store-scale section alone
//	go run ./internal/benchcmd -only prism     # the Prism comparison alone
//	go run ./internal/benchcmd -quick          # one round, shorter runs
//
// Sections: client (client overhead against bare net/http), mock (mock
// throughput and latency against a bare handler, with a CPU profile checked
// for start-up work done per request), scale (list latency and heap at 100
// to 100,000 apps), stores (create and get throughput with the memory,
// SQLite and Postgres stores at 0, 10,000 and 100,000 apps; Postgres is a
// throw-away server, skipped without the binaries), conformance (the whole
// catalogue's wall time), prism
// (the mock against Stoplight Prism 5.16, installed with npm into a
// temporary folder; skipped with the reason when npm is not there or the
// registry is unreachable) and proxy (the validating proxy's latency against
// a bare httputil.ReverseProxy and Prism's proxy mode, in front of the same
// mock). Go benchmarks run one package at a time, never in
// parallel, so they do not compete for the CPU.
//
// The exit code is 0 when everything ran, whether or not targets were met
// (timings are reported, never asserted); 1 when a section could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strings"
	"time"
)

// sections in the order they run.
var sections = []string{"client", "mock", "scale", "stores", "conformance", "prism", "proxy"}

type runner struct {
	goCmd string    // the go tool ($GO or "go")
	root  string    // the module root
	tmp   string    // scratch folder, removed at the end
	quick bool      // fewer rounds, shorter runs
	log   io.Writer // progress (stderr)
	// prismDir is where Prism was installed, prismSkip why it could not
	// be (installPrism; shared by the prism and proxy sections).
	prismDir, prismSkip string
}

func (r *runner) logf(format string, args ...any) {
	_, _ = fmt.Fprintf(r.log, "benchcmd: "+format+"\n", args...)
}

func main() {
	only := flag.String("only", strings.Join(sections, ","), "comma-separated sections to run: "+strings.Join(sections, ", "))
	quick := flag.Bool("quick", false, "one round and shorter runs (a rough table in about a minute)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, *only, *quick, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, only string, quick bool, out, log io.Writer) int {
	want := map[string]bool{}
	for s := range strings.SplitSeq(only, ",") {
		s = strings.TrimSpace(s)
		if !contains(sections, s) {
			_, _ = fmt.Fprintf(log, "benchcmd: unknown section %q (have %s)\n", s, strings.Join(sections, ", "))
			return 2
		}
		want[s] = true
	}
	r := &runner{goCmd: envOr("GO", "go"), quick: quick, log: log}
	var err error
	if r.root, err = moduleRoot(ctx, r.goCmd); err != nil {
		r.logf("%v", err)
		return 1
	}
	if r.tmp, err = os.MkdirTemp("", "mmoauth-bench-*"); err != nil {
		r.logf("%v", err)
		return 1
	}
	defer func() { _ = os.RemoveAll(r.tmp) }()

	started := time.Now()
	loadBefore := loadAverage()
	steps := map[string]func(context.Context) ([]row, error){
		"client":      r.clientRows,
		"mock":        r.mockRows,
		"scale":       r.scaleRows,
		"stores":      r.storeRows,
		"conformance": r.conformanceRows,
		"prism":       r.prismRows,
		"proxy":       r.proxyRows,
	}
	var rows []row
	failed := false
	for _, s := range sections {
		if !want[s] {
			continue
		}
		r.logf("== %s", s)
		got, err := steps[s](ctx)
		if err != nil {
			r.logf("%s: %v", s, err)
			got = append(got, row{Area: s, Measure: "(section)", Result: firstLine(err.Error()), Status: statusFailed})
			failed = true
		}
		rows = append(rows, got...)
		if ctx.Err() != nil {
			break
		}
	}

	_, _ = fmt.Fprintf(out, "\nmachine: %s; load average %s at start, %s at end; took %s\n\n",
		machine(), loadBefore, loadAverage(), time.Since(started).Round(time.Second))
	if err := writeTable(out, rows); err != nil {
		r.logf("%v", err)
		return 1
	}
	met, targets := 0, 0
	for _, rw := range rows {
		if rw.Target != "" && (rw.Status == statusMet || rw.Status == statusMissed) {
			targets++
			if rw.Status == statusMet {
				met++
			}
		}
	}
	_, _ = fmt.Fprintf(out, "\n%d of %d targets met.\n", met, targets)
	if failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// moduleRoot is the folder of the main module's go.mod.
func moduleRoot(ctx context.Context, goCmd string) (string, error) {
	out, err := exec.CommandContext(ctx, goCmd, "list", "-m", "-f", "{{.Dir}}").Output() //nolint:gosec // G204: the go tool
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// machine describes where the numbers come from: CPUs, CPU model, Go.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s %s/%s", runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadAverage is the 1-minute load average: other processes on a shared
// machine move the numbers, and this says how busy it was.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
