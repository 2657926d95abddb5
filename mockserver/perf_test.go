package mockserver

// Tests of the performance changes measured by bench_test.go (see also
// encodings_test.go): they must not change what the mock answers.

import (
	"encoding/json"
	"strings"
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

// TestDecodeJSONAsTheServerDecoder: the Unmarshal fast path of decodeJSON
// answers what json.NewDecoder(body).Decode answers, trailing data and
// broken bodies included.
func TestDecodeJSONAsTheServerDecoder(t *testing.T) {
	t.Parallel()
	type target struct {
		Name string   `json:"name"`
		URLs []string `json:"callback_urls"`
		N    int      `json:"n"`
	}
	for _, body := range []string{
		`{"name":"a","callback_urls":["x"]}`,
		" \n{\"name\":\"a\"}\n ",
		`{"name":"a"} {"name":"b"}`,
		`{"name":"a"}garbage`,
		`{"name":"a","n":"not a number","callback_urls":["y"]}`,
		`{"name":`,
		``,
		`null`,
		`[1,2]`,
		`{"name":"a","name":"b"}`,
	} {
		var want, got target
		wantErr := json.NewDecoder(strings.NewReader(body)).Decode(&want)
		c := &call{body: []byte(body)}
		gotErr := c.decodeJSON(&got)
		assert.Equal(t, want, got, "%q", body)
		assert.Equal(t, wantErr == nil, gotErr == nil, "%q: %v vs %v", body, wantErr, gotErr)
	}
}
