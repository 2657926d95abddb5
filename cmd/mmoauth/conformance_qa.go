package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/conformance"
)

// qaFlags are the conformance flags of the daily QA workflow: a baseline
// of known failures, an exchange log, and -v.
type qaFlags struct {
	baseline, writeBaseline, harFile string
	strictBaseline, verbose          bool

	known  *conformance.Baseline // read by validate
	harOut *os.File
	harLog *conformance.HARWriter
}

// lockedWriter serialises the lines of -v and of the progress, which come
// from the goroutines of the checks.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (q *qaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&q.baseline, "baseline", "", "known failures `file` (JSON): they are reported as known and do not fail the run")
	fs.BoolVar(&q.strictBaseline, "strict-baseline", false, "fail the run when a check of the baseline passes (so that baselines shrink)")
	fs.StringVar(&q.writeBaseline, "write-baseline", "", "write this run's failures as a baseline `file`")
	fs.StringVar(&q.harFile, "har", "", "write every exchange of the run, redacted, as a HAR 1.2 `file`")
	fs.BoolVar(&q.verbose, "v", false, "print each exchange on stderr as it happens (redacted)")
	fs.BoolVar(&q.verbose, "verbose", false, "same as -v")
}

// validate reads the baseline and checks the output paths, before any
// request is sent.
func (q *qaFlags) validate() error {
	if q.strictBaseline && q.baseline == "" {
		return usagef("--strict-baseline: only with --baseline FILE")
	}
	if q.baseline != "" {
		f, err := os.Open(q.baseline)
		if err != nil {
			return usagef("--baseline: %v", err)
		}
		q.known, err = conformance.ReadBaseline(f, nil)
		_ = f.Close()
		if err != nil {
			return usagef("--baseline: %s: %v", q.baseline, err)
		}
	}
	for _, f := range []struct{ name, path string }{{"--write-baseline", q.writeBaseline}, {"--har", q.harFile}} {
		if err := checkReportPath(f.name, f.path); err != nil {
			return err
		}
	}
	if q.harFile != "" && q.harFile == q.writeBaseline {
		return usagef("--har: %q is also the --write-baseline file", q.harFile)
	}
	return nil
}

// options sets the exchange hooks on opts and opens the HAR file.
func (q *qaFlags) options(opts *conformance.Options, stderr io.Writer) error {
	var hooks []func(conformance.ExchangeRecord)
	if q.harFile != "" {
		f, err := os.Create(q.harFile) //nolint:gosec // G703: the user names the log file
		if err != nil {
			return fmt.Errorf("--har: %w", err)
		}
		q.harOut = f
		if q.harLog, err = conformance.NewHARWriter(f, moduleVersion()); err != nil {
			return fmt.Errorf("--har: %w", err)
		}
		hooks = append(hooks, q.harLog.Add)
	}
	if q.verbose {
		// One line per exchange and one per finished check, in one
		// stream: the rewritten progress line would garble it.
		lw := &lockedWriter{w: stderr}
		opts.Progress, opts.ProgressLines = nil, lw
		hooks = append(hooks, func(rec conformance.ExchangeRecord) { printExchange(lw, rec) })
	}
	if len(hooks) > 0 {
		opts.OnExchange = func(rec conformance.ExchangeRecord) {
			for _, h := range hooks {
				h(rec)
			}
		}
	}
	return nil
}

// printExchange is one -v line: the check, the request line, the identity,
// the outcome and the time, all redacted.
func printExchange(w io.Writer, rec conformance.ExchangeRecord) {
	ex := rec.Exchange
	who := string(ex.As)
	if who == "" {
		who = "unknown identity"
	}
	check := rec.Check
	if check == "" {
		check = "setup/cleanup"
	}
	fmt.Fprintf(w, "mmoauth conformance: [%s] %s as %s -> %s in %s\n", check, ex.RequestLine(), who, ex.Outcome(), ex.Duration.Round(10*time.Microsecond))
}

// finish closes the HAR log, applies the baseline and writes the new one.
func (q *qaFlags) finish(rep *conformance.Report) error {
	var errs []error
	if q.harLog != nil {
		if err := q.harLog.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--har: writing %s: %w", q.harFile, err))
		}
		if err := q.harOut.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--har: %w", err))
		}
	}
	if rep == nil {
		return errors.Join(errs...)
	}
	if q.known != nil {
		rep.ApplyBaseline(q.known, q.baseline, q.strictBaseline)
	}
	if q.writeBaseline != "" {
		f, err := os.Create(q.writeBaseline)
		if err == nil {
			err = rep.CurrentBaseline(q.known).WriteBaseline(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--write-baseline: %w", err))
		}
	}
	return errors.Join(errs...)
}
