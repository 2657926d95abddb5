package mockserver

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentCreateDeleteList hammers the server from many goroutines
// (run with -race): creators create apps and delete every third one while
// listers page through the list. Afterwards the list holds exactly the apps
// that were created and not deleted, each once.
func TestConcurrentCreateDeleteList(t *testing.T) {
	const (
		writers   = 8
		perWriter = 30
		listers   = 4
	)
	ts := NewTestServer(t)
	sa := tokenOf(ts, colSA)
	var mu sync.Mutex
	kept := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, writers*perWriter+listers*perWriter)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				r, err := tryDo(ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Token: sa, Body: newApp(fmt.Sprintf("w%d-%d", w, i))})
				if err != nil {
					errs <- err
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
				if i%3 == 0 {
					d, err := tryDo(ts, req{Method: http.MethodDelete, Path: "/api/v4/oauth/apps/" + app.ID, Token: sa})
					switch {
					case err != nil:
						errs <- err
					case d.Status != http.StatusOK:
						errs <- fmt.Errorf("delete: %d %s", d.Status, d.Body)
					}
					continue
				}
				mu.Lock()
				kept[app.ID] = true
				mu.Unlock()
			}
		})
	}
	for range listers {
		wg.Go(func() {
			for i := range perWriter {
				r, err := tryDo(ts, req{Method: http.MethodGet, Path: fmt.Sprintf("/api/v4/oauth/apps?per_page=7&page=%d", i%5), Token: sa})
				switch {
				case err != nil:
					errs <- err
				case r.Status != http.StatusOK:
					errs <- fmt.Errorf("list: %d %s", r.Status, r.Body)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	seen := map[string]int{}
	for page := 0; ; page++ {
		r := do(t, ts, req{Method: http.MethodGet, Path: fmt.Sprintf("/api/v4/oauth/apps?per_page=50&page=%d", page), Token: sa})
		require.Equal(t, http.StatusOK, r.Status)
		var apps []models.OAuthApp
		r.decode(t, &apps)
		if len(apps) == 0 {
			break
		}
		for _, a := range apps {
			seen[a.ID]++
		}
	}
	assert.Len(t, seen, len(kept), "no app lost or left over")
	for id, n := range seen {
		assert.Equal(t, 1, n, "app %s listed %d times", id, n)
		assert.True(t, kept[id], "app %s should have been deleted", id)
	}
	assert.Equal(t, writers*perWriter*2/3, len(kept))
}

// TestConcurrentCodeAndRefresh: of many simultaneous exchanges of one code,
// or refreshes with one refresh token, exactly one succeeds.
func TestConcurrentCodeAndRefresh(t *testing.T) {
	ts := NewTestServer(t)
	app := createApp(t, ts, tokenOf(ts, colC), newApp("race"))
	code := authorizeCode(t, ts, ts.Identities.PlainUser.Token, app, "")
	form := func(extra map[string]string) req {
		f := map[string][]string{"client_id": {app.ID}, "client_secret": {app.ClientSecret.Reveal()}}
		for k, v := range extra {
			f[k] = []string{v}
		}
		return req{Method: http.MethodPost, Path: "/oauth/access_token", Form: f}
	}
	race := func(q req) (wins int, tok models.AccessResponse) {
		const n = 12
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range n {
			wg.Go(func() {
				r, err := tryDo(ts, q)
				if err != nil || r.Status != http.StatusOK {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				wins++
				_ = json.Unmarshal(r.Body, &tok)
			})
		}
		wg.Wait()
		return wins, tok
	}
	wins, tok := race(form(map[string]string{"grant_type": "authorization_code", "code": code, "redirect_uri": app.CallbackURLs[0]}))
	require.Equal(t, 1, wins, "a code is spent once")
	wins, _ = race(form(map[string]string{"grant_type": "refresh_token", "refresh_token": tok.RefreshToken.Reveal()}))
	assert.Equal(t, 1, wins, "a refresh token is spent once")
}
