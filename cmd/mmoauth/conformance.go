package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
)

func init() {
	register(command{
		name:    "conformance",
		summary: "check a Mattermost server's OAuth 2.0 provider against the rules (no --url: the embedded mock)",
		run:     runConformance,
	})
}

const conformanceAbout = `
Runs the conformance catalogue against a live Mattermost (or compatible)
server: OAuth app permissions (every row of the permission matrix), secret
handling, is_trusted, paging, bad input, RFC 8414 metadata, RFC 7591 dynamic
client registration and the authorize/token flow with PKCE. Every response is
validated against the project's OpenAPI document.

The server is --url, else $MMOAUTH_URL. Without either, it starts the
embedded mock in four configurations (provider on with registration off;
registration on; registration on with an allowlist; provider off), runs the
whole catalogue against them, and every report says "target: embedded mock
(no --url)".

Identities (personal access tokens or session tokens), from the flags, a
token file or the environment; a missing one skips its checks:
  --admin-token     $MMOAUTH_ADMIN_TOKEN     a system admin
  --manager-token   $MMOAUTH_MANAGER_TOKEN   a user with manage_oauth
  --manager2-token  $MMOAUTH_MANAGER2_TOKEN  a second user with manage_oauth
  --user-token      $MMOAUTH_USER_TOKEN      a user without manage_oauth
$MMOAUTH_TOKEN, which apps uses, stands for the admin identity when no admin
token is given otherwise. --token-file FILE reads KEY=TOKEN lines (admin=,
manager=, manager2=, user=, or the variable names; "export KEY=TOKEN" and
quoted values are read as a shell would). On a stock server only system admins hold
manage_oauth, and they see every app: the creator-only rules are then skipped
(grant manage_oauth to two ordinary users to test them).

Settings the suite cannot change are detected (--provider/--dcr auto) or
declared; the allowlist can only be declared.

Selecting checks (--only, --skip; repeatable, comma-separated): a category
name (schema, behaviour, permission, negative-input, rfc8414, rfc7591, pkce)
selects that category; anything else is a glob over check ids, where "*"
stays within one id segment, "**" crosses segments, "?" is one character
and [...] a class: 'rfc8414/**', 'permissions/*/plain-user-forbidden',
'**/anonymous-unauthorized'. A pattern that matches no check is a usage
error. --list prints the selected checks (-o json for scripts).

Safety: every app the run creates is deleted when its check ends, also on a
failure, a panic, Ctrl-C, SIGTERM, SIGHUP or SIGQUIT; apps it did not create
are never changed or deleted. --read-only runs only the checks that create
nothing. Every app the suite creates carries its marker ("[mmoauth-conformance
run ID]" in the description or name, callback URLs under mmoauth.invalid); a
run says at the start when earlier runs left such apps (a kill -9, a crash),
and --sweep deletes them, and only them, as the admin identity.

Reports: --json and --junit take a file, or - for standard output; their
paths are checked before the first request. Progress goes to stderr: a
rewritten line on a terminal, one line per finished check otherwise.

Exit status: 0 at least one check ran and every required check passed
(warnings allowed); 1 a check failed or was blocked by a rule broken during
setup, no check ran, fewer than --min-checks ran, a check was skipped with
--fail-on-skip, an app could not be deleted, or the server could not be
tested; 2 a usage error.`

// conformanceOptions are the parsed flags of "mmoauth conformance".
type conformanceOptions struct {
	url                 string
	tokens              map[conformance.Role]*string
	tokenFile           string
	provider, dcr       string
	allowlist           stringList
	strict, readOnly    bool
	jsonFile, junitFile string
	timeout, maxTime    time.Duration
	concurrency         int
	only, skip          stringList
	list                bool
	listFormat          string
	failOnSkip          bool
	minChecks           int
	sweep               bool
	deviations          stringList
	explicit            map[string]bool
	resolvedTokens      map[conformance.Role]string
	urlFromEnv          bool
	qa                  qaFlags // baseline, HAR, -v (conformance_qa.go)
}

// runSweep deletes what earlier runs left and prints each app deleted.
func (o *conformanceOptions) runSweep(ctx context.Context, stdout io.Writer) error {
	res, err := conformance.Sweep(ctx, conformance.Target{URL: o.url, Tokens: o.resolvedTokens}, conformance.Options{RequestTimeout: o.timeout})
	if err != nil {
		return err
	}
	for _, a := range res.Deleted {
		run := a.Run
		if run == "" {
			run = "unknown"
		}
		fmt.Fprintf(stdout, "deleted %s  %s  (run %s, created %s)\n", a.ID, a.Name, run, time.UnixMilli(a.CreateAt).UTC().Format(time.RFC3339))
	}
	for id, why := range res.Failed {
		fmt.Fprintf(stdout, "FAILED  %s: %s\n", id, why)
	}
	fmt.Fprintf(stdout, "swept %s as %s: %d deleted, %d could not be deleted\n", o.url, res.As, len(res.Deleted), len(res.Failed))
	if len(res.Failed) > 0 {
		return fmt.Errorf("%d of the suite's apps could not be deleted", len(res.Failed))
	}
	return nil
}

// checkReportPath refuses a report path that cannot be written, before
// any request is sent: an unwritable report found after a long run would
// lose the run. "-" is standard output. A file that did not exist is
// removed again, so a run stopped later leaves nothing behind.
func checkReportPath(flagName, path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("%s: %s is a directory", flagName, path)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644) //nolint:gosec // G302/G304: the user's report file
	if err != nil {
		return usagef("%s: cannot write the report: %v", flagName, err)
	}
	_ = f.Close()
	if errors.Is(statErr, fs.ErrNotExist) {
		_ = os.Remove(path)
	}
	return nil
}

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseConformanceFlags(args, stdout)
	if err != nil {
		return finish(stderr, "conformance", err)
	}
	for _, role := range conformance.Roles() {
		if f := string(role) + "-token"; o.explicit[f] {
			warnVisibleToken(stderr, "conformance", "--"+f, "$"+role.TokenEnv()+" or --token-file")
		}
	}
	if o.list {
		return finish(stderr, "conformance", listCatalogue(stdout, o.only, o.skip, o.listFormat))
	}
	if o.sweep {
		return finish(stderr, "conformance", o.runSweep(ctx, stdout))
	}
	rep, err := o.run(ctx, stderr)
	if qerr := o.qa.finish(rep); err == nil {
		err = qerr
	}
	if err != nil {
		return finish(stderr, "conformance", err)
	}
	text := stdout
	if o.reportToStdout() {
		text = stderr
	}
	if err := rep.WriteText(text); err != nil {
		return finish(stderr, "conformance", err)
	}
	if err := o.writeFiles(rep, stdout); err != nil {
		return finish(stderr, "conformance", err)
	}
	if !rep.OK() && text != stderr {
		// CI logs often show only stderr: the verdict goes there too.
		fmt.Fprintln(stderr, "mmoauth conformance: "+rep.VerdictLine())
	}
	return rep.ExitCode()
}

func parseConformanceFlags(args []string, stdout io.Writer) (*conformanceOptions, error) {
	p := newFlagParser("conformance", "mmoauth conformance [--url URL] [flags]", conformanceAbout, stdout)
	o := &conformanceOptions{tokens: map[conformance.Role]*string{}, explicit: map[string]bool{}}
	fs := p.fs
	fs.StringVar(&o.url, "url", "", "server root `URL` (SiteURL); without it, the embedded mock")
	for _, role := range conformance.Roles() {
		o.tokens[role] = new(string)
		fs.StringVar(o.tokens[role], string(role)+"-token", "", fmt.Sprintf("`token` of the %s identity (default $%s; visible in the process list)", role, role.TokenEnv()))
	}
	fs.StringVar(&o.tokenFile, "token-file", "", "read identities from this `file` of KEY=TOKEN lines")
	fs.StringVar(&o.provider, "provider", "auto", "the OAuth service provider: `on|off|auto` (auto detects it)")
	fs.StringVar(&o.dcr, "dcr", "auto", "dynamic client registration: `on|off|auto` (auto detects it)")
	fs.Var(&commaList{&o.allowlist}, "dcr-allowlist", "declare the server's DCR redirect URI allowlist `patterns` (comma-separated, repeatable)")
	fs.BoolVar(&o.strict, "strict", false, "RFC rules the real server breaks fail instead of warn")
	fs.BoolVar(&o.readOnly, "read-only", false, "run only the checks that create nothing")
	fs.StringVar(&o.jsonFile, "json", "", "also write the report as JSON to `file` (- for stdout)")
	fs.StringVar(&o.junitFile, "junit", "", "also write a JUnit XML report to `file` (- for stdout)")
	fs.DurationVar(&o.timeout, "timeout", conformance.DefaultRequestTimeout, "limit for each request (`duration`)")
	fs.DurationVar(&o.maxTime, "max-time", conformance.DefaultMaxTime, "limit for the whole run (cleanup excluded)")
	fs.IntVar(&o.concurrency, "concurrency", conformance.DefaultConcurrency, "run `N` checks at once")
	fs.Var(&commaList{&o.only}, "only", "run only checks whose id matches a `glob` (e.g. 'permissions/**'; repeatable)")
	fs.Var(&commaList{&o.skip}, "skip", "skip checks whose id matches a `glob` (repeatable)")
	fs.BoolVar(&o.list, "list", false, "print the selected checks (--only/--skip) and exit")
	fs.StringVar(&o.listFormat, "o", outputText, "--list output `format`: text or json")
	fs.BoolVar(&o.failOnSkip, "fail-on-skip", false, "fail the run when any selected check is skipped")
	fs.IntVar(&o.minChecks, "min-checks", 0, "fail the run when fewer than `N` checks ran")
	fs.BoolVar(&o.sweep, "sweep", false, "delete the apps earlier, interrupted runs left on the server (only apps with the suite's marker), then exit")
	fs.Var(&commaList{&o.deviations}, "mock-deviation", "embedded mock only: break a `rule` on purpose to watch checks fail (repeatable)")
	o.qa.register(fs)
	positional, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(positional, 0, 0, ""); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) { o.explicit[f.Name] = true })
	return o, o.validate()
}

func (o *conformanceOptions) validate() error {
	switch {
	case o.timeout <= 0:
		return usagef("--timeout: must be positive, got %s", o.timeout)
	case o.maxTime <= 0:
		return usagef("--max-time: must be positive, got %s", o.maxTime)
	case o.concurrency < 1:
		return usagef("--concurrency: must be at least 1, got %d", o.concurrency)
	case o.minChecks < 0:
		return usagef("--min-checks: must not be negative, got %d", o.minChecks)
	case o.listFormat != outputText && o.listFormat != outputJSON:
		return usagef("-o: unknown output format %q (want %s or %s)", o.listFormat, outputText, outputJSON)
	case o.listFormat == outputJSON && !o.list:
		return usagef("-o: only with --list (the report formats are --json and --junit)")
	case o.jsonFile != "" && o.jsonFile == o.junitFile:
		return usagef("--junit: %q is also the --json file", o.junitFile)
	}
	for _, name := range []string{"provider", "dcr"} {
		v := map[string]string{"provider": o.provider, "dcr": o.dcr}[name]
		if _, ok := gates[v]; !ok {
			return usagef("--%s: want on, off or auto, got %q", name, v)
		}
	}
	if _, err := conformance.Select(conformance.Catalogue(), o.only, o.skip); err != nil {
		var pe *conformance.PatternError
		flagName := "--only/--skip"
		if errors.As(err, &pe) {
			flagName = "--only"
			if slices.Contains(o.skip, pe.Pattern) {
				flagName = "--skip"
			}
		}
		return usagef("%s: %v", flagName, err)
	}
	if o.list {
		return nil
	}
	if o.sweep && o.url == "" && os.Getenv(envURL) == "" {
		return usagef("--sweep: needs the server (--url or $%s); the embedded mock keeps nothing", envURL)
	}
	for _, f := range o.reportFiles(nil) {
		if err := checkReportPath(f.flag, f.path); err != nil {
			return err
		}
	}
	if err := o.qa.validate(); err != nil {
		return err
	}
	if o.url == "" && !o.explicit["url"] {
		o.url = strings.TrimSpace(os.Getenv(envURL))
		o.urlFromEnv = o.url != ""
	}
	if o.url == "" {
		// The embedded mock's identities and settings are known; flags that
		// describe a live server would silently do nothing.
		for _, name := range []string{"admin-token", "manager-token", "manager2-token", "user-token", "token-file", "provider", "dcr", "dcr-allowlist"} {
			if o.explicit[name] {
				return usagef("--%s: only with --url (the embedded mock needs no identities or settings)", name)
			}
		}
		for _, d := range o.deviations {
			if _, err := mockserver.ParseDeviation(d); err != nil {
				return deviationError("--mock-deviation", d)
			}
		}
		return nil
	}
	urlFlag := "--url"
	if o.urlFromEnv {
		urlFlag = "$" + envURL
	}
	if len(o.deviations) > 0 {
		return usagef("--mock-deviation: only with the embedded mock, not with %s", urlFlag)
	}
	if err := checkServerURL(o.url); err != nil {
		return usagef("%s: %v", urlFlag, err)
	}
	tokens, err := o.resolveTokens()
	if err != nil {
		return err
	}
	o.resolvedTokens = tokens
	return nil
}

// embeddedLabel is what every report says it tested without --url.
const embeddedLabel = "embedded mock (no --url)"

var gates = map[string]conformance.Gate{"auto": conformance.Either, "on": conformance.On, "off": conformance.Off}

// resolveTokens reads each identity from its flag, else the token file,
// else its environment variable.
func (o *conformanceOptions) resolveTokens() (map[conformance.Role]string, error) {
	fromFile := map[conformance.Role]string{}
	if o.tokenFile != "" {
		var err error
		if fromFile, err = readTokenFile(o.tokenFile); err != nil {
			return nil, err
		}
	}
	out := map[conformance.Role]string{}
	for _, role := range conformance.Roles() {
		tok := strings.TrimSpace(*o.tokens[role])
		if tok == "" {
			tok = fromFile[role]
		}
		if tok == "" {
			tok = strings.TrimSpace(os.Getenv(role.TokenEnv()))
		}
		if tok == "" && role == conformance.Admin {
			// apps, discover and register read MMOAUTH_TOKEN: an
			// administrator's token, the identity it is here too.
			tok = strings.TrimSpace(os.Getenv(envToken))
		}
		if tok != "" {
			out[role] = tok
		}
	}
	return out, nil
}

// readTokenFile reads a token file (conformance.ParseTokenFile); its
// errors are usage errors that name the file and line, never a token.
func readTokenFile(path string) (map[conformance.Role]string, error) {
	f, err := os.Open(path) //nolint:gosec // G304: the user names the file on purpose
	if err != nil {
		return nil, usagef("--token-file: %v", err)
	}
	defer f.Close()
	tokens, err := conformance.ParseTokenFile(f)
	if err != nil {
		return nil, usagef("--token-file: %s %v", path, err)
	}
	return tokens, nil
}

// run runs the catalogue against --url or the embedded mock.
func (o *conformanceOptions) run(ctx context.Context, stderr io.Writer) (*conformance.Report, error) {
	opts := conformance.Options{
		Only: o.only, Skip: o.skip, Strict: o.strict, ReadOnly: o.readOnly,
		RequestTimeout: o.timeout, MaxTime: o.maxTime, Concurrency: o.concurrency,
		FailOnSkip: o.failOnSkip, MinChecks: o.minChecks,
	}
	if isTerminal(stderr) {
		opts.Progress = stderr
	} else {
		opts.ProgressLines = stderr
	}
	var targets []conformance.Target
	if o.url == "" {
		devs := make([]mockserver.Deviation, len(o.deviations))
		for i, d := range o.deviations {
			devs[i] = mockserver.Deviation(d)
		}
		mocks, err := startEmbeddedMocks(ctx, devs)
		if err != nil {
			return nil, err
		}
		defer mocks.close()
		targets = mocks.targets
		opts.Label = embeddedLabel
	} else {
		targets = []conformance.Target{{
			URL:    o.url,
			Tokens: o.resolvedTokens,
			Declared: conformance.Declared{
				Provider: gates[o.provider], DCR: gates[o.dcr], Allowlist: o.allowlist,
			},
		}}
	}
	if err := o.qa.options(&opts, stderr); err != nil {
		return nil, err
	}
	// A *conformance.SetupError is one line: finish prints it as is.
	return conformance.Run(ctx, opts, targets...)
}

// reportFile is one report the run writes besides the text report.
type reportFile struct {
	flag, path string
	write      func(io.Writer) error
}

// reportFiles are the --json and --junit reports that were asked for.
func (o *conformanceOptions) reportFiles(rep *conformance.Report) []reportFile {
	var out []reportFile
	for _, f := range []reportFile{{flag: "--json", path: o.jsonFile}, {flag: "--junit", path: o.junitFile}} {
		if f.path == "" {
			continue
		}
		if rep != nil {
			f.write = map[string]func(io.Writer) error{"--json": rep.WriteJSON, "--junit": rep.WriteJUnit}[f.flag]
		}
		out = append(out, f)
	}
	return out
}

// reportToStdout reports whether --json or --junit is "-": the text report
// then goes to stderr, so that stdout stays one parsable document.
func (o *conformanceOptions) reportToStdout() bool { return o.jsonFile == "-" || o.junitFile == "-" }

// writeFiles writes the --json and --junit reports.
func (o *conformanceOptions) writeFiles(rep *conformance.Report, stdout io.Writer) error {
	for _, out := range o.reportFiles(rep) {
		if out.path == "-" {
			if err := out.write(stdout); err != nil {
				return fmt.Errorf("writing the %s report to stdout: %w", out.flag, err)
			}
			continue
		}
		f, err := os.Create(out.path) //nolint:gosec // G304: the user names the report file
		if err != nil {
			return err
		}
		werr := out.write(f)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("writing %s: %w", out.path, werr)
		}
	}
	return nil
}

// listedCheck is one line of --list -o json.
type listedCheck struct {
	ID       string               `json:"id"`
	Category conformance.Category `json:"category"`
	Kind     conformance.Kind     `json:"kind"`
	Rule     string               `json:"rule"`
	Source   string               `json:"source"`
}

// listCatalogue prints the selected checks: id, category, kind, then rule
// and source; or a JSON array of them.
func listCatalogue(w io.Writer, only, skip []string, format string) error {
	checks, err := conformance.Select(conformance.Catalogue(), only, skip)
	if err != nil {
		return err
	}
	if format == outputJSON {
		out := make([]listedCheck, len(checks))
		for i, c := range checks {
			out[i] = listedCheck{ID: c.ID, Category: c.Category, Kind: c.Kind, Rule: c.Rule, Source: c.Source}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for _, c := range checks {
		if _, err := fmt.Fprintf(w, "%s  [%s, %s]\n    %s\n    source: %s\n", c.ID, c.Category, c.Kind, c.Rule, c.Source); err != nil {
			return err
		}
	}
	return nil
}

// isTerminal reports whether w is a character device (the progress line is
// only drawn there, not into logs).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
