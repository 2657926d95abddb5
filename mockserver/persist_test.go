package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// readState parses the state file as it is on disk now.
func readState(t testing.TB, path string) stateSnapshot {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var snap stateSnapshot
	require.NoError(t, json.Unmarshal(b, &snap))
	return snap
}

func stateHasApp(snap stateSnapshot, id string) (models.OAuthApp, bool) {
	for _, a := range snap.Apps {
		if a.App.ID == id {
			return a.App, true
		}
	}
	return models.OAuthApp{}, false
}

// listAll pages through the system-wide list as the system admin.
func listAll(t testing.TB, ts *TestServer) []models.OAuthApp {
	t.Helper()
	var all []models.OAuthApp
	for page := 0; ; page++ {
		r := do(t, ts, req{Method: http.MethodGet, Path: fmt.Sprintf("/api/v4/oauth/apps?per_page=200&page=%d", page), Token: tokenOf(ts, colSA)})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var apps []models.OAuthApp
		r.decode(t, &apps)
		if len(apps) == 0 {
			return all
		}
		all = append(all, apps...)
	}
}

// TestStateSurvivesRestart: a second server started on the same state file
// has everything the first one acknowledged: apps in their order with their
// current secrets, registrations, approvals, pending codes, access and
// refresh tokens; deleted apps stay deleted.
func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	a := NewTestServer(t, WithConfig(cfg), WithStateFile(path))
	c, user := tokenOf(a, colC), a.Identities.PlainUser.Token

	kept := createApp(t, a, c, newApp("kept"))
	gone := createApp(t, a, c, newApp("gone"))
	regen := createApp(t, a, tokenOf(a, colSA), newApp("regen"))
	r := do(t, a, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + regen.ID + "/regen_secret", Token: tokenOf(a, colSA)})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	r.decode(t, &regen)
	r = do(t, a, req{Method: http.MethodPost, Path: registerPath, Body: `{"redirect_uris":["https://dcr.example.com/cb"],"client_name":"dcr"}`})
	require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
	var reg models.ClientRegistrationResponse
	r.decode(t, &reg)
	require.Equal(t, http.StatusOK, do(t, a, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + gone.ID, Token: c}).Status)

	tok := accessOf(t, exchange(t, a, kept.ID, kept.ClientSecret.Reveal(), authorizeCode(t, a, user, kept, ""), kept.CallbackURLs[0], ""))
	pending := authorizeCode(t, a, user, regen, "")
	before := listAll(t, a)

	b := NewTestServer(t, WithConfig(cfg), WithStateFile(path))
	after := listAll(t, b)
	require.Len(t, after, len(before))
	for i := range before {
		assert.Equal(t, before[i].ID, after[i].ID, "list order kept")
		assert.Equal(t, before[i].ClientSecret.Reveal(), after[i].ClientSecret.Reveal(), "secret of %s", before[i].Name)
		assert.Equal(t, before[i], after[i])
	}
	assert.True(t, slices.ContainsFunc(after, func(x models.OAuthApp) bool { return x.ID == reg.ClientID && x.ClientSecret == reg.ClientSecret }), "registration kept")
	assert.False(t, slices.ContainsFunc(after, func(x models.OAuthApp) bool { return x.ID == gone.ID }), "deletion kept")

	assert.Equal(t, http.StatusOK, meStatus(t, b, tok.AccessToken.Reveal()), "access token still authenticates")
	r = do(t, b, req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized", Token: user})
	var authorized []models.OAuthApp
	r.decode(t, &authorized)
	assert.Len(t, authorized, 2, "approvals kept")
	refreshed := accessOf(t, refreshGrant(t, b, kept.ID, kept.ClientSecret.Reveal(), tok.RefreshToken.Reveal()))
	assert.Equal(t, http.StatusOK, meStatus(t, b, refreshed.AccessToken.Reveal()))
	accessOf(t, exchange(t, b, regen.ID, regen.ClientSecret.Reveal(), pending, regen.CallbackURLs[0], ""))

	info, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the file holds secrets")
}

// TestStateSavedBeforeTheAnswer: many clients create apps at once; each one,
// as soon as its 201 arrives, finds its app in the file on disk. Group
// commit may share writes but never acknowledges a change before it is saved.
func TestStateSavedBeforeTheAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	ts := NewTestServer(t, WithStateFile(path))
	const workers, each = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				r, err := tryDo(ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: ts.Identities.OAuthManager.Token, Body: newApp(fmt.Sprintf("w%d-%d", w, i))})
				if err != nil {
					errs <- fmt.Errorf("create: %w", err)
					return
				}
				if r.Status != http.StatusCreated {
					errs <- fmt.Errorf("create: %d %s", r.Status, r.Body)
					return
				}
				var app models.OAuthApp
				if err := json.Unmarshal(r.Body, &app); err != nil {
					errs <- err
					return
				}
				b, err := os.ReadFile(path)
				if err != nil {
					errs <- err
					return
				}
				var snap stateSnapshot
				if err := json.Unmarshal(b, &snap); err != nil {
					errs <- fmt.Errorf("the file on disk is never half written: %w", err)
					return
				}
				if _, ok := stateHasApp(snap, app.ID); !ok {
					errs <- fmt.Errorf("app %s acknowledged before it was saved", app.ID)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, workers*each, len(readState(t, path).Apps))
}

// TestStateFileRefused: a state file that cannot be read back is an error
// (matching ErrStateFile), never silently replaced by an empty state.
func TestStateFileRefused(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"not JSON", "{\"version\":1,\"apps\":["},
		{"another version", `{"version":99}`},
		{"malformed app id", `{"version":1,"apps":[{"seq":1,"app":{"id":"../etc"}}]}`},
		{"duplicate app", `{"version":1,"apps":[{"seq":1,"app":{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}},{"seq":2,"app":{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			_, err := New(WithStateFile(path))
			require.ErrorIs(t, err, ErrStateFile)
			b, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, tt.content, string(b), "the file is left as it was")
		})
	}
	t.Run("directory missing", func(t *testing.T) {
		_, err := New(WithStateFile(filepath.Join(t.TempDir(), "no", "such", "dir", "state.json")))
		require.ErrorIs(t, err, ErrStateFile)
	})
}

// TestStateStaleTempsRemoved: the temporary files a killed process left
// behind are removed at start; the state file itself is kept.
func TestStateStaleTempsRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	s, err := New(WithStateFile(path))
	require.NoError(t, err)
	s.store.insertApp(models.OAuthApp{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "x"})
	require.NoError(t, s.state.commit(s.store))
	stale := filepath.Join(dir, tempPrefix("state.json")+"12345")
	require.NoError(t, os.WriteFile(stale, []byte("half"), 0o600))
	other := filepath.Join(dir, "unrelated.tmp")
	require.NoError(t, os.WriteFile(other, nil, 0o600))

	s2, err := New(WithStateFile(path))
	require.NoError(t, err)
	assert.Equal(t, 1, s2.store.appCount())
	assert.NoFileExists(t, stale)
	assert.FileExists(t, other)
}

// TestStateWriteFailureIsA500: when the change cannot be saved, the client
// is not told it succeeded: the answer is a 500 (valid for the operation,
// checked by the test server), whatever the handler answered.
func TestStateWriteFailureIsA500(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.Mkdir(dir, 0o700))
	cfg := DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ts := NewTestServer(t, WithConfig(cfg), WithStateFile(filepath.Join(dir, "state.json")))
	require.NoError(t, os.RemoveAll(dir)) // every later write fails

	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colC), Body: newApp("unsaved")})
	require.Equal(t, http.StatusInternalServerError, r.Status, "%s", r.Body)
	assert.Equal(t, "app.mock.save_state.app_error", r.appError(t).ID)
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"))

	r = do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: `{"redirect_uris":["https://dcr.example.com/cb"]}`})
	require.Equal(t, http.StatusInternalServerError, r.Status, "%s", r.Body)
	assert.Equal(t, models.DCRErrorInvalidClientMetadata, r.dcrError(t).Error)

	assert.Equal(t, http.StatusOK, meStatus(t, ts, ts.Identities.PlainUser.Token), "reads need no write")
}
