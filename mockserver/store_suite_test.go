package mockserver

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/internal/pgtest"
	"github.com/mmoauth/mmoauth/models"
)

// storeKind opens a fresh, empty store of one kind, and reopens it on the
// same state (nil for the memory store, which has nothing to reopen).
type storeKind struct {
	name    string
	open    func(t *testing.T) (st stateStore, reopen func(t *testing.T) stateStore)
	durable bool
}

// storeKinds are the three stores. Postgres is started once per call (and
// skipped, with the reason, where the machine has none).
func storeKinds(parent *testing.T) []storeKind {
	pg := pgtest.Lazy(parent) // one server for all the subtests
	return []storeKind{
		{name: "memory", open: func(*testing.T) (stateStore, func(*testing.T) stateStore) { return newStore(), nil }},
		{name: "sqlite", durable: true, open: func(t *testing.T) (stateStore, func(*testing.T) stateStore) {
			path := filepath.Join(t.TempDir(), "state.db")
			return reopenable(t, func(ctx context.Context) (stateStore, error) { return openSQLiteStore(ctx, path) })
		}},
		{name: "postgres", durable: true, open: func(t *testing.T) (stateStore, func(*testing.T) stateStore) {
			dsn := pg(t).NewDatabase(t)
			return reopenable(t, func(ctx context.Context) (stateStore, error) { return openPostgresStore(ctx, dsn) })
		}},
	}
}

// reopenable opens a store with open (closed when the test ends), and
// returns the function that opens it again on the same state.
func reopenable(t *testing.T, open func(context.Context) (stateStore, error)) (stateStore, func(*testing.T) stateStore) {
	o := func(t *testing.T) stateStore {
		st, err := open(t.Context())
		require.NoError(t, err)
		t.Cleanup(func() { _ = st.close() })
		return st
	}
	return o(t), o
}

// inTx runs f in one writing view and requires it to commit.
func inTx(t *testing.T, st stateStore, f func(tx stateTx)) {
	t.Helper()
	tx := st.begin(t.Context(), true)
	f(tx)
	require.NoError(t, tx.done())
}

// read runs f in a reading view.
func read(t *testing.T, st stateStore, f func(tx stateTx)) {
	t.Helper()
	tx := st.begin(t.Context(), false)
	f(tx)
	require.NoError(t, tx.done())
}

func suiteApp(creator, name string) models.OAuthApp {
	return models.OAuthApp{ID: newID(), CreatorID: creator, CreateAt: 1, UpdateAt: 2, ClientSecret: models.Secret(newID()),
		Name: name, CallbackURLs: []string{"https://" + name + ".example.com/cb"}, Homepage: "https://" + name + ".example.com"}
}

// TestStoreSuite runs the same checks on the memory, SQLite and Postgres
// stores: what handlers rely on, operation by operation.
func TestStoreSuite(t *testing.T) {
	at := time.Unix(1_700_000_000, 0).UTC()
	cases := []struct {
		name string
		run  func(t *testing.T, st stateStore)
	}{
		{"apps: insert, get, replace, delete", func(t *testing.T, st stateStore) {
			a := suiteApp("u1", "a")
			inTx(t, st, func(tx stateTx) { tx.insertApp(a) })
			read(t, st, func(tx stateTx) {
				got, ok := tx.getApp(a.ID)
				require.True(t, ok)
				assert.Equal(t, a, got)
				_, ok = tx.getApp(newID())
				assert.False(t, ok, "unknown id")
			})
			a.Name = "renamed"
			inTx(t, st, func(tx stateTx) {
				assert.True(t, tx.replaceApp(a))
				assert.False(t, tx.replaceApp(suiteApp("u1", "never-inserted")), "replace of a missing app")
			})
			read(t, st, func(tx stateTx) {
				got, _ := tx.getApp(a.ID)
				assert.Equal(t, "renamed", got.Name)
				assert.Equal(t, 1, tx.appCount())
			})
			inTx(t, st, func(tx stateTx) {
				assert.True(t, tx.deleteApp(a.ID))
				assert.False(t, tx.deleteApp(a.ID), "deleted twice")
			})
			read(t, st, func(tx stateTx) {
				_, ok := tx.getApp(a.ID)
				assert.False(t, ok)
				assert.Zero(t, tx.appCount())
			})
		}},
		{"apps: nil and empty callback lists stay apart", func(t *testing.T, st stateStore) {
			none, empty := suiteApp("u1", "none"), suiteApp("u1", "empty")
			none.CallbackURLs, empty.CallbackURLs = nil, []string{}
			inTx(t, st, func(tx stateTx) { tx.insertApp(none); tx.insertApp(empty) })
			read(t, st, func(tx stateTx) {
				got, _ := tx.getApp(none.ID)
				assert.Nil(t, got.CallbackURLs)
				got, _ = tx.getApp(empty.ID)
				assert.NotNil(t, got.CallbackURLs)
				assert.Empty(t, got.CallbackURLs)
			})
		}},
		{"apps: pages in insertion order, all and by creator", func(t *testing.T, st stateStore) {
			var all, mine []string
			for i := range 7 {
				creator := "u1"
				if i%2 == 1 {
					creator = "u2"
				}
				a := suiteApp(creator, fmt.Sprint("p", i))
				inTx(t, st, func(tx stateTx) { tx.insertApp(a) })
				all = append(all, a.ID)
				if creator == "u2" {
					mine = append(mine, a.ID)
				}
			}
			ids := func(apps []models.OAuthApp) []string {
				out := []string{}
				for _, a := range apps {
					out = append(out, a.ID)
				}
				return out
			}
			u2 := "u2"
			read(t, st, func(tx stateTx) {
				assert.Equal(t, all[:3], ids(tx.pageApps(nil, 0, 3)))
				assert.Equal(t, all[3:6], ids(tx.pageApps(nil, 1, 3)))
				assert.Equal(t, all[6:], ids(tx.pageApps(nil, 2, 3)))
				assert.Empty(t, tx.pageApps(nil, 3, 3), "past the end")
				assert.Empty(t, tx.pageApps(nil, 1<<62, 200), "an offset past any end")
				assert.Equal(t, mine, ids(tx.pageApps(&u2, 0, 60)))
				nobody := "nobody"
				assert.Empty(t, tx.pageApps(&nobody, 0, 60))
			})
		}},
		{"authorizations: order kept, approving again keeps the position", func(t *testing.T, st stateStore) {
			a, b := suiteApp("u1", "a"), suiteApp("u1", "b")
			inTx(t, st, func(tx stateTx) {
				tx.insertApp(a)
				tx.insertApp(b)
				tx.authorize("user", b.ID)
				tx.authorize("user", a.ID)
				tx.authorize("user", b.ID)
			})
			read(t, st, func(tx stateTx) {
				assert.True(t, tx.isAuthorized("user", a.ID))
				assert.False(t, tx.isAuthorized("other", a.ID))
				got := tx.pageAuthorized("user", 0, 60)
				require.Len(t, got, 2)
				assert.Equal(t, []string{b.ID, a.ID}, []string{got[0].ID, got[1].ID})
				assert.Empty(t, tx.pageAuthorized("user", 1, 60))
			})
		}},
		{"codes: saved, read, taken once, removed", func(t *testing.T, st stateStore) {
			c1 := authData{Code: newCode(), ClientID: "app", UserID: "user", RedirectURI: "https://x/cb", State: "s", Scope: "user", CreateAt: at}
			c2 := c1
			c2.Code = newCode()
			inTx(t, st, func(tx stateTx) { tx.saveCode(c1); tx.saveCode(c2) })
			read(t, st, func(tx stateTx) {
				got, ok := tx.getCode(c1.Code)
				require.True(t, ok)
				assert.Equal(t, c1, got)
				_, ok = tx.getCode(newCode())
				assert.False(t, ok)
			})
			inTx(t, st, func(tx stateTx) {
				assert.True(t, tx.takeCode(c1.Code))
				assert.False(t, tx.takeCode(c1.Code), "a code is taken once")
				tx.removeCode(c2.Code)
			})
			read(t, st, func(tx stateTx) {
				_, ok := tx.getCode(c2.Code)
				assert.False(t, ok)
			})
		}},
		{"access: session, latest grant, refresh rotation once", func(t *testing.T, st stateStore) {
			old := accessData{ClientID: "app", UserID: "user", Token: newID(), RefreshToken: newID(), RedirectURI: "https://x/cb", ExpiresAt: at, Scope: "user"}
			later := old
			later.Token, later.RefreshToken, later.ExpiresAt = newID(), newID(), at.Add(time.Hour)
			inTx(t, st, func(tx stateTx) { tx.saveAccess(old); tx.saveAccess(later) })
			read(t, st, func(tx stateTx) {
				sess, ok := tx.sessionFor(old.Token)
				require.True(t, ok)
				assert.Equal(t, session{Token: old.Token, UserID: "user", IsOAuth: true, AppID: "app", ExpiresAt: at}, sess)
				prev, ok := tx.previousAccess("user", "app")
				require.True(t, ok)
				assert.Equal(t, later, prev, "the latest expiry")
				_, ok = tx.previousAccess("user", "other-app")
				assert.False(t, ok)
				got, ok := tx.accessByRefresh(old.RefreshToken)
				require.True(t, ok)
				assert.Equal(t, old, got)
				_, ok = tx.accessByRefresh(newID())
				assert.False(t, ok)
			})
			next := old
			next.Token, next.RefreshToken = newID(), newID()
			inTx(t, st, func(tx stateTx) {
				assert.True(t, tx.rotateAccess(old, next))
				again := old
				again.Token = newID()
				assert.False(t, tx.rotateAccess(old, again), "the old grant is gone")
			})
			read(t, st, func(tx stateTx) {
				_, ok := tx.sessionFor(old.Token)
				assert.False(t, ok, "the old token's session ends")
				_, ok = tx.accessByRefresh(old.RefreshToken)
				assert.False(t, ok)
				_, ok = tx.sessionFor(next.Token)
				assert.True(t, ok)
			})
		}},
		{"delete and deauthorize remove what was issued", func(t *testing.T, st stateStore) {
			a, b := suiteApp("u1", "a"), suiteApp("u1", "b")
			grant := func(app models.OAuthApp, user string) accessData {
				return accessData{ClientID: app.ID, UserID: user, Token: newID(), RefreshToken: newID(), ExpiresAt: at}
			}
			ga, gb, gb2 := grant(a, "user"), grant(b, "user"), grant(b, "user2")
			code := authData{Code: newCode(), ClientID: a.ID, UserID: "user", CreateAt: at}
			inTx(t, st, func(tx stateTx) {
				tx.insertApp(a)
				tx.insertApp(b)
				tx.authorize("user", a.ID)
				tx.authorize("user", b.ID)
				tx.authorize("user2", b.ID)
				tx.saveAccess(ga)
				tx.saveAccess(gb)
				tx.saveAccess(gb2)
				tx.saveCode(code)
			})
			read(t, st, func(tx stateTx) { assert.Len(t, tx.appSessions(b.ID), 2) })
			inTx(t, st, func(tx stateTx) { assert.True(t, tx.deleteApp(a.ID)) })
			read(t, st, func(tx stateTx) {
				_, ok := tx.getCode(code.Code)
				assert.False(t, ok, "codes of a deleted app")
				_, ok = tx.sessionFor(ga.Token)
				assert.False(t, ok, "sessions of a deleted app")
				_, ok = tx.accessByRefresh(ga.RefreshToken)
				assert.False(t, ok, "grants of a deleted app")
				assert.False(t, tx.isAuthorized("user", a.ID))
				_, ok = tx.sessionFor(gb.Token)
				assert.True(t, ok, "another app's grant stays")
			})
			inTx(t, st, func(tx stateTx) { tx.deauthorizeKeepingGrants("user2", b.ID) })
			read(t, st, func(tx stateTx) {
				_, ok := tx.sessionFor(gb2.Token)
				assert.False(t, ok)
				_, ok = tx.accessByRefresh(gb2.RefreshToken)
				assert.True(t, ok, "the grant is kept")
				assert.False(t, tx.isAuthorized("user2", b.ID))
			})
			inTx(t, st, func(tx stateTx) { tx.deauthorize("user", b.ID) })
			read(t, st, func(tx stateTx) {
				_, ok := tx.sessionFor(gb.Token)
				assert.False(t, ok)
				_, ok = tx.accessByRefresh(gb.RefreshToken)
				assert.False(t, ok)
				assert.False(t, tx.isAuthorized("user", b.ID))
				assert.Empty(t, tx.pageAuthorized("user", 0, 60))
			})
		}},
		{"concurrent writers: a failed one takes none of the others with it", func(t *testing.T, st stateStore) {
			if !st.durable() {
				t.Skip("the memory store has no transactions: its operations cannot fail")
			}
			taken := suiteApp("u1", "taken")
			inTx(t, st, func(tx stateTx) { tx.insertApp(taken) })
			const writers = 16
			errs := make([]error, writers)
			apps := make([]models.OAuthApp, writers)
			var wg sync.WaitGroup
			for i := range writers {
				apps[i] = suiteApp("u1", fmt.Sprint("w", i))
				wg.Go(func() {
					tx := st.begin(context.Background(), true)
					tx.insertApp(apps[i])
					if i%3 == 0 {
						tx.insertApp(taken) // refused: the id exists
					}
					errs[i] = tx.done()
				})
			}
			wg.Wait()
			read(t, st, func(tx stateTx) {
				for i, a := range apps {
					_, ok := tx.getApp(a.ID)
					if i%3 == 0 {
						assert.Error(t, errs[i], "writer %d", i)
						assert.False(t, ok, "writer %d failed: none of its changes is kept", i)
					} else {
						assert.NoError(t, errs[i], "writer %d", i)
						assert.True(t, ok, "writer %d committed", i)
					}
				}
				assert.Equal(t, 1+writers-(writers+2)/3, tx.appCount())
			})
		}},
		{"sessions: added and found by token", func(t *testing.T, st stateStore) {
			s := session{Token: newID(), UserID: "user", IsOAuth: true, AppID: "app", ExpiresAt: at}
			inTx(t, st, func(tx stateTx) { tx.addSession(s) })
			read(t, st, func(tx stateTx) {
				got, ok := tx.sessionFor(s.Token)
				require.True(t, ok)
				assert.Equal(t, s, got)
				_, ok = tx.sessionFor(newID())
				assert.False(t, ok)
			})
		}},
	}
	for _, kind := range storeKinds(t) {
		t.Run(kind.name, func(t *testing.T) {
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					st, _ := kind.open(t)
					tc.run(t, st)
				})
			}
			if !kind.durable {
				return
			}
			t.Run("reopened, the state is all there", func(t *testing.T) {
				st, reopen := kind.open(t)
				a := suiteApp("u1", "kept")
				g := accessData{ClientID: a.ID, UserID: "user", Token: newID(), RefreshToken: newID(), ExpiresAt: at}
				inTx(t, st, func(tx stateTx) { tx.insertApp(a); tx.saveAccess(g); tx.authorize("user", a.ID) })
				require.NoError(t, st.close())
				st2 := reopen(t)
				read(t, st2, func(tx stateTx) {
					got, ok := tx.getApp(a.ID)
					require.True(t, ok)
					assert.Equal(t, a, got)
					_, ok = tx.sessionFor(g.Token)
					assert.True(t, ok)
					assert.True(t, tx.isAuthorized("user", a.ID))
				})
				b := suiteApp("u1", "after")
				inTx(t, st2, func(tx stateTx) { tx.insertApp(b) })
				read(t, st2, func(tx stateTx) {
					page := tx.pageApps(nil, 0, 60)
					require.Len(t, page, 2)
					assert.Equal(t, []string{a.ID, b.ID}, []string{page[0].ID, page[1].ID}, "positions continue after a reopen")
				})
			})
			t.Run("a failed operation rolls the whole request back", func(t *testing.T) {
				st, _ := kind.open(t)
				a := suiteApp("u1", "first")
				tx := st.begin(context.Background(), true)
				tx.insertApp(a)
				tx.insertApp(a) // the same id again: the primary key refuses it
				require.Error(t, tx.done())
				read(t, st, func(tx stateTx) {
					_, ok := tx.getApp(a.ID)
					assert.False(t, ok, "nothing of the failed request is committed")
				})
			})
		})
	}
}
