package conformance

import (
	"fmt"
	"slices"
	"time"
)

// Status is the verdict on one check.
type Status string

// Verdicts. Warn is an RFC-strict rule the server breaks in a run without
// Options.Strict; it does not fail the run. Blocked is a check that could
// not run because a rule it depends on broke during setup (Result.BlockedBy
// names the failed check): it is not a pass, and it fails the run.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusWarn    Status = "warn"
	StatusSkip    Status = "skip"
	StatusBlocked Status = "blocked"
	// StatusKnown is a failure the baseline expects (ApplyBaseline): it
	// does not fail the run. StatusFixed is a check the baseline expects to
	// fail that passed: it fails the run only with a strict baseline, so
	// that baselines shrink.
	StatusKnown Status = "known"
	StatusFixed Status = "fixed"
)

// ran reports whether a result with this status exercised the server.
func (s Status) ran() bool {
	return s == StatusPass || s == StatusFail || s == StatusWarn || s == StatusKnown || s == StatusFixed
}

// Failure is one broken expectation, with the exchange that showed it.
type Failure struct {
	Message string `json:"message"`
	// Schema is set when the failure is a response that does not match the
	// OpenAPI document.
	Schema   bool      `json:"schema,omitempty"`
	Exchange *Exchange `json:"exchange,omitempty"`
}

// Result is the outcome of one check.
type Result struct {
	ID       string   `json:"id"`
	Category Category `json:"category"`
	Rule     string   `json:"rule"`
	Source   string   `json:"source"`
	Kind     Kind     `json:"kind"`
	Status   Status   `json:"status"`
	// Reason says why a check was skipped or blocked.
	Reason string `json:"reason,omitempty"`
	// BlockedBy is the id of the failed check a blocked check depended on.
	BlockedBy string    `json:"blocked_by,omitempty"`
	Failures  []Failure `json:"failures,omitempty"`
	// Notes are informational lines (e.g. a part not run for lack of an
	// identity).
	Notes []string `json:"notes,omitempty"`
	// Target names the configuration the check ran against when a run has
	// several (the embedded mock's configurations).
	Target   string        `json:"target,omitempty"`
	Requests int           `json:"requests"`
	Duration time.Duration `json:"duration_ns"`
	// Exchanges are kept for checks that did not pass, as evidence.
	Exchanges []*Exchange `json:"exchanges,omitempty"`
}

// TargetInfo describes one server the run tested and what setup learned
// about it.
type TargetInfo struct {
	Name string `json:"name,omitempty"`
	URL  string `json:"url"`
	// ServerVersion is the release the server announced (X-Version-Id),
	// "unknown" when it announced none.
	ServerVersion string `json:"server_version"`
	// ServerVersionHeader is the X-Version-Id value as sent.
	ServerVersionHeader string `json:"server_version_header,omitempty"`
	// Identities maps each given identity to its user (username and id).
	Identities map[Role]string `json:"identities,omitempty"`
	// Settings are the server settings, detected or declared.
	Settings SettingsInfo `json:"settings"`
	// Notes are what setup detected or could not, in one line each.
	Notes []string `json:"notes,omitempty"`
	// AppsCreated counts the apps the run created on this target.
	AppsCreated int `json:"apps_created"`
	// Leftovers are apps the run created but could not delete.
	Leftovers []string `json:"leftovers,omitempty"`
}

// SettingsInfo is the settings part of TargetInfo.
type SettingsInfo struct {
	Provider  string   `json:"oauth_provider"`
	DCR       string   `json:"dynamic_client_registration"`
	Allowlist []string `json:"dcr_redirect_uri_allowlist,omitempty"`
	// ManagersSystemWide tells whether the two manage_oauth identities can
	// see every app (the permission checks of server/channels/api4/oauth.go, "Default roles").
	ManagersSystemWide string `json:"managers_system_wide,omitempty"`
}

// Summary counts results.
type Summary struct {
	// Catalogue is the number of checks the run was given, before --only
	// and --skip; NotSelected of them were filtered out.
	Catalogue   int `json:"catalogue"`
	NotSelected int `json:"not_selected"`
	// Total is the number of selected checks, one result each.
	Total int `json:"total"`
	// Ran counts the checks that exercised the server (passed, failed or
	// warned).
	Ran     int `json:"ran"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Warned  int `json:"warned"`
	Skipped int `json:"skipped"`
	Blocked int `json:"blocked"`
	// Known and Fixed count the baseline's verdicts (ApplyBaseline).
	Known int `json:"known,omitempty"`
	Fixed int `json:"fixed,omitempty"`
}

// Report is the outcome of a run.
type Report struct {
	// Target says what was tested, in one line: the server's URL, or
	// "embedded mock (no --url)" (Options.Label).
	Target string `json:"target"`
	// RunID marks every app the run created ("[mmoauth-conformance run
	// ID]"), so that Sweep can find what an interrupted run left.
	RunID    string        `json:"run_id"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Strict   bool          `json:"strict"`
	ReadOnly bool          `json:"read_only"`
	Targets  []TargetInfo  `json:"targets"`
	Results  []Result      `json:"results"`
	Summary  Summary       `json:"summary"`
	// Interrupted is set when the run was cancelled or hit its time limit;
	// checks that did not run are skipped with that reason.
	Interrupted string `json:"interrupted,omitempty"`
	// FailOnSkip and MinChecks are the run's coverage demands
	// (Options.FailOnSkip, Options.MinChecks).
	FailOnSkip bool `json:"fail_on_skip,omitempty"`
	MinChecks  int  `json:"min_checks,omitempty"`
	// Baseline names the baseline file applied, "" for none; with
	// StrictBaseline a fixed check fails the run (ApplyBaseline).
	Baseline       string `json:"baseline,omitempty"`
	StrictBaseline bool   `json:"strict_baseline,omitempty"`
	// Problems are the reasons the run failed, one line each; empty when
	// it passed.
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether the run passed: at least one check ran (and at least
// MinChecks), none failed or was blocked, no app was left behind, the run
// was not interrupted, and no check was skipped when FailOnSkip is set.
// Warnings do not fail a run.
func (r *Report) OK() bool { return len(r.problems()) == 0 }

// problems lists why the run fails, most important first.
func (r *Report) problems() []string {
	s := r.Summary
	var out []string
	if r.Interrupted != "" {
		out = append(out, "the run was interrupted: "+r.Interrupted)
	}
	if s.Failed > 0 {
		out = append(out, plural(s.Failed, "check", "checks")+" failed")
	}
	if s.Blocked > 0 {
		out = append(out, plural(s.Blocked, "check", "checks")+" blocked by a rule broken during setup")
	}
	switch {
	case s.Ran == 0 && s.Total == 0:
		out = append(out, "no check ran: none was selected")
	case s.Ran == 0:
		out = append(out, fmt.Sprintf("no check ran: all %s were skipped or blocked", plural(s.Total, "selected check", "selected checks")))
	case s.Ran < r.MinChecks:
		out = append(out, fmt.Sprintf("only %d of the %d checks required by --min-checks ran", s.Ran, r.MinChecks))
	}
	if r.StrictBaseline && s.Fixed > 0 {
		out = append(out, plural(s.Fixed, "check", "checks")+" of the baseline now pass (--strict-baseline): remove them from it")
	}
	if r.FailOnSkip && s.Skipped > 0 {
		out = append(out, plural(s.Skipped, "check was", "checks were")+" skipped (--fail-on-skip)")
	}
	for _, t := range r.Targets {
		if n := len(t.Leftovers); n > 0 {
			out = append(out, plural(n, "app", "apps")+" the run created could not be deleted on "+t.URL)
		}
	}
	return out
}

// plural is "1 check" or "3 checks".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// ExitCode is 0 when OK, else 1 (2 is reserved for usage errors).
func (r *Report) ExitCode() int {
	if r.OK() {
		return 0
	}
	return 1
}

// Result returns the result of a check by id.
func (r *Report) Result(id string) (Result, bool) {
	i := slices.IndexFunc(r.Results, func(res Result) bool { return res.ID == id })
	if i < 0 {
		return Result{}, false
	}
	return r.Results[i], true
}

// IDs returns the ids of the results with any of the given statuses.
func (r *Report) IDs(statuses ...Status) []string {
	var out []string
	for _, res := range r.Results {
		if slices.Contains(statuses, res.Status) {
			out = append(out, res.ID)
		}
	}
	return out
}

// summarize counts the results of a run given catalogue checks and sets
// Problems.
func (r *Report) summarize(catalogue int) {
	s := Summary{Catalogue: catalogue, Total: len(r.Results), NotSelected: catalogue - len(r.Results)}
	for _, res := range r.Results {
		s.count(res.Status)
	}
	r.Summary = s
	r.Problems = r.problems()
}

func (s *Summary) count(st Status) {
	switch st {
	case StatusPass:
		s.Passed++
	case StatusFail:
		s.Failed++
	case StatusWarn:
		s.Warned++
	case StatusSkip:
		s.Skipped++
	case StatusBlocked:
		s.Blocked++
	case StatusKnown:
		s.Known++
	case StatusFixed:
		s.Fixed++
	}
	if st.ran() {
		s.Ran++
	}
}
