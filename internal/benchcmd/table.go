package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// row is one line of the report table.
type row struct {
	Area     string // client, mock, scale, conformance, prism
	Measure  string // what was measured
	Result   string
	Baseline string // what it is compared with ("" if nothing)
	Ratio    string // result against baseline, in the unit of the target
	Target   string // "" for figures without a target
	Status   string // met, MISSED, skipped, failed, or "" (no target)
}

// Statuses.
const (
	statusMet     = "met"
	statusMissed  = "MISSED"
	statusSkipped = "skipped"
	statusFailed  = "failed"
)

func verdict(ok bool) string {
	if ok {
		return statusMet
	}
	return statusMissed
}

var header = row{"area", "measure", "result", "baseline", "ratio", "target", "status"}

// writeTable prints rows as one Markdown table, columns padded so it also
// reads well in a terminal.
func writeTable(w io.Writer, rows []row) error {
	all := append([]row{header}, rows...)
	cells := func(r row) []string {
		return []string{r.Area, r.Measure, r.Result, r.Baseline, r.Ratio, r.Target, r.Status}
	}
	width := make([]int, len(cells(header)))
	for _, r := range all {
		for i, c := range cells(r) {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(cs []string) {
		b.WriteString("|")
		for i, c := range cs {
			b.WriteString(" " + c + strings.Repeat(" ", width[i]-len([]rune(c))) + " |")
		}
		b.WriteString("\n")
	}
	line(cells(header))
	sep := make([]string, len(width))
	for i, n := range width {
		sep[i] = strings.Repeat("-", n)
	}
	line(sep)
	for _, r := range rows {
		line(cells(r))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Formatting helpers: short, fixed units so columns compare at a glance.

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	}
}

func fmtMicros(us float64) string { return fmtDur(time.Duration(us * float64(time.Microsecond))) }

func fmtRate(perSec float64) string {
	if perSec >= 10_000 {
		return fmt.Sprintf("%.1fk/s", perSec/1000)
	}
	return fmt.Sprintf("%.0f/s", perSec)
}
