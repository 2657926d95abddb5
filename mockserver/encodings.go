package mockserver

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"

	"github.com/mmoauth/mmoauth/models"
)

// appEncodings caches the JSON encoding of apps for list answers. Encoding a
// page of 60 apps with encoding/json was most of a list request's CPU time
// (docs/BENCHMARKS.md, BenchmarkPipeline/GetOAuthApps). An entry is used only
// for an app equal, field by field, to the one it was encoded from, so an app
// that changed (update, new secret, a copy with the secret blanked) is just
// encoded again: the cache cannot serve stale bytes. The zero value is ready
// to use; it is safe for concurrent use.
type appEncodings struct {
	mu sync.RWMutex
	m  map[string]encodedApp // by app id
}

type encodedApp struct {
	app  models.OAuthApp
	json []byte
}

// maxEncodedApps bounds the cache (about 3 MB): when it is full it starts
// over, so deleted apps never pile up.
const maxEncodedApps = 4096

// appendList writes apps as a JSON array followed by a newline: the bytes
// json.NewEncoder(w).Encode(apps) writes (HTML characters escaped, nil and
// empty CallbackURLs kept apart), built from cached encodings.
func (e *appEncodings) appendList(buf *bytes.Buffer, apps []models.OAuthApp) error {
	buf.WriteByte('[')
	for i := range apps {
		if i > 0 {
			buf.WriteByte(',')
		}
		b, err := e.encode(&apps[i])
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	buf.WriteString("]\n")
	return nil
}

// encode returns app's encoding; the caller must not modify it.
func (e *appEncodings) encode(app *models.OAuthApp) ([]byte, error) {
	e.mu.RLock()
	hit, ok := e.m[app.ID]
	e.mu.RUnlock()
	if ok && sameApp(&hit.app, app) {
		return hit.json, nil
	}
	b, err := json.Marshal(app) //nolint:gosec // G117: list answers carry the secret, as the real server's do
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	if e.m == nil || len(e.m) >= maxEncodedApps {
		e.m = make(map[string]encodedApp)
	}
	e.m[app.ID] = encodedApp{app: cloneApp(*app), json: b}
	e.mu.Unlock()
	return b, nil
}

// sameApp reports whether a and b encode to the same JSON: every field equal,
// and CallbackURLs both nil (null) or both non-nil (an array).
// TestSameAppCoversEveryField fails when models.OAuthApp gains a field that
// is not compared here.
func sameApp(a, b *models.OAuthApp) bool {
	return a.ID == b.ID && a.CreatorID == b.CreatorID && a.CreateAt == b.CreateAt && a.UpdateAt == b.UpdateAt &&
		a.ClientSecret == b.ClientSecret && a.Name == b.Name && a.Description == b.Description &&
		a.IconURL == b.IconURL && (a.CallbackURLs == nil) == (b.CallbackURLs == nil) &&
		slices.Equal(a.CallbackURLs, b.CallbackURLs) && a.Homepage == b.Homepage && a.IsTrusted == b.IsTrusted &&
		a.MattermostAppID == b.MattermostAppID && a.IsDynamicallyRegistered == b.IsDynamicallyRegistered
}
