package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mmoauth/mmoauth/models"
)

// pageOf renders apps named prefix0..prefix(n-1) with distinct ids.
func pageOf(prefix string, n int) reply {
	apps := make([]models.OAuthApp, n)
	for i := range apps {
		apps[i] = models.OAuthApp{ID: fmt.Sprintf("%s%025d", prefix[:1], i), Name: fmt.Sprintf("%s%d", prefix, i)}
	}
	b, _ := json.Marshal(apps)
	return reply{status: 200, body: string(b)}
}

// pageNamed renders apps whose id is derived from their name.
func pageNamed(names ...string) reply {
	apps := make([]models.OAuthApp, len(names))
	for i, n := range names {
		apps[i] = models.OAuthApp{ID: fmt.Sprintf("%s%024d", n, 0), Name: n}
	}
	b, _ := json.Marshal(apps)
	return reply{status: 200, body: string(b)}
}

func collect(seq func(yield func(*models.OAuthApp, error) bool)) (names []string, errs []error) {
	for app, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		names = append(names, app.Name)
	}
	return names, errs
}

func TestIterators(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		perPage  int
		replies  []reply
		useUser  string // "" iterates OAuthApps
		names    []string
		queries  []string
		wantErrs int
	}{
		{"short last page", 2, []reply{pageOf("a", 2), pageOf("b", 2), pageOf("c", 1)}, "",
			[]string{"a0", "a1", "b0", "b1", "c0"}, []string{"page=0&per_page=2", "page=1&per_page=2", "page=2&per_page=2"}, 0},
		{"exact multiple ends with an empty page", 2, []reply{pageOf("a", 2), pageOf("b", 0)}, "",
			[]string{"a0", "a1"}, []string{"page=0&per_page=2", "page=1&per_page=2"}, 0},
		{"empty", 5, []reply{pageOf("a", 0)}, "", nil, []string{"page=0&per_page=5"}, 0},
		{"perPage 0 means 60", 0, []reply{pageOf("a", 1)}, "", []string{"a0"}, []string{"page=0&per_page=60"}, 0},
		{"perPage above the server cap means 200", 500, []reply{pageOf("a", 1)}, "", []string{"a0"}, []string{"page=0&per_page=200"}, 0},
		{"error after a page: yielded once, then stop", 2, []reply{pageOf("a", 2), status(500), pageOf("c", 1)}, "",
			[]string{"a0", "a1"}, []string{"page=0&per_page=2", "page=1&per_page=2"}, 1},
		{"server ignoring page", 2, []reply{pageOf("a", 2), pageOf("a", 2)}, "",
			[]string{"a0", "a1"}, []string{"page=0&per_page=2", "page=1&per_page=2"}, 1},
		{"an app moved to a later page is yielded once", 2, []reply{pageOf("a", 2), pageOf("a", 1)}, "",
			[]string{"a0", "a1"}, []string{"page=0&per_page=2", "page=1&per_page=2"}, 0},
		{"a partly repeated full page goes on", 2, []reply{pageNamed("a0", "a1"), pageNamed("a1", "b0"), pageNamed("b1")}, "",
			[]string{"a0", "a1", "b0", "b1"}, []string{"page=0&per_page=2", "page=1&per_page=2", "page=2&per_page=2"}, 0},
		{"authorized apps of me", 1, []reply{pageOf("a", 1), pageOf("b", 0)}, "me",
			[]string{"a0"}, []string{"page=0&per_page=1", "page=1&per_page=1"}, 0},
		{"authorized apps, bad user id", 1, nil, "../users", nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.replies, WithRetryPolicy(NoRetry()))
			seq := f.c.OAuthApps(t.Context(), tt.perPage)
			if tt.useUser != "" {
				seq = f.c.AuthorizedOAuthAppsForUser(t.Context(), tt.useUser, tt.perPage)
			}
			names, errs := collect(seq)
			assert.Equal(t, tt.names, names)
			assert.Len(t, errs, tt.wantErrs)
			var queries []string
			for _, r := range f.s.requests() {
				queries = append(queries, r.RawQuery)
				assert.Equal(t, http.MethodGet, r.Method)
			}
			assert.Equal(t, tt.queries, queries)
		})
	}
}

func TestIteratorStopsWhenTheConsumerBreaks(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{pageOf("a", 2), pageOf("b", 2)})
	n := 0
	for _, err := range f.c.OAuthApps(t.Context(), 2) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.Len(t, f.s.requests(), 1)
}

func TestIteratorRespectsContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t, []reply{pageOf("a", 2), pageOf("b", 2)})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var names []string
	var errs []error
	for app, err := range f.c.OAuthApps(ctx, 2) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		names = append(names, app.Name)
		cancel() // the next page must not be fetched
	}
	assert.Equal(t, []string{"a0", "a1"}, names)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Len(t, f.s.requests(), 1)
}
