// Package exampleenv gives each example program its server: a real
// Mattermost named by -url (authenticated with -token or $MMOAUTH_TOKEN), or,
// with no arguments, the mock Mattermost started in-process on a loopback
// port. It keeps the examples themselves about the API, not about set-up.
package exampleenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
)

// EnvToken is the variable -token defaults to.
const EnvToken = "MMOAUTH_TOKEN" //nolint:gosec // G101: the name of a variable, not a credential

// Env is the server an example talks to and the identities it uses.
type Env struct {
	// URL is the server root (Mattermost's SiteURL).
	URL string
	// Embedded is true when URL is the in-process mock.
	Embedded bool
	// AdminToken manages apps: the mock's system administrator, or -token.
	AdminToken string
	// UserToken approves apps as an end user would: the mock's plain user
	// (no manage_oauth), or -token.
	UserToken string
	// Mock is the embedded server (nil for a real one), for examples that
	// need its handler, e.g. to run the conformance suite in-process.
	Mock *mockserver.Server

	shutdown func() error
	drift    *driftLog
}

// Setup parses an example's flags — the shared -url and -token, plus those
// extra registers (may be nil) — and starts its server. It prints the
// "server: ..." line on stdout. A bad flag is a *UsageError; -h is
// flag.ErrHelp, after the usage was printed on stdout.
func Setup(ctx context.Context, name string, args []string, stdout io.Writer, extra func(*flag.FlagSet)) (*Env, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	// Errors are reported once, by the caller; the usage only on -h.
	fs.SetOutput(io.Discard)
	o, err := parse(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, "usage: go run ./examples/%s [flags]\n", name)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return nil, err
	}
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	env, err := start(ctx, o)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(stdout, env.describe())
	return env, nil
}

// options are the parsed shared flags.
type options struct {
	url   string
	token string
}

func parse(fs *flag.FlagSet, args []string) (options, error) {
	var o options
	fs.StringVar(&o.url, "url", "", "a real server's root URL, its SiteURL (default: an embedded mock server)")
	fs.StringVar(&o.token, "token", "", "the token to use with -url (default $"+EnvToken+")")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.url == "" && o.token != "" {
		return o, errors.New("-token: only meaningful with -url")
	}
	if o.url != "" && o.token == "" {
		o.token = strings.TrimSpace(os.Getenv(EnvToken))
		if o.token == "" {
			return o, fmt.Errorf("-token: -url needs a token (-token or $%s)", EnvToken)
		}
	}
	return o, nil
}

// start connects to the real server, or starts the embedded mock with
// dynamic client registration on.
func start(ctx context.Context, o options) (*Env, error) {
	if o.url != "" {
		// Used as given: it must equal the server's issuer (RFC 8414 §3.3).
		return &Env{URL: o.url, AdminToken: o.token, UserToken: o.token}, nil
	}
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	return StartMock(ctx, cfg)
}

// StartMock starts a mock server with cfg on a loopback port. cfg.SiteURL is
// replaced by the listener's URL: the issuer (RFC 8414 §2) must be the URL
// clients use, port included, so the port is chosen first.
func StartMock(ctx context.Context, cfg mockserver.Config) (*Env, error) {
	cfg.SiteURL = "" // mockserver.Listen fills it with the listener's URL
	drift := &driftLog{}
	mock, err := mockserver.Listen(ctx, "127.0.0.1:0", mockserver.WithConfig(cfg), mockserver.WithResponseValidation(drift.add))
	if err != nil {
		return nil, fmt.Errorf("embedded mock: %w", err)
	}
	ids := mock.Server.Identities()
	return &Env{
		URL:        mock.URL,
		Embedded:   true,
		AdminToken: ids.SystemAdmin.Token,
		UserToken:  ids.PlainUser.Token,
		Mock:       mock.Server,
		shutdown:   mock.Close,
		drift:      drift,
	}, nil
}

// describe is the first line every example prints.
func (e *Env) describe() string {
	if e.Embedded {
		return "server: embedded mock Mattermost at " + e.URL
	}
	return "server: " + e.URL
}

// Close stops the embedded mock. It reports any response the mock sent
// that did not match the project's OpenAPI document, so that running an
// example also checks the mock.
func (e *Env) Close() error {
	if e.shutdown == nil {
		return nil
	}
	// Close, not Shutdown: the example's own requests are done, and Shutdown
	// would wait up to 5 s for any connection a transport dialed but never
	// used (net/http treats a new connection as idle only after 5 s).
	err := e.shutdown()
	return errors.Join(err, e.drift.err())
}

// driftLog collects response-validation failures of the embedded mock.
type driftLog struct {
	mu   sync.Mutex
	errs []error
}

func (d *driftLog) add(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.errs = append(d.errs, err)
}

func (d *driftLog) err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.errs) == 0 {
		return nil
	}
	return fmt.Errorf("the embedded mock drifted from the OpenAPI document: %w", errors.Join(d.errs...))
}

// Main runs an example's body with a context cancelled by Ctrl-C and bounded
// by a minute, printing its error on stderr and exiting 1 (2 for a usage
// error). Every example's main is one call to it.
func Main(run func(ctx context.Context, args []string, stdout io.Writer) error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	cancel()
	switch {
	case err == nil:
		return
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	var ue *UsageError
	if errors.As(err, &ue) {
		os.Exit(2)
	}
	os.Exit(1)
}

// UsageError is a bad flag.
type UsageError struct{ Err error }

// Error returns the flag error's message.
func (e *UsageError) Error() string { return e.Err.Error() }

// Unwrap returns the flag error.
func (e *UsageError) Unwrap() error { return e.Err }

// DeleteRegisteredClient removes a client an example registered with RFC
// 7591 and says so on stdout. A dynamically registered app has no creator, so
// only a manage_system_wide_oauth token may delete it (server/channels/api4/oauth.go registerOAuthClient); with
// another token the example prints how an administrator can remove it.
// It runs even when ctx is cancelled, since it cleans up.
func (e *Env) DeleteRegisteredClient(ctx context.Context, clientID string, stdout io.Writer) error {
	admin, err := client.New(e.URL, client.WithToken(e.AdminToken))
	if err != nil {
		return err
	}
	_, _, err = admin.DeleteOAuthApp(context.WithoutCancel(ctx), clientID)
	switch {
	case err == nil:
		fmt.Fprintln(stdout, "deleted the registered client")
		return nil
	case errors.Is(err, client.ErrForbidden):
		fmt.Fprintf(stdout, "the registered client %s stays: an administrator can remove it with 'mmoauth apps delete %s'\n", clientID, clientID)
		return nil
	}
	return fmt.Errorf("delete the registered client: %w", err)
}
