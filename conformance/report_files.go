package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the whole report as indented JSON. Exchanges appear only
// as evidence on checks that did not pass, and are redacted.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// JUnit XML elements (the de-facto schema read by Jenkins, GitLab and
// GitHub test reporters).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	ClassName string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes one testsuite per category and one testcase per check:
// failures as <failure>, checks blocked by a rule broken during setup as
// <error>, skips as <skipped> with the reason, warnings as passing testcases
// whose <system-out> starts with "WARNING". Every testsuite carries the
// run's <properties>: what was tested (target), each target's URL and
// announced server version, and the verdict line.
func (r *Report) WriteJUnit(w io.Writer) error {
	suites := junitSuites{Name: "mmoauth conformance: " + r.Target, Time: seconds(r.Duration)}
	props := r.junitProperties()
	for _, cat := range Categories() {
		s := junitSuite{Name: string(cat), Properties: props}
		var total time.Duration
		for _, res := range r.Results {
			if res.Category != cat {
				continue
			}
			c := junitCase{ClassName: "conformance." + string(cat), Name: res.ID, Time: seconds(res.Duration)}
			total += res.Duration
			detail := resultDetail(res)
			switch res.Status {
			case StatusFail:
				c.Failure = &junitMessage{Message: firstMessage(res), Type: string(res.Kind), Text: detail}
				s.Failures++
			case StatusBlocked:
				c.Error = &junitMessage{Message: res.Reason, Type: "blocked", Text: detail}
				s.Errors++
			case StatusSkip:
				c.Skipped = &junitMessage{Message: res.Reason}
				s.Skipped++
			case StatusWarn:
				c.SystemOut = "WARNING (rfc-strict): " + detail
			case StatusKnown:
				// CI systems show a skip with its message; the failure
				// itself stays readable in the output.
				c.Skipped = &junitMessage{Message: res.Reason}
				c.SystemOut = "KNOWN FAILURE (baseline): " + detail
				s.Skipped++
			case StatusFixed:
				c.SystemOut = "FIXED: " + res.Reason
			}
			s.Tests++
			s.Cases = append(s.Cases, c)
		}
		if s.Tests == 0 {
			continue
		}
		s.Time = seconds(total)
		suites.Tests += s.Tests
		suites.Failures += s.Failures
		suites.Errors += s.Errors
		suites.Skipped += s.Skipped
		suites.Suites = append(suites.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func (r *Report) junitProperties() []junitProperty {
	props := []junitProperty{{"target", r.Target}}
	for i, t := range r.Targets {
		key := "target"
		if len(r.Targets) > 1 {
			key = fmt.Sprintf("target.%d", i+1)
			props = append(props, junitProperty{key + ".name", t.Name})
		}
		props = append(props, junitProperty{key + ".url", t.URL}, junitProperty{key + ".server_version", t.ServerVersion})
		if t.ServerVersionHeader != "" {
			props = append(props, junitProperty{key + ".x_version_id", t.ServerVersionHeader})
		}
	}
	if r.Baseline != "" {
		props = append(props, junitProperty{"baseline", r.Baseline})
	}
	return append(props, junitProperty{"verdict", r.VerdictLine()})
}

func firstMessage(res Result) string {
	if len(res.Failures) == 0 {
		return res.Rule
	}
	return res.Failures[0].Message
}

// resultDetail is the rule, its source and every failure with its evidence.
func resultDetail(res Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule: %s\nsource: %s\nkind: %s\n", res.Rule, res.Source, res.Kind)
	if res.BlockedBy != "" {
		fmt.Fprintf(&b, "blocked by: %s\n", res.BlockedBy)
	}
	if res.Target != "" {
		fmt.Fprintf(&b, "target: %s\n", res.Target)
	}
	for _, f := range res.Failures {
		fmt.Fprintf(&b, "- %s\n", f.Message)
		if ex := f.Exchange; ex != nil {
			fmt.Fprintf(&b, "  %s as %s -> %s\n", ex.RequestLine(), roleName(ex.As), ex.Outcome())
			if ex.ResponseBody != "" {
				fmt.Fprintf(&b, "  %s\n", excerpt(ex.ResponseBody, 1000))
			}
		}
	}
	return b.String()
}
