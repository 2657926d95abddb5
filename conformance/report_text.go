package conformance

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// WriteText writes the terminal report: the targets and what setup found,
// a table per category, then warnings, failures (with the request line,
// status and a redacted body excerpt) and skips grouped by reason.
func (r *Report) WriteText(w io.Writer) error {
	p := &textPrinter{w: w}
	p.linef("mmoauth conformance — target: %s", r.Target)
	for _, t := range r.Targets {
		p.targetHeader(t)
	}
	p.line("")
	p.categoryTable(r)
	p.section(r, StatusWarn, "Warnings: RFC rules this server does not meet (failures with --strict)")
	p.section(r, StatusFail, "Failures")
	p.grouped(r, StatusBlocked, "Blocked by a rule broken during setup")
	p.grouped(r, StatusSkip, "Skipped")
	p.grouped(r, StatusKnown, "Known failures (baseline "+r.Baseline+")")
	p.grouped(r, StatusFixed, "Fixed: in the baseline, passing now (remove them; --strict-baseline fails on them)")
	for _, t := range r.Targets {
		for _, id := range t.Leftovers {
			p.linef("LEFTOVER %s", id)
		}
	}
	if r.Interrupted != "" {
		p.linef("Interrupted: %s", r.Interrupted)
	}
	p.line(r.VerdictLine())
	return p.err
}

// VerdictLine is the report's last line: PASS or FAIL, why a run failed
// for any reason other than its failed checks, and the counts, e.g.
// "PASS: 91 of 98 checks ran (88 passed, 3 warnings, 0 failed); 7 skipped,
// 0 blocked in 5.9s".
func (r *Report) VerdictLine() string {
	s := r.Summary
	verdict := "PASS"
	if problems := r.problems(); len(problems) > 0 {
		verdict = "FAIL: " + strings.Join(problems, "; ") + " —"
	}
	line := fmt.Sprintf("%s %d of %d checks ran (%d passed, %s, %d failed); %d skipped, %d blocked",
		verdict, s.Ran, s.Catalogue, s.Passed, plural(s.Warned, "warning", "warnings"), s.Failed, s.Skipped, s.Blocked)
	if s.NotSelected > 0 {
		line += fmt.Sprintf(", %d not selected", s.NotSelected)
	}
	if r.Baseline != "" {
		line += fmt.Sprintf("; baseline: %d known, %d fixed", s.Known, s.Fixed)
	}
	if verdict == "PASS" {
		line = "PASS:" + strings.TrimPrefix(line, "PASS")
	}
	return line + " in " + r.Duration.Round(time.Millisecond).String()
}

// textPrinter remembers the first write error so the report code stays linear.
type textPrinter struct {
	w   io.Writer
	err error
}

func (p *textPrinter) line(s string) {
	if p.err == nil {
		_, p.err = io.WriteString(p.w, s+"\n")
	}
}

func (p *textPrinter) linef(format string, args ...any) { p.line(fmt.Sprintf(format, args...)) }

func (p *textPrinter) targetHeader(t TargetInfo) {
	name := t.URL
	if t.Name != "" {
		name = t.Name + " — " + t.URL
	}
	p.linef("  target %s", name)
	version := t.ServerVersion
	if t.ServerVersionHeader != "" {
		version += " (X-Version-Id " + t.ServerVersionHeader + ")"
	}
	p.linef("    server version: %s", version)
	s := t.Settings
	settings := fmt.Sprintf("provider %s, DCR %s", s.Provider, s.DCR)
	if len(s.Allowlist) > 0 {
		settings += ", allowlist " + strings.Join(s.Allowlist, " ")
	}
	if s.ManagersSystemWide != "" {
		settings += ", managers system-wide: " + s.ManagersSystemWide
	}
	p.linef("    settings: %s", settings)
	if len(t.Identities) > 0 {
		var ids []string
		for _, role := range Roles() {
			if who, ok := t.Identities[role]; ok {
				ids = append(ids, string(role)+"="+who)
			}
		}
		p.linef("    identities: %s", strings.Join(ids, ", "))
	}
	for _, n := range t.Notes {
		p.linef("    note: %s", n)
	}
	p.linef("    apps created and deleted: %d", t.AppsCreated-len(t.Leftovers))
}

func (p *textPrinter) categoryTable(r *Report) {
	p.linef("  %-16s %5s %5s %5s %5s %5s", "category", "pass", "warn", "fail", "block", "skip")
	counts := map[Category]*Summary{}
	for _, res := range r.Results {
		c := counts[res.Category]
		if c == nil {
			c = &Summary{}
			counts[res.Category] = c
		}
		c.count(res.Status)
	}
	for _, cat := range Categories() {
		if c := counts[cat]; c != nil {
			p.linef("  %-16s %5d %5d %5d %5d %5d", cat, c.Passed, c.Warned, c.Failed, c.Blocked, c.Skipped)
		}
	}
	s := r.Summary
	p.linef("  %-16s %5d %5d %5d %5d %5d", "total", s.Passed, s.Warned, s.Failed, s.Blocked, s.Skipped)
	p.line("")
}

func (p *textPrinter) section(r *Report, status Status, title string) {
	var rs []Result
	for _, res := range r.Results {
		if res.Status == status {
			rs = append(rs, res)
		}
	}
	if len(rs) == 0 {
		return
	}
	p.linef("%s (%d):", title, len(rs))
	label := strings.ToUpper(string(status))
	for _, res := range rs {
		where := ""
		if res.Target != "" {
			where = " on " + res.Target
		}
		p.linef("  %s %s [%s]%s", label, res.ID, res.Category, where)
		p.linef("       rule: %s (%s)", res.Rule, res.Source)
		for _, f := range res.Failures {
			p.linef("       - %s", f.Message)
			if ex := f.Exchange; ex != nil {
				p.linef("         > %s as %s -> %s", ex.RequestLine(), roleName(ex.As), ex.Outcome())
				if ex.RequestBody != "" {
					p.linef("           sent: %s", excerpt(ex.RequestBody, 300))
				}
				if ex.ResponseBody != "" {
					p.linef("           %s", excerpt(ex.ResponseBody, 300))
				}
				if base := r.targetURL(res); base != "" {
					p.linef("           replay: %s", ex.Curl(base))
				}
			}
		}
	}
	p.line("")
}

// grouped lists the results of one status (skipped, blocked) by reason.
func (p *textPrinter) grouped(r *Report, status Status, title string) {
	byReason := map[string][]string{}
	n := 0
	for _, res := range r.Results {
		if res.Status == status {
			byReason[res.Reason] = append(byReason[res.Reason], res.ID)
			n++
		}
	}
	if len(byReason) == 0 {
		return
	}
	reasons := make([]string, 0, len(byReason))
	for reason := range byReason {
		reasons = append(reasons, reason)
	}
	sort.Strings(reasons)
	p.linef("%s (%d):", title, n)
	for _, reason := range reasons {
		ids := byReason[reason]
		p.linef("  %s (%d): %s", reason, len(ids), strings.Join(ids, ", "))
	}
	p.line("")
}

func roleName(r Role) string {
	if r == "" {
		return "unknown identity"
	}
	return string(r)
}

// excerpt shortens text for one terminal line.
func excerpt(s string, n int) string {
	s = oneLine(s)
	if len(s) <= n {
		return s
	}
	return truncateUTF8(s, n) + "…"
}
