package main

// Flag handling shared by the subcommands written for people at a shell
// (discover, register, apps): one parser, one set of common flags, one way to
// report a usage error, so that every subcommand behaves the same:
//   - flags may come before or after the positional arguments;
//   - --help (or -h) prints the usage on stdout and exits 0;
//   - every flag is checked before any I/O, and a bad one exits 2 with one
//     line on stderr that names it;
//   - a server or network failure exits 1 with one line on stderr.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/client"
)

// Environment variables read by the subcommands that talk to a server.
const (
	envURL   = "MMOAUTH_URL"
	envToken = "MMOAUTH_TOKEN" //nolint:gosec // G101: the name of a variable, not a credential
)

// cliUserAgent identifies the CLI to the server (visible in its access logs).
const cliUserAgent = "mmoauth-cli/0.1 (+https://github.com/mmoauth/mmoauth)"

// defaultTimeout bounds a whole subcommand, retries included.
const defaultTimeout = 60 * time.Second

// Output formats of -o.
const (
	outputText = "text"
	outputJSON = "json"
)

// usageError is a bad invocation: exit code 2. detail, when set, is printed
// after the one line: the valid values of the flag, one per line.
type usageError struct{ msg, detail string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a *usageError. By convention the message starts with the
// flag it is about ("--redirect-uri: ..."), so the user sees which one to fix.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelpShown reports that --help printed the usage: exit code 0.
var errHelpShown = errors.New("help shown")

// flagParser is one subcommand's flag set with its usage text.
type flagParser struct {
	fs       *flag.FlagSet
	name     string // "discover", "apps list": used in usage and error lines
	synopsis string // "mmoauth discover [flags] URL"
	about    string // what the command does, a few lines
	stdout   io.Writer
}

func newFlagParser(name, synopsis, about string, stdout io.Writer) *flagParser {
	fs := flag.NewFlagSet("mmoauth "+name, flag.ContinueOnError)
	// The flag package would print its own multi-line usage on every error;
	// errors are reported as one line by finish, usage only on --help.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	if c, ok := stdout.(flagCollector); ok {
		c.collectFlags(name, fs)
	}
	return &flagParser{fs: fs, name: name, synopsis: synopsis, about: about, stdout: stdout}
}

// flagCollector is an output that wants to see every flag set a command
// builds: completion runs each command with --help into one, so that the
// scripts are generated from the very flag sets the commands parse.
type flagCollector interface {
	collectFlags(name string, fs *flag.FlagSet)
}

// parse parses args, allowing flags after positional arguments
// ("mmoauth discover URL -o json"); "--" ends flag parsing. It returns the
// positional arguments, errHelpShown after printing the usage for -h/--help,
// or a *usageError.
func (p *flagParser) parse(args []string) ([]string, error) {
	var positional []string
	for {
		if err := p.fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				p.printUsage()
				return nil, errHelpShown
			}
			// The flag package's messages name the flag already:
			// "flag provided but not defined: -x",
			// `invalid value "x" for flag -per-page: parse error`.
			return nil, usagef("%s", err.Error())
		}
		rest := p.fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		// Parse stops at the first non-flag argument, or consumes "--".
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// printUsage writes the synopsis, the description and every flag, spelled
// with two dashes (the flag package accepts one or two).
func (p *flagParser) printUsage() {
	w := p.stdout
	fmt.Fprintf(w, "usage: %s\n\n", p.synopsis)
	if p.about != "" {
		fmt.Fprintln(w, strings.TrimSpace(p.about))
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "flags:")
	type line struct{ head, usage string }
	var lines []line
	width := 0
	p.fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		dashes := "--"
		if len(f.Name) == 1 {
			dashes = "-"
		}
		head := dashes + f.Name
		if kind != "" {
			head += " " + kind
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		lines = append(lines, line{head, usage})
		width = max(width, len(head))
	})
	for _, l := range lines {
		fmt.Fprintf(w, "  %-*s  %s\n", width, l.head, l.usage)
	}
}

// outputFlags are -o/--output, --timeout and -v/--verbose, common to every
// subcommand.
type outputFlags struct {
	format  string
	timeout time.Duration
	verbose bool
}

func (o *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.format, "o", outputText, "output `format`: text or json")
	fs.StringVar(&o.format, "output", outputText, "output `format` (same as -o)")
	fs.DurationVar(&o.timeout, "timeout", defaultTimeout, "give up after this long, retries included")
	fs.BoolVar(&o.verbose, "v", false, "log each HTTP attempt (method, path, status) to stderr; never tokens or secrets")
	fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
}

func (o *outputFlags) validate() error {
	switch o.format {
	case outputText, outputJSON:
	default:
		return usagef("-o: unknown output format %q (want %s or %s)", o.format, outputText, outputJSON)
	}
	if o.timeout <= 0 {
		return usagef("--timeout: must be positive, got %s", o.timeout)
	}
	return nil
}

func (o *outputFlags) json() bool { return o.format == outputJSON }

// serverFlags select the server: --url, or MMOAUTH_URL; discover and register
// also take it as their positional argument.
type serverFlags struct {
	url string
}

func (s *serverFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.url, "url", "", "server root `URL` (Mattermost's SiteURL); default $"+envURL)
}

// resolve picks the server URL from the positional argument (for the
// commands that take one), --url, then $MMOAUTH_URL, and checks its form.
func (s *serverFlags) resolve(positional string, takesPositional bool) (string, error) {
	raw, from := positional, "URL"
	switch {
	case positional != "" && s.url != "" && positional != s.url:
		return "", usagef("--url: %q conflicts with the URL argument %q; give one", s.url, positional)
	case raw == "" && s.url != "":
		raw, from = s.url, "--url"
	case raw == "":
		raw, from = os.Getenv(envURL), envURL
	}
	if raw == "" {
		if takesPositional {
			return "", usagef("URL: missing server URL (give it as an argument or with --url, or set %s)", envURL)
		}
		return "", usagef("--url: missing server URL (pass --url or set %s)", envURL)
	}
	if err := checkServerURL(raw); err != nil {
		return "", usagef("%s: %v", from, err)
	}
	return raw, nil
}

// checkServerURL accepts what client.New and client.Discover accept: an
// absolute http(s) URL with a host and no query, fragment or user
// information (RFC 8414 §2: the issuer identifier).
func checkServerURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL", raw)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%q is not an http(s) URL", raw)
	case u.Host == "":
		return fmt.Errorf("%q has no host", raw)
	case u.RawQuery != "" || u.ForceQuery:
		return fmt.Errorf("%q must not have a query", raw)
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("%q must not have a fragment", raw)
	case u.User != nil:
		return errors.New("the URL must not carry user information")
	}
	return nil
}

// tokenFlags find the session token for the commands that need one:
// --token-file, --token, then $MMOAUTH_TOKEN.
type tokenFlags struct {
	token     string
	tokenFile string
}

func (t *tokenFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&t.token, "token", "", "session or personal access `token` (visible in the process list: prefer $"+envToken+" or --token-file)")
	fs.StringVar(&t.tokenFile, "token-file", "", "read the token from this `file`")
}

// resolve returns the token. A token given with --token is visible to every
// user of the machine (ps, /proc/PID/cmdline), so it works but warns.
func (t *tokenFlags) resolve(name string, stderr io.Writer) (string, error) {
	switch {
	case t.token != "" && t.tokenFile != "":
		return "", usagef("--token: give --token or --token-file, not both")
	case t.tokenFile != "":
		b, err := os.ReadFile(t.tokenFile)
		if err != nil {
			// The *PathError names the file, never its content.
			return "", usagef("--token-file: %v", err)
		}
		tok := strings.TrimSpace(string(b))
		if tok == "" {
			return "", usagef("--token-file: %s is empty", t.tokenFile)
		}
		return tok, nil
	case t.token != "":
		warnVisibleToken(stderr, name, "--token", "$"+envToken+" or --token-file")
		return t.token, nil
	}
	if tok := strings.TrimSpace(os.Getenv(envToken)); tok != "" {
		return tok, nil
	}
	return "", usagef("--token: missing token (set $%s, or pass --token-file or --token)", envToken)
}

// warnVisibleToken is the one warning every token flag gives: a value on
// the command line is visible to every user of the machine (ps,
// /proc/PID/cmdline). instead says what to use.
func warnVisibleToken(stderr io.Writer, name, flagName, instead string) {
	fmt.Fprintf(stderr, "mmoauth %s: warning: %s shows the token in the process list; use %s\n", name, flagName, instead)
}

// clientOptions are the client.Options every subcommand uses.
func (o *outputFlags) clientOptions(stderr io.Writer) []client.Option {
	opts := []client.Option{client.WithUserAgent(cliUserAgent)}
	if o.verbose {
		// The client logs method, path, status and waits only (client.WithLogger).
		h := slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
		opts = append(opts, client.WithLogger(slog.New(h)))
	}
	return opts
}

// withTimeout bounds the command's I/O by --timeout.
func (o *outputFlags) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.timeout)
}

// finish turns a subcommand's result into its exit code, writing a failure as
// one line "mmoauth NAME: message" on stderr.
func finish(stderr io.Writer, name string, err error) int {
	var ue *usageError
	switch {
	case err == nil, errors.Is(err, errHelpShown):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "mmoauth %s: %s\n", name, oneLine(ue.msg))
		fmt.Fprint(stderr, ue.detail)
		return exitUsage
	default:
		// client errors start with "mmoauth: "; the line has its own prefix.
		msg := strings.TrimPrefix(oneLine(err.Error()), "mmoauth: ")
		fmt.Fprintf(stderr, "mmoauth %s: %s\n", name, msg)
		return exitFailure
	}
}

// oneLine folds any run of whitespace, newlines included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseURLCommand is the preamble of the commands that take the server URL as
// their one optional argument and need no token (discover, register): it
// registers the common flags on p (the command's own are registered before),
// parses args, then checks, before any I/O, the argument count, -o and
// --timeout, and the server URL, in that order.
func parseURLCommand(p *flagParser, args []string) (*outputFlags, string, error) {
	var out outputFlags
	var srv serverFlags
	out.register(p.fs)
	srv.register(p.fs)
	positional, err := p.parse(args)
	if err != nil {
		return nil, "", err
	}
	if err := wantArgs(positional, 0, 1, "URL"); err != nil {
		return nil, "", err
	}
	if err := out.validate(); err != nil {
		return nil, "", err
	}
	serverURL, err := srv.resolve(firstOrEmpty(positional), true)
	if err != nil {
		return nil, "", err
	}
	return &out, serverURL, nil
}

// firstOrEmpty returns the first positional argument, or "".
func firstOrEmpty(positional []string) string {
	if len(positional) == 0 {
		return ""
	}
	return positional[0]
}

// wantArgs checks the number of positional arguments.
func wantArgs(positional []string, least, most int, what string) error {
	switch {
	case len(positional) < least:
		return usagef("missing %s", what)
	case len(positional) > most:
		return usagef("unexpected argument %q", positional[most])
	}
	return nil
}

// stringList is a repeatable string flag (--redirect-uri A --redirect-uri B).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set appends one value.
func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}
