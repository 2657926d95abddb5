package mockserver

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listenGet(ctx context.Context, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/api/v4/users/me", nil)
	if err != nil {
		return nil, err
	}
	return http.DefaultClient.Do(req)
}

// TestListen: the listener's URL becomes the SiteURL unless one is set, the
// limits are applied, and the server answers until Close.
func TestListen(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		siteURL  string // "" wants the listener's URL
		timeouts time.Duration
	}{
		{name: "defaults", timeouts: DefaultServerLimits().ReadHeaderTimeout},
		{name: "site URL and limits", opts: []Option{
			WithConfig(Config{SiteURL: "https://mm.example.com", EnableOAuthServiceProvider: true}),
			WithServerLimits(ServerLimits{ReadHeaderTimeout: 3 * time.Second}),
		}, siteURL: "https://mm.example.com", timeouts: 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Listen(context.Background(), "127.0.0.1:0", tc.opts...)
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(r.URL, "http://127.0.0.1:"), r.URL)
			want := tc.siteURL
			if want == "" {
				want = r.URL
			}
			assert.Equal(t, want, r.Server.Config().SiteURL)
			assert.Equal(t, tc.timeouts, r.hs.ReadHeaderTimeout)

			resp, err := listenGet(context.Background(), r.URL)
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

			require.NoError(t, r.Close())
			<-r.Done()
			require.NoError(t, r.Err(), "a closed server did not fail")
			resp, err = listenGet(context.Background(), r.URL)
			if err == nil {
				_ = resp.Body.Close()
			}
			require.Error(t, err, "nothing listens after Close")
		})
	}
}

// TestListenErrors: New's errors come back unwrapped (a state file problem
// stays ErrStateFile), a busy address names the listen.
func TestListenErrors(t *testing.T) {
	busy, err := Listen(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = busy.Close() })
	_, err = Listen(context.Background(), strings.TrimPrefix(busy.URL, "http://"))
	require.ErrorContains(t, err, "listen on 127.0.0.1:")

	_, err = Listen(context.Background(), "127.0.0.1:0", WithDeviations("nope"))
	require.ErrorContains(t, err, "unknown deviation")

	corrupt := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(corrupt, []byte("{not json"), 0o600))
	_, err = Listen(context.Background(), "127.0.0.1:0", WithStateFile(corrupt))
	require.ErrorIs(t, err, ErrStateFile)
}

// TestListenShutdown: Shutdown waits for requests in flight and, when its
// context ends first, cuts them off and says so.
func TestListenShutdown(t *testing.T) {
	r, err := Listen(context.Background(), "127.0.0.1:0", WithFaults(Fault{Route: "GetMe", Latency: time.Hour}))
	require.NoError(t, err)
	started := make(chan struct{})
	r.Server.onLatency = func() { close(started) }
	answered := make(chan error, 1)
	go func() {
		resp, err := listenGet(context.Background(), r.URL)
		if err == nil {
			_ = resp.Body.Close()
		}
		answered <- err
	}()
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, r.Shutdown(ctx), context.Canceled, "the request in flight outlived the shutdown's context")
	<-r.Done()
	require.NoError(t, r.Err())
	require.Error(t, <-answered, "the request in flight was cut off")

	idle, err := Listen(context.Background(), "127.0.0.1:0")
	require.NoError(t, err)
	require.NoError(t, idle.Shutdown(context.Background()), "nothing in flight: a clean shutdown")
	require.NoError(t, idle.Err())
}
