package mockserver

import (
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPageCopiesAreIndependent: the apps of a page share one backing array
// for their callback URLs (store.appsOf), yet each is a copy: changing or
// appending to one touches neither its neighbours nor the store, and nil and
// empty lists stay apart.
func TestPageCopiesAreIndependent(t *testing.T) {
	t.Parallel()
	st := newStore()
	apps := []models.OAuthApp{
		{ID: "aaaaaaaaaaaaaaaaaaaaaaaaaa", CallbackURLs: []string{"https://a.example/1", "https://a.example/2"}},
		{ID: "bbbbbbbbbbbbbbbbbbbbbbbbbb", CallbackURLs: nil},
		{ID: "cccccccccccccccccccccccccc", CallbackURLs: []string{}},
		// More URLs than apps: the shared array is reallocated mid-page.
		{ID: "eeeeeeeeeeeeeeeeeeeeeeeeee", CallbackURLs: []string{"https://e.example/1", "https://e.example/2", "https://e.example/3"}},
		{ID: "dddddddddddddddddddddddddd", CallbackURLs: []string{"https://d.example/1"}},
	}
	for _, a := range apps {
		st.insertApp(a)
	}
	page := st.pageApps(nil, 0, 10)
	require.Len(t, page, len(apps))
	for i := range apps {
		assert.Equal(t, apps[i].CallbackURLs, page[i].CallbackURLs, apps[i].ID)
	}
	assert.Nil(t, page[1].CallbackURLs)
	assert.NotNil(t, page[2].CallbackURLs)

	page[0].CallbackURLs = append(page[0].CallbackURLs, "https://a.example/3")
	page[0].CallbackURLs[0] = "https://changed.example"
	page[2].CallbackURLs = append(page[2].CallbackURLs, "https://c.example/new")
	page[3].CallbackURLs = append(page[3].CallbackURLs, "https://e.example/4")
	assert.Equal(t, []string{"https://d.example/1"}, page[4].CallbackURLs, "a neighbour's append must not overwrite")

	again := st.pageApps(nil, 0, 10)
	for i := range apps {
		assert.Equal(t, apps[i].CallbackURLs, again[i].CallbackURLs, "the store keeps %s unchanged", apps[i].ID)
	}
}
