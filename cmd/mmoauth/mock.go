package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

func init() {
	register(command{
		name:    "mock",
		summary: "serve a mock Mattermost (OAuth 2.0 service provider) for offline testing",
		run:     runMock,
	})
}

const mockAbout = `
Serves an in-memory emulation of Mattermost's OAuth 2.0 service provider:
OAuth apps, dynamic client registration (RFC 7591), authorization server
metadata (RFC 8414), the authorize/token flow with PKCE, and the permission
rules of the real server. It prints its URL and the seeded identities with
their tokens (send them as "Authorization: Bearer <token>"), then serves until
Ctrl-C (SIGINT) or SIGTERM and shuts down gracefully: requests in flight are
finished (up to --shutdown-timeout) before it exits.

State (apps, approvals, codes, tokens) lives in memory unless --state names a
file or --store a Postgres database. --state FILE is an embedded SQLite
database: every change is one transaction, committed to disk before it is
acknowledged, so that a restart, or a kill -9 at any moment, loses no change a
client was told about; a JSON state file of earlier versions is converted on
first start (and kept as FILE.v1.json). One process per state file: a second
one refuses to start. --store postgres://USER:PASSWORD@HOST:PORT/DB keeps the
state in Postgres, where several mock processes (behind one load balancer)
share it; the tables, prefixed mmoauth_, are created when missing.

Settings start as on a stock server: provider on, dynamic client registration
off. A seed file (--seed) replaces the identities and may set the settings:
  {"users": [{"id": "...", "username": "...", "email": "...",
              "roles": "system_user", "permissions": ["manage_oauth"],
              "token": "..."}],
   "config": {"site_url": "...", "enable_oauth_service_provider": true,
              "enable_dynamic_client_registration": true,
              "dcr_redirect_uri_allowlist": ["https://*.example.com/**"],
              "enable_dcr_rate_limit": false, "enable_developer": false}}
Flags given on the command line win over the seed's config.

As on a stock server, error answers carry an empty detailed_error;
--enable-developer (ServiceSettings.EnableDeveloper) fills it, e.g. with the
permission a 403 lacked.

Faults (--fault, repeatable) are comma-separated key=value pairs:
`

// mockOptions are the parsed flags of "mmoauth mock".
type mockOptions struct {
	addr, siteURL, seedFile     string
	statePath, storeURL         string
	enableDCR, disableOAuth     bool
	dcrRateLimit, developer     bool
	allowlist, faults, devs     stringList
	latency                     time.Duration
	randSeed                    int64
	readTimeout, writeTimeout   time.Duration
	readHeaderTimeout           time.Duration
	shutdownTimeout             time.Duration
	explicitDCR, explicitOAuth  bool
	explicitRate, explicitAllow bool
	explicitDeveloper           bool
	verbose                     bool
	release                     models.Release
}

func runMock(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return finish(stderr, "mock", serveMock(ctx, args, stdout, stderr))
}

func parseMockFlags(args []string, stdout io.Writer) (*mockOptions, error) {
	p := newFlagParser("mock", "mmoauth mock [flags]", mockAbout+faultHelp(), stdout)
	o := &mockOptions{}
	fs := p.fs
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8065", "listen `address` (host:port; port 0 picks a free one)")
	fs.StringVar(&o.siteURL, "site-url", "", "the server's SiteURL (issuer and endpoint base); default the listener's URL")
	fs.StringVar(&o.seedFile, "seed", "", "seed `file` (JSON): users and settings")
	fs.StringVar(&o.statePath, "state", "", "keep the state in this `file` (embedded SQLite; each change committed before it is acknowledged)")
	fs.StringVar(&o.storeURL, "store", "", "keep the state in this Postgres database (`URL` postgres://…), shared by several mock processes")
	fs.BoolVar(&o.enableDCR, "enable-dcr", false, "enable dynamic client registration (EnableDynamicClientRegistration)")
	fs.BoolVar(&o.disableOAuth, "disable-oauth", false, "turn the OAuth service provider off (EnableOAuthServiceProvider=false)")
	fs.BoolVar(&o.dcrRateLimit, "dcr-rate-limit", false, "rate-limit registration: 2 per second, burst 1, per client address")
	fs.BoolVar(&o.developer, "enable-developer", false, "developer mode (EnableDeveloper): errors carry a detailed_error")
	fs.Var(&commaList{&o.allowlist}, "dcr-allowlist", "allowed registration redirect URI `patterns` (* and **; comma-separated, repeatable)")
	fs.Var(releaseFlag{&o.release}, "mattermost-version", "emulate this Mattermost `release` (MAJOR.MINOR, e.g. 9.10 or 11.6): its X-Version-Id and the rules that changed across releases")
	fs.Var(&o.faults, "fault", "inject a `fault` (repeatable; see above)")
	fs.DurationVar(&o.latency, "latency", 0, "delay every answer by this `duration`")
	fs.Int64Var(&o.randSeed, "rand-seed", 1, "`seed` for faults with a rate, so a run can be repeated")
	fs.Var(&o.devs, "deviation", "break one `rule` of the real server on purpose, to see conformance checks fail (repeatable; an unknown name lists them)")
	limits := mockserver.DefaultServerLimits()
	fs.DurationVar(&o.readHeaderTimeout, "read-header-timeout", limits.ReadHeaderTimeout, "maximum `duration` to read a request's headers")
	fs.DurationVar(&o.readTimeout, "read-timeout", limits.ReadTimeout, "maximum `duration` to read a request")
	fs.DurationVar(&o.writeTimeout, "write-timeout", limits.WriteTimeout, "maximum `duration` to write an answer (raised by --latency)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to let running requests finish on shutdown")
	fs.BoolVar(&o.verbose, "v", false, "log each request on stderr: method, path, status, latency and the identity (never the token)")
	fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
	positional, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(positional, 0, 0, ""); err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "enable-dcr":
			o.explicitDCR = true
		case "disable-oauth":
			o.explicitOAuth = true
		case "dcr-rate-limit":
			o.explicitRate = true
		case "dcr-allowlist":
			o.explicitAllow = true
		case "enable-developer":
			o.explicitDeveloper = true
		}
	})
	return o, o.validate()
}

func (o *mockOptions) validate() error {
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return usagef("--addr: %v", err)
	}
	if o.statePath != "" && o.storeURL != "" {
		return usagef("--store: give --state FILE or --store URL, not both")
	}
	if o.storeURL != "" && !strings.HasPrefix(o.storeURL, "postgres://") && !strings.HasPrefix(o.storeURL, "postgresql://") {
		return usagef("--store: want a postgres:// or postgresql:// URL")
	}
	if o.siteURL != "" {
		// The same form as a server URL given to the clients: absolute
		// http(s), a host, a path allowed (subpath installs), no query.
		if err := checkServerURL(o.siteURL); err != nil {
			return usagef("--site-url: %v", err)
		}
	}
	switch {
	case o.latency < 0:
		return usagef("--latency: must not be negative, got %s", o.latency)
	case o.readHeaderTimeout <= 0:
		return usagef("--read-header-timeout: must be positive, got %s", o.readHeaderTimeout)
	case o.readTimeout <= 0:
		return usagef("--read-timeout: must be positive, got %s", o.readTimeout)
	case o.writeTimeout <= 0:
		return usagef("--write-timeout: must be positive, got %s", o.writeTimeout)
	case o.shutdownTimeout <= 0:
		return usagef("--shutdown-timeout: must be positive, got %s", o.shutdownTimeout)
	}
	for _, f := range o.faults {
		if _, err := mockserver.ParseFault(f); err != nil {
			return faultError(err)
		}
	}
	for _, d := range o.devs {
		if _, err := mockserver.ParseDeviation(d); err != nil {
			return deviationError("--deviation", d)
		}
	}
	return nil
}

// options turns the flags into mockserver options; the seed file is read here.
func (o *mockOptions) options() ([]mockserver.Option, error) {
	cfg := mockserver.DefaultConfig()
	var opts []mockserver.Option
	if o.seedFile != "" {
		f, err := os.Open(o.seedFile) //nolint:gosec // G703: the user names the seed file to read
		if err != nil {
			return nil, usagef("--seed: %v", err)
		}
		seed, err := mockserver.LoadSeed(f)
		_ = f.Close()
		if err != nil {
			return nil, usagef("--seed: %s: %v", o.seedFile, err)
		}
		if len(seed.Users) > 0 {
			opts = append(opts, mockserver.WithUsers(seed.Users))
		}
		seed.Config.Apply(&cfg)
	}
	if o.siteURL != "" {
		cfg.SiteURL = o.siteURL
	}
	cfg.Release = o.release
	if o.explicitDCR {
		cfg.EnableDynamicClientRegistration = o.enableDCR
	}
	if o.explicitOAuth {
		cfg.EnableOAuthServiceProvider = !o.disableOAuth
	}
	if o.explicitRate {
		cfg.EnableDCRRateLimit = o.dcrRateLimit
	}
	if o.explicitAllow {
		cfg.DCRRedirectURIAllowlist = o.allowlist
	}
	if o.explicitDeveloper {
		cfg.EnableDeveloper = o.developer
	}
	opts = append(opts, mockserver.WithConfig(cfg), mockserver.WithRandSeed(o.randSeed))
	for _, s := range o.faults {
		f, err := mockserver.ParseFault(s)
		if err != nil {
			return nil, usagef("--fault: %v", err)
		}
		opts = append(opts, mockserver.WithFaults(f))
	}
	if o.latency > 0 {
		opts = append(opts, mockserver.WithFaults(mockserver.Fault{Latency: o.latency}))
	}
	for _, d := range o.devs {
		opts = append(opts, mockserver.WithDeviations(mockserver.Deviation(d)))
	}
	if o.statePath != "" {
		opts = append(opts, mockserver.WithStateFile(o.statePath))
	}
	if o.storeURL != "" {
		opts = append(opts, mockserver.WithStore(o.storeURL))
	}
	return opts, nil
}

func serveMock(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseMockFlags(args, stdout)
	if err != nil {
		return err
	}
	opts, err := o.options()
	if err != nil {
		return err
	}
	limits := mockserver.DefaultServerLimits()
	limits.ReadHeaderTimeout = o.readHeaderTimeout
	limits.ReadTimeout = o.readTimeout
	limits.WriteTimeout = o.writeTimeout + o.latency
	opts = append(opts, mockserver.WithServerLimits(limits))
	var reqLog *requestLog
	if o.verbose {
		reqLog = &requestLog{w: stderr}
		opts = append(opts, mockserver.WithMiddleware(reqLog.middleware))
	}
	mock, err := mockserver.Listen(ctx, o.addr, opts...)
	var opErr *net.OpError
	switch {
	case errors.Is(err, mockserver.ErrStateFile), errors.Is(err, mockserver.ErrStore), errors.As(err, &opErr):
		// Not usage errors: the state file is unreadable, corrupt, in use
		// or unwritable, the database is down or refuses us, or the
		// address is taken.
		return err
	case err != nil:
		return usagef("%v", err)
	}
	if reqLog != nil {
		reqLog.srv.Store(mock.Server)
	}
	state := o.statePath
	if o.storeURL != "" {
		state = redactURL(o.storeURL)
	}
	printBanner(stdout, mock.URL, state, mock.Server)

	select {
	case <-mock.Done():
		return mock.Err()
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "mmoauth mock: shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.shutdownTimeout)
	defer cancel()
	// Past the timeout, requests still running (a long injected latency)
	// are cut off.
	_ = mock.Shutdown(shutdownCtx)
	return mock.Err()
}

// redactURL is a store URL without its password, for the banner.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// printBanner shows where the server listens, its settings and the seeded
// identities. Printing the tokens is the point: they are the mock's fixed
// test credentials, and this is the only way a shell user learns them.
func printBanner(w io.Writer, base, state string, srv *mockserver.Server) {
	cfg := srv.Config()
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	fmt.Fprintf(w, "mmoauth mock: serving %s\n", base)
	if state != "" {
		fmt.Fprintf(w, "  state kept in %s\n", state)
	}
	fmt.Fprintf(w, "  SiteURL %s; OAuth provider %s; dynamic client registration %s; registration rate limit %s; allowlist %s; developer mode %s\n",
		cfg.SiteURL, onOff(cfg.EnableOAuthServiceProvider), onOff(cfg.EnableDynamicClientRegistration),
		onOff(cfg.EnableDCRRateLimit), list(cfg.DCRRedirectURIAllowlist), onOff(cfg.EnableDeveloper))
	if rules := srv.Faults().Rules(); len(rules) > 0 {
		fmt.Fprintf(w, "  %s active\n", plural(int64(len(rules)), "fault rule", "fault rules"))
	}
	fmt.Fprintln(w, "identities (send \"Authorization: Bearer <token>\"):")
	id := srv.Identities()
	roleOf := map[string]string{
		id.SystemAdmin.ID: "system admin", id.OAuthManager.ID: "oauth manager",
		id.OAuthManager2.ID: "oauth manager 2", id.PlainUser.ID: "plain user",
	}
	rows := [][]string{}
	for _, u := range srv.Users() {
		role := roleOf[u.ID]
		if role == "" {
			role = "-"
		}
		perms := strings.Join(u.Permissions, ",")
		rows = append(rows, []string{"  " + role, u.Username, u.ID, u.Roles + orEmpty(perms), u.Token})
	}
	_ = writeTable(w, []string{"  ROLE", "USERNAME", "ID", "ROLES(+PERMISSIONS)", "TOKEN"}, rows)
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}

func orEmpty(perms string) string {
	if perms == "" {
		return ""
	}
	return " +" + perms
}

// commaList is a repeatable flag whose values may also be comma-separated.
type commaList struct{ l *stringList }

func (c *commaList) String() string {
	if c.l == nil {
		return ""
	}
	return c.l.String()
}

// Set appends the comma-separated values.
func (c *commaList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*c.l = append(*c.l, p)
		}
	}
	return nil
}
