package conformance

import (
	"slices"
	"time"
)

// Status is the verdict on one check.
type Status string

// Verdicts. Warn is an RFC-strict rule the server breaks in a run without
// Options.Strict; it does not fail the run.
const (
	StatusPass Status = "pass"
	StatusFail Status = "fail"
	StatusWarn Status = "warn"
	StatusSkip Status = "skip"
)

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
	// Reason says why a check was skipped.
	Reason   string    `json:"reason,omitempty"`
	Failures []Failure `json:"failures,omitempty"`
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
	// see every app (reference §5, "Default roles").
	ManagersSystemWide string `json:"managers_system_wide,omitempty"`
}

// Summary counts results.
type Summary struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Warned  int `json:"warned"`
	Skipped int `json:"skipped"`
}

// Report is the outcome of a run.
type Report struct {
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
}

// OK reports whether the run passed: no failed check, no app left behind
// and no interruption. Warnings and skips do not fail a run.
func (r *Report) OK() bool {
	if r.Summary.Failed > 0 || r.Interrupted != "" {
		return false
	}
	for _, t := range r.Targets {
		if len(t.Leftovers) > 0 {
			return false
		}
	}
	return true
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

func (r *Report) summarize() {
	s := Summary{Total: len(r.Results)}
	for _, res := range r.Results {
		switch res.Status {
		case StatusPass:
			s.Passed++
		case StatusFail:
			s.Failed++
		case StatusWarn:
			s.Warned++
		case StatusSkip:
			s.Skipped++
		}
	}
	r.Summary = s
}
