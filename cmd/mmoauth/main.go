// Command mmoauth is the command-line face of the toolkit: it serves the mock
// Mattermost, runs the conformance suite, discovers an authorization server,
// registers a client with RFC 7591 and manages OAuth apps.
//
// Exit codes: 0 success, 1 a failure (a failed check, a server error),
// 2 a usage error (a bad flag, a missing token).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand. run gets the arguments after the subcommand's
// name and returns the process exit code.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
	// subcommands maps each subcommand (apps list, apps get, ...) to its
	// one-line summary, for help and completion; nil for a command without
	// any.
	subcommands func() map[string]string
}

// subcommandNames is the sorted list of c's subcommands.
func (c command) subcommandNames() []string {
	if c.subcommands == nil {
		return nil
	}
	names := make([]string, 0)
	for n := range c.subcommands() {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// commands is filled by the init functions of the files beside this one, one
// file per subcommand, so that adding a subcommand touches one file.
var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	// A closed terminal (SIGHUP) or SIGQUIT must not skip the conformance
	// suite's cleanup any more than Ctrl-C or SIGTERM does: every one of
	// them cancels ctx, and the subcommand winds down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		// Not a request for help: a mistake, so the usage goes where
		// errors go and the exit status says so.
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	case "-version", "--version":
		writeVersion(stdout)
		return exitOK
	case "help":
		return runHelp(ctx, args[1:], stdout, stderr)
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mmoauth: unknown command %q (run 'mmoauth help')\n", args[0])
		return exitUsage
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

// runHelp is "mmoauth help [COMMAND [SUBCOMMAND]]": the same text as
// "mmoauth COMMAND [SUBCOMMAND] --help".
func runHelp(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// "mmoauth help apps --help" asks for the same thing twice.
	args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "-h" || a == "-help" || a == "--help" })
	if len(args) == 0 {
		usage(stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "mmoauth help: unknown command %q (commands: %s)\n", args[0], strings.Join(commandNames(), ", "))
		return exitUsage
	}
	if len(args) > 2 {
		fmt.Fprintf(stderr, "mmoauth help: unexpected argument %q\n", args[2])
		return exitUsage
	}
	if len(args) == 2 && !slices.Contains(c.subcommandNames(), args[1]) {
		fmt.Fprintf(stderr, "mmoauth help: %s has no subcommand %q (subcommands: %s)\n", c.name, args[1], orNone(c.subcommandNames()))
		return exitUsage
	}
	return c.run(ctx, append(args[1:], "--help"), stdout, stderr)
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

// commandNames lists the subcommands in order, "help" included.
func commandNames() []string {
	names := make([]string, 0, len(commands)+1)
	for n := range commands {
		names = append(names, n)
	}
	names = append(names, "help")
	sort.Strings(names)
	return names
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: mmoauth <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, n := range commandNames() {
		summary := helpSummary
		if c, ok := commands[n]; ok {
			summary = c.summary
		}
		fmt.Fprintf(w, "  %-12s %s\n", n, summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'mmoauth help <command>' (or 'mmoauth <command> --help') for the flags of a command;")
	fmt.Fprintln(w, "'mmoauth --version' prints the version.")
}

// helpSummary is the line of "help", which is not in the commands table
// (it dispatches to them).
const helpSummary = "show the usage of a command: mmoauth help COMMAND [SUBCOMMAND]"
