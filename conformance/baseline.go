package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Baseline is a list of known failures: checks a server is expected to fail
// (a server with known deviations, a release that predates a rule). Applied
// to a report (Report.ApplyBaseline), a known failure is reported as
// StatusKnown and does not fail the run; an entry whose check now passes is
// StatusFixed.
//
// The file form is JSON:
//
//	{"known_failures": [
//	  {"id": "rfc8414/metadata/auth-methods-include-none",
//	   "reason": "Mattermost advertises client_secret_post only",
//	   "release": "11.6"}
//	]}
//
// reason is shown in every report; release, when given, limits the entry to
// servers that announce that release (11.6 matches 11.6.0 and 11.6.2).
type Baseline struct {
	KnownFailures []KnownFailure `json:"known_failures"`
}

// KnownFailure is one entry of a Baseline.
type KnownFailure struct {
	ID      string `json:"id"`
	Reason  string `json:"reason,omitempty"`
	Release string `json:"release,omitempty"`
}

// BaselineError says what is wrong with a baseline file.
type BaselineError struct {
	// Entry is the 1-based index of the offending entry, 0 for the file as
	// a whole.
	Entry  int
	Reason string
}

// Error implements error.
func (e *BaselineError) Error() string {
	if e.Entry == 0 {
		return "baseline: " + e.Reason
	}
	return fmt.Sprintf("baseline: entry %d: %s", e.Entry, e.Reason)
}

// ReadBaseline reads and checks a baseline: well-formed JSON with no
// unknown member, every id a check of catalogue (nil means Catalogue()),
// no id twice. The error is a *BaselineError.
func ReadBaseline(r io.Reader, catalogue []Check) (*Baseline, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &BaselineError{Reason: err.Error()}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Baseline
	if err := dec.Decode(&b); err != nil {
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			return nil, &BaselineError{Reason: fmt.Sprintf("not JSON at byte %d: %v", se.Offset, err)}
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return nil, &BaselineError{Reason: "not JSON: the file ends too early"}
		}
		return nil, &BaselineError{Reason: fmt.Sprintf("not a baseline (want {\"known_failures\": [{\"id\": ...}]}): %v", err)}
	}
	if dec.More() {
		return nil, &BaselineError{Reason: "more than one JSON value"}
	}
	if catalogue == nil {
		catalogue = Catalogue()
	}
	seen := map[string]bool{}
	for i, kf := range b.KnownFailures {
		switch {
		case kf.ID == "":
			return nil, &BaselineError{Entry: i + 1, Reason: "no id"}
		case !slices.ContainsFunc(catalogue, func(c Check) bool { return c.ID == kf.ID }):
			return nil, &BaselineError{Entry: i + 1, Reason: fmt.Sprintf("unknown check id %q (see mmoauth conformance --list)", kf.ID)}
		case seen[kf.ID]:
			return nil, &BaselineError{Entry: i + 1, Reason: fmt.Sprintf("check %q is listed twice", kf.ID)}
		}
		seen[kf.ID] = true
	}
	return &b, nil
}

// applies reports whether the entry holds for a server announcing version.
func (kf KnownFailure) applies(version string) bool {
	return kf.Release == "" || version == kf.Release || strings.HasPrefix(version, kf.Release+".")
}

// ApplyBaseline turns the failures b expects into StatusKnown and the
// entries whose check passed into StatusFixed, then recounts the report.
// name is the baseline's file name for the reports; with strict, a fixed
// check fails the run. Skipped, blocked and warned checks are left as they
// are: they tell nothing about the entry.
func (r *Report) ApplyBaseline(b *Baseline, name string, strict bool) {
	r.Baseline, r.StrictBaseline = name, strict
	for i := range r.Results {
		res := &r.Results[i]
		kf, ok := b.entry(res.ID)
		if !ok || !kf.applies(r.versionOf(res)) {
			continue
		}
		why := "in the baseline"
		if kf.Reason != "" {
			why += ": " + kf.Reason
		}
		switch res.Status {
		case StatusFail:
			res.Status, res.Reason = StatusKnown, "known failure, "+why
		case StatusPass:
			res.Status, res.Reason = StatusFixed, "passes now but is "+why
		}
	}
	r.summarize(r.Summary.Catalogue)
}

func (b *Baseline) entry(id string) (KnownFailure, bool) {
	i := slices.IndexFunc(b.KnownFailures, func(kf KnownFailure) bool { return kf.ID == id })
	if i < 0 {
		return KnownFailure{}, false
	}
	return b.KnownFailures[i], true
}

// versionOf is the release announced by the target a result ran on.
func (r *Report) versionOf(res *Result) string {
	if t := r.targetOf(*res); t != nil {
		return t.ServerVersion
	}
	return ""
}

// CurrentBaseline is the baseline of this run: every check that failed or
// was a known failure, keeping the reason and release of prev's entries
// (nil for none), so that --write-baseline after a fix drops the fixed
// entries and keeps the notes of the others.
func (r *Report) CurrentBaseline(prev *Baseline) *Baseline {
	out := &Baseline{KnownFailures: []KnownFailure{}}
	for _, res := range r.Results {
		if res.Status != StatusFail && res.Status != StatusKnown {
			continue
		}
		kf := KnownFailure{ID: res.ID}
		if prev != nil {
			if old, ok := prev.entry(res.ID); ok {
				kf = old
			}
		}
		if kf.Reason == "" && len(res.Failures) > 0 {
			kf.Reason = res.Failures[0].Message
		}
		out.KnownFailures = append(out.KnownFailures, kf)
	}
	return out
}

// WriteBaseline writes b as indented JSON, the form ReadBaseline reads.
func (b *Baseline) WriteBaseline(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}
