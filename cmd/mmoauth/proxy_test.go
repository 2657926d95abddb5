package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/internal/har/hartest"
)

// lockedBuffer is an io.Writer safe to read after the writer is done.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startProxyCLI runs "mmoauth proxy --listen 127.0.0.1:0 args..." and
// returns its URL and a stop function giving the exit code, stdout and the
// rest of stderr.
func startProxyCLI(t *testing.T, args ...string) (string, func() (int, string, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	pr, pw := io.Pipe()
	var stdout lockedBuffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, append([]string{"proxy", "--listen", "127.0.0.1:0"}, args...), &stdout, pw)
		_ = pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	require.True(t, sc.Scan(), "no banner")
	first := sc.Text()
	rest, ok := strings.CutPrefix(first, "mmoauth proxy: listening on ")
	require.True(t, ok, first)
	base, _, _ := strings.Cut(rest, ",")
	var stderr lockedBuffer
	drained := make(chan struct{})
	go func() {
		for sc.Scan() {
			_, _ = stderr.Write([]byte(sc.Text() + "\n"))
		}
		close(drained)
	}()
	return base, func() (int, string, string) {
		cancel()
		c := <-code
		<-drained
		return c, stdout.String(), stderr.String()
	}
}

// TestProxyCommandReportsViolations: a target that breaks the document, the
// proxy in front, a client through it; violations appear as lines, the
// counts at exit, exit 1 with --fail-on-violation, and a HAR file that is
// HAR 1.2 with no token in it.
func TestProxyCommandReportsViolations(t *testing.T) {
	const token = "proxytokenxxxxxxxxxxxxxxxx"
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/" {
			return // the start-up probe
		}
		_, _ = io.WriteString(w, `[{"id":7}]`) // id must be a string
	}))
	defer target.Close()
	for _, format := range []string{outputText, outputJSON} {
		t.Run(format, func(t *testing.T) {
			harPath := filepath.Join(t.TempDir(), "traffic.har")
			base, stop := startProxyCLI(t, "--target", target.URL, "-o", format, "--fail-on-violation", "--har", harPath)
			status, body := get(t, base+"/api/v4/oauth/apps?page=0", token)
			assert.Equal(t, http.StatusOK, status)
			assert.JSONEq(t, `[{"id":7}]`, string(body))
			code, stdout, stderr := stop()
			assert.Equal(t, exitFailure, code, "stderr: %s", stderr)
			assertNoSecrets(t, stdout+stderr, token)
			if format == outputText {
				assert.Contains(t, stdout, "VIOLATION response GET /api/v4/oauth/apps (GetOAuthApps) -> 200: body /0/id: value must be a string")
				assert.Contains(t, stderr, "1 exchange, 1 violation (0 in requests, 1 in responses)")
			} else {
				lines := strings.Split(strings.TrimSpace(stdout), "\n")
				require.Len(t, lines, 2, stdout)
				var v struct {
					Type string         `json:"type"`
					Data map[string]any `json:"data"`
				}
				require.NoError(t, json.Unmarshal([]byte(lines[0]), &v))
				assert.Equal(t, "violation", v.Type)
				assert.Equal(t, "/0/id", v.Data["where"])
				assert.Equal(t, "GetOAuthApps", v.Data["operation"])
				require.NoError(t, json.Unmarshal([]byte(lines[1]), &v))
				assert.Equal(t, "summary", v.Type)
				assert.EqualValues(t, 1, v.Data["response_violations"])
			}
			data, err := os.ReadFile(harPath)
			require.NoError(t, err)
			log, err := hartest.Parse(data)
			require.NoError(t, err, string(data))
			require.Len(t, log.Entries, 1)
			assert.Equal(t, target.URL+"/api/v4/oauth/apps?page=0", log.Entries[0].Request.URL)
			assert.NotContains(t, string(data), token)
		})
	}
}

// TestProxyCommandVerboseAndClean: -v logs every exchange; no violation
// means exit 0 even with --fail-on-violation.
func TestProxyCommandVerboseAndClean(t *testing.T) {
	ts := mock(t)
	base, stop := startProxyCLI(t, "--target", ts.URL, "-v", "--fail-on-violation")
	status, _ := get(t, base+"/api/v4/oauth/apps", ts.Identities.SystemAdmin.Token)
	assert.Equal(t, http.StatusOK, status)
	status, _ = get(t, base+"/api/v4/channels", ts.Identities.SystemAdmin.Token)
	assert.Equal(t, http.StatusNotFound, status)
	code, stdout, stderr := stop()
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "GET /api/v4/oauth/apps GetOAuthApps -> 200")
	assert.Contains(t, stdout, "NOTE GET /api/v4/channels: not in the OpenAPI document")
	assert.NotContains(t, stdout, "VIOLATION")
	assert.Contains(t, stderr, "2 exchanges, 0 violations")
	assertNoSecrets(t, stdout+stderr, ts.Identities.SystemAdmin.Token)
}

func TestProxyCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	runUsageCases(t, []usageCase{
		{"no target", []string{"proxy"}, nil, "--target"},
		{"target not a URL", []string{"proxy", "--target", "127.0.0.1:8065"}, nil, "--target"},
		{"target with a query", []string{"proxy", "--target", "http://127.0.0.1:1/?x=1"}, nil, "--target"},
		{"bad listen", []string{"proxy", "--target", "http://127.0.0.1:1", "--listen", "nope"}, nil, "--listen"},
		{"bad format", []string{"proxy", "--target", "http://127.0.0.1:1", "-o", "yaml"}, nil, "-o"},
		{"bad max body", []string{"proxy", "--target", "http://127.0.0.1:1", "--max-body", "0"}, nil, "--max-body"},
		{"unwritable HAR", []string{"proxy", "--target", tripwire(t), "--har", filepath.Join(dir, "missing", "x.har")}, nil, "--har"},
	})

	// A target that is down, or that does not speak HTTP: one line, exit 1.
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL
	down.Close()
	notHTTP := notHTTPServer(t)
	for name, u := range map[string]string{"down": downURL, "not HTTP": notHTTP} {
		t.Run(name, func(t *testing.T) {
			res := runCLI(t, "proxy", "--target", u, "--listen", "127.0.0.1:0")
			assert.Equal(t, exitFailure, res.code)
			assertOneLine(t, res.stderr)
			assert.Contains(t, res.stderr, "does not answer HTTP")
		})
	}
}

// notHTTPServer accepts connections and answers with something that is not
// HTTP, as an SSH server would.
func notHTTPServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	ln := srv.Listener
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n")
			_ = c.Close()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "::1": true, "localhost": true, "127.1.2.3": true,
		"0.0.0.0": false, "": false, "192.168.1.10": false, "example.com": false, "::": false,
	} {
		assert.Equal(t, want, isLoopbackHost(host), host)
	}
}
