package conformance_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/conformance"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// appsOn lists every app on the target as its admin, by name.
func appsOn(t *testing.T, tg conformance.Target) map[string]*models.OAuthApp {
	t.Helper()
	c, err := client.New(tg.URL, client.WithToken(tg.Tokens[conformance.Admin]))
	require.NoError(t, err)
	out := map[string]*models.OAuthApp{}
	for a, err := range c.OAuthApps(context.Background(), 200) {
		require.NoError(t, err)
		out[a.Name] = a
	}
	return out
}

// seedApps creates apps on the target as the admin and anonymously: some
// with the suite's marker, some without.
func seedApps(t *testing.T, tg conformance.Target) {
	t.Helper()
	ctx := context.Background()
	admin, err := client.New(tg.URL, client.WithToken(tg.Tokens[conformance.Admin]))
	require.NoError(t, err)
	anon, err := client.New(tg.URL)
	require.NoError(t, err)
	for _, req := range []*models.CreateOAuthAppRequest{
		{Name: "left by run 1", Description: "Created by the mmoauth conformance suite; deleted when the run ends. [mmoauth-conformance run abcd1234]",
			Homepage: "https://conformance.mmoauth.invalid", CallbackURLs: []string{"https://conformance.mmoauth.invalid/callback"}},
		{Name: "someone's app", Description: "the deploy bot", Homepage: "https://deploy.example.com", CallbackURLs: []string{"https://deploy.example.com/cb"}},
		{Name: "mmoauth-conformance fan club", Description: "not the suite's", Homepage: "https://fans.example.com", CallbackURLs: []string{"https://fans.example.com/cb"}},
		{Name: "half marked", Description: "one callback of ours", Homepage: "https://x.example.com",
			CallbackURLs: []string{"https://conformance.mmoauth.invalid/callback", "https://x.example.com/cb"}},
	} {
		_, _, err := admin.CreateOAuthApp(ctx, req)
		require.NoError(t, err)
	}
	for _, reg := range []*models.ClientRegistrationRequest{
		{RedirectURIs: []string{"https://conformance.mmoauth.invalid/callback"}, ClientName: "[mmoauth-conformance run efgh5678] registered"},
		{RedirectURIs: []string{"https://conformance.mmoauth.invalid/callback"}, ClientName: "unnamed left over"},
		{RedirectURIs: []string{"https://bot.example.com/cb"}, ClientName: "a real bot"},
	} {
		_, _, err := anon.RegisterOAuthClient(ctx, reg)
		require.NoError(t, err)
	}
}

// TestSweepDeletesOnlyMarkedApps: the apps with the suite's marker go, and
// no other.
func TestSweepDeletesOnlyMarkedApps(t *testing.T) {
	t.Parallel()
	tg := startMock(t, mockSetup{edit: dcrOn, validate: true})
	seedApps(t, tg)
	res, err := conformance.Sweep(context.Background(), tg, conformance.Options{})
	require.NoError(t, err)
	assert.Equal(t, conformance.Admin, res.As)
	assert.Empty(t, res.Failed)
	var deleted []string
	runs := map[string]string{}
	for _, a := range res.Deleted {
		deleted = append(deleted, a.Name)
		runs[a.Name] = a.Run
	}
	assert.ElementsMatch(t, []string{"left by run 1", "[mmoauth-conformance run efgh5678] registered", "unnamed left over"}, deleted)
	assert.Equal(t, "abcd1234", runs["left by run 1"])
	assert.Equal(t, "efgh5678", runs["[mmoauth-conformance run efgh5678] registered"])
	left := appsOn(t, tg)
	for _, name := range []string{"someone's app", "mmoauth-conformance fan club", "half marked", "a real bot"} {
		assert.Contains(t, left, name, "an app without the marker is never deleted")
	}
	assert.Len(t, left, 4)

	again, err := conformance.Sweep(context.Background(), tg, conformance.Options{})
	require.NoError(t, err)
	assert.Empty(t, again.Deleted)
}

// TestRunMarksItsAppsAndReportsLeftovers: a run says at once that earlier
// runs left apps, deletes none of them, and marks every app it creates.
func TestRunMarksItsAppsAndReportsLeftovers(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var bodies []string
	watch := func(next http.Handler, _ mockserver.Identities) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/api/v4/oauth/apps") && rec.Code == http.StatusCreated {
				mu.Lock()
				bodies = append(bodies, rec.Body.String())
				mu.Unlock()
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
		})
	}
	tg := startMock(t, mockSetup{edit: dcrOn, shim: watch})
	seedApps(t, tg)
	mu.Lock()
	bodies = nil
	mu.Unlock()
	var progress bytes.Buffer
	rep := run(t, conformance.Options{Skip: []string{bulkCheck}, ProgressLines: &progress}, tg)
	require.NotEmpty(t, rep.RunID)
	first, _, _ := strings.Cut(progress.String(), "\n")
	assert.Equal(t, "3 apps that earlier runs of the suite left behind (runs abcd1234, efgh5678) found; delete them with: mmoauth conformance --sweep --url "+tg.URL, first)
	assert.Contains(t, rep.Targets[0].Notes, first)
	assert.Len(t, appsOn(t, tg), 7, "a run never deletes what it did not create")

	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, bodies)
	for _, b := range bodies {
		marked := strings.Contains(b, "[mmoauth-conformance run "+rep.RunID+"]") || strings.Contains(b, "conformance.mmoauth.invalid") || strings.Contains(b, "allowed.mmoauth.invalid")
		assert.True(t, marked, "an app of the run without the marker: %s", b)
	}
}

// TestInterruptedRunSaysItCleansUp: when the run is cancelled while checks
// hold apps, it says so with a count and deletes them all.
func TestInterruptedRunSaysItCleansUp(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	// After the 20th create it cancels the run. Creates still in the mock
	// then finish before any later request is served (inFlight), so that
	// the run's final look for its apps sees them, as it would on a server
	// whose creates take less time than the cleanup.
	cancelAfterCreates := func(next http.Handler, _ mockserver.Identities) http.Handler {
		var n int
		var mu sync.Mutex
		var inFlight sync.RWMutex
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || r.URL.Path != "/api/v4/oauth/apps" {
				inFlight.Lock()
				inFlight.Unlock() //nolint:staticcheck // SA2001: waits for the creates in flight
				next.ServeHTTP(w, r)
				return
			}
			inFlight.RLock()
			defer inFlight.RUnlock()
			next.ServeHTTP(w, r)
			mu.Lock()
			n++
			if n == 20 {
				once.Do(cancel)
			}
			mu.Unlock()
		})
	}
	tg := startMock(t, mockSetup{shim: cancelAfterCreates})
	var progress bytes.Buffer
	var pmu sync.Mutex
	rep, err := conformance.Run(ctx, conformance.Options{Concurrency: 4, ProgressLines: lockedWriter{&pmu, &progress}}, tg)
	require.NoError(t, err)
	assert.Equal(t, "cancelled", rep.Interrupted)
	assert.False(t, rep.OK())
	pmu.Lock()
	assert.Regexp(t, `interrupted: the run was cancelled; deleting the \d+ apps? the run created, then reporting`, progress.String())
	pmu.Unlock()
	assert.Empty(t, rep.Targets[0].Leftovers)
	assert.Empty(t, appsOn(t, tg), "cleanup ran after the interrupt")
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
