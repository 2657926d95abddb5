package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
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

Without --url it starts the embedded mock in four configurations (provider on
with registration off; registration on; registration on with an allowlist;
provider off) and runs the whole catalogue against them.

Identities (personal access tokens or session tokens), from the flags, a
token file or the environment; a missing one skips its checks:
  --admin-token     $MMOAUTH_ADMIN_TOKEN     a system admin
  --manager-token   $MMOAUTH_MANAGER_TOKEN   a user with manage_oauth
  --manager2-token  $MMOAUTH_MANAGER2_TOKEN  a second user with manage_oauth
  --user-token      $MMOAUTH_USER_TOKEN      a user without manage_oauth
--token-file FILE reads KEY=TOKEN lines (admin=, manager=, manager2=, user=,
or the variable names). On a stock server only system admins hold
manage_oauth, and they see every app: the creator-only rules are then skipped
(grant manage_oauth to two ordinary users to test them).

Settings the suite cannot change are detected (--provider/--dcr auto) or
declared; the allowlist can only be declared.

Safety: every app the run creates is deleted when its check ends, also on a
failure, a panic or Ctrl-C; apps it did not create are never changed or
deleted. --read-only runs only the checks that create nothing.

Exit status: 0 every required check passed (warnings allowed), 1 a check
failed or the server could not be tested, 2 a usage error.`

// Environment variables of the identities.
var roleEnv = map[conformance.Role]string{
	conformance.Admin:     "MMOAUTH_ADMIN_TOKEN",
	conformance.Manager:   "MMOAUTH_MANAGER_TOKEN",
	conformance.Manager2:  "MMOAUTH_MANAGER2_TOKEN",
	conformance.PlainUser: "MMOAUTH_USER_TOKEN",
}

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
	deviations          stringList
	explicit            map[string]bool
	resolvedTokens      map[conformance.Role]string
}

func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseConformanceFlags(args, stdout)
	if err != nil {
		return finish(stderr, "conformance", err)
	}
	if o.list {
		return finish(stderr, "conformance", listCatalogue(stdout))
	}
	rep, err := o.run(ctx, stderr)
	if err != nil {
		return finish(stderr, "conformance", err)
	}
	if err := rep.WriteText(stdout); err != nil {
		return finish(stderr, "conformance", err)
	}
	if err := o.writeFiles(rep); err != nil {
		return finish(stderr, "conformance", err)
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
		fs.StringVar(o.tokens[role], string(role)+"-token", "", fmt.Sprintf("`token` of the %s identity (default $%s; visible in the process list)", role, roleEnv[role]))
	}
	fs.StringVar(&o.tokenFile, "token-file", "", "read identities from this `file` of KEY=TOKEN lines")
	fs.StringVar(&o.provider, "provider", "auto", "the OAuth service provider: `on|off|auto` (auto detects it)")
	fs.StringVar(&o.dcr, "dcr", "auto", "dynamic client registration: `on|off|auto` (auto detects it)")
	fs.Var(&commaList{&o.allowlist}, "dcr-allowlist", "declare the server's DCR redirect URI allowlist `patterns` (comma-separated, repeatable)")
	fs.BoolVar(&o.strict, "strict", false, "RFC rules the real server breaks fail instead of warn")
	fs.BoolVar(&o.readOnly, "read-only", false, "run only the checks that create nothing")
	fs.StringVar(&o.jsonFile, "json", "", "also write the report as JSON to `file`")
	fs.StringVar(&o.junitFile, "junit", "", "also write a JUnit XML report to `file`")
	fs.DurationVar(&o.timeout, "timeout", conformance.DefaultRequestTimeout, "limit for each request (`duration`)")
	fs.DurationVar(&o.maxTime, "max-time", conformance.DefaultMaxTime, "limit for the whole run (cleanup excluded)")
	fs.IntVar(&o.concurrency, "concurrency", conformance.DefaultConcurrency, "run `N` checks at once")
	fs.Var(&commaList{&o.only}, "only", "run only checks whose id matches a `glob` (e.g. 'permissions/**'; repeatable)")
	fs.Var(&commaList{&o.skip}, "skip", "skip checks whose id matches a `glob` (repeatable)")
	fs.BoolVar(&o.list, "list", false, "print the catalogue and exit")
	fs.Var(&commaList{&o.deviations}, "mock-deviation", "embedded mock only: break a `rule` on purpose to watch checks fail (repeatable)")
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
	}
	for _, name := range []string{"provider", "dcr"} {
		v := map[string]string{"provider": o.provider, "dcr": o.dcr}[name]
		if _, ok := gates[v]; !ok {
			return usagef("--%s: want on, off or auto, got %q", name, v)
		}
	}
	if _, err := conformance.Select(nil, o.only, o.skip); err != nil {
		return usagef("--only/--skip: %v", err)
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
				return usagef("--mock-deviation: %v", err)
			}
		}
		return nil
	}
	if len(o.deviations) > 0 {
		return usagef("--mock-deviation: only without --url")
	}
	if err := checkServerURL(o.url); err != nil {
		return usagef("--url: %v", err)
	}
	tokens, err := o.resolveTokens()
	if err != nil {
		return err
	}
	o.resolvedTokens = tokens
	return nil
}

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
			tok = strings.TrimSpace(os.Getenv(roleEnv[role]))
		}
		if tok != "" {
			out[role] = tok
		}
	}
	return out, nil
}

// readTokenFile parses KEY=TOKEN lines; KEY is a role (admin, manager,
// manager2, user) or its environment variable. Blank lines and # comments
// are ignored. Errors never quote a token.
func readTokenFile(path string) (map[conformance.Role]string, error) {
	b, err := os.ReadFile(path) //nolint:gosec // G304: the user names the file on purpose
	if err != nil {
		return nil, usagef("--token-file: %v", err)
	}
	out := map[conformance.Role]string{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		role, known := roleForKey(strings.TrimSpace(key))
		if !ok || !known || strings.TrimSpace(val) == "" {
			return nil, usagef("--token-file: %s line %d: want admin=, manager=, manager2= or user= followed by a token", path, i+1)
		}
		out[role] = strings.TrimSpace(val)
	}
	return out, nil
}

func roleForKey(key string) (conformance.Role, bool) {
	for _, role := range conformance.Roles() {
		if strings.EqualFold(key, string(role)) || key == roleEnv[role] {
			return role, true
		}
	}
	return "", false
}

// run runs the catalogue against --url or the embedded mock.
func (o *conformanceOptions) run(ctx context.Context, stderr io.Writer) (*conformance.Report, error) {
	opts := conformance.Options{
		Only: o.only, Skip: o.skip, Strict: o.strict, ReadOnly: o.readOnly,
		RequestTimeout: o.timeout, MaxTime: o.maxTime, Concurrency: o.concurrency,
	}
	if isTerminal(stderr) {
		opts.Progress = stderr
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
	} else {
		targets = []conformance.Target{{
			URL:    o.url,
			Tokens: o.resolvedTokens,
			Declared: conformance.Declared{
				Provider: gates[o.provider], DCR: gates[o.dcr], Allowlist: o.allowlist,
			},
		}}
	}
	// A *conformance.SetupError is one line: finish prints it as is.
	return conformance.Run(ctx, opts, targets...)
}

// writeFiles writes the --json and --junit reports.
func (o *conformanceOptions) writeFiles(rep *conformance.Report) error {
	for _, out := range []struct {
		path  string
		write func(io.Writer) error
	}{{o.jsonFile, rep.WriteJSON}, {o.junitFile, rep.WriteJUnit}} {
		if out.path == "" {
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

// listCatalogue prints every check: id, category, kind, then rule and source.
func listCatalogue(w io.Writer) error {
	for _, c := range conformance.Catalogue() {
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
