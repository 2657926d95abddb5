package mockserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Columns of the permission matrix (the permission checks of server/channels/api4/oauth.go).
const (
	colAnon = iota
	colU
	colC
	colN
	colSA
)

var colNames = []string{"Anon", "U", "C", "N", "SA"}

func tokenOf(ts *TestServer, col int) string {
	switch col {
	case colU:
		return ts.Identities.PlainUser.Token
	case colC:
		return ts.Identities.OAuthManager.Token
	case colN:
		return ts.Identities.OAuthManager2.Token
	case colSA:
		return ts.Identities.SystemAdmin.Token
	}
	return ""
}

func idOf(ts *TestServer, col int) string {
	switch col {
	case colU:
		return ts.Identities.PlainUser.ID
	case colC:
		return ts.Identities.OAuthManager.ID
	case colN:
		return ts.Identities.OAuthManager2.ID
	case colSA:
		return ts.Identities.SystemAdmin.ID
	}
	return ""
}

// TestPermissionMatrix drives every row of the permission checks of server/channels/api4/oauth.go for every column,
// each case against a fresh app created by C.
func TestPermissionMatrix(t *testing.T) {
	type row struct {
		name string
		// build returns the request for the column, given C's app.
		build func(ts *TestServer, col int, app models.OAuthApp) req
		want  [5]int
		// forbiddenID is the AppError id of the 403s.
		forbiddenID string
	}
	appPath := func(app models.OAuthApp) string { return "/api/v4/oauth/apps/" + app.ID }
	rows := []row{
		{"create", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/api/v4/oauth/apps", Body: newApp("matrix")}
		}, [5]int{401, 403, 201, 201, 201}, "api.context.permissions.app_error"},
		{"list", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/oauth/apps"}
		}, [5]int{401, 403, 200, 200, 200}, "api.command.admin_only.app_error"},
		{"get", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: appPath(app)}
		}, [5]int{401, 403, 200, 403, 200}, "api.context.permissions.app_error"},
		{"update", func(ts *TestServer, col int, app models.OAuthApp) req {
			u := app.UpdateRequest()
			u.Name = "renamed"
			return req{Method: http.MethodPut, Path: appPath(app), Body: u}
		}, [5]int{401, 403, 200, 403, 200}, "api.context.permissions.app_error"},
		{"delete", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodDelete, Path: appPath(app)}
		}, [5]int{401, 403, 200, 403, 200}, "api.context.permissions.app_error"},
		{"regen", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: appPath(app) + "/regen_secret"}
		}, [5]int{401, 403, 200, 403, 200}, "api.context.permissions.app_error"},
		{"info", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: appPath(app) + "/info"}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"authorized self (me)", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/users/me/oauth/apps/authorized"}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"authorized self (id)", func(ts *TestServer, col int, _ models.OAuthApp) req {
			id := idOf(ts, col)
			if id == "" {
				id = ts.Identities.PlainUser.ID
			}
			return req{Method: http.MethodGet, Path: "/api/v4/users/" + id + "/oauth/apps/authorized"}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"authorized other", func(ts *TestServer, col int, _ models.OAuthApp) req {
			other := ts.Identities.SystemAdmin.ID
			if col == colSA {
				other = ts.Identities.PlainUser.ID
			}
			return req{Method: http.MethodGet, Path: "/api/v4/users/" + other + "/oauth/apps/authorized"}
		}, [5]int{401, 403, 403, 403, 200}, "api.context.permissions.app_error"},
		{"register (session ignored)", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/register",
				Body: models.ClientRegistrationRequest{RedirectURIs: []string{"https://client.example.com/cb"}}}
		}, [5]int{201, 201, 201, 201, 201}, ""},
		{"users/me", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/users/me"}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"authorize (consent)", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/oauth/authorize",
				Body: models.AuthorizeRequest{ResponseType: "code", ClientID: app.ID, RedirectURI: app.CallbackURLs[0]}}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"deauthorize", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: models.DeauthorizeRequest{ClientID: app.ID}}
		}, [5]int{401, 200, 200, 200, 200}, ""},
		{"token endpoint (no session)", func(ts *TestServer, col int, app models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/oauth/access_token", Form: url.Values{
				"grant_type": {"refresh_token"}, "refresh_token": {"unknown"}, "client_id": {app.ID}, "client_secret": {app.ClientSecret.Reveal()}}}
		}, [5]int{404, 404, 404, 404, 404}, ""},
		{"metadata", func(ts *TestServer, col int, _ models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/.well-known/oauth-authorization-server"}
		}, [5]int{200, 200, 200, 200, 200}, ""},
	}
	for _, rw := range rows {
		for col := colAnon; col <= colSA; col++ {
			t.Run(rw.name+"/"+colNames[col], func(t *testing.T) {
				ts := NewTestServer(t)
				ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
				app := createApp(t, ts, ts.Identities.OAuthManager.Token, newApp("owned by C"))
				q := rw.build(ts, col, app)
				q.Token = tokenOf(ts, col)
				r := do(t, ts, q)
				require.Equal(t, rw.want[col], r.Status, "body %s", r.Body)
				switch r.Status {
				case http.StatusUnauthorized:
					assert.Equal(t, "api.context.session_expired.app_error", r.appError(t).ID)
				case http.StatusForbidden:
					assert.Equal(t, rw.forbiddenID, r.appError(t).ID)
				}
			})
		}
	}
}

// TestListScope checks what each column sees in GET /oauth/apps: C and N
// their own apps, SA every app, DCR apps in no per-creator list.
func TestListScope(t *testing.T) {
	ts := NewTestServer(t)
	ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
	byC := createApp(t, ts, tokenOf(ts, colC), newApp("c"))
	byN := createApp(t, ts, tokenOf(ts, colN), newApp("n"))
	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/register",
		Body: models.ClientRegistrationRequest{RedirectURIs: []string{"https://x.example.com/cb"}}})
	require.Equal(t, http.StatusCreated, r.Status)
	var reg models.ClientRegistrationResponse
	r.decode(t, &reg)

	ids := func(col int) []string {
		r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps", Token: tokenOf(ts, col)})
		require.Equal(t, http.StatusOK, r.Status)
		var apps []models.OAuthApp
		r.decode(t, &apps)
		out := []string{}
		for _, a := range apps {
			out = append(out, a.ID)
		}
		return out
	}
	tests := []struct {
		col  int
		want []string
	}{
		{colC, []string{byC.ID}},
		{colN, []string{byN.ID}},
		{colSA, []string{byC.ID, byN.ID, reg.ClientID}},
	}
	for _, tt := range tests {
		t.Run(colNames[tt.col], func(t *testing.T) {
			assert.ElementsMatch(t, tt.want, ids(tt.col))
		})
	}
}

// TestTrustedFlag checks is_trusted: forced false on create and kept on
// update without manage_system; honoured for SA.
func TestTrustedFlag(t *testing.T) {
	tests := []struct {
		name        string
		col         int
		wantCreate  bool
		wantUpdated bool
	}{
		{"creator without manage_system", colC, false, false},
		{"system admin", colSA, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			body := newApp("trusted")
			body.IsTrusted = true
			app := createApp(t, ts, tokenOf(ts, tt.col), body)
			assert.Equal(t, tt.wantCreate, app.IsTrusted)

			upd := app.UpdateRequest()
			upd.IsTrusted = !app.IsTrusted
			r := do(t, ts, req{Method: http.MethodPut, Path: "/api/v4/oauth/apps/" + app.ID, Token: tokenOf(ts, tt.col), Body: upd})
			require.Equal(t, http.StatusOK, r.Status, "%s", r.Body)
			var got models.OAuthApp
			r.decode(t, &got)
			if tt.col == colSA {
				assert.Equal(t, !app.IsTrusted, got.IsTrusted, "SA toggles is_trusted")
			} else {
				assert.Equal(t, app.IsTrusted, got.IsTrusted, "is_trusted keeps its old value")
			}
		})
	}
}

// TestDCRAppsOnlySystemWide: a registered app has no creator, so C and N get
// 403 on it and SA 200 (server/channels/api4/oauth.go registerOAuthClient).
func TestDCRAppsOnlySystemWide(t *testing.T) {
	ts := NewTestServer(t)
	ts.Server.UpdateConfig(func(c *Config) { c.EnableDynamicClientRegistration = true })
	r := do(t, ts, req{Method: http.MethodPost, Path: "/api/v4/oauth/apps/register",
		Body: models.ClientRegistrationRequest{RedirectURIs: []string{"https://x.example.com/cb"}}})
	require.Equal(t, http.StatusCreated, r.Status)
	var reg models.ClientRegistrationResponse
	r.decode(t, &reg)
	for col, want := range map[int]int{colC: 403, colN: 403, colSA: 200} {
		r := do(t, ts, req{Method: http.MethodGet, Path: "/api/v4/oauth/apps/" + reg.ClientID, Token: tokenOf(ts, col)})
		assert.Equal(t, want, r.Status, colNames[col])
	}
}
