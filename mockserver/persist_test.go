package mockserver

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/internal/pgtest"
	"github.com/mmoauth/mmoauth/models"
)

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

// stop ends a test server before its test does: no more requests, store
// closed (the state file's lock released).
func stop(t testing.TB, ts *TestServer) {
	t.Helper()
	ts.http.Close()
	require.NoError(t, ts.Server.Close())
}

// durableStores are the options of the two durable stores, each on fresh
// state; second says whether a second server may run beside the first.
func durableStores(parent *testing.T) []struct {
	name   string
	opt    func(t *testing.T) Option
	shared bool
} {
	pg := pgtest.Lazy(parent)
	return []struct {
		name   string
		opt    func(t *testing.T) Option
		shared bool
	}{
		{"sqlite", func(t *testing.T) Option { return WithStateFile(filepath.Join(t.TempDir(), "state.db")) }, false},
		{"postgres", func(t *testing.T) Option {
			return WithStore(pg(t).NewDatabase(t))
		}, true},
	}
}

// TestStateSurvivesRestart: a second server started on the same state has
// everything the first one acknowledged: apps in their order with their
// current secrets, registrations, approvals, pending codes, access and
// refresh tokens; deleted apps stay deleted. With Postgres the second
// server runs beside the first, sharing the state.
func TestStateSurvivesRestart(t *testing.T) {
	for _, kind := range durableStores(t) {
		t.Run(kind.name, func(t *testing.T) {
			opt := kind.opt(t)
			cfg := DefaultConfig()
			cfg.EnableDynamicClientRegistration = true
			a := NewTestServer(t, WithConfig(cfg), opt)
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
			if !kind.shared {
				stop(t, a)
			}

			b := NewTestServer(t, WithConfig(cfg), opt)
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
			if kind.shared {
				assert.Equal(t, http.StatusUnauthorized, meStatus(t, a, tok.AccessToken.Reveal()),
					"the first server sees the second one's refresh: the old token is gone")
			}
		})
	}
}

// TestStateFileMode: the state file holds secrets, so only its owner reads it.
func TestStateFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ts := NewTestServer(t, WithStateFile(path))
	createApp(t, ts, tokenOf(ts, colC), newApp("x"))
	for _, f := range []string{path, path + "-wal"} {
		info, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "%s holds secrets", f)
	}
}

// TestStateCommittedBeforeTheAnswer: many clients create apps at once; each
// one, as soon as its 201 arrives, finds its app through a connection of
// its own to the database file: a change is committed before it is
// acknowledged.
func TestStateCommittedBeforeTheAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	ts := NewTestServer(t, WithStateFile(path))
	db, err := sql.Open("sqlite", path+"?mode=ro")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
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
				var n int
				if err := db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM mmoauth_apps WHERE id = ?`, app.ID).Scan(&n); err != nil {
					errs <- err
					return
				}
				if n != 1 {
					errs <- fmt.Errorf("app %s acknowledged before it was committed", app.ID)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, listAll(t, ts), workers*each)
}

// TestStateFileInUse: a second server on the same state file refuses to
// start with one line; once the first is closed, the file opens again.
func TestStateFileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	first, err := New(WithStateFile(path))
	require.NoError(t, err)
	_, err = New(WithStateFile(path))
	require.ErrorIs(t, err, ErrStateInUse)
	require.ErrorIs(t, err, ErrStateFile)
	assert.Contains(t, err.Error(), path)
	assert.NotContains(t, err.Error(), "\n")
	require.NoError(t, first.Close())
	again, err := New(WithStateFile(path))
	require.NoError(t, err)
	require.NoError(t, again.Close())
}

// TestStateFileRefused: a state file that cannot be used is an error
// (matching ErrStateFile) on one line naming the file, and the file is
// left as it was: never replaced by an empty state, never converted.
func TestStateFileRefused(t *testing.T) {
	newer := func(t *testing.T, path string) {
		st, err := openSQLiteStore(t.Context(), path)
		require.NoError(t, err)
		tx := st.begin(t.Context(), true).(*sqlTx)
		tx.exec(`UPDATE mmoauth_meta SET value = '99' WHERE key = 'schema_version'`)
		require.NoError(t, tx.done())
		require.NoError(t, st.close())
		for _, f := range []string{"-wal", "-shm"} {
			_, err := os.Stat(path + f)
			require.True(t, os.IsNotExist(err), "a clean close folds the log into the file")
		}
	}
	tests := []struct {
		name    string
		content string
		prepare func(t *testing.T, path string)
		want    string
	}{
		{name: "not JSON", content: "{\"version\":1,\"apps\":[", want: "JSON state file"},
		{name: "another JSON version", content: `{"version":99}`, want: "version 99"},
		{name: "malformed app id", content: `{"version":1,"apps":[{"seq":1,"app":{"id":"../etc"}}]}`, want: "malformed"},
		{name: "duplicate app", content: `{"version":1,"apps":[{"seq":1,"app":{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}},{"seq":2,"app":{"id":"aaaaaaaaaaaaaaaaaaaaaaaaaa"}}]}`, want: "twice"},
		{name: "neither", content: "\x00\x01garbage", want: "neither a state database nor a JSON state file"},
		{name: "corrupt database", content: sqliteHeader + strings.Repeat("\xff", 200), want: "state.db"},
		{name: "newer schema", prepare: newer, want: "newer mmoauth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.db")
			if tt.prepare != nil {
				tt.prepare(t, path)
			} else {
				require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			}
			before, err := os.ReadFile(path)
			require.NoError(t, err)
			_, err = New(WithStateFile(path))
			require.ErrorIs(t, err, ErrStateFile)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, err.Error(), path)
			assert.NotContains(t, err.Error(), "\n")
			after, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, before, after, "the file is left as it was")
			assert.NoFileExists(t, path+v1Suffix, "nothing converted")
		})
	}
	t.Run("directory missing", func(t *testing.T) {
		_, err := New(WithStateFile(filepath.Join(t.TempDir(), "no", "such", "dir", "state.db")))
		require.ErrorIs(t, err, ErrStateFile)
	})
}

// TestStateMigratesJSON: a JSON state file of an earlier version is
// converted on first start: apps in their order, secrets, approvals,
// pending codes and tokens all kept; the JSON is kept beside it; the next
// start opens the database directly.
func TestStateMigratesJSON(t *testing.T) {
	at := time.Now().UTC().Truncate(time.Second)
	appA := models.OAuthApp{ID: newID(), CreatorID: DefaultUsers()[1].ID, Name: "a", ClientSecret: models.Secret(newID()),
		CallbackURLs: []string{"https://a.example.com/cb"}, Homepage: "https://a.example.com", CreateAt: 1, UpdateAt: 1}
	appB := appA
	appB.ID, appB.Name, appB.ClientSecret = newID(), "b", models.Secret(newID())
	user := DefaultUsers()
	var plain User
	for _, u := range user {
		if u.Username == "basic.user" {
			plain = u
		}
	}
	grant := accessData{ClientID: appA.ID, UserID: plain.ID, Token: newID(), RefreshToken: newID(),
		RedirectURI: appA.CallbackURLs[0], ExpiresAt: at.Add(time.Hour), Scope: "user"}
	code := authData{Code: newCode(), ClientID: appB.ID, UserID: plain.ID, RedirectURI: appB.CallbackURLs[0], Scope: "user", CreateAt: at}
	snap := stateSnapshot{Version: stateVersion, Seq: 10,
		Apps:           []stateApp{{Seq: 7, App: appB}, {Seq: 3, App: appA}},
		Authorizations: []stateAuth{{UserID: plain.ID, AppID: appA.ID, Seq: 9}},
		Codes:          []authData{code}, Access: []accessData{grant}}
	data, err := json.Marshal(snap) //nolint:gosec // G117: a test state with test secrets
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(path, data, 0o600))

	check := func(ts *TestServer) {
		apps := listAll(t, ts)
		require.Len(t, apps, 2)
		assert.Equal(t, []string{appA.ID, appB.ID}, []string{apps[0].ID, apps[1].ID}, "the JSON file's order")
		assert.Equal(t, appA, apps[0])
		assert.Equal(t, http.StatusOK, meStatus(t, ts, grant.Token))
	}
	a := NewTestServer(t, WithClock(func() time.Time { return at }), WithStateFile(path))
	check(a)
	head, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(head), sqliteHeader), "converted in place")
	kept, err := os.ReadFile(path + v1Suffix)
	require.NoError(t, err)
	assert.Equal(t, data, kept, "the JSON file is kept")
	accessOf(t, exchange(t, a, appB.ID, appB.ClientSecret.Reveal(), code.Code, appB.CallbackURLs[0], ""))
	b := createApp(t, a, tokenOf(a, colSA), newApp("after"))
	stop(t, a)

	c := NewTestServer(t, WithStateFile(path))
	apps := listAll(t, c)
	require.Len(t, apps, 3)
	assert.Equal(t, b.ID, apps[2].ID, "new apps come after the converted ones")
}

// TestStateWriteFailureIsA500: when the change cannot be committed, the
// client is not told it succeeded: the answer is a 500 (valid for the
// operation, checked by the test server), whatever the handler answered.
func TestStateWriteFailureIsA500(t *testing.T) {
	cfg := DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ts := NewTestServer(t, WithConfig(cfg), WithStateFile(filepath.Join(t.TempDir(), "state.db")))
	st := ts.Server.store.(*sqlStore)
	require.NoError(t, st.group.conn.Close()) // the database is gone: every statement fails
	require.NoError(t, st.db.Close())

	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, colC), Body: newApp("unsaved")})
	require.Equal(t, http.StatusInternalServerError, r.Status, "%s", r.Body)
	assert.Equal(t, "app.mock.save_state.app_error", r.appError(t).ID)
	assert.NotEmpty(t, r.Header.Get("X-Request-Id"))

	r = do(t, ts, req{Method: http.MethodPost, Path: registerPath, Body: `{"redirect_uris":["https://dcr.example.com/cb"]}`})
	require.Equal(t, http.StatusInternalServerError, r.Status, "%s", r.Body)
	assert.Equal(t, models.DCRErrorInvalidClientMetadata, r.dcrError(t).Error)

	assert.Equal(t, http.StatusOK, meStatus(t, ts, ts.Identities.PlainUser.Token), "a seeded user's token needs no database")
}

// TestPostgresStoreRefused: a database that is down, that refuses the
// credentials, or that holds a newer schema stops New with one line naming
// it (without its password), matching ErrStore; the newer schema is left
// as it was.
func TestPostgresStoreRefused(t *testing.T) {
	pg := pgtest.Start(t)
	newer := pg.NewDatabase(t)
	s, err := New(WithStore(newer))
	require.NoError(t, err)
	st := s.store.(*sqlStore)
	_, err = st.db.ExecContext(t.Context(), `UPDATE mmoauth_meta SET value = '99' WHERE key = 'schema_version'`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	down := fmt.Sprintf("postgres://mmoauth:hunter2@127.0.0.1:%d/x?sslmode=disable&connect_timeout=5", closedPort(t))
	tests := []struct{ name, dsn, want string }{
		{"down", down, "127.0.0.1"},
		{"unknown role", strings.Replace(pg.DSN("postgres"), "mmoauth@", "nobody:hunter2@", 1), "nobody"},
		{"unknown database", pg.DSN("nosuchdb"), "nosuchdb"},
		{"newer schema", newer, "newer mmoauth"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(WithStore(tt.dsn))
			require.ErrorIs(t, err, ErrStore)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "hunter2", "no password in messages")
			assert.NotContains(t, err.Error(), "\n")
		})
	}
	db, err := sql.Open("pgx", newer)
	require.NoError(t, err)
	defer db.Close()
	var v string
	require.NoError(t, db.QueryRowContext(t.Context(), `SELECT value FROM mmoauth_meta WHERE key = 'schema_version'`).Scan(&v))
	assert.Equal(t, "99", v, "the newer schema is left as it was")
}

// closedPort is a loopback port nothing listens on (it was free a moment ago).
func closedPort(t *testing.T) int {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := ln.Addr().(*net.TCPAddr).Port
	require.NoError(t, ln.Close())
	return port
}
