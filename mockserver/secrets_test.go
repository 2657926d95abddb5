package mockserver

import (
	"net/http"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSecretsVisibility: GET one, the list, create, update and regen return
// the secret; /info and the authorized-apps list blank it (server/channels/api4/oauth.go, docs/RULES.md.4).
func TestSecretsVisibility(t *testing.T) {
	ts := NewTestServer(t)
	c := tokenOf(ts, colC)
	app := createApp(t, ts, c, newApp("secret"))
	require.Len(t, app.ClientSecret.Reveal(), 26)
	authorizeCode(t, ts, c, app, "")

	one := func(path string) models.OAuthApp {
		r := do(t, ts, req{Method: http.MethodGet, Path: path, Token: c})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var a models.OAuthApp
		r.decode(t, &a)
		return a
	}
	list := func(path string) []models.OAuthApp {
		r := do(t, ts, req{Method: http.MethodGet, Path: path, Token: c})
		require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
		var a []models.OAuthApp
		r.decode(t, &a)
		require.Len(t, a, 1)
		return a
	}
	tests := []struct {
		name   string
		secret func() models.Secret
		want   models.Secret
	}{
		{"get", func() models.Secret { return one("/api/v4/oauth/apps/" + app.ID).ClientSecret }, app.ClientSecret},
		{"list", func() models.Secret { return list("/api/v4/oauth/apps")[0].ClientSecret }, app.ClientSecret},
		{"info", func() models.Secret { return one("/api/v4/oauth/apps/" + app.ID + "/info").ClientSecret }, ""},
		{"authorized list", func() models.Secret { return list("/api/v4/users/me/oauth/apps/authorized")[0].ClientSecret }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want.Reveal(), tt.secret().Reveal())
		})
	}
}

// TestRegenSecret: a new secret replaces the old one at the token endpoint too.
func TestRegenSecret(t *testing.T) {
	ts := NewTestServer(t)
	c := tokenOf(ts, colC)
	app := createApp(t, ts, c, newApp("regen"))
	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret", Token: c})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var got models.OAuthApp
	r.decode(t, &got)
	require.NotEqual(t, app.ClientSecret.Reveal(), got.ClientSecret.Reveal())
	require.Len(t, got.ClientSecret.Reveal(), 26)

	code := authorizeCode(t, ts, c, app, "")
	r = exchange(t, ts, app.ID, app.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
	assert.Equal(t, http.StatusUnauthorized, r.Status, "the old secret no longer works")
	r = exchange(t, ts, app.ID, got.ClientSecret.Reveal(), code, app.CallbackURLs[0], "")
	assert.Equal(t, http.StatusOK, r.Status, "the new secret works: %s", r.Body)
}

// TestPublicClients: is_public creates an app without a secret; regen is
// refused for everyone who may manage it (PR #34435).
func TestPublicClients(t *testing.T) {
	for _, col := range []int{colC, colSA} {
		t.Run(colNames[col], func(t *testing.T) {
			ts := NewTestServer(t)
			body := newApp("public")
			body.IsPublic = true
			app := createApp(t, ts, tokenOf(ts, colC), body)
			assert.Empty(t, app.ClientSecret.Reveal())
			assert.True(t, app.IsPublic())
			r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/" + app.ID + "/regen_secret", Token: tokenOf(ts, col)})
			require.Equal(t, http.StatusBadRequest, r.Status)
			assert.Equal(t, "api.oauth.regenerate_secret.public_client.app_error", r.appError(t).ID)
		})
	}
}

// TestUpdateKeepsServerFields: update cannot change id, creator, create_at,
// the secret or is_dynamically_registered, and moves update_at.
func TestUpdateKeepsServerFields(t *testing.T) {
	clock := newFakeClock()
	ts := NewTestServer(t, WithClock(clock.Now))
	c := tokenOf(ts, colC)
	app := createApp(t, ts, c, newApp("keep"))
	clock.Advance(1000e6)
	body := map[string]any{
		"id": app.ID, "name": "renamed", "callback_urls": []string{"https://new.example.com/cb"},
		"homepage": "https://new.example.com", "creator_id": tokenOf(ts, colN), "create_at": 1,
		"client_secret": "planted", "is_dynamically_registered": true, "mattermost_app_id": "mmapp",
	}
	r := do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: c, Body: body})
	require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
	var got models.OAuthApp
	r.decode(t, &got)
	assert.Equal(t, "renamed", got.Name)
	assert.Equal(t, []string{"https://new.example.com/cb"}, got.CallbackURLs)
	assert.Equal(t, "mmapp", got.MattermostAppID)
	assert.Equal(t, app.CreatorID, got.CreatorID)
	assert.Equal(t, app.CreateAt, got.CreateAt)
	assert.Equal(t, app.ClientSecret.Reveal(), got.ClientSecret.Reveal())
	assert.False(t, got.IsDynamicallyRegistered)
	assert.Greater(t, got.UpdateAt, app.UpdateAt)
}

// TestCreateIgnoresServerFields: create reads only OAuthAppRequest's fields.
func TestCreateIgnoresServerFields(t *testing.T) {
	ts := NewTestServer(t)
	body := map[string]any{
		"id": "cccccccccccccccccccccccccc", "creator_id": "dddddddddddddddddddddddddd", "create_at": 1,
		"client_secret": "planted", "mattermost_app_id": "planted", "name": "planted",
		"callback_urls": []string{"https://x.example.com/cb"}, "homepage": "https://x.example.com",
	}
	app := createApp(t, ts, tokenOf(ts, colC), body)
	assert.NotEqual(t, "cccccccccccccccccccccccccc", app.ID)
	assert.Equal(t, ts.Identities.OAuthManager.ID, app.CreatorID)
	assert.NotEqual(t, "planted", app.ClientSecret.Reveal())
	assert.Empty(t, app.MattermostAppID)
	assert.Greater(t, app.CreateAt, int64(1))
}
