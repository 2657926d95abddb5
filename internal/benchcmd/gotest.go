package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// benchLine is one result line of `go test -bench`: the name without the
// -GOMAXPROCS suffix, and every "value unit" pair (ns/op, B/op, custom
// metrics from b.ReportMetric).
type benchLine struct {
	Name    string
	N       int
	Metrics map[string]float64
}

// procsSuffix is the "-2" go test appends to benchmark names.
var procsSuffix = regexp.MustCompile(`-\d+$`)

// parseBench reads the result lines of `go test -bench` output; other lines
// (goos, PASS, logs) are skipped.
func parseBench(out []byte) []benchLine {
	var lines []benchLine
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		bl := benchLine{Name: procsSuffix.ReplaceAllString(f[0], ""), N: n, Metrics: map[string]float64{}}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			bl.Metrics[f[i+1]] = v
		}
		lines = append(lines, bl)
	}
	return lines
}

// benchSet indexes parsed lines by name.
type benchSet map[string]benchLine

func (s benchSet) metric(name, unit string) (float64, bool) {
	l, ok := s[name]
	if !ok {
		return 0, false
	}
	v, ok := l.Metrics[unit]
	return v, ok
}

// goBench runs one package's benchmarks matching pattern (tests skipped) and
// returns the parsed results. extra are more go test flags (-benchtime,
// -cpuprofile...). Output goes to the log as it comes, so a long run shows
// progress.
func (r *runner) goBench(ctx context.Context, pkg, pattern string, extra ...string) (benchSet, error) {
	args := append([]string{"test", "-run", "^$", "-bench", pattern}, extra...)
	args = append(args, pkg)
	r.logf("$ %s %s", r.goCmd, strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, r.goCmd, args...) //nolint:gosec // G204: the go tool with our own arguments
	cmd.Dir = r.root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		tail := out.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return nil, fmt.Errorf("go test %s: %w\n%s", pkg, err, tail)
	}
	set := benchSet{}
	for _, l := range parseBench(out.Bytes()) {
		set[l.Name] = l
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("go test %s: no benchmark matched %s", pkg, pattern)
	}
	return set, nil
}
