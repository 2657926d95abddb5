package mockserver_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/client"
	"github.com/mmoauth/mmoauth/mockserver"
	"github.com/mmoauth/mmoauth/models"
)

// Size of the stress run: 64 goroutines, a few thousand operations in all
// (enough for the race detector to see every path interleave, small enough
// for `go test -race` to stay quick on two cores).
const (
	stressWorkers = 64
	stressOpsEach = 50
)

// ledger is what the clients were told, and what they saw, during the run.
type ledger struct {
	clock atomic.Int64 // logical time: every acknowledgement and list start takes a tick

	mu       sync.Mutex
	issued   map[string]string          // every id, secret and code → what it was issued as
	apps     map[string]*appLedger      // acknowledged creates and registrations
	secretOf map[string]map[string]bool // app id → every secret acknowledged for it
	listed   []listObservation          // what list pages showed
	authz    map[string]map[string]bool // user id → apps approved
	creators map[string]map[string]bool // creator id → apps created
	errs     []error
}

type appLedger struct {
	creator  string
	name     string        // after the last acknowledged update
	secret   models.Secret // after the last acknowledged create or regen
	deleted  bool
	deleteAt int64 // logical time of the acknowledged delete
}

type listObservation struct {
	start int64 // logical time the list request started
	apps  []*models.OAuthApp
}

func newLedger() *ledger {
	return &ledger{
		issued: map[string]string{}, apps: map[string]*appLedger{}, secretOf: map[string]map[string]bool{},
		authz: map[string]map[string]bool{}, creators: map[string]map[string]bool{},
	}
}

func (l *ledger) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, fmt.Errorf(format, args...))
}

// issue records a value the server handed out; the same value twice is an error.
func (l *ledger) issue(kind, value string) {
	if value == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if prev, dup := l.issued[value]; dup {
		l.errs = append(l.errs, fmt.Errorf("%s %q was already issued as a %s", kind, value, prev))
		return
	}
	l.issued[value] = kind
}

func (l *ledger) created(app *models.OAuthApp) {
	l.issue("id", app.ID)
	l.issue("secret", app.ClientSecret.Reveal())
	l.clock.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.apps[app.ID] = &appLedger{creator: app.CreatorID, name: app.Name, secret: app.ClientSecret}
	l.secretOf[app.ID] = map[string]bool{app.ClientSecret.Reveal(): true}
	if l.creators[app.CreatorID] == nil {
		l.creators[app.CreatorID] = map[string]bool{}
	}
	l.creators[app.CreatorID][app.ID] = true
}

// stressWorker owns the apps it creates: only it updates, regenerates,
// deletes or authorizes them, so each app's history is sequential and its
// final state known.
type stressWorker struct {
	n      int
	c      *client.Client
	userID string
	l      *ledger
	rng    *rand.Rand
	live   []*models.OAuthApp
}

func (w *stressWorker) pick() (*models.OAuthApp, int) {
	if len(w.live) == 0 {
		return nil, -1
	}
	i := w.rng.IntN(len(w.live))
	return w.live[i], i
}

func (w *stressWorker) step(ctx context.Context, i int) {
	l := w.l
	switch op := w.rng.IntN(100); {
	case op < 25 || len(w.live) == 0:
		app, _, err := w.c.CreateOAuthApp(ctx, &models.CreateOAuthAppRequest{
			Name: fmt.Sprintf("w%d-%d", w.n, i), CallbackURLs: []string{fmt.Sprintf("https://w%d.example.com/cb", w.n)},
			Homepage: "https://stress.example.com",
		})
		if err != nil {
			l.fail("create: %v", err)
			return
		}
		l.created(app)
		w.live = append(w.live, app)
	case op < 37:
		app, _ := w.pick()
		req := app.UpdateRequest()
		req.Name = fmt.Sprintf("w%d-%d-renamed", w.n, i)
		got, _, err := w.c.UpdateOAuthApp(ctx, req)
		if err != nil {
			l.fail("update: %v", err)
			return
		}
		l.clock.Add(1)
		l.mu.Lock()
		l.apps[app.ID].name = got.Name
		l.mu.Unlock()
		app.Name = got.Name
	case op < 47:
		app, _ := w.pick()
		got, _, err := w.c.RegenerateOAuthAppSecret(ctx, app.ID)
		if err != nil {
			l.fail("regen: %v", err)
			return
		}
		l.issue("secret", got.ClientSecret.Reveal())
		l.clock.Add(1)
		l.mu.Lock()
		l.apps[app.ID].secret = got.ClientSecret
		l.secretOf[app.ID][got.ClientSecret.Reveal()] = true
		l.mu.Unlock()
		app.ClientSecret = got.ClientSecret
	case op < 57:
		app, idx := w.pick()
		if _, _, err := w.c.DeleteOAuthApp(ctx, app.ID); err != nil {
			l.fail("delete: %v", err)
			return
		}
		at := l.clock.Add(1)
		l.mu.Lock()
		l.apps[app.ID].deleted, l.apps[app.ID].deleteAt = true, at
		l.mu.Unlock()
		w.live = append(w.live[:idx], w.live[idx+1:]...)
	case op < 72:
		start := l.clock.Add(1)
		apps, _, err := w.c.GetOAuthApps(ctx, w.rng.IntN(4), 1+w.rng.IntN(40))
		if err != nil {
			l.fail("list: %v", err)
			return
		}
		l.mu.Lock()
		l.listed = append(l.listed, listObservation{start: start, apps: apps})
		l.mu.Unlock()
	case op < 84:
		reg, _, err := w.c.WithToken("").RegisterOAuthClient(ctx, &models.ClientRegistrationRequest{
			RedirectURIs: []string{"https://dcr.example.com/cb"}, ClientName: fmt.Sprintf("dcr-w%d-%d", w.n, i),
		})
		if err != nil {
			l.fail("register: %v", err)
			return
		}
		l.created(&models.OAuthApp{ID: reg.ClientID, ClientSecret: reg.ClientSecret, Name: reg.ClientName})
	default:
		app, _ := w.pick()
		ans, _, err := w.c.AuthorizeOAuthApp(ctx, &models.AuthorizeRequest{
			ResponseType: models.ResponseTypeCode, ClientID: app.ID, RedirectURI: app.CallbackURLs[0], State: "s",
		})
		if err != nil {
			l.fail("authorize: %v", err)
			return
		}
		code, err := ans.Code()
		if err != nil {
			l.fail("authorize: %v", err)
			return
		}
		l.issue("code", code.Reveal())
		l.mu.Lock()
		if l.authz[w.userID] == nil {
			l.authz[w.userID] = map[string]bool{}
		}
		l.authz[w.userID][app.ID] = true
		l.mu.Unlock()
	}
}

// TestStress runs 64 goroutines doing a mix of create, update, regenerate,
// delete, list, register and authorize against one mock (with -race, and
// with every response checked against the document), then checks what the
// clients were told against what the server holds:
//   - every acknowledged create or registration exists, unless its delete
//     was acknowledged; nothing else exists; each appears once in the list;
//   - each app has the name of its last acknowledged update and the secret
//     of its last acknowledged create or regeneration;
//   - no id, secret or authorization code was issued twice;
//   - every list page was consistent with the store: at most per_page
//     items, no repeats, only the caller's own apps for a creator-scoped
//     caller, only apps that were created, never an app whose delete was
//     acknowledged before the list started, and only secrets issued for it;
//   - every approval shows in the user's authorized-apps list.
func TestStress(t *testing.T) {
	cfg := mockserver.DefaultConfig()
	cfg.EnableDynamicClientRegistration = true
	ts := mockserver.NewTestServer(t, mockserver.WithConfig(cfg))
	tr := &http.Transport{MaxIdleConnsPerHost: stressWorkers}
	t.Cleanup(tr.CloseIdleConnections)
	base, err := client.New(ts.URL, client.WithRetryPolicy(client.NoRetry()),
		client.WithHTTPClient(&http.Client{Transport: tr, Timeout: time.Minute}))
	require.NoError(t, err)

	id := ts.Identities
	// Creator-scoped managers and system-wide admins.
	identities := []mockserver.User{id.OAuthManager, id.OAuthManager2, id.SystemAdmin}
	l := newLedger()
	ctx := t.Context()
	var wg sync.WaitGroup
	for n := range stressWorkers {
		u := identities[n%len(identities)]
		w := &stressWorker{n: n, c: base.WithToken(u.Token), userID: u.ID, l: l, rng: rand.New(rand.NewPCG(uint64(n), 7))} //nolint:gosec // test workload
		wg.Go(func() {
			for i := range stressOpsEach {
				w.step(ctx, i)
			}
		})
	}
	wg.Wait()
	for _, err := range l.errs {
		t.Error(err)
	}
	require.Empty(t, l.errs, "every operation is acknowledged (no faults are injected)")

	// The store, read back through the API once everything is quiet.
	sa := base.WithToken(id.SystemAdmin.Token)
	seen := map[string]*models.OAuthApp{}
	for app, err := range sa.OAuthApps(ctx, 200) {
		require.NoError(t, err)
		assert.Nil(t, seen[app.ID], "app %s listed twice", app.ID)
		seen[app.ID] = app
	}
	liveCount := 0
	for appID, want := range l.apps {
		got, ok := seen[appID]
		if want.deleted {
			assert.False(t, ok, "app %s was deleted but exists", appID)
			continue
		}
		liveCount++
		if !assert.True(t, ok, "acknowledged app %s is missing", appID) {
			continue
		}
		assert.Equal(t, want.name, got.Name, "app %s: last acknowledged name", appID)
		assert.Equal(t, want.secret.Reveal(), got.ClientSecret.Reveal(), "app %s: last acknowledged secret", appID)
	}
	assert.Equal(t, liveCount, len(seen), "nothing exists that was not acknowledged")
	assert.Greater(t, liveCount, stressWorkers, "the run kept a fair number of apps")

	for _, u := range []mockserver.User{id.OAuthManager, id.OAuthManager2} {
		own := 0
		for app, err := range base.WithToken(u.Token).OAuthApps(ctx, 200) {
			require.NoError(t, err)
			assert.Equal(t, u.ID, app.CreatorID, "a creator-scoped list shows only the caller's apps")
			assert.True(t, l.creators[u.ID][app.ID])
			own++
		}
		want := 0
		for appID := range l.creators[u.ID] {
			if !l.apps[appID].deleted {
				want++
			}
		}
		assert.Equal(t, want, own, "%s's list", u.Username)
	}

	for _, obs := range l.listed {
		ids := map[string]bool{}
		for _, app := range obs.apps {
			require.NotNil(t, app)
			assert.False(t, ids[app.ID], "app %s repeated on one page", app.ID)
			ids[app.ID] = true
			want, ok := l.apps[app.ID]
			if !assert.True(t, ok, "listed app %s was never created", app.ID) {
				continue
			}
			if want.deleted {
				assert.Greater(t, want.deleteAt, obs.start, "app %s listed after its delete was acknowledged", app.ID)
			}
			assert.True(t, l.secretOf[app.ID][app.ClientSecret.Reveal()], "app %s listed with a secret never issued for it", app.ID)
		}
		assert.LessOrEqual(t, len(obs.apps), 40)
	}

	for userID, apps := range l.authz {
		u := identityByID(id, userID)
		listed := map[string]bool{}
		for app, err := range base.WithToken(u.Token).AuthorizedOAuthAppsForUser(ctx, "me", 200) {
			require.NoError(t, err)
			assert.Empty(t, app.ClientSecret.Reveal(), "the authorized list is sanitized")
			listed[app.ID] = true
		}
		for appID := range apps {
			assert.Equal(t, !l.apps[appID].deleted, listed[appID], "approval of %s by %s", appID, u.Username)
		}
	}
}

func identityByID(id mockserver.Identities, userID string) mockserver.User {
	for _, u := range []mockserver.User{id.SystemAdmin, id.OAuthManager, id.OAuthManager2, id.PlainUser} {
		if u.ID == userID {
			return u
		}
	}
	return mockserver.User{}
}
