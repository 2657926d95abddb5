package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
)

// abandonGrace is how long the runner waits for a check to notice that the
// run was cancelled before it gives up on it, so that a stuck check can
// never hang the run.
const abandonGrace = 2 * time.Second

// maxEvidence caps the exchanges kept on a result that did not pass.
const maxEvidence = 25

// Run runs the checks of opts against the targets and returns the report.
//
// Each check runs once, on the first target whose identities and settings
// meet its needs (the embedded mock is several targets, one per
// configuration); a check no target can serve is skipped with the reason.
// Every app a check creates is deleted when the check ends — normally, on a
// failure, on a panic, or when ctx is cancelled — and a final sweep deletes
// anything left. The error is non-nil only when the run could not start
// (bad options, or a *SetupError: a target unreachable, not Mattermost, a
// token refused); a cancelled run still returns its report.
func Run(ctx context.Context, opts Options, targets ...Target) (*Report, error) {
	opts = opts.withDefaults()
	if len(targets) == 0 {
		return nil, errors.New("no target")
	}
	seen := map[string]bool{}
	for i := range opts.Checks {
		if err := opts.Checks[i].validate(); err != nil {
			return nil, err
		}
		if seen[opts.Checks[i].ID] {
			return nil, fmt.Errorf("duplicate check id %s", opts.Checks[i].ID)
		}
		seen[opts.Checks[i].ID] = true
	}
	checks, err := Select(opts.Checks, opts.Only, opts.Skip)
	if err != nil {
		return nil, err
	}

	report := &Report{Started: time.Now(), Strict: opts.Strict, ReadOnly: opts.ReadOnly, RunID: newRunID(),
		Target: opts.Label, FailOnSkip: opts.FailOnSkip, MinChecks: opts.MinChecks}
	if report.Target == "" {
		report.Target = targetLabel(targets)
	}
	runCtx, cancel := context.WithTimeout(ctx, opts.MaxTime)
	defer cancel()

	probeScope := slices.ContainsFunc(checks, func(c Check) bool { return c.Needs.CreatorScoped })
	sc := newScrubber()
	var envs []*env
	// The final sweep also runs if something below panics.
	defer func() {
		for _, e := range envs {
			e.cleanup(ctx, "", true)
		}
	}()
	for _, tg := range targets {
		e, err := newEnv(tg, &opts, sc)
		if err != nil {
			return nil, err
		}
		e.runID = report.RunID
		envs = append(envs, e)
		if err := e.setup(runCtx, probeScope); err != nil {
			if ctx.Err() != nil {
				return nil, &SetupError{Target: e.baseURL, Reason: "cancelled during setup"}
			}
			return nil, err
		}
		if n := releaseNote(e.version); n != "" {
			e.note("%s", n)
		}
	}

	results := make([]Result, len(checks))
	var jobs []job
	for i := range checks {
		c := &checks[i]
		e, reason, blockedBy := assign(envs, c.Needs)
		switch na := notApplicable(c, envs[0].version); {
		case na != "":
			results[i] = newResult(c, StatusSkip, na)
		case e != nil:
			jobs = append(jobs, job{index: i, check: c, env: e})
		case blockedBy != "":
			results[i] = newResult(c, StatusBlocked, reason)
			results[i].BlockedBy = blockedBy
		default:
			results[i] = newResult(c, StatusSkip, reason)
		}
	}
	p := &progress{w: opts.Progress, lines: opts.ProgressLines, total: len(jobs)}
	for _, e := range envs {
		if msg := e.leftoverNote(runCtx); msg != "" {
			e.note("%s", msg)
			p.say(msg)
		}
	}
	// The moment the run is interrupted, say what cleanup is about to do.
	stopWatch := context.AfterFunc(runCtx, func() {
		n := 0
		for _, e := range envs {
			n += len(e.tracker.pending("", true))
		}
		p.say(fmt.Sprintf("interrupted: %s; deleting the %s the run created, then reporting…", interruption(runCtx), plural(n, "app", "apps")))
	})
	runJobs(runCtx, jobs, opts, results, p)
	stopWatch()
	p.finish()
	results = applyFindings(results, envs, opts.Checks)

	for _, e := range envs {
		e.cleanup(ctx, "", true)
		e.sweepRun(ctx)
	}
	report.Duration = time.Since(report.Started)
	if err := runCtx.Err(); err != nil {
		report.Interrupted = "cancelled"
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			report.Interrupted = fmt.Sprintf("time limit of %s reached", opts.MaxTime)
		}
	}
	for _, e := range envs {
		report.Targets = append(report.Targets, e.info(len(envs) > 1))
	}
	if len(envs) == 1 {
		for i := range results {
			results[i].Target = ""
		}
	}
	report.Results = results
	report.summarize(len(opts.Checks))
	return report, nil
}

// targetLabel names the targets of a run: their URLs.
func targetLabel(targets []Target) string {
	urls := make([]string, len(targets))
	for i, t := range targets {
		urls[i] = strings.TrimRight(t.URL, "/")
	}
	return strings.Join(urls, ", ")
}

// assign picks the first target that can run a check, or says why none can
// (the first target's reason: the primary configuration). blockedBy is set
// when a rule broken during setup keeps the check from running: the check
// that owns that rule.
func assign(envs []*env, n Needs) (run *env, reason, blockedBy string) {
	for _, e := range envs {
		if owner, what := e.blocker(n); owner != "" {
			if reason == "" {
				reason = fmt.Sprintf("blocked by %s: setup could not learn %s", owner, what)
				blockedBy = owner
			}
			continue
		}
		r := e.unmet(n)
		if r == "" {
			return e, "", ""
		}
		if reason == "" {
			reason = r
		}
	}
	return nil, reason, blockedBy
}

// applyFindings fails the check that owns each rule broken during setup,
// with the setup exchange as evidence, adding its result when it was not
// selected: a rule broken during setup is a failure, never a skip.
func applyFindings(results []Result, envs []*env, catalogue []Check) []Result {
	for _, e := range envs {
		e.mu.Lock()
		findings := slices.Clone(e.findings)
		e.mu.Unlock()
		for _, f := range findings {
			i := slices.IndexFunc(results, func(r Result) bool { return r.ID == f.check })
			if i < 0 {
				c := Check{ID: f.check, Category: CategoryBehaviour, Kind: KindCompat, Rule: "a rule setup relies on", Source: "setup"}
				if j := slices.IndexFunc(catalogue, func(c Check) bool { return c.ID == f.check }); j >= 0 {
					c = catalogue[j]
				}
				results = append(results, newResult(&c, StatusFail, ""))
				i = len(results) - 1
			}
			r := &results[i]
			msg := "during setup: " + f.msg
			if len(envs) > 1 {
				msg = "during setup of " + e.name + ": " + f.msg
			}
			r.Failures = append([]Failure{{Message: msg, Exchange: f.ex}}, r.Failures...)
			if f.ex != nil && len(r.Exchanges) < maxEvidence {
				r.Exchanges = append(r.Exchanges, f.ex)
			}
			r.Status, r.Reason, r.BlockedBy = StatusFail, "", ""
			if r.Target == "" && len(envs) > 1 {
				r.Target = e.name
			}
		}
	}
	return results
}

type job struct {
	index int
	check *Check
	env   *env
}

func runJobs(ctx context.Context, jobs []job, opts Options, results []Result, p *progress) {
	queue := make(chan job)
	var wg sync.WaitGroup
	workers := min(opts.Concurrency, max(len(jobs), 1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				results[j.index] = j.env.runCheck(ctx, j.check, opts.Strict)
				p.done(results[j.index])
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			results[j.index] = newResult(j.check, StatusSkip, "not run: "+interruption(ctx))
			continue
		}
		queue <- j
	}
	close(queue)
	wg.Wait()
}

func interruption(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the run's time limit was reached"
	}
	return "the run was cancelled"
}

// runCheck runs one check in its own goroutine, so that a panic fails only
// that check and a check stuck after cancellation cannot hang the run, then
// deletes what it created.
func (e *env) runCheck(ctx context.Context, c *Check, strict bool) Result {
	if ctx.Err() != nil {
		return newResult(c, StatusSkip, "not run: "+interruption(ctx))
	}
	switch {
	case c.Needs.Exclusive:
		e.appSet.Lock()
		defer e.appSet.Unlock()
	case c.Needs.Creates:
		e.appSet.RLock()
		defer e.appSet.RUnlock()
	}
	t := newT(c, e)
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("panic: %v", r)
				t.Logf("panic stack: %s", stackExcerpt())
			}
		}()
		c.Run(withSink(ctx, t), t)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		select {
		case <-done:
		case <-time.After(abandonGrace):
			t.Errorf("the check did not stop within %s after the run was interrupted", abandonGrace)
		}
	}
	e.cleanup(ctx, c.ID, false)

	status, reason := t.verdict(strict)
	if status != StatusSkip && ctx.Err() != nil {
		// A check cut short says nothing about the server, either way.
		status, reason = StatusSkip, "interrupted: "+interruption(ctx)
	}
	res := newResult(c, status, reason)
	res.Target = e.name
	res.Duration = time.Since(start)
	t.mu.Lock()
	defer t.mu.Unlock()
	res.Requests = len(t.exchanges)
	res.Notes = t.notes
	if u := unverified(e.version); u != "" && status == StatusWarn {
		res.Notes = append(slices.Clip(res.Notes), u)
	}
	if status != StatusPass && status != StatusSkip {
		res.Failures = t.failures
		ev := t.exchanges
		if len(ev) > maxEvidence {
			ev = ev[len(ev)-maxEvidence:]
		}
		res.Exchanges = ev
	}
	return res
}

func newResult(c *Check, status Status, reason string) Result {
	return Result{ID: c.ID, Category: c.Category, Rule: c.Rule, Source: c.Source, Kind: c.Kind, Status: status, Reason: reason}
}

// stackExcerpt is the panicking check's frames, without the runtime's.
func stackExcerpt() string {
	lines := strings.Split(string(debug.Stack()), "\n")
	var keep []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if strings.Contains(l, "/conformance/") && !strings.Contains(l, "runner.go") {
			keep = append(keep, l)
		}
		if len(keep) == 6 {
			break
		}
	}
	return strings.Join(keep, " | ")
}

// info describes the target for the report.
func (e *env) info(named bool) TargetInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	ti := TargetInfo{URL: e.baseURL, Notes: append([]string(nil), e.notes...), AppsCreated: e.tracker.created(),
		ServerVersion: e.version.String(), ServerVersionHeader: e.version.Raw}
	for _, msg := range e.leftovers {
		ti.Leftovers = append(ti.Leftovers, msg)
	}
	slices.Sort(ti.Leftovers)
	if n := e.gate.waits.Load(); n > 0 {
		ti.Notes = append(ti.Notes, fmt.Sprintf("rate limited: waited out %s as the server asked", plural(int(n), "429 answer", "429 answers")))
	}
	if named {
		ti.Name = e.name
	}
	ti.Identities = map[Role]string{}
	for r, u := range e.users {
		ti.Identities[r] = fmt.Sprintf("%s (%s)", u.Username, u.ID)
	}
	s := e.settings
	ti.Settings = SettingsInfo{Provider: onOff(s.Provider), DCR: gateName(s.DCR), Allowlist: s.Allowlist}
	if e.users[Manager] != nil && e.users[Manager2] != nil {
		ti.Settings.ManagersSystemWide = map[Gate]string{On: "yes", Off: "no", Either: "unknown"}[s.ManagersSystemWide]
	}
	for _, ex := range e.cleanupLog.all() {
		if ex.SchemaError != "" {
			ti.Notes = append(ti.Notes, fmt.Sprintf("cleanup: response to %s does not match the OpenAPI document: %s", ex.RequestLine(), ex.SchemaError))
		}
	}
	return ti
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func gateName(g Gate) string {
	if g == Either {
		return "unknown"
	}
	return g.String()
}

// progress reports finished checks while the run goes on: a
// carriage-return-rewritten line for a terminal (w), and/or one line per
// check for logs (lines), so that CI shows a run that is alive.
type progress struct {
	w, lines io.Writer
	total    int
	mu       sync.Mutex
	n, fail  int
}

func (p *progress) done(r Result) {
	if p.w == nil && p.lines == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	if r.Status == StatusFail {
		p.fail++
	}
	if p.w != nil {
		_, _ = fmt.Fprintf(p.w, "\r\033[K[%d/%d] %d failed  %s", p.n, p.total, p.fail, r.ID)
	}
	if p.lines != nil {
		_, _ = fmt.Fprintf(p.lines, "[%d/%d] %-7s %s (%s)\n", p.n, p.total, strings.ToUpper(string(r.Status)), r.ID, r.Duration.Round(time.Millisecond))
	}
}

// say writes a line that must reach the user at once (leftovers found,
// cleanup after an interrupt), wherever progress goes.
func (p *progress) say(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.w != nil:
		_, _ = fmt.Fprintf(p.w, "\r\033[K%s\n", msg)
	case p.lines != nil:
		_, _ = fmt.Fprintln(p.lines, msg)
	}
}

func (p *progress) finish() {
	if p.w != nil && p.n > 0 {
		_, _ = fmt.Fprint(p.w, "\r\033[K")
	}
}
