package mockserver

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// benchServer is a server with response validation on (reporting to b) and
// n apps created by the system admin.
func benchServer(b *testing.B, n int) (*Server, models.OAuthApp) {
	b.Helper()
	s, err := New(WithResponseValidation(func(err error) { b.Error(err) }))
	require.NoError(b, err)
	s.setSiteURLIfEmpty("http://127.0.0.1:8065")
	var last models.OAuthApp
	for i := range n {
		last = models.OAuthApp{ID: newID(), CreatorID: s.Identities().SystemAdmin.ID, Name: fmt.Sprint("app", i),
			ClientSecret: models.Secret(newID()), CallbackURLs: []string{"https://b.example.com/cb"},
			Homepage: "https://b.example.com", CreateAt: 1, UpdateAt: 1}
		s.store.insertApp(last)
	}
	return s, last
}

func serveBench(b *testing.B, s *Server, method, path, token string) {
	b.Helper()
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}

// BenchmarkGetOAuthApp: the whole pipeline (routing, auth, request and
// response validation) for GET /api/v4/oauth/apps/{id}.
func BenchmarkGetOAuthApp(b *testing.B) {
	s, app := benchServer(b, 1000)
	tok := s.Identities().SystemAdmin.Token
	b.ReportAllocs()
	for b.Loop() {
		serveBench(b, s, http.MethodGet, "/api/v4/oauth/apps/"+app.ID, tok)
	}
}

// BenchmarkListAt100k: a page of 60 out of 100,000 apps, deep in the list;
// the cost does not grow with the store (no sort, no full copy).
func BenchmarkListAt100k(b *testing.B) {
	s, _ := benchServer(b, 100_000)
	tok := s.Identities().SystemAdmin.Token
	b.ReportAllocs()
	for b.Loop() {
		serveBench(b, s, http.MethodGet, "/api/v4/oauth/apps?page=1000&per_page=60", tok)
	}
}

// BenchmarkStorePageAt100k isolates the store's page lookup.
func BenchmarkStorePageAt100k(b *testing.B) {
	s, _ := benchServer(b, 100_000)
	b.ReportAllocs()
	for b.Loop() {
		if got := s.store.pageApps(nil, 1000, 60); len(got) != 60 {
			b.Fatal(len(got))
		}
	}
}

// TestStoreConcurrent drives the store directly from many goroutines (run
// with -race): inserts, deletes, pages and authorizations interleave; at the
// end every surviving app is in the list exactly once.
func TestStoreConcurrent(t *testing.T) {
	st := newStore()
	const workers, each = 32, 200
	var wg sync.WaitGroup
	var mu sync.Mutex
	kept := map[string]bool{}
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := newID()
				st.insertApp(models.OAuthApp{ID: id, CreatorID: fmt.Sprint("creator", w%4)})
				st.authorize(fmt.Sprint("user", w%3), id)
				_ = st.pageApps(nil, i%7, 13)
				_ = st.pageAuthorized(fmt.Sprint("user", w%3), i%5, 11)
				if i%2 == 0 {
					st.deleteApp(id)
					continue
				}
				mu.Lock()
				kept[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	seen := map[string]int{}
	for _, a := range st.pageApps(nil, 0, workers*each) {
		seen[a.ID]++
	}
	assert.Len(t, seen, len(kept))
	for id, n := range seen {
		assert.Equal(t, 1, n)
		assert.True(t, kept[id])
	}
	authorized := 0
	for u := range 3 {
		authorized += len(st.pageAuthorized(fmt.Sprint("user", u), 0, workers*each))
	}
	assert.Equal(t, len(kept), authorized, "deleting an app drops its authorizations")
}
