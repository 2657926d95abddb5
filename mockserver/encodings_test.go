package mockserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The cache of app encodings (encodings.go) must write exactly what
// encoding/json writes, cold or warm, whatever changed in between.

func encodingApp() models.OAuthApp {
	return models.OAuthApp{
		ID: "abcdefghijklmnopqrstuvwxyz", CreatorID: "zyxwvutsrqponmlkjihgfedcba", CreateAt: 1, UpdateAt: 2,
		ClientSecret: "s3cr3tsecretsecretsecret00", Name: "<b>Bot & co</b> ✓", Description: "d\n\"q\"",
		IconURL: "https://i.example/x.png?a=1&b=2", CallbackURLs: []string{"https://bot.example/cb"},
		Homepage: "https://bot.example", IsTrusted: true, MattermostAppID: "m",
	}
}

// wantList is what json.NewEncoder(w).Encode(apps) writes.
func wantList(t *testing.T, apps []models.OAuthApp) string {
	t.Helper()
	if apps == nil {
		apps = []models.OAuthApp{}
	}
	var b bytes.Buffer
	require.NoError(t, json.NewEncoder(&b).Encode(apps))
	return b.String()
}

func gotList(t *testing.T, e *appEncodings, apps []models.OAuthApp) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, e.appendList(&b, apps))
	return b.String()
}

func TestAppEncodingsMatchEncodingJSON(t *testing.T) {
	t.Parallel()
	base := encodingApp()
	nilURLs, emptyURLs, public, dcr := base, base, base, base
	nilURLs.CallbackURLs = nil
	emptyURLs.CallbackURLs = []string{}
	public.ClientSecret = ""
	dcr.IsDynamicallyRegistered, dcr.CreatorID = true, ""
	other := base
	other.ID = "bbbbbbbbbbbbbbbbbbbbbbbbbb"
	tests := []struct {
		name string
		apps []models.OAuthApp
	}{
		{"nil list", nil},
		{"empty list", []models.OAuthApp{}},
		{"one app", []models.OAuthApp{base}},
		{"two apps", []models.OAuthApp{base, other}},
		{"nil callback URLs", []models.OAuthApp{nilURLs}},
		{"empty callback URLs", []models.OAuthApp{emptyURLs}},
		{"secret blanked", []models.OAuthApp{public}},
		{"registered client", []models.OAuthApp{dcr}},
		{"same id, back to the original", []models.OAuthApp{base}},
	}
	// One cache through all cases, in order: every case after the first
	// finds entries left by the one before, for the same id.
	var e appEncodings
	for _, tt := range tests {
		want := wantList(t, tt.apps)
		assert.Equal(t, want, gotList(t, &e, tt.apps), "%s, cold", tt.name)
		assert.Equal(t, want, gotList(t, &e, tt.apps), "%s, warm", tt.name)
	}
}

// TestSameAppCoversEveryField changes each field of models.OAuthApp in turn
// (by reflection, so a field added later is included) after the original
// was cached: the answer must follow the change.
func TestSameAppCoversEveryField(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[models.OAuthApp]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			var e appEncodings
			base := encodingApp()
			gotList(t, &e, []models.OAuthApp{base})
			changed := base
			changed.CallbackURLs = append([]string(nil), base.CallbackURLs...)
			v := reflect.ValueOf(&changed).Elem().Field(i)
			switch v.Kind() {
			case reflect.String:
				v.SetString(v.String() + "x")
			case reflect.Int64:
				v.SetInt(v.Int() + 1)
			case reflect.Bool:
				v.SetBool(!v.Bool())
			case reflect.Slice:
				v.Set(reflect.Append(v, reflect.ValueOf("https://bot.example/other")))
			default:
				t.Fatalf("field %s of kind %s: teach this test (and sameApp) about it", f.Name, v.Kind())
			}
			if f.Name == "ID" {
				assert.True(t, sameApp(&base, &base))
				assert.False(t, sameApp(&base, &changed))
				return
			}
			assert.Equal(t, wantList(t, []models.OAuthApp{changed}), gotList(t, &e, []models.OAuthApp{changed}))
		})
	}
}

func TestAppEncodingsStayBounded(t *testing.T) {
	t.Parallel()
	var e appEncodings
	app := encodingApp()
	for i := range maxEncodedApps + 10 {
		app.ID = fmt.Sprintf("%026d", i)
		gotList(t, &e, []models.OAuthApp{app})
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	assert.LessOrEqual(t, len(e.m), maxEncodedApps)
	assert.Positive(t, len(e.m))
}

func TestAppEncodingsConcurrent(t *testing.T) {
	t.Parallel()
	var e appEncodings
	a, b := encodingApp(), encodingApp()
	b.Name = "other"
	want := map[string]string{a.Name: wantList(t, []models.OAuthApp{a}), b.Name: wantList(t, []models.OAuthApp{b})}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			app := a
			if w%2 == 1 {
				app = b // same id, different content: the entry flips back and forth
			}
			for range 200 {
				var buf bytes.Buffer
				if err := e.appendList(&buf, []models.OAuthApp{app}); err != nil || buf.String() != want[app.Name] {
					t.Errorf("worker %d: %q, %v", w, buf.String(), err)
					return
				}
			}
		})
	}
	wg.Wait()
}
