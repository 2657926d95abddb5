package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mmoauth/mmoauth/internal/loadgen"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/spec"
)

// prismPackage is the Prism release compared with (issue 6).
const prismPackage = "@stoplight/prism-cli@5.16.0"

// prismClients is the concurrency of the comparison.
const prismClients = 8

// prismRows runs the same load against the mock (as mmoauth mock serves it:
// request validation on) and Stoplight Prism's mock server (which always
// validates requests), both on the project's OpenAPI document, in turns.
// Prism is installed with npm into the scratch folder and killed at the end;
// without npm or a reachable registry the comparison is skipped, with the
// reason.
func (r *runner) prismRows(ctx context.Context) ([]row, error) {
	skip := func(reason string) []row {
		r.logf("prism: skipped: %s", reason)
		return []row{{Area: "prism", Measure: "mock vs Stoplight Prism 5.16 (" + prismPackage + ")",
			Result: "skipped: " + reason, Target: fmt.Sprintf("≥ %.0f×", minPrismFactor), Status: statusSkipped}}
	}
	dir, reason, err := r.installPrism(ctx)
	switch {
	case err != nil:
		return nil, err
	case reason != "":
		return skip(reason), nil
	}

	prismAddr, stopPrism, err := startPrism(ctx, dir, "mock")
	if err != nil {
		return nil, err
	}
	defer stopPrism()
	mockAddr, appID, token, stopMock, err := startMock(ctx)
	if err != nil {
		return nil, err
	}
	defer stopMock()

	rounds, window := 3, 500*time.Millisecond
	if r.quick {
		rounds, window = 1, 300*time.Millisecond
	}
	var rows []row
	for _, op := range loadgen.Ops(appID, token) {
		var mockRuns, prismRuns []loadgen.Result
		for range rounds {
			for _, t := range []struct {
				addr string
				runs *[]loadgen.Result
			}{{mockAddr, &mockRuns}, {prismAddr, &prismRuns}} {
				res, err := loadgen.Run(ctx, loadgen.Options{Addr: t.addr, Concurrency: prismClients,
					Warmup: 100 * time.Millisecond, Duration: window}, op.Request)
				if err != nil {
					return rows, err
				}
				*t.runs = append(*t.runs, res)
			}
		}
		m, p := loadgen.Merge(mockRuns...), loadgen.Merge(prismRuns...)
		rw := row{Area: "prism", Measure: fmt.Sprintf("%s, %d clients, request validation on in both", op.Name, prismClients),
			Result:   fmt.Sprintf("mock %s, p99 %s%s", fmtRate(m.Throughput), fmtDur(m.P99), errorNote(m)),
			Baseline: fmt.Sprintf("Prism %s, p99 %s%s", fmtRate(p.Throughput), fmtDur(p.P99), errorNote(p)),
			Target:   fmt.Sprintf("≥ %.0f×", minPrismFactor)}
		switch {
		case m.Errors > 0:
			rw.Status = statusFailed
		case p.Throughput == 0:
			rw.Ratio, rw.Status = "∞", statusMet // Prism answered nothing right
		default:
			f := m.Throughput / p.Throughput
			rw.Ratio, rw.Status = fmt.Sprintf("%.1f×", f), verdict(f >= minPrismFactor)
		}
		rows = append(rows, rw)
	}
	return rows, nil
}

// installPrism installs Prism with npm into the scratch folder, once per
// run (the prism and proxy sections share it). reason says why it could not
// be installed; the sections then skip their Prism rows.
func (r *runner) installPrism(ctx context.Context) (dir, reason string, err error) {
	if r.prismDir != "" || r.prismSkip != "" {
		return r.prismDir, r.prismSkip, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		r.prismSkip = "npm is not installed"
		return "", r.prismSkip, nil
	}
	dir = filepath.Join(r.tmp, "prism")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", err
	}
	r.logf("prism: npm install %s into %s", prismPackage, dir)
	installCtx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	install := exec.CommandContext(installCtx, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", prismPackage) //nolint:gosec // G204: npm with a fixed package
	install.Dir = dir
	if out, err := install.CombinedOutput(); err != nil {
		r.prismSkip = fmt.Sprintf("npm install failed (is the npm registry reachable?): %v: %s", err, lastLine(string(out)))
		return "", r.prismSkip, nil
	}
	r.prismDir = dir
	return dir, "", nil
}

func errorNote(r loadgen.Result) string {
	if r.Errors == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d errors: %s)", r.Errors, r.FirstError)
}

// startPrism writes the document next to the installed Prism and starts
// `prism MODE` ("mock", or "proxy" with the upstream URL in extra) on a free
// loopback port (the node binary directly, so that its PID is the server's);
// it returns when Prism answers.
func startPrism(ctx context.Context, dir, mode string, extra ...string) (addr string, stop func(), err error) {
	doc := filepath.Join(dir, "openapi.yaml")
	if err := os.WriteFile(doc, spec.YAML(), 0o600); err != nil {
		return "", nil, err
	}
	port, err := freePort(ctx)
	if err != nil {
		return "", nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "prism-"+mode+".log")) //nolint:gosec // G304: our scratch folder
	if err != nil {
		return "", nil, err
	}
	bin := filepath.Join(dir, "node_modules", ".bin", "prism")
	args := append([]string{mode, "-h", "127.0.0.1", "-p", strconv.Itoa(port), doc}, extra...)
	cmd := exec.Command(bin, args...) //nolint:gosec,noctx // G204: the Prism just installed; stopped by stop, not by a context
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logFile, logFile
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		return "", nil, fmt.Errorf("starting Prism: %w", err)
	}
	var waitErr error
	exited := make(chan struct{})
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop = func() {
		_ = cmd.Process.Kill()
		<-exited
		_ = logFile.Close()
	}
	addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(90 * time.Second)
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/.well-known/oauth-authorization-server", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close()
			return addr, stop, nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(dir, "prism-"+mode+".log")) //nolint:gosec // G304: our scratch folder
			stop()
			return "", nil, fmt.Errorf("prism exited (%w): %s", waitErr, lastLine(string(log)))
		case <-ctx.Done():
			stop()
			return "", nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, errors.New("prism did not answer within 90 s")
		}
	}
}

// startMock serves the mock as mmoauth mock does (stock settings, request
// validation, no response validation) on a loopback port and creates
// loadgen.ListPerPage apps through the API, so the list has a full page.
func startMock(ctx context.Context) (addr, appID, token string, stop func(), err error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return "", "", "", nil, err
	}
	cfg := mockserver.DefaultConfig()
	cfg.SiteURL = "http://" + l.Addr().String()
	s, err := mockserver.New(mockserver.WithConfig(cfg)) //nolint:contextcheck // the in-memory store: New opens no database
	if err != nil {
		_ = l.Close()
		return "", "", "", nil, err
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(l) }()
	stop = func() { _ = hs.Close() }
	token = s.Identities().SystemAdmin.Token
	for range loadgen.ListPerPage {
		if appID, err = createApp(ctx, cfg.SiteURL, token); err != nil {
			stop()
			return "", "", "", nil, err
		}
	}
	return l.Addr().String(), appID, token, stop, nil
}

func createApp(ctx context.Context, base, token string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v4/oauth/apps", strings.NewReader(loadgen.CreateBody))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("creating an app: %d", resp.StatusCode)
	}
	var app struct {
		ID string `json:"id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&app); err != nil {
		return "", fmt.Errorf("creating an app: %w", err)
	}
	return app.ID, nil
}

// freePort asks the kernel for a free loopback port.
func freePort(ctx context.Context) (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer func() { _ = l.Close() }()
	tcp, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected address %v", l.Addr())
	}
	return tcp.Port, nil
}
