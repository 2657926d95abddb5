package mockserver

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mmoauth/mmoauth/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckOrder pins the real server's order of checks (server/channels/api4/oauth.go,
// docs/RULES.md): which error wins when a request is wrong in several ways.
func TestCheckOrder(t *testing.T) {
	const apps = "/api/v4/oauth/apps"
	unknown := "zzzzzzzzzzzzzzzzzzzzzzzzzz"
	tests := []struct {
		name     string
		col      int
		q        func(app models.OAuthApp) req
		want     int
		wantID   string
		wantName string // the {{.Name}} in the message, when relevant
	}{
		{"create: bad JSON before 403", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `{"name":`}
		}, 400, "api.context.invalid_body_param.app_error", "oauth_app"},
		{"create: wrong JSON type before 403", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `{"name": 5}`}
		}, 400, "api.context.invalid_body_param.app_error", "oauth_app"},
		{"create: 401 before bad JSON", colAnon, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `{"name":`}
		}, 401, "api.context.session_expired.app_error", ""},
		{"create: empty body", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: ``}
		}, 400, "api.context.invalid_body_param.app_error", "oauth_app"},
		{"create: null body decodes, then IsValid", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `null`}
		}, 400, "model.oauth.is_valid.name.app_error", ""},
		{"create: missing callback", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `{"name":"x","homepage":"https://x.example.com"}`}
		}, 400, "model.oauth.is_valid.callback.app_error", ""},
		{"create: bad homepage", colC, func(models.OAuthApp) req {
			b := newApp("x")
			b.Homepage = "ftp://x.example.com"
			return req{Method: http.MethodPost, Path: apps, Body: b}
		}, 400, "model.oauth.is_valid.homepage.app_error", ""},
		{"create: name too long", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: newApp(strings.Repeat("n", 65))}
		}, 400, "model.oauth.is_valid.name.app_error", ""},
		{"get: 401 before 400 for a junk id", colAnon, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/junk"}
		}, 401, "api.context.session_expired.app_error", ""},
		{"get: junk id", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/junk"}
		}, 400, "api.context.invalid_url_param.app_error", "app_id"},
		{"get: id format before permission", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/junk"}
		}, 400, "api.context.invalid_url_param.app_error", "app_id"},
		{"get: permission before existence", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/" + unknown}
		}, 403, "api.context.permissions.app_error", ""},
		{"get: unknown id", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/" + unknown}
		}, 404, "app.oauth.get_app.find.app_error", ""},
		{"get: existence before ownership", colN, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/" + unknown}
		}, 404, "app.oauth.get_app.find.app_error", ""},
		{"get: register is an app_id for GET", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/register"}
		}, 400, "api.context.invalid_url_param.app_error", "app_id"},
		{"get: non-alphanumeric id is the router's 404", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/not-an-id"}
		}, 404, "api.context.404.app_error", ""},
		{"update: permission before bad JSON", colU, func(a models.OAuthApp) req {
			return req{Method: http.MethodPut, Path: apps + "/" + a.ID, Body: `{"name":`}
		}, 403, "api.context.permissions.app_error", ""},
		{"update: id format before bad JSON", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPut, Path: apps + "/junk", Body: `{"name":`}
		}, 400, "api.context.invalid_url_param.app_error", "app_id"},
		{"update: bad JSON", colC, func(a models.OAuthApp) req {
			return req{Method: http.MethodPut, Path: apps + "/" + a.ID, Body: `{"name":`}
		}, 400, "api.context.invalid_body_param.app_error", "oauth_app"},
		{"update: body id differs from path", colC, func(a models.OAuthApp) req {
			u := a.UpdateRequest()
			u.ID = unknown
			return req{Method: http.MethodPut, Path: apps + "/" + a.ID, Body: u}
		}, 400, "api.context.invalid_body_param.app_error", "app_id"},
		{"update: id mismatch before existence", colC, func(a models.OAuthApp) req {
			u := a.UpdateRequest()
			return req{Method: http.MethodPut, Path: apps + "/" + unknown, Body: u}
		}, 400, "api.context.invalid_body_param.app_error", "app_id"},
		{"update: IsValid after ownership", colC, func(a models.OAuthApp) req {
			u := a.UpdateRequest()
			u.CallbackURLs = nil
			return req{Method: http.MethodPut, Path: apps + "/" + a.ID, Body: u}
		}, 400, "model.oauth.is_valid.callback.app_error", ""},
		{"update: ownership before IsValid", colN, func(a models.OAuthApp) req {
			u := a.UpdateRequest()
			u.CallbackURLs = nil
			return req{Method: http.MethodPut, Path: apps + "/" + a.ID, Body: u}
		}, 403, "api.context.permissions.app_error", ""},
		{"delete: junk id", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodDelete, Path: apps + "/junk"}
		}, 400, "api.context.invalid_url_param.app_error", "app_id"},
		{"info: unknown id", colU, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps + "/" + unknown + "/info"}
		}, 404, "app.oauth.get_app.find.app_error", ""},
		{"authorized: junk user id", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/users/junk/oauth/apps/authorized"}
		}, 400, "api.context.invalid_url_param.app_error", "user_id"},
		{"authorized: 401 before junk user id", colAnon, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/users/junk/oauth/apps/authorized"}
		}, 401, "api.context.session_expired.app_error", ""},
		{"deauthorize: bad client id", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: `{"client_id":"junk"}`}
		}, 400, "api.context.invalid_body_param.app_error", "client_id"},
		{"deauthorize: non-string client id", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: "/oauth/deauthorize", Body: `{"client_id":5}`}
		}, 400, "api.context.invalid_body_param.app_error", "client_id"},
		{"unknown path", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: "/api/v4/nothing/here"}
		}, 404, "api.context.404.app_error", ""},
		{"wrong method", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPatch, Path: apps}
		}, 404, "api.context.404.app_error", ""},
		{"body over 1 MiB", colC, func(models.OAuthApp) req {
			return req{Method: http.MethodPost, Path: apps, Body: `{"name":"` + strings.Repeat("a", maxBodyBytes) + `"}`}
		}, 413, "api.context.request_body_too_large.app_error", ""},
		{"bad token", colAnon, func(models.OAuthApp) req {
			return req{Method: http.MethodGet, Path: apps, Token: "not-a-real-token"}
		}, 401, "api.context.session_expired.app_error", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			app := createApp(t, ts, tokenOf(ts, colC), newApp("order"))
			q := tt.q(app)
			if q.Token == "" {
				q.Token = tokenOf(ts, tt.col)
			}
			r := do(t, ts, q)
			require.Equal(t, tt.want, r.Status, "body %s", r.Body)
			e := r.appError(t)
			assert.Equal(t, tt.wantID, e.ID)
			assert.Equal(t, tt.want, e.StatusCode)
			if tt.wantID == "api.context.404.app_error" {
				// The API router's own 404 (api4/api.go Handle404) does not
				// pass through web/handlers.go: no request id, and a
				// detailed_error naming the URL (seen on Mattermost 11.6).
				assert.Empty(t, e.RequestID)
				assert.Empty(t, r.Header.Get("X-Request-ID"))
				assert.Contains(t, e.DetailedError, "There doesn't appear to be an api call for the url='"+q.Path)
				return
			}
			assert.NotEmpty(t, e.RequestID)
			assert.Equal(t, r.Header.Get("X-Request-ID"), e.RequestID)
			if tt.wantName != "" {
				assert.Contains(t, e.Message, tt.wantName)
			}
		})
	}
}

// TestTokenLocations: the token is accepted from the header (Bearer or Token,
// any case) and the MMAUTHTOKEN cookie; a personal token in the query string
// is refused (only OAuth access tokens may travel there).
func TestTokenLocations(t *testing.T) {
	tests := []struct {
		name   string
		header map[string]string
		query  bool
		want   int
		wantID string
	}{
		{"bearer", map[string]string{"Authorization": "Bearer %s"}, false, 200, ""},
		{"BEARER upper case", map[string]string{"Authorization": "BEARER %s"}, false, 200, ""},
		{"token scheme", map[string]string{"Authorization": "Token %s"}, false, 200, ""},
		{"cookie", map[string]string{"Cookie": "MMAUTHTOKEN=%s"}, false, 200, ""},
		{"basic is not a session", map[string]string{"Authorization": "Basic %s"}, false, 401, "api.context.session_expired.app_error"},
		{"personal token in query", nil, true, 401, "api.context.token_provided.app_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := NewTestServer(t)
			tok := ts.Identities.PlainUser.Token
			h := map[string]string{}
			for k, v := range tt.header {
				h[k] = strings.ReplaceAll(v, "%s", tok)
			}
			path := "/api/v4/users/me"
			if tt.query {
				path += "?access_token=" + tok
			}
			r := do(t, ts, req{Method: http.MethodGet, Path: path, Header: h})
			require.Equal(t, tt.want, r.Status, "%s", r.Body)
			if tt.wantID != "" {
				assert.Equal(t, tt.wantID, r.appError(t).ID)
				return
			}
			var u models.User
			r.decode(t, &u)
			assert.Equal(t, ts.Identities.PlainUser.ID, u.ID)
			assert.Equal(t, ts.Identities.PlainUser.Roles, u.Roles)
		})
	}
}
