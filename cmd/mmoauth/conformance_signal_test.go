package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
)

// TestConformanceCleansUpOnEverySignal: a run stopped by SIGINT, SIGTERM,
// SIGHUP (a closed terminal) or SIGQUIT says it is cleaning up, deletes
// every app it created, and exits 1.
func TestConformanceCleansUpOnEverySignal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT} {
		t.Run(sig.String(), func(t *testing.T) {
			// The 10th create holds its answer until the test has sent the
			// signal, so the signal always lands mid-run with apps to delete.
			started := make(chan struct{})
			release := make(chan struct{})
			var once sync.Once
			var mu sync.Mutex
			creates := 0
			ts := wrappedMock(t, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					next.ServeHTTP(w, r)
					if r.Method == http.MethodPost && r.URL.Path == "/api/v4/oauth/apps" {
						mu.Lock()
						creates++
						n := creates
						mu.Unlock()
						if n == 10 {
							once.Do(func() { close(started) })
							<-release
						}
					}
				})
			})
			cmd := exec.CommandContext(t.Context(), bin, "conformance", "--url", ts.URL, "--skip", "paging/list-apps/page-size-limits")
			id := ts.srv.Identities()
			cmd.Env = append(cmd.Environ(),
				"MMOAUTH_ADMIN_TOKEN="+id.SystemAdmin.Token,
				"MMOAUTH_MANAGER_TOKEN="+id.OAuthManager.Token,
				"MMOAUTH_MANAGER2_TOKEN="+id.OAuthManager2.Token,
				"MMOAUTH_USER_TOKEN="+id.PlainUser.Token)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			select {
			case <-started:
			case <-time.After(time.Minute):
				t.Fatal("the run never reached its 10th create")
			}
			require.NoError(t, cmd.Process.Signal(sig))
			close(release)
			err := cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "stdout: %s\nstderr: %s", stdout.String(), stderr.String())
			assert.Equal(t, exitFailure, exit.ExitCode())
			assert.Regexp(t, `interrupted: the run was cancelled; deleting the \d+ apps? the run created`, stderr.String())
			assert.Contains(t, stdout.String(), "Interrupted: cancelled")

			admin, err := client.New(ts.URL, client.WithToken(id.SystemAdmin.Token))
			require.NoError(t, err)
			apps, _, err := admin.GetOAuthApps(context.Background(), 0, 200)
			require.NoError(t, err)
			var names []string
			for _, a := range apps {
				names = append(names, a.Name)
			}
			assert.Empty(t, names, "left behind: %s", strings.Join(names, ", "))
		})
	}
}

// wrappedMockServer is a mock Mattermost behind a test's own middleware.
type wrappedMockServer struct {
	URL string
	srv *mockserver.Server
}

func wrappedMock(t *testing.T, wrap func(http.Handler) http.Handler) wrappedMockServer {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	url := "http://" + hs.Listener.Addr().String()
	cfg := mockserver.DefaultConfig()
	cfg.SiteURL = url
	srv, err := mockserver.New(mockserver.WithConfig(cfg))
	require.NoError(t, err)
	hs.Config.Handler = wrap(srv)
	hs.Start()
	t.Cleanup(hs.Close)
	return wrappedMockServer{URL: url, srv: srv}
}
