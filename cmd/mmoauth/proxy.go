package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mmoauth/mmoauth/proxy"
)

func init() {
	register(command{
		name:    "proxy",
		summary: "a reverse proxy that validates live traffic against the OpenAPI document",
		run:     runProxy,
	})
}

const proxyAbout = `
Forwards every request to --target unchanged and checks each request and
each response against the project's OpenAPI document: point your application
at the proxy, in front of a real server (or the mock), and see where the
application or the server leaves the contract. Each violation is printed as
it happens, naming the operation, the status, the JSON pointer or parameter,
and what the document expects; values are never quoted, and no token or
secret is ever printed. At exit (Ctrl-C or SIGTERM) it prints the counts.

Bodies stream through; at most --max-body bytes of each are kept for
validation, and a larger body is forwarded whole and reported as not
validated. Requests outside the document (the rest of Mattermost's API, the
web app) are forwarded without validation (listed with -v). If the target
fails, the client gets a 502 and a line says why.

It listens on loopback by default. --har FILE records every exchange as a HAR
1.2 log, redacted (no token, client secret, authorization code or verifier).

Exit status: 0, or 1 with --fail-on-violation when a violation was seen;
1 when the target cannot be reached at start; 2 for a usage error.`

// defaultProxyListen is loopback: the proxy forwards credentials, and no one
// else on the network should reach it by accident.
const defaultProxyListen = "127.0.0.1:8076"

// proxyOptions are the parsed flags of "mmoauth proxy".
type proxyOptions struct {
	target, listen, harFile string
	format                  string
	failOnViolation         bool
	verbose                 bool
	maxBody                 int64
	shutdownTimeout         time.Duration
}

func runProxy(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	code, err := serveProxy(ctx, args, stdout, stderr)
	if err != nil {
		return finish(stderr, "proxy", err)
	}
	return code
}

func parseProxyFlags(args []string, stdout io.Writer) (*proxyOptions, error) {
	p := newFlagParser("proxy", "mmoauth proxy --target URL [--listen ADDR] [flags]", proxyAbout, stdout)
	o := &proxyOptions{}
	fs := p.fs
	fs.StringVar(&o.target, "target", "", "the server to forward to: root `URL` (Mattermost's SiteURL)")
	fs.StringVar(&o.listen, "listen", defaultProxyListen, "listen `address` (host:port; port 0 picks a free one)")
	fs.StringVar(&o.format, "o", outputText, "output `format` of the violation lines: text or json (JSON lines)")
	fs.StringVar(&o.format, "output", outputText, "output `format` (same as -o)")
	fs.BoolVar(&o.failOnViolation, "fail-on-violation", false, "exit 1 at the end when any violation was seen")
	fs.StringVar(&o.harFile, "har", "", "record every exchange, redacted, as a HAR 1.2 `file`")
	fs.Int64Var(&o.maxBody, "max-body", proxy.DefaultMaxBodyBytes, "validate at most this many `bytes` of each body; larger bodies pass unvalidated")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long to let running requests finish on shutdown")
	fs.BoolVar(&o.verbose, "v", false, "also print every exchange (method, path, operation, status, latency) and requests outside the document")
	fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
	positional, err := p.parse(args)
	if err != nil {
		return nil, err
	}
	if err := wantArgs(positional, 0, 0, ""); err != nil {
		return nil, err
	}
	switch {
	case o.target == "":
		return nil, usagef("--target: missing the server to forward to (e.g. --target http://127.0.0.1:8065)")
	case o.format != outputText && o.format != outputJSON:
		return nil, usagef("-o: unknown output format %q (want %s or %s)", o.format, outputText, outputJSON)
	case o.maxBody < 1:
		return nil, usagef("--max-body: must be at least 1, got %d", o.maxBody)
	case o.shutdownTimeout <= 0:
		return nil, usagef("--shutdown-timeout: must be positive, got %s", o.shutdownTimeout)
	}
	if _, err := proxy.ParseTarget(o.target); err != nil {
		var te *proxy.TargetError
		if errors.As(err, &te) {
			return nil, usagef("--target: %q: %v", o.target, te.Err)
		}
		return nil, usagef("--target: %v", err)
	}
	if _, _, err := net.SplitHostPort(o.listen); err != nil {
		return nil, usagef("--listen: %v", err)
	}
	return o, nil
}

// serveProxy runs the proxy until ctx ends. The error is for finish; the
// code is the exit status when there is no error.
func serveProxy(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	o, err := parseProxyFlags(args, stdout)
	if err != nil {
		return 0, err
	}
	target, _ := proxy.ParseTarget(o.target)
	var harOut *os.File
	if o.harFile != "" {
		// Opened before anything else happens: a path that cannot be
		// written is a bad flag, not a surprise at exit.
		if harOut, err = os.Create(o.harFile); err != nil {
			return 0, usagef("--har: %v", err)
		}
		defer func() { _ = harOut.Close() }()
	}
	if err := probeTarget(ctx, o.target); err != nil {
		return 0, err
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", o.listen)
	if err != nil {
		return 0, err
	}

	out := &eventPrinter{w: stdout, json: o.format == outputJSON, verbose: o.verbose}
	opts := proxy.Options{
		MaxBodyBytes:   o.maxBody,
		OnViolation:    out.violation,
		OnNotice:       out.notice,
		CreatorName:    "mmoauth proxy",
		CreatorVersion: moduleVersion(),
	}
	if o.verbose {
		opts.OnExchange = out.exchange
	}
	if harOut != nil {
		opts.HAR = harOut
	}
	p, err := proxy.New(target, opts)
	if err != nil {
		_ = ln.Close()
		return 0, err
	}
	srv := &http.Server{
		Handler:           p,
		ReadHeaderTimeout: 30 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	base := "http://" + ln.Addr().String()
	fmt.Fprintf(stderr, "mmoauth proxy: listening on %s, forwarding to %s and validating against the OpenAPI document\n", base, target.Redacted())
	if host, _, _ := net.SplitHostPort(o.listen); !isLoopbackHost(host) {
		fmt.Fprintf(stderr, "mmoauth proxy: warning: --listen %s is reachable from other machines, and the proxy forwards their credentials\n", o.listen)
	}
	fmt.Fprintln(stderr, "mmoauth proxy: press Ctrl-C to stop")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.shutdownTimeout)
		err = srv.Shutdown(shutdownCtx)
		cancel()
	}
	closeErr := p.Close()
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	st := p.Stats()
	out.summary(stderr, st)
	switch {
	case err != nil:
		return 0, err
	case closeErr != nil:
		return 0, fmt.Errorf("--har: %s: %w", o.harFile, closeErr)
	case harOut != nil:
		if err := harOut.Close(); err != nil {
			return 0, fmt.Errorf("--har: %w", err)
		}
	}
	if o.failOnViolation && st.Violations() > 0 {
		return exitFailure, nil
	}
	return exitOK, nil
}

// probeTarget makes sure the target answers HTTP before the proxy starts:
// any status will do, a refused connection or a non-HTTP answer will not.
func probeTarget(ctx context.Context, target string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usagef("--target: %v", err)
	}
	req.Header.Set("User-Agent", cliUserAgent)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Do(req)
	if err != nil {
		var ue interface{ Unwrap() error }
		if errors.As(err, &ue) {
			err = ue.Unwrap()
		}
		return fmt.Errorf("--target %s does not answer HTTP: %w", target, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return nil
}

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// eventPrinter writes the proxy's reports as they happen, on stdout: one
// line each, text or JSON. The proxy serialises its callbacks; the mutex
// covers the summary.
type eventPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	json    bool
	verbose bool
}

func (e *eventPrinter) emit(kind string, v any, text string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.json {
		fmt.Fprintln(e.w, text)
		return
	}
	b, err := json.Marshal(struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}{kind, v})
	if err == nil {
		fmt.Fprintln(e.w, string(b))
	}
}

func (e *eventPrinter) violation(v proxy.Violation) {
	e.emit("violation", v, "VIOLATION "+v.String())
}

func (e *eventPrinter) notice(n proxy.Notice) {
	if n.Kind == proxy.NoticeNoOperation && !e.verbose {
		return
	}
	e.emit("notice", n, "NOTE "+n.String())
}

func (e *eventPrinter) exchange(x proxy.ExchangeSummary) {
	op := x.Operation
	if op == "" {
		op = "-"
	}
	e.emit("exchange", x, fmt.Sprintf("%s %s %s -> %d %s", x.Method, x.Path, op, x.Status, x.Duration.Round(10*time.Microsecond)))
}

// summary prints the counts at exit: on stderr as text, or as the last JSON
// line on stdout.
func (e *eventPrinter) summary(stderr io.Writer, st proxy.Stats) {
	if e.json {
		e.emit("summary", st, "")
		return
	}
	parts := []string{
		plural(st.Exchanges, "exchange", "exchanges"),
		plural(st.Violations(), "violation", "violations") +
			fmt.Sprintf(" (%d in requests, %d in responses)", st.RequestViolations, st.ResponseViolations),
	}
	if st.NotValidated > 0 {
		parts = append(parts, plural(st.NotValidated, "body", "bodies")+" not validated")
	}
	if st.NoOperation > 0 {
		parts = append(parts, plural(st.NoOperation, "request", "requests")+" outside the document")
	}
	if st.TargetErrors > 0 {
		parts = append(parts, plural(st.TargetErrors, "target error", "target errors"))
	}
	fmt.Fprintf(stderr, "mmoauth proxy: %s\n", strings.Join(parts, ", "))
}

// plural is "1 exchange" or "3 exchanges".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
